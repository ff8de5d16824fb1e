"""The data workbook: its shape, and report -> workbook -> report is the identity."""

import os
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from tests import strategies
from tests.factories import dangshan_report
from yibao_desktop.domain.edits import SetField, apply_edits
from yibao_desktop.domain.report import Basis, FundOperation, FundOpLine, Income, Indicator, Report, Section
from yibao_desktop.exchange.excel.data import build_data_workbook, export_data_workbook
from yibao_desktop.exchange.excel.read import plan_import

# Meta.title "" and None both mean "the default title"; a blank cell is read as None.
reports = strategies.reports.filter(lambda r: r.meta.title != "")


def _round_trip(report, path, base=Report()):
    export_data_workbook(report, path)
    plan = plan_import(base, path)
    assert plan.ok, [str(p) for p in plan.problems]
    return plan


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(report=reports, base=st.sampled_from([Report(), dangshan_report()]))
def test_round_trip_is_lossless(tmp_path, report, base):
    plan = _round_trip(report, tmp_path / "data.xlsx", base)
    assert plan.report == report
    assert apply_edits(base, list(plan.edits))[0] == report  # the edits do what the plan says


WEIRD = [" a ", "=SUM(A1)", "+1", "_x0041_", "_x005F_", "a\x0bb", "x\r\ny", "\t", "", "0012", "TRUE",
         "#N/A", "—", "合计", "注：见附件", "  ", "\n", "2024-03-01", "12万元", "'quoted", "😀"]


def test_a_noncharacter_comes_back_as_its_excel_escape(tmp_path):
    """The one round-trip loss since the import reads with calamine: the Unicode noncharacters
    U+FFFE and U+FFFF cannot stand in XML, Excel's escape _xFFFE_ carries them, and calamine
    decodes escapes below U+D800 only. Text typed by people never holds them."""
    report = replace(dangshan_report(), narrative=(Section(key="k", heading="h", text="a\ufffeb"),))
    assert _round_trip(report, tmp_path / "nonchar.xlsx").report.narrative[0].text == "a_xFFFE_b"


def test_round_trip_edge_values(tmp_path):
    report = dangshan_report()
    report = replace(
        report,
        meta=replace(report.meta, title="标题", competent_dept="\x01", basis=(Basis("", ""), Basis("=1", "_x005F_"))),
        narrative=tuple(Section(key=w, heading=w, text=w) for w in WEIRD),
        indicators=tuple(Indicator(level1=w, level2=w, name=w, target_text=w, unit=w, override_reason=w,
                                   weight=D("1234567890123456.78"), actual=D("-0"), target=D("1E-9"),
                                   numerator=D("123456789012345678901234567890"), denominator=D("0.1"),
                                   baseline=D("9.99999999999999")) for w in WEIRD),
        incomes=(Income(amount=D("-0.01"), date=date(1990, 1, 1)), Income(amount=D("9999999999999.99"))),
        fund_operation=FundOperation(income=(FundOpLine(category="", actual=D("0")),), insured_persons=0),
        scoring=replace(report.scoring, level1_weights=(), grade_labels=("A", "B", "C", "D")),
    )
    assert _round_trip(report, tmp_path / "edge.xlsx").report == report


def test_demo_round_trip_and_no_change_means_no_edits(tmp_path, demo_report):
    plan = _round_trip(demo_report, tmp_path / "demo.xlsx", demo_report)
    assert plan.report == demo_report
    assert plan.edits == () and "没有需要修改" in plan.summary()


def test_shape_headers_validation_and_frozen_panes(tmp_path, demo_report):
    wb = load_workbook(export_data_workbook(demo_report, tmp_path / "d.xlsx"))
    assert wb.sheetnames[:4] == ["资金来源", "支出明细", "绩效指标", "报告文字"]
    assert set(wb.sheetnames[4:]) == {"报告信息", "依据文件", "一级指标权重", "基金运行"}
    lists = {}
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            for rng in dv.sqref.ranges:
                lists[(ws.title, ws.cell(1, rng.min_col).value)] = (dv.formula1, dv.showErrorMessage)
    assert lists[("资金来源", "级次")] == ('"中央,省级,市级,县级,其他"', True)
    assert lists[("资金来源", "类别")] == ('"上年结转,当年下达,本级配套,其他"', True)
    assert lists[("支出明细", "资金类别")] == ('"上年结转,当年下达"', True)
    assert lists[("绩效指标", "指标性质")] == ('"≥,>,=,≤,<,定性"', True)
    assert lists[("绩效指标", "评级")] == ('"达成,部分达成,未达成"', True)
    assert lists[("支出明细", "支出方向")][1] is False  # template directions suggested, other text allowed
    expenditures = wb["支出明细"]
    assert [c.value for c in expenditures[1]] == ["序号", "项目名称", "支出方向", "经济科目", "资金类别", "预算金额（元）",
                                                  "支付金额（元）", "支付日期", "资金级次", "退回"]
    assert expenditures.freeze_panes == "B2" and wb["绩效指标"].freeze_panes == "E2"
    assert expenditures["G2"].number_format == "#,##0.00" and expenditures["H2"].number_format == "yyyy-mm-dd"
    assert isinstance(expenditures["G2"].value, (int, float))  # amounts are numbers Excel can add up


def test_user_edit_in_excel_becomes_one_change(tmp_path, demo_report):
    path = export_data_workbook(demo_report, tmp_path / "d.xlsx")
    wb = load_workbook(path)
    wb["支出明细"]["G3"] = 12345.6  # the second line's payment
    wb["绩效指标"]["J2"] = "95%"  # the first indicator's actual, typed as text
    wb.save(path)
    plan = plan_import(demo_report, path)
    assert plan.ok
    assert set(plan.edits) == {SetField("expenditures", 1, "paid", D("12345.60")),
                               SetField("indicators", 0, "actual", D("95"))}
    assert "支出明细：修改 1 行" in plan.summary() and "绩效指标：修改 1 行" in plan.summary()


def test_data_workbook_problems(tmp_path, demo_report):
    path = export_data_workbook(demo_report, tmp_path / "d.xlsx")
    wb = load_workbook(path)
    wb["支出明细"].delete_cols(8)  # 支付日期
    wb["资金来源"]["B2"] = "国家级"
    info = wb["报告信息"]
    fo_row = next(r for r in range(1, info.max_row + 1) if info.cell(r, 1).value == "基金运行情况")
    info.cell(fo_row, 2).value = "无"
    wb["基金运行"].append([1, "收入", "个人缴费", None, 100])
    wb.save(path)
    plan = plan_import(demo_report, path)
    assert not plan.ok and plan.edits == () and plan.report is demo_report
    reasons = {(p.sheet, p.row, p.column): p.reason for p in plan.problems}
    assert "缺少列：支付日期" in reasons[("支出明细", 1, None)]
    assert "不是可选值" in reasons[("资金来源", 2, "B")]
    assert "「基金运行情况」填的是「无」" in reasons[("报告信息", None, None)]


def test_resaved_by_another_program_imports_the_same(tmp_path, demo_report):
    """Users edit the workbook in Excel/WPS. Where LibreOffice is installed it re-saves the file
    (another writer: its own shared strings, styles, number formats); elsewhere openpyxl in normal
    mode does. Either way the import gives back the report."""
    report = replace(demo_report, narrative=demo_report.narrative + (Section("x", " 空格 ", "=不是公式"),))
    path = export_data_workbook(report, tmp_path / "d.xlsx")
    if shutil.which("soffice"):
        out = tmp_path / "resaved"
        profile = tmp_path / "profile"
        subprocess.run([shutil.which("soffice"), f"-env:UserInstallation=file://{profile}", "--headless",
                        "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(path)],
                       check=True, capture_output=True, timeout=120, env={**os.environ, "HOME": str(tmp_path)})
        resaved = out / "d.xlsx"
    else:
        resaved = tmp_path / "resaved.xlsx"
        load_workbook(path).save(resaved)
    plan = plan_import(Report(), resaved)
    assert plan.ok and plan.report == report


def test_too_long_text_is_refused_with_its_place(demo_report):
    from yibao_desktop.domain.errors import UserError

    report = replace(demo_report, narrative=(Section("goals", "一", "字" * 40000),))
    with pytest.raises(UserError, match="报告文字.*32767"):
        build_data_workbook(report)


def test_every_model_field_has_a_place_in_the_workbook():
    """A field added to the model must get a column or a 报告信息 row (or the round trip loses it)."""
    from dataclasses import fields

    from yibao_desktop.domain.report import Expenditure, FundOpLine, Meta, Previous, Scoring
    from yibao_desktop.exchange.excel.schema import (BASIS, EXPENDITURES, FUND_LINES, INCOMES, INDICATORS, INFO_ROWS,
                                                     NARRATIVE)

    def names(cls):
        return {f.name for f in fields(cls)}

    def columns(table):
        return {c.field for c in table.data_columns}

    info = {row.target for row in INFO_ROWS}
    assert names(Income) == columns(INCOMES) and names(Expenditure) == columns(EXPENDITURES)
    # 佐证材料 are files: the workbook cannot carry them, and imports keep them (test_import)
    assert names(Indicator) - {"evidence"} == columns(INDICATORS) and names(Section) == columns(NARRATIVE)
    assert names(Basis) == columns(BASIS) and names(FundOpLine) == columns(FUND_LINES) - {"side"}
    assert {f"meta.{n}" for n in names(Meta) - {"basis", "previous"}} <= info
    assert {f"previous.{n}" for n in names(Previous)} <= info
    assert {f"scoring.{n}" for n in names(Scoring) - {"level1_weights", "grade_labels"}} <= info
    assert {f"fund_operation.{n}" for n in names(FundOperation) - {"income", "expense"}} <= info
