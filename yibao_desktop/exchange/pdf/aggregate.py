"""The printable city summary (汇总PDF): landscape A4, the 汇总 table drawn from the same cell model
as the workbook's sheet (`domain.aggregate_forms.summary_form`), a bar chart of spending progress
by unit for each (fund type, year) group, and the packages that failed verification.

The report's own pieces are reused: the fonts and their glyph-coverage check, `CellText`,
`SpanTable`/`fit_columns` (through `form_tables`, header repeated on every page), `Caption` and
`TitleBlock`. Every printed figure is the cell model's text (`domain.formatting`).
"""

from __future__ import annotations

import io
import unicodedata
from datetime import date
from typing import Any, Sequence

from reportlab.lib.pagesizes import landscape, A4
from reportlab.platypus import Spacer
from reportlab.platypus.doctemplate import BaseDocTemplate, PageTemplate
from reportlab.platypus.flowables import Flowable
from reportlab.platypus.frames import Frame

from yibao_desktop import __version__
from yibao_desktop.domain import rules
from yibao_desktop.domain.aggregate import Summary
from yibao_desktop.domain.aggregate_forms import counts_line
from yibao_desktop.domain.forms import MONEY_UNIT, Cell, Form
from yibao_desktop.exchange.pdf import charts
from yibao_desktop.exchange.pdf.fonts import CoverageCheck, FontSet, font_set
from yibao_desktop.exchange.pdf.forms import form_tables
from yibao_desktop.exchange.pdf.report import (
    L_BLOCK_H,
    L_BLOCK_W,
    L_MARGIN_BOTTOM,
    L_MARGIN_LEFT,
    LINE,
    PAGE_NUMBER_GAP,
    TABLE_SIZE,
    Caption,
    format_date,
)
from yibao_desktop.exchange.pdf.tables import SpanTable
from yibao_desktop.exchange.pdf.typeset import CellText, GridSnap, TitleBlock, bind_keeps
from yibao_desktop.runtime import no_gc

STYLE = {"head": ("hei", "center"), "label": ("song", "center"), "text": ("fang", "left"),
         "center": ("fang", "center")}
CHART_ROWS = 24  # units per chart: one chart fits a landscape page with its caption
CELL_SIZE = 8.0  # a dense table of 18 columns; fit_columns may go smaller still
PAGE_NUMBER_SIZE = 12


class _Doc(BaseDocTemplate):
    def __init__(self, buf: io.BytesIO, fonts: FontSet, title: str):
        super().__init__(buf, pagesize=landscape(A4), title=title, author="", subject="绩效自评汇总",
                         creator=f"医保绩效自评助手 {__version__}", lang="zh-CN")
        self.fonts = fonts
        frame = Frame(L_MARGIN_LEFT, L_MARGIN_BOTTOM, L_BLOCK_W, L_BLOCK_H + 0.05, 0, 0, 0, 0, id="body")
        self.addPageTemplates([PageTemplate("landscape", [frame], onPageEnd=self._decorate,
                                            pagesize=landscape(A4))])

    def _decorate(self, canv: Any, doc: Any) -> None:
        canv.saveState()
        font = self.fonts.primary("song")
        text = f"— {canv.getPageNumber()} —"
        width = font.width(text, PAGE_NUMBER_SIZE)
        canv.setFont(font.name, PAGE_NUMBER_SIZE)
        canv.drawString(L_MARGIN_LEFT + (L_BLOCK_W - width) / 2, L_MARGIN_BOTTOM - PAGE_NUMBER_GAP - PAGE_NUMBER_SIZE,
                        text)
        canv.restoreState()


class _Builder:
    def __init__(self, fonts: FontSet):
        self.fonts = fonts
        self.check = CoverageCheck(fonts)
        self.story: list[Flowable] = []
        self.figures = 0
        self.size = CELL_SIZE

    def text(self, section: str, text: str, role: str = "fang", align: str = "left", size: float = TABLE_SIZE,
             nowrap: bool = False, leading: float | None = None) -> CellText:
        self.check.add(section, role, text)
        return CellText([(text, role)], self.fonts, size=size, align=align, nowrap=nowrap, leading=leading)

    def caption(self, title: str, note: str = "") -> None:
        self.check.add(title, "hei", title)
        self.check.add(title, "fang", note)
        self.story.append(Caption(title, self.fonts, note))

    def form(self, section: str, form: Form) -> None:
        def make(c: Cell) -> Flowable | str:
            if not c.display:
                return ""
            if c.numeric:
                return self.text(section, c.display, align="right", nowrap=True, size=self.size)
            role, align = STYLE.get(c.kind, ("fang", "center"))
            # A short Latin token (a fingerprint, a date) never breaks: its column widens.
            token = len(c.display) <= 20 and not any(unicodedata.east_asian_width(ch) in "WF" or ch.isspace()
                                                     for ch in c.display)
            return self.text(section, c.display, role, align, size=self.size, nowrap=token)

        tables = form_tables(form, make, L_BLOCK_W)
        self.story.extend(t for t in tables if not (isinstance(t, SpanTable) and not t.header and not t.body))


def _chart_chunks(names: Sequence[str], values: Sequence[Any]) -> list[tuple[list[str], list[Any]]]:
    return [(list(names[i:i + CHART_ROWS]), list(values[i:i + CHART_ROWS]))
            for i in range(0, len(names), CHART_ROWS)]


def build_summary_pdf(summary: Summary, table: Form, failures: Form | None = None, *,
                      fonts: FontSet | None = None, issued: date | None = None) -> bytes:
    """The PDF bytes. Raises MissingGlyphsError when a unit name has a character no font has."""
    fonts = fonts or font_set()
    b = _Builder(fonts)
    b.check.add("标题", "title", table.title)
    title = TitleBlock(table.title, fonts, size=18, line_height=LINE * 1.1)
    title.keep_next = True
    b.story.append(title)
    b.story.append(b.text("标题", counts_line(summary), "kai", "center", size=12, leading=LINE * 0.8))
    b.story.append(b.text("标题", f"金额单位：{MONEY_UNIT}　　{format_date(issued or date.today())}", "fang",
                          "right", size=TABLE_SIZE, leading=LINE * 0.6))
    b.form("汇总表", table)
    if table.notes:
        b.story.append(Spacer(1, 6))
    for note in table.notes:
        b.story.append(b.text("注", note, leading=16))

    hei = fonts.primary("hei")
    threshold = rules.LOW_PROGRESS_THRESHOLD
    for group in summary.groups:
        # Ranked: the highest progress first, units without available money last.
        ranked = sorted(group.entries, key=lambda e: (e.progress is None, -(e.progress or 0), e.unit))
        names = [e.unit for e in ranked]
        b.check.add("图表", "hei", charts.unit_chart_texts(names, threshold))
        chunks = _chart_chunks(names, [e.progress for e in ranked])
        b.figures += 1
        for k, (chunk_names, chunk_values) in enumerate(chunks):
            part = f"（{k + 1}/{len(chunks)}）" if len(chunks) > 1 else ""
            b.story.append(Spacer(L_BLOCK_W, 8))
            b.caption(f"图{b.figures} {group.label}各单位支出进度{part}")
            drawing = charts.progress_by_unit_chart(chunk_names, chunk_values, group.totals.progress, hei.name,
                                                    L_BLOCK_W, threshold)
            b.story.append(GridSnap(drawing, LINE))
    if failures is not None:
        b.story.append(Spacer(L_BLOCK_W, 8))
        b.caption("未通过核验的报送包（不计入合计）")
        b.form("未通过核验", failures)
    b.check.raise_if_missing()

    buf = io.BytesIO()
    doc = _Doc(buf, fonts, table.title)
    with no_gc():
        doc.build(bind_keeps(b.story))
    return buf.getvalue()
