"""Hypothesis strategies that generate whole reports (every field, every enum, edge values)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import strategies as st

from yibao_desktop.domain.rules import PROFILES
from yibao_desktop.domain.report import (
    GRADES,
    KINDS,
    LEVELS,
    NATURES,
    POOLS,
    REVERSE_RULES,
    Basis,
    Expenditure,
    FundOperation,
    FundOpLine,
    Income,
    Indicator,
    Meta,
    Previous,
    Report,
    Scoring,
    Section,
)

# Not the noncharacters U+FFFE/U+FFFF: the data workbook cannot carry them through calamine
# (tests/exchange/excel/test_data.py::test_a_noncharacter_comes_back_as_its_excel_escape).
text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff"),
               max_size=12)
cjk = st.text(alphabet="医保基金监管资金产出效益满意度指标宣传培训信息化县局", min_size=1, max_size=8)
money = st.integers(min_value=-10**9, max_value=10**11).map(lambda c: Decimal(c).scaleb(-2))
positive_money = st.integers(min_value=0, max_value=10**11).map(lambda c: Decimal(c).scaleb(-2))
number = st.decimals(min_value=-10**6, max_value=10**7, places=3, allow_nan=False, allow_infinity=False)
weight = st.integers(min_value=0, max_value=5000).map(lambda c: Decimal(c).scaleb(-2))
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


def _opt(strategy):
    return st.none() | strategy


incomes = st.builds(Income, level=st.sampled_from(LEVELS), kind=st.sampled_from(KINDS), doc_no=text,
                    date=_opt(dates), amount=money, note=text, lottery=st.booleans())
expenditures = st.builds(Expenditure, project=text, direction=cjk, econ_class=cjk, pool=st.sampled_from(POOLS),
                         level=_opt(st.sampled_from(LEVELS)), budget=_opt(positive_money), paid=positive_money, paid_on=_opt(dates))
indicators = st.builds(
    Indicator, level1=cjk, level2=cjk, name=text, nature=_opt(st.sampled_from(NATURES)), target=_opt(number),
    unit=st.sampled_from(["%", "人次", "个", "", "万元", "起"]), target_text=text, weight=weight,
    actual=_opt(number), numerator=_opt(number), denominator=_opt(number), grade=_opt(st.sampled_from(GRADES)),
    score=_opt(weight), override_reason=text, deviation_reason=text, baseline=_opt(number))
fo_lines = st.builds(FundOpLine, category=text, budget=_opt(money), actual=money)
fund_operations = st.builds(
    FundOperation, income=st.lists(fo_lines, max_size=4).map(tuple), expense=st.lists(fo_lines, max_size=4).map(tuple),
    income_total=_opt(money), expense_total=_opt(money), year_balance=_opt(money), closing_balance=_opt(money),
    insured_persons=_opt(st.integers(0, 10**8)), registered_population=_opt(st.integers(0, 10**8)),
    resident_population=_opt(st.integers(0, 10**8)))
scorings = st.builds(
    Scoring,
    level1_weights=st.dictionaries(cjk, weight, max_size=5).map(lambda d: tuple(d.items())),
    budget_execution_weight=weight, reverse_rule=st.sampled_from(REVERSE_RULES),
    overachieve_penalty=st.booleans(), execution_cap=st.booleans(),
    grade_labels=st.tuples(cjk, cjk, cjk, cjk) | st.just(("优", "良", "中", "差")),
    scored=st.booleans(), profile=st.sampled_from(sorted(PROFILES)))
previous = st.builds(Previous, year=st.integers(2000, 2100), available=money, paid=money)
metas = st.builds(Meta, unit=text, year=st.integers(2000, 2100), previous=_opt(previous),
                  fund_type=st.sampled_from(["capacity", "resident_insurance", "medical_assistance", "custom"]),
                  title=_opt(text), competent_dept=text,
                  basis=st.lists(st.builds(Basis, title=text, doc_no=text), max_size=3).map(tuple))
reports = st.builds(
    Report, meta=metas, incomes=st.lists(incomes, max_size=5).map(tuple),
    expenditures=st.lists(expenditures, max_size=8).map(tuple), fund_operation=_opt(fund_operations),
    indicators=st.lists(indicators, max_size=8).map(tuple), scoring=scorings,
    narrative=st.lists(st.builds(Section, key=st.from_regex(r"[a-z_]{1,10}", fullmatch=True), heading=text,
                                 text=text), max_size=4).map(tuple))
