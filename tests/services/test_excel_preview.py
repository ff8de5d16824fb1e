"""What the import preview shows: every row of a list as an import leaves it, the rows it deletes
kept where they were (services.excel.row_changes)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

from openpyxl import Workbook

from yibao_desktop.domain.edits import apply_edits
from yibao_desktop.services.excel import CHANGED, DELETED, KEPT, NEW, plan_import, row_changes


def book(path, rows):
    wb = Workbook()
    ws = wb.active
    ws.title = "支出明细"
    ws.append(["项目名称", "支出方向", "经济科目", "资金类别", "预算金额（元）", "支付金额（元）", "支付日期", "资金级次"])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def as_sheet(e):
    return [e.project, e.direction, e.econ_class, e.pool, e.budget and str(e.budget), str(e.paid),
            e.paid_on.isoformat() if e.paid_on else None, e.level]


def test_append_marks_the_new_rows_and_a_row_imported_twice(tmp_path, demo_report):
    old = demo_report.expenditures
    path = book(tmp_path / "a.xlsx", [as_sheet(old[3]), ["新项目", "基金监管", "购买服务", "当年下达", None, "100", "2025-06-01", None]])
    plan = plan_import(demo_report, path)
    changes = row_changes(plan, "expenditures")
    assert [c.status for c in changes] == [KEPT] * len(old) + [NEW, NEW]
    assert [c.row for c in changes] == list(plan.report.expenditures)
    assert changes[-2].same_as == 3 and changes[-1].same_as is None  # the same line as row 4


def test_replace_keeps_the_deleted_rows_in_place_and_marked(tmp_path, demo_report):
    old = demo_report.expenditures
    first = replace(old[0], paid=old[0].paid + D("1"))
    path = book(tmp_path / "r.xlsx", [as_sheet(first), as_sheet(old[1])])
    plan = plan_import(demo_report, path, mode="replace")
    changes = row_changes(plan, "expenditures")
    assert [c.status for c in changes] == [CHANGED, KEPT] + [DELETED] * (len(old) - 2)
    assert [c.row for c in changes if c.status != DELETED] == list(plan.report.expenditures)
    assert [c.row for c in changes if c.status == DELETED] == list(old[2:])  # the rows that go, in order
    assert [c.before for c in changes] == list(range(len(old)))
    assert apply_edits(demo_report, list(plan.edits))[0] == plan.report


def test_a_replaced_row_in_the_middle_is_one_changed_row(tmp_path, demo_report):
    old = demo_report.expenditures[:3]
    report = replace(demo_report, expenditures=old)
    middle = replace(old[1], project="改", direction="基金监管", econ_class="购买服务", pool="上年结转")
    plan = plan_import(report, book(tmp_path / "m.xlsx", [as_sheet(old[0]), as_sheet(middle), as_sheet(old[2])]),
                       mode="replace")
    assert [c.status for c in row_changes(plan, "expenditures")] == [KEPT, CHANGED, KEPT]
