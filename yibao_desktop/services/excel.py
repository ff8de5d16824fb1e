"""Excel: the official forms (drawn from the same cell models as the PDF annex), the editable data
workbook, and import of targets, expenditure and income lists (every problem listed at once;
all or nothing, applied as one transaction)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from yibao_desktop.domain.forms import FORMS
from yibao_desktop.domain.report import Report
from yibao_desktop.domain.result import Result
from yibao_desktop.exchange.excel.read import ImportPlan, plan_import
from yibao_desktop.services.export import check_exportable, official_forms
from yibao_desktop.storage.repository import Document

__all__ = ["export_forms", "export_data", "plan_import", "import_into", "ImportPlan", "FORMS"]


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
