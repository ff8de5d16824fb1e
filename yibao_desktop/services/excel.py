"""Excel: the official forms (drawn from the same cell models as the PDF annex), the editable data
workbook, and import of targets, expenditure and income lists (every problem listed at once;
all or nothing, applied as one transaction)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from yibao_desktop.domain.edits import DeleteRow, InsertRow, SetField
from yibao_desktop.domain.forms import FORMS
from yibao_desktop.domain.report import Report, get_rows
from yibao_desktop.domain.result import Result
from yibao_desktop.exchange.excel.read import ImportPlan, plan_import
from yibao_desktop.services.export import check_exportable, official_forms
from yibao_desktop.storage.repository import Document

__all__ = ["export_forms", "export_data", "plan_import", "import_into", "row_changes", "ImportPlan", "RowChange",
           "FORMS"]


def export_forms(report: Report, path: str | os.PathLike[str], keys: Sequence[str] | None = None,
                 result: Result | None = None) -> Path:
    """The official 自评表 (one sheet per form; by default the report's forms), written atomically."""
    from yibao_desktop.exchange.excel.write import write_forms

    check_exportable(report)
    return write_forms(official_forms(report, result, keys), path)


def export_data(report: Report, path: str | os.PathLike[str]) -> Path:
    """The editable, re-importable data workbook."""
    from yibao_desktop.exchange.excel.data import export_data_workbook

    return export_data_workbook(report, path)


def import_into(document: Document, path: str | os.PathLike[str], sheet: str | None = None,
                mode: str | None = None, dry_run: bool = False) -> ImportPlan:
    """Plan against the document's report and apply it in one transaction unless `dry_run`.
    Raises ExcelImportError listing every problem; with problems nothing changes."""
    plan = plan_import(document.report, path, sheet, mode)
    plan.raise_for_problems()
    if not dry_run and plan.edits:
        document.apply(list(plan.edits))
    return plan


NEW, CHANGED, DELETED, KEPT = "新增", "修改", "删除", ""


@dataclass
class RowChange:
    """One row of a list as an import leaves it: `status` is 新增, 修改, 删除 or "" (kept as is);
    `row` the row after the import (for a deleted one, the row that goes); `before` its place in
    the report before the import; `same_as` for a new row equal to a row already there (a sheet
    imported twice?), that row's place."""

    status: str
    row: Any
    before: int | None = None
    same_as: int | None = None


def row_changes(plan: ImportPlan, collection: str) -> list[RowChange]:
    """The collection's rows in order as the plan leaves them, with each deleted row kept where it
    was: what the import preview shows (deleted rows highlighted). Follows `plan.edits` exactly,
    a DeleteRow followed by an InsertRow at the same place being one changed row."""
    old = get_rows(plan.base, collection)
    order = [RowChange(KEPT, row, i) for i, row in enumerate(old)]
    live = list(order)  # the rows still in the list, as the edits address them
    edits = [e for e in plan.edits if e.collection == collection]
    k = 0
    while k < len(edits):
        edit = edits[k]
        after = edits[k + 1] if k + 1 < len(edits) else None
        if (isinstance(edit, DeleteRow) and isinstance(after, InsertRow) and after.index == edit.index
                and live[edit.index].status != NEW):
            live[edit.index].status = CHANGED
            k += 2
            continue
        if isinstance(edit, SetField) and edit.index is not None:
            if live[edit.index].status == KEPT:
                live[edit.index].status = CHANGED
        elif isinstance(edit, InsertRow):
            entry = RowChange(NEW, edit.row)
            at = order.index(live[edit.index]) if edit.index < len(live) else len(order)
            order.insert(at, entry)
            live.insert(edit.index, entry)
        elif isinstance(edit, DeleteRow):
            entry = live.pop(edit.index)
            if entry.status == NEW:
                order.remove(entry)
            else:
                entry.status = DELETED
        k += 1
    for entry, row in zip(live, get_rows(plan.report, collection)):
        entry.row = row
    kept = {e.row: e.before for e in reversed(live) if e.status != NEW}
    for entry in live:
        if entry.status == NEW and entry.row in kept:
            entry.same_as = kept[entry.row]
    return order
