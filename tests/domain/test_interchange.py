import json
import re
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
    if not report.scoring.scored:  # no score and no grade anywhere
        assert all(res.score is None for res in result.indicators)
        assert result.total_score is None and result.grade is None
    for ind, res in zip(report.indicators, result.indicators):
        if not report.scoring.scored:
            continue
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


# ------------------------------------------------------------------------------ hostile input

ENGLISH = re.compile(r"[A-Za-z]{4,}")


def _refused(text: str) -> ReportFormatError:
    with pytest.raises(ReportFormatError) as info:
        report_from_json(text)
    return info.value


def _with(mutate) -> str:
    data = _demo_data()
    mutate(data)
    return json.dumps(data, ensure_ascii=False)


@pytest.mark.parametrize("mutate, path, words", [
    (lambda d: d["incomes"][0].__setitem__("amount", "10000000000000.00"), "incomes[0].amount", "超出"),
    (lambda d: d["incomes"][0].__setitem__("amount", "-10000000000000"), "incomes[0].amount", "超出"),
    (lambda d: d["incomes"][0].__setitem__("amount", "1" * 27), "incomes[0].amount", "超出"),
    (lambda d: d["expenditures"][0].__setitem__("paid", 10 ** 13), "expenditures[0].paid", "超出"),
    (lambda d: d["indicators"][0].__setitem__("weight", "9" * 60), "indicators[0].weight", "超出"),
    (lambda d: d["indicators"][0].__setitem__("weight", "100.01"), "indicators[0].weight", "0 到 100"),
    (lambda d: d["indicators"][0].__setitem__("weight", "-1"), "indicators[0].weight", "0 到 100"),
    (lambda d: d["indicators"][0].__setitem__("numerator", "1" * 60), "indicators[0].numerator", "超出"),
    (lambda d: d["indicators"][0].__setitem__("denominator", "0." + "1" * 60), "indicators[0].denominator", "小数位数"),
    (lambda d: d["indicators"][0].__setitem__("score", "1" + "0" * 50), "indicators[0].score", "超出"),
    (lambda d: d["scoring"].__setitem__("budget_execution_weight", "1000"), "scoring.budget_execution_weight", "100"),
    (lambda d: d["scoring"]["level1_weights"].__setitem__("产出指标", "150"), "scoring.level1_weights", "产出指标"),
    (lambda d: d["meta"].__setitem__("year", 1999), "meta.year", "2000"),
    (lambda d: d["meta"].__setitem__("year", "2025"), "meta.year", "整数"),
    (lambda d: d["meta"].__setitem__("previous", {"year": 2101, "available": "0", "paid": "0"}),
     "meta.previous.year", "2100"),
    (lambda d: d["expenditures"][0].__setitem__("paid_on", "20250301"), "expenditures[0].paid_on", "2024-03-01"),
    (lambda d: d["expenditures"][0].__setitem__("paid_on", "1066-10-14"), "expenditures[0].paid_on", "不合理"),
    (lambda d: d.__setitem__("fund_operation", {"insured_persons": -3}), "fund_operation.insured_persons", "人数"),
    (lambda d: d["meta"].__setitem__("unit", ["a"]), "meta.unit", "数组"),
    (lambda d: d.__setitem__("meta", []), "meta", "数组"),
])
def test_values_beyond_the_limits_name_their_json_path(mutate, path, words):
    err = _refused(_with(mutate))
    assert err.path == path, str(err)
    assert words in str(err), str(err)
    assert not ENGLISH.findall(err.detail), str(err)


@pytest.mark.parametrize("text, path, words", [
    ('{"format": "yibao-report", "version": 1, "meta": {"unit": "\\ud800", "year": 2025, '
     '"fund_type": "capacity"}, "scoring": {"level1_weights": {}}}', "meta.unit", "代理字符"),
    ('{"format": "yibao-report", "version": 1, "meta": {"unit": "县", "year": 2025, "fund_type": "capacity"},'
     ' "scoring": {"level1_weights": {"\\udfff": "10"}}}', "scoring.level1_weights", "代理字符"),
    ('{"format": "yibao-report", "version": ' + "9" * 5000 + "}", "version", "5000 位"),
    ('{"format": "yibao-report", "version": 1, "meta": {"unit": "县", "year": ' + "2" * 5000 +
     ', "fund_type": "capacity"}, "scoring": {"level1_weights": {}}}', "meta.year", "位数过多"),
    ('{"format": "yibao-report", "version": 1, "meta": {"unit": "县", "year": 2025, "fund_type": "capacity"},'
     ' "incomes": [{"level": "中央", "kind": "当年下达", "amount": NaN}], "scoring": {"level1_weights": {}}}',
     "incomes[0].amount", "文本"),
    ('{"format": "yibao-report", "version": 1, "meta": {"unit": "县", "year": 2025, "fund_type": "capacity"},'
     ' "incomes": [{"level": "中央", "kind": "当年下达", "amount": 1e999999}], "scoring": {"level1_weights": {}}}',
     "incomes[0].amount", "文本"),
    ('{"\\ud800": 1}', "\ufffd", "未知字段"),
])
def test_hostile_json_gets_a_clear_error_with_its_path(text, path, words):
    err = _refused(text)
    assert err.path.replace("?", "\ufffd") == path, str(err)
    assert words in str(err), str(err)
    str(err).encode("utf-8")  # printable: no lone surrogate reaches the terminal


@pytest.mark.parametrize("text, words", [
    ("[" * 100_000 + "]" * 100_000, "嵌套层数过多"),
    ('{"meta": ' + "{" * 70 + "}" * 71, "第 1 行"),
    ("{ not json", "字段名"),
    ('{"a": 1,}', "字段名"),
    ('{"a" 1}', "冒号"),
    ('["unterminated', "双引号"),
    ("{} extra", "多余"),
])
def test_broken_json_is_explained_in_chinese(text, words):
    err = _refused(text)
    assert words in str(err), str(err)
    assert not ENGLISH.findall(str(err).replace("JSON", "")), str(err)
