"""The 评分 tab's tooltips explain each figure with its numbers, from the compute result (issue 13,
item 14)."""

from dataclasses import replace
from decimal import Decimal as D

from yibao_desktop.domain import formatting as fmt
from yibao_desktop.domain.calc import compute
from yibao_desktop.domain.score_explain import score_texts


def test_each_level1_score_lists_its_indicators_and_adds_up(demo_report):
    result = compute(demo_report)
    texts = score_texts(result, demo_report.scoring.grade_labels)
    for level in result.level1:
        text = texts.level1[level.name]
        assert text.startswith(f"「{level.name}」得分 {fmt.score(level.score)} 分（权重 {fmt.number(level.weight)} 分）")
        rows = [r for r in result.indicators if r.level1 == level.name]
        assert all(r.name in text for r in rows[:15])
        assert text.count("（分值 ") == min(len(rows), 15)
        assert f"= {fmt.score(level.score)}" in text
        assert texts.weights[level.name].endswith("二者相等")
    assert texts.level1["产出指标"] != "产出指标"  # not the column's name again


def test_budget_execution_is_rate_times_weight_with_the_numbers(demo_report):
    result = compute(demo_report)
    be, funds = result.budget_execution, result.funds
    text = score_texts(result, demo_report.scoring.grade_labels).budget
    assert f"已支出 {fmt.yuan(funds.paid)} 元 ÷ 可用资金 {fmt.yuan(funds.available)} 元 = {fmt.pct(be.rate)}" in text
    assert f"执行率 {fmt.pct(be.rate)} × 分值 {fmt.number(be.weight)} = {fmt.score(be.score)} 分" in text


def test_over_100_percent_counts_as_100(demo_report):
    first = demo_report.expenditures[0]
    report = replace(demo_report, expenditures=demo_report.expenditures + (
        replace(first, project="追加支出", paid=D("99999999.00")),))
    result = compute(report)
    assert result.budget_execution.rate > 100
    text = score_texts(result, report.scoring.grade_labels).budget
    assert "执行率 100.00%（执行率超过 100% 按 100% 计）" in text
    assert text.endswith(f"= {fmt.score(result.budget_execution.score)} 分")


def test_the_total_adds_every_part_and_names_the_grade(demo_report):
    result = compute(demo_report)
    text = score_texts(result, demo_report.scoring.grade_labels).total
    parts = [fmt.score(level.score) for level in result.level1] + [fmt.score(result.budget_execution.score)]
    assert all(p in text for p in parts)
    assert f"= {fmt.score(result.total_score)} 分" in text
    assert f"等级「{result.grade}」（≥90 优，80–90 良，60–80 中，<60 差）" in text
    capped = replace(demo_report, scoring=replace(demo_report.scoring, execution_cap=True))
    capped_result = compute(capped)
    assert capped_result.cap is not None  # the demo's 79.30% caps its 94.61 at 89
    assert f"总分封顶为 {fmt.score(capped_result.cap)} 分" in score_texts(capped_result, capped.scoring.grade_labels).total


def test_a_report_without_scores_says_so(demo_report):
    report = replace(demo_report, scoring=replace(demo_report.scoring, scored=False))
    texts = score_texts(compute(report), report.scoring.grade_labels)
    assert texts.total.startswith("本报告不评分") and texts.budget == texts.total and not texts.level1
