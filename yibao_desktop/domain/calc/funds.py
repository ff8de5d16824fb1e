"""Funds: totals per pool and level, progress, breakdowns, the ≥10万 list, monthly progress.

Speed: expenditure lines are aggregated in content-defined blocks, each cached on the identity of
its frozen line objects, so an edit to one line re-aggregates one block and re-merges the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import compress, count, repeat
from operator import itemgetter, mod, not_, rshift
from typing import Any, Iterator

from yibao_desktop.domain import formatting as fmt
from yibao_desktop.domain import rules
from yibao_desktop.domain.money import ZERO, fmt_pct, percent, shares
from yibao_desktop.domain.report import LEVELS, Expenditure, Income, Previous, pool_of_kind
from yibao_desktop.domain.result import (
    Finding,
    Funds,
    FundsYoy,
    LargeProject,
    LevelFunds,
    Location,
    Month,
    Share,
    SourceFunds,
)

POOL_CARRIED, POOL_ALLOCATED = "上年结转", "当年下达"


def yuan(value: Decimal) -> str:
    """An amount as finding messages quote it: '600,000.00 元' (the one display formatter)."""
    return f"{fmt.yuan(value)} 元"


def _breakdown(amounts: dict[str, Decimal], counts: dict[str, int]) -> tuple[Share, ...]:
    """Shares of the amounts, each with its number of projects."""
    names = list(amounts)
    values = [amounts[n] for n in names]
    return tuple(Share(n, counts[n], a, s) for n, a, s in zip(names, values, shares(values)))


def _split_cents(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """`total` split in whole 分 pro rata to `weights` (largest remainder, ties to the earlier)."""
    whole = sum(weights, ZERO)
    cents = int(total * 100)
    exact = [Decimal(cents) * w / whole for w in weights]
    base = [int(e) for e in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - base[i]), i))
    for i in order[: cents - sum(base)]:
        base[i] += 1
    return [Decimal(c) / 100 for c in base]


class _Levels:
    """Income, paid and balance per level. A line charged to a level counts there exactly; the
    payments of lines without a level are attributed to the levels of their pool pro rata to what
    those levels still had (exact when the pool has one level only), and those levels are marked
    as estimated. 彩票公益金 is the part of a level's income marked lottery; its paid share is exact
    when the level spent all or nothing of that pool, else pro rata."""

    def __init__(self, incomes: tuple[Income, ...], leveled: dict[tuple[str, str], Decimal],
                 unleveled: dict[str, Decimal]):
        income: dict[tuple[str, str], Decimal] = {}
        lottery: dict[tuple[str, str], Decimal] = {}
        for line in incomes:
            key = (line.level, pool_of_kind(line.kind))
            income[key] = income.get(key, ZERO) + line.amount
            if line.lottery:
                lottery[key] = lottery.get(key, ZERO) + line.amount
        paid = dict(leveled)
        estimated: set[str] = set()
        for pool, pool_paid in unleveled.items():
            keys = [k for k in income if k[1] == pool and income[k] != ZERO]
            if not keys or pool_paid == ZERO:
                continue  # nothing to attribute to (paid over available is a finding of its own)
            if len(keys) == 1:
                paid[keys[0]] = paid.get(keys[0], ZERO) + pool_paid
                continue
            room = [max(ZERO, income[k] - paid.get(k, ZERO)) for k in keys]
            weights = room if sum(room, ZERO) > ZERO else [income[k] for k in keys]
            for k, share in zip(keys, _split_cents(pool_paid, weights)):
                paid[k] = paid.get(k, ZERO) + share
                if share:
                    estimated.add(k[0])
        self.estimated = estimated
        levels = []
        for lvl in LEVELS:
            amount = sum((v for (l, _), v in income.items() if l == lvl), ZERO)
            lvl_paid = sum((v for (l, _), v in paid.items() if l == lvl), ZERO)
            if amount == ZERO and lvl_paid == ZERO:
                continue
            levels.append(LevelFunds(lvl, amount, lvl_paid, amount - lvl_paid, percent(lvl_paid, amount),
                                     lvl in estimated))
        self.by_level = tuple(levels)
        self.lottery: SourceFunds | None = None
        if lottery:
            amount = sum(lottery.values(), ZERO)
            lottery_paid = ZERO
            guess = False
            for key, part in lottery.items():
                spent, whole = paid.get(key, ZERO), income[key]
                if part == whole:
                    lottery_paid += spent
                elif spent == ZERO or spent == whole:
                    lottery_paid += ZERO if spent == ZERO else part
                else:
                    lottery_paid += _split_cents(spent, [part, whole - part])[0]
                    guess = True
                guess = guess or key[0] in estimated
            self.lottery = SourceFunds(rules.LOTTERY, tuple(dict.fromkeys(k[0] for k in lottery)), amount,
                                       lottery_paid, percent(lottery_paid, amount), True, guess)


def _by_source(by_level: tuple[LevelFunds, ...], lottery: SourceFunds | None) -> tuple[SourceFunds, ...]:
    """中央财政资金 / 地方资金 / 其他资金 from the levels, with 彩票公益金 after 中央 as a 其中 row."""
    levels = {b.level: b for b in by_level}
    out = []
    for name, members in rules.SOURCES:
        present = [levels[m] for m in members if m in levels]
        amount = sum((b.amount for b in present), ZERO)
        paid = sum((b.paid for b in present), ZERO)
        out.append(SourceFunds(name, tuple(b.level for b in present), amount, paid, percent(paid, amount),
                               False, any(b.estimated for b in present)))
        if lottery is not None and name == rules.SOURCES[0][0]:
            out.append(lottery)
    return tuple(out)


@dataclass
class _Partial:
    """Aggregates of one block of expenditure lines (findings carry block-local indices)."""

    paid_carried: Decimal
    paid_allocated: Decimal
    directions: dict[str, Decimal]
    direction_projects: dict[str, dict[Any, None]]
    econ: dict[str, Decimal]
    econ_projects: dict[str, dict[Any, None]]
    projects: dict[Any, Decimal]
    months: list[Decimal]
    findings: list[tuple[int, str, str, str, str]]  # (local index, code, severity, field, message)
    leveled: dict[tuple[str, str], Decimal]  # (level, pool) -> paid, lines charged to a level
    unleveled: dict[str, Decimal]  # pool -> paid of lines without a level
    unleveled_count: int


def _block_partial(year: int, block: tuple[Expenditure, ...]) -> _Partial:
    carried = allocated = ZERO
    directions: dict[str, Decimal] = {}
    direction_projects: dict[str, dict[Any, None]] = {}
    econ: dict[str, Decimal] = {}
    econ_projects: dict[str, dict[Any, None]] = {}
    projects: dict[Any, Decimal] = {}
    months = [ZERO] * 13
    findings: list[tuple[int, str, str, str, str]] = []
    leveled: dict[tuple[str, str], Decimal] = {}
    unleveled: dict[str, Decimal] = {}
    unleveled_count = 0
    get_direction, get_econ, get_project = directions.get, econ.get, projects.get
    get_leveled, zero, pool_carried = leveled.get, ZERO, POOL_CARRIED
    for j, ex in enumerate(block):
        paid = ex.paid
        if ex.pool == pool_carried:
            pool = pool_carried
            carried += paid
        else:
            pool = POOL_ALLOCATED
            allocated += paid
        level = ex.level
        if level is not None:
            key_level = (level, pool)
            leveled[key_level] = get_leveled(key_level, zero) + paid
        elif paid:
            unleveled[pool] = unleveled.get(pool, zero) + paid
            unleveled_count += 1
        # An unnamed line is a project of its own; its key must not depend on its position.
        key: Any = ex.project or (rules.UNNAMED, id(ex))
        d = ex.direction or "未分类"
        total = get_direction(d)
        if total is None:
            directions[d] = paid
            direction_projects[d] = {key: None}
        else:
            directions[d] = total + paid
            direction_projects[d][key] = None
        e = ex.econ_class or "未分类"
        total = get_econ(e)
        if total is None:
            econ[e] = paid
            econ_projects[e] = {key: None}
        else:
            econ[e] = total + paid
            econ_projects[e][key] = None
        total = get_project(key)
        projects[key] = paid if total is None else total + paid
        day = ex.paid_on
        if day is not None and day.year == year:
            months[day.month] += paid
        else:
            name = ex.project or rules.UNNAMED
            if day is None:
                if paid:
                    findings.append((j, "paid_date_missing", "warning", "paid_on",
                                     f"支出「{name}」已支付 {yuan(paid)}，但未填支付日期，无法计入月度进度"))
            else:
                findings.append((j, "date_outside_year", "warning", "paid_on",
                                 f"支出「{name}」支付日期 {day.isoformat()} 不在报告年度 {year} 年内"))
        if ex.refund:
            if paid > ZERO:
                findings.append((j, "refund_not_negative", "warning", "paid",
                                 f"支出「{ex.project or rules.UNNAMED}」标为“退回”，金额却是正数（{yuan(paid)}），"
                                 f"退回应填负数"))
        elif paid.is_signed() and paid:  # negative (is_signed is the cheap test; -0.00 is no payment)
            findings.append((j, "negative_payment", "error", "paid",
                             f"支出「{ex.project or rules.UNNAMED}」支付金额为负数（{yuan(paid)}）：负数支出只能是"
                             f"退回或冲减，请勾选该行的“退回”，或更正金额"))
        budget = ex.budget
        if budget is not None and paid > budget:
            findings.append((j, "paid_over_budget", "warning", "paid",
                             f"支出「{ex.project or rules.UNNAMED}」支付金额 {yuan(paid)} 超过其预算 {yuan(budget)}"))
    return _Partial(carried, allocated, directions, direction_projects, econ, econ_projects, projects,
                    months, findings, leveled, unleveled, unleveled_count)


# Blocks end after a line whose object identity satisfies (id >> 4) % BLOCK_SPLIT == 0
# (content-defined: inserting or deleting a line disturbs one block only; BLOCK_SPLIT is prime so
# that objects allocated at a regular stride still spread), or after BLOCK_MAX lines. About 250
# lines a block: re-adding one block after an edit costs little, and every compute merges the
# blocks' sums, which costs per block.
BLOCK_SPLIT = 251
BLOCK_MAX = 1024
_block_cache: dict[tuple[int, int, int, int], tuple[tuple[Expenditure, ...], _Partial]] = {}


def _blocks(expenditures: tuple[Expenditure, ...]) -> Iterator[tuple[int, tuple[Expenditure, ...]]]:
    n = len(expenditures)
    # The positions after each cut line, found at C speed (one pass of maps, no Python loop).
    cuts = list(compress(count(1), map(not_, map(mod, map(rshift, map(id, expenditures), repeat(4)),
                                                 repeat(BLOCK_SPLIT)))))
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


def _funds(year: int, incomes: tuple[Income, ...], expenditures: tuple[Expenditure, ...]
           ) -> tuple[Funds, list[Finding]]:
    findings: list[Finding] = []
    carried = allocated = ZERO
    for i, inc in enumerate(incomes):
        if pool_of_kind(inc.kind) == POOL_CARRIED:
            carried += inc.amount
        else:
            allocated += inc.amount
            if inc.date is not None and inc.date.year != year:
                findings.append(Finding(
                    "date_outside_year", "warning", Location("incomes", i, "date"),
                    f"第 {i + 1} 笔资金来源（{inc.kind}）下达日期 {inc.date.isoformat()} 不在报告年度 {year} 年内"))
    available = carried + allocated

    paid_pool = {POOL_CARRIED: ZERO, POOL_ALLOCATED: ZERO}
    directions: dict[str, Decimal] = {}
    direction_projects: dict[str, dict[Any, None]] = {}
    econ: dict[str, Decimal] = {}
    econ_projects: dict[str, dict[Any, None]] = {}
    projects: dict[Any, Decimal] = {}
    month_paid = [ZERO] * 13
    leveled: dict[tuple[str, str], Decimal] = {}
    unleveled: dict[str, Decimal] = {}
    unleveled_count = 0
    for start, part in _partials(year, expenditures):
        paid_pool[POOL_CARRIED] += part.paid_carried
        paid_pool[POOL_ALLOCATED] += part.paid_allocated
        for key, amount in part.leveled.items():
            leveled[key] = leveled.get(key, ZERO) + amount
        for key, amount in part.unleveled.items():
            unleveled[key] = unleveled.get(key, ZERO) + amount
        unleveled_count += part.unleveled_count
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
        # Projects rarely span blocks: add the few shared ones, take the rest over at C speed.
        shared = {name: projects[name] + part.projects[name] for name in projects.keys() & part.projects.keys()}
        projects.update(part.projects)
        projects.update(shared)
        for m in range(1, 13):
            month_paid[m] += part.months[m]
        for j, code, severity, fld, message in part.findings:
            findings.append(Finding(code, severity, Location("expenditures", start + j, fld), message))

    paid_total = paid_pool[POOL_CARRIED] + paid_pool[POOL_ALLOCATED]
    if paid_total > available:
        findings.append(Finding(
            "paid_over_available", "error", Location("funds", None, "paid"),
            f"支出合计 {yuan(paid_total)} 超过可用资金合计 {yuan(available)}"))
    for pool, income_amount in ((POOL_CARRIED, carried), (POOL_ALLOCATED, allocated)):
        if paid_pool[pool] > income_amount:
            findings.append(Finding(
                "paid_over_pool", "error",
                Location("funds", None, "paid_carried" if pool == POOL_CARRIED else "paid_allocated"),
                f"{pool}资金支出 {yuan(paid_pool[pool])} 超过{pool}资金收入 {yuan(income_amount)}"))
    progress = percent(paid_total, available)
    if progress is not None and progress < rules.LOW_PROGRESS_THRESHOLD:
        findings.append(Finding(
            "low_progress", "warning", Location("funds", None, "progress"),
            f"资金支出进度 {fmt_pct(progress)}% 低于 {fmt_pct(rules.LOW_PROGRESS_THRESHOLD)}% 的要求"))

    labels = [label for label, _ in rules.SIZE_BUCKETS]
    small, large_bound = rules.SIZE_BUCKETS[0][1], rules.SIZE_BUCKETS[1][1]
    assert small is not None and large_bound is not None
    size_sums, size_counts = [ZERO, ZERO, ZERO], [0, 0, 0]  # per bucket (each project is one key)
    large_items = []
    large_project = rules.LARGE_PROJECT
    for name, amount in projects.items():
        bucket = 0 if amount < small else 1 if amount < large_bound else 2
        size_sums[bucket] += amount
        size_counts[bucket] += 1
        if amount >= large_project:
            large_items.append((name, amount))
    large_items.sort(key=itemgetter(1), reverse=True)  # stable: equal amounts keep their order
    large = tuple(LargeProject(name if isinstance(name, str) else rules.UNNAMED, amount)
                  for name, amount in large_items)

    monthly = []
    cumulative = ZERO
    for m in range(1, 13):
        cumulative += month_paid[m]
        monthly.append(Month(m, month_paid[m], cumulative, percent(cumulative, available), rules.schedule(m)))
    september = monthly[rules.WARNING_MONTH - 1]
    if september.progress is not None and september.progress < rules.WARNING_SCHEDULE:
        findings.append(Finding(
            "schedule_lag", "warning", Location("funds.monthly", rules.WARNING_MONTH - 1, "progress"),
            f"截至{rules.WARNING_MONTH}月底累计支出进度 {fmt_pct(september.progress)}%，"
            f"低于 {fmt_pct(rules.WARNING_SCHEDULE)}% 的序时进度（绩效运行监控预警）"))

    levels = _Levels(incomes, leveled, unleveled)
    by_level = levels.by_level
    if levels.estimated:
        findings.append(Finding(
            "level_estimated", "warning", Location("funds", None, "by_level"),
            f"有 {unleveled_count} 笔支出未填资金级次（合计 {yuan(sum(unleveled.values(), ZERO))}），"
            f"{'、'.join(l for l in LEVELS if l in levels.estimated)}资金的支出按各级次到位资金比例估算；"
            f"请在支出明细中填写“资金级次”，自评表中的分级次执行数才是实数"))
    funds = Funds(
        available=available, carried=carried, allocated=allocated,
        paid=paid_total, paid_carried=paid_pool[POOL_CARRIED], paid_allocated=paid_pool[POOL_ALLOCATED],
        balance=available - paid_total,
        balance_carried=carried - paid_pool[POOL_CARRIED],
        balance_allocated=allocated - paid_pool[POOL_ALLOCATED],
        progress=progress,
        progress_carried=percent(paid_pool[POOL_CARRIED], carried),
        progress_allocated=percent(paid_pool[POOL_ALLOCATED], allocated),
        by_direction=_breakdown(directions, {d: len(members) for d, members in direction_projects.items()}),
        by_size=_breakdown(dict(zip(labels, size_sums)), dict(zip(labels, size_counts))),
        by_econ_class=_breakdown(econ, {e: len(members) for e, members in econ_projects.items()}),
        large_projects=large,
        by_level=by_level,
        by_source=_by_source(by_level, levels.lottery),
        monthly=tuple(monthly),
        project_count=len(projects),
        level_estimated=bool(levels.estimated),
    )
    return funds, findings


_funds_cache: list[Any] = [None, None]


def funds_of(year: int, incomes: tuple[Income, ...], expenditures: tuple[Expenditure, ...]
             ) -> tuple[Funds, list[Finding]]:
    """The funds result, reused while year, incomes and expenditures are the same objects."""
    cached = _funds_cache[0]
    if cached is not None and cached[0] == year and cached[1] is incomes and cached[2] is expenditures:
        return _funds_cache[1]
    result = _funds(year, incomes, expenditures)
    _funds_cache[0], _funds_cache[1] = (year, incomes, expenditures), result
    return result


def funds_yoy(previous: Previous | None, paid: Decimal, progress: Decimal | None) -> FundsYoy | None:
    """Last year's paid and progress against this year's (when started from last year's file)."""
    if previous is None:
        return None
    last_progress = percent(previous.paid, previous.available)
    change = progress - last_progress if progress is not None and last_progress is not None else None
    return FundsYoy(previous.year, previous.available, previous.paid, last_progress, paid, progress,
                    paid - previous.paid, change)


def clear_caches() -> None:
    global _block_cache
    _funds_cache[0] = _funds_cache[1] = None
    _block_cache = {}
