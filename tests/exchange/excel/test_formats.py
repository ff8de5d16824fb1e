"""Workbook formats the import reads (issue 13 item 19): Excel 97-2003 .xls, .xlsx written by
another program (LibreOffice here; WPS writes the same format), and .ods, all through
python-calamine, with the number formats and formula errors read beside the values. The fixtures
in tests/data/workbooks are one workbook saved three ways (tests/data/make_workbooks.py)."""

from __future__ import annotations

import hashlib
import shutil
from decimal import Decimal as D
from pathlib import Path

import pytest

from tests.factories import dangshan_report
from yibao_desktop.cli import main
from yibao_desktop.domain.errors import UserError
from yibao_desktop.exchange.excel.files import read_book
from yibao_desktop.exchange.excel.lastyear import read_last_year
from yibao_desktop.exchange.excel.read import plan_import
from yibao_desktop.storage.repository import Document

BOOKS = Path(__file__).resolve().parents[2] / "data" / "workbooks"


def _plan(path: Path):
    plan = plan_import(dangshan_report(), path)
    return plan.result.rows, [str(p) for p in plan.problems], plan.notices


def test_the_fixtures_are_what_their_names_say():
    assert (BOOKS / "county.xls").read_bytes().startswith(b"\xd0\xcf\x11\xe0")  # OLE: a real .xls
    assert read_book(BOOKS / "county.xls").kind == "xls"
    assert read_book(BOOKS / "county.ods").kind == "ods"
    assert read_book(BOOKS / "county.xlsx").kind == "xlsx"


@pytest.mark.parametrize("suffix", ["xls", "ods"])
def test_xls_and_ods_import_exactly_as_the_xlsx(suffix):
    assert _plan(BOOKS / f"county.{suffix}") == _plan(BOOKS / "county.xlsx")


def test_what_the_formats_and_errors_mean_is_kept():
    rows, problems, notices = _plan(BOOKS / "county.xls")
    paid = [e.paid for e in rows["expenditures"]]
    # 支付金额 in 0.00"万元" cells under the caption 单位：元: 万元 figures, 1.2345万元 = 12,345 元.
    assert paid == [D("115000.00"), D("42500.00"), D("6000.00"), D("12345.00")]
    # A date cell, a serial number in a General cell, and text.
    assert [e.paid_on.isoformat() for e in rows["expenditures"]] == ["2025-03-01", "2025-04-01", "2025-05-20",
                                                                     "2025-06-30"]
    first, second = rows["indicators"][:2]
    assert first.actual == D("95.6") and second.actual == D("81.5")  # 0.956 in a 0.00% cell
    assert second.target_text == "90%" and second.target == D("90")  # the number 0.9 in a 0% cell
    assert problems == ["工作表「资金来源」第 3 行 E 列（金额），值「#DIV/0!」：单元格是公式错误值 #DIV/0!，请先修正公式"]
    assert "工作表「支出台账」第 8 行是合计行，已跳过" in notices


def test_the_name_does_not_matter_only_the_content(tmp_path):
    disguised = tmp_path / "county.xlsx"
    shutil.copyfile(BOOKS / "county.xls", disguised)
    assert _plan(disguised) == _plan(BOOKS / "county.xls")


def test_last_years_official_form_as_xls_gives_the_same_next_year():
    from_xls = read_last_year(BOOKS / "forms.xls")
    assert from_xls == read_last_year(BOOKS / "forms.xlsx")
    report, from_official = from_xls
    assert from_official and report.meta.year == 2026 and len(report.indicators) == 16


@pytest.mark.parametrize("cut", [0.5, 0.9])
def test_a_damaged_xls_is_refused_in_chinese_and_left_untouched(tmp_path, cut):
    data = (BOOKS / "county.xls").read_bytes()
    path = tmp_path / "damaged.xls"
    path.write_bytes(data[: int(len(data) * cut)])
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(UserError) as err:
        plan_import(dangshan_report(), path)
    assert "「damaged.xls」已损坏或不是有效的 Excel 97-2003 工作簿（.xls），无法读取" in str(err.value)
    assert "Error" not in str(err.value)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_an_xls_whose_records_are_scrambled_is_refused(tmp_path):
    data = bytearray((BOOKS / "county.xls").read_bytes())
    for k in range(1024, len(data) - 1024, 7):  # inside the Workbook stream, past the OLE header
        data[k] ^= 0x5A
    path = tmp_path / "scrambled.xls"
    path.write_bytes(bytes(data))
    with pytest.raises(UserError, match="已损坏或不是有效的 Excel 97-2003 工作簿"):
        plan_import(dangshan_report(), path)


def test_cli_imports_an_xls(tmp_path, capsys):
    doc = tmp_path / "r.yibao"
    Document.create(doc, dangshan_report()).close()
    assert main(["import-xlsx", str(doc), str(BOOKS / "county.xls"), "--sheet", "支出台账", "--mode", "replace"]) == 0
    with Document.open(doc) as reopened:
        assert [e.paid for e in reopened.report.expenditures][:2] == [D("115000.00"), D("42500.00")]


def test_next_year_service_and_cli_take_an_xls(tmp_path, capsys):
    from yibao_desktop.services.nextyear import next_year_report

    made = next_year_report(BOOKS / "forms.xls")
    assert made.from_excel and made.report == read_last_year(BOOKS / "forms.xlsx")[0]
    assert main(["next-year", str(BOOKS / "forms.xls"), str(tmp_path / "2026.yibao")]) == 0
    with Document.open(tmp_path / "2026.yibao") as doc:
        assert doc.report == made.report


@pytest.mark.parametrize("quirk", ["dimension", "no-references"])
def test_xlsx_with_the_quirks_of_other_writers(tmp_path, quirk):
    """WPS often declares the sheet's dimension as A1:A1 (openpyxl's read-only mode then saw one
    cell unless told to reset it), and some writers leave out the cell references."""
    import io
    import re
    import zipfile

    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "支出"
    for row in (["项目名称", "支付金额", "支付日期"], ["运维", 100, "2025-03-01"], ["宣传", 50.5, "2025-04-01"]):
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    change = {"dimension": lambda d: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:A1"/>', d),
              "no-references": lambda d: re.sub(rb' r="[A-Z]*[0-9]+"', b"", d)}[quirk]
    path = tmp_path / f"{quirk}.xlsx"
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w") as out:
        for item in src.infolist():
            data = src.read(item)
            out.writestr(item.filename, change(data) if item.filename == "xl/worksheets/sheet1.xml" else data)
    plan = plan_import(dangshan_report(), path, mode="replace")
    assert plan.ok
    assert [(e.project, e.paid) for e in plan.report.expenditures] == [("运维", D("100.00")), ("宣传", D("50.50"))]


def test_biff_reader_reads_biff8_and_leaves_excel_95_to_calamine():
    import struct

    from yibao_desktop.exchange.excel import biff

    cells = biff.read_cells((BOOKS / "county.xls").read_bytes(), lambda code: "%" in code or "万" in code)
    assert cells.sheets["绩效指标"].formats[(2, 6)] == "0.00%"
    assert cells.sheets["支出台账"].formats[(4, 5)] == '0.00"万元"'
    assert cells.sheets["资金来源"].errors == {(3, 5): "#DIV/0!"}
    excel95 = struct.pack("<HHHH", biff.BOF, 4, 0x0500, 0x0005) + struct.pack("<HH", biff.EOF, 0)
    assert biff._read_workbook_stream(excel95, lambda code: True) == biff.BookCells({}, False)
    with pytest.raises(biff.BiffError):
        biff._read_workbook_stream(b"\x00" * 64, lambda code: True)
