"""Parse target text as written in real target tables: "≥90%", "＞85%", "不低于95%", "达到100%",
"全覆盖", "≤10%", "0起", "有所提升", "90%以上", "控制在5天以内", full-width forms included.

The parser never raises: text it cannot read gives `TargetSpec(ok=False)`, which compute turns into
a finding. The original text is always kept by the caller (Indicator.target_text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from yibao_desktop.domain.money import normalize_text
from yibao_desktop.domain.report import QUALITATIVE


@dataclass(frozen=True)
class TargetSpec:
    nature: str | None
    value: Decimal | None
    unit: str
    ok: bool

    @property
    def qualitative(self) -> bool:
        return self.nature == QUALITATIVE


# Prefix words and symbols, longest first so that "大于等于" wins over "大于".
_PREFIXES: tuple[tuple[str, str], ...] = (
    (">=", "≥"), ("=>", "≥"), ("<=", "≤"), ("=<", "≤"),
    ("≥", "≥"), ("≧", "≥"), ("⩾", "≥"), ("≤", "≤"), ("≦", "≤"), ("⩽", "≤"),
    (">", ">"), ("<", "<"), ("=", "="),
    ("大于或等于", "≥"), ("大于等于", "≥"), ("小于或等于", "≤"), ("小于等于", "≤"),
    ("不低于", "≥"), ("不少于", "≥"), ("不小于", "≥"), ("不超过", "≤"), ("不高于", "≤"),
    ("不多于", "≤"), ("不大于", "≤"), ("控制在", "≤"),
    ("至少", "≥"), ("最少", "≥"), ("达到", "≥"), ("达", "≥"), ("超过", ">"), ("高于", ">"),
    ("大于", ">"), ("多于", ">"), ("低于", "<"), ("少于", "<"), ("小于", "<"), ("等于", "="),
    ("为", "="),
)
_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("及以上", "≥"), ("以上", "≥"), ("及以下", "≤"), ("以下", "≤"), ("以内", "≤"), ("之内", "≤"),
)
_FULL_COVER = {"全覆盖": "100", "全面覆盖": "100", "全部覆盖": "100", "全部完成": "100", "全部": "100"}
_QUALITATIVE_WORDS = (
    "提升", "提高", "改善", "增强", "完善", "推进", "推行", "健全", "规范", "有效", "明显", "显著",
    "稳定", "平稳", "良好", "合理", "及时", "到位", "落实", "逐步", "持续", "加强", "降低", "减少",
    "保障", "符合", "达标", "满意", "实现", "建立", "优化", "可持续", "长期", "安全",
)
_NUMBER_UNIT_RE = re.compile(r"^(\d+(?:\.\d+)?)([^\d]*)$")


@lru_cache(maxsize=4096)
def parse_target(text: str | None) -> TargetSpec:
    """Read a target text into (nature, value, unit). Unreadable text gives ok=False.
    Memoised: the same few target texts recur across a report's indicators."""
    if text is None:
        return TargetSpec(None, None, "", False)
    raw = normalize_text(text).replace(",", "")
    if not raw:
        return TargetSpec(None, None, "", False)
    if raw in _FULL_COVER:
        return TargetSpec("≥", Decimal(_FULL_COVER[raw]), "%", True)

    nature: str | None = None
    rest = raw
    for word, sym in _PREFIXES:
        if rest.startswith(word):
            nature, rest = sym, rest[len(word):]
            break
    for word, sym in _SUFFIXES:
        if rest.endswith(word):
            if nature is None or nature == sym:
                nature = sym
            rest = rest[: -len(word)]
            break

    match = _NUMBER_UNIT_RE.match(rest)
    if match:
        try:
            value = Decimal(match.group(1))
        except InvalidOperation:  # pragma: no cover - the regex guards this
            return TargetSpec(None, None, "", False)
        unit = match.group(2)
        if unit and not _plausible_unit(unit):
            return _qualitative_or_fail(raw)
        if nature is None:
            # A bare number: zero means "none at all" (0起); otherwise "at least".
            nature = "≤" if value == 0 else "≥"
        return TargetSpec(nature, value, unit, True)
    return _qualitative_or_fail(raw)


def _plausible_unit(unit: str) -> bool:
    return len(unit) <= 6 and not any(ch in unit for ch in "，,；;。")


def _qualitative_or_fail(raw: str) -> TargetSpec:
    if any(word in raw for word in _QUALITATIVE_WORDS) and not re.search(r"\d", raw):
        return TargetSpec(QUALITATIVE, None, "", True)
    return TargetSpec(None, None, "", False)


def describe_target(nature: str | None, value: Decimal | None, unit: str) -> str:
    """The canonical short text for a target, e.g. '≥60%'. Used when no original text exists."""
    if nature == QUALITATIVE or value is None:
        return ""
    return f"{nature or ''}{format(value, 'f')}{unit}"
