"""Display formatting, in one place (fava's `core/number.py` is the model): amounts in 元, 万元 or
亿元 with thousands separators, percentages, scores, and breakdowns whose displayed parts add up to
their displayed total.

This is for people (screen, PDF, Excel forms, narrative). The machine forms ('600000.00' in JSON
and in the file) are `money.fmt_money` / `fmt_pct` / `fmt_num`.
"""

from __future__ import annotations

import math
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal
from typing import Sequence

from yibao_desktop.domain.money import CENT, HUNDRED, ROUNDING, ZERO, fmt_money, fmt_num, q2

DASH = "—"
UNITS = ("元", "万元", "亿元")
SCALE = {"元": Decimal(1), "万元": Decimal(10000), "亿元": Decimal(100000000)}


def q(value: Decimal, places: int) -> Decimal:
    """Rounded half-up to `places` decimals (people round figures in texts this way)."""
    return value.quantize(Decimal(1).scaleb(-places), ROUNDING)


def in_unit(value: Decimal, unit: str = "元") -> Decimal:
    """An amount in 元 expressed in `unit`, rounded half-up to 2 decimals."""
    return q2(value / SCALE[unit])


def grouped(value: Decimal, places: int = 2) -> str:
    """'1,234,567.89': thousands separators, fixed decimals; never '-0.00'."""
    text = f"{value.quantize(Decimal(1).scaleb(-places), ROUNDING):,.{places}f}"
    if text.startswith("-") and not any(ch not in "-0.," for ch in text):
        text = text[1:]
    return text


def money(value: Decimal | None, unit: str = "元", sep: bool = True) -> str:
    """An amount (元) shown in `unit`: '1,234,567.89' 元, '123.46' 万元; '—' for None."""
    if value is None:
        return DASH
    shown = in_unit(value, unit)
    return grouped(shown) if sep else f"{shown:.2f}"


def amount(value: Decimal | None, unit: str = "元", sep: bool = True) -> str:
    """An amount already expressed in `unit` (a value from `parts`), e.g. '60.09'."""
    if value is None:
        return DASH
    return grouped(value) if sep else f"{q2(value):.2f}"


def yuan(value: Decimal | None) -> str:
    return money(value, "元")


def wan(value: Decimal | None) -> str:
    return money(value, "万元")


def with_unit(value: Decimal | None, unit: str = "万元") -> str:
    """'60.09万元' as body text writes it."""
    return DASH if value is None else f"{money(value, unit)}{unit}"


def pct(value: Decimal | None) -> str:
    """'32.80%'; '—' when there is no base."""
    return DASH if value is None else f"{q2(value):.2f}%"


def pct_number(value: Decimal | None) -> str:
    """'32.80' under a heading that already says （%）."""
    return DASH if value is None else f"{q2(value):.2f}"


def ratio(value: Decimal | None) -> Decimal | None:
    """A percentage as the fraction a spreadsheet's % format shows (32.80 -> 0.3280)."""
    return None if value is None else value / HUNDRED


def points(value: Decimal | None) -> str:
    """A change in percentage points with its sign: '+41.49', '-3.20'."""
    if value is None:
        return DASH
    shown = q2(value)
    return f"{shown:.2f}" if shown < 0 else f"+{abs(shown):.2f}"


def signed_money(value: Decimal | None, unit: str = "万元") -> str:
    """A change of an amount with its sign: '+10.29' (万元)."""
    if value is None:
        return DASH
    shown = in_unit(value, unit)
    return grouped(shown) if shown < 0 else f"+{grouped(abs(shown))}"


def edit_text(value: Decimal | None, unit: str = "元", sep: bool = False) -> str:
    """An amount as an editor shows it for correction: exact ('12.5' 万元 for 125000 元,
    '125000.00' in 元), so that editing never rounds it; with `sep`, thousands separators too
    ('1,250,000.00', for a field that stays on screen; input accepts both)."""
    if value is None:
        return ""
    if unit == "元":
        return grouped(value) if sep else fmt_money(value)
    exact = (value / SCALE[unit]).normalize()
    if sep:
        return f"{exact:,f}"
    return fmt_num(exact) or "0"


def timestamp(value: datetime | None) -> str:
    """'2026年11月29日 16:00' in this computer's local time (signing times, package times); an aware
    time (UTC in certificates and signatures, an offset in a manifest) is converted, a naive one is
    taken as local already."""
    if value is None:
        return DASH
    local = value.astimezone() if value.tzinfo is not None else value
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def timestamp_text(text: str | None) -> str:
    """A stored ISO time ('2026-11-29T16:00:00+08:00') for people; text that is no ISO time is
    returned as it is."""
    if not text:
        return DASH
    try:
        return timestamp(datetime.fromisoformat(text))
    except ValueError:
        return text


def score(value: Decimal | None) -> str:
    """A score with 2 decimals: '7.42'."""
    return DASH if value is None else f"{q2(value):.2f}"


def label(value: str | None) -> str:
    """A text figure such as the grade; '—' when there is none (a report without scores)."""
    return value or DASH


def number(value: Decimal | None) -> str:
    """A number as typed (a weight, a target, an actual): '60', '44.49'."""
    return DASH if value is None else fmt_num(value) or ""


def parts(values: Sequence[Decimal], total: Decimal, unit: str = "万元") -> tuple[list[Decimal], Decimal]:
    """A breakdown shown in `unit`: the displayed total is the total rounded half-up, and the parts
    are rounded so that they add up to it (largest remainder in the displayed unit, ties to the
    earlier part). When the exact parts do not add up to the exact total (a typed total that
    disagrees, which is a finding of its own) each figure is simply rounded."""
    scale = SCALE[unit]
    shown_total = q2(total / scale)
    if sum(values, ZERO) != total:
        return [q2(v / scale) for v in values], shown_total
    exact = [v / scale for v in values]
    floors = [e.quantize(CENT, rounding=ROUND_FLOOR) for e in exact]
    missing = int((shown_total - sum(floors, ZERO)) / CENT)
    order = sorted(range(len(values)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:missing]:
        floors[i] += CENT
    return floors, shown_total


def file_size(size: int) -> str:
    """'356 KB', '12.4 MB' (佐证材料 lists)."""
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def axis_step(top: float, ticks: int = 5) -> float:
    """A chart axis step of 1, 2 or 5 × 10^k giving about `ticks` labels up to `top` (so labels
    never pile up when progress runs far past 100%)."""
    raw = max(top, 1.0) / ticks
    base = 10 ** math.floor(math.log10(raw))
    return next(m * base for m in (1, 2, 5, 10) if m * base >= raw)
