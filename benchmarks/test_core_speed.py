"""Speed goals of the report core (issue 2). Run with `make bench`; figures go in the issue note.

- compute() on the demo report: ≤ 2 ms median (cold: caches cleared every round)
- compute() on 500 indicators / 5,000 lines: ≤ 10 ms median (cold), and the incremental
  recompute after one edit well inside a 16 ms frame
- one edit written through (synchronous=EXTRA): measured
- opening the large file: ≤ 150 ms
"""

from dataclasses import replace
from decimal import Decimal
from itertools import count

from yibao_desktop.domain.calc import clear_caches, compute
from yibao_desktop.domain.edits import SetField
from yibao_desktop.storage.repository import Document


def _cold(report):
    clear_caches()
    return compute(report)


def test_compute_demo_cold(benchmark, demo_report):
    result = benchmark(_cold, demo_report)
    assert str(result.total_score) == "94.61"


def test_compute_large_cold(benchmark, large):
    result = benchmark(_cold, large)
    assert len(result.indicators) == 500


def test_compute_large_after_indicator_edit(benchmark, large):
    compute(large)
    values = count(1)

    def edit_and_compute():
        i = next(values)
        ind = replace(large.indicators[7], numerator=Decimal(500 + i % 400))
        edited = replace(large, indicators=large.indicators[:7] + (ind,) + large.indicators[8:])
        return compute(edited)

    result = benchmark(edit_and_compute)
    assert len(result.indicators) == 500


def test_compute_large_after_expenditure_edit(benchmark, large):
    compute(large)
    values = count(1)

    def edit_and_compute():
        i = next(values)
        line = replace(large.expenditures[11], paid=Decimal(1000 + i))
        edited = replace(large, expenditures=large.expenditures[:11] + (line,) + large.expenditures[12:])
        return compute(edited)

    result = benchmark(edit_and_compute)
    assert result.funds.project_count > 0


def test_edit_written_through(benchmark, tmp_path, demo_report):
    """One edit with the file's durability setting (synchronous=EXTRA since the storage work;
    benchmarks/test_storage_speed.py compares it with FULL)."""
    doc = Document.create(tmp_path / "bench.yibao", demo_report)
    values = count(1)
    benchmark(lambda: doc.apply([SetField("indicators", 0, "actual", Decimal(next(values)))]))
    assert doc.conn.execute("PRAGMA synchronous").fetchone()[0] == 3  # EXTRA
    doc.close()


def test_edit_written_through_large_file(benchmark, tmp_path, large):
    doc = Document.create(tmp_path / "large.yibao", large)
    values = count(1)
    benchmark(lambda: doc.apply([SetField("expenditures", 4000, "paid", Decimal(next(values)))]))
    doc.close()


def test_open_large_file(benchmark, tmp_path, large):
    path = tmp_path / "large.yibao"
    Document.create(path, large).close()

    def open_and_close():
        doc = Document.open(path)
        doc.close()
        return doc.report

    report = benchmark(open_and_close)
    assert report == large
