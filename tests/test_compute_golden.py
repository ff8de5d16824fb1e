"""`yibao-desktop compute` prints exactly the keys and values of INTERCHANGE.md. The golden files in
tests/data/compute/ were written by tests/data/make_reports.py --golden; any difference is a change
of the contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from yibao_desktop import paths
from yibao_desktop.domain.calc import clear_caches, compute
from yibao_desktop.domain.interchange import report_from_json, result_to_json
from yibao_desktop.storage.repository import Document

DATA = Path(__file__).resolve().parent / "data"


def compute_json(report) -> str:
    clear_caches()
    return json.dumps(result_to_json(compute(report)), ensure_ascii=False, indent=2) + "\n"


def fixture_reports():
    yield "demo", report_from_json(paths.demo_report_json().read_text(encoding="utf-8"))
    for path in sorted((DATA / "reports").glob("*.json")):
        yield path.stem, report_from_json(path.read_text(encoding="utf-8"))
    with Document.open(DATA / "report-v1.yibao", read_only=True) as doc:
        yield "report-v1", doc.report


@pytest.mark.parametrize("name,report", list(fixture_reports()), ids=lambda v: v if isinstance(v, str) else "")
def test_compute_json_is_unchanged(name, report):
    golden = (DATA / "compute" / f"{name}.json").read_text(encoding="utf-8")
    assert compute_json(report) == golden


def test_every_fixture_has_a_golden_file():
    names = {name for name, _ in fixture_reports()}
    assert names == {p.stem for p in (DATA / "compute").glob("*.json")}
    assert len(names) >= 7


def test_the_cli_prints_exactly_the_golden_json(tmp_path, capsys):
    from yibao_desktop.cli import main

    path = tmp_path / "demo.yibao"
    assert main(["load", str(paths.demo_report_json()), str(path)]) == 0
    capsys.readouterr()
    assert main(["compute", str(path)]) == 0
    assert capsys.readouterr().out == (DATA / "compute" / "demo.json").read_text(encoding="utf-8")
