"""Import of other people's sheets: fixtures built here with openpyxl, one per variant, each asserting
the parsed values or the listed problems."""

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal as D

import pytest
from openpyxl import Workbook

from tests.factories import dangshan_report
from yibao_desktop.domain.calc import compute
from yibao_desktop.domain.edits import InsertRow, SetField, apply_edits
from yibao_desktop.domain.errors import UserError
from yibao_desktop.domain.report import Expenditure, Income, Indicator, Report
from yibao_desktop.services.excel import export_forms
from yibao_desktop.exchange.excel.read import Problem, plan_import, read_workbook


def _book(path, sheets, formats=(), merges=()):
    """sheets: {title: [row, ...]}; formats: [(title, 'F6', '0.00%')]; merges: [(title, 'A4:A7')]."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    for title, ref, fmt in formats:
        wb[title][ref].number_format = fmt
    for title, ref in merges:
        wb[title].merge_cells(ref)
    wb.save(path)
    return path


# ------------------------------------------------------------------------------ indicator tables

TARGETS = [
    ["2024年度医疗保障能力建设绩效目标表"],
    [],
    ["一级指标", "二级指标", "指标名称", "权重", "目标值", "实际完成值", "偏差原因"],  # variants, odd order
    ["产出指标", "数量指标", "现场检查覆盖率", 6, "≥90%", "95.56%", None],  # 85% as text
    [None, None, "培训人次", "4分", "≥200人次", "236人次", None],  # unit suffixes
    [None, "质量指标", "电子医保凭证激活率", 8, "≥60%", 0.5609, "宣传不到位"],  # 0.5609 formatted as %
    [None, None, "法治建设", 4, "有所提升", "达成", None],  # 定性: the grade
    ["效益指标", "社会效益指标", "政策知晓率", "３０", "≥８５％", "８８．６％", None],  # full-width
    ["总分", None, None, 100, None, None, None],
    [],
    [],
    ["注：本表由县医疗保障局填报，2025年1月"],
    [None],
]


def test_indicator_table_variants(tmp_path):
    path = _book(tmp_path / "t.xlsx", {"目标表": TARGETS}, formats=[("目标表", "F6", "0.00%")],
                 merges=[("目标表", "A1:G1"), ("目标表", "A4:A7"), ("目标表", "B4:B5"), ("目标表", "B6:B7")])
    result = read_workbook(path)
    assert result.problems == ()
    assert result.rows["indicators"] == (
        Indicator(level1="产出指标", level2="数量指标", name="现场检查覆盖率", nature="≥", target=D("90"), unit="%",
                  target_text="≥90%", weight=D("6"), actual=D("95.56")),
        Indicator(level1="产出指标", level2="数量指标", name="培训人次", nature="≥", target=D("200"), unit="人次",
                  target_text="≥200人次", weight=D("4"), actual=D("236")),
        Indicator(level1="产出指标", level2="质量指标", name="电子医保凭证激活率", nature="≥", target=D("60"), unit="%",
                  target_text="≥60%", weight=D("8"), actual=D("56.09"), deviation_reason="宣传不到位"),
        Indicator(level1="产出指标", level2="质量指标", name="法治建设", nature="定性", target_text="有所提升",
                  weight=D("4"), grade="达成"),
        Indicator(level1="效益指标", level2="社会效益指标", name="政策知晓率", nature="≥", target=D("85"), unit="%",
                  target_text="≥８５％", weight=D("30"), actual=D("88.6")),  # the original target text is kept
    )
    table = result.tables[0]
    assert (table.sheet, table.kind, table.header_row) == ("目标表", "indicators", 3)
    assert any("第 9 行是合计行" in n for n in result.notices)
    assert any("第 12 行起是表格下方的说明文字" in n for n in result.notices)


def test_two_row_header_with_group_label_and_vertical_merges(tmp_path):
    rows = [
        ["绩效指标", None, None, "年度指标值", "分值", "实际完成值", "未完成原因和改进措施"],
        ["一级指标", "二级指标", "三级指标", None, None, None, None],
        ["满意度指标", "服务对象满意度指标", "参保人员满意度", "＞85%", 10, 91.2, None],
        ["产出指标", "时效指标", "平均办结时限", "≤5天", 4, 6, "人手不足"],
    ]
    merges = [("S", "A1:C1"), ("S", "D1:D2"), ("S", "E1:E2"), ("S", "F1:F2"), ("S", "G1:G2")]
    result = read_workbook(_book(tmp_path / "t.xlsx", {"S": rows}, merges=merges))
    assert result.problems == ()
    first, second = result.rows["indicators"]
    assert (first.level1, first.name, first.nature, first.target, first.unit, first.weight, first.actual) == (
        "满意度指标", "参保人员满意度", ">", D("85"), "%", D("10"), D("91.2"))
    assert (second.nature, second.target, second.unit, second.actual, second.deviation_reason) == (
        "≤", D("5"), "天", D("6"), "人手不足")


def test_percent_numbers_are_told_apart_by_their_format(tmp_path):
    rows = [["三级指标", "年度指标值", "实际完成值", "分值"],
            ["a", 0.9, 0.85, 5],  # both formatted as %: 90%, 85%
            ["b", "≥90%", 85, 5],  # a plain 85
            ["c", "≥90%", 0.85, 5]]  # a plain 0.85: kept as typed, with a notice
    path = _book(tmp_path / "t.xlsx", {"S": rows}, formats=[("S", "B2", "0%"), ("S", "C2", "0.0%")])
    result = read_workbook(path)
    a, b, c = result.rows["indicators"]
    assert (a.target_text, a.nature, a.target, a.unit, a.actual) == ("90%", "≥", D("90"), "%", D("85"))
    assert b.actual == D("85") and c.actual == D("0.85")
    assert any("第 4 行的百分比指标" in n for n in result.notices)


def test_indicator_problems_are_all_listed_with_their_place(tmp_path):
    rows = [["一级指标", "三级指标", "指标值", "分值", "实际完成值"],
            ["产出指标", "a", "≥90%", "十分", "约95%"],
            ["产出指标", None, "≥90%", 5, 95],
            ["产出指标", "c", "≥10个", 5, "12个"],
            ["产出指标", "d", "≥10个", 5, "12人"]]
    result = read_workbook(_book(tmp_path / "t.xlsx", {"目标": rows}))
    assert set(result.problems) == {
        Problem("目标", 2, "D", "分值", "十分", "无法识别的数值「十分」"),
        Problem("目标", 2, "E", "实际完成值", "约95%", "无法识别的数值「约95%」"),
        Problem("目标", 3, "B", "三级指标", "", "「三级指标」不能为空"),
        Problem("目标", 5, "E", "实际完成值", "12人", "无法识别的数值「12人」"),
    }
    assert str(result.problems[0]) == "工作表「目标」第 2 行 D 列（分值），值「十分」：无法识别的数值「十分」"


def test_merge_updates_only_filled_cells_and_adds_new_rows_to_their_group(tmp_path, demo_report):
    first, activation = demo_report.indicators[0], demo_report.indicators[5]
    rows = [["一级指标", "二级指标", "三级指标", "实际完成值", "偏差原因分析及改进措施"],
            [first.level1, first.level2, first.name, "99%", None],
            [activation.level1, activation.level2, activation.name, None, "新的说明"],
            [first.level1, first.level2, "新增指标", "3", None]]
    plan = plan_import(demo_report, _book(tmp_path / "t.xlsx", {"S": rows}))
    assert plan.ok and plan.mode["indicators"] == "merge"
    last_of_group = max(i for i, ind in enumerate(demo_report.indicators)
                        if (ind.level1, ind.level2) == (first.level1, first.level2))
    assert plan.edits == (
        SetField("indicators", 0, "actual", D("99")),
        SetField("indicators", 5, "deviation_reason", "新的说明"),
        InsertRow("indicators", last_of_group + 1, Indicator(level1=first.level1, level2=first.level2, name="新增指标",
                                                             actual=D("3"))),
    )
    assert apply_edits(demo_report, list(plan.edits))[0] == plan.report
    assert plan.report.indicators[0].target_text == first.target_text  # untouched cells keep their value
    assert "绩效指标：修改 2 行，新增 1 行" in plan.summary()


def test_merge_reports_a_row_given_twice(tmp_path, demo_report):
    name = demo_report.indicators[1].name
    rows = [["三级指标", "实际完成值"], [name, 1], [name, 2]]
    plan = plan_import(demo_report, _book(tmp_path / "t.xlsx", {"S": rows}))
    assert [p.reason for p in plan.problems] == ["与工作表「S」第 2 行是同一个指标，重复出现"]
    assert plan.edits == () and plan.report is demo_report


def test_replace_and_append_modes(tmp_path, demo_report):
    path = _book(tmp_path / "t.xlsx", {"S": [["三级指标", "分值"], ["x", 5]]})
    replaced = plan_import(demo_report, path, mode="replace")
    assert replaced.report.indicators == (Indicator(name="x", weight=D("5")),)
    appended = plan_import(demo_report, path, mode="append")
    assert appended.report.indicators == demo_report.indicators + (Indicator(name="x", weight=D("5")),)
    with pytest.raises(UserError, match="未知的导入方式"):
        plan_import(demo_report, path, mode="upsert")


def test_our_own_project_form_reads_back_as_an_indicator_table(tmp_path, demo_report):
    path = export_forms(demo_report, tmp_path / "forms.xlsx", ["project"])
    result = read_workbook(path)
    assert result.problems == ()
    rows = result.rows["indicators"]
    assert [(r.level1, r.level2, r.name, r.target_text, r.weight) for r in rows] == [
        (i.level1, i.level2, i.name, i.target_text, i.weight) for i in demo_report.indicators]
    plan = plan_import(demo_report, path)
    computed = compute(demo_report).indicators
    for edit in plan.edits:  # what the form prints beyond what was typed: computed figures
        ind = demo_report.indicators[edit.index]
        if edit.field == "actual":  # numerator ÷ denominator, printed as the actual value
            assert ind.actual is None and ind.numerator is not None and edit.value == computed[edit.index].actual
        else:  # the default score of a 定性 row
            assert edit.field == "score" and ind.qualitative and ind.score is None
    assert any("合计行" in n for n in result.notices)  # 总分


# ------------------------------------------------------------------------------ expenditure lists

EXPENDITURES = [
    ["2024年医保能力提升资金支出台账"],
    ["单位：万元", None, None, None, None, None, None, "制表：财务股"],  # caption: amounts in 万元
    ["序号", "摘要", "经济分类", "支出方向", "资金来源", "金额", "付款日期", "预算金额（元）"],
    [1, "信息系统运维", "购买服务", "医保信息化标准化", "当年下达", 9.72, 45565, "97,200.00"],  # serial date
    [2, "第三方审核", "购买服务", "基金监管", "当年", "40,000元", "2024年10月20日", None],  # 元 suffix wins
    [3, "窗口耗材", "购买设备", "经办管理体系建设", "结转", "０．０９", datetime(2024, 3, 15), "900元"],
    [4, "政策宣传", "政策宣传", "其他", "当年下达资金", "5.88万元", "2024/12/20", None],
    [5, "耗材补充", "购买设备", "经办管理体系建设", "当年下达", 0.02, " 2024-04-15 ", "—"],
    [None, "合计", None, None, None, 19.71, None, None],
    [],
    [],
    [None, "数据来源：财务系统导出，已核对"],
]


def test_expenditure_list_variants(tmp_path):
    result = read_workbook(_book(tmp_path / "e.xlsx", {"支出台账": EXPENDITURES}))
    assert result.problems == ()
    assert result.rows["expenditures"] == (
        Expenditure("信息系统运维", "医保信息化标准化", "购买服务", "当年下达", D("97200.00"), D("97200.00"), date(2024, 9, 30)),
        Expenditure("第三方审核", "基金监管", "购买服务", "当年下达", None, D("40000.00"), date(2024, 10, 20)),
        Expenditure("窗口耗材", "经办管理体系建设", "购买设备", "上年结转", D("900.00"), D("900.00"), date(2024, 3, 15)),
        Expenditure("政策宣传", "其他", "政策宣传", "当年下达", None, D("58800.00"), date(2024, 12, 20)),
        Expenditure("耗材补充", "经办管理体系建设", "购买设备", "当年下达", None, D("200.00"), date(2024, 4, 15)),
    )
    assert any("第 9 行是合计行" in n for n in result.notices)
    assert any("第 12 行起是表格下方的说明文字" in n for n in result.notices)
    assert any("F 列「金额」按「万元」读取" in n for n in result.notices)


def test_expenditures_append_by_default_replace_when_asked_and_match_dangshan(tmp_path):
    report = dangshan_report()
    book = _book(tmp_path / "e.xlsx", {"支出台账": EXPENDITURES})
    paid = [D("97200.00"), D("40000.00"), D("900.00"), D("58800.00"), D("200.00")]
    plan = plan_import(report, book)
    assert plan.ok and plan.mode["expenditures"] == "append"  # a list is never wiped by default
    n = len(report.expenditures)
    assert plan.report.expenditures[:n] == report.expenditures
    assert [e.paid for e in plan.report.expenditures[n:]] == paid
    replaced = plan_import(report, book, mode="replace")
    assert [e.paid for e in replaced.report.expenditures] == paid
    for p in (plan, replaced):
        assert apply_edits(report, list(p.edits))[0] == p.report


def test_amount_formats_and_units(tmp_path):
    rows = [["项目名称", "支付金额（万元）", "预算", "支付日期"],
            ["a", 1.5, 20000, "2024.3.1"],  # 万元 header; plain 预算 in 元
            ["b", "2", "(1,234.50)", "20240302"],
            ["c", 0.30000000000000004, None, 45352.0]]  # float noise is what Excel shows at 15 digits
    path = _book(tmp_path / "e.xlsx", {"S": rows}, formats=[("S", "C2", '0.00"万元"')])
    a, b, c = read_workbook(path).rows["expenditures"]
    assert (a.paid, a.budget, a.paid_on) == (D("15000.00"), D("200000000.00"), date(2024, 3, 1))  # 万元 format
    assert (b.paid, b.budget, b.paid_on) == (D("20000.00"), D("-1234.50"), date(2024, 3, 2))
    assert (c.paid, c.paid_on) == (D("3000.00"), date(2024, 3, 1))
    assert c.pool == "当年下达"


def test_expenditure_problems_all_at_once_and_nothing_changes(tmp_path):
    rows = [["项目名称", "资金类别", "支付金额", "支付日期"],
            ["a", "当年下达", "12a", "2024-03-01"],
            ["b", "国库", 12.345, "2024年13月1日"],
            ["c", "当年下达", None, 1800],
            ["d", "当年下达", True, "明天"]]
    report = dangshan_report()
    plan = plan_import(report, _book(tmp_path / "e.xlsx", {"支出": rows}))
    assert [(p.row, p.column, p.value) for p in plan.problems] == [
        (2, "C", "12a"), (3, "B", "国库"), (3, "C", "12.345"), (3, "D", "2024年13月1日"), (4, "D", "1800"),
        (4, "C", ""), (5, "C", "TRUE"), (5, "D", "明天")]
    reasons = [p.reason for p in plan.problems]
    assert "无法识别的金额「12a」" in reasons[0]
    assert "不是可选值（可选：上年结转、当年下达；或资金级次：中央、省级、市级、县级、其他）" in reasons[1]
    assert "精确到分以下" in reasons[2]
    assert "不存在" in reasons[3]
    assert reasons[5] == "「支付金额（元）」不能为空"
    assert plan.edits == () and plan.report is report and not plan.ok


def test_incomes_table(tmp_path):
    rows = [["级次", "类别", "文号", "下达日期", "金额（万元）"],
            ["中央", "当年下达", "宿财社〔2024〕67号", "2024年3月1日", 60],
            ["省财政", "结转", "", None, "0.09"]]
    result = read_workbook(_book(tmp_path / "i.xlsx", {"收入": rows}))
    assert result.rows["incomes"] == (
        Income("中央", "当年下达", "宿财社〔2024〕67号", date(2024, 3, 1), D("600000.00")),
        Income("省级", "上年结转", "", None, D("900.00")),
    )


def test_several_sheets_and_sheet_choice(tmp_path):
    path = _book(tmp_path / "b.xlsx", {
        "说明": [["本工作簿由财务股提供"]],
        "支出": [["项目名称", "支付金额"], ["a", 100]],
        "指标": [["三级指标", "分值"], ["x", 5]],
    })
    result = read_workbook(path)
    assert {t.kind for t in result.tables} == {"expenditures", "indicators"}
    assert any("「说明」中没有找到可识别的表头" in n for n in result.notices)
    only = read_workbook(path, sheet="指标")
    assert set(only.rows) == {"indicators"}
    with pytest.raises(UserError, match="没有名为「预算」的工作表（现有：说明、支出、指标）"):
        read_workbook(path, sheet="预算")
    with pytest.raises(UserError, match="工作表「说明」中没有找到可识别的表头"):
        read_workbook(path, sheet="说明")


def test_header_only_sheet_is_a_problem_not_a_wipe(tmp_path):
    report = dangshan_report()
    plan = plan_import(report, _book(tmp_path / "e.xlsx", {"S": [["项目名称", "支付金额", "支付日期"]]}))
    assert not plan.ok and "没有数据行" in plan.problems[0].reason
    assert plan.report.expenditures == report.expenditures


def test_no_table_at_all(tmp_path):
    with pytest.raises(UserError, match="没有找到可导入的表格"):
        read_workbook(_book(tmp_path / "x.xlsx", {"S": [["姓名", "电话"], ["张三", "123"]]}))


def test_merge_mode_is_for_indicators_only(tmp_path):
    path = _book(tmp_path / "e.xlsx", {"S": [["项目名称", "支付金额"], ["a", 1]]})
    with pytest.raises(UserError, match="只适用于绩效指标表"):
        plan_import(Report(), path, mode="merge")


def test_generic_text_is_trimmed(tmp_path):
    rows = [["项目名称", "支付金额", "支出方向"], ["  运维服务 ", 1, "\u3000基金监管\u3000"]]
    (line,) = read_workbook(_book(tmp_path / "e.xlsx", {"S": rows})).rows["expenditures"]
    assert (line.project, line.direction) == ("运维服务", "基金监管")


def test_plan_against_a_changed_report_keeps_its_base(tmp_path, demo_report):
    plan = plan_import(demo_report, _book(tmp_path / "e.xlsx", {"S": [["项目名称", "支付金额"], ["a", 1]]}))
    assert plan.base is demo_report
    edited = replace(demo_report, expenditures=demo_report.expenditures[:1])
    assert edited is not plan.base  # the window re-plans when the document moved on


def test_expenditure_level_from_a_source_or_level_column(tmp_path):
    """A 资金来源 column naming levels (中央资金, 省级) gives the line its level; a 级次 column too."""
    by_source = [["项目名称", "资金来源", "支付金额（元）", "支付日期"],
                 ["a", "中央资金", "100.00", "2024-03-01"],
                 ["b", "省级", "50.00", "2024-03-02"],
                 ["c", "当年下达", "20.00", "2024-03-03"]]
    a, b, c = read_workbook(_book(tmp_path / "s.xlsx", {"支出": by_source})).rows["expenditures"]
    assert (a.level, a.pool) == ("中央", "当年下达") and b.level == "省级" and c.level is None
    by_level = [["项目名称", "资金类别", "级次", "支付金额（元）", "支付日期"],
                ["a", "结转", "县级", "100.00", "2024-03-01"],
                ["b", "当年下达", "", "50.00", "2024-03-02"]]
    a, b = read_workbook(_book(tmp_path / "l.xlsx", {"支出": by_level})).rows["expenditures"]
    assert (a.level, a.pool) == ("县级", "上年结转") and b.level is None


def test_an_import_never_drops_evidence_silently(tmp_path, demo_report):
    """Sheets carry no 佐证材料: replacing rows keep the files of the same-named old rows, and rows
    that disappear are announced before anything changes."""
    from yibao_desktop.domain.report import Attachment
    from yibao_desktop.exchange.excel.data import export_data_workbook

    photo = Attachment("照片.png", "ab" * 32, 1000)
    indicators = (replace(demo_report.indicators[0], evidence=(photo,)),) + demo_report.indicators[1:]
    report = replace(demo_report, indicators=indicators, evidence=(photo,))
    plain = export_data_workbook(demo_report, tmp_path / "数据.xlsx")  # the same rows, no files
    plan = plan_import(report, plain)
    assert plan.report.indicators[0].evidence == (photo,) and plan.report.evidence == (photo,)
    assert not any("佐证材料" in n for n in plan.result.notices)
    rows = [["一级指标", "二级指标", "三级指标", "指标值", "分值"],
            ["产出指标", "数量指标", "全新的指标", "≥1个", 5]]
    replaced = plan_import(report, _book(tmp_path / "i.xlsx", {"指标": rows}), mode="replace")
    assert any("1 份佐证材料所属的指标不在导入后的指标表中" in n for n in replaced.result.notices)
