"""Regenerate the report fixtures in tests/data/reports/ (run by hand when a fixture is added):

    .venv/bin/python tests/data/make_reports.py            # the report JSON files
    .venv/bin/python tests/data/make_reports.py --golden   # also tests/data/compute/*.json

The golden compute outputs pin the JSON that `yibao-desktop compute` prints (INTERCHANGE.md is a
contract): regenerate them only for a deliberate, documented change of that output.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date
from decimal import Decimal as D
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from benchmarks.generate import large_report  # noqa: E402
from tests.factories import dangshan_report, fengdu_activation  # noqa: E402
from yibao_desktop.domain.interchange import report_to_json  # noqa: E402
from yibao_desktop.domain.report import (  # noqa: E402
    Basis,
    Expenditure,
    FundOperation,
    FundOpLine,
    Income,
    Indicator,
    Meta,
    Report,
    Scoring,
    Section,
)

REPORTS = HERE / "reports"
GOLDEN = HERE / "compute"
W = (("产出指标", D("50")), ("效益指标", D("30")), ("满意度指标", D("10")))


def qiandongnan() -> Report:
    """黔东南州 2023 (reference/qiandongnan-2023-capacity-fund-figures.md), 万元 figures in 元."""
    incomes = (
        Income("中央", "上年结转", "", date(2023, 1, 1), D("2487700.00"), "2022年结转"),
        Income("中央", "当年下达", "黔财社〔2022〕154号", date(2022, 11, 20), D("9050000.00"), "提前下达"),
        Income("中央", "当年下达", "黔财社〔2023〕89号", date(2023, 6, 1), D("1080000.00"), ""),
    )
    directions = (("基金监管", "959200.00"), ("医保支付方式改革", "1229600.00"), ("医保能力培训", "704100.00"),
                  ("医保信息化建设", "2394400.00"), ("医保经办事务", "2767200.00"), ("医保政策宣传", "1552000.00"))
    lines = [Expenditure(f"{name}项目", name, "购买服务", "当年下达", None, D(amount), date(2023, 11, 30))
             for name, amount in directions]
    # 235.88 万元 of the carried pool was spent; taken out of the 信息化 line, which stays within the total.
    lines[3] = replace(lines[3], paid=D("2394400.00") - D("2358800.00"))
    lines.append(Expenditure("医保信息化建设（结转）", "医保信息化建设", "购买设备", "上年结转", None, D("2358800.00"),
                             date(2023, 5, 10)))
    inds = (
        Indicator("产出指标", "数量指标", "开展基金监管检查次数", "≥", D("4"), "次", "≥4次", D("20"), actual=D("6")),
        Indicator("产出指标", "质量指标", "DRG/DIP 付费覆盖率", "≥", D("70"), "%", "≥70%", D("30"), actual=D("72.5")),
        Indicator("效益指标", "社会效益指标", "医保服务能力", "定性", None, "", "有所提升", D("30"), grade="达成",
                  score=D("27")),
        Indicator("满意度指标", "服务对象满意度指标", "参保群众满意度", "≥", D("90"), "%", "≥90%", D("10"),
                  actual=D("93")),
    )
    return Report(Meta("黔东南州医疗保障局", 2023, "capacity", basis=(Basis("医疗服务与保障能力提升补助资金", "黔财社〔2023〕89号"),)),
                  incomes, tuple(lines), None, inds, Scoring(W), ())


def resident() -> Report:
    """A 城乡居民医保 report whose income lines disagree with the typed total (a finding)."""
    fo = FundOperation(
        income=(FundOpLine("个人缴费", D("480000000.00"), D("482531200.00")),
                FundOpLine("财政补助", D("980000000.00"), D("975312300.00")),
                FundOpLine("其他收入", None, D("52587900.00"))),
        expense=(FundOpLine("住院支出", D("1100000000.00"), D("1077654300.00")),
                 FundOpLine("门诊支出", D("300000000.00"), D("315201100.00"))),
        income_total=D("1509593900.00"), expense_total=None, year_balance=None,
        closing_balance=D("752000000.00"), insured_persons=1032451, registered_population=1152380,
        resident_population=1029377)
    inds = (
        Indicator("产出指标", "数量指标", "基本医疗保险参保率", "≥", D("95"), "%", "≥95%", D("25"),
                  numerator=D("1032451"), denominator=D("1085000")),
        Indicator("产出指标", "质量指标", "政策范围内住院费用基金支付比例", "≥", D("70"), "%", "≥70%", D("25"),
                  actual=D("68.3"), deviation_reason="高额费用病例增加"),
        Indicator("效益指标", "可持续影响指标", "基金可支付月数", "≥", D("6"), "月", "≥6个月", D("30"),
                  actual=D("6.8")),
        Indicator("满意度指标", "服务对象满意度指标", "参保人满意度", "≥", D("85"), "%", "≥85%", D("10"),
                  actual=D("91")),
    )
    incomes = (Income("中央", "当年下达", "财社〔2025〕1号", date(2025, 2, 10), D("620000000.00")),
               Income("省级", "当年下达", "", date(2025, 3, 1), D("210000000.00")),
               Income("县级", "本级配套", "", date(2025, 4, 1), D("145312300.00")))
    lines = (Expenditure("居民医保基金补助", "补助基金", "转移性支出", "当年下达", None, D("975312300.00"),
                         date(2025, 12, 20)),)
    return Report(Meta("示例县医疗保障局", 2025, "resident_insurance"), incomes, lines, fo, inds,
                  Scoring(W, reverse_rule="ratio"), (Section("goals", "一、绩效目标", "参保率 95.16%，支出 97531.23万元。"),))


def assistance() -> Report:
    """A 医疗救助 report with money at four levels, an execution cap, an override and a reverse row."""
    incomes = (Income("中央", "当年下达", "财社〔2024〕80号", date(2024, 5, 1), D("3560000.00")),
               Income("省级", "当年下达", "", date(2024, 6, 1), D("1200000.00")),
               Income("市级", "当年下达", "", date(2024, 6, 1), D("300000.00")),
               Income("其他", "其他", "", date(2024, 7, 1), D("1000000.00"), "彩票公益金"),
               Income("县级", "上年结转", "", date(2024, 1, 1), D("123456.78")))
    lines = tuple(Expenditure(f"救助批次{k}", "住院救助" if k % 2 else "资助参保", "救助支出",
                              "上年结转" if k == 0 else "当年下达", None, D(amount), date(2024, 1 + k, 25))
                  for k, amount in enumerate(("123456.78", "850000.00", "1250000.33", "99999.99", "10000.00",
                                              "2000000.00", "7.01")))
    inds = (
        Indicator("产出指标", "数量指标", "资助参保率", "=", D("100"), "%", "=100%", D("20"), actual=D("100")),
        Indicator("产出指标", "质量指标", "重点救助对象政策范围内住院自付费用救助比例", "≥", D("70"), "%", "≥70%",
                  D("20"), actual=D("71.02")),
        Indicator("产出指标", "时效指标", "救助资金拨付时限", "≤", D("30"), "天", "≤30天", D("10"), actual=D("45"),
                  deviation_reason="年底集中拨付"),
        Indicator("效益指标", "社会效益指标", "一站式结算覆盖", "≥", D("100"), "%", "全覆盖", D("30"), actual=D("98"),
                  score=D("29.5"), override_reason="经复核按 29.5 分计"),
        Indicator("满意度指标", "服务对象满意度指标", "救助对象满意度", "≥", D("90"), "%", "≥90%", D("10"),
                  actual=D("160"), ),
    )
    scoring = Scoring(W, execution_cap=True, overachieve_penalty=True)
    return Report(Meta("示例县医疗保障局", 2024, "medical_assistance", competent_dept="示例县财政局"), incomes, lines,
                  None, inds, scoring,
                  (Section("deviation", "三、偏离绩效目标的原因", "支出进度 {资金.支出进度}，另有 999.99万元 未列。"),))


def dangshan() -> Report:
    report = dangshan_report()
    return replace(report, indicators=(fengdu_activation(),
                                       Indicator("产出指标", "数量指标", "培训人次", "≥", D("500"), "人次", "≥500人次",
                                                 D("40"), actual=D("523"))))


def nextyear() -> Report:
    """Started from last year's file (同比): carried balances, baselines, a previous-year block."""
    from yibao_desktop.services.nextyear import start_from as start_next_year

    report = start_next_year(dangshan(), 2025)
    inds = tuple(replace(ind, actual=D("71.3") if ind.unit == "%" else D("498"), deviation_reason="见说明")
                 for ind in report.indicators)
    lines = (Expenditure("经办能力建设", "经办管理体系建设", "购买服务", "上年结转", None, D("300000.00"),
                         date(2025, 8, 31)),)
    return replace(report, indicators=inds, expenditures=lines)


FIXTURES = {
    "dangshan": dangshan,
    "qiandongnan": qiandongnan,
    "resident": resident,
    "assistance": assistance,
    "nextyear": nextyear,
    "large": lambda: large_report(60, 400, seed=11),
}


def main() -> None:
    for name, make in FIXTURES.items():
        (REPORTS / f"{name}.json").write_text(report_to_json(make()), encoding="utf-8")
    if "--golden" in sys.argv:
        from tests.test_compute_golden import compute_json, fixture_reports

        for name, report in fixture_reports():
            (GOLDEN / f"{name}.json").write_text(compute_json(report), encoding="utf-8")


if __name__ == "__main__":
    main()
