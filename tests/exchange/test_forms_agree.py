"""The official forms go into a package twice, as the PDF annex and as the xlsx. Both lay out the
same cell models (domain/forms.py); these tests read each rendering back and compare it with the
model, for the demo and every fixture report."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.test_compute_golden import fixture_reports
from yibao_desktop.domain import formatting as fmt
from yibao_desktop.domain.calc import compute
from yibao_desktop.domain.forms import TEXT_KINDS, Form
from yibao_desktop.exchange.excel.cells import decimal_from_float
from yibao_desktop.exchange.excel.files import unescape_text
from yibao_desktop.exchange.excel.write import TOP, forms_workbook
from yibao_desktop.exchange.pdf.report import build_pdf
from yibao_desktop.services.export import official_forms

REPORTS = list(fixture_reports())


def excel_display(value: object, number_format: str) -> str:
    """What Excel shows for the number formats the forms use (a cell is read back as saved)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return unescape_text(value)
    number = decimal_from_float(value) if isinstance(value, float) else Decimal(value)
    if number_format == "#,##0.00":
        return fmt.grouped(number)
    if number_format == "0.00%":
        return fmt.pct(number * 100)
    m = re.fullmatch(r'0(?:\.(0+))?(?:"([^"]*)")?', number_format)
    assert m, f"unexpected number format {number_format!r}"
    places = len(m.group(1) or "")
    return f"{fmt.grouped(number, places) if places else fmt.grouped(number, 0)}{m.group(2) or ''}".replace(",", "")


def _xlsx_cells(forms: list[Form]) -> dict[str, dict[tuple[int, int], str]]:
    buf = io.BytesIO()
    forms_workbook(forms).save(buf)
    wb = load_workbook(io.BytesIO(buf.getvalue()))
    out = {}
    for form in forms:
        ws = wb[form.title]
        out[form.key] = {(c.row, c.col): excel_display(ws.cell(c.row + TOP + 1, c.col + 1).value,
                                                        ws.cell(c.row + TOP + 1, c.col + 1).number_format)
                         for c in form.cells}
    return out


def _figures(text: str) -> set[str]:
    """Every figure-like token of extracted text (digits with separators, a sign, a unit or *)."""
    return set(re.findall(r"-?\d[\d,]*(?:\.\d+)?(?:%|\*|[^\s\d.,%*—]{1,3})?", text)) | set(
        re.findall(r"-?\d[\d,]*(?:\.\d+)?", text))


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("name,report", REPORTS, ids=[n for n, _ in REPORTS])
def test_the_xlsx_shows_exactly_the_form_cells(name, report):
    forms = official_forms(report)
    shown = _xlsx_cells(forms)
    for form in forms:
        for cell in form.cells:
            assert shown[form.key][(cell.row, cell.col)] == cell.display, (form.key, cell)


@pytest.mark.parametrize("name,report", REPORTS, ids=[n for n, _ in REPORTS])
def test_the_pdf_annex_shows_the_same_cells_in_the_same_order(name, report):
    result = compute(report)
    forms = official_forms(report, result)
    built = build_pdf(report, result, forms, draft=True, embed_json=False)
    pages = [page.extract_text() or "" for page in PdfReader(io.BytesIO(built.data)).pages]
    start = next(i for i, text in enumerate(pages) if _flat(text).startswith("附件1"))
    xlsx = _xlsx_cells(forms)
    raw = "\n".join(pages[start:])
    annex = _flat(raw)
    figures = _figures(raw)
    position = 0
    for form in forms:
        position = annex.index(_flat(form.title), position)
        for cell in sorted(form.cells, key=lambda c: (c.row, c.col)):
            text = _flat(cell.display)
            assert text == _flat(xlsx[form.key][(cell.row, cell.col)])
            if not text:
                continue
            if cell.numeric:  # a figure is printed whole, as one token: never cut, never padded
                assert cell.display in figures, (name, form.key, cell, cell.display)
            found = annex.find(text, position)
            if found < 0 and cell.row >= form.header_row and cell.kind in ("label", "head"):
                found = annex.find(text)  # a repeated header or a merged label printed on an earlier page
            assert found >= 0, (name, form.key, cell)
            if cell.row > form.header_row or cell.kind not in ("label", "head"):
                position = max(position, found)


def test_both_forms_name_the_fund_and_the_central_department_alike(demo_report):
    project, transfer = official_forms(demo_report)
    assert project.at(0, 2).text == "医疗服务与保障能力提升补助资金（医疗保障服务能力建设部分）"
    assert transfer.at(0, 2).text == "医疗服务与保障能力提升补助资金"
    assert transfer.at(1, 2).text == "国家医疗保障局"
    assert [transfer.at(r, 1).text for r in (5, 6, 7)] == ["其中：中央财政资金", "地方资金", "其他资金"]
    money = [c for form in (project, transfer) for c in form.cells if c.kind == "money"]
    assert money and all(c.kind not in TEXT_KINDS for c in money)


@pytest.mark.parametrize("name,report", REPORTS, ids=[n for n, _ in REPORTS])
def test_every_money_block_adds_up_as_printed(name, report):
    """万元 parts add up to the printed total (the demo once printed 42.65 + 18.01 under 60.67)."""
    project, transfer = official_forms(report)
    for col in (4, 5):  # 全年预算数, 全年执行数: 年度资金总额 = 当年财政拨款 + 上年结转资金
        total, parts = project.at(3, col), [project.at(r, col) for r in (4, 5)]
        assert total.value == sum(p.value for p in parts)
    labels = {}
    for r in range(5, 9):
        cell = transfer.at(r, 1)
        if cell is None or cell.kind != "label" or not cell.text:
            break  # the 资金管理情况 block begins
        labels[cell.text] = r
    additive = [r for label, r in labels.items() if "彩票公益金" not in label]
    assert len(additive) == 3  # 中央 + 地方 + 其他 (彩票公益金 is a 其中 row, not added)
    for col in (3, 4):  # 年度资金总额 = 中央 + 地方 + 其他
        total = transfer.at(4, col)
        parts = [transfer.at(r, col) for r in additive]
        assert total.value == sum((p.value for p in parts if p.value is not None), Decimal(0))
