import errno
import os
import re
import stat
import subprocess
import sys
import time

import pytest

from tests.storage.faults import mounted_fat
from yibao_desktop import fileio
from yibao_desktop.domain.errors import UserError


def test_write_atomic_writes_whole_file_with_normal_permissions(tmp_path):
    target = fileio.write_atomic(tmp_path / "报告.pdf", b"%PDF-1.7 data")
    assert target.read_bytes() == b"%PDF-1.7 data"
    assert stat.S_IMODE(target.stat().st_mode) == fileio.FILE_MODE
    assert stat.S_IMODE(fileio.write_atomic(tmp_path / "key.p12", b"k", private=True).stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["key.p12", "报告.pdf"]


@pytest.mark.parametrize("code, words", [(errno.ENOSPC, "空间已满"), (errno.EROFS, "只读"), (errno.EIO, "无法写入")])
def test_write_failures_leave_nothing_and_keep_the_old_file(tmp_path, monkeypatch, code, words):
    target = tmp_path / "表.xlsx"
    target.write_bytes(b"old")

    def failing_fsync(fd):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(fileio.os, "fsync", failing_fsync)
    with pytest.raises(UserError, match=words):
        fileio.write_atomic(target, b"new content")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["表.xlsx"]


def test_missing_folder(tmp_path):
    with pytest.raises(UserError, match="文件夹不存在"):
        fileio.write_atomic(tmp_path / "拔出的U盘" / "a.pdf", b"x")


# ------------------------------------------------------------------------------ folder sync


def _failing_dir_fsync(code):
    real = os.fsync

    def fsync(fd):
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(code, os.strerror(code))
        return real(fd)
    return fsync


def test_failed_folder_sync_is_a_failure_and_leaves_no_temporary(tmp_path, monkeypatch):
    monkeypatch.setattr(fileio.os, "fsync", _failing_dir_fsync(errno.EIO))
    with pytest.raises(UserError, match="磁盘读写错误") as info:
        fileio.write_atomic(tmp_path / "报送.pdf", b"%PDF")
    assert not re.search(r"[A-Za-z]{4,}", str(info.value).replace(str(tmp_path), ""))
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_folder_sync_unsupported_by_the_file_system_is_not_a_failure(tmp_path, monkeypatch):
    monkeypatch.setattr(fileio.os, "fsync", _failing_dir_fsync(errno.EINVAL))
    assert fileio.write_atomic(tmp_path / "a.pdf", b"x").read_bytes() == b"x"


def test_fsync_dir_raises_on_a_vanished_folder(tmp_path):
    with pytest.raises(OSError):
        fileio.fsync_dir(tmp_path / "拔出的U盘")


@pytest.mark.parametrize("code", [errno.EPERM, errno.ENOSYS, errno.EOPNOTSUPP])
def test_chmod_refused_by_fat_is_ignored(tmp_path, monkeypatch, code):
    def refuse(path, mode):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(fileio.os, "chmod", refuse)
    assert fileio.write_atomic(tmp_path / "表.xlsx", b"data").read_bytes() == b"data"
    assert fileio.write_atomic(tmp_path / "key.p12", b"k", private=True).read_bytes() == b"k"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["key.p12", "表.xlsx"]


def test_other_chmod_failures_still_fail_cleanly(tmp_path, monkeypatch):
    def refuse(path, mode):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(fileio.os, "chmod", refuse)
    with pytest.raises(UserError):
        fileio.write_atomic(tmp_path / "表.xlsx", b"data")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------ a real FAT stick


@pytest.fixture
def fat_stick(tmp_path):
    with mounted_fat(tmp_path) as mount:
        yield mount


def test_write_atomic_on_a_fat_stick_that_refuses_chmod(fat_stick):
    probe = fat_stick / "probe"
    probe.write_bytes(b"")
    with pytest.raises(OSError):
        os.chmod(probe, 0o600)  # the driver refuses: this is the case being tested
    probe.unlink()
    # fusefat cannot create non-ASCII names (real FAT drivers can): ASCII names here.
    target = fileio.write_atomic(fat_stick / "report.pdf", b"%PDF-1.7")
    assert target.read_bytes() == b"%PDF-1.7"
    assert fileio.write_atomic(fat_stick / "key.p12", b"k", private=True).read_bytes() == b"k"
    assert not [p for p in os.listdir(fat_stick) if p.endswith(".tmp")]


# ------------------------------------------------------------------------------ stale temporaries


def _make_old(path, seconds=3600):
    old = time.time() - seconds
    os.utime(path, (old, old))


def test_stale_temporaries_are_removed_on_the_next_write(tmp_path):
    stale = [tmp_path / ".报告.pdf.a1b2c3d4.tmp", tmp_path / ".yibao-zz9_x0y1.tmp",
             tmp_path / ".yibao-zz9_x0y1.tmp-journal", tmp_path / ".报告.yibao.lock"]
    fresh = tmp_path / ".表.xlsx.q1w2e3r4.tmp"
    keep = [tmp_path / "notes.tmp", tmp_path / ".hidden", tmp_path / "报告.pdf.tmp", tmp_path / ".other.lock"]
    for p in stale + keep + [fresh]:
        p.write_bytes(b"left over")
    for p in stale + keep:
        _make_old(p)
    fileio.write_atomic(tmp_path / "other.pdf", b"x")
    names = {p.name for p in tmp_path.iterdir()}
    assert not names & {p.name for p in stale}
    assert {p.name for p in keep} | {fresh.name, "other.pdf"} == names  # too young, or not ours


def test_a_temporary_being_written_by_a_live_process_is_kept(tmp_path):
    busy = tmp_path / ".报告.pdf.k3k3k3k3.tmp"
    busy.write_bytes(b"being written")
    _make_old(busy)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(busy)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        assert fileio.remove_stale_temporaries(tmp_path) == []
        assert busy.exists()
    finally:
        holder.kill()
        holder.wait()
    assert fileio.remove_stale_temporaries(tmp_path) == [busy]


HOLD = r"""
import os, sys, time
from tests.storage.faults import mounted_fat
from yibao_desktop import fileio
fd = os.open(sys.argv[1], os.O_RDWR)
fileio.mark_in_use(fd)
print("holding", flush=True)
time.sleep(60)
"""


def test_read_regular_refuses_a_fifo_without_blocking(tmp_path):
    fifo = tmp_path / "x.json"
    os.mkfifo(fifo)
    with pytest.raises(UserError, match="不是普通文件"):
        fileio.read_regular(fifo)
    (tmp_path / "a.json").write_bytes(b"{}")
    assert fileio.read_regular(tmp_path / "a.json") == b"{}"


def test_read_errors_are_told_in_chinese_never_in_the_systems_english(tmp_path):
    import errno as errno_

    for err in (FileNotFoundError(errno_.ENOENT, "No such file or directory"),
                PermissionError(errno_.EACCES, "Permission denied"), OSError(errno_.EIO, "Input/output error"),
                IsADirectoryError(errno_.EISDIR, "Is a directory")):
        message = str(fileio.read_error(tmp_path / "证书.p12", err))
        assert message.startswith("无法读取「证书.p12」：") and err.strerror not in message
        assert not re.search(r"[A-Za-z]{3,}", message.replace("p12", ""))
