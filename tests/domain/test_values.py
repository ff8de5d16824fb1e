from datetime import date
from decimal import Decimal as D

import pytest

from yibao_desktop.domain.errors import ValueParseError
from yibao_desktop.domain.values import parse_date_text, parse_number_text


@pytest.mark.parametrize("text", ["2024-03-01", "2024/3/1", "2024.3.1", "2024年3月1日", "20240301",
                                  "２０２４年３月１日", "45352", "2024-03-01 10:30"])
def test_dates(text):
    assert parse_date_text(text) == date(2024, 3, 1)


@pytest.mark.parametrize("text", ["2024-02-30", "明天", "3/1", ""])
def test_bad_dates(text):
    with pytest.raises(ValueParseError):
        parse_date_text(text)


def test_numbers():
    assert parse_number_text("85%", "%") == D("85")
    assert parse_number_text("５２３人次", "人次") == D("523")
    assert parse_number_text("1,234") == D("1234")
    with pytest.raises(ValueParseError):
        parse_number_text("八十五")
