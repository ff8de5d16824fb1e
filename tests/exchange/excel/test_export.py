"""The official tables: layout (merges, print setup, fonts, borders) and every figure against compute."""

import os
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from benchmarks.generate import large_report
from tests.factories import dangshan_report
from yibao_desktop import paths
from yibao_desktop.domain import formatting as fmt
from yibao_desktop.domain.calc import compute
from yibao_desktop.domain.errors import UserError
from yibao_desktop.domain.forms import FORM_TITLES, FORMS, FUND_MANAGEMENT_ITEMS
from yibao_desktop.domain.report import Section
from yibao_desktop.exchange.excel.cells import decimal_from_float
from yibao_desktop.exchange.excel.write import forms_workbook
from yibao_desktop.services.excel import export_forms
from yibao_desktop.services.export import official_forms

PROJECT, TRANSFER = FORM_TITLES["project"], FORM_TITLES["transfer"]


def _number(cell):
    """A numeric cell's value as Decimal (Decimal in a built workbook, float once saved and read)."""
    assert isinstance(cell.value, (int, float, Decimal)), f"{cell.coordinate} is {cell.value!r}, not a number"
    return decimal_from_float(cell.value) if isinstance(cell.value, float) else Decimal(cell.value)


def build_forms_workbook(report, keys=FORMS):
    return forms_workbook(official_forms(report, None, keys))


def _wan(parts, total):
    """A block's figures in 万元 as the forms show them: the parts add up to the shown total."""
    shown, shown_total = fmt.parts(list(parts), total, "万元")
    return shown + [shown_total]


def _pct(percent):
    return percent / 100


@pytest.fixture
def demo_book(tmp_path, demo_report):
    path = export_forms(demo_report, tmp_path / "forms.xlsx")
    return load_workbook(path), compute(demo_report), demo_report


def _merged(ws):
    return {str(r) for r in ws.merged_cells.ranges}


def _level_runs(values, first_row, col):
    runs, start = [], 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            if i - 1 > start:
                runs.append(f"{col}{first_row + start}:{col}{first_row + i - 1}")
            start = i
    return runs


def test_both_forms_one_sheet_each(demo_book):
    wb, _, _ = demo_book
    assert wb.sheetnames == [PROJECT, TRANSFER]


def header_row(report, key):
    """The sheet row of the indicator header (the form's grid starts on row 3)."""
    return official_forms(report, None, (key,))[0].header_row + 3


@pytest.mark.parametrize("key, title, last_col", [("project", PROJECT, "I"), ("transfer", TRANSFER, "G")])
def test_print_setup(demo_book, key, title, last_col):
    ws = demo_book[0][title]
    header_row = globals()["header_row"](demo_book[2], key)
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0  # one page wide, any height
    assert ws.print_title_rows == f"${header_row}:${header_row}"
    assert ws.cell(header_row, 2).value == "一级指标"
    assert ws.print_area.endswith(f"!$A$1:${last_col}${ws.max_row}")


def test_project_form_layout(demo_book):
    wb, result, report = demo_book
    ws = wb[PROJECT]
    merged = _merged(ws)
    n = len(report.indicators)
    h = header_row(report, "project")
    last = h + n
    assert h == 13  # two paragraphs of 预期目标 / 实际完成情况: one row each
    assert {"A1:I1", "A2:I2", "A3:B3", "C3:I3", "A4:B4", "C4:E4", "F4:G4", "H4:I4", "A5:A9", "B5:C5", "B6:C6",
            "B9:C9", f"A10:A{h - 1}", "B10:E10", "F10:I10", "B11:E11", "F11:I11", f"A{h}:A{last}",
            f"A{last + 1}:F{last + 1}"} <= merged
    level1 = [i.level1 for i in report.indicators]
    assert set(_level_runs(level1, h + 1, "B")) <= merged
    for run in _level_runs(level1, h + 1, "B"):
        first, end = (int(x[1:]) for x in run.split(":"))
        level2 = [i.level2 for i in report.indicators[first - h - 1: end - h]]
        assert set(_level_runs(level2, first, "C")) <= merged
    assert ws["A1"].value == "项目支出绩效自评表" and ws["A1"].font.name == "宋体" and ws["A1"].font.b
    assert ws["A2"].value == f"（{report.meta.year}年度）"
    assert [ws.cell(h, c).value for c in range(2, 10)] == [
        "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
    assert [ws.cell(5, c).value for c in range(4, 10)] == ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率",
                                                         "得分"]
    body = ws.cell(h + 1, 4)
    assert body.font.name == "仿宋" and body.alignment.wrap_text
    for coordinate in ("A3", "I9", f"D{h + 1}", f"I{last}", f"H{last + 1}"):
        border = ws[coordinate].border
        assert {border.left.style, border.right.style, border.top.style, border.bottom.style} == {"thin"}
    assert ws[f"A{last + 3}"].value.startswith("项目负责人：")
    assert ws[f"A{last + 3}"].border.left.style is None  # the signature line sits below the table


def test_project_form_figures_are_compute_figures(demo_book):
    wb, result, report = demo_book
    ws = wb[PROJECT]
    funds, budget = result.funds, result.budget_execution
    allocated, carried, available = _wan((funds.allocated, funds.carried), funds.available)
    paid_allocated, paid_carried, paid = _wan((funds.paid_allocated, funds.paid_carried), funds.paid)
    expected = {
        "E6": available, "F6": paid, "G6": budget.weight, "H6": _pct(budget.rate), "I6": budget.score,
        "E7": allocated, "F7": paid_allocated, "H7": _pct(funds.progress_allocated),
        "E8": carried, "F8": paid_carried, "H8": _pct(funds.progress_carried),
    }
    for coordinate, value in expected.items():
        assert _number(ws[coordinate]) == value, coordinate
    assert _number(ws["E7"]) + _number(ws["E8"]) == _number(ws["E6"])  # the rows add up as printed
    for coordinate in ("E6", "F6", "E7", "F8"):
        assert ws[coordinate].number_format == "#,##0.00"
    for coordinate in ("H6", "H7", "H8"):
        assert ws[coordinate].number_format == "0.00%"
    assert ws["D6"].value is None and ws["E9"].value is None  # 年初预算数, 其他资金: not in the report
    h = header_row(report, "project")
    for offset, (ind, res) in enumerate(zip(report.indicators, result.indicators)):
        r = h + 1 + offset
        assert ws.cell(r, 4).value == ind.name
        assert ws.cell(r, 5).value == res.target_text
        assert _number(ws.cell(r, 7)) == res.weight
        assert _number(ws.cell(r, 8)) == res.score
        actual = ws.cell(r, 6)
        if res.qualitative:
            assert actual.value == (res.grade or "未评级")
        else:  # the value in the indicator's unit; the format shows it with the unit ("95.56%")
            assert _number(actual) == res.actual and f'"{res.unit}"' in actual.number_format
        assert (ws.cell(r, 9).value or "") == ind.deviation_reason
    total = h + 1 + len(report.indicators)
    assert _number(ws.cell(total, 8)) == result.total_score
    assert _number(ws.cell(total, 7)) == Decimal("100")
    assert ws.cell(total, 9).value == f"自评等级：{result.grade}"


def test_dangshan_figures(tmp_path):
    ws = build_forms_workbook(dangshan_report(), ["project"])[PROJECT]
    assert (_number(ws["E6"]), _number(ws["F6"]), _number(ws["H6"])) == (Decimal("60.09"), Decimal("19.71"),
                                                                        Decimal("0.328"))
    assert (_number(ws["E8"]), _number(ws["F8"]), _number(ws["H8"])) == (Decimal("0.09"), Decimal("0.09"), 1)
    assert ws["C3"].value == "医疗服务与保障能力提升补助资金（医疗保障服务能力建设部分）"
    assert _number(ws["H7"]) == Decimal("0.327")


def test_transfer_form_layout_and_figures(demo_book):
    wb, result, report = demo_book
    ws = wb[TRANSFER]
    merged = _merged(ws)
    h = header_row(report, "transfer")
    last = h + len(report.indicators)
    assert {"A1:G1", "A3:B3", "C3:G3", "A6:A10", "F6:G6", "A11:A18", "D11:E11", "F11:G11", f"A19:A{h - 1}",
            "B19:D19", "E19:G19", f"A{h}:A{last}"} <= merged
    assert [ws.cell(r, 2).value for r in range(12, 19)] == [label for label, _ in FUND_MANAGEMENT_ITEMS]
    assert [ws.cell(h, c).value for c in range(2, 8)] == ["一级指标", "二级指标", "三级指标", "指标值", "全年实际完成值",
                                                        "未完成原因和改进措施"]
    funds = result.funds
    sources = funds.by_source  # 中央财政资金 / 地方资金 / 其他资金, as the official form
    amounts = _wan([s.amount for s in sources], funds.available)
    paids = _wan([s.paid for s in sources], funds.paid)
    assert _number(ws["D7"]) == amounts[-1] and _number(ws["E7"]) == paids[-1]
    assert _number(ws["F7"]) == _pct(funds.progress) and ws["F7"].number_format == "0.00%"
    assert [ws[f"B{r}"].value for r in (8, 9, 10)] == ["其中：中央财政资金", "地方资金", "其他资金"]
    assert (_number(ws["D8"]), _number(ws["E8"])) == (amounts[0], paids[0])
    assert (_number(ws["D9"]), _number(ws["E9"])) == (amounts[1], paids[1])
    assert _number(ws["E8"]) + _number(ws["E9"]) == _number(ws["E7"])  # 42.65 + 18.01 = 60.66, not 60.67
    assert ws["D10"].value is None  # no income of level 其他
    assert ws["C4"].value == "国家医疗保障局" and ws["C3"].value == "医疗服务与保障能力提升补助资金"
    # The one 资金管理情况 section runs down the 情况说明 column of the seven rows, a paragraph a row.
    fund_management = next(s.text for s in report.narrative if s.key == "fund_management")
    paragraphs = [p.strip() for p in fund_management.split("\n") if p.strip()]
    assert [ws[f"D{12 + k}"].value for k in range(len(paragraphs))] == paragraphs
    assert ws.cell(h + 1, 4).value == report.indicators[0].name
    assert ws.max_column == 7  # no score columns in this form


def test_fund_management_items_and_live_fields(tmp_path, demo_report):
    sections = demo_report.narrative + (
        Section(key="fm_allocation", heading="", text="按因素法分配，支出进度{资金.支出进度}"),
        Section(key="fm_allocation_issues", heading="", text="无"),
        Section(key="fm_timeliness", heading="", text="收到资金后30日内下达"),
    )
    report = replace(demo_report, narrative=sections)
    ws = build_forms_workbook(report, ["transfer"])[TRANSFER]
    progress = compute(report).funds.progress
    assert ws["D12"].value == f"按因素法分配，支出进度{progress}%"
    assert ws["F12"].value == "无" and ws["D13"].value == "收到资金后30日内下达"
    assert ws["D14"].value is None and "D14:E14" in _merged(ws)


def test_texts_that_look_like_formulas_stay_text(tmp_path, demo_report):
    ind = replace(demo_report.indicators[0], name="=HYPERLINK(\"x\")", deviation_reason="a\x0bb")
    report = replace(demo_report, indicators=(ind,) + demo_report.indicators[1:])
    path = export_forms(report, tmp_path / "f.xlsx", ["project"])
    ws = load_workbook(path)[PROJECT]
    first = header_row(report, "project") + 1
    assert ws[f"D{first}"].data_type == "s" and ws[f"D{first}"].value == "=HYPERLINK(\"x\")"
    assert ws[f"I{first}"].value == "a_x000B_b"  # Excel's escape for a character XML cannot hold


def test_no_indicators_and_empty_report(tmp_path, demo_report):
    report = replace(demo_report, indicators=(), incomes=(), expenditures=())
    wb = build_forms_workbook(report)
    ws = wb[PROJECT]
    h = header_row(report, "project")
    assert ws[f"B{h + 1}"].value == "（未设置绩效指标）" and ws[f"A{h + 2}"].value == "总分"
    assert ws["H6"].value == "—"  # no money: no execution rate


def test_unknown_form_is_a_user_error(demo_report):
    with pytest.raises(UserError, match="未知的表格"):
        build_forms_workbook(demo_report, ["annual"])


def test_export_replaces_atomically_and_keeps_permissions(tmp_path, demo_report):
    out = tmp_path / "forms.xlsx"
    out.write_bytes(b"old")
    export_forms(demo_report, out)
    assert zipfile.is_zipfile(out)
    assert [p.name for p in tmp_path.iterdir()] == ["forms.xlsx"]  # no temporary file left
    if os.name == "posix":
        umask = os.umask(0)
        os.umask(umask)
        assert out.stat().st_mode & 0o777 == 0o666 & ~umask


def test_large_report_prints_with_the_header_on_every_page(tmp_path):
    report = large_report(n_indicators=120, n_lines=200)
    ws = build_forms_workbook(report, ["project"])[PROJECT]
    h = header_row(report, "project")
    assert ws.max_row == h + 120 + 3
    assert ws.print_title_rows == f"${h}:${h}"


# ------------------------------------------------------------------------------ rendering

def _render_pdf(xlsx, outdir):
    """Convert with LibreOffice, using the bundled CJK font (an isolated profile and font folder)."""
    home = outdir / "lohome"
    (home / ".fonts").mkdir(parents=True)
    shutil.copy(paths.fonts_dir() / "NotoSansSC-Regular.ttf", home / ".fonts")
    env = {**os.environ, "HOME": str(home)}
    subprocess.run([shutil.which("soffice"), f"-env:UserInstallation=file://{home}/profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(outdir), str(xlsx)],
                   check=True, capture_output=True, env=env, timeout=120)
    return outdir / (xlsx.stem + ".pdf")


def test_render_with_libreoffice_or_check_the_print_xml(tmp_path, demo_report):
    """Where LibreOffice is installed: every page is landscape A4, the table is one page wide (no
    page holds only the right-hand columns), and the continuation page repeats the header row.
    Elsewhere: the print settings are checked in the sheet XML itself, as Excel reads them."""
    report = replace(demo_report, indicators=demo_report.indicators * 3)
    xlsx = export_forms(report, tmp_path / "forms.xlsx", ["project"])
    if shutil.which("soffice"):
        from pypdf import PdfReader

        pdf = PdfReader(_render_pdf(xlsx, tmp_path))
        assert len(pdf.pages) >= 2
        texts = [page.extract_text() for page in pdf.pages]
        for page, text in zip(pdf.pages, texts):
            width, height = float(page.mediabox.width), float(page.mediabox.height)
            assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
            assert "三级指标" in text and "偏差原因分析及改进措施" in text  # the header row on every page
        assert "项目支出绩效自评表" in texts[0] and "76.50" in texts[0] and "79.30%" in texts[0]
        assert "自评等级" in texts[-1]
    else:
        with zipfile.ZipFile(xlsx) as z:
            sheet = z.read("xl/worksheets/sheet1.xml").decode()
            book = z.read("xl/workbook.xml").decode()
        setup = re.search(r"<pageSetup [^>]*>", sheet).group(0)
        for attr in ('orientation="landscape"', 'paperSize="9"', 'fitToWidth="1"', 'fitToHeight="0"'):
            assert attr in setup
        assert '<pageSetUpPr fitToPage="1"' in sheet
        h = header_row(report, "project")
        assert re.search(r'<definedName name="_xlnm.Print_Titles" localSheetId="0">[^<]*!\$' + str(h) + r':\$'
                         + str(h) + "<", book)
