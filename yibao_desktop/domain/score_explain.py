"""How each figure of the 评分 tab comes about, in Chinese, with the numbers: a level-1 score from
its level-3 scores, the budget-execution score (rate × weight), and the total with its cap and
grade. Read from the compute result only (the window shows these as tooltips; nothing here is
computed anew)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from yibao_desktop.domain import formatting as fmt
from yibao_desktop.domain import rules
from yibao_desktop.domain.result import Level1Score, Result

MAX_LINES = 15  # a tooltip lists at most this many level-3 indicators


@dataclass(frozen=True)
class ScoreTexts:
    level1: dict[str, str]   # level-1 name -> how its score comes about
    weights: dict[str, str]  # level-1 name -> its weight against the level-3 weights below it
    budget: str
    total: str
    total_weight: str


def _level1_text(result: Result, level: Level1Score) -> str:
    rows = [r for r in result.indicators if r.level1 == level.name]
    weight = "未设权重" if level.weight is None else f"权重 {fmt.number(level.weight)} 分"
    head = f"「{level.name}」得分 {fmt.score(level.score)} 分（{weight}）"
    if not rows:
        return f"{head}\n其下还没有三级指标。"
    lines = [head, f"= 其下 {len(rows)} 个三级指标得分之和："]
    for r in rows[:MAX_LINES]:
        scored = fmt.score(r.score) if r.score is not None else "未得分"
        lines.append(f"　{r.name}　{scored}（分值 {fmt.number(r.weight)}）")
    if len(rows) > MAX_LINES:
        lines.append(f"　……另有 {len(rows) - MAX_LINES} 个")
    terms = " + ".join(fmt.score(r.score) for r in rows if r.score is not None)
    if terms and len(rows) <= MAX_LINES:
        lines.append(f"= {terms} = {fmt.score(level.score)}")
    if level.weight is not None and level.score < level.weight:
        lines.append(f"失分 {fmt.score(level.weight - level.score)} 分")
    return "\n".join(lines)


def _weight_text(level: Level1Score) -> str:
    if level.weight is None:
        return (f"「{level.name}」不在评分设置的一级指标中，其下三级指标分值合计 {fmt.number(level.indicator_weight)} 分；"
                "请在三级指标中改用已有的一级指标名称，或在此添加")
    same = level.indicator_weight == level.weight
    return (f"「{level.name}」权重 {fmt.number(level.weight)} 分，其下三级指标分值合计 {fmt.number(level.indicator_weight)} 分"
            + ("，二者相等" if same else "，二者不等：请调整三级指标分值或本权重"))


def _budget_text(result: Result) -> str:
    be, funds = result.budget_execution, result.funds
    if be.rate is None:
        return (f"可用资金为 {fmt.yuan(funds.available)} 元，预算执行率无法计算\n"
                f"预算执行率得分 = {fmt.score(be.score)} 分（分值 {fmt.number(be.weight)}）")
    used = "100.00%（执行率超过 100% 按 100% 计）" if be.rate > 100 else fmt.pct(be.rate)
    return (f"预算执行率 = 已支出 {fmt.yuan(funds.paid)} 元 ÷ 可用资金 {fmt.yuan(funds.available)} 元 = {fmt.pct(be.rate)}\n"
            f"预算执行率得分 = 执行率 {used} × 分值 {fmt.number(be.weight)} = {fmt.score(be.score)} 分")


def _total_text(result: Result, grade_labels: Sequence[str]) -> str:
    be = result.budget_execution
    terms = [f"{fmt.score(level.score)}（{level.name}）" for level in result.level1]
    terms.append(f"{fmt.score(be.score)}（预算执行率）")
    lines = ["总分 = 各一级指标得分 + 预算执行率得分", f"= {' + '.join(terms)}",
             f"= {fmt.score(result.total_before_cap)} 分"]
    if result.cap is not None:
        lines.append(f"预算执行率 {fmt.pct(be.rate)}，总分封顶为 {fmt.score(result.cap)} 分")
    bounds = "，".join(f"{bound} {label}" for label, bound in rules.grade_bounds_text(grade_labels))
    lines.append(f"等级「{fmt.label(result.grade)}」（{bounds}）")
    return "\n".join(lines)


def score_texts(result: Result, grade_labels: Sequence[str]) -> ScoreTexts:
    """Every tooltip of the 评分 tab's score table; a report without scores says so."""
    if result.total_score is None:
        none = "本报告不评分（见“评分规则”中的“是否评分”）"
        return ScoreTexts({}, {}, none, none, none)
    total_weight = (f"一级指标权重与预算执行率权重之和 = "
                    f"{' + '.join(fmt.number(level.weight) for level in result.level1 if level.weight is not None)}"
                    f" + {fmt.number(result.budget_execution.weight)} = {fmt.number(result.total_weight)} 分"
                    f"（应为 {fmt.number(rules.TOTAL_WEIGHT)} 分）")
    return ScoreTexts(
        level1={level.name: _level1_text(result, level) for level in result.level1},
        weights={level.name: _weight_text(level) for level in result.level1},
        budget=_budget_text(result),
        total=_total_text(result, grade_labels),
        total_weight=total_weight,
    )
