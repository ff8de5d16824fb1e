"""What real reports and official forms need beyond the derivation (issue: numbers a county can
sign). Figures are made up in the shape of the published reports; the held-out reports stay out."""

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.domain.test_calc import codes, compute, row, score_of
from tests.factories import dangshan_report
from yibao_desktop.domain import calc, rules
from yibao_desktop.domain.forms import build_forms, default_forms
from yibao_desktop.domain.report import (
    LEVELS,
    Expenditure,
    FundOperation,
    FundOpLine,
    Income,
    Meta,
    Scoring,
    Section,
)


def form_texts(report, key="transfer"):
    from yibao_desktop.templates import form_names

    form, = build_forms(report, calc.compute(report), form_names(report.meta), (key,))
    return [c.text for c in form.cells]


def stale(report, text):
    """The literals of `text` the text check calls stale."""
    result = calc.compute(replace(report, narrative=(Section("funds_input", "（一）资金投入情况", text),)))
    return [f.message.split("「")[2].split("」")[0] for f in result.findings if f.code == "text_figure_unmatched"]


def resident_report():
    """A 居民医保 fund-operation block in deficit: 43,457.50万 in, 61,783.43万 out."""
    return replace(dangshan_report(), meta=Meta(unit="某市医疗保障局", year=2023, fund_type="resident_insurance"),
                   fund_operation=FundOperation(
                       income=(FundOpLine("个人缴费", None, D("123456789.00")),
                               FundOpLine("财政补助", None, D("311118211.00"))),
                       expense=(FundOpLine("住院待遇支出", None, D("500000000.00")),
                                FundOpLine("门诊待遇支出", None, D("117834300.00")))))


# ---------------------------------------------------------------------------------- 1. text figures


def test_one_decimal_and_separators_and_full_width_digits_are_known():
    report = dangshan_report()  # 60.09万元 available, 19.71万元 paid, progress 32.80%
    assert stale(report, "资金合计60.1万元，支出19.7万元，进度32.8%，合计60万元。") == []
    assert stale(report, "资金合计600,900.00元，即 ６０.０９万元，支出197,100元。") == []
    assert stale(report, "资金合计60.09万元，另有旧数字60.19万元。") == ["60.19万元"]


def test_fund_operation_lines_negative_balances_and_yi_are_known():
    report = resident_report()
    result = calc.compute(report)
    assert result.fund_operation.year_balance == D("-183259300.00")
    assert stale(report, "住院待遇支出50000万元、门诊待遇支出11783.43万元，合计61,783.43万元，"
                         "当年收支结余-18325.93万元，当期收不抵支18325.93万元，收不抵支约1.83亿元，赤字18,325.9万元。") == []
    assert stale(report, "当年结余18325.93万元，支出6.18亿元。") == ["18325.93万元"]  # a surplus it is not
    assert stale(report, "收入4.35亿元，基金赤字9999.99万元。") == ["赤字9999.99万元"]


def test_a_stale_figure_is_a_warning_told_first_before_signing():
    report = replace(dangshan_report(), narrative=(Section("funds_input", "（一）资金投入情况", "资金合计55.5万元。"),))
    result = calc.compute(report)
    finding = next(f for f in result.findings if f.code == "text_figure_unmatched")
    assert finding.severity == "warning"
    warnings = rules.final_warnings(result)
    assert warnings[0] == finding.message and len(warnings) == len(result.by_severity("warning"))


# ---------------------------------------------------------------------------------- 2. charged level


def leveled_report(levels):
    """Income at three levels in the current pool; one paid line per entry of `levels`."""
    incomes = (Income(level="中央", kind="当年下达", amount=D("600000.00"), date=date(2024, 3, 1)),
               Income(level="省级", kind="当年下达", amount=D("200000.00"), date=date(2024, 4, 1)),
               Income(level="县级", kind="本级配套", amount=D("100000.00"), date=date(2024, 5, 1)))
    lines = tuple(Expenditure(project=f"项目{i}", direction="其他", econ_class="其他", pool="当年下达",
                              level=level, budget=D("10000.00"), paid=D("10000.00"), paid_on=date(2024, 6, 1))
                  for i, level in enumerate(levels))
    return replace(dangshan_report(), incomes=incomes, expenditures=lines)


def test_charged_lines_give_exact_per_level_figures():
    funds = calc.compute(leveled_report(["中央", "中央", "县级"])).funds
    by_level = {b.level: b for b in funds.by_level}
    assert (by_level["中央"].paid, by_level["省级"].paid, by_level["县级"].paid) == (
        D("20000.00"), D("0.00"), D("10000.00"))
    assert not funds.level_estimated and not any(b.estimated for b in funds.by_level)
    sources = {s.name: s for s in funds.by_source}
    assert sources["中央财政资金"].paid == D("20000.00") and sources["地方资金"].paid == D("10000.00")
    assert not any(s.estimated for s in sources.values())


def test_an_unleveled_paid_line_is_a_level_estimated_warning():
    result = calc.compute(leveled_report(["中央", None]))
    assert result.funds.level_estimated
    finding = next(f for f in result.findings if f.code == "level_estimated")
    assert finding.severity == "warning" and "1 笔支出未填资金级次" in finding.message
    # The forms mark the per-level rows as an estimate.
    assert any("按比例估算" in t for t in form_texts(leveled_report(["中央", None])))
    assert not any("按比例估算" in t for t in form_texts(leveled_report(["中央", "县级"])))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["中央", "省级", "县级"]), min_size=1, max_size=12),
       st.lists(st.integers(1, 5_000_000), min_size=12, max_size=12))
def test_property_fully_leveled_per_level_paid_adds_up_to_each_pool(levels, cents):
    report = leveled_report(levels)
    report = replace(report, expenditures=tuple(
        replace(e, paid=D(c) / 100, budget=D(c) / 100) for e, c in zip(report.expenditures, cents)))
    funds = calc.compute(report).funds
    assert sum((b.paid for b in funds.by_level), D(0)) == funds.paid
    assert sum((s.paid for s in funds.by_source if not s.subset), D(0)) == funds.paid
    for level in LEVELS:
        expected = sum((e.paid for e in report.expenditures if e.level == level), D(0))
        got = next((b.paid for b in funds.by_level if b.level == level), D(0))
        assert got == expected


def test_next_year_carries_balances_by_exact_level():
    from yibao_desktop.services.nextyear import start_from

    new = start_from(leveled_report(["县级", "县级", "中央"]))
    carried = {i.level: i.amount for i in new.incomes}
    assert carried == {"中央": D("590000.00"), "省级": D("200000.00"), "县级": D("80000.00")}
    assert all(i.kind == "上年结转" for i in new.incomes)


# ---------------------------------------------------------------------------------- 3. 彩票公益金


def assistance(lottery_amount):
    incomes = [Income(level="中央", kind="当年下达", amount=D("3000000.00"), date=date(2024, 3, 1)),
               Income(level="县级", kind="本级配套", amount=D("500000.00"), date=date(2024, 3, 1))]
    if lottery_amount:
        incomes.append(Income(level="省级", kind="当年下达", amount=D(lottery_amount), lottery=True,
                              date=date(2024, 6, 1)))
    return replace(dangshan_report(), meta=Meta(unit="某县医疗保障局", year=2024, fund_type="medical_assistance"),
                   incomes=tuple(incomes), expenditures=())


def test_lottery_income_is_a_subset_row_of_the_transfer_form():
    funds = calc.compute(assistance("1000000.00")).funds
    lottery = next(s for s in funds.by_source if s.name == "彩票公益金")
    assert lottery.subset and lottery.amount == D("1000000.00")
    assert sum((s.amount for s in funds.by_source if not s.subset), D(0)) == funds.available == D("4500000.00")
    # Medical assistance always shows the row; other fund types only when there is lottery money.
    assert "其中：彩票公益金" in form_texts(assistance("1000000.00"))
    assert "其中：彩票公益金" in form_texts(assistance(None))
    assert not any(s.name == "彩票公益金" for s in calc.compute(dangshan_report()).funds.by_source)
    assert "其中：彩票公益金" not in form_texts(dangshan_report())
    capacity = replace(dangshan_report(), incomes=dangshan_report().incomes + (
        Income(level="省级", kind="当年下达", amount=D("1000.00"), lottery=True),))
    # Dangshan's lines name no level, so the per-level rows (this one too) are marked as estimated.
    assert "其中：彩票公益金（按比例估算）" in form_texts(capacity)


# ---------------------------------------------------------------------------------- 4. no scores


def test_a_report_without_scores_needs_no_weights():
    weighted = replace(dangshan_report(), indicators=(row("≥", "90", "95"),),
                       scoring=Scoring(level1_weights=(("产出指标", D("30")),)))
    assert {"total_weight_not_100", "level3_weights_mismatch"} & set(codes(compute(weighted)))
    plain = replace(weighted, scoring=replace(weighted.scoring, scored=False))
    result = compute(plain)
    assert not {"total_weight_not_100", "level3_weights_mismatch"} & set(codes(result))
    assert result["total_score"] is None and result["grade"] is None
    assert result["indicators"][0]["score"] is None and result["indicators"][0]["completion"] == "105.56"
    assert default_forms(plain) == ("transfer",) and default_forms(weighted) == ("project", "transfer")


# ---------------------------------------------------------------------------------- 5. over-achievement


def test_over_130_percent_needs_a_reason_as_a_warning():
    res, result = score_of(row("≥", "50000", "110406", unit="人次"))
    assert res["completion"] == "220.81" and res["overachieved"] is True and res["score"] == "10.00"
    finding = next(f for f in result["findings"] if f["code"] == "overachieved_reason_missing")
    assert finding["severity"] == "warning"
    _, result = score_of(row("≥", "50000", "110406", unit="人次", deviation_reason="目标设置偏低，下年度调高"))
    assert "overachieved_reason_missing" not in codes(result)
    _, result = score_of(row("≥", "50000", "64999", unit="人次"))  # 129.998%: not a 偏离
    assert "overachieved_reason_missing" not in codes(result)


# ---------------------------------------------------------------------------------- 6. profiles


@pytest.mark.parametrize("profile, grade, score, in_band", [
    ("national", "部分达成", "6", True), ("national", "部分达成", "5.5", False),
    ("bands_80_50", "部分达成", "5", True), ("bands_80_50", "部分达成", "4.99", False),
    ("bands_80_50", "未达成", "5", True), ("national", "未达成", "5.5", True), ("national", "未达成", "6.01", False),
])
def test_band_edges_come_from_the_profile(profile, grade, score, in_band):
    res, result = score_of(row("定性", None, None, unit="", grade=grade, score=D(score), deviation_reason="原因"),
                           profile=profile)
    assert ("qualitative_out_of_band" not in codes(result)) is in_band


def test_profile_default_scores_and_method_sentence():
    res, _ = score_of(row("定性", None, None, unit="", grade="部分达成", deviation_reason="x"), profile="bands_80_50")
    assert res["band"] == ["5.00", "8.00"] and res["score"] == "6.50"
    assert rules.band_text("bands_80_50") == "达成 80%–100%、部分达成 50%–80%、未达成 0–50%"
    assert rules.profile("provincial_20_40_40").budget_weight == D(20)


# ---------------------------------------------------------------------------------- 7. length limits


def test_form_text_longer_than_its_cell_limit_is_a_warning():
    ok = replace(dangshan_report(), narrative=(Section("conclusion", "评价结论", "好" * 200),))
    assert "text_too_long" not in {f.code for f in calc.compute(ok).findings}
    long = replace(ok, narrative=(Section("conclusion", "评价结论", "好" * 201),
                                  Section("overall_goal", "目标完成情况", "完" * 101)))
    found = [f for f in calc.compute(long).findings if f.code == "text_too_long"]
    assert [(f.severity, str(f.where)) for f in found] == [("warning", "narrative[0].text"),
                                                           ("warning", "narrative[1].text")]
    assert "201 字" in found[0].message and "200 字" in found[0].message


# ---------------------------------------------------------------------------------- 8. overrides


def test_a_typed_score_equal_to_the_rule_is_not_an_override():
    res, result = score_of(row("≥", "90", "45", score=D("5.00")))
    assert res["computed_score"] == "5.00" and res["overridden"] is False
    assert "override_no_reason" not in codes(result)
    res, result = score_of(row("≥", "90", "45", score=D("5.01")))
    assert res["overridden"] is True and "override_no_reason" in codes(result, "error")


def test_next_year_says_when_a_carried_level_balance_was_estimated():
    from yibao_desktop.services.nextyear import start_from

    new = start_from(leveled_report(["县级", None]))
    notes = {i.level: i.note for i in new.incomes}
    assert sum((i.amount for i in new.incomes), D(0)) == D("880000.00")
    assert all("按比例估算" in n for n in notes.values())
    exact = start_from(leveled_report(["县级", "中央"]))
    assert not any("按比例估算" in i.note for i in exact.incomes)
