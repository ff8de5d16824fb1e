"""`compute(report)`: the one place where every derived figure comes from (STYLE.md §15).

It returns a typed `Result` (domain/result.py). The screen, the PDF, the Excel forms and the CLI
all read it; the JSON of INTERCHANGE.md is made from it at the edge (`interchange.result_to_json`).

Parts: `funds.py` (money), `fund_operation.py` (基金运行), `indicators.py` (one row's score);
this module sums the rows into level-1 scores, the budget-execution score, the total and the
grade, and collects the findings. Every threshold and band comes from `domain.rules`.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from yibao_desktop.domain import rules
from yibao_desktop.domain.calc import funds as _funds
from yibao_desktop.domain.calc import indicators as _indicators
from yibao_desktop.domain.calc.fund_operation import fund_operation
from yibao_desktop.domain.money import ZERO, fmt_num, fmt_pct, percent
from yibao_desktop.domain.report import Report
from yibao_desktop.domain.result import (
    BudgetExecution,
    Counts,
    Finding,
    IndicatorResult,
    Level1Score,
    Location,
    Result,
)

__all__ = ["compute", "clear_caches"]

_ORDER = {"error": 0, "warning": 1, "info": 2}


def _n(value: Decimal | None) -> str:
    return "—" if value is None else fmt_num(value) or ""


def compute(report: Report) -> Result:
    """Every derived figure of the report."""
    scoring = report.scoring
    scored = scoring.scored
    funds, fund_findings = _funds.funds_of(report.meta.year, report.incomes, report.expenditures)
    findings: list[Finding] = []

    indicators: list[IndicatorResult] = []
    level1_scores: dict[str, Decimal] = {name: ZERO for name, _ in scoring.level1_weights}
    level3_weights: dict[str, Decimal] = {name: ZERO for name, _ in scoring.level1_weights}
    unknown_level1: list[str] = []
    level2_seen: dict[tuple[str, str], None] = {}
    level1_seen: dict[str, None] = {}
    quantitative = 0
    score_indicator = _indicators.score_indicator
    limit, limit_label = rules.DEVIATION_LIMIT
    for i, ind in enumerate(report.indicators):
        res, problems = score_indicator(ind, scoring)
        indicators.append(res)
        for code, severity, fld, message in problems:
            findings.append(Finding(code, severity, Location("indicators", i, fld), message))
        if len(ind.deviation_reason) > limit:
            findings.append(Finding(
                "text_too_long", "warning", Location("indicators", i, "deviation_reason"),
                f"三级指标「{ind.name}」的{limit_label}有 {len(ind.deviation_reason)} 字，超过自评表该栏 {limit} 字的限制"
                f"（表中照录全文，但预算系统可能不接受）"))
        if ind.level1 not in level1_scores:
            level1_scores[ind.level1] = ZERO
            level3_weights[ind.level1] = ZERO
            unknown_level1.append(ind.level1)
            if scored:
                findings.append(Finding(
                    "unknown_level1", "warning", Location("indicators", i, "level1"),
                    f"三级指标「{ind.name}」所属一级指标「{ind.level1}」不在评分设置的一级指标权重中"))
        if res.score is not None:
            level1_scores[ind.level1] += res.score
        level3_weights[ind.level1] += ind.weight
        level1_seen[ind.level1] = None
        level2_seen[(ind.level1, ind.level2)] = None
        if not res.qualitative:
            quantitative += 1

    rate = percent(funds.paid, funds.available)
    total_weight = rules.total_weight(scoring)
    level1: list[Level1Score] = []
    total: Decimal | None = None
    raw_total: Decimal | None = None
    cap: Decimal | None = None
    budget_score: Decimal | None = None
    grade: str | None = None
    if scored:
        for name, weight in scoring.level1_weights:
            level1.append(Level1Score(name, weight, level1_scores[name], level3_weights[name]))
            if level3_weights[name] != weight:
                findings.append(Finding(
                    "level3_weights_mismatch", "error", Location("scoring.level1_weights", None, name),
                    f"一级指标「{name}」权重 {_n(weight)} 分，其下三级指标分值合计 {_n(level3_weights[name])} 分，二者不等"))
        for name in dict.fromkeys(unknown_level1):
            level1.append(Level1Score(name, None, level1_scores[name], level3_weights[name]))
        if total_weight != rules.TOTAL_WEIGHT:
            findings.append(Finding(
                "total_weight_not_100", "error", Location("scoring"),
                f"一级指标权重与预算执行率权重合计 {_n(total_weight)} 分，应为 {_n(rules.TOTAL_WEIGHT)} 分"))
        budget_score = rules.budget_execution_score(funds.paid, funds.available, scoring.budget_execution_weight)
        raw_total = sum(level1_scores.values(), ZERO) + budget_score
        total = raw_total
        cap = rules.execution_cap(rate, scoring.profile) if scoring.execution_cap else None
        if cap is not None and total > cap:
            findings.append(Finding(
                "execution_cap_applied", "info", Location("total_score"),
                f"预算执行率 {fmt_pct(rate)}%，总分由 {fmt_pct(raw_total)} 封顶为 {fmt_pct(cap)}"))
            total = cap
        else:
            cap = None
        grade = rules.grade(total, scoring.grade_labels)

    findings.extend(fund_findings)
    fund_op, fo_findings = fund_operation(report.fund_operation)
    findings.extend(fo_findings)
    for i, typed, why in _unit_slips(report.narrative):
        heading = report.narrative[i].heading or report.narrative[i].key
        findings.append(Finding("unit_slip", "warning", Location("narrative", i, "text"),
                                f"「{heading}」中的「{typed}」：{why}"))
    yoy = _funds.funds_yoy(report.meta.previous, funds.paid, rate)
    for i, literal in _stale_figures(report, indicators, funds, fund_op, rate, yoy):
        heading = report.narrative[i].heading or report.narrative[i].key
        findings.append(Finding(
            "text_figure_unmatched", "warning", Location("narrative", i, "text"),
            f"「{heading}」中的数字「{literal}」与报告中的任何数据都对不上，可能已过时；建议改用实时字段"))

    result = Result(
        funds=funds,
        funds_yoy=yoy,
        fund_operation=fund_op,
        indicators=tuple(indicators),
        level1=tuple(level1),
        budget_execution=BudgetExecution(rate, scoring.budget_execution_weight, budget_score),
        total_score=total,
        total_before_cap=raw_total,
        cap=cap,
        grade=grade,
        counts=Counts(len(level1_seen), len(level2_seen), len(report.indicators), quantitative,
                      len(report.indicators) - quantitative),
        findings=(),
        total_weight=total_weight,
        profile=scoring.profile,
    )
    findings.extend(_long_texts(report, result))
    findings.sort(key=lambda f: _ORDER[f.severity])
    return replace(result, findings=tuple(findings))


def _long_texts(report: Report, result: Result) -> list[Finding]:
    """Form cells the budget systems limit in length, measured as the forms print them (live
    fields rendered)."""
    out = []
    for i, section in enumerate(report.narrative):
        key = section.key
        limit = rules.TEXT_LIMITS.get(key)
        if key.endswith("_issues") and key.startswith("fm_"):
            limit = (rules.TEXT_LIMITS["problems"][0], "存在问题和改进措施")
        if limit is None or not section.text:
            continue
        from yibao_desktop.domain.narrative import render

        length = len(render(section.text, report, result).strip())
        if length > limit[0]:
            heading = section.heading or limit[1]
            out.append(Finding(
                "text_too_long", "warning", Location("narrative", i, "text"),
                f"「{heading}」有 {length} 字，超过自评表“{limit[1]}”栏 {limit[0]} 字的限制（表中照录全文，"
                f"但预算系统可能不接受）"))
    return out


_stale_cache: list[Any] = [None, None]


def _stale_figures(report: Report, indicators: list[IndicatorResult], funds: Any, fund_op: Any,
                   rate: Decimal | None, yoy: Any) -> list[tuple[int, str]]:
    """Literal figures in the narrative that match no computed figure (memoised on the inputs'
    identity: the set of known figures is large on big reports)."""
    if not any(_has_digit(s.text) for s in report.narrative):
        return []
    key = (report.narrative, report.indicators, report.incomes, report.expenditures, report.fund_operation,
           funds, report.meta)
    cached = _stale_cache[0]
    if cached is not None and len(cached) == len(key) and all(a is b for a, b in zip(cached, key)):
        return _stale_cache[1]
    from yibao_desktop.domain.narrative import known_figures, stale_figures

    found = stale_figures(report, known_figures(report, funds, indicators, fund_op, rate, yoy))
    _stale_cache[0], _stale_cache[1] = key, found
    return found


_slips_cache: list[Any] = [None, None]


def _unit_slips(narrative: tuple[Any, ...]) -> list[tuple[int, str, str]]:
    """Doubled or contradicting units around live fields (memoised on the narrative's identity)."""
    if _slips_cache[0] is narrative:
        return _slips_cache[1]
    from yibao_desktop.domain.narrative import unit_slips

    found = [(i, typed, why) for i, s in enumerate(narrative) for typed, why in unit_slips(s.text)]
    _slips_cache[0], _slips_cache[1] = narrative, found
    return found


def _has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def clear_caches() -> None:
    """Forget the incremental caches (benchmarks measure cold computes with it)."""
    _funds.clear_caches()
    _indicators.clear_caches()
    _stale_cache[0] = _stale_cache[1] = None
    _slips_cache[0] = _slips_cache[1] = None
