"""Recovery first, judgement second; only regular files; opening never creates files beside the
document (hot journals and WAL files are read through a private copy when read-only)."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.storage.faults import child_env, mounted_fat
from yibao_desktop.cli import main as cli_main
from yibao_desktop.domain.edits import SetField
from yibao_desktop.domain.errors import DocumentError
from yibao_desktop.storage import db
from yibao_desktop.storage.repository import Document

# Grows the file and then dies inside the transaction, after SQLite has written pages into the
# file itself (a tiny cache forces that): a hot journal, and a file longer than before.
CRASH_MID_TRANSACTION = r"""
import os, signal, sys
from yibao_desktop.storage import db
conn = db.connect(__import__("pathlib").Path(sys.argv[1]))
conn.execute("PRAGMA cache_size = 1")
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE narrative SET text = ?", ("崩溃前写了一半的正文" * 20000,))
conn.execute("UPDATE income SET amount = '1.00'")
os.kill(os.getpid(), signal.SIGKILL)
"""


def _listing(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


@pytest.fixture
def crashed(tmp_path, demo_report):
    """A report whose writer died mid-transaction: (path, the report before it)."""
    folder = tmp_path / "u盘"
    folder.mkdir()
    path = folder / "崩溃.yibao"
    Document.create(path, demo_report).close()
    size = path.stat().st_size
    proc = subprocess.run([sys.executable, "-c", CRASH_MID_TRANSACTION, str(path)], env=child_env())
    assert proc.returncode == -9
    journal = Path(f"{path}-journal")
    assert journal.read_bytes()[:8] == db.JOURNAL_MAGIC and path.stat().st_size > size
    return path, demo_report


def test_read_only_open_recovers_a_private_copy_and_touches_nothing(crashed):
    path, before = crashed
    listing = _listing(path.parent)
    with Document.open(path, read_only=True) as doc:
        assert doc.recovered and doc.read_only
        assert doc.report == before
        private = doc._resources.private_dir
        assert private is not None and private.exists() and path.parent not in private.parents
        assert doc.snapshot()[:16] == db.SQLITE_MAGIC
    assert not private.exists()  # removed on close
    assert _listing(path.parent) == listing


def test_a_read_only_medium_gets_the_same_private_recovery(crashed, monkeypatch):
    path, before = crashed
    listing = _listing(path.parent)
    monkeypatch.setattr(os, "access", lambda p, mode: mode != os.W_OK)
    with Document.open(path) as doc:
        assert doc.read_only and doc.recovered and doc.report == before
        assert "只读" in doc.read_only_reason
    assert _listing(path.parent) == listing


def test_a_really_read_only_stick_after_a_crash(crashed, tmp_path):
    """The crashed file and its journal on a FAT stick mounted read-only (fusefat -o ro)."""
    path, before = crashed
    with mounted_fat(tmp_path) as stick:
        for name in (path.name, f"{path.name}-journal"):
            shutil.copyfile(path.parent / name, stick / name.replace("崩溃", "crash"))
    with mounted_fat(tmp_path, read_only=True) as stick:
        listing = _listing(stick)
        for read_only in (True, False):
            with Document.open(stick / "crash.yibao", read_only=read_only) as doc:
                assert doc.read_only and doc.recovered and doc.report == before
        assert _listing(stick) == listing


def test_read_only_commands_work_after_a_crash(crashed, capsys):
    path, _before = crashed
    listing = _listing(path.parent)
    assert cli_main(["dump", str(path)]) == 0
    assert '"format": "yibao-report"' in capsys.readouterr().out
    assert cli_main(["check", str(path)]) in (0, 1)
    assert _listing(path.parent) == listing


def test_writable_open_rolls_back_first_then_judges(crashed):
    path, before = crashed
    with Document.open(path) as doc:
        assert doc.recovered and not doc.read_only and doc.report == before
        doc.apply([SetField("meta", None, "unit", "恢复后可以继续编辑")])
    assert not Path(f"{path}-journal").exists()
    with Document.open(path) as doc:
        assert not doc.recovered and doc.report.meta.unit == "恢复后可以继续编辑"


def test_a_journal_that_never_became_valid_is_cleaned_up(tmp_path, demo_report):
    path = tmp_path / "r.yibao"
    Document.create(path, demo_report).close()
    Path(f"{path}-journal").write_bytes(b"\0" * 512)  # killed while writing the journal header
    with Document.open(path, read_only=True) as doc:
        assert doc.report == demo_report and not doc.recovered
    assert Path(f"{path}-journal").exists()  # read-only: left alone
    with Document.open(path) as doc:
        assert doc.report == demo_report and not doc.recovered
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.yibao"]


def _open_in_thread(path: Path, read_only: bool) -> BaseException | None:
    result: list[BaseException | None] = []

    def run():
        try:
            Document.open(path, read_only=read_only).close()
            result.append(None)
        except BaseException as err:  # noqa: B902 - handed to the test
            result.append(err)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(5)
    assert result, "opening a FIFO hung"
    return result[0]


@pytest.mark.parametrize("read_only", [True, False])
def test_a_fifo_named_yibao_is_refused_without_hanging(tmp_path, read_only):
    fifo = tmp_path / "x.yibao"
    os.mkfifo(fifo)
    err = _open_in_thread(fifo, read_only)
    assert isinstance(err, DocumentError) and "不是普通文件" in str(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.yibao"]


def test_plain_read_only_open_creates_nothing(tmp_path, demo_report):
    path = tmp_path / "r.yibao"
    Document.create(path, demo_report).close()
    listing = _listing(tmp_path)
    with Document.open(path, read_only=True) as doc:
        assert _listing(tmp_path) == listing and not doc.recovered
    assert _listing(tmp_path) == listing


# ------------------------------------------------------------------------------ WAL files

LEAVE_WAL = r"""
import os, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA journal_mode = WAL")
conn.execute("PRAGMA wal_autocheckpoint = 0")
conn.execute("UPDATE kv SET value = '\"WAL里的单位\"' WHERE section = 'meta' AND key = 'unit'")
if sys.argv[2] == "leave":
    os._exit(0)  # no checkpoint: the change lives only in the -wal file
conn.close()
"""


@pytest.mark.parametrize("leave", ["leave", "clean"])
def test_wal_mode_files_are_read_without_files_appearing(tmp_path, demo_report, leave):
    path = tmp_path / "wal.yibao"
    Document.create(path, demo_report).close()
    subprocess.run([sys.executable, "-c", LEAVE_WAL, str(path), leave], check=True)
    assert db.read_header(path).wal
    listing = _listing(tmp_path)
    assert ("wal.yibao-wal" in listing) == (leave == "leave")
    with Document.open(path, read_only=True) as doc:
        assert doc.report.meta.unit == "WAL里的单位"
    assert _listing(tmp_path) == listing
    with Document.open(path) as doc:  # never converted behind the user's back
        assert doc.read_only and "WAL" in doc.read_only_reason
        assert doc.report.meta.unit == "WAL里的单位"
        doc.save_as(tmp_path / "normal.yibao")  # the way out: a normal copy, writable
        assert not doc.read_only
        doc.apply([SetField("meta", None, "unit", "正常文件")])
    assert _listing(tmp_path).keys() - {"normal.yibao"} == listing.keys()
    assert not db.read_header(tmp_path / "normal.yibao").wal
    conn = sqlite3.connect(tmp_path / "normal.yibao")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
