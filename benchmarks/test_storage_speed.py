"""Speed of durable storage (issue 14). Run with `make bench`; figures go in the issue note.

- one edit written through with synchronous=EXTRA (journal removal synced with its folder):
  ≤ 2 ms median on the demo report
- the same edit with synchronous=FULL, for comparison (not durable across a power cut)
- opening the demo report (header, recovery check, schema check, quick_check, every value
  validated, lock taken): measured
"""

from decimal import Decimal
from itertools import count

import pytest

from yibao_desktop.domain.edits import SetField
from yibao_desktop.storage import db
from yibao_desktop.storage.repository import Document


def _edit_cost(benchmark, tmp_path, report):
    doc = Document.create(tmp_path / "bench.yibao", report)
    values = count(1)
    benchmark(lambda: doc.apply([SetField("indicators", 0, "actual", Decimal(next(values)))]))
    level = doc.conn.execute("PRAGMA synchronous").fetchone()[0]
    doc.close()
    return level


def test_edit_written_through_synchronous_extra(benchmark, tmp_path, demo_report):
    assert _edit_cost(benchmark, tmp_path, demo_report) == 3
    assert benchmark.stats.stats.median < 0.002


def test_edit_written_through_synchronous_full_for_comparison(benchmark, tmp_path, demo_report, monkeypatch):
    monkeypatch.setattr(db, "SYNCHRONOUS", "FULL")
    assert _edit_cost(benchmark, tmp_path, demo_report) == 2


@pytest.mark.parametrize("read_only", [False, True])
def test_open_demo_report(benchmark, tmp_path, demo_report, read_only):
    path = tmp_path / "demo.yibao"
    Document.create(path, demo_report).close()

    def open_and_close():
        doc = Document.open(path, read_only=read_only)
        doc.close()
        return doc.report

    assert benchmark(open_and_close) == demo_report
