import errno
import os
import stat

import pytest

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
