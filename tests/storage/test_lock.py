"""One writer per file: the second window or process opens the report read-only and learns who
holds it; a lock left by a dead process is taken over; the lock file goes away on close."""

from __future__ import annotations

import gc
import getpass
import os
import signal
import socket
import subprocess
import sys
from decimal import Decimal

import pytest

from tests.storage.faults import child_env, mounted_fat
from yibao_desktop.domain.edits import SetField
from yibao_desktop.domain.errors import DocumentError
from yibao_desktop.storage.lock import lock_path
from yibao_desktop.storage.repository import LOCKED_MESSAGE, Document

HOLDER = r"""
import sys
from decimal import Decimal
from yibao_desktop.domain.edits import SetField
from yibao_desktop.storage.repository import Document
doc = Document.open(sys.argv[1])
assert not doc.read_only
print("open", flush=True)
for line in sys.stdin:  # one edit per line, until told to close (or killed)
    if line.strip() == "close":
        doc.close()
        print("closed", flush=True)
        break
    doc.apply([SetField("indicators", 0, "actual", Decimal(line.strip()))])
    print("saved", flush=True)
"""


@pytest.fixture
def path(tmp_path, demo_report):
    p = tmp_path / "共用.yibao"
    Document.create(p, demo_report).close()
    return p


@pytest.fixture
def holder(path):
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=child_env())
    assert proc.stdout.readline().strip() == "open"
    yield proc
    proc.kill()
    proc.wait()


def _send(proc, line):
    proc.stdin.write(line + "\n")
    proc.stdin.flush()
    return proc.stdout.readline().strip()


def test_second_process_opens_read_only_and_names_the_holder(path, holder):
    with Document.open(path) as second:
        assert second.read_only
        who = second.locked_by
        assert who.pid == holder.pid and who.host == socket.gethostname() and who.user == getpass.getuser()
        assert who.since[:4].isdigit()
        assert second.read_only_reason.startswith(LOCKED_MESSAGE)
        assert str(holder.pid) in second.read_only_reason
        with pytest.raises(DocumentError, match=LOCKED_MESSAGE):
            second.apply([SetField("meta", None, "unit", "第二个窗口的修改")])
        with pytest.raises(DocumentError, match=LOCKED_MESSAGE):  # nor overwritten from here
            Document.create(path, second.report, overwrite=True)
    assert _send(holder, "42") == "saved"  # the holder keeps writing undisturbed
    assert _send(holder, "close") == "closed"
    assert not lock_path(path).exists()
    with Document.open(path) as third:
        assert not third.read_only and third.locked_by is None
        assert third.report.indicators[0].actual == Decimal(42)


def test_a_lock_left_by_a_dead_process_is_taken_over(path, holder):
    assert _send(holder, "7") == "saved"
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert lock_path(path).exists()  # stale: nobody holds it any more
    with Document.open(path) as doc:
        assert not doc.read_only and doc.locked_by is None
        assert doc.report.indicators[0].actual == Decimal(7)
        assert str(os.getpid()) in lock_path(path).read_text(encoding="utf-8")
        doc.apply([SetField("indicators", 0, "actual", Decimal(8))])
    assert not lock_path(path).exists()


def test_two_windows_of_one_process(path, tmp_path):
    first = Document.open(path)
    second = Document.open(path)
    assert not first.read_only and second.read_only and second.locked_by.pid == os.getpid()
    with pytest.raises(DocumentError, match=LOCKED_MESSAGE):
        second.save_as(path)
    second.save_as(tmp_path / "另存.yibao")  # a copy of one's own is fine and writable
    assert not second.read_only
    second.apply([SetField("meta", None, "unit", "副本")])
    second.close()
    first.close()
    with Document.open(path) as again:
        assert not again.read_only and again.report.meta.unit != "副本"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["共用.yibao", "另存.yibao"]


def test_read_only_opens_take_no_lock_and_leave_no_file(path, holder):
    with Document.open(path, read_only=True) as doc:
        assert doc.read_only and doc.locked_by is None and doc.read_only_reason is None
    holder.kill()
    holder.wait()
    before = sorted(p.name for p in path.parent.iterdir())
    with Document.open(path, read_only=True):
        pass
    assert sorted(p.name for p in path.parent.iterdir()) == before


def test_a_forgotten_document_releases_its_lock_when_collected(path):
    Document.open(path)  # never closed
    gc.collect()
    with Document.open(path) as doc:
        assert not doc.read_only


def test_locking_and_editing_on_a_fat_stick(tmp_path, demo_report):
    with mounted_fat(tmp_path) as stick:
        path = stick / "report.yibao"
        with Document.create(path, demo_report) as doc:
            doc.apply([SetField("indicators", 0, "actual", Decimal(3))])
            with Document.open(path) as second:
                assert second.read_only and second.locked_by.pid == os.getpid()
        with Document.open(path) as doc:
            assert not doc.read_only and doc.report.indicators[0].actual == Decimal(3)
        assert [n for n in os.listdir(stick) if n.startswith(".")] == []  # no lock or temporary left
