"""Tables of the PDF report: header rows that repeat on every page and vertical merges that may
cross a page break. ReportLab's Table repeats headers (`repeatRows`) but refuses to split inside a
row span, so `SpanTable` splits itself: it measures the rows once, cuts the body where the page
ends, and clips every merge to the part it falls in (the merged text then shows on both pages).
"""

from __future__ import annotations

from typing import Any, Sequence

from reportlab.lib import colors
from reportlab.platypus import Table, TableStyle
from reportlab.platypus.flowables import Flowable

EPS = 0.01
Cmd = tuple[Any, ...]  # a TableStyle command: (op, (col, row), (col, row), *args)

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
                 header_cmds: Sequence[Cmd] = (), body_cmds: Sequence[Cmd] = ()):
        super().__init__()
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
        self._width_key: float | None = None
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
        if self._table is None or self._width_key != availWidth:
            self._table = self._make(0, len(self.body))
            self._width_key = availWidth
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
        return []

    def _part(self, start: int, end: int) -> "SpanTable":
        part = SpanTable(self.header, self.body[start:end], self.col_widths, self.header_cmds, [])
        cmds = []
        for op, (c0, r0), (c1, r1), *args in self.body_cmds:
            lo, hi = max(r0, start), min(r1, end - 1)
            if lo <= hi:
                cmds.append((op, (c0, lo - start), (c1, hi - start), *args))
        part.body_cmds = cmds
        return part

    def draw(self):
        table = self._table if self._table is not None else self._make(0, len(self.body))
        table.drawOn(self.canv, 0, 0)


def runs_of(values: Sequence[str]) -> list[tuple[int, int]]:
    """(first, last) row ranges of equal consecutive values, for vertical merges."""
    out = []
    start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            out.append((start, i - 1))
            start = i
    return out


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
