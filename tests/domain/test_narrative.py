import re

from tests.factories import dangshan_report
from yibao_desktop.domain.calc import compute
from yibao_desktop.domain.narrative import FIELDS, counts_sentence, render, render_field, unknown_fields
from yibao_desktop.domain.result import Counts


def test_counts_sentence():
    assert counts_sentence(Counts(level1=4, level2=6, level3=14, quantitative=2, qualitative=12)) == (
        "设置一级指标 4 个、二级指标 6 个、三级指标 14 个（其中：定量指标 2 个、定性指标 12 个）")


def test_live_fields_render_dangshan_figures():
    report = dangshan_report()
    text = ("本县{年度}年资金合计{资金.可用资金}万元（上年结转{资金.上年结转}万元，当年下达{资金.当年下达}万元），"
            "支出{资金.已支出}万元，支出进度{资金.支出进度}，{未知字段}。")
    assert render(text, report, compute(report)) == (
        "本县2024年资金合计60.09万元（上年结转0.09万元，当年下达60.00万元），支出19.71万元，支出进度32.80%，{未知字段}。")
    assert unknown_fields(text) == ["未知字段"]


def test_stale_literal_figures_are_info_findings():
    from dataclasses import replace

    from yibao_desktop.domain.narrative import draft_section
    from yibao_desktop.domain.report import Section

    report = replace(dangshan_report(), narrative=(
        Section("funds_input", "（一）资金投入情况", "资金合计60.09万元，支出进度32.8%，另有旧数字55.5万元和12.34%。"),))
    findings = [f for f in compute(report).findings if f.code == "text_figure_unmatched"]
    assert [f.message.split("「")[2].split("」")[0] for f in findings] == ["55.5万元", "12.34%"]
    assert all(f.severity == "warning" and str(f.where) == "narrative[0].text" for f in findings)
    # The standard drafts use live fields, so they never go stale.
    for key in ("goals", "funds_input", "overall_goal", "indicator_analysis", "deviation"):
        text = render(draft_section(key, report, compute(report)), report, compute(report))
        drafted = replace(report, narrative=(Section(key, "x", text),))
        assert not [f for f in compute(drafted).findings if f.code == "text_figure_unmatched"], key


def test_funds_input_draft_reads_like_the_report():
    from yibao_desktop.domain.narrative import draft_section

    report = dangshan_report()
    result = compute(report)
    text = render(draft_section("funds_input", report, result), report, result)
    assert text.startswith("本县2024年医疗服务与保障能力提升补助资金合计60.09万元（上年结转0.09万元，当年下达60.00万元）")
    assert "总支出进度为32.80%" in text and "当年下达资金支出进度32.70%" in text


def test_every_money_field_renders_alike_and_percentages_carry_one_sign(demo_report):
    """{资金.当年下达} once rendered "73" beside "76.50"; 支出进度 is labelled as carrying its %."""
    result = compute(demo_report)
    money = [n for n, (d, _) in FIELDS.items() if "万元数" in d]
    assert len(money) == 7
    for name in money:
        assert re.fullmatch(r"-?\d+\.\d{2}", render_field(name, demo_report, result)), name
    for name, (description, _) in FIELDS.items():
        if "%" in description:
            assert render_field(name, demo_report, result).endswith("%") and "（%）" not in description
    text = render("进度{资金.支出进度}，当年下达{资金.当年下达}万元", demo_report, result)
    assert "%%" not in text and re.search(r"当年下达\d+\.\d{2}万元", text)


def test_doubled_and_contradicting_units_are_warnings():
    from dataclasses import replace

    from yibao_desktop.domain.narrative import unit_slips
    from yibao_desktop.domain.report import Section

    assert unit_slips("进度{资金.支出进度}，合计{资金.可用资金}万元，{评分.总分}分") == []
    slips = unit_slips("进度{资金.支出进度}%，合计{资金.可用资金}元，另有12%%和3万元万元")
    assert [typed for typed, _ in slips] == ["{资金.支出进度}%", "{资金.可用资金}元", "%%", "万元万元"]
    report = replace(dangshan_report(), narrative=(Section("goals", "一、目标", "支出进度{资金.支出进度}%。"),))
    result = compute(report)
    slip = next(f for f in result.findings if f.code == "unit_slip")
    assert slip.severity == "warning" and str(slip.where) == "narrative[0].text" and "百分号" in slip.message
    assert "32.80%%" in render(report.narrative[0].text, report, result)  # what the warning saves the user from
