"""The report model (DOMAIN.md §2–4, INTERCHANGE.md). Frozen dataclasses; edits make new objects.

Money fields are Decimal 元; indicator values are Decimal in the indicator's unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date
from decimal import Decimal
from typing import Any

FUND_TYPES = ("capacity", "resident_insurance", "medical_assistance", "custom")
FUND_TYPE_LABELS = {
    "capacity": "医疗服务与保障能力提升补助资金",
    "resident_insurance": "城乡居民基本医疗保险补助资金",
    "medical_assistance": "医疗救助补助资金",
    "custom": "自定义",
}
LEVELS = ("中央", "省级", "市级", "县级", "其他")
KINDS = ("上年结转", "当年下达", "本级配套", "其他")
POOLS = ("上年结转", "当年下达")
NATURES = ("≥", ">", "=", "≤", "<", "定性")
QUALITATIVE = "定性"
REVERSE_NATURES = ("≤", "<")
GRADES = ("达成", "部分达成", "未达成")
REVERSE_RULES = ("linear", "ratio")
DEFAULT_GRADE_LABELS = ("优", "良", "中", "差")


def pool_of_kind(kind: str) -> str:
    """上年结转 stays in its own pool; every other kind is money of the current year."""
    return "上年结转" if kind == "上年结转" else "当年下达"


@dataclass(frozen=True)
class Basis:
    title: str = ""
    doc_no: str = ""


@dataclass(frozen=True)
class Previous:
    """Last year's fund figures, kept when a report is started from last year's file (同比)."""

    year: int = 2024
    available: Decimal = Decimal("0.00")
    paid: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class Meta:
    unit: str = ""
    year: int = 2025
    fund_type: str = "capacity"
    title: str | None = None
    competent_dept: str = ""
    basis: tuple[Basis, ...] = ()
    previous: Previous | None = None


# 佐证材料: the kinds of file that may be attached, and the size of one file.
EVIDENCE_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png", ".xlsx", ".docx")
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Attachment:
    """A 佐证材料 file attached to an indicator or to the report: its name, size and SHA-256.
    The bytes live in the document (deduplicated by SHA-256), not in the report model."""

    name: str = ""
    sha256: str = ""
    size: int = 0


@dataclass(frozen=True)
class Income:
    level: str = "中央"
    kind: str = "当年下达"
    doc_no: str = ""
    date: date | None = None
    amount: Decimal = Decimal("0.00")
    note: str = ""
    lottery: bool = False  # 彩票公益金 (医疗救助 funds receive it)


@dataclass(frozen=True)
class Expenditure:
    project: str = ""
    direction: str = ""
    econ_class: str = ""
    pool: str = "当年下达"
    budget: Decimal | None = None
    paid: Decimal = Decimal("0.00")
    paid_on: date | None = None
    level: str | None = None  # the level whose allocation paid it (资金级次); None: not recorded
    refund: bool = False  # a 退回/冲减 line: its amount is negative and reduces what was paid


@dataclass(frozen=True)
class FundOpLine:
    category: str = ""
    budget: Decimal | None = None
    actual: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class FundOperation:
    income: tuple[FundOpLine, ...] = ()
    expense: tuple[FundOpLine, ...] = ()
    income_total: Decimal | None = None
    expense_total: Decimal | None = None
    year_balance: Decimal | None = None
    closing_balance: Decimal | None = None
    insured_persons: int | None = None
    registered_population: int | None = None
    resident_population: int | None = None


@dataclass(frozen=True)
class Indicator:
    level1: str = ""
    level2: str = ""
    name: str = ""
    nature: str | None = None
    target: Decimal | None = None
    unit: str = ""
    target_text: str = ""
    weight: Decimal = Decimal("0")
    actual: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    grade: str | None = None
    score: Decimal | None = None
    override_reason: str = ""
    deviation_reason: str = ""
    baseline: Decimal | None = None  # last year's actual (上年实际值), set by next-year carry-forward
    evidence: tuple[Attachment, ...] = ()  # 佐证材料 of this row

    @property
    def qualitative(self) -> bool:
        return self.nature == QUALITATIVE


@dataclass(frozen=True)
class Scoring:
    level1_weights: tuple[tuple[str, Decimal], ...] = ()
    budget_execution_weight: Decimal = Decimal("10")
    reverse_rule: str = "linear"
    overachieve_penalty: bool = False
    execution_cap: bool = False
    grade_labels: tuple[str, str, str, str] = DEFAULT_GRADE_LABELS
    scored: bool = True  # False: the report is filed on the scoreless 2024 transfer form only
    profile: str = "national"  # the scoring profile (rules.PROFILES): bands and execution caps

    def weight_of(self, level1: str) -> Decimal | None:
        for name, weight in self.level1_weights:
            if name == level1:
                return weight
        return None


@dataclass(frozen=True)
class Section:
    key: str = ""
    heading: str = ""
    text: str = ""


@dataclass(frozen=True)
class Report:
    meta: Meta = field(default_factory=Meta)
    incomes: tuple[Income, ...] = ()
    expenditures: tuple[Expenditure, ...] = ()
    fund_operation: FundOperation | None = None
    indicators: tuple[Indicator, ...] = ()
    scoring: Scoring = field(default_factory=Scoring)
    narrative: tuple[Section, ...] = ()
    evidence: tuple[Attachment, ...] = ()  # 佐证材料 of the report as a whole

    def attachments(self) -> list[tuple[Attachment, int | None]]:
        """Every attached file with the indicator row it belongs to (None: the report)."""
        out: list[tuple[Attachment, int | None]] = [(a, None) for a in self.evidence]
        for i, ind in enumerate(self.indicators):
            out.extend((a, i) for a in ind.evidence)
        return out


# Row collections that hold a tuple of line objects, and the class of their rows.
ROW_COLLECTIONS: dict[str, type] = {
    "incomes": Income,
    "expenditures": Expenditure,
    "indicators": Indicator,
    "narrative": Section,
    "evidence": Attachment,
    "basis": Basis,
    "fund_operation.income": FundOpLine,
    "fund_operation.expense": FundOpLine,
}


def field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def get_rows(report: Report, collection: str) -> tuple[Any, ...]:
    if collection == "basis":
        return report.meta.basis
    if collection.startswith("fund_operation."):
        fo = report.fund_operation or FundOperation()
        return getattr(fo, collection.split(".", 1)[1])
    return getattr(report, collection)


def with_rows(report: Report, collection: str, rows: tuple[Any, ...]) -> Report:
    """A new report whose `collection` is `rows`."""
    if collection == "basis":
        return replace(report, meta=replace(report.meta, basis=rows))
    if collection.startswith("fund_operation."):
        fo = report.fund_operation or FundOperation()
        return replace(report, fund_operation=replace(fo, **{collection.split(".", 1)[1]: rows}))
    return replace(report, **{collection: rows})
