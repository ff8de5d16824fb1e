"""Parsing single cell values typed or pasted by users (dates, numbers with units, enums)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

from yibao_desktop.domain.errors import ValueParseError
from yibao_desktop.domain.money import normalize_text, parse_decimal

_DATE_RES = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
EXCEL_EPOCH = date(1899, 12, 30)


def parse_date_text(text: str) -> date:
    """'2024-03-01', '2024/3/1', '2024.3.1', '2024年3月1日', '20240301', or an Excel serial (45352)."""
    raw = normalize_text(text)
    raw = re.sub(r"(\d)[ T]?\d{1,2}:\d{2}(:\d{2})?$", r"\1", raw)  # drop a time part
    for pattern in _DATE_RES:
        m = pattern.match(raw)
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                raise ValueParseError(f"日期「{text}」不存在") from None
    if re.fullmatch(r"\d{5}(\.0+)?", raw):
        serial = int(float(raw))
        if 20000 <= serial <= 80000:
            return EXCEL_EPOCH + timedelta(days=serial)
    raise ValueParseError(f"无法识别的日期「{text}」，请写成 2024-03-01 或 2024年3月1日")


def parse_number_text(text: str, unit: str = "") -> Decimal:
    """A number typed into an indicator cell: '85', '85%', '１２３', '1,234', '523人次' (unit dropped
    when it matches the indicator's unit)."""
    raw = normalize_text(text)
    if unit and raw.endswith(unit):
        raw = raw[: -len(unit)]
    elif raw.endswith("%") and unit in ("%", ""):
        raw = raw[:-1]
    try:
        return parse_decimal(raw)
    except ValueParseError:
        raise ValueParseError(f"无法识别的数值「{text}」") from None


def to_datetime(value: date) -> datetime:
    return datetime(value.year, value.month, value.day)
