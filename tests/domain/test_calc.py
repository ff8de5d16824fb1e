from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest

from tests.factories import dangshan_report, fengdu_activation, one_indicator_report
from yibao_desktop.domain import calc
from yibao_desktop.domain.formatting import money
from yibao_desktop.domain.interchange import result_to_json
from yibao_desktop.domain.report import (
    Expenditure,
    FundOperation,
    FundOpLine,
    Income,
    Indicator,
    Meta,
    Report,
    Scoring,
)


def compute(report):
    """These tests read compute through its JSON contract (INTERCHANGE.md strings)."""
    return result_to_json(calc.compute(report))


def fmt_wan(value):
    return money(value, "万元", sep=False)


def codes(result, severity=None):
    return [f["code"] for f in result["findings"] if severity in (None, f["severity"])]


def score_of(indicator, **scoring):
    res = compute(one_indicator_report(indicator, **scoring))
    return res["indicators"][0], res


def row(nature, target, actual, weight="10", unit="%", **kw):
    return Indicator(level1="产出指标", level2="质量指标", name="测试指标", nature=nature,
                     target=None if target is None else D(target), unit=unit,
                     weight=D(weight), actual=None if actual is None else D(actual), **kw)


# ------------------------------------------------------------------------------ Dangshan funds


def test_dangshan_funds_figures():
    funds = compute(dangshan_report())["funds"]
    assert fmt_wan(D(funds["available"])) == "60.09"
    assert fmt_wan(D(funds["carried"])) == "0.09"
    assert fmt_wan(D(funds["allocated"])) == "60.00"
    assert fmt_wan(D(funds["paid"])) == "19.71"
    assert fmt_wan(D(funds["paid_carried"])) == "0.09"
    assert fmt_wan(D(funds["paid_allocated"])) == "19.62"
    assert (funds["progress"], funds["progress_carried"], funds["progress_allocated"]) == (
        "32.80", "100.00", "32.70")
    assert funds["balance"] == "403800.00"


def test_dangshan_direction_breakdown():
    by_direction = compute(dangshan_report())["funds"]["by_direction"]
    assert [(d["name"], d["amount"], d["share"]) for d in by_direction] == [
        ("医保信息化标准化", "97200.00", "49.32"), ("基金监管", "40000.00", "20.29"),
        ("经办管理体系建设", "1100.00", "0.56"), ("其他", "58800.00", "29.83")]
    # Two payment lines of one direction are two projects.
    assert [d["count"] for d in by_direction] == [1, 1, 2, 1]


def test_size_buckets_large_projects_and_econ_classes():
    report = dangshan_report()
    big = Expenditure(project="医保智能监控系统", direction="基金监管", econ_class="购买设备", pool="当年下达",
                      budget=D("150000.00"), paid=D("60000.00"), paid_on=date(2024, 11, 1))
    # Two payments of one project add up to ≥10万元: one large project.
    report = replace(report, expenditures=report.expenditures + (big, replace(big, paid_on=date(2024, 12, 1))))
    funds = compute(report)["funds"]
    sizes = {b["name"]: b for b in funds["by_size"]}
    assert sizes["10万元及以上"]["count"] == 1 and sizes["10万元及以上"]["amount"] == "120000.00"
    assert sizes["1万元以下"]["count"] == 2
    assert sum(D(b["share"]) for b in funds["by_size"]) == D("100.00")
    assert funds["large_projects"] == [{"project": "医保智能监控系统", "paid": "120000.00"}]
    assert sum(D(b["share"]) for b in funds["by_econ_class"]) == D("100.00")


def test_monthly_cumulative_against_schedule():
    monthly = compute(dangshan_report())["funds"]["monthly"]
    assert len(monthly) == 12
    assert monthly[2]["cumulative"] == "900.00"          # March
    assert monthly[8]["schedule"] == "75.00"             # September
    assert monthly[11]["cumulative"] == "197100.00"
    assert monthly[11]["progress"] == "32.80"


def test_by_level_attributes_pool_payments_pro_rata():
    report = dangshan_report()
    report = replace(report, incomes=report.incomes + (
        Income(level="省级", kind="当年下达", amount=D("200000.00"), date=date(2024, 5, 1)),))
    by_level = {b["level"]: b for b in compute(report)["funds"]["by_level"]}
    # 196200 paid from the current pool, split 600000 : 200000 → 147150 : 49050; plus 900 carried.
    assert by_level["中央"]["paid"] == "148050.00"
    assert by_level["省级"]["paid"] == "49050.00"
    assert D(by_level["中央"]["paid"]) + D(by_level["省级"]["paid"]) == D("197100.00")
    assert by_level["省级"]["balance"] == "150950.00"


def test_fund_findings_disagreements_are_reported_not_fixed():
    report = dangshan_report()
    over = Expenditure(project="超支项目", direction="其他", econ_class="其他", pool="上年结转",
                       budget=D("100.00"), paid=D("500.00"), paid_on=date(2023, 12, 31))
    result = compute(replace(report, expenditures=report.expenditures + (over,)))
    assert {"paid_over_pool", "paid_over_budget", "date_outside_year", "low_progress"} <= set(codes(result))
    msg = next(f["message"] for f in result["findings"] if f["code"] == "paid_over_budget")
    assert "500.00" in msg and "100.00" in msg
    pool_msg = next(f for f in result["findings"] if f["code"] == "paid_over_pool")
    assert pool_msg["severity"] == "error" and "1,400.00 元" in pool_msg["message"] and "900.00" in pool_msg["message"]


def test_paid_over_available():
    report = Report(meta=Meta(year=2024), incomes=(Income(kind="当年下达", amount=D("100.00")),),
                    expenditures=(Expenditure(project="a", paid=D("150.00"), paid_on=date(2024, 5, 1)),))
    result = compute(report)
    finding = next(f for f in result["findings"] if f["code"] == "paid_over_available")
    assert "150.00" in finding["message"] and "100.00" in finding["message"]


# ------------------------------------------------------------------------------ Fengdu indicator


def test_fengdu_activation_rate():
    res, result = score_of(fengdu_activation())
    assert res["actual"] == "44.49"
    assert res["completion"] == "74.15"
    assert res["met"] is False
    assert res["score"] == "7.42"
    assert res["needs_reason"] is True and res["reason_missing"] is True
    assert res["explain"]["score"] == "得分 = 10 × 44.49 ÷ 60 = 7.42"
    finding = next(f for f in result["findings"] if f["code"] == "missing_deviation_reason")
    assert finding["severity"] == "error" and finding["where"] == "indicators[0].deviation_reason"
    assert "44.49" in finding["message"] and "≥60%" in finding["message"]


def test_reason_given_clears_the_finding():
    res, result = score_of(replace(fengdu_activation(), deviation_reason="群众使用意愿低，下一步加强宣传"))
    assert res["needs_reason"] is True and res["reason_missing"] is False
    assert "missing_deviation_reason" not in codes(result)


# ------------------------------------------------------------------------------ scoring rules


@pytest.mark.parametrize("nature, target, actual, score, met, completion", [
    ("≥", "90", "95", "10.00", True, "105.56"),
    ("≥", "90", "90", "10.00", True, "100.00"),
    ("≥", "90", "45", "5.00", False, "50.00"),
    ("≥", "90", "0", "0.00", False, "0.00"),
    ("≥", "90", "-5", "0.00", False, "0.00"),       # negative actual counts as 0
    (">", "85", "85", "10.00", False, "100.00"),    # strict: equal is not met
    (">", "85", "86", "10.00", True, "101.18"),
    ("=", "100", "100", "10.00", True, "100.00"),
    ("=", "100", "80", "8.00", False, "80.00"),
    ("=", "100", "125", "8.00", False, "125.00"),   # above an exact target: weight × target ÷ actual
])
def test_positive_rules(nature, target, actual, score, met, completion):
    res, _ = score_of(row(nature, target, actual))
    assert (res["score"], res["met"], res["completion"]) == (score, met, completion)


@pytest.mark.parametrize("nature, target, actual, score, met", [
    ("≤", "10", "8", "10.00", True),
    ("≤", "10", "10", "10.00", True),
    ("<", "10", "10", "10.00", False),     # strict reverse, equal: linear formula gives full weight
    ("≤", "10", "12", "8.00", False),      # 10 × (1 − 2 ÷ 10)
    ("≤", "10", "19.99", "0.01", False),
    ("≤", "10", "20", "0.00", False),      # exactly 2 × target → 0
    ("≤", "10", "35", "0.00", False),
    ("≤", "10", "0", "10.00", True),
    ("≤", "10", "-3", "10.00", True),
])
def test_reverse_linear_rule(nature, target, actual, score, met):
    res, _ = score_of(row(nature, target, actual))
    assert (res["score"], res["met"]) == (score, met)


def test_reverse_at_twice_target_explains_zero():
    res, _ = score_of(row("≤", "10", "20"))
    assert res["explain"]["score"] == "实际 20 ≥ 2 × 目标 10，得 0 分"


@pytest.mark.parametrize("actual, score", [("8", "10.00"), ("12", "8.33"), ("20", "5.00"), ("40", "2.50")])
def test_reverse_ratio_rule(actual, score):
    res, _ = score_of(row("≤", "10", actual), reverse_rule="ratio")
    assert res["score"] == score


@pytest.mark.parametrize("nature, actual, score, met", [
    ("≤", "0", "10.00", True), ("≤", "1", "0.00", False), ("=", "0", "10.00", True),
    ("=", "2", "0.00", False), ("<", "-1", "10.00", True), ("≥", "0", "10.00", True),
])
def test_target_zero(nature, actual, score, met):
    res, _ = score_of(row(nature, "0", actual, unit="起"))
    assert (res["score"], res["met"]) == (score, met)


@pytest.mark.parametrize("grade, score, in_band", [
    ("达成", "8", True), ("达成", "10", True), ("达成", "7.99", False),
    ("部分达成", "6", True), ("部分达成", "8", True), ("部分达成", "5.99", False), ("部分达成", "8.01", False),
    ("未达成", "0", True), ("未达成", "6", True), ("未达成", "6.01", False),
])
def test_qualitative_band_edges(grade, score, in_band):
    res, result = score_of(row("定性", None, None, unit="", grade=grade, score=D(score),
                               deviation_reason="原因"))
    assert res["score"] == f"{D(score):.2f}"
    assert ("qualitative_out_of_band" not in codes(result)) is in_band
    assert res["met"] is (grade == "达成")


def test_qualitative_band_and_default_score():
    res, result = score_of(row("定性", None, None, unit="", grade="部分达成", deviation_reason="x"))
    assert res["band"] == ["6.00", "8.00"]
    assert res["score"] == "7.00"
    assert "qualitative_default_score" in codes(result, "info")


def test_qualitative_without_grade_scores_zero_with_warning():
    res, result = score_of(row("定性", None, None, unit=""))
    assert res["score"] == "0.00"
    assert "qualitative_grade_missing" in codes(result, "warning")


def test_qualitative_not_achieved_needs_reason():
    _, result = score_of(row("定性", None, None, unit="", grade="未达成", score=D("3")))
    assert "missing_deviation_reason" in codes(result, "error")


def test_overachievement_penalty():
    res, result = score_of(row("≥", "50", "65"), overachieve_penalty=True)
    assert res["overachieved"] is True and res["score"] == "8.00"
    assert "missing_deviation_reason" in codes(result)
    res, _ = score_of(row("≥", "50", "64.99"), overachieve_penalty=True)
    assert res["overachieved"] is False and res["score"] == "10.00"
    res, result = score_of(row("≥", "50", "65"))  # setting off: no deduction, still a 偏离 to explain
    assert res["overachieved"] is True and res["score"] == "10.00" and res["needs_reason"] is True
    assert "overachieved_reason_missing" in codes(result, "warning")
    assert "missing_deviation_reason" not in codes(result)


def test_manual_override_needs_reason():
    res, result = score_of(row("≥", "90", "45", score=D("9")))
    assert res["score"] == "9.00" and res["computed_score"] == "5.00" and res["overridden"]
    finding = next(f for f in result["findings"] if f["code"] == "override_no_reason")
    assert finding["severity"] == "error" and "9" in finding["message"] and "5.00" in finding["message"]
    res, result = score_of(row("≥", "90", "45", score=D("9"), override_reason="统计口径调整",
                               deviation_reason="x"))
    assert "override_no_reason" not in codes(result)
    assert "统计口径调整" in res["explain"]["score"]


def test_override_above_weight_is_an_error():
    _, result = score_of(row("≥", "90", "95", score=D("12"), override_reason="x"))
    assert "score_out_of_range" in codes(result, "error")


def test_target_text_only_is_parsed_and_unparseable_is_a_finding():
    res, _ = score_of(Indicator(level1="产出指标", name="覆盖率", target_text="不低于95%", weight=D(10),
                                actual=D("96")))
    assert (res["nature"], res["target"], res["unit"], res["met"]) == ("≥", "95", "%", True)
    res, result = score_of(Indicator(level1="产出指标", name="怪指标", target_text="见附件", weight=D(10),
                                     actual=D("1")))
    assert res["score"] == "0.00"
    finding = next(f for f in result["findings"] if f["code"] == "target_unparsed")
    assert "见附件" in finding["message"]


def test_zero_denominator_is_a_finding_not_a_crash():
    _, result = score_of(replace(fengdu_activation(), denominator=D(0)))
    assert "zero_denominator" in codes(result, "error")


# ------------------------------------------------------------------------------ totals


def _report_with(indicators, weights, budget_weight="10", **scoring):
    return Report(
        meta=Meta(year=2024),
        incomes=(Income(kind="当年下达", amount=D("1000.00"), date=date(2024, 3, 1)),),
        expenditures=(Expenditure(project="p", paid=D("850.00"), paid_on=date(2024, 6, 1)),),
        indicators=tuple(indicators),
        scoring=Scoring(level1_weights=tuple((n, D(w)) for n, w in weights),
                        budget_execution_weight=D(budget_weight), **scoring))


def full(level1, weight):
    return Indicator(level1=level1, level2="x", name=f"{level1}指标", nature="≥", target=D(1), unit="个",
                     weight=D(weight), actual=D(1))


def test_total_grade_and_budget_execution():
    report = _report_with([full("产出指标", 50), full("效益指标", 30), full("满意度指标", 10)],
                          [("产出指标", 50), ("效益指标", 30), ("满意度指标", 10)])
    result = compute(report)
    assert result["budget_execution"] == {"rate": "85.00", "weight": "10", "score": "8.50"}
    assert result["total_score"] == "98.50" and result["grade"] == "优"
    assert [l["score"] for l in result["level1"]] == ["50.00", "30.00", "10.00"]
    assert codes(result, "error") == []


def test_execution_cap():
    report = _report_with([full("产出指标", 90)], [("产出指标", 90)], execution_cap=True)
    result = compute(report)  # rate 85% → no cap
    assert result["total_score"] == "98.50" and result["cap"] is None
    report = replace(report, expenditures=(replace(report.expenditures[0], paid=D("650.00")),))
    result = compute(report)  # rate 65% → at most 79
    assert result["total_score"] == "79.00" and result["total_before_cap"] == "96.50"
    assert result["grade"] == "中"
    assert "execution_cap_applied" in codes(result, "info")
    report = replace(report, expenditures=(replace(report.expenditures[0], paid=D("499.00")),))
    assert compute(report)["total_score"] == "59.00"


@pytest.mark.parametrize("total, grade", [("90", "优"), ("89.99", "良"), ("80", "良"), ("60", "中"), ("59.99", "差")])
def test_grade_bounds(total, grade):
    ind = Indicator(level1="产出指标", name="x", nature="定性", weight=D(100), grade="达成", score=D(total),
                    override_reason="")
    report = Report(indicators=(ind,), scoring=Scoring(level1_weights=(("产出指标", D(100)),),
                                                       budget_execution_weight=D(0)))
    result = compute(report)
    if D(total) >= 80:
        assert result["grade"] == grade
    else:  # below the 达成 band: still graded on the typed score
        assert result["grade"] == grade


def test_configurable_grade_labels():
    report = _report_with([full("产出指标", 90)], [("产出指标", 90)], grade_labels=("A", "B", "C", "D"))
    assert compute(report)["grade"] == "A"


def test_weight_checks():
    report = _report_with([full("产出指标", 40), full("效益指标", 30)], [("产出指标", 50), ("效益指标", 30)])
    result = compute(report)
    mismatch = next(f for f in result["findings"] if f["code"] == "level3_weights_mismatch")
    assert "50" in mismatch["message"] and "40" in mismatch["message"]
    total = next(f for f in result["findings"] if f["code"] == "total_weight_not_100")
    assert "90" in total["message"]


def test_counts_sentence_figures(demo_report):
    counts = compute(demo_report)["counts"]
    assert counts["level3"] == len(demo_report.indicators)
    assert counts["quantitative"] + counts["qualitative"] == counts["level3"]
    assert counts["level1"] == 3
    assert counts["level2"] == len({(i.level1, i.level2) for i in demo_report.indicators})


def test_demo_report_is_clean_and_scores(demo_report):
    result = compute(demo_report)
    assert codes(result, "error") == []
    assert result["total_score"] == "94.61" and result["grade"] == "优"
    unmet = [i for i in result["indicators"] if not i["met"]]
    assert unmet and all(not i["reason_missing"] for i in unmet)


# ------------------------------------------------------------------------------ fund operation


def test_fund_operation_figures_and_disagreements():
    fo = FundOperation(
        income=(FundOpLine("个人缴费", D("500.00"), D("480.00")), FundOpLine("财政补助", D("1000.00"), D("1000.00"))),
        expense=(FundOpLine("住院", None, D("900.00")), FundOpLine("门诊", None, D("300.00"))),
        income_total=D("1500.00"), expense_total=None, year_balance=D("250.00"),
        closing_balance=D("646.00"), insured_persons=8959, registered_population=10000, resident_population=8932)
    result = compute(Report(fund_operation=fo))
    out = result["fund_operation"]
    assert out["income_total"] == "1500.00" and out["income_lines_total"] == "1480.00"
    assert out["expense_total"] == "1200.00"
    assert [s["share"] for s in out["income_shares"]] == ["32.43", "67.57"]
    assert out["income_execution"] == "98.67"
    assert out["months_payable"] == "6.46"
    assert out["coverage_registered"] == "89.59" and out["coverage_resident"] == "100.30"
    found = {f["code"]: f for f in result["findings"]}
    assert "1,480.00 元" in found["parts_not_total"]["message"] and "1,500.00 元" in found["parts_not_total"]["message"]
    assert "250.00" in found["balance_mismatch"]["message"] and "300.00" in found["balance_mismatch"]["message"]


# ------------------------------------------------------------------------------ caching


def test_incremental_cache_sees_every_change():
    report = dangshan_report()
    first = compute(report)
    edited = replace(report, expenditures=report.expenditures[:-1])
    assert compute(edited)["funds"]["paid"] == "138300.00"
    assert compute(report)["funds"]["paid"] == first["funds"]["paid"]
    changed_year = replace(report, meta=replace(report.meta, year=2025))
    assert "date_outside_year" in codes(compute(changed_year))


def test_by_level_progress_and_transfer_form_sources():
    report = dangshan_report()
    report = replace(report, incomes=report.incomes + (
        Income(level="省级", kind="当年下达", amount=D("200000.00"), date=date(2024, 5, 1)),
        Income(level="县级", kind="本级配套", amount=D("100000.00"), date=date(2024, 5, 1))))
    funds = compute(report)["funds"]
    levels = {b["level"]: b for b in funds["by_level"]}
    assert levels["省级"]["progress"] == "21.80"  # 43600 of 200000 (pro rata share of 196200)
    sources = {s["name"]: s for s in funds["by_source"]}
    assert list(sources) == ["中央财政资金", "地方资金", "其他资金"]
    assert sources["地方资金"]["levels"] == ["省级", "县级"]
    assert D(sources["地方资金"]["amount"]) == D("300000.00")
    assert D(sources["中央财政资金"]["paid"]) + D(sources["地方资金"]["paid"]) == D(funds["paid"])
    assert sources["其他资金"] == {"name": "其他资金", "levels": [], "amount": "0.00", "paid": "0.00",
                                "progress": None, "subset": False, "estimated": False}
    assert levels["省级"]["estimated"] is True and funds["level_estimated"] is True


def test_a_negative_payment_is_an_error_unless_marked_as_a_refund():
    report = dangshan_report()
    minus = Expenditure(project="退回多付的审核费", direction="基金监管", econ_class="购买服务", pool="当年下达",
                        paid=D("-15000.00"), paid_on=date(2024, 11, 5))
    result = compute(replace(report, expenditures=report.expenditures + (minus,)))
    finding = next(f for f in result["findings"] if f["code"] == "negative_payment")
    assert finding["severity"] == "error" and "负数" in finding["message"] and "-15,000.00" in finding["message"]
    assert finding["where"] == "expenditures[5].paid"
    refunded = compute(replace(report, expenditures=report.expenditures + (replace(minus, refund=True),)))
    assert "negative_payment" not in codes(refunded)
    assert refunded["funds"]["paid"] == "182100.00"  # 197100.00 − 15000.00: the refund reduces what was paid
    wrong_sign = compute(replace(report, expenditures=report.expenditures + (
        replace(minus, refund=True, paid=D("15000.00")),)))
    assert "refund_not_negative" in codes(wrong_sign, "warning")
