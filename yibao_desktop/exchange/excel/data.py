"""The data workbook: the whole report as editable tables (资金来源, 支出明细, 绩效指标, 报告文字,
then 报告信息, 依据文件, 一级指标权重, 基金运行). Users edit it in Excel or WPS and import it back;
report -> workbook -> report is the identity.

How values are stored so that the round trip is exact:
- amounts (元) and figures are numbers when the number survives Excel's double precision as
  typed (up to 15 significant digits), otherwise text, which the importer reads the same way;
- dates are date cells; enumerations have drop-down lists (data validation);
- text is stored as text, also when it looks like a number or a formula ("=…"); characters that
  XML cannot carry are escaped the way Excel does (_x000B_), and decoded on import;
- every table starts with a 序号 column, so a row whose cells are all empty is still a row.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from yibao_desktop.fileio import write_atomic
from yibao_desktop.domain.errors import UserError
from yibao_desktop.domain.money import fmt_money, fmt_num
from yibao_desktop.domain.report import FundOperation, Report
from yibao_desktop.exchange.excel.cells import decimal_from_float
from yibao_desktop.exchange.excel.files import escape_text
from yibao_desktop.exchange.excel.schema import (
    BASIS,
    DATA_MARKER,
    EXPENDITURES,
    FUND_LINES,
    INCOMES,
    INDICATORS,
    INFO_ROWS,
    INFO_SHEET,
    MARKER_LABEL,
    NARRATIVE,
    SEQ_HEADER,
    WEIGHTS,
    Column,
    Table,
)
from yibao_desktop.templates import load_template

EXCEL_MAX_TEXT = 32767
YES, NO = "是", "否"
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
HEADER_FONT = Font(name="宋体", size=11, bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
THIN = Side(style="thin", color="A6A6A6")
HEADER_BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
LAST_ROW = 1048576
FREEZE = {"indicators": "E2"}


def _float_safe(value: Decimal) -> float | None:
    """The float to store for `value` if reading it back gives exactly `value`, else None."""
    if not value.is_finite():
        return None
    f = float(value)
    back = float("%.16g" % f)  # what openpyxl writes into the XML
    try:
        return f if decimal_from_float(back) == value else None
    except Exception:  # noqa: BLE001 - any doubt: store as text
        return None


def put_text(cell: Any, value: str, where: str = "") -> None:
    text = escape_text(value)
    if len(text) > EXCEL_MAX_TEXT:
        raise UserError(f"{where or cell.coordinate} 的文字有 {len(text)} 个字符，超过 Excel 单元格 "
                        f"{EXCEL_MAX_TEXT} 个字符的上限，请缩短后再导出")
    cell.value = text
    cell.data_type = "s"  # never a formula, whatever the text starts with


def put_number(cell: Any, value: Decimal | int | None, money: bool = False) -> None:
    if value is None:
        return
    if isinstance(value, int):
        cell.value = value
        return
    f = _float_safe(value)
    if f is None:
        cell.value = fmt_money(value) if money else fmt_num(value)
        cell.data_type = "s"
    else:
        cell.value = f
    if money:
        cell.number_format = MONEY_FORMAT


def put_date(cell: Any, value: date | None) -> None:
    if value is None:
        return
    cell.value = datetime(value.year, value.month, value.day)
    cell.number_format = DATE_FORMAT


def _write_cell(cell: Any, col: Column, value: Any, where: str) -> None:
    if col.kind in ("text", "longtext", "enum"):
        if value is not None:
            put_text(cell, value, where)
    elif col.kind == "bool":
        put_text(cell, YES if value else NO)
    elif col.kind == "money":
        put_number(cell, value, money=True)
    elif col.kind == "number":
        put_number(cell, value)
    elif col.kind == "date":
        put_date(cell, value)
    else:  # pragma: no cover
        raise AssertionError(col.kind)


def _validation(ws: Any, letter: str, choices: tuple[str, ...], strict: bool = True, first: int = 2,
                last: int = LAST_ROW) -> None:
    formula = '"' + ",".join(choices) + '"'
    if not choices or len(formula) > 255 or any("," in c or '"' in c for c in choices):
        return
    dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=strict,
                        errorTitle="输入有误", error=f"请从下拉列表中选择：{'、'.join(choices)}",
                        promptTitle="可选值", prompt="、".join(choices)[:255], showInputMessage=False)
    dv.add(f"{letter}{first}:{letter}{last}")
    ws.add_data_validation(dv)


def _table_sheet(wb: Workbook, table: Table, rows: list[dict[str, Any]],
                 suggestions: dict[str, tuple[str, ...]] | None = None) -> None:
    ws = wb.create_sheet(table.sheet)
    columns = table.data_columns
    headers = (SEQ_HEADER, *(c.header for c in columns))
    for ci, text in enumerate(headers, 1):
        cell = ws.cell(1, ci, text)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, HEADER_BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.column_dimensions["A"].width = 6
    for ci, col in enumerate(columns, 2):
        letter = get_column_letter(ci)
        ws.column_dimensions[letter].width = col.width
        if col.kind == "enum":
            _validation(ws, letter, col.choices)
        elif col.kind == "bool":
            _validation(ws, letter, (YES, NO))
        elif suggestions and col.field in suggestions:
            _validation(ws, letter, suggestions[col.field], strict=False)
    for r, values in enumerate(rows, 2):
        ws.cell(r, 1, r - 1)
        for ci, col in enumerate(columns, 2):
            value = values.get(col.field)
            if value is None:
                continue
            _write_cell(ws.cell(r, ci), col, value, f"工作表「{table.sheet}」第 {r} 行「{col.header}」")
    ws.freeze_panes = FREEZE.get(table.kind, "B2")
    ws.row_dimensions[1].height = 30


def _as_dict(row: Any) -> dict[str, Any]:
    return {name: getattr(row, name) for name in row.__dataclass_fields__}


def _info_sheet(wb: Workbook, report: Report) -> None:
    ws = wb.create_sheet(INFO_SHEET)
    for ci, text in enumerate(("项目", "内容"), 1):
        cell = ws.cell(1, ci, text)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, HEADER_BORDER
    ws.cell(2, 1, MARKER_LABEL)
    ws.cell(2, 2, DATA_MARKER)
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 60
    meta, scoring, fo = report.meta, report.scoring, report.fund_operation
    for r, spec in enumerate(INFO_ROWS, 3):
        ws.cell(r, 1, spec.label)
        cell = ws.cell(r, 2)
        section, _, name = spec.target.partition(".")
        if section == "meta":
            value: Any = getattr(meta, name)
        elif section == "scoring":
            value = getattr(scoring, name)
        elif section == "grade_labels":
            value = scoring.grade_labels[int(name)]
        elif section == "previous":
            value = None if meta.previous is None else getattr(meta.previous, name)
        elif section == "fo":
            value = fo is not None
        else:
            value = getattr(fo, name) if fo is not None else None
        if spec.kind == "enum":
            put_text(cell, spec.choices[spec.codes.index(value)])
            _validation(ws, "B", spec.choices, first=r, last=r)
        elif spec.kind == "bool":
            put_text(cell, spec.choices[0] if value else spec.choices[1])
            _validation(ws, "B", spec.choices, first=r, last=r)
        elif spec.kind in ("text", "opttext"):
            if value is not None:
                put_text(cell, value, f"工作表「{INFO_SHEET}」「{spec.label}」")
        elif spec.kind in ("int", "optint"):
            if value is not None:
                cell.value = value
        elif spec.kind == "money":
            put_number(cell, value, money=True)
        else:
            put_number(cell, value)
    ws.freeze_panes = "A2"


def build_data_workbook(report: Report) -> Workbook:
    """The report as the data workbook (sheets in the order of the module docstring)."""
    wb = Workbook()
    wb.remove(wb.active)
    try:
        template = load_template(report.meta.fund_type)
        suggestions = {"direction": template.directions, "econ_class": template.econ_classes}
    except UserError:
        suggestions = {}
    _table_sheet(wb, INCOMES, [_as_dict(r) for r in report.incomes])
    _table_sheet(wb, EXPENDITURES, [_as_dict(r) for r in report.expenditures], suggestions)
    _table_sheet(wb, INDICATORS, [_as_dict(r) for r in report.indicators])
    _table_sheet(wb, NARRATIVE, [_as_dict(r) for r in report.narrative])
    _info_sheet(wb, report)
    _table_sheet(wb, BASIS, [_as_dict(r) for r in report.meta.basis])
    _table_sheet(wb, WEIGHTS, [{"name": n, "weight": w} for n, w in report.scoring.level1_weights])
    fo = report.fund_operation or FundOperation()
    _table_sheet(wb, FUND_LINES, [{"side": side, **_as_dict(line)}
                                  for side, lines in (("收入", fo.income), ("支出", fo.expense)) for line in lines])
    return wb


def export_data_workbook(report: Report, path: str | Path) -> Path:
    """Write the data workbook to `path` (atomically: a temporary file, then renamed)."""
    return save_workbook(build_data_workbook(report), path)


def save_workbook(wb: Workbook, path: str | Path) -> Path:
    """Save atomically (temporary name, fsync, rename): a failed export never leaves a
    half-written file, and an existing file is replaced only by a complete one."""
    buffer = io.BytesIO()
    wb.save(buffer)
    return write_atomic(path, buffer.getvalue())