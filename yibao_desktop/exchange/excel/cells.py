"""Cell values as real sheets hold them -> model values (Decimal, date, enum text).

Each parser takes the raw value the reader gives (str, int, float, bool, datetime or None) plus the
cell's number format where it matters, and returns the model value or raises ValueParseError
with a Chinese reason. Floats never reach Decimal directly: a float is read as the shortest text
that gives the same float (what was typed), or as Excel's 15 significant digits when it carries
binary noise (0.1 + 0.2).
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from functools import lru_cache

from yibao_desktop.domain.errors import ValueParseError
from yibao_desktop.domain.money import CENT, HUNDRED, WAN, normalize_text, parse_decimal, parse_money
from yibao_desktop.domain.values import parse_date_text

# Cells that mean "nothing here" in real sheets.
BLANKS = frozenset({"", "-", "—", "——", "－", "/", "／", "无数据", "n/a", "N/A", "#N/A"})
_QUOTED_RE = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
FIRST_YEAR, LAST_YEAR = 1990, 2100
# In other people's sheets larger amounts and figures are typing errors (and beyond Excel's
# precision); the data workbook passes limit=None and carries whatever the report holds.
LIMIT = Decimal(10) ** 15


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() in BLANKS or not value.strip()
    return False


def display(value: object) -> str:
    """The value as the user sees it, for problem messages."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return format(decimal_from_float(value), "f") if math.isfinite(value) else str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def decimal_from_float(value: float) -> Decimal:
    """A float from a cell as the number the user typed (or Excel shows, at 15 digits)."""
    if not math.isfinite(value):
        raise ValueParseError("不是有效的数值")
    exact = Decimal(repr(value))
    if len(exact.as_tuple().digits) > 15:
        exact = Decimal(format(value, ".15g"))
    return exact


def plain(value: Decimal) -> Decimal:
    """Drop trailing fractional zeros without going to exponent form (95.5600 -> 95.56, 100 -> 100)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return Decimal(text)


def _format_text(number_format: str) -> tuple[str, str]:
    """(format without quoted literals, the quoted literals)."""
    literals = "".join(m.group(0) for m in _QUOTED_RE.finditer(number_format))
    return _QUOTED_RE.sub("", number_format), literals


@lru_cache(maxsize=256)
def is_percent_format(number_format: str) -> bool:
    code, _ = _format_text(number_format or "")
    return "%" in code


@lru_cache(maxsize=256)
def is_wan_format(number_format: str) -> bool:
    """A custom format such as 0.00"万元" shows 万元 while the cell holds 万元 figures."""
    _, literals = _format_text(number_format or "")
    return "万" in literals


def text(value: object, strip: bool = True) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip() if strip else value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return format(plain(decimal_from_float(value)), "f")
    if isinstance(value, datetime):
        return display(value)
    return str(value)


def money(value: object, unit: str = "元", number_format: str = "", limit: Decimal | None = LIMIT) -> Decimal:
    """An amount in 元. `unit` is the column's unit (from its header or a caption above the table);
    a suffix in the text ('12万元') wins over it; a 万元 number format means 万元."""
    if isinstance(value, bool) or isinstance(value, (datetime, date)):
        raise ValueParseError(f"「{display(value)}」不是金额")
    if isinstance(value, (int, float)):
        number = Decimal(value) if isinstance(value, int) else decimal_from_float(value)
        if number_format and is_wan_format(number_format):
            unit = "万元"
        yuan = _limited(number * WAN if unit == "万元" else number, value, limit)
        try:
            if yuan != yuan.quantize(CENT, rounding=ROUND_DOWN):
                raise ValueParseError(f"金额 {display(value)}{unit} 精确到分以下，请最多保留到分")
            return yuan.quantize(CENT)
        except InvalidOperation:
            raise ValueParseError(f"金额「{display(value)}」过大") from None
    raw = text(value)
    if raw.startswith(("(", "（")) and raw.endswith((")", "）")):  # accounting negative: (1,234.00)
        raw = "-" + raw[1:-1]
    try:
        return _limited(parse_money(raw, default_unit=unit), value, limit)
    except InvalidOperation:
        raise ValueParseError(f"金额「{display(value)}」过大") from None


def _limited(number: Decimal, value: object, limit: Decimal | None) -> Decimal:
    if limit is not None and abs(number) >= limit:
        raise ValueParseError(f"数值「{display(value)}」过大，超出合理范围")
    return number


def number(value: object, unit: str = "", number_format: str = "", limit: Decimal | None = LIMIT) -> Decimal:
    """An indicator figure in the indicator's unit. For unit '%': '85%' as text is 85, 0.85 in a
    cell formatted as a percentage is 85, a plain 85 is 85 (a plain 0.85 stays 0.85)."""
    if isinstance(value, bool) or isinstance(value, (datetime, date)):
        raise ValueParseError(f"「{display(value)}」不是数值")
    if isinstance(value, (int, float)):
        result = Decimal(value) if isinstance(value, int) else decimal_from_float(value)
        if number_format and is_percent_format(number_format):
            result = plain(result * HUNDRED)
        return _limited(result, value, limit)
    raw = normalize_text(text(value))
    suffixes = [unit] if unit else []
    if unit in ("", "%"):
        suffixes.append("%")
    if unit == "分":
        suffixes.append("分")
    for suffix in suffixes:
        if raw.endswith(suffix) and len(raw) > len(suffix):
            raw = raw[: -len(suffix)]
            break
    try:
        result = parse_decimal(raw)
    except ValueParseError:
        raise ValueParseError(f"无法识别的数值「{display(value)}」") from None
    return _limited(result, value, limit)


def integer(value: object) -> int:
    if isinstance(value, bool):
        raise ValueParseError(f"「{display(value)}」不是整数")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        d = decimal_from_float(value)
    else:
        try:
            d = Decimal(normalize_text(text(value)).replace(",", ""))
        except InvalidOperation:
            raise ValueParseError(f"「{display(value)}」不是整数") from None
    if d != d.to_integral_value():
        raise ValueParseError(f"「{display(value)}」不是整数")
    return int(d)


def day(value: object, epoch: datetime | None = None) -> date:
    """A date from a date cell, an Excel serial number or text such as 2024年3月1日."""
    if isinstance(value, datetime):
        result = value.date()
    elif isinstance(value, date):
        result = value
    elif isinstance(value, bool):
        raise ValueParseError(f"「{display(value)}」不是日期")
    elif isinstance(value, (int, float)):
        if not 1 <= value < 2958466:  # a time of day after the serial day is dropped
            raise ValueParseError(f"「{display(value)}」不是日期")
        base = epoch if isinstance(epoch, datetime) else datetime(1899, 12, 30)
        result = (base + timedelta(days=int(value))).date()
    else:
        result = parse_date_text(text(value))
    if not FIRST_YEAR <= result.year <= LAST_YEAR:
        raise ValueParseError(f"日期「{display(value)}」（{result.isoformat()}）不合理")
    return result


def choice(value: object, choices: tuple[str, ...], synonyms: dict[str, str] | None = None) -> str:
    raw = normalize_text(text(value))
    if raw in choices:
        return raw
    if synonyms and raw in synonyms:
        return synonyms[raw]
    for option in choices:  # a choice written with full-width brackets or spaces
        if normalize_text(option) == raw:
            return option
    raise ValueParseError(f"「{display(value)}」不是可选值（可选：{'、'.join(choices)}）")


def yes_no(value: object) -> bool:
    if isinstance(value, bool):
        return value
    raw = normalize_text(text(value)).lower()
    if raw in ("是", "有", "true", "yes", "1", "√"):
        return True
    if raw in ("否", "无", "false", "no", "0", "×"):
        return False
    raise ValueParseError(f"「{display(value)}」应填「是」或「否」")
