"""The official self-evaluation tables as .xlsx: each sheet lays out one `domain.forms.Form`
(项目支出绩效自评表, 中央对地方转移支付区域绩效自评表), so the workbook shows exactly the cells the PDF
annex shows. Values stay numbers where the form holds a number, with a number format that
displays exactly the form's text (万元 with separators, percentages, scores, typed precision with
the unit). The sheets print on landscape A4, one page wide, with the indicator header repeated on
every page.

`export_data_workbook` (the editable data workbook) is re-exported here from excel/data.py.
"""

from __future__ import annotations

import math
import unicodedata
from pathlib import Path
from typing import Any, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from yibao_desktop.domain.forms import Cell, Form
from yibao_desktop.exchange.excel.data import build_data_workbook, export_data_workbook, put_text, save_workbook

__all__ = ["forms_workbook", "write_forms", "build_data_workbook", "export_data_workbook", "save_workbook",
           "number_format"]

BODY_SIZE = 10.5  # 五号
TITLE_FONT = Font(name="宋体", size=18, bold=True)
SUBTITLE_FONT = Font(name="仿宋", size=12)
HEAD_FONT = Font(name="宋体", size=BODY_SIZE, bold=True)
LABEL_FONT = Font(name="宋体", size=BODY_SIZE)
BODY_FONT = Font(name="仿宋", size=BODY_SIZE)
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center", wrap_text=True)
LINE_HEIGHT = 13.5  # points per line of 10.5 pt text
MIN_ROW_HEIGHT = 20.0
MAX_ROW_HEIGHT = 409.0  # Excel's limit
TOP = 2  # the form's grid starts below the title and subtitle rows

# ------------------------------------------------------------------------------ writing helpers


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _lines(text: str, width: float) -> int:
    usable = max(1.0, width - 1.5)
    return sum(max(1, math.ceil(_display_width(part) / usable)) for part in text.split("\n"))


class _Sheet:
    """A grid on one worksheet: cells, merges, borders and row heights from the text they hold."""

    def __init__(self, ws: Any, widths: Sequence[float]):
        self.ws = ws
        self.widths = list(widths)
        self.ncols = len(widths)
        self.texts: list[tuple[int, int, int, str]] = []  # (row, first col, last col, text)
        self.minimum: dict[int, float] = {}  # rows that a taller vertical merge needs
        for ci, width in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(ci)].width = width

    def put(self, row: int, col: int, value: Any, *, to_col: int | None = None, to_row: int | None = None,
            font: Font = BODY_FONT, align: Alignment = CENTER, number_format: str | None = None) -> Any:
        cell = self.ws.cell(row, col)
        if isinstance(value, str):
            if value:  # an empty text leaves the cell blank
                put_text(cell, value, f"{self.ws.title}!{cell.coordinate}")
        elif value is not None:
            cell.value = value
        cell.font, cell.alignment = font, align
        if number_format:
            cell.number_format = number_format
        last_col, last_row = to_col or col, to_row or row
        if last_col != col or last_row != row:
            self.ws.merge_cells(start_row=row, start_column=col, end_row=last_row, end_column=last_col)
        if isinstance(value, str) and value and last_row == row:
            self.texts.append((row, col, last_col, value))
        return cell

    def border(self, first_row: int, last_row: int) -> None:
        for row in self.ws.iter_rows(min_row=first_row, max_row=last_row, min_col=1, max_col=self.ncols):
            for cell in row:
                cell.border = BORDER

    def fit_heights(self, first_row: int, last_row: int, minimum: float = MIN_ROW_HEIGHT) -> None:
        needed: dict[int, int] = {}
        for row, c1, c2, text in self.texts:
            width = sum(self.widths[c1 - 1: c2])
            needed[row] = max(needed.get(row, 1), _lines(text, width))
        for row in range(first_row, last_row + 1):
            height = max(minimum, self.minimum.get(row, 0), needed.get(row, 1) * LINE_HEIGHT + 6)
            self.ws.row_dimensions[row].height = min(MAX_ROW_HEIGHT, height)


def _page_setup(ws: Any, title_row: int, last_row: int, last_col: int) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.print_title_rows = f"{title_row}:{title_row}"
    ws.print_area = f"A1:{get_column_letter(last_col)}{last_row}"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.font = "仿宋"
    ws.oddFooter.center.size = 10
    ws.sheet_view.showGridLines = False


def _decimals(places: int) -> str:
    return "0" if places == 0 else "0." + "0" * places


def number_format(cell: Cell) -> str:
    """The number format under which Excel and WPS show `cell.display` exactly."""
    if cell.kind == "money":
        return "#,##0.00"
    if cell.kind == "pct":
        return "0.00%"
    if cell.kind == "score":
        return '0.00"' + cell.text + '"' if cell.text else "0.00"
    base = _decimals(cell.places)
    if cell.kind == "actual" and cell.unit and '"' not in cell.unit and "\\" not in cell.unit:
        return f'{base}"{cell.unit}"'
    return base


def _excel_value(cell: Cell) -> Any:
    if cell.kind == "pct":
        return cell.value / 100  # type: ignore[operator]
    return cell.value


_FONTS = {"label": LABEL_FONT, "head": HEAD_FONT}
_ALIGN = {"text": LEFT, "label": CENTER, "head": CENTER, "center": CENTER}


def _draw(wb: Workbook, form: Form, sheet: str | None = None) -> None:
    ws = wb.create_sheet(sheet or form.title)
    grid = _Sheet(ws, form.widths)
    last_col = form.ncols
    grid.put(1, 1, form.title, to_col=last_col, font=TITLE_FONT)
    grid.put(2, 1, form.subtitle, to_col=last_col, font=SUBTITLE_FONT)
    for cell in form.cells:
        row, col = cell.row + TOP + 1, cell.col + 1
        to_col = col + cell.cols - 1 if cell.cols > 1 else None
        to_row = row + cell.rows - 1 if cell.rows > 1 else None
        font = _FONTS.get(cell.kind, BODY_FONT)
        if cell.numeric:
            value: Any = _excel_value(cell)
            grid.put(row, col, value, to_col=to_col, to_row=to_row, font=font, align=RIGHT,
                     number_format=number_format(cell))
        else:
            align = _ALIGN.get(cell.kind, CENTER)
            grid.put(row, col, cell.display, to_col=to_col, to_row=to_row, font=font, align=align)
        if cell.rows > 1 and cell.kind == "text" and cell.display:
            # A tall merged text (资金管理情况): share its height among the rows it covers.
            lines = _lines(cell.display, sum(form.widths[cell.col: cell.col + cell.cols]))
            if lines * LINE_HEIGHT > cell.rows * MIN_ROW_HEIGHT:
                for r in range(row, row + cell.rows):
                    grid.minimum[r] = lines * LINE_HEIGHT / cell.rows + 2
    first, last = TOP + 1, TOP + form.nrows
    grid.border(first, last)
    grid.fit_heights(first, last)
    ws.row_dimensions[1].height = 32
    ws.row_dimensions[2].height = 22
    for k, note in enumerate(form.notes):
        grid.put(last + 2 + k, 1, note, to_col=last_col, font=LABEL_FONT, align=LEFT)
        ws.row_dimensions[last + 2 + k].height = 24
    _page_setup(ws, form.header_row + TOP + 1, last + 1 + len(form.notes) if form.notes else last, last_col)


def forms_workbook(forms: Sequence[Form], sheet_names: Sequence[str] | None = None) -> Workbook:
    """A workbook with one sheet per form (named after the form's title, or `sheet_names`)."""
    wb = Workbook()
    wb.remove(wb.active)
    for n, form in enumerate(forms):
        _draw(wb, form, sheet_names[n] if sheet_names else None)
    return wb


def write_forms(forms: Sequence[Form], path: str | Path) -> Path:
    """Write the official tables to `path` (.xlsx), atomically."""
    return save_workbook(forms_workbook(forms), path)
