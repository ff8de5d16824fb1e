"""Export limits (issue 14 item 8): a unit name over 200 characters or a narrative section over
50,000 characters is refused before any layout work, with a Chinese reason."""

from __future__ import annotations

import re
from dataclasses import replace

from yibao_desktop.domain import limits
from yibao_desktop.domain.report import Section

NO_LATIN = re.compile(r"[A-Za-z]")


def test_the_limits_themselves_are_fine(demo_report):
    report = replace(demo_report, meta=replace(demo_report.meta, unit="县" * limits.UNIT_NAME_MAX),
                     narrative=(Section("goals", "一" * limits.HEADING_MAX, "文" * limits.SECTION_TEXT_MAX),))
    assert limits.export_problems(report) == []
    assert limits.export_problems(demo_report) == []


def test_a_unit_name_over_200_characters_is_refused(demo_report):
    report = replace(demo_report, meta=replace(demo_report.meta, unit="县" * (limits.UNIT_NAME_MAX + 1)))
    [problem] = limits.export_problems(report)
    assert "单位名称有 201 个字" in problem and "200" in problem
    assert not NO_LATIN.search(problem)


def test_a_section_over_50000_characters_is_refused_by_its_heading(demo_report):
    long = Section("funds_input", "二、资金投入及使用情况", "文" * (limits.SECTION_TEXT_MAX + 1))
    report = replace(demo_report, narrative=demo_report.narrative[:1] + (long,))
    [problem] = limits.export_problems(report)
    assert "第 2 节「二、资金投入及使用情况」" in problem and "50,001 个字" in problem and "50,000" in problem
    assert not NO_LATIN.search(problem)


def test_every_problem_is_listed_and_a_huge_value_is_not_echoed(demo_report):
    huge = "县" * 10_000_000  # the measured case: ten megabytes of unit name
    report = replace(demo_report, meta=replace(demo_report.meta, unit=huge),
                     narrative=(Section("x", "标" * 300, "文" * 60_000),))
    problems = limits.export_problems(report)
    assert len(problems) == 3
    assert all(len(p) < 200 for p in problems)
