"""Indicators: actual value, completion, met, score (DOMAIN.md §4) and their explanations.

Each row's result is memoised on the frozen (Indicator, Scoring) pair, so an edit to one row
rescores that row only.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from yibao_desktop.domain import rules
from yibao_desktop.domain.money import HUNDRED, ROUNDING, ZERO, fmt_num, fmt_pct, q2
from yibao_desktop.domain.report import QUALITATIVE, REVERSE_NATURES, Indicator, Scoring
from yibao_desktop.domain.result import Explain, IndicatorResult, Yoy
from yibao_desktop.domain.targets import describe_target, parse_target

Problem = tuple[str, str, str, str]  # (code, severity, field, message)


def _n(value: Decimal | None) -> str:
    return "—" if value is None else fmt_num(value) or ""


_PLACES = (Decimal(1), Decimal("0.1"), Decimal("0.01"))


def _actual_of(ind: Indicator, texts: bool) -> tuple[Decimal | None, str, str | None]:
    """(actual rounded to at most 2 decimals, explanation when `texts`, problem code)."""
    if ind.actual is not None:
        # Keep the typed precision (523 人次 stays "523"), never more than 2 decimals.
        exponent = ind.actual.as_tuple().exponent
        places = min(2, max(0, -exponent)) if isinstance(exponent, int) else 2
        value = ind.actual.quantize(_PLACES[places], rounding=ROUNDING)
        return value, f"实际完成值 = {_n(ind.actual)}{ind.unit}（填报）" if texts else "", None
    if ind.numerator is not None and ind.denominator is not None:
        if ind.denominator == ZERO:
            return None, "分母为 0，无法计算实际完成值", "zero_denominator"
        factor = HUNDRED if ind.unit == "%" else Decimal(1)
        value = q2(ind.numerator * factor / ind.denominator)
        if not texts:
            return value, "", None
        times = " × 100" if factor == HUNDRED else ""
        return value, (f"实际完成值 = {_n(ind.numerator)} ÷ {_n(ind.denominator)}{times} = "
                       f"{fmt_pct(value)}{ind.unit}"), None
    return None, "实际完成值未填", None


class _Quantitative:
    """The outcome of scoring a quantitative row."""

    __slots__ = ("score", "met", "completion", "overachieved", "explain_completion", "explain_score")

    def __init__(self, score: Decimal, met: bool, completion: Decimal | None, explain_completion: str,
                 explain_score: str, overachieved: bool = False):
        self.score, self.met, self.completion = score, met, completion
        self.explain_completion, self.explain_score = explain_completion, explain_score
        self.overachieved = overachieved


def _quantitative(nature: str, target: Decimal, actual: Decimal, weight: Decimal, unit: str,
                  scoring: Scoring) -> _Quantitative:
    """Score a quantitative row under DOMAIN.md §4 (decisions in docs/architecture.md), with the
    explanations (asked for lazily, for tooltips; a compute takes `_quantitative_figures`)."""
    a = max(actual, ZERO)
    w, t = _n(weight), _n(target)
    neg = "（负值按 0 计）" if actual < ZERO else ""
    if target == ZERO:
        met = a > ZERO if nature == ">" else (True if nature == "≥" else a <= ZERO)
        score = weight if met else ZERO
        return _Quantitative(q2(score), met, HUNDRED if met else ZERO,
                             f"目标值为 0：{'已达成' if met else '未达成'}",
                             f"目标值为 0，实际 {_n(a)}{neg}：{'得满分 ' + w if met else '得 0 分'}")
    if nature in REVERSE_NATURES:
        met = a <= target if nature == "≤" else a < target
        if scoring.reverse_rule == "ratio":
            completion = HUNDRED if a == ZERO else q2(target * HUNDRED / a)
            formula_c = f"完成率 = {t} ÷ {_n(a)} × 100% = {fmt_pct(completion)}%"
            raw = weight * target / a if a != ZERO else weight
            formula_s = f"得分 = {w} × {t} ÷ {_n(a)}"
        else:
            completion = q2(max(ZERO, (2 * target - a) * HUNDRED / target))
            formula_c = f"完成率 = (1 − ({_n(a)} − {t}) ÷ {t}) × 100% = {fmt_pct(completion)}%"
            raw = weight * max(ZERO, 1 - (a - target) / target)
            formula_s = f"得分 = {w} × (1 − ({_n(a)} − {t}) ÷ {t})"
        if met:
            completion = max(completion, HUNDRED) if scoring.reverse_rule == "ratio" else HUNDRED
            return _Quantitative(q2(weight), True, completion, f"实际 {_n(a)}{neg} {nature} 目标 {t}，已达成",
                                 f"已达成目标（{nature}{t}{unit}），得满分 {w}")
        score = q2(min(weight, raw))
        if scoring.reverse_rule == "linear" and a >= 2 * target:
            why = f"实际 {_n(a)} ≥ 2 × 目标 {t}，得 0 分"
        else:
            why = f"{formula_s} = {fmt_pct(score)}"
        return _Quantitative(score, False, completion, formula_c, why)
    # ≥ > =
    completion = q2(a * HUNDRED / target)
    explain_completion = f"完成率 = {_n(a)} ÷ {t} × 100% = {fmt_pct(completion)}%{neg}"
    if nature == "=":
        met = a == target
        if met:
            score = weight
        elif a < target:
            score = q2(weight * a / target)
        else:
            score = q2(weight * target / a)
    else:
        met = a >= target if nature == "≥" else a > target
        score = weight if met else q2(min(weight, weight * a / target))
    overachieved = False
    if met:
        why = f"已达成目标（{nature}{t}{unit}），得满分 {w}"
        if nature in ("≥", ">") and a >= rules.OVERACHIEVE_RATIO * target:
            overachieved = True
            if scoring.overachieve_penalty:
                score = max(ZERO, weight - rules.OVERACHIEVE_PENALTY)
                why = (f"实际 {_n(a)} ≥ 目标 {t} 的 130%（目标设置偏低），"
                       f"得分 = {w} − {_n(rules.OVERACHIEVE_PENALTY)} = {fmt_pct(score)}")
            else:
                why += f"；实际 {_n(a)} ≥ 目标 {t} 的 130%，属超额完成，须说明原因"
    elif nature == "=" and a > target:
        why = f"得分 = {w} × {t} ÷ {_n(a)} = {fmt_pct(score)}"
    else:
        why = f"得分 = {w} × {_n(a)} ÷ {t} = {fmt_pct(score)}"
    return _Quantitative(q2(score), met, completion, explain_completion, why, overachieved)


def _quantitative_figures(nature: str, target: Decimal, a: Decimal, weight: Decimal,
                          scoring: Scoring) -> _Quantitative:
    """The figures of `_quantitative` without its explanations (the cold compute's path)."""
    if target == ZERO:
        met = a > ZERO if nature == ">" else (True if nature == "≥" else a <= ZERO)
        return _Quantitative(q2(weight if met else ZERO), met, HUNDRED if met else ZERO, "", "")
    if nature in REVERSE_NATURES:
        met = a <= target if nature == "≤" else a < target
        if scoring.reverse_rule == "ratio":
            completion = HUNDRED if a == ZERO else q2(target * HUNDRED / a)
            raw = weight * target / a if a != ZERO else weight
        else:
            completion = q2(max(ZERO, (2 * target - a) * HUNDRED / target))
            raw = weight * max(ZERO, 1 - (a - target) / target)
        if met:
            completion = max(completion, HUNDRED) if scoring.reverse_rule == "ratio" else HUNDRED
            return _Quantitative(q2(weight), True, completion, "", "")
        return _Quantitative(q2(min(weight, raw)), False, completion, "", "")
    completion = q2(a * HUNDRED / target)
    if nature == "=":
        met = a == target
        score = weight if met else (q2(weight * a / target) if a < target else q2(weight * target / a))
    else:
        met = a >= target if nature == "≥" else a > target
        score = weight if met else q2(min(weight, weight * a / target))
    overachieved = met and nature in ("≥", ">") and a >= rules.OVERACHIEVE_RATIO * target
    if overachieved and scoring.overachieve_penalty:
        score = max(ZERO, weight - rules.OVERACHIEVE_PENALTY)
    return _Quantitative(q2(score), met, completion, "", "", overachieved)


@lru_cache(maxsize=8192)
def score_indicator(ind: Indicator, scoring: Scoring) -> tuple[IndicatorResult, tuple[Problem, ...]]:
    """Score one row: its result and its problems (field names relative to the row). The
    explanation is made when first read (`IndicatorResult.explain`)."""
    return _score(ind, scoring, False)


@lru_cache(maxsize=8192)
def explain_indicator(ind: Indicator, scoring: Scoring) -> Explain:
    """The formulas behind one row's figures, in Chinese."""
    return _score(ind, scoring, True)[0].explain


def _score(ind: Indicator, scoring: Scoring, texts: bool) -> tuple[IndicatorResult, tuple[Problem, ...]]:
    problems: list[Problem] = []
    label = f"三级指标「{ind.name or '（未命名）'}」"
    weight = ind.weight
    nature, target, unit = ind.nature, ind.target, ind.unit
    spec = parse_target(ind.target_text) if ind.target_text else None
    if nature is None and spec is not None and spec.ok:
        nature, target, unit = spec.nature, spec.value, unit or spec.unit
    if spec is not None and spec.ok and ind.nature is not None and (
            spec.nature != ind.nature or (spec.value is not None and spec.value != ind.target)):
        problems.append(("target_text_mismatch", "warning", "target_text",
                         f"{label}目标文字「{ind.target_text}」与填报的性质/目标值"
                         f"「{describe_target(ind.nature, ind.target, ind.unit)}」不一致"))
    target_text = ind.target_text or describe_target(nature, target, unit)

    explain_actual = explain_completion = explain_score = ""
    score = ZERO
    computed = ZERO
    met = overridden = overachieved = False
    actual: Decimal | None = None
    completion: Decimal | None = None
    band: tuple[Decimal, Decimal] | None = None

    scored = scoring.scored
    if nature == QUALITATIVE:
        if ind.grade is None:
            problems.append(("qualitative_grade_missing", "warning", "grade",
                             f"{label}为定性指标，尚未选择评级（达成／部分达成／未达成）"))
            explain_score = "定性指标未评级，得分按 0 计" if scored else "定性指标未评级"
        elif not scored:
            met = ind.grade == "达成"
            explain_score = f"定性评级「{ind.grade}」（本报告不评分）"
        else:
            lo, hi = band = rules.band(ind.grade, weight, scoring.profile)
            met = ind.grade == "达成"
            if ind.score is None:
                score = q2(weight * rules.profile(scoring.profile).defaults[ind.grade])
                problems.append(("qualitative_default_score", "info", "score",
                                 f"{label}评级「{ind.grade}」未填得分，暂按 {fmt_pct(score)} 分计"
                                 f"（区间 {fmt_pct(lo)}–{fmt_pct(hi)}）"))
                explain_score = (f"定性评级「{ind.grade}」，得分区间 {fmt_pct(lo)}–{fmt_pct(hi)}，"
                                 f"未填得分，暂按 {fmt_pct(score)} 计")
            else:
                score = ind.score
                if not lo <= ind.score <= hi:
                    problems.append(("qualitative_out_of_band", "error", "score",
                                     f"{label}评级「{ind.grade}」的得分应在 {fmt_pct(lo)}–{fmt_pct(hi)} 之间，"
                                     f"填报 {_n(ind.score)}"))
                explain_score = (f"定性评级「{ind.grade}」，得分区间 {fmt_pct(lo)}–{fmt_pct(hi)}，"
                                 f"填报得分 {_n(ind.score)}")
        computed = q2(score)
    elif nature is None or target is None:
        code = "target_unparsed" if ind.target_text else "target_missing"
        what = f"目标值「{ind.target_text}」无法识别" if ind.target_text else "未填目标值"
        problems.append((code, "error", "target_text",
                         f"{label}{what}，请写成如「≥90%」「≤10%」「0起」「有所提升」的形式"))
        explain_score = "目标值无法识别，无法计分"
    elif target < ZERO:
        problems.append(("target_negative", "error", "target",
                         f"{label}目标值 {_n(target)} 为负数，无法计分"))
        explain_score = "目标值为负数，无法计分"
    else:
        actual, explain_actual, problem = _actual_of(ind, texts)
        if problem == "zero_denominator":
            problems.append(("zero_denominator", "error", "denominator", f"{label}分母为 0，无法计算完成值"))
        if actual is None:
            if problem is None:
                problems.append(("actual_missing", "warning", "actual", f"{label}尚未填写实际完成值"))
            explain_score = "实际完成值未知，得分按 0 计"
        else:
            q = (_quantitative(nature, target, actual, weight, unit, scoring) if texts else
                 _quantitative_figures(nature, target, max(actual, ZERO), weight, scoring))
            score, met, completion, overachieved = q.score, q.met, q.completion, q.overachieved
            explain_completion, explain_score = q.explain_completion, q.explain_score
        computed = q2(score)
        if ind.score is not None and ind.score != computed and scored:  # equal to the rule: no override
            overridden = True
            if not ind.override_reason.strip():
                problems.append(("override_no_reason", "error", "override_reason",
                                 f"{label}得分被人工调整为 {_n(ind.score)}（计算得分 {fmt_pct(computed)}），"
                                 f"但未填写调整理由"))
            explain_score = (f"人工调整为 {_n(ind.score)}（按规则计算为 {fmt_pct(computed)}），"
                             f"理由：{ind.override_reason.strip() or '未填写'}")
            score = ind.score

    if scored and rules.score_out_of_range(score, weight):
        problems.append(("score_out_of_range", "error", "score",
                         f"{label}得分 {_n(score)} 超出 0–{_n(weight)} 分的范围"))
    qualitative = nature == QUALITATIVE
    yoy = None
    if ind.baseline is not None and actual is not None:
        yoy = Yoy(ind.baseline, actual, q2(actual - ind.baseline))
    unmet_known = (qualitative and ind.grade is not None and not met) or (
        not qualitative and actual is not None and not met)
    needs_reason = unmet_known or overachieved
    reason_missing = needs_reason and not ind.deviation_reason.strip()
    if reason_missing:
        if overachieved:
            why = f"实际完成值 {_n(actual)}{unit} 达到目标值 {target_text} 的 130% 及以上（超额完成）"
        elif qualitative:
            why = f"评级为「{ind.grade}」"
        else:
            why = f"实际完成值 {_n(actual)}{unit} 未达到目标值 {target_text}"
        if overachieved and not (scored and scoring.overachieve_penalty):
            # 偏离 upwards: a warning by default; with the local deduction rule it is an error.
            problems.append(("overachieved_reason_missing", "warning", "deviation_reason",
                             f"{label}{why}，应说明偏差原因（目标是否设置偏低）"))
        else:
            problems.append(("missing_deviation_reason", "error", "deviation_reason",
                             f"{label}{why}，须填写偏差原因分析及改进措施"))
    if not scored:
        score_value: Decimal | None = None
        computed_value: Decimal | None = None
    else:
        score_value, computed_value = (q2(score) if overridden else computed), computed  # unchanged unless typed over
    # Positional, in the field order (name, level1, level2, nature, target, unit, target_text,
    # weight, qualitative, actual, completion, met, computed_score, score, overridden,
    # overachieved, band, grade, needs_reason, reason_missing, baseline, yoy, source, explained):
    # 24 keywords cost half the constructor again, and this runs for every row of a cold compute.
    result = IndicatorResult(
        ind.name, ind.level1, ind.level2, nature, target, unit, target_text,
        weight, qualitative, actual, completion, met, computed_value, score_value, overridden,
        overachieved, band, ind.grade, needs_reason, reason_missing, ind.baseline, yoy,
        (ind, scoring) if not texts else None,
        Explain(explain_actual, explain_completion, explain_score) if texts else None)
    return result, tuple(problems)


def clear_caches() -> None:
    score_indicator.cache_clear()
    explain_indicator.cache_clear()
    parse_target.cache_clear()
