import hashlib
import os
import shutil
import sqlite3
import zipfile
from dataclasses import replace
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import DATA
from tests.strategies import reports
from yibao_desktop.domain.errors import DocumentError
from yibao_desktop.domain.edits import DeleteRow, InsertRow, MoveRow, SetField
from yibao_desktop.domain.report import Expenditure, FundOperation, FundOpLine, Section
from yibao_desktop.storage import db
from yibao_desktop.storage.migrations import SCHEMA_VERSION
from yibao_desktop.storage.repository import Document


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def doc_path(tmp_path, demo_report):
    path = tmp_path / "示例.yibao"
    Document.create(path, demo_report).close()
    return path


def test_file_identity_and_pragmas(doc_path):
    conn = sqlite3.connect(doc_path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == db.APPLICATION_ID
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
    with Document.open(doc_path) as doc:
        assert doc.conn.execute("PRAGMA synchronous").fetchone()[0] == 3  # EXTRA: the folder is synced too
        assert doc.conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert doc.conn.execute("PRAGMA trusted_schema").fetchone()[0] == 0


def test_create_and_reopen_is_lossless(doc_path, demo_report):
    with Document.open(doc_path) as doc:
        assert doc.report == demo_report


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(report=reports)
def test_any_report_survives_the_file(tmp_path, report):
    path = tmp_path / "r.yibao"
    Document.create(path, report, overwrite=True).close()
    with Document.open(path) as doc:
        assert doc.report == report


def test_every_edit_is_written_through_and_undoable(doc_path, demo_report):
    doc = Document.open(doc_path)
    undo1 = doc.apply([SetField("indicators", 2, "actual", D("12.5"))])
    undo2 = doc.apply([InsertRow("expenditures", 0, Expenditure(project="新增", paid=D("10.00"),
                                                                 paid_on=date(2025, 5, 1)))])
    undo3 = doc.apply([MoveRow("incomes", 0, 2), DeleteRow("narrative", 1),
                       SetField("meta", None, "unit", "改名县医疗保障局"),
                       SetField("scoring", None, "level1_weights", (("产出指标", D("60")),))])
    doc.close()
    with Document.open(doc_path) as reopened:
        assert reopened.report.indicators[2].actual == D("12.5")
        assert reopened.report.expenditures[0].project == "新增"
        assert reopened.report.meta.unit == "改名县医疗保障局"
        assert reopened.report.scoring.level1_weights == (("产出指标", D("60")),)
        assert reopened.report.incomes[2] == demo_report.incomes[0]
        for undo in (undo3, undo2, undo1):
            reopened.apply(undo)
        assert reopened.report == demo_report
    with Document.open(doc_path) as again:
        assert again.report == demo_report


def test_fund_operation_block_on_off_and_lines(doc_path):
    doc = Document.open(doc_path)
    undo = doc.apply([SetField("root", None, "fund_operation", FundOperation())])
    doc.apply([InsertRow("fund_operation.income", 0, FundOpLine("个人缴费", None, D("5.00"))),
               InsertRow("fund_operation.expense", 0, FundOpLine("住院", None, D("3.00"))),
               SetField("fund_operation", None, "closing_balance", D("100.00"))])
    doc.close()
    with Document.open(doc_path) as reopened:
        fo = reopened.report.fund_operation
        assert fo.income[0].category == "个人缴费" and fo.expense[0].actual == D("3.00")
        assert fo.closing_balance == D("100.00")
        reopened.apply(undo)
    with Document.open(doc_path) as again:
        assert again.report.fund_operation is None


def test_audit_records_field_old_and_new(doc_path):
    with Document.open(doc_path) as doc:
        old = doc.report.indicators[0].deviation_reason
        doc.apply([SetField("indicators", 0, "deviation_reason", "新的原因")])
        entry = doc.audit(1)[0]
    assert entry["target"] == "indicators[0]" and entry["field"] == "deviation_reason"
    assert entry["old"] == old and entry["new"] == "新的原因"
    assert entry["at"][:4].isdigit()


def test_failed_edit_changes_nothing(doc_path, demo_report):
    with Document.open(doc_path) as doc:
        with pytest.raises(Exception):
            doc.apply([SetField("indicators", 0, "actual", D("1")), SetField("indicators", 999, "actual", D("1"))])
        assert doc.report == demo_report
    with Document.open(doc_path) as doc:
        assert doc.report == demo_report


def test_save_as_uses_a_complete_copy_and_continues_there(doc_path, tmp_path):
    doc = Document.open(doc_path)
    target = tmp_path / "另存.yibao"
    doc.save_as(target)
    doc.apply([SetField("meta", None, "unit", "另存后修改")])
    doc.close()
    with Document.open(target) as copy:
        assert copy.report.meta.unit == "另存后修改"
    with Document.open(doc_path) as original:
        assert original.report.meta.unit != "另存后修改"


def test_create_refuses_to_overwrite(doc_path, demo_report):
    with pytest.raises(DocumentError, match="已存在"):
        Document.create(doc_path, demo_report)


# ------------------------------------------------------------------------------ bad files


def _other_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()


def _docx(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")


@pytest.mark.parametrize("make, words", [
    (_other_sqlite, "SQLite 数据库，但不是"),
    (_docx, "Office 文档"),
    (lambda p: p.write_bytes(os.urandom(5000)), "不是医保绩效自评报告文件"),
    (lambda p: p.write_bytes(b""), "空文件"),
    (lambda p: p.write_bytes(b"%PDF-1.7\n" + b"x" * 200), "PDF"),
    (lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\x00" * 20), "不完整"),
])
def test_foreign_files_are_refused_and_untouched(tmp_path, make, words):
    path = tmp_path / "别的文件.yibao"
    make(path)
    before = sha(path)
    with pytest.raises(DocumentError, match=words):
        Document.open(path)
    assert sha(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["别的文件.yibao"]


def test_truncated_copy_is_refused_untouched(doc_path, tmp_path):
    truncated = tmp_path / "截断.yibao"
    data = doc_path.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    before = sha(truncated)
    with pytest.raises(DocumentError, match="不完整"):
        Document.open(truncated)
    assert sha(truncated) == before
    assert not (tmp_path / "截断.yibao-journal").exists()


def test_corrupt_page_is_refused(doc_path):
    data = bytearray(doc_path.read_bytes())
    page = db.read_header(doc_path).page_size
    data[page * 2: page * 2 + 200] = os.urandom(200)
    doc_path.write_bytes(bytes(data))
    with pytest.raises(DocumentError, match="损坏"):
        Document.open(doc_path)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(DocumentError, match="不存在"):
        Document.open(tmp_path / "没有.yibao")
    with pytest.raises(DocumentError, match="文件夹"):
        Document.open(tmp_path)


def test_too_new_file_is_refused_with_its_version(doc_path):
    conn = sqlite3.connect(doc_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.commit()
    conn.close()
    before = sha(doc_path)
    with pytest.raises(DocumentError) as info:
        Document.open(doc_path)
    assert f"文件格式版本 {SCHEMA_VERSION + 5}" in str(info.value) and "升级" in str(info.value)
    assert sha(doc_path) == before


# ------------------------------------------------------------------------------ migrations


def test_v1_file_is_upgraded_after_a_backup(tmp_path, old_demo_report):
    path = tmp_path / "旧版.yibao"
    shutil.copy(DATA / "report-v1.yibao", path)
    original = sha(path)
    with Document.open(path) as doc:
        assert doc.migrated_from == 1
        assert doc.report == old_demo_report
        doc.apply([SetField("indicators", 0, "baseline", D("50.5"))])
    backup = tmp_path / "旧版.yibao.v1.bak"
    assert backup.exists() and sha(backup) == original
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()
    with Document.open(path) as doc:
        assert doc.migrated_from is None and doc.report.indicators[0].baseline == D("50.5")


def test_v1_file_opened_read_only_is_never_modified(tmp_path, old_demo_report):
    path = tmp_path / "上年.yibao"
    shutil.copy(DATA / "report-v1.yibao", path)
    original = sha(path)
    with Document.open(path, read_only=True) as doc:
        assert doc.report == old_demo_report
        with pytest.raises(DocumentError, match="只读"):
            doc.apply([SetField("meta", None, "unit", "x")])
    assert sha(path) == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["上年.yibao"]


def test_unwritable_file_opens_read_only(doc_path, monkeypatch):
    # Simulated with os.access because CI runs as root, where chmod does not stop writes.
    monkeypatch.setattr(os, "access", lambda path, mode: mode != os.W_OK)
    with Document.open(doc_path) as doc:
        assert doc.read_only
        with pytest.raises(DocumentError, match="只读"):
            doc.apply([SetField("meta", None, "unit", "x")])


def test_write_failure_keeps_memory_and_file_consistent(doc_path, demo_report, monkeypatch):
    doc = Document.open(doc_path)
    doc.conn.close()
    doc.conn = sqlite3.connect(f"{doc_path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    doc._tx = db.Transactions(doc.conn, doc_path.name)
    with pytest.raises(DocumentError, match="只读"):
        doc.apply([SetField("narrative", 0, "text", "改动")])
    assert doc.report == demo_report
    doc.close()


def test_narrative_rows_keep_their_order(doc_path):
    with Document.open(doc_path) as doc:
        n = len(doc.report.narrative)
        doc.apply([InsertRow("narrative", n, Section("extra", "六、附加说明", "正文"))])
        doc.apply([MoveRow("narrative", n, 0)])
    with Document.open(doc_path) as doc:
        assert doc.report.narrative[0].key == "extra"
        assert len(doc.report.narrative) == n + 1


def test_replace_report(doc_path, demo_report):
    with Document.open(doc_path) as doc:
        other = replace(demo_report, expenditures=demo_report.expenditures[:2])
        previous = doc.replace_report(other)
        assert previous == demo_report
    with Document.open(doc_path) as doc:
        assert doc.report == other


def test_disk_full_keeps_memory_and_file_unchanged(doc_path, demo_report):
    # SQLite's max_page_count makes the database "full" exactly like a full USB stick does.
    with Document.open(doc_path) as doc:
        pages = doc.conn.execute("PRAGMA page_count").fetchone()[0]
        doc.conn.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(DocumentError, match="磁盘空间已满"):
            doc.apply([SetField("narrative", 0, "text", "很长的正文" * 20000)])
        assert doc.report == demo_report
    with Document.open(doc_path) as doc:
        assert doc.report == demo_report


def test_file_removed_while_open_gives_a_clear_message(tmp_path, demo_report):
    path = tmp_path / "u盘.yibao"
    doc = Document.create(path, demo_report)
    path.unlink()
    with pytest.raises(DocumentError):
        doc.save_as(tmp_path / "不存在的目录" / "x.yibao")
    doc.close()


@pytest.mark.parametrize("name", ["report-v2.yibao", "report-v3.yibao"])
def test_every_older_version_upgrades_to_the_current_one(tmp_path, name, demo_report, old_demo_report):
    """v2 predates the level of expenditure lines; v3 predates 佐证材料 and refunds."""
    path = tmp_path / name
    shutil.copy(DATA / name, path)
    with Document.open(path) as doc:
        assert doc.report == (old_demo_report if name == "report-v2.yibao" else demo_report)
        assert doc.migrated_from == int(name[8]) and doc.backup_path.exists()
    assert db.read_header(path).user_version == SCHEMA_VERSION


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(gaps=st.lists(st.integers(min_value=0, max_value=3), min_size=40, max_size=120))
def test_a_long_run_of_insertions_is_applied_as_one_after_the_other(tmp_path_factory, demo_report, gaps):
    """An import's new rows (InsertRows at ascending positions, written in one pass): the same
    rows, file, audit rows and undo as inserting them one at a time."""
    from yibao_desktop.domain.edits import apply_edits
    from yibao_desktop.storage.repository import BULK_INSERTS

    path = tmp_path_factory.mktemp("bulk") / "a.yibao"
    Document.create(path, demo_report).close()
    edits, pos = [], 0
    for k, gap in enumerate(gaps):  # between insertions, `gap` rows of the report stay in place
        pos = min(pos + gap, len(demo_report.expenditures) + k)
        edits.append(InsertRow("expenditures", pos, Expenditure(project=f"新{k}", paid=D(k), paid_on=date(2025, 5, 1))))
        pos += 1
    edits.append(SetField("meta", None, "unit", "改名县医疗保障局"))
    assert len(edits) > BULK_INSERTS
    expected, expected_undo = apply_edits(demo_report, edits)
    with Document.open(path) as doc:
        undo = doc.apply(edits)
        assert doc.report == expected and undo == expected_undo
        inserted = [a["target"] for a in doc.audit() if a["field"] == "插入行"]
        assert inserted == [f"expenditures[{e.index}]" for e in reversed(edits[:-1])]
    with Document.open(path) as again:
        assert again.report == expected
        redo = again.apply(undo)  # the undo deletes the rows again, in one pass too
        assert again.report == demo_report
        assert redo == edits
        deleted = [a["target"] for a in again.audit() if a["field"] == "删除行"]
        assert deleted == [f"expenditures[{e.index}]" for e in edits[:-1]]
    with Document.open(path) as undone:
        assert undone.report == demo_report
