"""The export services refuse absurd inputs before any work (issue 14 item 8): the window and
the CLI both go through them, so both get the same Chinese refusal and no file is written."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from yibao_desktop.cli import main
from yibao_desktop.domain.errors import UserError
from yibao_desktop.domain.report import Section
from yibao_desktop.services import excel, export
from yibao_desktop.storage.repository import Document

HUGE_UNIT = "示例县医疗保障局" * 1_250_000  # ten million characters, as measured in the issue


@pytest.fixture
def huge_unit(demo_report):
    return replace(demo_report, meta=replace(demo_report.meta, unit=HUGE_UNIT))


@pytest.mark.parametrize("mode", ["draft", "final"])
def test_export_pdf_refuses_a_huge_unit_name_at_once(huge_unit, tmp_path, mode):
    start = time.perf_counter()
    with pytest.raises(UserError) as caught:
        export.export_pdf(huge_unit, tmp_path / "a.pdf", mode)
    assert time.perf_counter() - start < 5  # was 874 s, then a traceback
    assert str(caught.value).startswith("报告内容过长，无法导出")
    assert "单位名称有 10,000,000 个字，超过 200 个字的上限" in str(caught.value)
    assert not (tmp_path / "a.pdf").exists()


def test_export_pdf_refuses_a_section_over_50000_characters(demo_report, tmp_path):
    sections = demo_report.narrative + (Section("other", "七、其他需要说明的情况", "文" * 50_001),)
    number = len(sections)
    with pytest.raises(UserError, match=f"第 {number} 节「七、其他需要说明的情况」有 50,001 个字"):
        export.pdf_bytes(replace(demo_report, narrative=sections), "draft")


def test_the_official_forms_workbook_refuses_too(huge_unit, tmp_path):
    with pytest.raises(UserError, match="单位名称有 10,000,000 个字"):
        excel.export_forms(huge_unit, tmp_path / "forms.xlsx")
    assert not (tmp_path / "forms.xlsx").exists()


def test_cli_export_pdf_says_why_and_exits_2(huge_unit, tmp_path, capsys):
    Document.create(tmp_path / "a.yibao", huge_unit).close()
    capsys.readouterr()
    assert main(["export-pdf", str(tmp_path / "a.yibao"), str(tmp_path / "a.pdf"), "--draft"]) == 2
    err = capsys.readouterr().err
    assert "报告内容过长，无法导出" in err and "单位名称有 10,000,000 个字" in err
    assert "Traceback" not in err and HUGE_UNIT[:100] not in err
    assert not (tmp_path / "a.pdf").exists()
