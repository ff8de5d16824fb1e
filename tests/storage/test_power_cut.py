"""Simulated power cuts: the writer's file system calls are recorded with strace and replayed into
a model that keeps only what was synced (faults.DiskModel). Right after every reported save, and at
random moments in between, the model's files are copied out and opened: a save that was reported
must never be lost, the migration's backup must be whole before the upgrade is durable, and
`write_atomic`, `Document.create` and `save_as` results must survive once they returned.

With `synchronous=FULL` the same model loses saves (the journal's removal is not durable), which
shows the test can tell."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from tests.conftest import DATA
from tests.storage.faults import DiskModel, record, replay, script_argv
from yibao_desktop.storage.repository import Document

pytestmark = pytest.mark.slow

EDITS = 8
PAYLOAD = bytes(range(256)) * 64

WRITER = r"""
import os, sys
from decimal import Decimal
from pathlib import Path
from yibao_desktop import fileio
from yibao_desktop.domain.edits import InsertRow, SetField
from yibao_desktop.domain.report import Section
from yibao_desktop.storage import db
from yibao_desktop.storage.repository import Document
if sys.argv[2] == "FULL":
    db.SYNCHRONOUS = "FULL"
folder = Path(sys.argv[1]).parent
doc = Document.open(sys.argv[1])  # a v1 file: upgraded after a backup
os.write(1, b"migrated\n")
for i in range(1, %(edits)d + 1):
    doc.apply([SetField("indicators", 0, "actual", Decimal(1000 + i)),
               InsertRow("narrative", 0, Section(f"s{i}", "标题", "正文" * (300 * i)))])
    os.write(1, b"saved %%d\n" %% i)
fileio.write_atomic(folder / "out.bin", bytes(range(256)) * 64)
os.write(1, b"written\n")
Document.create(folder / "new.yibao", doc.report).close()
os.write(1, b"created\n")
doc.save_as(folder / "copy.yibao")
os.write(1, b"saved-as\n")
doc.close()
os.write(1, b"done\n")
""" % {"edits": EDITS}


def _counter(folder: Path, name: str = "report.yibao") -> tuple[int, bool]:
    """The number of the last save found in a copied-out state (0: none yet), and whether the
    file was still of version 1."""
    with Document.open(folder / name, read_only=True) as doc:
        actual = doc.report.indicators[0].actual
        old = doc.migrated_from is not None
    return (int(actual) - 1000 if actual is not None and actual > 1000 else 0), old


def _run(tmp_path: Path, synchronous: str) -> list[dict[str, object]]:
    """Record the writer, then cut power after every marker and at random moments; one
    observation per cut."""
    folder = tmp_path / "disk"
    folder.mkdir()
    shutil.copy(DATA / "report-v1.yibao", folder / "report.yibao")
    original = (folder / "report.yibao").read_bytes()
    model = DiskModel.of(folder, folder)
    log = tmp_path / "trace.log"
    proc = record(script_argv(WRITER, folder / "report.yibao", synchronous), folder, log)
    assert proc.returncode == 0 and proc.stdout.endswith(b"done\n"), proc.stderr.decode(errors="replace")

    rng = random.Random(14)
    cuts: list[dict[str, object]] = []
    state: dict[str, object] = {"saved": 0, "markers": set()}

    def cut(marker: str, index: int) -> None:
        marker = marker.strip()
        markers: set[str] = state["markers"]  # type: ignore[assignment]
        if marker.startswith("saved "):
            state["saved"] = int(marker.split()[1])
        elif marker:
            markers.add(marker)
        if not marker and rng.random() > 0.03:
            return
        dest = model.power_cut(tmp_path / f"cut-{index}")
        found, old = _counter(dest)
        backup = dest / "report.yibao.v1.bak"
        cuts.append({
            "marker": marker, "reported": state["saved"], "found": found,
            "upgrade_reported": "migrated" in markers, "upgraded": not old,
            "backup_whole": backup.exists() and backup.read_bytes() == original,
            "written": "written" not in markers or (dest / "out.bin").read_bytes() == PAYLOAD,
            "created": "created" not in markers or _counter(dest, "new.yibao") == (EDITS, False),
            "saved_as": "saved-as" not in markers or _counter(dest, "copy.yibao") == (EDITS, False),
        })
        shutil.rmtree(dest)

    replay(log, model, cut)
    assert {"migrated", "written", "created", "saved-as", "done"} <= state["markers"]  # type: ignore[operator]
    return cuts


def test_power_cut_never_loses_a_reported_save(tmp_path):
    cuts = _run(tmp_path, "EXTRA")
    markers = [c for c in cuts if c["marker"]]
    assert len(markers) >= EDITS + 4 and len(cuts) >= len(markers) + 10  # random moments too
    for cut in cuts:
        assert cut["reported"] <= cut["found"] <= cut["reported"] + 1, cut  # type: ignore[operator]
        assert cut["upgraded"] or not cut["upgrade_reported"], cut
        assert cut["backup_whole"] or not cut["upgraded"], cut  # the backup is durable first
        assert cut["written"] and cut["created"] and cut["saved_as"], cut


def test_the_power_cut_model_catches_synchronous_full(tmp_path):
    cuts = _run(tmp_path, "FULL")
    # The journal's removal was never synced: it comes back and undoes the reported save.
    assert any(cut["found"] < cut["reported"] for cut in cuts)  # type: ignore[operator]
