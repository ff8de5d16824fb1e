from decimal import Decimal as D

import pytest

from yibao_desktop.domain.targets import describe_target, parse_target


@pytest.mark.parametrize("text, nature, value, unit", [
    ("≥90%", "≥", D("90"), "%"),
    ("＞85%", ">", D("85"), "%"),
    ("不低于95%", "≥", D("95"), "%"),
    ("达到100%", "≥", D("100"), "%"),
    ("全覆盖", "≥", D("100"), "%"),
    ("≤10%", "≤", D("10"), "%"),
    ("0起", "≤", D("0"), "起"),
    ("９０％以上", "≥", D("90"), "%"),
    ("≥ 500 人次", "≥", D("500"), "人次"),
    ("控制在5天以内", "≤", D("5"), "天"),
    ("大于等于95%", "≥", D("95"), "%"),
    (">=60%", "≥", D("60"), "%"),
    ("＜３天", "<", D("3"), "天"),
    ("=100%", "=", D("100"), "%"),
    ("1,000人", "≥", D("1000"), "人"),
    ("≧70%", "≥", D("70"), "%"),
])
def test_parse_quantitative(text, nature, value, unit):
    spec = parse_target(text)
    assert spec.ok
    assert (spec.nature, spec.value, spec.unit) == (nature, value, unit)


@pytest.mark.parametrize("text", ["有所提升", "逐步推行", "稳步提高", "持续改善", "明显提升"])
def test_parse_qualitative(text):
    spec = parse_target(text)
    assert spec.ok and spec.qualitative and spec.value is None


@pytest.mark.parametrize("text", ["见附件", "", None, "提升10%", "详见说明，另附"])
def test_unparseable_is_not_an_exception(text):
    assert parse_target(text).ok is False


def test_describe_target():
    assert describe_target("≥", D("60"), "%") == "≥60%"
    assert describe_target("定性", None, "") == ""
