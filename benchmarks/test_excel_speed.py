"""Speed goals of the Excel exchange (issue 5). Run with `make bench`; figures go in the issue note.

- importing 10,000 expenditure rows: ≤ 2 s median, next to a bare openpyxl read-only read of the
  same file in the same run (the floor any importer pays);
- exporting both official forms for the large report (500 indicators): ≤ 1 s.
"""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from yibao_desktop.domain.report import Report
from yibao_desktop.exchange.excel.write import forms_workbook
from yibao_desktop.exchange.excel.read import plan_import
from yibao_desktop.services.export import official_forms

ROWS = 10_000


@pytest.fixture(scope="session")
def expenditure_book(tmp_path_factory):
    """A finance-office style list: a title, a unit caption, 10,000 lines, a total and a note."""
    wb = Workbook()
    ws = wb.active
    ws.title = "支出台账"
    ws.append(["2025年医疗保障服务能力建设资金支出台账"])
    ws.append(["单位：元"])
    ws.append(["序号", "项目名称", "支出方向", "经济科目", "资金类别", "预算金额", "支付金额", "支付日期"])
    directions = ["医保信息化标准化", "基金监管", "经办管理体系建设", "支付方式改革", "宣传培训"]
    for i in range(ROWS):
        paid = 100 + (i * 37) % 200000 + (i % 100) / 100
        ws.append([i + 1, f"项目{i // 3:04d}", directions[i % 5], "购买服务", "当年下达" if i % 7 else "上年结转",
                   paid, paid, date(2025, 1, 1) + timedelta(days=i % 360)])
        ws.cell(ws.max_row, 8).number_format = "yyyy-mm-dd"
    ws.append([None, "合计"])
    ws.append([])
    ws.append(["注：数据来源于财务系统"])
    path = tmp_path_factory.mktemp("bench") / "expenditures.xlsx"
    wb.save(path)
    return path


def test_bare_openpyxl_read_10k(benchmark, expenditure_book):
    def read():
        wb = load_workbook(expenditure_book, read_only=True, data_only=True)
        rows = list(wb.active.iter_rows(values_only=True))
        wb.close()
        return rows

    assert len(benchmark(read)) == ROWS + 6


def test_import_10k_expenditures(benchmark, expenditure_book):
    plan = benchmark(plan_import, Report(), expenditure_book)
    assert plan.ok and len(plan.report.expenditures) == ROWS
    assert plan.report.expenditures[1].paid == Decimal("137.01")


def test_export_both_forms_large(benchmark, large):
    def export():
        buf = io.BytesIO()
        forms_workbook(official_forms(large)).save(buf)
        return buf

    assert benchmark(export).getbuffer().nbytes > 0
