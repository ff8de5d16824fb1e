"""The one money and percentage policy.

Money is Decimal in 元 with at most 2 decimals (integer 分 in effect). Percentages and scores are
Decimal rounded ROUND_HALF_UP to 2 decimals. Floats never enter: values from outside go through
`str()` first and are parsed here. `fmt_money`, `fmt_pct` and `fmt_num` give the machine forms
('600000.00') of the file and the JSON; what people see is `domain.formatting`.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Iterable, Sequence

from yibao_desktop.domain.errors import ValueParseError

ZERO = Decimal("0")
CENT = Decimal("0.01")
HUNDRED = Decimal("100")
WAN = Decimal("10000")
ROUNDING = ROUND_HALF_UP


def q2(value: Decimal) -> Decimal:
    """Round to 2 decimals, half-up (the project's only rounding rule)."""
    return value.quantize(CENT, ROUNDING)


def normalize_text(text: str) -> str:
    """NFKC (full-width digits, ％, ＞, ，), then drop spaces of every kind."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", "", text)


_NUMBER_RE = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$|^[+-]?\.\d+$")


MONEY_LIMIT = Decimal(10) ** 13  # |amount| < 10^13 元 (ten trillion): every stored and typed amount


def parse_decimal(text: str | int | Decimal) -> Decimal:
    """Parse a plain number: full-width digits and thousands separators allowed; no units."""
    if isinstance(text, Decimal):
        return text
    if isinstance(text, bool) or isinstance(text, float):
        raise ValueParseError(f"数值须以文本给出，不能是 {text!r}")
    if isinstance(text, int):
        return Decimal(text)
    raw = normalize_text(str(text))
    if not raw or not _NUMBER_RE.match(raw):
        raise ValueParseError(f"无法识别的数值「{text}」")
    try:
        return Decimal(raw.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the regex already guards this
        raise ValueParseError(f"无法识别的数值「{text}」") from None


def parse_money(text: str | int | Decimal, default_unit: str = "元") -> Decimal:
    """Parse an amount into 元. Accepts '1,234.50', '60万元', '60万', '600000元', full-width digits.

    `default_unit` ('元' or '万元') applies when the text carries no unit. The result has at most
    2 decimals; anything finer than 1 分 is refused rather than silently rounded.
    """
    if isinstance(text, (int, Decimal)) and not isinstance(text, bool):
        value, unit = Decimal(text), default_unit
    else:
        if isinstance(text, float) or isinstance(text, bool):
            raise ValueParseError(f"金额须以文本给出，不能是 {text!r}")
        raw = normalize_text(str(text))
        unit = default_unit
        for suffix, name in (("万元", "万元"), ("万", "万元"), ("元", "元")):
            if raw.endswith(suffix):
                raw, unit = raw[: -len(suffix)], name
                break
        raw = raw.lstrip("¥￥")
        try:
            value = parse_decimal(raw)
        except ValueParseError:
            raise ValueParseError(f"无法识别的金额「{text}」") from None
    if unit == "万元":
        value = value * WAN
    if not value.is_finite() or abs(value) >= MONEY_LIMIT:
        raise ValueParseError(f"金额「{_short(text)}」超出范围（绝对值须小于 10 万亿元）")
    if value != value.quantize(CENT, rounding=ROUND_DOWN):
        raise ValueParseError(f"金额「{text}」精确到分以下，请最多保留两位小数（元）")
    return value.quantize(CENT)


def _short(text: object, limit: int = 30) -> str:
    shown = str(text)
    return shown if len(shown) <= limit else shown[:limit] + "…"


def fmt_money(value: Decimal) -> str:
    """'600000.00': 元 with exactly 2 decimals."""
    text = str(value.quantize(CENT, ROUNDING))
    if "E" in text:
        text = f"{value.quantize(CENT, ROUNDING):.2f}"
    return "0.00" if text == "-0.00" else text


def fmt_pct(value: Decimal | None) -> str | None:
    """'32.80': a percentage or score, rounded half-up to 2 decimals."""
    return None if value is None else fmt_money(value)


def fmt_num(value: Decimal | None) -> str | None:
    """A plain number as typed (no exponent), e.g. '60', '44.49'."""
    if value is None:
        return None
    text = format(value, "f")
    return text


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """part ÷ whole × 100, rounded half-up to 2 decimals; None when whole is 0."""
    if whole == ZERO:
        return None
    return q2(part * HUNDRED / whole)


def shares(amounts: Sequence[Decimal]) -> list[Decimal]:
    """Percent shares that add up to exactly 100.00 (largest-remainder method).

    Each share is first truncated to 0.01; the missing hundredths go to the largest remainders
    (ties to the earlier item). All zero (or empty) gives all zero.
    """
    return apportion(amounts, HUNDRED)


def apportion(amounts: Sequence[Decimal], total: Decimal) -> list[Decimal]:
    """`total` (a multiple of 0.01) split in proportion to `amounts`, each part a multiple of 0.01,
    the parts adding up to exactly `total` (largest remainder; ties to the earlier item). All zero
    (or empty) amounts give all zero."""
    whole = sum(amounts, ZERO)
    if whole == ZERO:
        return [ZERO.quantize(CENT) for _ in amounts]
    exact = [a * total / whole for a in amounts]
    floors = [e.quantize(CENT, rounding=ROUND_DOWN) for e in exact]
    missing = int((total - sum(floors, ZERO)) / CENT)
    order = sorted(range(len(amounts)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:missing]:
        floors[i] += CENT
    return floors


def sum_money(values: Iterable[Decimal]) -> Decimal:
    return sum(values, ZERO)
