"""City totals over many county reports (issue 12): pure, Decimal, no I/O.

The receiving service (`services/aggregate.py`) verifies each package and turns every readable,
verified report into an `Entry` (`entry_of(report, result, ...)`: the figures come from the
report's own compute result, never recomputed here); reports that failed verification become
`Failure`s. `summarize(entries, failures)` then

- resolves duplicates: the same unit, fund type and year more than once. A signed package wins
  over a bare .yibao file; among packages the newest by manifest time wins (among bare files the
  newest modification time); a tie goes to the first source path. The others are kept in the
  summary as `Duplicate`s (listed, marked, never counted);
- groups the kept entries by (fund type, year), and totals each group: money sums, and the
  progress of the sums (paid ÷ available of the group, never an average of rates);
- lines up every indicator of a group across the units that report it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Sequence

from yibao_desktop.domain.money import ZERO, percent
from yibao_desktop.domain.report import FUND_TYPE_LABELS, FUND_TYPES, Report
from yibao_desktop.domain.result import Money, Num, Pct, Result

# What a row's 核验结果 says (the same words in the workbook, the PDF, the CLI and the window).
VERDICT_TRUSTED = "通过"
VERDICT_UNTRUSTED = "通过（签名人未确认）"
VERDICT_UNSIGNED = "未签名（直接读取的报告文件）"
VERDICT_DUPLICATE = "重复（已被较新的报送包取代）"
VERDICT_DUPLICATE_OF_SIGNED = "重复（已被签名的报送包取代）"  # a bare .yibao, whatever its time
VERDICT_FAILED = "未通过核验"


@dataclass(frozen=True)
class IndicatorFigure:
    """One unit's figures for one indicator (from its compute result)."""

    level1: str
    level2: str
    name: str
    unit: str
    target_text: str
    target: Num | None
    actual: Num | None
    completion: Pct | None
    met: bool
    weight: Num
    score: Pct
    qualitative: bool
    grade: str | None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.level1, self.level2, self.name)


@dataclass(frozen=True)
class Entry:
    """One readable report: a verified package, or a .yibao file read directly (`signed` False)."""

    source: str  # the package folder or the .yibao file, as found
    signed: bool
    unit: str
    fund_type: str
    year: int
    available: Money
    paid: Money
    balance: Money
    progress: Pct | None
    total_score: Pct
    grade: str
    unmet: int
    errors: int
    warnings: int
    indicators: tuple[IndicatorFigure, ...]
    signer: str = ""  # from the signature's certificate (empty when unsigned)
    signer_unit: str = ""
    fingerprint: str = ""
    trusted: bool = False
    created: datetime | None = None  # the manifest's time (packages)
    modified: datetime | None = None  # the file's modification time (bare .yibao files)
    # Evidence files (佐证材料) the report lists, all verified present in a package. None: not
    # known (the column shows "—", not a 0 that would claim none were sent).
    evidence: int | None = None

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.unit.strip(), self.fund_type, self.year)

    @property
    def verdict(self) -> str:
        if not self.signed:
            return VERDICT_UNSIGNED
        return VERDICT_TRUSTED if self.trusted else VERDICT_UNTRUSTED

    @property
    def fund_label(self) -> str:
        return FUND_TYPE_LABELS.get(self.fund_type, self.fund_type)


@dataclass(frozen=True)
class Failure:
    """A package that failed verification or could not be read. Never in any total."""

    source: str
    name: str  # the folder or file name
    reason: str  # Chinese: every failed check, one per line
    label: str = ""  # "单位 年度 资金类型" when the manifest could be read, for the reader


@dataclass(frozen=True)
class Duplicate:
    entry: Entry  # listed, not counted
    kept: Entry  # the entry that supersedes it

    @property
    def verdict(self) -> str:
        if self.kept.signed and not self.entry.signed:
            return VERDICT_DUPLICATE_OF_SIGNED
        return VERDICT_DUPLICATE


@dataclass(frozen=True)
class Totals:
    available: Money
    paid: Money
    balance: Money
    progress: Pct | None  # paid ÷ available of the sums
    unmet: int
    errors: int
    warnings: int
    evidence: int | None  # None while no entry carries an evidence count


@dataclass(frozen=True)
class IndicatorComparison:
    """One indicator of a group, unit by unit (in the group's unit order)."""

    level1: str
    level2: str
    name: str
    figures: tuple[tuple[str, IndicatorFigure], ...]  # (unit, figures)

    @property
    def met_count(self) -> int:
        return sum(1 for _, f in self.figures if f.met)


@dataclass(frozen=True)
class Group:
    fund_type: str
    year: int
    entries: tuple[Entry, ...]  # counted, ordered by unit
    superseded: tuple[Duplicate, ...]  # listed below the group's total, not counted
    totals: Totals
    indicators: tuple[IndicatorComparison, ...]

    @property
    def fund_label(self) -> str:
        return FUND_TYPE_LABELS.get(self.fund_type, self.fund_type)

    @property
    def label(self) -> str:
        return f"{self.fund_label}（{self.year}年度）"


@dataclass(frozen=True)
class Summary:
    groups: tuple[Group, ...]
    failures: tuple[Failure, ...]
    duplicates: tuple[Duplicate, ...]

    @property
    def entries(self) -> tuple[Entry, ...]:
        """Every counted entry, group by group."""
        return tuple(e for g in self.groups for e in g.entries)

    @property
    def checked(self) -> int:
        """Everything that was looked at: counted, superseded and failed."""
        return len(self.entries) + len(self.duplicates) + len(self.failures)

    @property
    def unsigned(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if not e.signed)

    @property
    def untrusted(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.signed and not e.trusted)

    @property
    def clean(self) -> bool:
        """Every input verified, signed and trusted (duplicates are resolved, not a problem)."""
        return not self.failures and not self.unsigned and not self.untrusted


# ---------------------------------------------------------------------------------- building


def indicator_figures(result: Result) -> tuple[IndicatorFigure, ...]:
    return tuple(IndicatorFigure(r.level1, r.level2, r.name, r.unit, r.target_text, r.target, r.actual,
                                 r.completion, r.met, r.weight, r.score, r.qualitative, r.grade)
                 for r in result.indicators)


def entry_of(report: Report, result: Result, *, source: str, signed: bool, signer: str = "",
             signer_unit: str = "", fingerprint: str = "", trusted: bool = False,
             created: datetime | None = None, modified: datetime | None = None,
             evidence: int | None = None) -> Entry:
    """The figures of one report, read from its compute result."""
    funds = result.funds
    counts = result.severity_counts()
    return Entry(source=source, signed=signed, unit=report.meta.unit.strip(), fund_type=report.meta.fund_type,
                 year=report.meta.year, available=funds.available, paid=funds.paid, balance=funds.balance,
                 progress=funds.progress, total_score=result.total_score, grade=result.grade,
                 unmet=sum(1 for _ in result.unmet), errors=counts["error"], warnings=counts["warning"],
                 indicators=indicator_figures(result), signer=signer, signer_unit=signer_unit,
                 fingerprint=fingerprint, trusted=trusted and signed, created=created, modified=modified,
                 evidence=evidence)


def _timestamp(value: datetime | None) -> float:
    """Comparable across offsets; a missing time is the oldest."""
    if value is None:
        return float("-inf")
    if value.tzinfo is None:
        value = value.astimezone()
    return value.timestamp()


def _preference(entry: Entry) -> tuple[bool, float]:
    """Higher wins: signed over unsigned, then the newest time."""
    return (entry.signed, _timestamp(entry.created if entry.signed else entry.modified))


def resolve_duplicates(entries: Sequence[Entry]) -> tuple[list[Entry], list[Duplicate]]:
    """The kept entries (one per unit, fund type and year) and the superseded ones."""
    by_key: dict[tuple[str, str, int], list[Entry]] = {}
    for entry in sorted(entries, key=lambda e: e.source):
        by_key.setdefault(entry.key, []).append(entry)
    kept: list[Entry] = []
    duplicates: list[Duplicate] = []
    for same in by_key.values():
        best = same[0]
        for entry in same[1:]:  # strictly better only: a tie keeps the first source
            if _preference(entry) > _preference(best):
                best = entry
        kept.append(best)
        duplicates.extend(Duplicate(e, best) for e in same if e is not best)
    return kept, duplicates


def totals_of(entries: Sequence[Entry]) -> Totals:
    available = sum((e.available for e in entries), ZERO)
    paid = sum((e.paid for e in entries), ZERO)
    evidence = [e.evidence for e in entries if e.evidence is not None]
    return Totals(available=available, paid=paid, balance=sum((e.balance for e in entries), ZERO),
                  progress=percent(paid, available), unmet=sum(e.unmet for e in entries),
                  errors=sum(e.errors for e in entries), warnings=sum(e.warnings for e in entries),
                  evidence=sum(evidence) if evidence else None)


def compare_indicators(entries: Sequence[Entry]) -> tuple[IndicatorComparison, ...]:
    """Indicators matched by (一级, 二级, 三级) name, in the order they first appear."""
    rows: dict[tuple[str, str, str], list[tuple[str, IndicatorFigure]]] = {}
    for entry in entries:
        for fig in entry.indicators:
            rows.setdefault(fig.key, []).append((entry.unit, fig))
    return tuple(IndicatorComparison(l1, l2, name, tuple(figs)) for (l1, l2, name), figs in rows.items())


def _group_order(key: tuple[str, int]) -> tuple[int, int, str]:
    fund_type, year = key
    rank = FUND_TYPES.index(fund_type) if fund_type in FUND_TYPES else len(FUND_TYPES)
    return (year, rank, fund_type)


def summarize(entries: Iterable[Entry], failures: Iterable[Failure] = ()) -> Summary:
    kept, duplicates = resolve_duplicates(list(entries))
    groups: dict[tuple[str, int], list[Entry]] = {}
    for entry in kept:
        groups.setdefault((entry.fund_type, entry.year), []).append(entry)
    out = []
    for key in sorted(groups, key=_group_order):
        members = sorted(groups[key], key=lambda e: (e.unit, e.source))
        superseded = tuple(sorted((d for d in duplicates if (d.kept.fund_type, d.kept.year) == key),
                                  key=lambda d: (d.entry.unit, d.entry.source)))
        out.append(Group(key[0], key[1], tuple(members), superseded, totals_of(members),
                         compare_indicators(members)))
    return Summary(tuple(out), tuple(sorted(failures, key=lambda f: f.source)),
                   tuple(sorted(duplicates, key=lambda d: (d.entry.unit, d.entry.source))))


def short_fingerprint(fingerprint: str, parts: int = 4) -> str:
    """'3F:A2:07:…' – the first bytes, enough to compare with a certificate at hand."""
    pieces = fingerprint.split(":")
    return fingerprint if len(pieces) <= parts else ":".join(pieces[:parts]) + "…"
