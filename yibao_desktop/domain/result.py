"""The typed result of `compute(report)` (STYLE.md §20): frozen dataclasses with Decimal fields.

Every derived figure lives here once. The screen, the PDF, the Excel forms and the CLI read these
objects; JSON is made at the edge (`interchange.result_to_json`) and display strings by
`domain.formatting`. Nobody parses a formatted figure back into a number.

Field annotations name what a Decimal is, and so how the JSON edge writes it:
`Money` (元, 2 decimals), `Pct` (percent or score, 2 decimals, half-up) and `Num` (a number as
typed: a weight, a target, an actual value). They are plain aliases of Decimal.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import field
from decimal import Decimal
from typing import Any, ClassVar, Iterator, TypeVar

Money = Decimal
Pct = Decimal
Num = Decimal

SEVERITIES = ("error", "warning", "info")
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}

_T = TypeVar("_T")


def record(cls: type[_T]) -> type[_T]:
    """`@dataclass(frozen=True)` with an `__init__` that fills the instance's `__dict__` directly.

    A frozen dataclass's own `__init__` sets every field through `object.__setattr__` (it has to
    get past the class's refusing `__setattr__`): about 50 ns a field, 2.3 µs for one
    IndicatorResult, a tenth of a cold compute of 500 rows. Writing the instance dict stores the
    same values at a third of the cost. The dataclass makes everything else (eq, hash, repr, the
    frozen `__setattr__`, `fields()`, `replace()`); `__init__` takes the fields in order, with
    their defaults, as the dataclass's would (tests/domain/test_result.py). Fields with a default
    factory are not supported."""
    cls = dataclasses.dataclass(frozen=True, init=False)(cls)
    params, lines, defaults, annotations = [], [], {}, {}
    for f in dataclasses.fields(cls):
        if not f.init or f.default_factory is not dataclasses.MISSING:
            raise TypeError(f"{cls.__name__}.{f.name}: record fields take plain defaults only")
        if f.default is dataclasses.MISSING:
            params.append(f.name)
        else:
            defaults[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
        lines.append(f"    _d[{f.name!r}] = {f.name}")
        annotations[f.name] = f.type
    source = f"def __init__(self, {', '.join(params)}):\n    _d = self.__dict__\n" + "\n".join(lines) + "\n"
    namespace: dict[str, Any] = {}
    exec(source, defaults, namespace)  # noqa: S102 - source built from the class's own field names
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__annotations__ = {**annotations, "return": None}
    cls.__init__ = init  # type: ignore[misc]
    return cls


_PATH_RE = re.compile(r"^([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?)(?:\[(\d+)\])?(?:\.(.+))?$")


@record
class Location:
    """Where a finding points, as a place in the report: `indicators[3].deviation_reason`,
    `funds.progress`, `scoring.level1_weights.产出指标`. `str()` gives the JSON path."""

    collection: str
    index: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        path = self.collection
        if self.index is not None:
            path += f"[{self.index}]"
        if self.field:
            path += f".{self.field}"
        return path

    @classmethod
    def parse(cls, path: str) -> "Location":
        """The inverse of `str()` for every path compute makes."""
        m = _PATH_RE.match(path)
        if not m:
            return cls(path)
        collection, index, fld = m.group(1), m.group(2), m.group(3)
        if index is None and fld is None and "." in collection:
            collection, fld = collection.split(".", 1)
        return cls(collection, int(index) if index is not None else None, fld)


@record
class Finding:
    code: str
    severity: str  # one of SEVERITIES
    where: Location
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


# ------------------------------------------------------------------------------------- funds


@record
class Share:
    """One group of a breakdown (by direction, size or economic class)."""

    name: str
    count: int
    amount: Money
    share: Pct


@record
class LargeProject:
    project: str
    paid: Money


@record
class LevelFunds:
    level: str
    amount: Money
    paid: Money
    balance: Money
    progress: Pct | None
    # Part of `paid` was attributed pro rata (expenditure lines without their level): 按比例估算.
    estimated: bool = False


@record
class SourceFunds:
    """A row of the 2024 transfer form: 中央财政资金 / 地方资金 / 其他资金 and the levels in it."""

    name: str
    levels: tuple[str, ...]
    amount: Money
    paid: Money
    progress: Pct | None
    subset: bool = False  # a "其中" row (彩票公益金): part of the total, not added to it
    estimated: bool = False


@record
class Month:
    month: int
    paid: Money
    cumulative: Money
    progress: Pct | None
    schedule: Pct


@record
class Funds:
    available: Money
    carried: Money
    allocated: Money
    paid: Money
    paid_carried: Money
    paid_allocated: Money
    balance: Money
    balance_carried: Money
    balance_allocated: Money
    progress: Pct | None
    progress_carried: Pct | None
    progress_allocated: Pct | None
    by_direction: tuple[Share, ...]
    by_size: tuple[Share, ...]
    by_econ_class: tuple[Share, ...]
    large_projects: tuple[LargeProject, ...]
    by_level: tuple[LevelFunds, ...]
    by_source: tuple[SourceFunds, ...]
    monthly: tuple[Month, ...]
    project_count: int
    level_estimated: bool = False  # some per-level figure is an estimate (see LevelFunds.estimated)


@record
class FundsYoy:
    """Last year's paid and progress against this year's (a report started from last year's file)."""

    last_year: int
    last_available: Money
    last_paid: Money
    last_progress: Pct | None
    paid: Money
    progress: Pct | None
    paid_change: Money
    progress_change: Pct | None


@record
class FundOpShare:
    category: str
    amount: Money
    share: Pct


@record
class FundOperationResult:
    income_total: Money
    income_lines_total: Money
    income_shares: tuple[FundOpShare, ...]
    income_execution: Pct | None
    expense_total: Money
    expense_lines_total: Money
    expense_shares: tuple[FundOpShare, ...]
    expense_execution: Pct | None
    year_balance: Money
    year_balance_computed: Money
    closing_balance: Money | None
    months_payable: Pct | None
    coverage_registered: Pct | None
    coverage_resident: Pct | None


# -------------------------------------------------------------------------------- indicators


@record
class Explain:
    """The formulas behind an indicator's figures, in Chinese (tooltips, help)."""

    actual: str = ""
    completion: str = ""
    score: str = ""


@record
class Yoy:
    baseline: Num
    actual: Num
    change: Pct


@record
class IndicatorResult:
    name: str
    level1: str
    level2: str
    nature: str | None
    target: Num | None
    unit: str
    target_text: str
    weight: Num
    qualitative: bool
    actual: Num | None
    completion: Pct | None
    met: bool
    computed_score: Pct | None  # None: a report without scores (Scoring.scored is false)
    score: Pct | None
    overridden: bool
    overachieved: bool
    band: tuple[Pct, Pct] | None
    grade: str | None
    needs_reason: bool
    reason_missing: bool
    baseline: Num | None
    yoy: Yoy | None
    # The explanation is written when first read (tooltips, help, the JSON edge), not by every
    # compute: `source` is what it is derived from, `explained` a ready one.
    source: tuple[Any, Any] | None = field(default=None, compare=False, repr=False, metadata={"json": False})
    explained: Explain | None = field(default=None, compare=False, repr=False, metadata={"json": False})

    # The JSON keys in INTERCHANGE.md's order (explain is a property).
    JSON_FIELDS: ClassVar[tuple[str, ...]] = (
        "name", "level1", "level2", "nature", "target", "unit", "target_text", "weight", "qualitative", "actual",
        "completion", "met", "computed_score", "score", "overridden", "overachieved", "band", "grade",
        "needs_reason", "reason_missing", "baseline", "explain", "yoy")

    @property
    def explain(self) -> Explain:
        if self.explained is not None:
            return self.explained
        if self.source is None:
            return Explain()
        from yibao_desktop.domain.calc.indicators import explain_indicator

        return explain_indicator(*self.source)


@record
class Level1Score:
    name: str
    weight: Num | None  # None: a level-1 name used by indicators but absent from the weights
    score: Pct
    indicator_weight: Num


@record
class BudgetExecution:
    rate: Pct | None
    weight: Num
    score: Pct | None


@record
class Counts:
    level1: int
    level2: int
    level3: int
    quantitative: int
    qualitative: int


# ------------------------------------------------------------------------------------ result


@record
class Result:
    funds: Funds
    funds_yoy: FundsYoy | None
    fund_operation: FundOperationResult | None
    indicators: tuple[IndicatorResult, ...]
    level1: tuple[Level1Score, ...]
    budget_execution: BudgetExecution
    total_score: Pct | None  # None, like grade: a report without scores
    total_before_cap: Pct | None
    cap: Pct | None
    grade: str | None
    counts: Counts
    findings: tuple[Finding, ...]
    # Not part of INTERCHANGE.md's JSON (derivable there): the weights' sum, for the forms.
    total_weight: Num = field(default=Decimal(0), metadata={"json": False})
    profile: str = field(default="national", metadata={"json": False})

    @property
    def scored(self) -> bool:
        return self.total_score is not None

    def by_severity(self, severity: str) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == severity)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return self.by_severity("error")

    def severity_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(SEVERITIES, 0)
        for f in self.findings:
            counts[f.severity] += 1
        return counts

    @property
    def unmet(self) -> Iterator[IndicatorResult]:
        return (i for i in self.indicators if not i.met)
