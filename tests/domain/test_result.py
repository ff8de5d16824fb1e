"""domain/result.py's `record`: a frozen dataclass whose faster __init__ builds the same object."""

import dataclasses
import inspect
from decimal import Decimal

import pytest

from yibao_desktop.domain import result
from yibao_desktop.domain.calc import compute

RECORDS = [c for c in vars(result).values()
           if dataclasses.is_dataclass(c) and isinstance(c, type) and c.__module__ == result.__name__]


def test_every_result_class_is_a_frozen_record():
    assert len(RECORDS) == 18
    assert all(c.__dataclass_params__.frozen and c.__init__.__code__.co_filename == "<string>" for c in RECORDS)


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_a_record_takes_its_fields_as_a_dataclass_would(cls):
    fields = dataclasses.fields(cls)
    expected = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)] + [
        inspect.Parameter(f.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=f.type,
                          default=inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default)
        for f in fields]
    assert inspect.signature(cls.__init__) == inspect.Signature(expected, return_annotation=None)
    values = [object() for _ in fields]  # distinct markers: any mix-up of fields shows
    assert vars(cls(*values)) == {f.name: v for f, v in zip(fields, values)}
    by_name = cls(**{f.name: v for f, v in zip(fields, values)})
    assert vars(by_name) == vars(cls(*values))
    required = {f.name: v for f, v in zip(fields, values) if f.default is dataclasses.MISSING}
    defaults = cls(**required)
    assert all(getattr(defaults, f.name) is f.default for f in fields if f.default is not dataclasses.MISSING)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(by_name, fields[0].name, 1)
    with pytest.raises(TypeError):
        cls(*values, object())  # one too many


def test_records_compare_hash_repr_and_replace_as_dataclasses(demo_report):
    first, second = compute(demo_report), compute(demo_report)
    assert first == second and hash(first.indicators[0]) == hash(second.indicators[0])
    changed = dataclasses.replace(first.indicators[0], name="改")
    assert changed.name == "改" and changed != first.indicators[0] and changed.weight == first.indicators[0].weight
    assert repr(result.Location("funds", None, "paid")) == "Location(collection='funds', index=None, field='paid')"
    assert result.Share("a", 1, Decimal("1.00"), Decimal("100.00")) == result.Share("a", 1, Decimal("1.00"), Decimal("100"))


def test_a_default_factory_is_refused():
    with pytest.raises(TypeError, match="plain defaults"):
        @result.record
        class Bad:
            items: list = dataclasses.field(default_factory=list)
