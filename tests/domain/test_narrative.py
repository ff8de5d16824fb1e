from tests.factories import dangshan_report
from yibao_desktop.domain.calc import compute
from yibao_desktop.domain.narrative import counts_sentence, render, unknown_fields


def test_counts_sentence():
    assert counts_sentence({"level1": 4, "level2": 6, "level3": 14, "quantitative": 2, "qualitative": 12}) == (
        "设置一级指标 4 个、二级指标 6 个、三级指标 14 个（其中：定量指标 2 个、定性指标 12 个）")


def test_live_fields_render_dangshan_figures():
    report = dangshan_report()
    text = ("本县{年度}年资金合计{资金.可用资金}万元（上年结转{资金.上年结转}万元，当年下达{资金.当年下达}万元），"
            "支出{资金.已支出}万元，支出进度{资金.支出进度}，{未知字段}。")
    assert render(text, report, compute(report)) == (
        "本县2024年资金合计60.09万元（上年结转0.09万元，当年下达60万元），支出19.71万元，支出进度32.80%，{未知字段}。")
    assert unknown_fields(text) == ["未知字段"]
