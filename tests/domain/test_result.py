"""domain/result.py's `record`: a frozen dataclass whose faster __init__ builds the same object."""

import dataclasses
import inspect

import pytest

from yibao_desktop.domain import result
from yibao_desktop.domain.calc import compute

RECORDS = [c for c in vars(result).values() if isinstance(c, type) and hasattr(c, "_dataclass_init")]


def test_every_result_class_is_a_record():
    classes = [c for c in vars(result).values() if dataclasses.is_dataclass(c) and c.__module__ == result.__name__]
    assert len(classes) == 18 and set(classes) == set(RECORDS)


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_a_record_is_built_as_its_dataclass_builds_it(cls):
    fields = dataclasses.fields(cls)
    assert inspect.signature(cls.__init__) == inspect.signature(cls._dataclass_init)
    values = [object() for _ in fields]  # distinct markers: any mix-up of fields shows
    ours = cls(*values)
    theirs = object.__new__(cls)
    cls._dataclass_init(theirs, *values)
    assert vars(ours) == vars(theirs) == {f.name: v for f, v in zip(fields, values)}
    required = {f.name: v for f, v in zip(fields, values) if f.default is dataclasses.MISSING}
    by_name = cls(**required)
    assert all(getattr(by_name, f.name) is f.default for f in fields if f.default is not dataclasses.MISSING)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(ours, fields[0].name, 1)


def test_records_compare_hash_and_replace_as_dataclasses(demo_report):
    first, second = compute(demo_report), compute(demo_report)
    assert first == second and hash(first.indicators[0]) == hash(second.indicators[0])
    changed = dataclasses.replace(first.indicators[0], name="改")
    assert changed.name == "改" and changed != first.indicators[0] and changed.weight == first.indicators[0].weight


def test_a_default_factory_is_refused():
    with pytest.raises(TypeError, match="plain defaults"):
        @result.record
        class Bad:
            items: list = dataclasses.field(default_factory=list)
