"""Reading a report out of a .yibao file, validating every stored value on the way.

SQLite columns can hold anything (a file may come from an older bug, a damaged disk or another
person's tool), so each value is decoded strictly from the text our writer produces and checked
against `domain.limits`. A bad value raises DocumentError naming the table, row and field in
Chinese; nothing later (compute, PDF, Excel) ever sees it.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import fields
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from yibao_desktop.domain import limits
from yibao_desktop.domain.errors import DocumentError
from yibao_desktop.domain.report import (
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
    get_rows,
)

MONEY_FIELDS = {"amount", "budget", "paid"}  # Income/Expenditure money columns

# collection -> (table, extra where/insert columns)
TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "basis": ("basis", {}),
    "incomes": ("income", {}),
    "expenditures": ("expenditure", {}),
    "indicators": ("indicator", {}),
    "narrative": ("narrative", {}),
    "evidence": ("evidence", {}),
    "fund_operation.income": ("fund_op_line", {"side": "income"}),
    "fund_operation.expense": ("fund_op_line", {"side": "expense"}),
}
ROW_CLASSES: dict[str, type] = {
    "basis": Basis, "incomes": Income, "expenditures": Expenditure, "indicators": Indicator,
    "narrative": Section, "evidence": Attachment, "fund_operation.income": FundOpLine, "fund_operation.expense": FundOpLine,
}
SINGLETONS: dict[str, type] = {"meta": Meta, "scoring": Scoring, "fund_operation": FundOperation}

# Chinese names for messages.
COLLECTION_LABELS = {
    "basis": "依据文件", "incomes": "资金来源", "expenditures": "支出明细", "indicators": "绩效指标",
    "narrative": "报告文字", "evidence": "佐证材料", "fund_operation.income": "基金运行收入", "fund_operation.expense": "基金运行支出",
    "meta": "报告信息", "scoring": "评分设置", "fund_operation": "基金运行情况",
}
FIELD_LABELS = {
    "project": "项目名称", "direction": "支出方向", "econ_class": "经济科目", "pool": "资金来源", "budget": "预算",
    "paid": "已支付", "paid_on": "支付日期", "level": "级次", "kind": "类别", "doc_no": "文号", "date": "日期",
    "amount": "金额", "note": "备注", "level1": "一级指标", "level2": "二级指标", "name": "三级指标",
    "nature": "性质", "target": "目标值", "unit": "单位", "target_text": "指标值", "weight": "分值",
    "actual": "实际完成值", "numerator": "分子", "denominator": "分母", "grade": "评级", "score": "人工得分",
    "override_reason": "调整理由", "deviation_reason": "偏差原因分析及改进措施", "baseline": "上年实际",
    "category": "项目", "key": "键", "heading": "标题", "text": "内容", "title": "标题",
    "year": "年度", "fund_type": "资金类型", "competent_dept": "主管部门", "previous": "上年数据",
    "level1_weights": "一级指标权重", "budget_execution_weight": "预算执行率分值", "reverse_rule": "反向指标计分规则",
    "overachieve_penalty": "超额完成扣分", "execution_cap": "预算执行率封顶", "grade_labels": "等级名称",
    "income_total": "收入合计", "expense_total": "支出合计", "year_balance": "当年结余",
    "closing_balance": "年末滚存结余", "insured_persons": "参保人数", "registered_population": "户籍人口",
    "resident_population": "常住人口", "present": "是否填报", "lottery": "彩票公益金",
    "scored": "是否评分", "profile": "评分方案", "refund": "退回", "evidence": "佐证材料", "sha256": "校验值",
    "size": "大小",
}
FIELD_LABELS_BY_CLASS = {(Meta, "unit"): "单位名称", (FundOpLine, "budget"): "预算数", (FundOpLine, "actual"): "实际数",
                         (Expenditure, "level"): "资金级次", (Attachment, "name"): "文件名"}


def field_label(cls: type, name: str) -> str:
    return FIELD_LABELS_BY_CLASS.get((cls, name)) or FIELD_LABELS.get(name, name)


class BadValue(Exception):
    """One stored value is not acceptable; `reason` is Chinese."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def is_money(cls: type, name: str) -> bool:
    if cls is FundOpLine:
        return name in ("budget", "actual")
    return name in MONEY_FIELDS


# ------------------------------------------------------------------------------ column codecs

_DECIMAL_TEXT = re.compile(r"^-?\d{1,100}(\.\d{1,100})?$")  # the limits then judge the size
_DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _decimal_text(value: Any) -> Decimal:
    if not isinstance(value, str) or not _DECIMAL_TEXT.match(value):
        raise BadValue(f"不是有效的数值（「{limits.printable(value)}」）")
    try:
        return Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern guards this
        raise BadValue(f"不是有效的数值（「{limits.printable(value)}」）") from None


def _date_text(value: Any) -> date:
    if not isinstance(value, str) or not _DATE_TEXT.match(value):
        raise BadValue(f"不是有效的日期（「{limits.printable(value)}」）")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadValue(f"日期「{value}」不存在") from None


def _bool_int(value: Any) -> bool:
    """A yes/no column: SQLite keeps it as the integer 0 or 1."""
    if value in (0, 1) and not isinstance(value, float):
        return bool(value)
    raise BadValue(f"须为“是”或“否”（「{limits.printable(value)}」）")


def _int_column(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise BadValue(f"须为整数（「{limits.printable(value)}」）")


def attachments_encode(value: tuple[Attachment, ...]) -> str:
    return json.dumps([{"name": a.name, "sha256": a.sha256, "size": a.size} for a in value], ensure_ascii=False)


def attachments_decode(text: Any) -> tuple[Attachment, ...]:
    """An indicator's 佐证材料 column, strictly as `attachments_encode` writes it."""
    items = strict_json(text)
    if isinstance(items, _HugeNumber) or not isinstance(items, list) or not all(isinstance(i, dict) and set(i) == {"name", "sha256", "size"}
                                              for i in items):
        raise BadValue("佐证材料清单格式不正确")
    out = tuple(Attachment(i["name"], i["sha256"], i["size"]) for i in items)
    for a in out:
        problem = limits.attachment_problem(a)
        if problem:
            raise BadValue(problem)
    return out


def _column_decoder(cls: type, name: str, annotation: str) -> Callable[[Any], Any]:
    base = annotation.replace(" | None", "").strip()
    optional = "None" in annotation
    if base == "Decimal":
        parse: Callable[[Any], Any] = _decimal_text
    elif base == "date":
        parse = _date_text
    elif base == "bool":
        parse = _bool_int
    elif base == "int":
        parse = _int_column
    elif base == "tuple[Attachment, ...]":
        parse = attachments_decode
    else:
        parse = lambda v: v  # noqa: E731 - text and enums are checked below, as stored

    def decode(value: Any) -> Any:
        if value is None and optional:
            return None
        if value is None:
            raise BadValue("缺少内容")
        result = parse(value)
        problem = limits.field_problem(cls, name, result)
        if problem:
            raise BadValue(problem)
        return result
    return decode


COLUMN_DECODERS: dict[type, dict[str, Callable[[Any], Any]]] = {
    cls: {f.name: _column_decoder(cls, f.name, str(f.type)) for f in fields(cls)}
    for cls in (Basis, Income, Expenditure, FundOpLine, Indicator, Section, Attachment)
}


# ---------------------------------------------------------------------------------- kv codec


class _HugeNumber:
    """A JSON integer too long to convert (Python refuses > 4300 digits; we refuse far fewer)."""

    def __init__(self, text: str):
        self.digits = len(text.lstrip("-"))


def _json_int(text: str) -> Any:
    return int(text) if len(text.lstrip("-")) <= limits.MAX_INT_DIGITS else _HugeNumber(text)


def _json_float(text: str) -> Any:
    raise BadValue(f"含有浮点数「{limits.printable(text)}」（应以文本保存）")


def strict_json(text: Any) -> Any:
    """JSON text as our writer makes it: no floats, no NaN, no integers too long to hold."""
    if not isinstance(text, str):
        raise BadValue("不是文本")
    try:
        return json.loads(text, parse_int=_json_int, parse_float=_json_float,
                          parse_constant=lambda name: _json_float(name))
    except RecursionError:
        raise BadValue("嵌套层数过多") from None
    except ValueError:
        raise BadValue(f"不是有效的 JSON（「{limits.printable(text)}」）") from None


def kv_decode(text: Any) -> Any:
    """A kv value as written by `kv_encode`, strictly."""
    return _kv_value(strict_json(text))


def _kv_value(value: Any) -> Any:
    if isinstance(value, _HugeNumber):
        raise BadValue(f"数值位数过多（{value.digits} 位）")
    if isinstance(value, dict):
        if set(value) == {"$prev"}:
            prev = value["$prev"]
            if not (isinstance(prev, list) and len(prev) == 3 and isinstance(prev[0], int)
                    and not isinstance(prev[0], bool)):
                raise BadValue("上年数据格式不正确")
            return Previous(prev[0], _decimal_text(prev[1]), _decimal_text(prev[2]))
        if set(value) == {"$d"}:
            return _decimal_text(value["$d"])
        if set(value) == {"$w"}:
            pairs = value["$w"]
            if not isinstance(pairs, list) or not all(isinstance(p, list) and len(p) == 2 for p in pairs):
                raise BadValue("一级指标权重格式不正确")
            return tuple((name, _decimal_text(w)) for name, w in pairs)
        raise BadValue("格式不正确（未知的对象）")
    if isinstance(value, list):
        return tuple(_kv_value(v) for v in value)
    return value


def kv_encode(value: Any) -> str:
    if isinstance(value, Previous):
        return json.dumps({"$prev": [value.year, format(value.available, "f"), format(value.paid, "f")]})
    if isinstance(value, Decimal):
        return json.dumps({"$d": format(value, "f")})
    if isinstance(value, tuple) and value and isinstance(value[0], tuple):  # level1_weights
        return json.dumps({"$w": [[n, format(w, "f")] for n, w in value]}, ensure_ascii=False)
    if isinstance(value, tuple):
        return json.dumps(list(value), ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False)


# ------------------------------------------------------------------------------------ reading


def _bad(name: str, where: str, field: str, reason: str) -> DocumentError:
    return DocumentError(f"文件「{name}」中的数据有误：{where}「{field}」{reason}。"
                         f"文件可能被其他程序改动过或已损坏，无法打开。")


def load_report(conn: sqlite3.Connection, name: str) -> Report:
    """The whole report, every value validated. `name` is the file name for messages."""
    rows = {collection: _load_rows(conn, name, collection) for collection in TABLES}
    kv = _load_kv(conn, name)
    meta = _singleton(name, Meta, "meta", kv.get("meta", {}), basis=rows["basis"])
    scoring = _singleton(name, Scoring, "scoring", kv.get("scoring", {}))
    fo_kv = dict(kv.get("fund_operation", {}))
    present = fo_kv.pop("present", False)
    if not isinstance(present, bool):
        raise _bad(name, "基金运行情况", "是否填报", "须为“是”或“否”")
    fund_operation = None
    if present:
        fund_operation = _singleton(name, FundOperation, "fund_operation", fo_kv,
                                    income=rows["fund_operation.income"], expense=rows["fund_operation.expense"])
    elif rows["fund_operation.income"] or rows["fund_operation.expense"]:
        raise DocumentError(f"文件「{name}」中的数据有误：未填报基金运行情况，却有基金运行明细行。"
                            f"文件可能被其他程序改动过或已损坏，无法打开。")
    return Report(meta=meta, incomes=rows["incomes"], expenditures=rows["expenditures"],
                  fund_operation=fund_operation, indicators=rows["indicators"], scoring=scoring,
                  narrative=rows["narrative"], evidence=rows["evidence"])


def _load_rows(conn: sqlite3.Connection, name: str, collection: str) -> tuple[Any, ...]:
    table, extra = TABLES[collection]
    cls = ROW_CLASSES[collection]
    decoders = COLUMN_DECODERS[cls]
    names = list(decoders)
    where = " AND ".join(f"{k} = ?" for k in extra)
    sql = (f"SELECT pos, {', '.join(names)} FROM {table}{' WHERE ' + where if where else ''} "
           f"ORDER BY pos")
    label = COLLECTION_LABELS[collection]
    out = []
    for index, (pos, *values) in enumerate(conn.execute(sql, tuple(extra.values()))):
        if pos != index:  # positions must be 0..n-1: edits address rows by position
            raise DocumentError(f"文件「{name}」中的数据有误：{label}的行序号不连续或重复（第 {index + 1} 行）。"
                                f"文件可能被其他程序改动过或已损坏，无法打开。")
        decoded = []
        for field_name, value in zip(names, values):
            try:
                decoded.append(decoders[field_name](value))
            except BadValue as err:
                raise _bad(name, f"{label}第 {index + 1} 行", field_label(cls, field_name), err.reason) from None
        out.append(cls(*decoded))
    return tuple(out)


def _load_kv(conn: sqlite3.Connection, name: str) -> dict[str, dict[str, Any]]:
    kv: dict[str, dict[str, Any]] = {}
    for section, key, value in conn.execute("SELECT section, key, value FROM kv ORDER BY section, key"):
        if section == "document":
            continue  # who created the file and when: informative only
        cls = SINGLETONS.get(section)
        label = COLLECTION_LABELS.get(section, limits.printable(section))
        if cls is None:
            raise DocumentError(f"文件「{name}」中的数据有误：未知的设置组「{label}」。"
                                f"文件可能被其他程序改动过或已损坏，无法打开。")
        known = {f.name for f in fields(cls)} | ({"present"} if cls is FundOperation else set())
        if key not in known or key in ("basis", "income", "expense"):
            raise _bad(name, label, limits.printable(key), "是未知的设置项")
        try:
            decoded = kv_decode(value)
            problem = limits.field_problem(cls, key, decoded)
        except BadValue as err:
            problem = err.reason
        if problem:
            raise _bad(name, label, field_label(cls, key), problem)
        kv.setdefault(section, {})[key] = decoded
    return kv


def _singleton(name: str, cls: type, section: str, values: dict[str, Any], **rows: Any) -> Any:
    obj = cls(**values, **rows)
    for field_name, problem in limits.row_problems(obj):  # defaults of missing keys are fine; this is a guard
        raise _bad(name, COLLECTION_LABELS[section], field_label(cls, field_name), problem)
    return obj


# ------------------------------------------------------------------------------------ writing checks


def report_problem(report: Report) -> str | None:
    """The first value of `report` that a file must not hold, in Chinese with its place; or None."""
    for section, cls in SINGLETONS.items():
        obj = report.meta if cls is Meta else report.scoring if cls is Scoring else report.fund_operation
        if obj is None:
            continue
        for field_name, problem in limits.row_problems(obj):
            return f"{COLLECTION_LABELS[section]}「{field_label(cls, field_name)}」{problem}"
    for collection in TABLES:
        if collection.startswith("fund_operation.") and report.fund_operation is None:
            continue
        cls = ROW_CLASSES[collection]
        for index, row in enumerate(get_rows(report, collection)):
            if type(row) is not cls:
                return f"{COLLECTION_LABELS[collection]}第 {index + 1} 行的类型不正确"
            for field_name, problem in limits.row_problems(row):
                return f"{COLLECTION_LABELS[collection]}第 {index + 1} 行「{field_label(cls, field_name)}」{problem}"
    return None
