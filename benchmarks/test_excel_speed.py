"""Speed goals of the Excel exchange (issue 5). Run with `make bench`; figures go in the issue note.

- importing 10,000 expenditure rows: ≤ 2 s median, next to a bare read of the same file in the
  same run by openpyxl's read-only mode (the reader until issue 13 item 19) and by python-calamine
  (the reader since);
- a sheet of 100,001 data rows, and one of 1,000,000 rows, refused within 5 s (asserted; issue 14
  item 8: a 1,000,000-row sheet took about 1 GB and more than 10 minutes);
- exporting both official forms for the large report (500 indicators): ≤ 1 s.
- merging an indicator sheet of 16,000 and of 60,000 rows into a report and writing it to the
  file (import-xlsx --mode merge): linear in rows (issue 14 item 8: 16,000 rows took 22 s and
  60,000 ran for minutes); goal ≤ 1.5 ms a row, asserted.
"""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from yibao_desktop.domain.report import Indicator, Report
from yibao_desktop.services.excel import import_into
from yibao_desktop.services.export import official_forms
from yibao_desktop.storage.repository import Document
from yibao_desktop.exchange.excel.write import forms_workbook
from yibao_desktop.exchange.excel.read import plan_import

ROWS = 10_000
MERGE_GOAL_PER_ROW = 0.0015  # seconds
LEVEL1 = ("产出指标", "效益指标", "满意度指标")


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


def test_bare_calamine_read_10k(benchmark, expenditure_book):
    from python_calamine import CalamineWorkbook

    def read():
        with CalamineWorkbook.from_path(str(expenditure_book)) as wb:
            return wb.get_sheet_by_index(0).to_python(skip_empty_area=False)

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


def _indicator_book(path, rows):
    """A county's target table grown to `rows` indicators over three 一级 and five 二级 groups."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("绩效指标")
    ws.append(["一级指标", "二级指标", "三级指标", "指标值", "分值", "实际完成值"])
    for i in range(rows):
        ws.append([LEVEL1[i % 3], f"二级{i % 5}", f"指标{i}", "≥90%", 0.001, 95])
    wb.save(path)
    return path


@pytest.mark.parametrize("rows", [16_000, 60_000])
def test_import_merge_indicators(benchmark, tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp(f"merge{rows}")
    book = _indicator_book(folder / "targets.xlsx", rows)
    base = Report(indicators=tuple(Indicator(level1=name, level2="二级0", name=f"原{name}", weight=Decimal(1))
                                   for name in LEVEL1))
    made = iter(range(10))

    def setup():
        path = folder / f"r{next(made)}.yibao"
        return (Document.create(path, base),), {}

    def run(doc):
        plan = import_into(doc, book, mode="merge")
        doc.close()
        return plan

    plan = benchmark.pedantic(run, setup=setup, rounds=3, iterations=1)
    assert len(plan.report.indicators) == rows + 3
    assert benchmark.stats.stats.median < MERGE_GOAL_PER_ROW * rows


REFUSAL_GOAL = 5.0  # seconds


@pytest.mark.parametrize("rows", [100_001, 1_000_000])
def test_refuse_a_too_long_sheet(benchmark, tmp_path_factory, rows):
    from tests.exchange.excel.test_bounded import long_sheet
    from yibao_desktop.domain.errors import UserError

    book = long_sheet(tmp_path_factory.mktemp(f"long{rows}") / "long.xlsx", rows)

    def run():
        try:
            plan_import(Report(), book)
        except UserError as err:
            return str(err)
        return ""

    message = benchmark.pedantic(run, rounds=3, iterations=1)
    assert "有超过 100,000 行数据" in message
    assert benchmark.stats.stats.max < REFUSAL_GOAL
