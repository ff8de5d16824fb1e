"""Display formatting: one module for 元, 万元, 亿元, % and separators; breakdowns shown in a larger
unit add up to their shown total."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yibao_desktop.domain import formatting as fmt


def test_amounts_in_each_unit_with_separators():
    assert fmt.money(D("1234567.125")) == "1,234,567.13"  # half-up, never banker's rounding
    assert fmt.money(D("575710000.00"), "万元") == "57,571.00"
    assert fmt.money(D("950000000.00"), "亿元") == "9.50"
    assert fmt.money(D("600900"), "万元", sep=False) == "60.09"
    assert fmt.money(D("-0.001")) == "0.00" and fmt.money(None) == fmt.DASH
    assert fmt.pct(D("32.8")) == "32.80%" and fmt.pct(None) == fmt.DASH
    assert fmt.points(D("41.49")) == "+41.49" and fmt.points(D("-3.2")) == "-3.20"
    assert fmt.number(D("60")) == "60" and fmt.number(D("44.49")) == "44.49"


def test_the_demo_transfer_form_slip_is_gone():
    """中央 426541.10 + 地方 180108.90 = 606650.00 元: 42.65 + 18.01 ≠ 60.67 when each is rounded alone."""
    (central, local), total = fmt.parts([D("426541.10"), D("180108.90")], D("606650.00"))
    assert total == D("60.67") and central + local == total
    assert (central, local) == (D("42.66"), D("18.01"))  # the cent goes to the larger remainder


def test_parts_that_do_not_add_up_are_not_forced():
    """A typed total that disagrees with its lines is a finding, never hidden by the rounding."""
    shown, total = fmt.parts([D("10000"), D("20000")], D("40000"))
    assert shown == [D("1.00"), D("2.00")] and total == D("4.00")


@pytest.mark.parametrize("unit", ["元", "万元", "亿元"])
@given(cents=st.lists(st.integers(min_value=-10**10, max_value=10**14), min_size=1, max_size=30))
def test_displayed_parts_add_up_to_the_displayed_total(unit, cents):
    values = [D(c).scaleb(-2) for c in cents]
    total = sum(values, D(0))
    shown, shown_total = fmt.parts(values, total, unit)
    assert sum(shown, D(0)) == shown_total
    assert shown_total == fmt.in_unit(total, unit)
    for exact, part in zip(values, shown):
        assert abs(exact / fmt.SCALE[unit] - part) < D("0.01")  # each part moves by less than one unit


@given(st.floats(min_value=0.5, max_value=1e7, allow_nan=False))
def test_axis_steps_keep_labels_few(top):
    step = fmt.axis_step(top)
    assert 2 <= top / step <= 10 or top < 5


@pytest.fixture
def beijing_time(monkeypatch):
    import time

    monkeypatch.setenv("TZ", "CST-8")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_times_are_told_in_local_time_as_people_write_them(beijing_time):
    from datetime import datetime, timezone

    utc = datetime(2026, 11, 29, 8, 0, 5, tzinfo=timezone.utc)
    assert fmt.timestamp(utc) == "2026年11月29日 16:00"
    assert fmt.timestamp_text("2026-11-29T16:00:00+08:00") == "2026年11月29日 16:00"
    assert fmt.timestamp_text("2026-11-29T08:00:00+00:00") == "2026年11月29日 16:00"
    assert fmt.timestamp(datetime(2026, 1, 5, 9, 7)) == "2026年1月5日 09:07"  # naive: already local
    assert fmt.timestamp_text("") == fmt.DASH and fmt.timestamp_text("昨天") == "昨天"
