"""An official form (`domain.forms.Form`) laid out as PDF tables: the block above the indicator
header, then the indicators with their header repeated on every page. Column widths come from
the form's proportions, widened where a figure needs it (`tables.fit_columns`)."""

from __future__ import annotations

from typing import Any, Callable

from reportlab.lib import colors
from reportlab.platypus.flowables import Flowable

from yibao_desktop.domain.forms import Cell, Form
from yibao_desktop.exchange.pdf.tables import Cmd, SpanTable, fit_columns

HEADER_FILL = colors.HexColor("#F2F2F2")

CellFactory = Callable[[Cell], Flowable]


def form_tables(form: Form, make_cell: CellFactory, width: float, page_height: float | None = None) -> list[Flowable]:
    grid: list[list[Any]] = [["" for _ in range(form.ncols)] for _ in range(form.nrows)]
    spans: list[tuple[int, int, int, int]] = []  # (col0, row0, col1, row1)
    for cell in form.cells:
        grid[cell.row][cell.col] = make_cell(cell)
        if cell.rows > 1 or cell.cols > 1:
            spans.append((cell.col, cell.row, cell.col + cell.cols - 1, cell.row + cell.rows - 1))
    widths = fit_columns(grid, [("SPAN", (c0, r0), (c1, r1)) for c0, r0, c1, r1 in spans], form.widths, width)

    h = form.header_row
    top_cmds: list[Cmd] = []
    header_cmds: list[Cmd] = [("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL)]
    body_cmds: list[Cmd] = []
    for c0, r0, c1, r1 in spans:
        if r1 < h:
            top_cmds.append(("SPAN", (c0, r0), (c1, r1)))
        elif r0 == h:
            # A label beside the indicators (绩效指标): its text heads the column on every page,
            # the column below it is one merged strip.
            if c1 > c0:
                header_cmds.append(("SPAN", (c0, 0), (c1, 0)))
            if r1 > h:
                body_cmds.append(("SPAN", (c0, 0), (c1, r1 - h - 1)))
        else:
            body_cmds.append(("SPAN", (c0, r0 - h - 1), (c1, r1 - h - 1)))
    above = [SpanTable([], grid[:h], widths, body_cmds=top_cmds, page_height=page_height)] if h else []  # a list form has none
    return above + [SpanTable(grid[h:h + 1], grid[h + 1:], widths, header_cmds, body_cmds, page_height)]
