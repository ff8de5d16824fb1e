"""The report JSON interchange (INTERCHANGE.md, format "yibao-report" version 1).

`report_from_json` is strict about shape (unknown keys, wrong types, unparseable amounts or dates,
unknown enum values are refused, naming the JSON path) and lenient about content: inconsistent
figures load as typed and show up in compute's findings. `report_to_json` is its inverse, so
load -> dump -> load is the identity.
"""

from __future__ import annotations

import json
import re
from dataclasses import fields
from functools import lru_cache
from datetime import date
from decimal import Decimal
from typing import Any, Callable

from yibao_desktop.domain import limits
from yibao_desktop.domain.errors import ReportFormatError, ValueParseError
from yibao_desktop.domain.money import fmt_money, fmt_num, fmt_pct, parse_decimal, parse_money
from yibao_desktop.domain.report import (
    DEFAULT_GRADE_LABELS,
    FUND_TYPES,
    GRADES,
    KINDS,
    LEVELS,
    NATURES,
    POOLS,
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
    Report,
    Scoring,
    Section,
)
from yibao_desktop.domain.result import Location, Result
from yibao_desktop.domain.rules import DEFAULT_PROFILE, PROFILES

FORMAT = "yibao-report"
VERSION = 1

# ------------------------------------------------------------------------------ value codecs
# Every value is checked against domain.limits as well as for its shape: an amount of 10^26 元,
# a 60-digit weight or a score of 1e50 is refused here with its JSON path, never stored.

_DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_DEPTH = 64  # our format nests 4 deep; json itself would fail with a RecursionError near 1,000


class _HugeNumber:
    """A JSON integer with more digits than any field allows (Python refuses to convert more than
    4,300 digits at all); kept apart so that the reader can refuse it with its path."""

    def __init__(self, text: str):
        self.digits = len(text.lstrip("-"))


def _parse_int(text: str) -> Any:
    return int(text) if len(text.lstrip("-")) <= limits.MAX_INT_DIGITS else _HugeNumber(text)


def _kind(v: Any) -> str:
    """A JSON value's type, in Chinese."""
    if v is None:
        return "空值（null）"
    if isinstance(v, bool):
        return "布尔值"
    if isinstance(v, (int, float, _HugeNumber)):
        return "数字"
    if isinstance(v, str):
        return "文本"
    if isinstance(v, list):
        return "数组"
    if isinstance(v, dict):
        return "对象"
    return "未知类型"  # pragma: no cover - json gives no other types


def _shown(v: Any) -> str:
    if isinstance(v, _HugeNumber):
        return f"{v.digits} 位的整数"
    if isinstance(v, float):
        return limits.printable(str(v))
    if isinstance(v, (str, int, bool)) or v is None:
        return limits.printable(v)
    return _kind(v)


def _refuse_huge(v: Any) -> None:
    if isinstance(v, _HugeNumber):
        raise ValueParseError(f"数值位数过多（{v.digits} 位）")


def parse_date(value: Any) -> date:
    if not isinstance(value, str):
        raise ValueParseError(f"日期须为文本（如 2024-03-01），不能是{_kind(value)}「{_shown(value)}」")
    text = value.strip()
    try:
        if not _DATE_TEXT.match(text):
            raise ValueError
        result = date.fromisoformat(text)
    except ValueError:
        raise ValueParseError(f"无法识别的日期「{limits.printable(value)}」，应写成 2024-03-01 的形式") from None
    problem = limits.date_problem(result)
    if problem:
        raise ValueParseError(problem)
    return result


def _checked(value: Any, check: Callable[[Any], str | None]) -> Any:
    problem = check(value)
    if problem:
        raise ValueParseError(problem)
    return value


def _money(v: Any) -> Decimal:
    _refuse_huge(v)
    if isinstance(v, float) or isinstance(v, bool):
        raise ValueParseError(f"金额须为文本（如 \"600000.00\"），不能是数字 {_shown(v)}")
    if not isinstance(v, (str, int)):
        raise ValueParseError(f"金额须为文本（如 \"600000.00\"），不能是{_kind(v)}")
    if isinstance(v, str) and len(v) > 100:
        raise ValueParseError("金额文本过长")
    try:
        value = parse_money(v)
    except ArithmeticError:  # decimal.InvalidOperation: more digits than Decimal's precision
        raise ValueParseError(limits.money_problem(Decimal(limits.MONEY_LIMIT)) or "金额超出允许范围") from None
    return _checked(value, limits.money_problem)


def _decimal(v: Any) -> Decimal:
    _refuse_huge(v)
    if isinstance(v, float) or isinstance(v, bool):
        raise ValueParseError(f"数值须为文本（如 \"60\"），不能是浮点数 {_shown(v)}")
    if not isinstance(v, (str, int)):
        raise ValueParseError(f"数值须为文本（如 \"60\"），不能是{_kind(v)}")
    if isinstance(v, str) and len(v) > 100:
        raise ValueParseError("数值文本过长")
    return parse_decimal(v)


def _number(v: Any) -> Decimal:
    return _checked(_decimal(v), limits.number_problem)


def _weight(v: Any) -> Decimal:
    return _checked(_decimal(v), limits.weight_problem)


def _integer(v: Any) -> int:
    _refuse_huge(v)
    if isinstance(v, bool) or not isinstance(v, int):
        raise ValueParseError(f"须为整数，不能是{_kind(v)}「{_shown(v)}」")
    return v


def _year(v: Any) -> int:
    return _checked(_integer(v), limits.year_problem)


def _count(v: Any) -> int:
    return _checked(_integer(v), limits.count_problem)


def _text(v: Any) -> str:
    if not isinstance(v, str):
        raise ValueParseError(f"须为文本，不能是{_kind(v)}「{_shown(v)}」")
    return _checked(v, limits.text_problem)


def _boolean(v: Any) -> bool:
    if not isinstance(v, bool):
        raise ValueParseError(f"须为 true 或 false，不能是{_kind(v)}「{_shown(v)}」")
    return v


def _enum(choices: tuple[str, ...]) -> Callable[[Any], str]:
    def parse(v: Any) -> str:
        if not isinstance(v, str) or v not in choices:
            raise ValueParseError(f"「{_shown(v)}」不是可选值（可选：{'、'.join(choices)}）")
        return v
    return parse


def _optional(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def inner(v: Any) -> Any:
        return None if v is None else parse(v)
    return inner


# ------------------------------------------------------------------------------ object readers


class _Reader:
    """Reads one JSON object against a field spec, naming the path in every error."""

    def __init__(self, obj: Any, path: str):
        if not isinstance(obj, dict):
            raise ReportFormatError(path or "（根）", f"应为对象，实际为{_kind(obj)}")
        self.obj, self.path = obj, path

    def read(self, spec: dict[str, tuple[Callable[[Any], Any], Any]]) -> dict[str, Any]:
        unknown = sorted(set(self.obj) - set(spec))
        if unknown:
            raise ReportFormatError(self._at(unknown[0]), "未知字段（可能是拼写错误或更新版本的文件）")
        out = {}
        for key, (parse, default) in spec.items():
            if key not in self.obj:
                if default is _REQUIRED:
                    raise ReportFormatError(self._at(key), "缺少必填字段")
                out[key] = default
                continue
            try:
                out[key] = parse(self.obj[key])
            except ValueParseError as err:
                raise ReportFormatError(self._at(key), err.message) from None
        return out

    def _at(self, key: str) -> str:
        key = limits.printable(key)
        return f"{self.path}.{key}" if self.path else key


_REQUIRED = object()


def _list_of(item: Callable[[Any, str], Any], value: Any, path: str) -> tuple[Any, ...]:
    if not isinstance(value, list):
        raise ReportFormatError(path, f"应为数组，实际为{_kind(value)}")
    return tuple(item(v, f"{path}[{i}]") for i, v in enumerate(value))


def _basis(obj: Any, path: str) -> Basis:
    return Basis(**_Reader(obj, path).read({"title": (_text, ""), "doc_no": (_text, "")}))


def _meta(obj: Any, path: str) -> Meta:
    r = _Reader(obj, path)
    raw_basis = r.obj.get("basis", [])
    data = r.read({
        "unit": (_text, _REQUIRED), "year": (_year, _REQUIRED),
        "fund_type": (_enum(FUND_TYPES), _REQUIRED), "title": (_optional(_text), None),
        "competent_dept": (_text, ""), "basis": (lambda v: v, []), "previous": (lambda v: v, None),
    })
    data["basis"] = _list_of(_basis, raw_basis, f"{path}.basis")
    if data["previous"] is not None:
        data["previous"] = Previous(**_Reader(data["previous"], f"{path}.previous").read(
            {"year": (_year, _REQUIRED), "available": (_money, _REQUIRED), "paid": (_money, _REQUIRED)}))
    return Meta(**data)


_INCOME_SPEC = {
    "level": (_enum(LEVELS), _REQUIRED), "kind": (_enum(KINDS), _REQUIRED), "doc_no": (_text, ""),
    "date": (_optional(parse_date), None), "amount": (_money, _REQUIRED), "note": (_text, ""),
    "lottery": (_boolean, False),
}
_EXPENDITURE_SPEC = {
    "project": (_text, _REQUIRED), "direction": (_text, ""), "econ_class": (_text, ""),
    "pool": (_enum(POOLS), "当年下达"), "budget": (_optional(_money), None), "paid": (_money, _REQUIRED),
    "paid_on": (_optional(parse_date), None), "level": (_optional(_enum(LEVELS)), None),
    "refund": (_boolean, False),
}


def _attachment(obj: Any, path: str) -> Attachment:
    data = _Reader(obj, path).read({"name": (_text, _REQUIRED), "sha256": (_text, _REQUIRED),
                                    "size": (_integer, _REQUIRED)})
    attachment = Attachment(**data)
    problem = limits.attachment_problem(attachment)
    if problem:
        raise ReportFormatError(path, problem)
    return attachment


def _attachments(value: Any, path: str) -> tuple[Attachment, ...]:
    return _list_of(_attachment, value, path)
_FUND_OP_LINE_SPEC = {"category": (_text, _REQUIRED), "budget": (_optional(_money), None),
                      "actual": (_money, _REQUIRED)}
_INDICATOR_SPEC = {
    "level1": (_text, _REQUIRED), "level2": (_text, ""), "name": (_text, _REQUIRED),
    "nature": (_optional(_enum(NATURES)), None), "target": (_optional(_number), None), "unit": (_text, ""),
    "target_text": (_text, ""), "weight": (_weight, _REQUIRED), "actual": (_optional(_number), None),
    "numerator": (_optional(_number), None), "denominator": (_optional(_number), None),
    "grade": (_optional(_enum(GRADES)), None), "score": (_optional(_number), None),
    "override_reason": (_text, ""), "deviation_reason": (_text, ""), "baseline": (_optional(_number), None),
    "evidence": (lambda v: v, []),
}


def _indicator(obj: Any, path: str) -> Indicator:
    data = _Reader(obj, path).read(_INDICATOR_SPEC)
    data["evidence"] = _attachments(data["evidence"], f"{path}.evidence")
    return Indicator(**data)


def _fund_operation(obj: Any, path: str) -> FundOperation | None:
    if obj is None:
        return None
    r = _Reader(obj, path)
    raw = {k: r.obj.get(k, []) for k in ("income", "expense")}
    data = r.read({
        "income": (lambda v: v, []), "expense": (lambda v: v, []),
        "income_total": (_optional(_money), None), "expense_total": (_optional(_money), None),
        "year_balance": (_optional(_money), None), "closing_balance": (_optional(_money), None),
        "insured_persons": (_optional(_count), None), "registered_population": (_optional(_count), None),
        "resident_population": (_optional(_count), None),
    })
    for side in ("income", "expense"):
        data[side] = _list_of(lambda o, p: FundOpLine(**_Reader(o, p).read(_FUND_OP_LINE_SPEC)),
                              raw[side], f"{path}.{side}")
    return FundOperation(**data)


def _weights(v: Any) -> tuple[tuple[str, Decimal], ...]:
    if not isinstance(v, dict):
        raise ValueParseError("应为对象，如 {\"产出指标\": \"50\"}")
    out = []
    for name, weight in v.items():
        _checked(name, limits.text_problem)
        try:
            out.append((name, _weight(weight)))
        except ValueParseError as err:
            raise ValueParseError(f"「{limits.printable(name)}」的权重{err.message}") from None
    return tuple(out)


def _grade_labels(v: Any) -> tuple[str, str, str, str]:
    if not isinstance(v, list) or len(v) != 4 or not all(isinstance(x, str) and x for x in v):
        raise ValueParseError("应为 4 个等级名称的数组，如 [\"优\", \"良\", \"中\", \"差\"]")
    for x in v:
        _checked(x, limits.text_problem)
    return tuple(v)  # type: ignore[return-value]


def _scoring(obj: Any, path: str) -> Scoring:
    return Scoring(**_Reader(obj, path).read({
        "level1_weights": (_weights, _REQUIRED), "budget_execution_weight": (_weight, Decimal("10")),
        "reverse_rule": (_enum(REVERSE_RULES), "linear"), "overachieve_penalty": (_boolean, False),
        "execution_cap": (_boolean, False), "grade_labels": (_grade_labels, DEFAULT_GRADE_LABELS),
        "scored": (_boolean, True), "profile": (_enum(tuple(PROFILES)), DEFAULT_PROFILE),
    }))


def report_from_data(data: Any) -> Report:
    r = _Reader(data, "")
    raw = dict(r.obj)
    r.read({
        "format": (_enum((FORMAT,)), _REQUIRED), "version": (_integer, _REQUIRED),
        "meta": (lambda v: v, _REQUIRED), "incomes": (lambda v: v, []), "expenditures": (lambda v: v, []),
        "fund_operation": (lambda v: v, None), "indicators": (lambda v: v, []),
        "scoring": (lambda v: v, _REQUIRED), "narrative": (lambda v: v, []), "evidence": (lambda v: v, []),
    })
    if raw["version"] > VERSION:
        raise ReportFormatError("version", f"文件格式版本 {raw['version']} 高于本程序支持的版本 {VERSION}，请升级程序")
    if raw["version"] < 1:
        raise ReportFormatError("version", f"无效的格式版本 {raw['version']}")
    return Report(
        meta=_meta(raw["meta"], "meta"),
        incomes=_list_of(lambda o, p: Income(**_Reader(o, p).read(_INCOME_SPEC)), raw.get("incomes", []), "incomes"),
        expenditures=_list_of(lambda o, p: Expenditure(**_Reader(o, p).read(_EXPENDITURE_SPEC)),
                              raw.get("expenditures", []), "expenditures"),
        fund_operation=_fund_operation(raw.get("fund_operation"), "fund_operation"),
        indicators=_list_of(_indicator, raw.get("indicators", []), "indicators"),
        scoring=_scoring(raw["scoring"], "scoring"),
        narrative=_list_of(lambda o, p: Section(**_Reader(o, p).read(
            {"key": (_text, _REQUIRED), "heading": (_text, ""), "text": (_text, "")})),
            raw.get("narrative", []), "narrative"),
        evidence=_attachments(raw.get("evidence", []), "evidence"),
    )


# json's messages (English) in Chinese; anything else gets the general wording.
_JSON_MESSAGES = (
    ("Expecting value", "此处应为一个值"),
    ("Expecting property name enclosed in double quotes", "此处应为带双引号的字段名"),
    ("Expecting ':' delimiter", "缺少冒号"),
    ("Expecting ',' delimiter", "缺少逗号"),
    ("Unterminated string starting at", "文本缺少结束的双引号"),
    ("Invalid control character at", "文本中有不允许的控制字符"),
    ("Invalid \\uXXXX escape", "无效的 \\u 转义"),
    ("Invalid \\escape", "无效的转义字符"),
    ("Extra data", "JSON 结束后还有多余的内容"),
)


def _json_message(msg: str) -> str:
    for english, chinese in _JSON_MESSAGES:
        if msg.startswith(english):
            return chinese
    return "格式错误"


def _too_deep_at(text: str) -> tuple[int, int] | None:
    """Line and column where nesting first exceeds MAX_DEPTH (strings skipped)."""
    depth = 0
    for m in re.finditer(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', text, re.S):
        token = m.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                line = text.count("\n", 0, m.start()) + 1
                return line, m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        elif token in "]}":
            depth -= 1
    return None


def report_from_json(text: str) -> Report:
    where = _too_deep_at(text)
    if where is not None:
        raise ReportFormatError("", f"JSON 嵌套层数过多（第 {where[0]} 行第 {where[1]} 列超过 {MAX_DEPTH} 层）")
    try:
        data = json.loads(text, parse_float=_reject_float, parse_int=_parse_int,
                          parse_constant=_reject_float)
    except json.JSONDecodeError as err:
        raise ReportFormatError("", f"不是有效的 JSON：第 {err.lineno} 行第 {err.colno} 列，{_json_message(err.msg)}") from None
    except RecursionError:
        raise ReportFormatError("", "JSON 嵌套层数过多") from None
    except ValueError:
        raise ReportFormatError("", "不是有效的 JSON") from None
    return report_from_data(data)


class _FloatMarker(float):
    """Floats (and NaN, Infinity) are kept apart so that the reader can refuse them with the path."""


def _reject_float(text: str) -> float:
    return _FloatMarker(text)


# ------------------------------------------------------------------------------------ writing


def _money_out(v: Decimal | None) -> str | None:
    return None if v is None else fmt_money(v)


def _num_out(v: Decimal | None) -> str | None:
    return None if v is None else fmt_num(v)


def _date_out(v: date | None) -> str | None:
    return None if v is None else v.isoformat()


def report_to_data(report: Report) -> dict[str, Any]:
    m = report.meta
    s = report.scoring
    scoring: dict[str, Any] = {
        "level1_weights": {name: fmt_num(w) for name, w in s.level1_weights},
        "budget_execution_weight": fmt_num(s.budget_execution_weight), "reverse_rule": s.reverse_rule,
        "overachieve_penalty": s.overachieve_penalty, "execution_cap": s.execution_cap,
    }
    if tuple(s.grade_labels) != DEFAULT_GRADE_LABELS:
        scoring["grade_labels"] = list(s.grade_labels)
    # Keys added after version 1 are written only when they differ from their default, so older
    # programs still read what this one writes for their reports.
    if not s.scored:
        scoring["scored"] = False
    if s.profile != DEFAULT_PROFILE:
        scoring["profile"] = s.profile
    fo = report.fund_operation
    return {
        "format": FORMAT, "version": VERSION,
        "meta": _meta_out(m),
        "incomes": [_income_out(i) for i in report.incomes],
        "expenditures": [_expenditure_out(e) for e in report.expenditures],
        "fund_operation": None if fo is None else {
            "income": [_fo_line(l) for l in fo.income], "expense": [_fo_line(l) for l in fo.expense],
            "income_total": _money_out(fo.income_total), "expense_total": _money_out(fo.expense_total),
            "year_balance": _money_out(fo.year_balance), "closing_balance": _money_out(fo.closing_balance),
            "insured_persons": fo.insured_persons, "registered_population": fo.registered_population,
            "resident_population": fo.resident_population,
        },
        "indicators": [_indicator_out(i) for i in report.indicators],
        "scoring": scoring,
        "narrative": [{"key": n.key, "heading": n.heading, "text": n.text} for n in report.narrative],
        **({"evidence": [_attachment_out(a) for a in report.evidence]} if report.evidence else {}),
    }


def _attachment_out(a: Attachment) -> dict[str, Any]:
    return {"name": a.name, "sha256": a.sha256, "size": a.size}


def _meta_out(m: Meta) -> dict[str, Any]:
    out: dict[str, Any] = {"unit": m.unit, "year": m.year, "fund_type": m.fund_type, "title": m.title,
                           "competent_dept": m.competent_dept,
                           "basis": [{"title": b.title, "doc_no": b.doc_no} for b in m.basis]}
    if m.previous is not None:  # optional key (carry-forward); absent keeps v1 readers happy
        out["previous"] = {"year": m.previous.year, "available": fmt_money(m.previous.available),
                           "paid": fmt_money(m.previous.paid)}
    return out


def _income_out(i: Income) -> dict[str, Any]:
    out = {"level": i.level, "kind": i.kind, "doc_no": i.doc_no, "date": _date_out(i.date),
           "amount": fmt_money(i.amount), "note": i.note}
    if i.lottery:
        out["lottery"] = True
    return out


def _expenditure_out(e: Expenditure) -> dict[str, Any]:
    out = {"project": e.project, "direction": e.direction, "econ_class": e.econ_class, "pool": e.pool,
           "budget": _money_out(e.budget), "paid": fmt_money(e.paid), "paid_on": _date_out(e.paid_on)}
    if e.level is not None:
        out["level"] = e.level
    if e.refund:
        out["refund"] = True
    return out


def _fo_line(line: FundOpLine) -> dict[str, Any]:
    return {"category": line.category, "budget": _money_out(line.budget), "actual": fmt_money(line.actual)}


def _indicator_out(ind: Indicator) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(Indicator):
        v = getattr(ind, f.name)
        out[f.name] = _num_out(v) if isinstance(v, Decimal) else v
    if out["baseline"] is None:
        del out["baseline"]  # optional key added for carry-forward; absent keeps v1 readers happy
    if ind.evidence:
        out["evidence"] = [_attachment_out(a) for a in ind.evidence]
    else:
        del out["evidence"]
    return out


def report_to_json(report: Report) -> str:
    return json.dumps(report_to_data(report), ensure_ascii=False, indent=2) + "\n"


# ------------------------------------------------------------------------------ compute output

_WRITERS: dict[str, Callable[[Decimal], str | None]] = {"Money": fmt_money, "Pct": fmt_pct, "Num": fmt_num}


def _json_value(value: Any, kind: str) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, Decimal):
        return _WRITERS[kind](value)
    if isinstance(value, Location):
        return str(value)
    if isinstance(value, tuple):
        inner = kind.split("[", 1)[1].split(",")[0].strip() if "[" in kind else ""
        return [_json_value(v, inner) for v in value]
    return _json_object(value)


@lru_cache(maxsize=None)
def _plan(cls: type) -> tuple[tuple[str, str], ...]:
    """(field name, annotation base) of a result dataclass, in declaration order, or in the order
    of its JSON_FIELDS (which may name properties)."""
    kinds = {f.name: str(f.type).split(" | ")[0] for f in fields(cls) if f.metadata.get("json", True)}
    names = getattr(cls, "JSON_FIELDS", None) or tuple(kinds)
    return tuple((name, kinds.get(name, "")) for name in names)


def _json_object(obj: Any) -> dict[str, Any]:
    return {name: _json_value(getattr(obj, name), kind) for name, kind in _plan(type(obj))}


def result_to_json(result: Result) -> dict[str, Any]:
    """The compute result as INTERCHANGE.md's JSON data: money '600000.00' (元), percentages and
    scores '32.80', numbers as typed ('60'); the key order is the dataclasses' field order."""
    return _json_object(result)
