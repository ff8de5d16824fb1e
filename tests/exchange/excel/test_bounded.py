"""Bounded work in the Excel import (issue 14 item 8): the indicator merge is linear in rows and
places new rows exactly where the former (quadratic) placement did."""

from __future__ import annotations

import time
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from yibao_desktop.domain.edits import apply_edits
from yibao_desktop.domain.report import Indicator, Report
from yibao_desktop.exchange.excel.read import SheetTable, _Collector, _merge_indicators
from yibao_desktop.exchange.excel.schema import INDICATORS

COLUMNS = {"level1": (1, "一级指标"), "level2": (2, "二级指标"), "name": (3, "三级指标"), "weight": (4, "分值")}


def _sheet(records: list[dict]) -> SheetTable:
    return SheetTable("绩效指标", INDICATORS, 1, COLUMNS, tuple((n + 2, r) for n, r in enumerate(records)), False)


def _reference_placement(rows: list[Indicator], new_rows: list[Indicator]) -> list[Indicator]:
    """The placement as it was first written (one list scan a row): after the last row of the
    same 一级/二级, else of the same 一级, else at the end."""
    final = list(rows)
    for row in new_rows:
        for match in (lambda r: r.level1 == row.level1 and r.level2 == row.level2, lambda r: r.level1 == row.level1):
            hits = [i for i, r in enumerate(final) if match(r)]
            if hits:
                final.insert(hits[-1] + 1, row)
                break
        else:
            final.append(row)
    return final


LEVEL1 = st.sampled_from(["产出指标", "效益指标", "满意度指标", "成本指标"])
LEVEL2 = st.sampled_from(["数量指标", "质量指标", "时效指标"])


@settings(max_examples=150, deadline=None)
@given(base=st.lists(st.tuples(LEVEL1, LEVEL2), max_size=12),
       sheet=st.lists(st.tuples(LEVEL1, LEVEL2, st.booleans()), max_size=25))
def test_new_rows_go_where_they_always_went(base, sheet):
    old = tuple(Indicator(level1=a, level2=b, name=f"原{k}", weight=Decimal(1)) for k, (a, b) in enumerate(base))
    records, new_rows = [], []
    for k, (a, b, matches_old) in enumerate(sheet):
        if matches_old and k < len(old):  # the sheet fills a cell of a row the report has
            records.append({"level1": old[k].level1, "level2": old[k].level2, "name": old[k].name,
                            "weight": Decimal(2)})
        else:
            records.append({"level1": a, "level2": b, "name": f"新{k}", "weight": Decimal(1)})
            new_rows.append(Indicator(level1=a, level2=b, name=f"新{k}", weight=Decimal(1)))
    out = _Collector()
    edits, final = _merge_indicators(old, [_sheet(records)], out)
    assert not out.problems
    merged_old = [r for r in final if r.name.startswith("原")]
    assert [r.name for r in final] == [r.name for r in _reference_placement(merged_old, new_rows)]
    # The edits, applied one after the other, give the planned rows.
    applied, _undo = apply_edits(Report(indicators=old), edits)
    assert applied.indicators == final


def _merge_seconds(n: int) -> float:
    old = tuple(Indicator(level1=f"一级{g}", level2="二级", name=f"原{g}", weight=Decimal(1)) for g in range(3))
    records = [{"level1": f"一级{k % 3}", "level2": f"二级{k % 5}", "name": f"新{k}", "weight": Decimal(1)}
               for k in range(n)]
    # The report's rows again, matched by name: the matching part of the merge as well.
    records += [{"level1": r.level1, "level2": r.level2, "name": r.name, "weight": Decimal(3)} for r in old]
    table = _sheet(records)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        edits, final = _merge_indicators(old, [table], _Collector())
        best = min(best, time.perf_counter() - start)
    assert len(final) == n + 3 and len(edits) == n + 3
    return best


def test_merge_is_linear_in_rows():
    """Four times the rows take about four times as long (a generous bound of 8: the former
    placement took sixteen times as long, 22 s for 16,000 rows). Speed goals: benchmarks/."""
    small, large = _merge_seconds(2_000), _merge_seconds(8_000)
    assert large < 8 * small, (small, large)
