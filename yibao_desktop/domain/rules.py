"""Every rule of the job, once: thresholds, bands, caps, grades and the final-export refusal.

`compute` applies them; the window, the PDF, the Excel forms and the CLI only read them (for a
tooltip, a help text or a refusal) and never retype a number that is defined here.
"""

from __future__ import annotations

from dataclasses import dataclass
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

# The 2024 transfer-payment form groups the levels into three sources; 彩票公益金 is a 其中 row.
SOURCES = (("中央财政资金", ("中央",)), ("地方资金", ("省级", "市级", "县级")), ("其他资金", ("其他",)))
LOTTERY = "彩票公益金"


def schedule(month: int) -> Decimal:
    """The even time schedule at the end of `month` (序时进度), in percent."""
    return q2(Decimal(month) * HUNDRED / 12)


# -- scoring --------------------------------------------------------------------------------------

OVERACHIEVE_RATIO = Decimal("1.3")  # completion at or above 130% of target: 偏离, needs a reason
OVERACHIEVE_PENALTY = Decimal("2")  # optional local rule: weight − 2
# Execution-rate cap on the total (rate below bound -> total at most cap), checked in order.
EXECUTION_CAPS = (
    (Decimal("50"), Decimal("59")),
    (Decimal("60"), Decimal("69")),
    (Decimal("70"), Decimal("79")),
    (Decimal("80"), Decimal("89")),
)
GRADE_BOUNDS = (Decimal("90"), Decimal("80"), Decimal("60"))
TOTAL_WEIGHT = HUNDRED

# Form cells the budget systems limit in length (characters), and what the forms call them.
TEXT_LIMITS = {"overall_goal": (100, "目标完成情况"), "conclusion": (200, "评价结论"),
               "problems": (200, "存在问题"), "improvement": (200, "改进措施")}
DEVIATION_LIMIT = (200, "偏差原因分析及改进措施")


@dataclass(frozen=True)
class Profile:
    """A named scoring preset (评分方案): the weights it suggests, where the 定性 bands split, and the
    execution caps. Provinces' budget systems differ in these; the file stores the profile's key."""

    key: str
    label: str
    basis: str  # how the PDF's method sentence names it
    weights: tuple[tuple[str, Decimal], ...]
    budget_weight: Decimal
    partial_floor: Decimal  # 部分达成 from this fraction of the weight up to 80%; 未达成 below it
    caps: tuple[tuple[Decimal, Decimal], ...] = EXECUTION_CAPS

    @property
    def bands(self) -> dict[str, tuple[Decimal, Decimal]]:
        """定性 bands as fractions of the weight; the edges belong to both neighbouring bands."""
        return {"达成": (Decimal("0.8"), Decimal("1")), "部分达成": (self.partial_floor, Decimal("0.8")),
                "未达成": (ZERO, self.partial_floor)}

    @property
    def defaults(self) -> dict[str, Decimal]:
        """The score of a graded 定性 row with no score typed: top of 达成, middle of the others."""
        return {"达成": Decimal(1), "部分达成": (self.partial_floor + Decimal("0.8")) / 2,
                "未达成": self.partial_floor / 2}


_NATIONAL_WEIGHTS = (("产出指标", Decimal(50)), ("效益指标", Decimal(30)), ("满意度指标", Decimal(10)))
PROFILES: dict[str, Profile] = {p.key: p for p in (
    Profile("national", "全国通用（财预〔2020〕10号）", "《项目支出绩效评价管理办法》（财预〔2020〕10号）",
            _NATIONAL_WEIGHTS, Decimal(10), Decimal("0.6")),
    Profile("provincial_20_40_40", "预算执行20、产出40、效益与满意度40",
            "预算执行率20分、产出指标40分、效益及满意度指标40分的省级评分办法",
            (("产出指标", Decimal(40)), ("效益指标", Decimal(30)), ("满意度指标", Decimal(10))), Decimal(20),
            Decimal("0.6")),
    Profile("bands_80_50", "定性指标档次80%/50%", "财预〔2020〕10号权重、定性指标按80%/50%分档的评分办法",
            _NATIONAL_WEIGHTS, Decimal(10), Decimal("0.5")),
)}
DEFAULT_PROFILE = "national"


def profile(key: str) -> Profile:
    return PROFILES.get(key, PROFILES[DEFAULT_PROFILE])


def band(grade: str, weight: Decimal, key: str = DEFAULT_PROFILE) -> tuple[Decimal, Decimal]:
    """The score range of a 定性 grade for a row of `weight` points, rounded to 2 decimals."""
    lo, hi = profile(key).bands[grade]
    return q2(weight * lo), q2(weight * hi)


def band_text(key: str = DEFAULT_PROFILE) -> str:
    """'达成 80%–100%、部分达成 60%–80%、未达成 0–60%' (help texts and tooltips)."""
    def pct(x: Decimal) -> str:
        return f"{(x * HUNDRED).normalize():f}"

    parts = []
    for grade, (lo, hi) in profile(key).bands.items():
        low = "0" if lo == ZERO else f"{pct(lo)}%"
        parts.append(f"{grade} {low}–{pct(hi)}%")
    return "、".join(parts)


def score_out_of_range(score: Decimal, weight: Decimal) -> bool:
    """A row's score lies outside 0 to its 分值 (a typed score so is refused at entry)."""
    return score < ZERO or score > weight


def total_weight(scoring: Scoring) -> Decimal:
    """Level-1 weights plus the budget-execution weight (must be 100)."""
    return sum((w for _, w in scoring.level1_weights), ZERO) + scoring.budget_execution_weight


def budget_execution_score(paid: Decimal, available: Decimal, weight: Decimal) -> Decimal:
    """预算执行率得分 = min(1, 执行数 ÷ 预算数) × 分值 (0 when nothing is available or paid)."""
    if available == ZERO or paid <= ZERO:
        return q2(ZERO)
    return q2(min(Decimal(1), paid / available) * weight)


def execution_cap(rate: Decimal | None, key: str = DEFAULT_PROFILE) -> Decimal | None:
    """The highest total allowed at this execution rate (optional local rule), or None."""
    if rate is None:
        return None
    for bound, limit in profile(key).caps:
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


# Told first before a final or signed export: a figure in the text that no longer matches.
FIRST_BEFORE_SIGNING = ("text_figure_unmatched",)


def final_warnings(result: Result) -> list[str]:
    """The warnings to read before a final or signed export (it cannot be corrected afterwards),
    stale figures in the text first, each with where it is."""
    warnings = sorted(result.by_severity("warning"), key=lambda f: f.code not in FIRST_BEFORE_SIGNING)
    return [f.message for f in warnings]


def refuse_final_if_errors(result: Result) -> None:
    """A final PDF, a signed PDF and a submission package need a report without errors."""
    if result.errors:
        raise FinalExportRefused(result.errors)
