from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yibao_desktop.domain.errors import ValueParseError
from yibao_desktop.domain.formatting import money
from yibao_desktop.domain.money import fmt_money, parse_decimal, parse_money, percent, q2, shares


def test_fengdu_total_mixes_wan_and_yuan():
    parts = ["12万元", "32万", "403178.48元", "446892.54"]
    assert sum((parse_money(p) for p in parts), D(0)) == D("1290071.02")


@pytest.mark.parametrize("text, expected", [
    ("600000.00", D("600000.00")), ("1,234.50", D("1234.50")), ("６０万元", D("600000.00")),
    ("0.09万元", D("900.00")), ("￥1,000元", D("1000.00")), (" 12 万 ", D("120000.00")), ("-50.00", D("-50.00")),
])
def test_parse_money_forms(text, expected):
    assert parse_money(text) == expected


def test_parse_money_default_unit_wan():
    assert parse_money("60.09", default_unit="万元") == D("600900.00")


@pytest.mark.parametrize("text", ["abc", "", "1.2.3", "12万x", "1,23"])
def test_parse_money_rejects_garbage(text):
    with pytest.raises(ValueParseError, match="无法识别"):
        parse_money(text)


def test_parse_money_refuses_fractions_of_a_fen():
    with pytest.raises(ValueParseError, match="两位小数"):
        parse_money("1.005")


def test_parse_money_refuses_float():
    with pytest.raises(ValueParseError):
        parse_money(1.5)  # type: ignore[arg-type]


def test_parse_decimal_full_width_and_separators():
    assert parse_decimal("１２，３４５.６") == D("12345.6")


def test_half_up_rounding():
    assert q2(D("7.415")) == D("7.42")
    assert q2(D("0.125")) == D("0.13")
    assert percent(D("197100"), D("600900")) == D("32.80")
    assert percent(D("1"), D("0")) is None


def test_format():
    assert fmt_money(D("600900")) == "600900.00"
    assert money(D("600900.00"), "万元") == "60.09"
    assert money(D("197100.00"), "万元") == "19.71"


def test_dangshan_direction_shares_half_up_not_the_published_slip():
    # 9.72 / 4 / 0.11 / 5.88 of 19.71 万元: the published report printed 49.31 and 29.84.
    assert shares([D("97200"), D("40000"), D("1100"), D("58800")]) == [
        D("49.32"), D("20.29"), D("0.56"), D("29.83")]


def test_shares_all_zero_and_empty():
    assert shares([D(0), D(0)]) == [D("0.00"), D("0.00")]
    assert shares([]) == []


def test_shares_three_thirds_sum_to_100():
    assert shares([D(1), D(1), D(1)]) == [D("33.34"), D("33.33"), D("33.33")]


@given(st.lists(st.integers(min_value=0, max_value=10**12), min_size=1, max_size=40))
def test_shares_always_sum_to_exactly_100(cents):
    amounts = [D(c) / 100 for c in cents]
    result = shares(amounts)
    if sum(amounts) == 0:
        assert all(s == 0 for s in result)
    else:
        assert sum(result) == D("100.00")
        assert all(s >= 0 for s in result)
        # Each share is within one hundredth of its exact value.
        total = sum(amounts)
        for a, s in zip(amounts, result):
            assert abs(a * 100 / total - s) < D("0.01")


@pytest.mark.parametrize("text", ["1" * 30, "9" * 27 + ".5", "1" * 5000, "1000000000万", "-10000000000000"])
def test_amounts_beyond_ten_trillion_are_refused_in_chinese(text):
    with pytest.raises(ValueParseError, match="超出范围"):
        parse_money(text)
    assert parse_money("9999999999999.99") == D("9999999999999.99")
