"""Tables of the PDF report: header rows that repeat on every page and vertical merges that may
cross a page break. ReportLab's Table repeats headers (`repeatRows`) but refuses to split inside a
row span, so `SpanTable` splits itself: it measures the rows once, cuts the body where the page
ends, and clips every merge to the part it falls in (the merged text then shows on both pages).

Bounded work: ReportLab measures every row of a table whose merge runs to its end (its long-table
shortcut waits for all merges to close), and it does so in time quadratic in the rows. A form
with 2,000 indicators has one merged strip down the whole body, and each page measured the whole
remainder again. So a long table is measured through a window of rows: the first `WINDOW` rows
(doubled until they overflow the page, or cover the table). Rows past an overflowing window
cannot change where the page breaks, because the parts are clipped there anyway.

A row taller than the page (a very long 偏差原因 or 备注) cannot move to the next page: it is
split between its lines, as Word breaks a table row across pages; rows that fit on a page are
never split, they move.
"""

from __future__ import annotations

from typing import Any, Sequence

from reportlab.lib import colors
from reportlab.platypus import Table, TableStyle
from reportlab.platypus.flowables import Flowable

from yibao_desktop.exchange.pdf.typeset import CellText, Line

EPS = 0.01
# Body rows measured at first: more than a landscape page holds at 7 pt (about 25 rows).
WINDOW = 48
Cmd = tuple[Any, ...]  # a TableStyle command: (op, (col, row), (col, row), *args)

BASE_CELL_PADDING = 5.0  # TOPPADDING + BOTTOMPADDING below
BASE_STYLE: list[Cmd] = [
    ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ("LEFTPADDING", (0, 0), (-1, -1), 3),
    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ("TOPPADDING", (0, 0), (-1, -1), 2.5),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
]


def _resolve(index: int, count: int) -> int:
    return index + count if index < 0 else index


class SpanTable(Flowable):
    """`header` rows (with `header_cmds` in their own coordinates) repeat on every page; `body`
    rows carry `body_cmds` in body coordinates (row 0 = first body row; SPAN allowed)."""

    def __init__(self, header: Sequence[Sequence[Any]], body: Sequence[Sequence[Any]], col_widths: Sequence[float],
                 header_cmds: Sequence[Cmd] = (), body_cmds: Sequence[Cmd] = (), page_height: float | None = None):
        super().__init__()
        self.page_height = page_height  # the frame's height: a taller row is split between its lines
        self.header = [list(r) for r in header]
        self.body = [list(r) for r in body]
        self.col_widths = list(col_widths)
        self.header_cmds = list(header_cmds)
        n = len(self.body)
        resolved = []
        for cmd in body_cmds:
            op, (c0, r0), (c1, r1), *args = cmd
            resolved.append((op, (c0, _resolve(r0, n)), (c1, _resolve(r1, n)), *args))
        self.body_cmds = resolved
        self._table: Table | None = None
        self._rows = 0  # body rows in self._table (a window of the body, or all of it)
        self._measured: tuple[float, float] | None = None  # the room (width, height) self._table was wrapped in
        self.hAlign = "CENTER"

    def _make(self, start: int, end: int) -> Table:
        nh = len(self.header)
        cmds: list[Cmd] = list(BASE_STYLE) + list(self.header_cmds)
        for op, (c0, r0), (c1, r1), *args in self.body_cmds:
            lo, hi = max(r0, start), min(r1, end - 1)
            if lo > hi:
                continue
            if op == "SPAN" and lo == hi and c0 == c1:
                continue
            cmds.append((op, (c0, lo - start + nh), (c1, hi - start + nh), *args))
        return Table(self.header + self.body[start:end], colWidths=self.col_widths, style=TableStyle(cmds))

    def _ensure(self, availWidth: float, availHeight: float) -> Table:
        """The table measured for this width: the whole body, or a window of its first rows
        that is already taller than `availHeight` (then the table has to split anyway)."""
        n = len(self.body)
        if self._table is not None and self._measured == (availWidth, availHeight):
            return self._table  # measured for exactly this room (a frame's wrap, then its split)
        if self._table is None or self._measured is None or self._measured[0] != availWidth:
            self._rows = min(n, WINDOW)
            self._table = self._make(0, self._rows)
        self._measured = (availWidth, availHeight)
        self._table.wrap(availWidth, availHeight)
        while self._rows < n and self._table._height <= availHeight + EPS:
            self._rows = min(n, self._rows * 2)
            self._table = self._make(0, self._rows)
            self._table.wrap(availWidth, availHeight)
        return self._table

    def wrap(self, availWidth, availHeight):
        table = self._ensure(availWidth, availHeight)
        self.width, self.height = table._width, table._height
        return self.width, self.height

    def split(self, availWidth, availHeight):
        table = self._ensure(availWidth, availHeight)
        if table._height <= availHeight + EPS:
            return [self]
        heights = table._rowHeights
        nh = len(self.header)
        room = availHeight - sum(heights[:nh])
        used, k = 0.0, 0
        for h in heights[nh:]:
            # Rows past the page are not measured (ReportLab's long-table optimisation): None.
            if h is None or used + h > room + EPS:
                break
            used += h
            k += 1
        # A merge cut at the break may need more room on its own (a label clipped to fewer rows
        # wraps taller): take rows back until the first part really fits.
        while k > 0:
            first = self._part(0, k)
            if first.wrap(availWidth, availHeight)[1] <= availHeight + EPS:
                return [first, self._part(k, len(self.body))]
            k -= 1
        if self.page_height is not None and heights[nh] is not None \
                and sum(heights[:nh]) + heights[nh] > self.page_height + EPS:
            return self._split_first_row(availWidth, availHeight, room)
        return []

    def _split_first_row(self, availWidth: float, availHeight: float, room: float) -> list[Flowable]:
        """The first body row, taller than a page, cut between the lines of its long texts: as
        many lines as fit in `room` here, the rest in a row of its own. Other cells stay above."""
        pad = BASE_CELL_PADDING
        head, tail = list(self.body[0]), ["" for _ in self.body[0]]
        for c, cell in enumerate(self.body[0]):
            if not isinstance(cell, CellText) or cell.height + pad <= room + EPS:
                continue
            lines = cell._layout(cell.width)
            n = int((room - pad + EPS) // cell.leading)
            if n < 1:
                return []  # not one line fits here: the row starts on the next page
            head[c], tail[c] = _Lines(cell, lines[:n]), _Lines(cell, lines[n:])
        if all(t == "" for t in tail):
            return []  # the height is not in text that can be cut
        cmds = [(op, (c0, r0 + (r0 > 0)), (c1, r1 + 1), *args) for op, (c0, r0), (c1, r1), *args in self.body_cmds]
        cut = SpanTable(self.header, [head, tail] + self.body[1:], self.col_widths, self.header_cmds, [],
                        self.page_height)
        cut.body_cmds = cmds
        return cut.split(availWidth, availHeight)

    def _part(self, start: int, end: int) -> "SpanTable":
        body = self.body[start:end]
        cmds = []
        for op, (c0, r0), (c1, r1), *args in self.body_cmds:
            lo, hi = max(r0, start), min(r1, end - 1)
            if lo <= hi:
                cmds.append((op, (c0, lo - start), (c1, hi - start), *args))
            if op == "SPAN" and r0 < start <= r1 and body and body[0][c0] in ("", None):
                body[0] = list(body[0])  # the merge goes on past the break: its text heads this part too
                body[0][c0] = self.body[r0][c0]
        part = SpanTable(self.header, body, self.col_widths, self.header_cmds, [], self.page_height)
        part.body_cmds = cmds
        return part

    def draw(self):
        table = self._table
        if table is None or self._rows < len(self.body):  # drawn without a wrap covering every row
            table = self._make(0, len(self.body))
            table.wrap(self._measured[0] if self._measured is not None else sum(self.col_widths), 1e9)
        table.drawOn(self.canv, 0, 0)


class _Lines(CellText):
    """Some lines of a CellText, already broken (one part of a row split across pages)."""

    def __init__(self, whole: CellText, lines: list[Line]):
        super().__init__([], whole.fonts, size=whole.size, leading=whole._leading, align=whole.align,
                         nowrap=whole.nowrap)
        self.lines = lines

    def _layout(self, avail_width: float) -> list[Line]:
        return self.lines


# Cell padding (LEFTPADDING + RIGHTPADDING of BASE_STYLE) and a hair for rounding.
PADDING = 6.5
# Face sizes a table may step down to (五号, 小五, 8 pt, 7 pt) before it fits its figures.
SIZES = (10.5, 9.0, 8.0, 7.0)


def _spanned(cmds: Sequence[Cmd], nrows: int) -> set[tuple[int, int]]:
    """(col, row) of every cell inside a multi-column span (its width is shared, not its own)."""
    out = set()
    for op, (c0, r0), (c1, r1), *_ in cmds:
        if op != "SPAN" or c0 == c1:
            continue
        for r in range(_resolve(r0, nrows), _resolve(r1, nrows) + 1):
            for c in range(c0, c1 + 1):
                out.add((c, r))
    return out


def fit_columns(rows: Sequence[Sequence[Any]], cmds: Sequence[Cmd], nominal: Sequence[float], total: float,
                sizes: Sequence[float] = SIZES) -> list[float]:
    """Column widths that fill `total` in the proportions of `nominal`, widened where a figure
    (a `nowrap` cell) needs it, at the largest face size of `sizes` that fits every figure; the
    cells are resized to that face. Text columns give up the room. A figure never breaks."""
    spanned = _spanned(cmds, len(rows))
    figures = [(c, cell) for r, row in enumerate(rows) for c, cell in enumerate(row)
               if getattr(cell, "nowrap", False) and (c, r) not in spanned]
    scale = total / sum(nominal)
    widths = [w * scale for w in nominal]
    chosen = sizes[-1]
    mins = [0.0] * len(nominal)
    for size in sizes:
        mins = [0.0] * len(nominal)
        for c, cell in figures:
            mins[c] = max(mins[c], cell.natural_width(size) + PADDING)
        if sum(mins) <= total + EPS:
            chosen = size
            break
    if chosen < sizes[0]:
        for row in rows:
            for cell in row:
                if hasattr(cell, "resize"):
                    cell.resize(min(cell.size, chosen))
    deficit = sum(max(0.0, m - w) for m, w in zip(mins, widths))
    if deficit <= EPS:
        return widths
    slack = [max(0.0, w - m) if m <= w else 0.0 for m, w in zip(mins, widths)]
    room = sum(slack)
    out = []
    for w, m, s in zip(widths, mins, slack):
        if m > w:
            out.append(m)
        else:
            out.append(max(0.0, w - deficit * s / room) if room > EPS else w)
    return out
