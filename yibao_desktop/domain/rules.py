"""Every rule of the job, once: thresholds, bands, caps, grades and the final-export refusal.

`compute` applies them; the window, the PDF, the Excel forms and the CLI only read them (for a
tooltip, a help text or a refusal) and never retype a number that is defined here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Sequence

from yibao_desktop.domain.errors import UserError
from yibao_desktop.domain.money import HUNDRED, ZERO, q2
from yibao_desktop.domain.report import Scoring
from yibao_desktop.domain.result import Finding, Result

# -- funds ----------------------------------------------------------------------------------------

# Year-end spending progress expected of a transfer-payment fund (DOMAIN.md §1, Dangshan: 90%).
LOW_PROGRESS_THRESHOLD = Decimal("90")
# In-year early warning (绩效运行监控): cumulative progress at the end of September against the
# even time schedule (9/12 = 75%).
WARNING_MONTH = 9
WARNING_SCHEDULE = Decimal("75")

SIZE_BUCKETS = (
    ("1万元以下", Decimal("10000")),
    ("1万至10万元", Decimal("100000")),
    ("10万元及以上", None),
)
LARGE_PROJECT = Decimal("100000")  # 单笔10万元及以上
UNNAMED = "（未命名项目）"

# The 2024 transfer-payment form groups the levels into three sources.
SOURCES = (("中央财政资金", ("中央",)), ("地方资金", ("省级", "市级", "县级")), ("其他资金", ("其他",)))


def schedule(month: int) -> Decimal:
    """The even time schedule at the end of `month` (序时进度), in percent."""
    return q2(Decimal(month) * HUNDRED / 12)


# -- scoring --------------------------------------------------------------------------------------

# 定性 bands as fractions of the weight; the edges belong to both neighbouring bands.
QUALITATIVE_BANDS = {
    "达成": (Decimal("0.8"), Decimal("1")),
    "部分达成": (Decimal("0.6"), Decimal("0.8")),
    "未达成": (Decimal("0"), Decimal("0.6")),
}
# Default score when a 定性 row has a grade but no score typed: top of 达成, middle of the others.
QUALITATIVE_DEFAULT = {"达成": Decimal("1"), "部分达成": Decimal("0.7"), "未达成": Decimal("0.3")}
OVERACHIEVE_RATIO = Decimal("1.3")
OVERACHIEVE_PENALTY = Decimal("2")
# Execution-rate cap on the total (rate below bound -> total at most cap), checked in order.
EXECUTION_CAPS = (
    (Decimal("50"), Decimal("59")),
    (Decimal("60"), Decimal("69")),
    (Decimal("70"), Decimal("79")),
    (Decimal("80"), Decimal("89")),
)
GRADE_BOUNDS = (Decimal("90"), Decimal("80"), Decimal("60"))
TOTAL_WEIGHT = HUNDRED


def band(grade: str, weight: Decimal) -> tuple[Decimal, Decimal]:
    """The score range of a 定性 grade for a row of `weight` points, rounded to 2 decimals."""
    lo, hi = QUALITATIVE_BANDS[grade]
    return q2(weight * lo), q2(weight * hi)


def band_text() -> str:
    """'达成 80%–100%、部分达成 60%–80%、未达成 0–60%' (help texts and tooltips)."""
    def pct(x: Decimal) -> str:
        return f"{(x * HUNDRED).normalize():f}"

    parts = []
    for grade, (lo, hi) in QUALITATIVE_BANDS.items():
        low = "0" if lo == ZERO else f"{pct(lo)}%"
        parts.append(f"{grade} {low}–{pct(hi)}%")
    return "、".join(parts)


def total_weight(scoring: Scoring) -> Decimal:
    """Level-1 weights plus the budget-execution weight (must be 100)."""
    return sum((w for _, w in scoring.level1_weights), ZERO) + scoring.budget_execution_weight


def budget_execution_score(paid: Decimal, available: Decimal, weight: Decimal) -> Decimal:
    """预算执行率得分 = min(1, 执行数 ÷ 预算数) × 分值 (0 when nothing is available or paid)."""
    if available == ZERO or paid <= ZERO:
        return q2(ZERO)
    return q2(min(Decimal(1), paid / available) * weight)


def execution_cap(rate: Decimal | None) -> Decimal | None:
    """The highest total allowed at this execution rate (optional local rule), or None."""
    if rate is None:
        return None
    for bound, limit in EXECUTION_CAPS:
        if rate < bound:
            return limit
    return None


def grade(total: Decimal, labels: Sequence[str]) -> str:
    """优 ≥90, 良 80–<90, 中 60–<80, 差 <60 (labels configurable)."""
    for bound, label in zip(GRADE_BOUNDS, labels):
        if total >= bound:
            return label
    return labels[3]


def grade_bounds_text(labels: Sequence[str]) -> list[tuple[str, str]]:
    """[(label, '≥90'), (label, '80–90'), (label, '60–80'), (label, '<60')] for the 评分 tab."""
    b = [f"{x:f}" for x in GRADE_BOUNDS]
    return list(zip(labels, (f"≥{b[0]}", f"{b[1]}–{b[0]}", f"{b[2]}–{b[1]}", f"<{b[2]}")))


# -- the final export -----------------------------------------------------------------------------


class FinalExportRefused(UserError):
    """A final (or signed, or submitted) export while compute reports error findings."""

    def __init__(self, findings: Sequence[Finding]):
        self.findings = list(findings)
        items = "\n".join(f"  {n}. {f.message}" for n, f in enumerate(self.findings, 1))
        super().__init__(f"报告还有 {len(self.findings)} 项错误，不能导出正式版（可先导出草稿）：\n{items}")


def refuse_final_if_errors(result: Result) -> None:
    """A final PDF, a signed PDF and a submission package need a report without errors."""
    if result.errors:
        raise FinalExportRefused(result.errors)
