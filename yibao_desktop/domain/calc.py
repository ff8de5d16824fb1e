"""`compute(report)`: the one place where every derived figure comes from (STYLE.md §15).

The screen, the PDF, the Excel tables and the CLI all read its result. The result is plain JSON
data (strings for Decimal values, INTERCHANGE.md "compute output"); treat it as read-only.

Speed: the funds part is cached on the identity of the income and expenditure tuples, and each
indicator's result is cached on the (frozen) indicator and scoring objects, so an edit to one
indicator recomputes only that indicator and the sums over the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from yibao_desktop.domain.money import (
    HUNDRED,
    ROUNDING,
    ZERO,
    fmt_money,
    fmt_num,
    fmt_pct,
    percent,
    q2,
    shares,
)
from yibao_desktop.domain.report import (
    LEVELS,
    QUALITATIVE,
    REVERSE_NATURES,
    Expenditure,
    FundOperation,
    Income,
    Indicator,
    Report,
    Scoring,
    pool_of_kind,
)
from yibao_desktop.domain.targets import describe_target, parse_target

LOW_PROGRESS_THRESHOLD = Decimal("90")
SIZE_BUCKETS = (
    ("1万元以下", Decimal("10000")),
    ("1万至10万元", Decimal("100000")),
    ("10万元及以上", None),
)
LARGE_PROJECT = Decimal("100000")
UNNAMED = "（未命名项目）"
# 定性 bands as fractions of the weight; the edges belong to both neighbouring bands.
QUALITATIVE_BANDS = {
    "达成": (Decimal("0.8"), Decimal("1")),
    "部分达成": (Decimal("0.6"), Decimal("0.8")),
    "未达成": (Decimal("0"), Decimal("0.6")),
}
# Default score when a 定性 row has a grade but no score typed: top of 达成, middle of the others.
QUALITATIVE_DEFAULT = {"达成": Decimal("1"), "部分达成": Decimal("0.7"), "未达成": Decimal("0.3")}
OVERACHIEVE_RATIO = Decimal("1.3")
OVERACHIEVE_PENALTY = Decimal("2")
# Execution-rate cap on the total (rate below bound -> total at most cap), checked in order.
EXECUTION_CAPS = (
    (Decimal("50"), Decimal("59")),
    (Decimal("60"), Decimal("69")),
    (Decimal("70"), Decimal("79")),
    (Decimal("80"), Decimal("89")),
)
GRADE_BOUNDS = (Decimal("90"), Decimal("80"), Decimal("60"))


def _finding(code: str, severity: str, where: str, message: str) -> dict[str, str]:
    return {"code": code, "severity": severity, "where": where, "message": message}


def _yuan(value: Decimal) -> str:
    return f"{fmt_money(value)} 元"


def _n(value: Decimal | None) -> str:
    return "—" if value is None else fmt_num(value) or ""


# ---------------------------------------------------------------------------------------- funds


def _breakdown(amounts: dict[str, Decimal], projects: dict[str, dict[str, None]]) -> list[dict[str, Any]]:
    names = list(amounts)
    values = [amounts[n] for n in names]
    return [
        {"name": n, "count": len(projects[n]), "amount": fmt_money(a), "share": fmt_pct(s)}
        for n, a, s in zip(names, values, shares(values))
    ]


def _attribute_by_level(incomes: tuple[Income, ...], paid_by_pool: dict[str, Decimal]) -> list[dict[str, str]]:
    """Income, paid and balance per level. Expenditure lines name a pool, not a level, so the paid
    amount of each pool is attributed to the levels pro rata to their income in that pool,
    in whole 分 by the largest-remainder method."""
    income = {(lvl, pool): ZERO for lvl in LEVELS for pool in paid_by_pool}
    for line in incomes:
        key = (line.level, pool_of_kind(line.kind))
        income[key] = income.get(key, ZERO) + line.amount
    paid = {key: ZERO for key in income}
    for pool, pool_paid in paid_by_pool.items():
        keys = [k for k in income if k[1] == pool and income[k] != ZERO]
        if not keys:
            continue
        pool_income = sum((income[k] for k in keys), ZERO)
        cents = int(pool_paid * 100)
        exact = [Decimal(cents) * income[k] / pool_income for k in keys]
        base = [int(e) for e in exact]
        order = sorted(range(len(keys)), key=lambda i: (-(exact[i] - base[i]), i))
        for i in order[: cents - sum(base)]:
            base[i] += 1
        for k, c in zip(keys, base):
            paid[k] = Decimal(c) / 100
    out = []
    for lvl in LEVELS:
        amount = sum((v for (l, _), v in income.items() if l == lvl), ZERO)
        if amount == ZERO:
            continue
        lvl_paid = sum((v for (l, _), v in paid.items() if l == lvl), ZERO)
        out.append({"level": lvl, "amount": fmt_money(amount), "paid": fmt_money(lvl_paid),
                    "balance": fmt_money(amount - lvl_paid), "progress": fmt_pct(percent(lvl_paid, amount))})
    return out


# The 2024 transfer-payment form groups the levels into three sources.
SOURCES = (("中央财政资金", ("中央",)), ("地方资金", ("省级", "市级", "县级")), ("其他资金", ("其他",)))


def _by_source(by_level: list[dict[str, str]]) -> list[dict[str, Any]]:
    levels = {b["level"]: b for b in by_level}
    out = []
    for name, members in SOURCES:
        present = [levels[m] for m in members if m in levels]
        amount = sum((Decimal(b["amount"]) for b in present), ZERO)
        paid = sum((Decimal(b["paid"]) for b in present), ZERO)
        out.append({"name": name, "levels": [b["level"] for b in present], "amount": fmt_money(amount),
                    "paid": fmt_money(paid), "progress": fmt_pct(percent(paid, amount))})
    return out


@dataclass
class _Partial:
    """Aggregates of one block of expenditure lines (findings carry block-local indices)."""

    paid_carried: Decimal
    paid_allocated: Decimal
    directions: dict[str, Decimal]
    direction_projects: dict[str, dict[str, None]]
    econ: dict[str, Decimal]
    econ_projects: dict[str, dict[str, None]]
    projects: dict[str, Decimal]
    months: list[Decimal]
    findings: list[tuple[int, str, str, str, str]]  # (local index, code, severity, field, message)


def _block_partial(year: int, block: tuple[Expenditure, ...]) -> _Partial:
    carried = allocated = ZERO
    directions: dict[str, Decimal] = {}
    direction_projects: dict[str, dict[str, None]] = {}
    econ: dict[str, Decimal] = {}
    econ_projects: dict[str, dict[str, None]] = {}
    projects: dict[str, Decimal] = {}
    months = [ZERO] * 13
    findings: list[tuple[int, str, str, str, str]] = []
    for j, ex in enumerate(block):
        paid = ex.paid
        if ex.pool == "上年结转":
            carried += paid
        else:
            allocated += paid
        # An unnamed line is a project of its own; its key must not depend on its position.
        key: Any = ex.project or (UNNAMED, id(ex))
        name = ex.project or UNNAMED
        d = ex.direction or "未分类"
        if d in directions:
            directions[d] += paid
            direction_projects[d][key] = None
        else:
            directions[d] = paid
            direction_projects[d] = {key: None}
        e = ex.econ_class or "未分类"
        if e in econ:
            econ[e] += paid
            econ_projects[e][key] = None
        else:
            econ[e] = paid
            econ_projects[e] = {key: None}
        projects[key] = projects[key] + paid if key in projects else paid
        day = ex.paid_on
        if day is None:
            if paid:
                findings.append((j, "paid_date_missing", "warning", "paid_on",
                                 f"支出「{name}」已支付 {_yuan(paid)}，但未填支付日期，无法计入月度进度"))
        elif day.year != year:
            findings.append((j, "date_outside_year", "warning", "paid_on",
                             f"支出「{name}」支付日期 {day.isoformat()} 不在报告年度 {year} 年内"))
        else:
            months[day.month] += paid
        budget = ex.budget
        if budget is not None and paid > budget:
            findings.append((j, "paid_over_budget", "warning", "paid",
                             f"支出「{name}」支付金额 {_yuan(paid)} 超过其预算 {_yuan(budget)}"))
    return _Partial(carried, allocated, directions, direction_projects, econ, econ_projects, projects,
                    months, findings)


# Blocks end after a line whose object identity satisfies (id >> 4) % BLOCK_SPLIT == 0
# (content-defined: inserting or deleting a line disturbs one block only; BLOCK_SPLIT is prime so
# that objects allocated at a regular stride still spread), or after BLOCK_MAX lines.
BLOCK_SPLIT = 61
BLOCK_MAX = 256
_block_cache: dict[tuple[int, int, int, int], tuple[tuple[Expenditure, ...], _Partial]] = {}


def _blocks(expenditures: tuple[Expenditure, ...]):
    n = len(expenditures)
    cuts = [i + 1 for i, v in enumerate(map(id, expenditures)) if (v >> 4) % BLOCK_SPLIT == 0]
    if not cuts or cuts[-1] != n:
        cuts.append(n)
    start = 0
    for end in cuts:
        while end - start > BLOCK_MAX:
            yield start, expenditures[start: start + BLOCK_MAX]
            start += BLOCK_MAX
        if end > start:
            yield start, expenditures[start:end]
        start = end


def _partials(year: int, expenditures: tuple[Expenditure, ...]) -> list[tuple[int, _Partial]]:
    global _block_cache
    fresh: dict[tuple[int, int, int, int], tuple[tuple[Expenditure, ...], _Partial]] = {}
    out = []
    for start, block in _blocks(expenditures):
        key = (year, id(block[0]), id(block[-1]), len(block))
        hit = _block_cache.get(key)
        # Tuple equality short-cuts on identical elements, so this check is cheap.
        if hit is not None and hit[0] == block:
            partial = hit[1]
        else:
            partial = _block_partial(year, block)
        fresh[key] = (block, partial)
        out.append((start, partial))
    _block_cache = fresh
    return out


def _funds(year: int, incomes: tuple[Income, ...], expenditures: tuple[Expenditure, ...]):
    findings: list[dict[str, str]] = []
    carried = allocated = ZERO
    for i, inc in enumerate(incomes):
        if pool_of_kind(inc.kind) == "上年结转":
            carried += inc.amount
        else:
            allocated += inc.amount
            if inc.date is not None and inc.date.year != year:
                findings.append(_finding(
                    "date_outside_year", "warning", f"incomes[{i}].date",
                    f"第 {i + 1} 笔资金来源（{inc.kind}）下达日期 {inc.date.isoformat()} 不在报告年度 {year} 年内"))
    available = carried + allocated

    paid_pool = {"上年结转": ZERO, "当年下达": ZERO}
    directions: dict[str, Decimal] = {}
    direction_projects: dict[str, dict[str, None]] = {}
    econ: dict[str, Decimal] = {}
    econ_projects: dict[str, dict[str, None]] = {}
    projects: dict[str, Decimal] = {}
    month_paid = [ZERO] * 13
    for start, part in _partials(year, expenditures):
        paid_pool["上年结转"] += part.paid_carried
        paid_pool["当年下达"] += part.paid_allocated
        for amounts, members, p_amounts, p_members in (
                (directions, direction_projects, part.directions, part.direction_projects),
                (econ, econ_projects, part.econ, part.econ_projects)):
            for name, amount in p_amounts.items():
                if name in amounts:
                    amounts[name] += amount
                    members[name].update(p_members[name])
                else:
                    amounts[name] = amount
                    members[name] = dict(p_members[name])
        for name, amount in part.projects.items():
            projects[name] = projects[name] + amount if name in projects else amount
        for m in range(1, 13):
            month_paid[m] += part.months[m]
        for j, code, severity, fld, message in part.findings:
            findings.append(_finding(code, severity, f"expenditures[{start + j}].{fld}", message))

    paid_total = paid_pool["上年结转"] + paid_pool["当年下达"]
    if paid_total > available:
        findings.append(_finding(
            "paid_over_available", "error", "funds.paid",
            f"支出合计 {_yuan(paid_total)} 超过可用资金合计 {_yuan(available)}"))
    for pool, income_amount in (("上年结转", carried), ("当年下达", allocated)):
        if paid_pool[pool] > income_amount:
            findings.append(_finding(
                "paid_over_pool", "error", "funds.paid_carried" if pool == "上年结转" else "funds.paid_allocated",
                f"{pool}资金支出 {_yuan(paid_pool[pool])} 超过{pool}资金收入 {_yuan(income_amount)}"))
    progress = percent(paid_total, available)
    if progress is not None and progress < LOW_PROGRESS_THRESHOLD:
        findings.append(_finding(
            "low_progress", "warning", "funds.progress",
            f"资金支出进度 {fmt_pct(progress)}% 低于 {fmt_pct(LOW_PROGRESS_THRESHOLD)}% 的要求"))

    size_amounts = {label: ZERO for label, _ in SIZE_BUCKETS}
    size_projects: dict[str, dict[str, None]] = {label: {} for label, _ in SIZE_BUCKETS}
    small, large_bound = SIZE_BUCKETS[0][1], SIZE_BUCKETS[1][1]
    labels = [label for label, _ in SIZE_BUCKETS]
    large_items = []
    for name, amount in projects.items():
        label = labels[0] if amount < small else labels[1] if amount < large_bound else labels[2]
        size_amounts[label] += amount
        size_projects[label][name] = None
        if amount >= LARGE_PROJECT:
            large_items.append((name, amount))
    large_items.sort(key=lambda item: -item[1])
    large = [{"project": name if isinstance(name, str) else UNNAMED, "paid": fmt_money(amount)}
             for name, amount in large_items]

    monthly = []
    cumulative = ZERO
    for m in range(1, 13):
        cumulative += month_paid[m]
        monthly.append({
            "month": m, "paid": fmt_money(month_paid[m]), "cumulative": fmt_money(cumulative),
            "progress": fmt_pct(percent(cumulative, available)),
            "schedule": fmt_pct(q2(Decimal(m) * HUNDRED / 12)),
        })

    by_level = _attribute_by_level(incomes, paid_pool)
    funds = {
        "available": fmt_money(available), "carried": fmt_money(carried), "allocated": fmt_money(allocated),
        "paid": fmt_money(paid_total), "paid_carried": fmt_money(paid_pool["上年结转"]),
        "paid_allocated": fmt_money(paid_pool["当年下达"]), "balance": fmt_money(available - paid_total),
        "balance_carried": fmt_money(carried - paid_pool["上年结转"]),
        "balance_allocated": fmt_money(allocated - paid_pool["当年下达"]),
        "progress": fmt_pct(progress),
        "progress_carried": fmt_pct(percent(paid_pool["上年结转"], carried)),
        "progress_allocated": fmt_pct(percent(paid_pool["当年下达"], allocated)),
        "by_direction": _breakdown(directions, direction_projects),
        "by_size": _breakdown(size_amounts, size_projects),
        "by_econ_class": _breakdown(econ, econ_projects),
        "large_projects": large,
        "by_level": by_level,
        "by_source": _by_source(by_level),
        "monthly": monthly,
        "project_count": len(projects),
    }
    return funds, findings, paid_total, available


_funds_cache: list[Any] = [None, None]


def _funds_cached(report: Report):
    """The whole funds result is reused while year, incomes and expenditures are the same objects."""
    key = (report.meta.year, report.incomes, report.expenditures)
    cached_key = _funds_cache[0]
    if (cached_key is not None and cached_key[0] == key[0] and cached_key[1] is key[1]
            and cached_key[2] is key[2]):
        return _funds_cache[1]
    result = _funds(*key)
    _funds_cache[0], _funds_cache[1] = key, result
    return result


# ------------------------------------------------------------------------------ fund operation


def _fund_operation(fo: FundOperation | None):
    if fo is None:
        return None, []
    findings = []
    out: dict[str, Any] = {}
    totals = {}
    for side, label in (("income", "收入"), ("expense", "支出")):
        lines = getattr(fo, side)
        line_sum = sum((l.actual for l in lines), ZERO)
        typed = getattr(fo, f"{side}_total")
        total = typed if typed is not None else line_sum
        if typed is not None and lines and typed != line_sum:
            findings.append(_finding(
                "parts_not_total", "error", f"fund_operation.{side}",
                f"{label}分项合计 {_yuan(line_sum)} ≠ 填报合计 {_yuan(typed)}"))
        totals[side] = total
        out[f"{side}_total"] = fmt_money(total)
        out[f"{side}_lines_total"] = fmt_money(line_sum)
        out[f"{side}_shares"] = [
            {"category": l.category, "amount": fmt_money(l.actual), "share": fmt_pct(s)}
            for l, s in zip(lines, shares([l.actual for l in lines]))
        ]
        budgets = [l.budget for l in lines if l.budget is not None]
        out[f"{side}_execution"] = fmt_pct(
            percent(sum((l.actual for l in lines if l.budget is not None), ZERO), sum(budgets, ZERO))
        ) if budgets else None
    computed_balance = totals["income"] - totals["expense"]
    if fo.year_balance is not None and fo.year_balance != computed_balance:
        findings.append(_finding(
            "balance_mismatch", "error", "fund_operation.year_balance",
            f"填报当年结余 {_yuan(fo.year_balance)} ≠ 收入合计减支出合计 {_yuan(computed_balance)}"))
    out["year_balance"] = fmt_money(fo.year_balance if fo.year_balance is not None else computed_balance)
    out["year_balance_computed"] = fmt_money(computed_balance)
    out["closing_balance"] = None if fo.closing_balance is None else fmt_money(fo.closing_balance)
    monthly_expense = totals["expense"] / 12
    out["months_payable"] = (
        fmt_pct(q2(fo.closing_balance / monthly_expense))
        if fo.closing_balance is not None and monthly_expense != ZERO else None
    )

    def coverage(pop: int | None) -> str | None:
        if fo.insured_persons is None or not pop:
            return None
        return fmt_pct(percent(Decimal(fo.insured_persons), Decimal(pop)))

    out["coverage_registered"] = coverage(fo.registered_population)
    out["coverage_resident"] = coverage(fo.resident_population)
    return out, findings


# ---------------------------------------------------------------------------------- indicators


def _actual_of(ind: Indicator) -> tuple[Decimal | None, str, str | None]:
    """(actual rounded to 2 decimals, explanation, problem code)."""
    if ind.actual is not None:
        # Keep the typed precision (523 人次 stays "523"), never more than 2 decimals.
        places = min(2, max(0, -int(ind.actual.as_tuple().exponent)))
        value = ind.actual.quantize(Decimal(1).scaleb(-places), rounding=ROUNDING)
        return value, f"实际完成值 = {_n(ind.actual)}{ind.unit}（填报）", None
    if ind.numerator is not None and ind.denominator is not None:
        if ind.denominator == ZERO:
            return None, "分母为 0，无法计算实际完成值", "zero_denominator"
        factor = HUNDRED if ind.unit == "%" else Decimal(1)
        value = q2(ind.numerator * factor / ind.denominator)
        times = " × 100" if factor == HUNDRED else ""
        return value, (f"实际完成值 = {_n(ind.numerator)} ÷ {_n(ind.denominator)}{times} = "
                       f"{fmt_pct(value)}{ind.unit}"), None
    return None, "实际完成值未填", None


@lru_cache(maxsize=8192)
def _score_indicator(ind: Indicator, scoring: Scoring):
    """Score one row. Returns (result dict, [(code, severity, field, message)])."""
    problems: list[tuple[str, str, str, str]] = []
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

    res: dict[str, Any] = {
        "name": ind.name, "level1": ind.level1, "level2": ind.level2, "nature": nature,
        "target": fmt_num(target), "unit": unit, "target_text": target_text, "weight": fmt_num(weight),
        "qualitative": nature == QUALITATIVE, "actual": None, "completion": None, "met": False,
        "computed_score": "0.00", "score": "0.00", "overridden": False, "overachieved": False,
        "band": None, "grade": ind.grade, "needs_reason": False, "reason_missing": False,
        "baseline": fmt_num(ind.baseline),
        "explain": {"actual": "", "completion": "", "score": ""},
    }
    explain = res["explain"]
    score = ZERO
    met = False

    if nature == QUALITATIVE:
        if ind.grade is None:
            problems.append(("qualitative_grade_missing", "warning", "grade",
                             f"{label}为定性指标，尚未选择评级（达成／部分达成／未达成）"))
            explain["score"] = "定性指标未评级，得分按 0 计"
        else:
            lo_f, hi_f = QUALITATIVE_BANDS[ind.grade]
            lo, hi = q2(weight * lo_f), q2(weight * hi_f)
            res["band"] = [fmt_pct(lo), fmt_pct(hi)]
            met = ind.grade == "达成"
            if ind.score is None:
                score = q2(weight * QUALITATIVE_DEFAULT[ind.grade])
                problems.append(("qualitative_default_score", "info", "score",
                                 f"{label}评级「{ind.grade}」未填得分，暂按 {fmt_pct(score)} 分计"
                                 f"（区间 {fmt_pct(lo)}–{fmt_pct(hi)}）"))
                explain["score"] = (f"定性评级「{ind.grade}」，得分区间 {fmt_pct(lo)}–{fmt_pct(hi)}，"
                                    f"未填得分，暂按 {fmt_pct(score)} 计")
            else:
                score = ind.score
                if not lo <= ind.score <= hi:
                    problems.append(("qualitative_out_of_band", "error", "score",
                                     f"{label}评级「{ind.grade}」的得分应在 {fmt_pct(lo)}–{fmt_pct(hi)} 之间，"
                                     f"填报 {_n(ind.score)}"))
                explain["score"] = (f"定性评级「{ind.grade}」，得分区间 {fmt_pct(lo)}–{fmt_pct(hi)}，"
                                    f"填报得分 {_n(ind.score)}")
        res["computed_score"] = fmt_pct(q2(score))
    elif nature is None or target is None:
        code = "target_unparsed" if ind.target_text else "target_missing"
        what = f"目标值「{ind.target_text}」无法识别" if ind.target_text else "未填目标值"
        problems.append((code, "error", "target_text",
                         f"{label}{what}，请写成如「≥90%」「≤10%」「0起」「有所提升」的形式"))
        explain["score"] = "目标值无法识别，无法计分"
    elif target < ZERO:
        problems.append(("target_negative", "error", "target",
                         f"{label}目标值 {_n(target)} 为负数，无法计分"))
        explain["score"] = "目标值为负数，无法计分"
    else:
        actual, explain["actual"], problem = _actual_of(ind)
        if problem == "zero_denominator":
            problems.append(("zero_denominator", "error", "denominator", f"{label}分母为 0，无法计算完成值"))
        if actual is None:
            if problem is None:
                problems.append(("actual_missing", "warning", "actual", f"{label}尚未填写实际完成值"))
            explain["score"] = "实际完成值未知，得分按 0 计"
        else:
            res["actual"] = fmt_num(actual)
            score, met, completion = _quantitative(res, nature, target, actual, weight, scoring)
            res["completion"] = fmt_pct(completion) if completion is not None else None
        res["computed_score"] = fmt_pct(q2(score))
        if ind.score is not None:
            res["overridden"] = True
            if not ind.override_reason.strip():
                problems.append(("override_no_reason", "error", "override_reason",
                                 f"{label}得分被人工调整为 {_n(ind.score)}（计算得分 {res['computed_score']}），"
                                 f"但未填写调整理由"))
            explain["score"] = (f"人工调整为 {_n(ind.score)}（按规则计算为 {res['computed_score']}），"
                                f"理由：{ind.override_reason.strip() or '未填写'}")
            score = ind.score

    if score < ZERO or score > weight:
        problems.append(("score_out_of_range", "error", "score",
                         f"{label}得分 {_n(score)} 超出 0–{_n(weight)} 分的范围"))
    res["score"] = fmt_pct(q2(score))
    res["met"] = met
    res["yoy"] = None
    if ind.baseline is not None and res["actual"] is not None:
        change = Decimal(res["actual"]) - ind.baseline
        res["yoy"] = {"baseline": fmt_num(ind.baseline), "actual": res["actual"], "change": fmt_pct(change)}
    unmet_known = (nature == QUALITATIVE and ind.grade is not None and not met) or (
        nature != QUALITATIVE and res["actual"] is not None and not met)
    res["needs_reason"] = unmet_known or res["overachieved"]
    res["reason_missing"] = res["needs_reason"] and not ind.deviation_reason.strip()
    if res["reason_missing"]:
        if res["overachieved"]:
            why = f"实际完成值 {res['actual']}{unit} 超过目标值 {target_text} 的 130%"
        elif nature == QUALITATIVE:
            why = f"评级为「{ind.grade}」"
        else:
            why = f"实际完成值 {res['actual']}{unit} 未达到目标值 {target_text}"
        problems.append(("missing_deviation_reason", "error", "deviation_reason",
                         f"{label}{why}，须填写偏差原因分析及改进措施"))
    return res, problems


def _quantitative(res, nature, target, actual, weight, scoring):
    """Score a quantitative row under DOMAIN.md §4; fills res['explain']; returns (score, met, completion)."""
    explain = res["explain"]
    a = max(actual, ZERO)
    w, t = _n(weight), _n(target)
    neg = "（负值按 0 计）" if actual < ZERO else ""
    if target == ZERO:
        met = a > ZERO if nature == ">" else (True if nature == "≥" else a <= ZERO)
        score = weight if met else ZERO
        completion = HUNDRED if met else ZERO
        explain["completion"] = f"目标值为 0：{'已达成' if met else '未达成'}"
        explain["score"] = f"目标值为 0，实际 {_n(a)}{neg}：{'得满分 ' + w if met else '得 0 分'}"
        return q2(score), met, completion
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
            explain["completion"] = f"实际 {_n(a)}{neg} {nature} 目标 {t}，已达成"
            explain["score"] = f"已达成目标（{nature}{t}{res['unit']}），得满分 {w}"
            return q2(weight), True, completion
        score = q2(min(weight, raw))
        explain["completion"] = formula_c
        if scoring.reverse_rule == "linear" and a >= 2 * target:
            explain["score"] = f"实际 {_n(a)} ≥ 2 × 目标 {t}，得 0 分"
        else:
            explain["score"] = f"{formula_s} = {fmt_pct(score)}"
        return score, False, completion
    # ≥ > =
    completion = q2(a * HUNDRED / target)
    explain["completion"] = f"完成率 = {_n(a)} ÷ {t} × 100% = {fmt_pct(completion)}%{neg}"
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
    if met:
        explain["score"] = f"已达成目标（{nature}{t}{res['unit']}），得满分 {w}"
        if (scoring.overachieve_penalty and nature in ("≥", ">")
                and a >= OVERACHIEVE_RATIO * target):
            res["overachieved"] = True
            score = max(ZERO, weight - OVERACHIEVE_PENALTY)
            explain["score"] = (f"实际 {_n(a)} ≥ 目标 {t} 的 130%（目标设置偏低），"
                                f"得分 = {w} − 2 = {fmt_pct(score)}")
    elif nature == "=" and a > target:
        explain["score"] = f"得分 = {w} × {t} ÷ {_n(a)} = {fmt_pct(score)}"
    else:
        explain["score"] = f"得分 = {w} × {_n(a)} ÷ {t} = {fmt_pct(score)}"
    return q2(score), met, completion


# ------------------------------------------------------------------------------------- compute


def _funds_yoy(report: Report, paid: Decimal, progress: Decimal | None) -> dict[str, Any] | None:
    """Last year's paid and progress against this year's (when started from last year's file)."""
    prev = report.meta.previous
    if prev is None:
        return None
    last_progress = percent(prev.paid, prev.available)
    return {
        "last_year": prev.year, "last_available": fmt_money(prev.available), "last_paid": fmt_money(prev.paid),
        "last_progress": fmt_pct(last_progress), "paid": fmt_money(paid), "progress": fmt_pct(progress),
        "paid_change": fmt_money(paid - prev.paid),
        "progress_change": fmt_pct(progress - last_progress) if progress is not None and last_progress is not None
        else None,
    }


def _grade(total: Decimal, labels: tuple[str, ...]) -> str:
    for bound, label in zip(GRADE_BOUNDS, labels):
        if total >= bound:
            return label
    return labels[3]


def compute(report: Report) -> dict[str, Any]:
    """Every derived figure of the report, as JSON-ready data (INTERCHANGE.md)."""
    scoring = report.scoring
    funds, fund_findings, paid_total, available = _funds_cached(report)
    findings: list[dict[str, str]] = []

    indicators = []
    level1_scores: dict[str, Decimal] = {name: ZERO for name, _ in scoring.level1_weights}
    level3_weights: dict[str, Decimal] = {name: ZERO for name, _ in scoring.level1_weights}
    unknown_level1: list[str] = []
    level2_seen: dict[tuple[str, str], None] = {}
    level1_seen: dict[str, None] = {}
    quantitative = 0
    for i, ind in enumerate(report.indicators):
        res, problems = _score_indicator(ind, scoring)
        indicators.append(res)
        for code, severity, fld, message in problems:
            findings.append(_finding(code, severity, f"indicators[{i}].{fld}", message))
        if ind.level1 not in level1_scores:
            level1_scores[ind.level1] = ZERO
            level3_weights[ind.level1] = ZERO
            unknown_level1.append(ind.level1)
            findings.append(_finding(
                "unknown_level1", "warning", f"indicators[{i}].level1",
                f"三级指标「{ind.name}」所属一级指标「{ind.level1}」不在评分设置的一级指标权重中"))
        level1_scores[ind.level1] += Decimal(res["score"])
        level3_weights[ind.level1] += ind.weight
        level1_seen[ind.level1] = None
        level2_seen[(ind.level1, ind.level2)] = None
        if not res["qualitative"]:
            quantitative += 1

    level1 = []
    for name, weight in scoring.level1_weights:
        level1.append({"name": name, "weight": fmt_num(weight), "score": fmt_pct(level1_scores[name]),
                       "indicator_weight": fmt_num(level3_weights[name])})
        if level3_weights[name] != weight:
            findings.append(_finding(
                "level3_weights_mismatch", "error", f"scoring.level1_weights.{name}",
                f"一级指标「{name}」权重 {_n(weight)} 分，其下三级指标分值合计 {_n(level3_weights[name])} 分，二者不等"))
    for name in dict.fromkeys(unknown_level1):
        level1.append({"name": name, "weight": None, "score": fmt_pct(level1_scores[name]),
                       "indicator_weight": fmt_num(level3_weights[name])})

    total_weight = sum((w for _, w in scoring.level1_weights), ZERO) + scoring.budget_execution_weight
    if total_weight != HUNDRED:
        findings.append(_finding(
            "total_weight_not_100", "error", "scoring",
            f"一级指标权重与预算执行率权重合计 {_n(total_weight)} 分，应为 100 分"))

    rate = percent(paid_total, available)
    budget_score = ZERO
    if available != ZERO:
        ratio = min(Decimal(1), paid_total / available) if paid_total > ZERO else ZERO
        budget_score = q2(ratio * scoring.budget_execution_weight)
    raw_total = sum(level1_scores.values(), ZERO) + budget_score
    total = raw_total
    cap = None
    if scoring.execution_cap and rate is not None:
        for bound, limit in EXECUTION_CAPS:
            if rate < bound:
                cap = limit
                break
        if cap is not None and total > cap:
            findings.append(_finding(
                "execution_cap_applied", "info", "total_score",
                f"预算执行率 {fmt_pct(rate)}%，总分由 {fmt_pct(raw_total)} 封顶为 {fmt_pct(cap)}"))
            total = cap
        else:
            cap = None

    findings.extend(fund_findings)
    fund_operation, fo_findings = _fund_operation(report.fund_operation)
    findings.extend(fo_findings)
    for i, literal in _stale_figures(report, indicators, funds, fund_operation, rate):
        heading = report.narrative[i].heading or report.narrative[i].key
        findings.append(_finding(
            "text_figure_unmatched", "info", f"narrative[{i}].text",
            f"「{heading}」中的数字「{literal}」与当前任何计算结果都不一致，可能已过时；建议改用实时字段"))
    order = {"error": 0, "warning": 1, "info": 2}
    findings.sort(key=lambda f: order[f["severity"]])

    return {
        "funds": funds,
        "funds_yoy": _funds_yoy(report, paid_total, rate),
        "fund_operation": fund_operation,
        "indicators": indicators,
        "level1": level1,
        "budget_execution": {"rate": fmt_pct(rate), "weight": fmt_num(scoring.budget_execution_weight),
                             "score": fmt_pct(budget_score)},
        "total_score": fmt_pct(total),
        "total_before_cap": fmt_pct(raw_total),
        "cap": fmt_pct(cap) if cap is not None else None,
        "grade": _grade(total, scoring.grade_labels),
        "counts": {"level1": len(level1_seen), "level2": len(level2_seen), "level3": len(report.indicators),
                   "quantitative": quantitative, "qualitative": len(report.indicators) - quantitative},
        "findings": findings,
    }



_stale_cache: list[Any] = [None, None]


def _stale_figures(report: Report, indicators: list[dict[str, Any]], funds: dict[str, Any],
                   fund_operation: dict[str, Any] | None, rate: Decimal | None) -> list[tuple[int, str]]:
    """Literal figures in the narrative that match no computed figure (memoised on the inputs'
    identity: the set of known figures is large on big reports)."""
    if not any(_has_digit(s.text) for s in report.narrative):
        return []
    key = (report.narrative, report.indicators, report.incomes, report.expenditures, report.fund_operation,
           funds)
    cached = _stale_cache[0]
    if cached is not None and len(cached) == len(key) and all(a is b for a, b in zip(cached, key)):
        return _stale_cache[1]
    from yibao_desktop.domain.narrative import stale_figures

    partial = {"funds": funds, "indicators": indicators, "budget_execution": {"rate": fmt_pct(rate)},
               "fund_operation": fund_operation}
    found = stale_figures(report, partial)
    _stale_cache[0], _stale_cache[1] = key, found
    return found


def _has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def clear_caches() -> None:
    """Forget the incremental caches (benchmarks measure cold computes with it)."""
    global _block_cache
    _funds_cache[0] = _funds_cache[1] = None
    _block_cache = {}
    _score_indicator.cache_clear()
    parse_target.cache_clear()
    _stale_cache[0] = _stale_cache[1] = None
