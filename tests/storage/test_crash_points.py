"""Kill the writer at every write and sync call of an edit that grows the file, and of a v1 -> v2
migration. After every crash point, a read-only open (which must neither create nor change a
file) and then a writable open (which takes over the dead process's lock) both show the state
just before or just after the interrupted transaction, and nothing is left behind."""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Callable

import pytest

from tests.conftest import DATA
from tests.storage.faults import KILL_SYSCALLS, count_calls, require_strace, run_killed, script_argv
from yibao_desktop.domain.edits import InsertRow, SetField, apply_edit
from yibao_desktop.domain.report import Report, Section
from yibao_desktop.fileio import is_temporary_name
from yibao_desktop.storage import db
from yibao_desktop.storage.migrations import SCHEMA_VERSION
from yibao_desktop.storage.repository import Document

pytestmark = pytest.mark.slow

EDIT = r"""
import sys
from decimal import Decimal
from yibao_desktop.domain.edits import InsertRow, SetField
from yibao_desktop.domain.report import Section
from yibao_desktop.storage.repository import Document
doc = Document.open(sys.argv[1])
grown = Section("grown", "新增章节", "一段会让文件变长的正文。" * 700)
doc.apply([SetField("incomes", 0, "amount", Decimal("1234.56")),
           InsertRow("narrative", len(doc.report.narrative), grown)])
doc.close()
sys.stdout.write("done\n")
"""

MIGRATE = r"""
import sys
from yibao_desktop.storage.repository import Document
doc = Document.open(sys.argv[1])
assert doc.migrated_from == 1
doc.close()
sys.stdout.write("done\n")
"""


def _listing(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def _age_temporaries(folder: Path) -> None:
    old = time.time() - 3600
    for p in folder.iterdir():
        if is_temporary_name(p.name) or p.name.endswith(".lock"):
            os.utime(p, (old, old))


def _crash_points(tmp_path: Path, start: Path, script: str,
                  check: Callable[[Path, Path], None]) -> dict[str, int]:
    """Run `script` on a fresh copy of `start` killed at each crash point; `check(folder, path)`
    judges each result. Returns the number of crash points per syscall."""
    require_strace()
    base = tmp_path / "complete"
    base.mkdir()
    shutil.copy(start, base / "report.yibao")
    counts = count_calls(script_argv(script, base / "report.yibao"), base)
    jobs = [(sc, n) for sc in KILL_SYSCALLS for n in range(1, counts[sc] + 2)]

    def one(job: tuple[str, int]) -> tuple[str, int, bool]:
        syscall, n = job
        folder = tmp_path / f"{syscall}-{n}"
        folder.mkdir()
        path = folder / "report.yibao"
        shutil.copy(start, path)
        killed = run_killed(script_argv(script, path), folder, syscall, n)
        check(folder, path)
        return syscall, n, killed

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(one, jobs))
    for syscall, n, killed in results:
        # Every call up to the counted number is a crash point; one more lets the script finish.
        assert killed == (n <= counts[syscall]), (syscall, n, counts)
    return counts


def _reopen_everywhere(folder: Path, path: Path, states: tuple[Report, ...],
                       recovered: list[bool]) -> Document:
    """The read-only view, then the writable one; both must be one of `states` and agree.
    Appends to `recovered` whether the read-only open had to roll back a hot journal."""
    before = _listing(folder)
    with Document.open(path, read_only=True) as doc:
        seen = doc.report
        assert seen in states
        recovered.append(doc.recovered)
    assert _listing(folder) == before, "a read-only open created, removed or changed a file"
    _age_temporaries(folder)
    doc = Document.open(path)
    assert not doc.read_only, doc.read_only_reason  # a dead writer's lock is taken over
    assert doc.report == seen
    return doc


def _nothing_left(folder: Path, expected: set[str]) -> None:
    assert {p.name for p in folder.iterdir()} == expected


def test_every_crash_point_of_an_edit_that_grows_the_file(tmp_path, demo_report):
    start = tmp_path / "start.yibao"
    Document.create(start, demo_report).close()
    after = demo_report
    for edit in (SetField("incomes", 0, "amount", Decimal("1234.56")),
                 InsertRow("narrative", len(demo_report.narrative),
                           Section("grown", "新增章节", "一段会让文件变长的正文。" * 700))):
        after = apply_edit(after, edit)[0]
    finished: list[bool] = []
    recovered: list[bool] = []

    def check(folder: Path, path: Path) -> None:
        doc = _reopen_everywhere(folder, path, (demo_report, after), recovered)
        finished.append(doc.report == after)
        doc.close()
        _nothing_left(folder, {"report.yibao"})

    counts = _crash_points(tmp_path, start, EDIT, check)
    assert (tmp_path / "complete" / "report.yibao").stat().st_size > start.stat().st_size + 5 * 4096
    assert counts["pwrite64"] >= 10 and counts["fdatasync"] >= 4
    assert any(finished) and not all(finished)  # both sides of the commit point were hit
    assert sum(recovered) >= 10  # hot journals, recovered privately by the read-only opens


def test_every_crash_point_of_a_migration(tmp_path, old_demo_report):
    original = (DATA / "report-v1.yibao").read_bytes()
    recovered: list[bool] = []

    def check(folder: Path, path: Path) -> None:
        version = db.read_header(path).user_version
        backup = folder / "report.yibao.v1.bak"
        if version == SCHEMA_VERSION:  # the upgrade is in: its backup must be complete
            assert backup.read_bytes() == original
        doc = _reopen_everywhere(folder, path, (old_demo_report,), recovered)
        assert doc.migrated_from in (*range(1, SCHEMA_VERSION), None)  # killed between two steps: resumes
        doc.close()
        assert db.read_header(path).user_version == SCHEMA_VERSION
        assert backup.read_bytes() == original
        # killed between two upgrade steps: the next open backs up the intermediate version too
        _nothing_left(folder, {"report.yibao", "report.yibao.v1.bak"}
                      | {f"report.yibao.v{v}.bak" for v in range(2, SCHEMA_VERSION)
                         if (folder / f"report.yibao.v{v}.bak").exists()})

    counts = _crash_points(tmp_path, DATA / "report-v1.yibao", MIGRATE, check)
    assert counts["write"] >= 1 and counts["fsync"] >= 2  # the backup is written and synced
    assert any(recovered)  # some kills left the upgrade's hot journal


INTERRUPTED = {
    "create": r"""
import sys
from pathlib import Path
from yibao_desktop import paths
from yibao_desktop.domain.interchange import report_from_json
from yibao_desktop.storage.repository import Document
report = report_from_json(paths.demo_report_json().read_text(encoding="utf-8"))
Document.create(Path(sys.argv[1]) / "新报告.yibao", report).close()
sys.stdout.write("done\n")
""",
    "save_as": r"""
import sys
from pathlib import Path
from yibao_desktop.storage.repository import Document
doc = Document.open(Path(sys.argv[1]) / "report.yibao")
doc.save_as(Path(sys.argv[1]) / "另存.yibao")
doc.close()
sys.stdout.write("done\n")
""",
    "write_atomic": r"""
import sys
from pathlib import Path
from yibao_desktop.fileio import write_atomic
write_atomic(Path(sys.argv[1]) / "报告.pdf", b"%PDF-1.7" * 1000)
sys.stdout.write("done\n")
""",
}


@pytest.mark.parametrize("job, syscall", [("create", "fdatasync"), ("save_as", "fdatasync"),
                                          ("write_atomic", "fsync")])
def test_temporaries_of_an_interrupted_write_are_removed_on_the_next_run(tmp_path, demo_report, job, syscall):
    require_strace()
    Document.create(tmp_path / "report.yibao", demo_report).close()
    before = {p.name for p in tmp_path.iterdir()}
    assert run_killed(script_argv(INTERRUPTED[job], tmp_path), tmp_path, syscall, 1)
    left = {p.name for p in tmp_path.iterdir()} - before
    assert left and all(is_temporary_name(n) or n.endswith(".yibao.lock") for n in left), left
    fresh = Document.open(tmp_path / "report.yibao")  # too young to be judged stale: kept
    assert left <= {p.name for p in tmp_path.iterdir()}
    fresh.close()
    _age_temporaries(tmp_path)
    script = INTERRUPTED[job]
    assert not run_killed(script_argv(script, tmp_path), tmp_path, syscall, 10_000)  # the next run
    assert not left & {p.name for p in tmp_path.iterdir()}
    assert not [p for p in tmp_path.iterdir() if is_temporary_name(p.name) or p.name.endswith(".lock")]
