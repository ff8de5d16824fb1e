"""Only our schema opens: anything added to or changed in a file's schema (a trigger above all)
is refused before any statement could run it, for every schema version."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import DATA
from yibao_desktop.domain.edits import SetField
from yibao_desktop.domain.errors import DocumentError
from yibao_desktop.storage import structure
from yibao_desktop.storage.migrations import SCHEMA_VERSION
from yibao_desktop.storage.repository import Document

TRIGGER = ("CREATE TRIGGER t AFTER UPDATE ON indicator BEGIN "
           "UPDATE income SET amount = '1.00'; END")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(params=["v2", "v1"])
def report_file(request, tmp_path, demo_report):
    path = tmp_path / "他人的文件.yibao"
    if request.param == "v1":
        shutil.copy(DATA / "report-v1.yibao", path)
    else:
        Document.create(path, demo_report).close()
    return path


def _plant(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in statements:
        conn.execute(statement)
    conn.close()


@pytest.mark.parametrize("statements, words", [
    ([TRIGGER], "触发器「t」"),
    (["CREATE VIEW v AS SELECT * FROM income"], "视图「v」"),
    (["CREATE TABLE extra (x)"], "多余的数据表「extra」"),
    (["CREATE INDEX extra_idx ON income (amount)"], "多余的索引「extra_idx」"),
    (["ALTER TABLE income ADD COLUMN colour TEXT"], "「资金来源」数据表的定义"),
    (["DROP INDEX income_pos"], "缺少「资金来源」数据表的索引"),
    (["PRAGMA writable_schema = ON",
      "UPDATE sqlite_master SET sql = replace(sql, 'amount TEXT NOT NULL', 'amount TEXT NOT NULL "
      "CHECK (amount > 0)') WHERE name = 'income'"], "「资金来源」数据表的定义"),
])
def test_anything_but_our_schema_is_refused_untouched(report_file, statements, words):
    _plant(report_file, *statements)
    before = _sha(report_file)
    for read_only in (False, True):
        with pytest.raises(DocumentError) as info:
            Document.open(report_file, read_only=read_only)
        assert words in str(info.value) and "不会打开" in str(info.value), str(info.value)
    assert _sha(report_file) == before
    assert sorted(p.name for p in report_file.parent.iterdir()) == [report_file.name]


def test_a_planted_trigger_never_runs(tmp_path, demo_report):
    path = tmp_path / "带触发器.yibao"
    Document.create(path, demo_report).close()
    _plant(path, TRIGGER)
    with pytest.raises(DocumentError, match="触发器"):
        with Document.open(path) as doc:
            doc.apply([SetField("indicators", 0, "actual", Decimal("1"))])
    conn = sqlite3.connect(path)
    amounts = {r[0] for r in conn.execute("SELECT amount FROM income")}
    conn.close()
    assert "1.00" not in amounts and amounts == {format(i.amount, "f") for i in demo_report.incomes}


def test_our_own_files_of_every_version_match(tmp_path, demo_report):
    path = tmp_path / "ok.yibao"
    Document.create(path, demo_report).close()
    conn = sqlite3.connect(path)
    assert structure.problem(conn, SCHEMA_VERSION) is None
    assert structure.problem(conn, 1) is not None
    conn.close()
    conn = sqlite3.connect(DATA / "report-v1.yibao")
    assert structure.problem(conn, 1) is None
    conn.close()


def test_an_upgraded_file_has_exactly_the_schema_of_a_new_one():
    fresh, *upgraded = [structure._build(SCHEMA_VERSION, start) for start in (None, *structure.HISTORIC_SCHEMAS)]
    assert all(variant == fresh for variant in upgraded)


def test_tokens_ignore_layout_but_not_meaning():
    assert structure.tokens('CREATE TABLE "kv" (\n  a TEXT -- note\n)') == structure.tokens("create table kv (a text)")
    assert structure.tokens("CHECK (side IN ('income'))") != structure.tokens("CHECK (side IN ('INCOME'))")
