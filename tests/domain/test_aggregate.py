"""City totals, pure: duplicates, groups, the progress of the sums, indicator comparison, and the
汇总 cell model whose rows add up to its 合计 row as printed."""

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal as D

from yibao_desktop.domain import formatting as fmt
from yibao_desktop.domain.aggregate import (
    VERDICT_DUPLICATE,
    VERDICT_DUPLICATE_OF_SIGNED,
    VERDICT_UNSIGNED,
    VERDICT_UNTRUSTED,
    Entry,
    Failure,
    IndicatorFigure,
    short_fingerprint,
    summarize,
)
from yibao_desktop.domain.aggregate_forms import (
    NOTE_UNSIGNED,
    details_form,
    failures_form,
    indicator_form,
    summary_form,
)
from yibao_desktop.domain.calc import compute

T0 = datetime(2026, 1, 20, 9, 0, tzinfo=timezone(timedelta(hours=8)))


def figure(name, met=True, score="5.00"):
    return IndicatorFigure("产出指标", "数量指标", name, "%", "≥90%", D(90), D(95) if met else D(80),
                           D("105.56") if met else D("88.89"), met, D(5), D(score), False, None)


def entry(unit, available, paid, *, source=None, fund_type="capacity", year=2025, signed=True, trusted=True,
          created=T0, modified=None, indicators=()):
    available, paid = D(available), D(paid)
    return Entry(source=source or f"/stick/{unit}", signed=signed, unit=unit, fund_type=fund_type, year=year,
                 available=available, paid=paid, balance=available - paid,
                 progress=(paid * 100 / available).quantize(D("0.01")) if available else None,
                 total_score=D("90.00"), grade="优", unmet=sum(1 for f in indicators if not f.met), errors=0,
                 warnings=1, indicators=tuple(indicators), signer="张三" if signed else "",
                 fingerprint="AB:CD:EF:01:23:45" if signed else "", trusted=trusted and signed,
                 created=created if signed else None, modified=modified)


def test_group_progress_is_the_progress_of_the_sums_not_an_average():
    s = summarize([entry("甲县医疗保障局", "100000.00", "90000.00"), entry("乙县医疗保障局", "900000.00", "90000.00")])
    (group,) = s.groups
    assert group.totals.available == D("1000000.00") and group.totals.paid == D("180000.00")
    assert group.totals.progress == D("18.00")  # not (90 + 10) / 2 = 50
    assert group.totals.balance == D("820000.00")


def test_duplicates_newest_manifest_kept_and_signed_beats_unsigned():
    old = entry("甲县医疗保障局", "100.00", "50.00", source="/a/甲", created=T0)
    new = entry("甲县医疗保障局", "200.00", "60.00", source="/b/甲", created=T0 + timedelta(hours=1))
    bare = entry("甲县医疗保障局", "300.00", "70.00", source="/c/甲.yibao", signed=False,
                 modified=T0 + timedelta(days=5))
    s = summarize([bare, new, old])
    assert [e.source for e in s.entries] == ["/b/甲"]
    assert {d.entry.source for d in s.duplicates} == {"/a/甲", "/c/甲.yibao"}
    assert all(d.kept is new for d in s.duplicates)
    assert {d.entry.source: d.verdict for d in s.duplicates} == {"/a/甲": VERDICT_DUPLICATE,
                                                                 "/c/甲.yibao": VERDICT_DUPLICATE_OF_SIGNED}
    assert s.groups[0].totals.available == D("200.00")
    # Same time (copies): the first source wins, the order of the inputs does not matter.
    a = entry("乙县医疗保障局", "1.00", "1.00", source="/x/1")
    b = entry("乙县医疗保障局", "1.00", "1.00", source="/x/2")
    assert summarize([b, a]).entries[0].source == "/x/1" == summarize([a, b]).entries[0].source
    # Another offset, same instant: not newer.
    c = replace(a, source="/x/0", created=T0.astimezone(timezone.utc))
    assert summarize([a, c]).entries[0].source == "/x/0"


def test_groups_by_fund_type_and_year_each_with_its_own_totals():
    s = summarize([entry("甲县医疗保障局", "10.00", "5.00", year=2025),
                   entry("甲县医疗保障局", "20.00", "5.00", year=2024),
                   entry("甲县医疗保障局", "30.00", "5.00", fund_type="medical_assistance"),
                   entry("乙县医疗保障局", "40.00", "5.00")])
    assert [(g.fund_type, g.year, len(g.entries)) for g in s.groups] == [
        ("capacity", 2024, 1), ("capacity", 2025, 2), ("medical_assistance", 2025, 1)]
    assert [g.totals.available for g in s.groups] == [D("20.00"), D("50.00"), D("30.00")]
    assert not s.duplicates  # same unit, other year or fund: not a duplicate


def test_failures_are_listed_never_counted_and_verdicts():
    fail = Failure("/stick/坏包", "坏包", "文件 x.pdf：与清单不一致")
    s = summarize([entry("甲县医疗保障局", "10.00", "5.00", trusted=False),
                   entry("乙县医疗保障局", "10.00", "5.00", signed=False)], [fail])
    assert s.failures == (fail,) and s.checked == 3
    verdicts = {e.unit: e.verdict for e in s.entries}
    assert verdicts == {"甲县医疗保障局": VERDICT_UNTRUSTED, "乙县医疗保障局": VERDICT_UNSIGNED}
    assert not s.clean
    assert summarize([entry("甲县医疗保障局", "10.00", "5.00")]).clean


def test_indicators_line_up_by_name_across_units():
    # Units are ordered by name (code point: 乙 before 甲); indicators as they first appear.
    s = summarize([entry("甲县医疗保障局", "1.00", "1.00", indicators=[figure("培训"), figure("新增指标")]),
                   entry("乙县医疗保障局", "1.00", "1.00", indicators=[figure("覆盖率"), figure("培训", met=False)])])
    rows = {r.name: r for r in s.groups[0].indicators}
    assert list(rows) == ["覆盖率", "培训", "新增指标"]
    assert [u for u, _ in rows["培训"].figures] == ["乙县医疗保障局", "甲县医疗保障局"]
    assert rows["培训"].met_count == 1 and len(rows["覆盖率"].figures) == 1
    form = indicator_form(s)
    texts = [c.display for c in form.cells]
    assert "1/2 达成" in texts and "88.89%" in texts


def money_column(form, col):
    """{row: value} of the money cells of a column."""
    return {c.row: c.value for c in form.cells if c.col == col and c.kind == "money"}


def test_summary_rows_add_up_to_the_total_row_as_printed():
    # Three thirds of 1万元: each rounds to 0.33万元 alone, the total to 1.00.
    units = ["甲县医疗保障局", "乙县医疗保障局", "丙县医疗保障局"]
    s = summarize([entry(u, "3333.33", "1111.11") for u in units[:2]] + [entry(units[2], "3333.34", "1111.12")])
    form = summary_form(s)
    total_row = next(c.row for c in form.cells if c.display == "合计")
    for col, total in ((4, s.groups[0].totals.available), (5, s.groups[0].totals.paid),
                       (7, s.groups[0].totals.balance)):
        values = money_column(form, col)
        assert values[total_row] == fmt.in_unit(total, "万元")
        assert sum(v for r, v in values.items() if r < total_row) == values[total_row]
    assert money_column(form, 4)[total_row] == D("1.00")
    pct = {c.row: c.value for c in form.cells if c.col == 6 and c.kind == "pct"}
    assert pct[total_row] == D("33.33")


def test_superseded_rows_follow_the_total_and_are_marked():
    old = entry("甲县医疗保障局", "100.00", "50.00", source="/a", created=T0)
    new = entry("甲县医疗保障局", "200.00", "60.00", source="/b", created=T0 + timedelta(days=1))
    form = summary_form(summarize([old, new]))
    total_row = next(c.row for c in form.cells if c.display == "合计")
    marked = [c.row for c in form.cells if c.display == VERDICT_DUPLICATE]
    assert marked and all(r > total_row for r in marked)
    assert any("不计入合计" in c.display for c in form.cells)
    details = details_form(summarize([old, new]))
    assert [c.display for c in details.cells if c.col == 8 and c.row > 0] == ["/b", "/a"]


def test_notes_and_empty_summary():
    s = summarize([entry("甲县医疗保障局", "1.00", "1.00", signed=False)])
    assert NOTE_UNSIGNED in summary_form(s).notes
    empty = summarize([], [Failure("/x", "x", "清单：不是报送包清单")])
    assert any("没有可计入汇总" in c.display for c in summary_form(empty).cells)
    assert [c.display for c in failures_form(empty).cells if c.col == 3 and c.row > 0] == ["清单：不是报送包清单"]


def test_evidence_reads_dash_when_not_known():
    form = summary_form(summarize([entry("甲县医疗保障局", "1.00", "1.00")]))
    assert {c.display for c in form.cells if c.col == 16 and c.row > 0 and c.kind != "label"} == {fmt.DASH}


def test_entry_of_reads_the_compute_result(demo_report):
    from yibao_desktop.domain.aggregate import entry_of

    result = compute(demo_report)
    e = entry_of(demo_report, result, source="/x", signed=True, trusted=True)
    assert (e.available, e.paid, e.progress, e.total_score) == (D("765000.00"), D("606650.00"), D("79.30"),
                                                                D("94.61"))
    assert e.unmet == 2 and e.warnings == 2 and e.errors == 0
    assert len(e.indicators) == len(result.indicators)


def test_short_fingerprint():
    assert short_fingerprint("AB:CD:EF:01:23:45") == "AB:CD:EF:01…"
    assert short_fingerprint("AB:CD") == "AB:CD"
