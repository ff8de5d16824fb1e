"""Edits: the only way a report changes. Each edit applied to a report gives the new report and
the inverse edit, so undo is "apply the inverse" both in memory and in the file.

Collections: the row collections of `report.ROW_COLLECTIONS` (addressed by position), plus the
singletons "meta", "scoring", "fund_operation" (index None) and "root" (field "fund_operation",
to switch the fund-operation block on or off).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Union

from yibao_desktop.domain.errors import UserError
from yibao_desktop.domain.report import (
    ROW_COLLECTIONS,
    FundOperation,
    Meta,
    Report,
    Scoring,
    get_rows,
    with_rows,
)

SINGLETONS: dict[str, type] = {"meta": Meta, "scoring": Scoring, "fund_operation": FundOperation}


@dataclass(frozen=True)
class SetField:
    collection: str
    index: int | None
    field: str
    value: Any


@dataclass(frozen=True)
class InsertRow:
    collection: str
    index: int
    row: Any


@dataclass(frozen=True)
class DeleteRow:
    collection: str
    index: int


@dataclass(frozen=True)
class MoveRow:
    collection: str
    src: int
    dst: int


Edit = Union[SetField, InsertRow, DeleteRow, MoveRow]


def _check_field(cls: type, name: str) -> None:
    if name not in {f.name for f in fields(cls)}:
        raise UserError(f"内部错误：{cls.__name__} 没有字段 {name}")


def apply_edit(report: Report, edit: Edit) -> tuple[Report, Edit, Any]:
    """Apply one edit. Returns (new report, inverse edit, old value or removed row)."""
    if isinstance(edit, SetField):
        if edit.collection == "root":
            if edit.field != "fund_operation":
                raise UserError(f"内部错误：不能修改 {edit.field}")
            old = report.fund_operation
            return replace(report, fund_operation=edit.value), SetField("root", None, edit.field, old), old
        if edit.collection in SINGLETONS:
            _check_field(SINGLETONS[edit.collection], edit.field)
            if edit.collection == "meta":
                obj = report.meta
            elif edit.collection == "scoring":
                obj = report.scoring
            else:
                obj = report.fund_operation or FundOperation()
            old = getattr(obj, edit.field)
            new_obj = replace(obj, **{edit.field: edit.value})
            new_report = replace(report, **{edit.collection: new_obj})
            return new_report, SetField(edit.collection, None, edit.field, old), old
        rows = _rows(report, edit.collection)
        _check_index(rows, edit.index, edit.collection)
        _check_field(ROW_COLLECTIONS[edit.collection], edit.field)
        row = rows[edit.index]
        old = getattr(row, edit.field)
        new_rows = rows[: edit.index] + (replace(row, **{edit.field: edit.value}),) + rows[edit.index + 1:]
        return (with_rows(report, edit.collection, new_rows),
                SetField(edit.collection, edit.index, edit.field, old), old)
    if isinstance(edit, InsertRow):
        rows = _rows(report, edit.collection)
        if not 0 <= edit.index <= len(rows):
            raise UserError(f"内部错误：插入位置 {edit.index} 超出范围")
        if not isinstance(edit.row, ROW_COLLECTIONS[edit.collection]):
            raise UserError("内部错误：插入的行类型不符")
        new_rows = rows[: edit.index] + (edit.row,) + rows[edit.index:]
        return with_rows(report, edit.collection, new_rows), DeleteRow(edit.collection, edit.index), None
    if isinstance(edit, DeleteRow):
        rows = _rows(report, edit.collection)
        _check_index(rows, edit.index, edit.collection)
        removed = rows[edit.index]
        new_rows = rows[: edit.index] + rows[edit.index + 1:]
        return (with_rows(report, edit.collection, new_rows),
                InsertRow(edit.collection, edit.index, removed), removed)
    if isinstance(edit, MoveRow):
        rows = _rows(report, edit.collection)
        _check_index(rows, edit.src, edit.collection)
        _check_index(rows, edit.dst, edit.collection)
        lst = list(rows)
        lst.insert(edit.dst, lst.pop(edit.src))
        return (with_rows(report, edit.collection, tuple(lst)),
                MoveRow(edit.collection, edit.dst, edit.src), None)
    raise UserError(f"内部错误：未知的修改 {edit!r}")


def apply_edits(report: Report, edits: list[Edit]) -> tuple[Report, list[Edit]]:
    """Apply edits in order; the inverse list undoes them (already in reverse order)."""
    inverses: list[Edit] = []
    for edit in edits:
        report, inverse, _ = apply_edit(report, edit)
        inverses.append(inverse)
    inverses.reverse()
    return report, inverses


def _rows(report: Report, collection: str) -> tuple[Any, ...]:
    if collection not in ROW_COLLECTIONS:
        raise UserError(f"内部错误：未知的数据表 {collection}")
    return get_rows(report, collection)


def _check_index(rows: tuple[Any, ...], index: int | None, collection: str) -> None:
    if index is None or not 0 <= index < len(rows):
        raise UserError(f"内部错误：{collection} 第 {index} 行不存在")
