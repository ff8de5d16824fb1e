"""Starting next year's report from last year's (从上年度文件新建).

Balances carry forward as 上年结转 income lines (one per level with an unspent amount, exactly last
year's balance attributed to that level by compute), last year's income and expenditures are not
copied, the indicator tree, weights and scoring settings are, targets are kept, actuals cleared and
last year's actual kept as the baseline (上年实际值). Last year's plans come back as the section
上年计划落实情况, to report against."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from yibao_desktop.domain.money import ZERO
from yibao_desktop.domain.report import (
    FundOperation,
    FundOpLine,
    Income,
    Indicator,
    Meta,
    Previous,
    Report,
    Section,
)
from yibao_desktop.domain.result import IndicatorResult, Result

LAST_PLAN_KEY = "last_year_plan"
LAST_PLAN_HEADING = "六、上年计划落实情况"
# Sections whose text is last year's plan: the deviation/improvement section and any plan section.
PLAN_KEYS = ("deviation", "next_year_plan", "improvement", "plan")


def _carried_indicator(ind: Indicator, result: IndicatorResult) -> Indicator:
    baseline = None
    if not result.qualitative and result.actual is not None:
        baseline = result.actual
    return replace(ind, actual=None, numerator=None, denominator=None, grade=None, score=None,
                   override_reason="", deviation_reason="", baseline=baseline, evidence=())


def _plan_text(last: Report) -> str:
    parts = [s for s in last.narrative if s.key in PLAN_KEYS and s.text.strip()]
    if not parts:
        return ""
    quoted = "\n".join(f"{s.heading}：{s.text.strip()}" for s in parts)
    return (f"{last.meta.year}年度自评报告提出的改进措施和计划如下，请逐项说明落实情况：\n{quoted}\n"
            f"落实情况：")


def next_year(last: Report, last_result: Result, year: int, outline: tuple[Section, ...]) -> Report:
    """The new year's report. `last_result` is compute(last); `outline` the template's sections."""
    docs = [b.doc_no for b in last.meta.basis if b.doc_no]
    incomes = []
    for entry in last_result.funds.by_level:
        balance = entry.balance
        if balance <= ZERO:
            continue
        level_docs = [i.doc_no for i in last.incomes if i.level == entry.level and i.doc_no] or docs
        note = f"{last.meta.year}年度结余结转" + (f"（上年文号：{'、'.join(dict.fromkeys(level_docs))}）" if level_docs else "")
        if entry.estimated:  # last year's lines did not all name their level
            note += "；上年部分支出未填资金级次，本级次结余按比例估算，请核对"
        incomes.append(Income(level=entry.level, kind="上年结转", doc_no="", date=date(year, 1, 1),
                              amount=balance, note=note))
    fo = last.fund_operation
    fund_operation = None
    if fo is not None:  # same categories, this year's figures to be filled in
        fund_operation = FundOperation(
            income=tuple(FundOpLine(l.category, None, ZERO.quantize(Decimal("0.01"))) for l in fo.income),
            expense=tuple(FundOpLine(l.category, None, ZERO.quantize(Decimal("0.01"))) for l in fo.expense))
    narrative = list(outline)
    plan = _plan_text(last)
    if plan:
        narrative.append(Section(LAST_PLAN_KEY, LAST_PLAN_HEADING, plan))
    return Report(
        meta=Meta(unit=last.meta.unit, year=year, fund_type=last.meta.fund_type, title=None,
                  competent_dept=last.meta.competent_dept, basis=(),
                  previous=Previous(last.meta.year, last_result.funds.available, last_result.funds.paid)),
        incomes=tuple(incomes),
        expenditures=(),
        fund_operation=fund_operation,
        indicators=tuple(_carried_indicator(i, r) for i, r in zip(last.indicators, last_result.indicators)),
        scoring=last.scoring,
        narrative=tuple(narrative),
    )
