"""Kill the process mid-write, repeatedly: the file must still open with every committed change."""

import random
import signal
import subprocess
import sys
import time
from decimal import Decimal

import pytest

from yibao_desktop.domain.edits import SetField
from yibao_desktop.storage.repository import Document

WRITER = r"""
import sys
from decimal import Decimal
from datetime import date
from yibao_desktop.storage.repository import Document
from yibao_desktop.domain.edits import SetField, InsertRow
from yibao_desktop.domain.report import Expenditure
doc = Document.open(sys.argv[1])
start = len(doc.report.expenditures)
i = 0
while True:
    i += 1
    # One transaction with several statements: a counter, a new row and a long text.
    doc.apply([SetField("indicators", 0, "actual", Decimal(i)),
               InsertRow("expenditures", 0, Expenditure(project=f"p{i}", paid=Decimal("1.00"),
                                                        paid_on=date(2025, 6, 1))),
               SetField("narrative", 0, "text", "正文" * (i % 500))])
    print(i, flush=True)
"""


@pytest.mark.slow
def test_sigkill_mid_write_loses_no_committed_change(tmp_path, demo_report):
    path = tmp_path / "crash.yibao"
    Document.create(path, demo_report).close()
    base_rows = len(demo_report.expenditures)
    rng = random.Random(20261122)
    for _round in range(6):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True)
        acknowledged = 0
        deadline = time.monotonic() + rng.uniform(0.3, 1.2)
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            acknowledged = int(line)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        for line in proc.stdout:  # changes committed before the kill but not yet read
            acknowledged = max(acknowledged, int(line))
        proc.stdout.close()
        assert acknowledged > 0
        with Document.open(path) as doc:
            counter = int(doc.report.indicators[0].actual)
            # Every acknowledged change is there; at most the one in flight when killed is extra.
            assert counter in (acknowledged, acknowledged + 1)
            # The three statements of each edit landed together.
            assert len(doc.report.expenditures) == base_rows + counter
            assert doc.report.expenditures[0].project == f"p{counter}"
            assert doc.report.narrative[0].text == "正文" * (counter % 500)
            doc.apply([])  # the file is writable again
        base_rows += counter
        with Document.open(path) as doc:  # the next writer counts from 1 again
            doc.apply([SetField("indicators", 0, "actual", Decimal(0))])
