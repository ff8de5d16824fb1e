import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings

from tests.strategies import reports
from yibao_desktop import paths
from yibao_desktop.domain.calc import compute
from yibao_desktop.domain.errors import ReportFormatError
from yibao_desktop.domain.interchange import (
    report_from_data,
    report_from_json,
    report_to_data,
    report_to_json,
    result_to_json,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reports)
def test_load_dump_load_is_the_identity(report):
    text = report_to_json(report)
    again = report_from_json(text)
    assert again == report
    assert report_to_json(again) == text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reports)
def test_compute_never_crashes_and_scores_stay_in_range(report):
    result = compute(report)
    json.dumps(result_to_json(result))  # the JSON edge accepts every result
    for ind, res in zip(report.indicators, result.indicators):
        assert res.score is not None
        if ind.score is None and ind.weight >= 0:  # rule-based scores (no manual figure)
            assert Decimal(0) <= res.score <= ind.weight
    for key in ("by_direction", "by_size", "by_econ_class"):
        parts = getattr(result.funds, key)
        total = sum(p.share for p in parts)
        assert total in (Decimal("100.00"), Decimal("0.00"))


def _demo_data():
    return json.loads(paths.demo_report_json().read_text(encoding="utf-8"))


def test_demo_json_round_trips_exactly():
    data = _demo_data()
    assert report_to_data(report_from_data(data)) == data


@pytest.mark.parametrize("mutate, path, words", [
    (lambda d: d["incomes"][0].__setitem__("amount", "六十万"), "incomes[0].amount", "无法识别的金额"),
    (lambda d: d["incomes"][0].__setitem__("amount", 600000.5), "incomes[0].amount", "文本"),
    (lambda d: d["incomes"][1].__setitem__("level", "乡级"), "incomes[1].level", "不是可选值"),
    (lambda d: d["expenditures"][2].__setitem__("paid_on", "2025/13/01"), "expenditures[2].paid_on", "日期"),
    (lambda d: d["indicators"][3].__setitem__("colour", "red"), "indicators[3].colour", "未知字段"),
    (lambda d: d["indicators"][0].__setitem__("weight", "ten"), "indicators[0].weight", "无法识别"),
    (lambda d: d["meta"].pop("unit"), "meta.unit", "缺少"),
    (lambda d: d.__setitem__("version", 9), "version", "高于"),
    (lambda d: d.__setitem__("incomes", {}), "incomes", "数组"),
    (lambda d: d["scoring"].__setitem__("level1_weights", {"产出指标": "x"}), "scoring.level1_weights", "产出指标"),
    (lambda d: d["scoring"].__setitem__("execution_cap", "yes"), "scoring.execution_cap", "true"),
    (lambda d: d.__setitem__("fund_operation", {"income": [{"category": "a", "actual": "1.001"}]}),
     "fund_operation.income[0].actual", "两位小数"),
])
def test_bad_values_name_their_json_path(mutate, path, words):
    data = _demo_data()
    mutate(data)
    with pytest.raises(ReportFormatError) as info:
        report_from_data(data)
    assert info.value.path == path
    assert words in str(info.value)


def test_not_json_at_all():
    with pytest.raises(ReportFormatError, match="不是有效的 JSON"):
        report_from_json("{ not json")


def test_inconsistent_figures_load_as_typed_and_show_as_findings():
    data = _demo_data()
    data["indicators"][0]["deviation_reason"] = ""
    data["indicators"][0]["score"] = "99"
    report = report_from_data(data)
    codes = {f.code for f in compute(report).findings}
    assert {"override_no_reason", "score_out_of_range"} <= codes
