"""SQLite errors are classified by error code: environment failures become a Chinese
DocumentError naming the file, our own mistakes a StorageBug (not a UserError) logged with its
traceback. One transaction primitive serves edits, migrations and new files."""

from __future__ import annotations

import logging
import re
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import DATA, ROOT
from yibao_desktop.domain.edits import SetField
from yibao_desktop.domain.errors import DocumentError, UserError
from yibao_desktop.storage import db, migrations, repository
from yibao_desktop.storage.migrations import SCHEMA_VERSION
from yibao_desktop.storage.repository import Document

ENGLISH = re.compile(r"[A-Za-z]{4,}")


def _english(message: str, *allowed: str) -> list[str]:
    return [w for w in ENGLISH.findall(message) if w not in {"SQLite", "yibao", *allowed}]


@pytest.fixture
def doc_path(tmp_path, demo_report):
    path = tmp_path / "报告.yibao"
    Document.create(path, demo_report).close()
    return path


def _environment_errors(tmp_path: Path, doc_path: Path) -> dict[str, sqlite3.Error]:
    """Real SQLite errors of the kinds a county PC meets."""
    found: dict[str, sqlite3.Error] = {}

    def catch(label, action):
        try:
            action()
        except sqlite3.Error as err:
            found[label] = err

    holder = sqlite3.connect(doc_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    other = sqlite3.connect(doc_path, isolation_level=None, timeout=0)
    catch("busy", lambda: other.execute("SELECT count(*) FROM kv").fetchall())
    holder.execute("ROLLBACK")
    ro = sqlite3.connect(f"{doc_path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    catch("readonly", lambda: ro.execute("DELETE FROM audit"))
    junk = tmp_path / "junk.yibao"
    junk.write_bytes(b"x" * 4096)
    catch("notadb", lambda: sqlite3.connect(junk).execute("SELECT * FROM sqlite_master").fetchall())
    catch("cantopen", lambda: sqlite3.connect(f"file:{tmp_path}/no/such/dir.yibao?mode=rw", uri=True))
    full = sqlite3.connect(doc_path, isolation_level=None)
    pages = full.execute("PRAGMA page_count").fetchone()[0]
    full.execute(f"PRAGMA max_page_count = {pages}")
    catch("full", lambda: full.execute("UPDATE narrative SET text = ?", ("很长" * 100000,)))
    for conn in (holder, other, ro, full):
        conn.close()
    return found


def test_environment_failures_become_chinese_messages_naming_the_file(tmp_path, doc_path):
    errors = _environment_errors(tmp_path, doc_path)
    assert set(errors) == {"busy", "readonly", "notadb", "cantopen", "full"}
    words = {"busy": "其他程序使用", "readonly": "只读", "notadb": "损坏", "cantopen": "无法打开",
             "full": "磁盘空间已满"}
    for label, err in errors.items():
        assert db.is_environment(err), label
        result = db.classify(err, "报告.yibao")
        assert isinstance(result, DocumentError), label
        assert "报告.yibao" in str(result) and words[label] in str(result), (label, str(result))
        assert not _english(str(result)), str(result)


def test_our_own_sql_mistakes_are_bugs_not_file_problems(doc_path, caplog):
    conn = db.connect(doc_path)
    tx = db.Transactions(conn, doc_path.name)
    caplog.set_level(logging.ERROR, logger="yibao_desktop.storage.db")
    with pytest.raises(db.StorageBug) as info:
        with tx.transaction() as c:
            c.execute("UPDATE no_such_table SET x = 1")
    assert not isinstance(info.value, UserError)
    assert isinstance(info.value.__cause__, sqlite3.OperationalError)
    assert "内部错误" in str(info.value) and "SQLITE_ERROR" in str(info.value)
    assert caplog.records and caplog.records[-1].exc_info is not None  # logged with its traceback
    assert not conn.in_transaction and tx.depth == 0
    conn.close()
    for err in (sqlite3.IntegrityError("NOT NULL constraint failed"), sqlite3.ProgrammingError("closed")):
        assert isinstance(db.classify(err, "x.yibao"), db.StorageBug)


def test_a_bug_during_an_edit_changes_nothing_and_is_not_a_user_error(doc_path, demo_report, monkeypatch):
    def broken(conn, *args):
        conn.execute("UPDATE income SET no_such_column = 1")

    monkeypatch.setattr(repository, "_write_edit", broken)
    with Document.open(doc_path) as doc:
        with pytest.raises(db.StorageBug):
            doc.apply([SetField("incomes", 0, "amount", Decimal("1.00"))])
        assert doc.report == demo_report
    monkeypatch.undo()
    with Document.open(doc_path) as doc:
        assert doc.report == demo_report


def test_a_closed_connection_is_a_bug(doc_path):
    doc = Document.open(doc_path)
    doc.conn.close()
    with pytest.raises(db.StorageBug):
        doc.apply([SetField("incomes", 0, "amount", Decimal("1.00"))])
    doc.close()


def test_nested_transactions_are_savepoints(doc_path):
    conn = db.connect(doc_path)
    tx = db.Transactions(conn, doc_path.name)
    with tx.transaction():
        conn.execute("DELETE FROM audit")
        with pytest.raises(ValueError):
            with tx.transaction():
                conn.execute("INSERT INTO audit (at, target, field) VALUES ('t', 'x', 'inner')")
                raise ValueError
        conn.execute("INSERT INTO audit (at, target, field) VALUES ('t', 'x', 'outer')")
    assert conn.execute("SELECT field FROM audit").fetchall() == [("outer",)]
    conn.close()


def test_a_failed_migration_step_leaves_the_old_file(tmp_path, monkeypatch, old_demo_report):
    path = tmp_path / "旧版.yibao"
    path.write_bytes((DATA / "report-v1.yibao").read_bytes())

    def failing(conn):
        conn.execute("ALTER TABLE indicator ADD COLUMN baseline TEXT")
        conn.execute("UPDATE no_such_table SET x = 1")

    monkeypatch.setitem(migrations.STEPS, 1, failing)
    with pytest.raises(db.StorageBug):
        Document.open(path)
    monkeypatch.undo()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert "baseline" not in [r[1] for r in conn.execute("PRAGMA table_info(indicator)")]
    conn.close()
    with Document.open(path) as doc:
        assert doc.report == old_demo_report and doc.migrated_from == 1


def test_migrations_and_new_files_use_the_one_transaction_primitive(tmp_path, demo_report, monkeypatch):
    calls = []
    real = db.Transactions.transaction

    def counting(self):
        calls.append(self.name)
        return real(self)

    monkeypatch.setattr(db.Transactions, "transaction", counting)
    Document.create(tmp_path / "新.yibao", demo_report).close()
    assert calls == ["新.yibao"]
    path = tmp_path / "旧.yibao"
    path.write_bytes((DATA / "report-v1.yibao").read_bytes())
    calls.clear()
    Document.open(path).close()
    steps = SCHEMA_VERSION - 1  # one transaction per upgrade step
    assert calls == ["旧.yibao"] * steps * 2  # the check on an in-memory copy, then the file


def test_nothing_but_db_begins_commits_or_rolls_back():
    pattern = re.compile(r"""["'](?:BEGIN|COMMIT|ROLLBACK|END)\b|\.commit\(\)|\.rollback\(\)""", re.I)
    offenders = []
    for path in (ROOT / "yibao_desktop").rglob("*.py"):
        if path.name == "db.py" and path.parent.name == "storage":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
