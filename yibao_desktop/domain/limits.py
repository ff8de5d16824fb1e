"""The range every stored or typed value must lie in, shared by the .yibao reader and JSON input.

A value outside these limits cannot be a real county report (a 10^13 元 payment, a weight of 150,
the year 1066) but can reach us from a damaged or hostile file. Each check returns a Chinese
reason, or None when the value is fine; callers add where the value came from.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from yibao_desktop.domain.money import MONEY_LIMIT
from yibao_desktop.domain.rules import PROFILES
from yibao_desktop.domain.report import (
    FUND_TYPE_LABELS,
    FUND_TYPES,
    GRADES,
    KINDS,
    LEVELS,
    NATURES,
    POOLS,
    EVIDENCE_MAX_BYTES,
    EVIDENCE_SUFFIXES,
    REVERSE_RULES,
    Attachment,
    Basis,
    Expenditure,
    FundOperation,
    FundOpLine,
    Income,
    Indicator,
    Meta,
    Previous,
    Scoring,
    Section,
)

NUMBER_LIMIT = Decimal(10) ** 15       # indicator values, numerators, denominators, scores
MAX_NUMBER_DECIMALS = 20               # float-born values (0.30000000000000004, 17 places) still fit
WEIGHT_MAX = Decimal(100)
COUNT_LIMIT = 10 ** 10                 # persons, population
YEAR_MIN, YEAR_MAX = 2000, 2100        # report years
DATE_MIN, DATE_MAX = date(1900, 1, 1), date(2199, 12, 31)
MAX_INT_DIGITS = 20                    # integers in JSON beyond this are refused before conversion
REVERSE_RULE_LABELS = {"linear": "线性扣分", "ratio": "目标值÷实际值"}


def _finite_decimal(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, Decimal):
        return "不是数值"
    if not value.is_finite():
        return "不是有限的数值"
    return None


def money_problem(value: Any) -> str | None:
    """An amount in 元: finite, at most 2 decimals, |x| < 10^13."""
    problem = _finite_decimal(value)
    if problem:
        return problem
    if abs(value) >= MONEY_LIMIT:
        return "金额超出允许范围（绝对值须小于 10 万亿元）"
    if value.as_tuple().exponent < -2 and value != value.quantize(Decimal("0.01")):  # type: ignore[operator]
        return "金额精确到分以下（最多两位小数）"
    return None


def number_problem(value: Any) -> str | None:
    """An indicator value, numerator, denominator, target, baseline or score."""
    problem = _finite_decimal(value)
    if problem:
        return problem
    if abs(value) >= NUMBER_LIMIT:
        return "数值超出允许范围（绝对值须小于 10^15）"
    exponent = value.as_tuple().exponent
    if exponent < -MAX_NUMBER_DECIMALS and value != round(value, MAX_NUMBER_DECIMALS):  # type: ignore[operator]
        return f"小数位数过多（最多 {MAX_NUMBER_DECIMALS} 位）"
    return None


def weight_problem(value: Any) -> str | None:
    """A weight (分值) between 0 and 100."""
    problem = number_problem(value)
    if problem:
        return problem
    if not Decimal(0) <= value <= WEIGHT_MAX:
        return "分值须在 0 到 100 之间"
    return None


def year_problem(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return "年度须为整数"
    if not YEAR_MIN <= value <= YEAR_MAX:
        return f"年度 {value} 不合理（应在 {YEAR_MIN} 到 {YEAR_MAX} 之间）"
    return None


def count_problem(value: Any) -> str | None:
    """Persons or population: a whole number, 0 or more."""
    if isinstance(value, bool) or not isinstance(value, int):
        return "须为整数"
    if not 0 <= value < COUNT_LIMIT:
        return "人数须为 0 到 100 亿之间的整数"
    return None


def date_problem(value: Any) -> str | None:
    if not isinstance(value, date):
        return "不是有效的日期"
    if not DATE_MIN <= value <= DATE_MAX:
        return f"日期 {value.isoformat()} 不合理"
    return None


def text_problem(value: Any) -> str | None:
    if not isinstance(value, str):
        return "须为文本"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "文本含有无法保存的字符（不成对的代理字符）"
    return None


def bool_problem(value: Any) -> str | None:
    return None if isinstance(value, bool) else "须为“是”或“否”"


def enum_problem(choices: tuple[str, ...], labels: dict[str, str] | None = None) -> Any:
    """Checks one of `choices`; the message lists their `labels` (Chinese) when the choices are
    codes."""
    shown = "、".join(labels[c] for c in choices) if labels else "、".join(choices)

    def check(value: Any) -> str | None:
        if not isinstance(value, str) or value not in choices:
            return f"「{printable(value)}」不是可选值（可选：{shown}）"
        return None
    return check


def optional(check: Any) -> Any:
    def inner(value: Any) -> str | None:
        return None if value is None else check(value)
    return inner


def printable(value: Any, limit: int = 40) -> str:
    """A short rendering of a bad value for a message (never raises, never a Python repr)."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif value is None:
        text = "空"
    elif isinstance(value, str):
        text = value
    elif isinstance(value, (int, Decimal)):
        text = str(value) if len(str(value)) <= limit else f"{len(str(value))} 位的数"
    elif isinstance(value, bytes):
        text = f"{len(value)} 字节的二进制数据"
    elif isinstance(value, (list, tuple)):
        text = "数组"
    elif isinstance(value, dict):
        text = "对象"
    else:
        text = str(value)
    text = text.encode("utf-8", "replace").decode("utf-8")
    return text if len(text) <= limit else text[:limit] + "…"


_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_BAD_NAME_CHARS = set('/\\:*?"<>|\0')


def evidence_name_problem(name: Any) -> str | None:
    """A plain file name (no folder) of an allowed kind."""
    problem = text_problem(name)
    if problem:
        return problem
    if not name.strip() or len(name) > 200 or any(c in _BAD_NAME_CHARS or ord(c) < 32 for c in name):
        return f"佐证材料文件名「{printable(name)}」不可用"
    if not name.lower().endswith(EVIDENCE_SUFFIXES):
        return (f"佐证材料「{printable(name)}」的类型不支持"
                f"（可用：{'、'.join(s[1:].upper() for s in EVIDENCE_SUFFIXES)}）")
    return None


def sha256_problem(value: Any) -> str | None:
    return None if isinstance(value, str) and _SHA256.match(value) else "校验值（SHA-256）不正确"


def evidence_size_problem(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= EVIDENCE_MAX_BYTES:
        return "文件大小须为 1 字节到 20 MB"
    return None


def attachment_problem(value: Any) -> str | None:
    if not isinstance(value, Attachment):
        return "佐证材料格式不正确"
    for check, field in ((evidence_name_problem, value.name), (sha256_problem, value.sha256),
                         (evidence_size_problem, value.size)):
        problem = check(field)
        if problem:
            return problem if check is evidence_name_problem else f"佐证材料「{printable(value.name)}」：{problem}"
    return None


def attachments_problem(value: Any) -> str | None:
    if not isinstance(value, tuple):
        return "佐证材料格式不正确"
    for item in value:
        problem = attachment_problem(item)
        if problem:
            return problem
    return None


# Per row class: field -> check. Keys are the dataclass fields, so a new field must be listed here.
_TEXT, _MONEY, _NUMBER = text_problem, money_problem, number_problem
ROW_CHECKS: dict[type, dict[str, Any]] = {
    Basis: {"title": _TEXT, "doc_no": _TEXT},
    Income: {"level": enum_problem(LEVELS), "kind": enum_problem(KINDS), "doc_no": _TEXT,
             "date": optional(date_problem), "amount": _MONEY, "note": _TEXT, "lottery": bool_problem},
    Expenditure: {"project": _TEXT, "direction": _TEXT, "econ_class": _TEXT, "pool": enum_problem(POOLS),
                  "budget": optional(_MONEY), "paid": _MONEY, "paid_on": optional(date_problem),
                  "level": optional(enum_problem(LEVELS)), "refund": bool_problem},
    FundOpLine: {"category": _TEXT, "budget": optional(_MONEY), "actual": _MONEY},
    Indicator: {"level1": _TEXT, "level2": _TEXT, "name": _TEXT, "nature": optional(enum_problem(NATURES)),
                "target": optional(_NUMBER), "unit": _TEXT, "target_text": _TEXT, "weight": weight_problem,
                "actual": optional(_NUMBER), "numerator": optional(_NUMBER), "denominator": optional(_NUMBER),
                "grade": optional(enum_problem(GRADES)), "score": optional(_NUMBER),
                "override_reason": _TEXT, "deviation_reason": _TEXT, "baseline": optional(_NUMBER),
                "evidence": attachments_problem},
    Section: {"key": _TEXT, "heading": _TEXT, "text": _TEXT},
    Attachment: {"name": evidence_name_problem, "sha256": sha256_problem, "size": evidence_size_problem},
}


def _level1_weights_problem(value: Any) -> str | None:
    if not isinstance(value, tuple):
        return "一级指标权重格式不正确"
    for item in value:
        if not (isinstance(item, tuple) and len(item) == 2):
            return "一级指标权重格式不正确"
        name, weight = item
        problem = text_problem(name) or weight_problem(weight)
        if problem:
            return f"「{printable(name)}」的权重：{problem}"
    return None


def _grade_labels_problem(value: Any) -> str | None:
    if not (isinstance(value, tuple) and len(value) == 4
            and all(isinstance(v, str) and v and not text_problem(v) for v in value)):
        return "须为 4 个等级名称"
    return None


def _previous_problem(value: Any) -> str | None:
    if not isinstance(value, Previous):
        return "上年数据格式不正确"
    for label, problem in (("上年年度", year_problem(value.year)), ("上年可用资金", money_problem(value.available)),
                           ("上年已支付", money_problem(value.paid))):
        if problem:
            return f"{label}：{problem}"
    return None


SINGLETON_CHECKS: dict[type, dict[str, Any]] = {
    Meta: {"unit": _TEXT, "year": year_problem, "fund_type": enum_problem(FUND_TYPES, FUND_TYPE_LABELS),
           "title": optional(_TEXT),
           "competent_dept": _TEXT, "previous": optional(_previous_problem)},
    Scoring: {"level1_weights": _level1_weights_problem, "budget_execution_weight": weight_problem,
              "reverse_rule": enum_problem(REVERSE_RULES, REVERSE_RULE_LABELS), "overachieve_penalty": bool_problem,
              "execution_cap": bool_problem, "grade_labels": _grade_labels_problem, "scored": bool_problem,
              "profile": enum_problem(tuple(PROFILES), {k: p.label for k, p in PROFILES.items()})},
    FundOperation: {"income_total": optional(_MONEY), "expense_total": optional(_MONEY),
                    "year_balance": optional(_MONEY), "closing_balance": optional(_MONEY),
                    "insured_persons": optional(count_problem), "registered_population": optional(count_problem),
                    "resident_population": optional(count_problem)},
}


def field_problem(cls: type, name: str, value: Any) -> str | None:
    """The problem with `value` as field `name` of `cls`, or None. Unknown fields are not checked."""
    check = ROW_CHECKS.get(cls, {}).get(name) or SINGLETON_CHECKS.get(cls, {}).get(name)
    return check(value) if check is not None else None


def row_problems(row: Any) -> list[tuple[str, str]]:
    """(field, problem) for every bad field of a row or singleton object."""
    checks = ROW_CHECKS.get(type(row)) or SINGLETON_CHECKS.get(type(row), {})
    out = []
    for name, check in checks.items():
        problem = check(getattr(row, name))
        if problem:
            out.append((name, problem))
    return out


# -- what an export can lay out (issue 14 item 8: bounded work) -----------------------------------
# Far beyond any real report, and refused before any work: a unit name of ten megabytes once kept
# export-pdf busy for a quarter of an hour and then failed. The official names of the longest
# county bureaus have about 30 characters; a narrative section of 50,000 characters is some 80
# pages of body text (and appears again on the two official forms).
UNIT_NAME_MAX = 200
HEADING_MAX = 200
SECTION_TEXT_MAX = 50_000


def export_problems(report: Any) -> list[str]:
    """Chinese reasons why `report` is too large to lay out as a PDF or official form: a unit
    name over UNIT_NAME_MAX characters, a section heading over HEADING_MAX, a section text over
    SECTION_TEXT_MAX. Empty when the report is fine. Counts characters only (cheap on any size)."""
    problems = []
    unit = report.meta.unit or ""
    if len(unit) > UNIT_NAME_MAX:
        problems.append(f"单位名称有 {len(unit):,} 个字，超过 {UNIT_NAME_MAX} 个字的上限，请在报告信息中改正单位名称")
    for n, section in enumerate(report.narrative, 1):
        heading = section.heading or ""
        name = f"第 {n} 节「{printable(heading, 20)}」" if heading else f"第 {n} 节"
        if len(heading) > HEADING_MAX:
            problems.append(f"报告文字{name}的标题有 {len(heading):,} 个字，超过 {HEADING_MAX} 个字的上限，请缩短标题")
        text = section.text or ""
        if len(text) > SECTION_TEXT_MAX:
            problems.append(f"报告文字{name}有 {len(text):,} 个字，超过 {SECTION_TEXT_MAX:,} 个字的上限，"
                            "请精简或拆分为几节")
    return problems

# Rows of one sheet an Excel import reads at most: ten times the longest real payment list.
# A longer sheet is refused before it is read (exchange/excel/files.py counts while streaming).
IMPORT_ROWS_MAX = 100_000
