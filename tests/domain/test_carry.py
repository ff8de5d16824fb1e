from dataclasses import replace
from decimal import Decimal as D

from tests.factories import dangshan_report, fengdu_activation
from yibao_desktop.domain.calc import compute
from yibao_desktop.domain.interchange import report_from_json, report_to_json
from yibao_desktop.services.nextyear import start_from as start_next_year


def test_balances_carry_forward_exactly_per_level(demo_report):
    last = compute(demo_report)
    new = start_next_year(demo_report)
    assert new.meta.year == 2026 and new.meta.unit == demo_report.meta.unit
    assert new.expenditures == ()
    assert all(i.kind == "上年结转" for i in new.incomes)
    assert sum(i.amount for i in new.incomes) == last.funds.balance == D("158350.00")
    by_level = {b.level: b.balance for b in last.funds.by_level}
    assert {i.level: i.amount for i in new.incomes} == {k: v for k, v in by_level.items() if v > 0}
    assert all("2025年度结余结转" in i.note and "示财社" in i.note for i in new.incomes)
    result = compute(new)
    assert result.funds.carried == D("158350.00") and result.funds.allocated == 0


def test_indicators_keep_targets_clear_actuals_and_keep_baseline(demo_report):
    last = compute(demo_report)
    new = start_next_year(demo_report, 2026)
    assert [(i.name, i.nature, i.target, i.weight) for i in new.indicators] == [
        (i.name, i.nature, i.target, i.weight) for i in demo_report.indicators]
    assert all(i.actual is None and i.numerator is None and i.grade is None and i.score is None
               and i.deviation_reason == "" for i in new.indicators)
    for ind, res in zip(new.indicators, last.indicators):
        assert ind.baseline == (None if res.qualitative or res.actual is None else res.actual)
    assert new.scoring == demo_report.scoring


def test_yoy_in_compute():
    last = replace(dangshan_report(), indicators=(replace(fengdu_activation(), deviation_reason="x"),))
    new = start_next_year(last)
    assert new.indicators[0].baseline == D("44.49")
    new = replace(new, indicators=(replace(new.indicators[0], numerator=D("500000"), denominator=D("714024")),))
    result = compute(new)
    yoy = result.indicators[0].yoy
    assert (yoy.baseline, yoy.actual, yoy.change) == (D("44.49"), D("70.03"), D("25.54"))
    fy = result.funds_yoy
    assert (fy.last_year, fy.last_paid, fy.last_progress) == (2024, D("197100.00"), D("32.80"))
    assert fy.paid == 0 and fy.progress_change == D("-32.80")


def test_last_year_plans_come_back_as_a_section(demo_report):
    new = start_next_year(demo_report)
    section = new.narrative[-1]
    assert section.key == "last_year_plan" and section.heading == "六、上年计划落实情况"
    deviation = next(s for s in demo_report.narrative if s.key == "deviation")
    assert deviation.text.strip()[:20] in section.text
    assert [s.key for s in new.narrative[:-1]][:3] == ["goals", "analysis", "funds_input"]
    assert all(s.text == "" for s in new.narrative[:-1])
    # Quoting last year's figures there is not a stale-figure finding.
    assert not [f for f in compute(new).findings if f.code == "text_figure_unmatched"]


def test_previous_round_trips_through_json(demo_report):
    new = start_next_year(demo_report)
    assert report_from_json(report_to_json(new)) == new
    assert '"previous"' in report_to_json(new) and '"previous"' not in report_to_json(demo_report)
