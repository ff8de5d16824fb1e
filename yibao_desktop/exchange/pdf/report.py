"""The PDF report (issue 4): GB/T 9704 layout with ReportLab, no Qt.

`build_pdf(report, result, forms, draft=...)` returns the bytes; writing, signing and the
refusal of a final export while errors remain are the export service's (services/export.py).
A draft carries a diagonal 草稿 watermark on every page.

Every figure printed comes from the typed compute result, shown through `domain.formatting`
(amounts in 万元 with separators; a breakdown's parts add up to its printed total). The annexes
are the official forms drawn from their cell models (`domain.forms`), the same models the xlsx
lays out. The report's JSON (`report_to_json`) is embedded as an attachment. A final export also
gets an empty signature field over the closing unit name and date, which `signing.sign_bytes`
fills with the visible stamp.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Sequence

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Spacer
from reportlab.platypus.doctemplate import BaseDocTemplate, NextPageTemplate, PageTemplate
from reportlab.platypus.flowables import Flowable, PageBreak

from yibao_desktop import __version__
from yibao_desktop.domain import formatting as fmt
from yibao_desktop.domain import rules
from yibao_desktop.domain.errors import UserError
from yibao_desktop.domain.forms import MONEY_UNIT, Form
from yibao_desktop.domain.forms import Cell as FormCell
from yibao_desktop.domain.interchange import report_to_json
from yibao_desktop.domain.narrative import counts_sentence, render
from yibao_desktop.domain.report import FUND_TYPE_LABELS, Report
from yibao_desktop.domain.result import FundOperationResult, Result
from yibao_desktop.exchange.pdf import charts as pdf_charts
from yibao_desktop.exchange.pdf.fonts import CoverageCheck, FontSet, font_set
from yibao_desktop.exchange.pdf.forms import form_tables
from yibao_desktop.exchange.pdf.tables import SpanTable, fit_columns
from yibao_desktop.exchange.pdf.typeset import (
    CellText,
    GridParagraph,
    GridSnap,
    Line,
    TitleBlock,
    baseline_offset,
    bind_keeps,
    break_lines,
    draw_lines,
    layout_line,
    make_units,
)
from yibao_desktop.runtime import no_gc
from yibao_desktop.templates import default_title, load_template

# ------------------------------------------------------------------------------ page geometry

PAGE_W, PAGE_H = A4
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 37 * mm, 35 * mm, 28 * mm, 26 * mm
BLOCK_W = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT  # 156 mm
BLOCK_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM  # 225 mm
CELLS, LINES = 28, 22
PITCH = BLOCK_W / CELLS  # ≈ 15.79 pt
LINE = BLOCK_H / LINES  # ≈ 28.99 pt
BODY_SIZE = 16  # 3号
TITLE_SIZE = 22  # 2号
PAGE_NUMBER_SIZE = 14  # 4号
PAGE_NUMBER_GAP = 7 * mm
# Landscape annex pages: the portrait margins turned with the page (block 225 × 156 mm).
L_PAGE_W, L_PAGE_H = landscape(A4)
L_MARGIN_LEFT, L_MARGIN_RIGHT, L_MARGIN_TOP, L_MARGIN_BOTTOM = 37 * mm, 35 * mm, 26 * mm, 28 * mm
L_BLOCK_W = L_PAGE_W - L_MARGIN_LEFT - L_MARGIN_RIGHT
L_BLOCK_H = L_PAGE_H - L_MARGIN_TOP - L_MARGIN_BOTTOM

TABLE_SIZE = 10.5  # 五号
SEAL_DIAMETER = 42 * mm
SIGNATURE_FIELD = "YibaoSignature"
SEAL_KEY = "/YibaoSealCentre"  # private key on the signature field: seal centre, field coordinates
ATTACHMENT_NAME = "yibao-report.json"
KEYWORD_DRAFT = "yibao-desktop draft"
KEYWORD_FINAL = "yibao-desktop final"

ProgressFn = Callable[[int, str], None]

_H1 = re.compile(r"^[一二三四五六七八九十]+、")
_H2 = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
_H3 = re.compile(r"^(\d+[.．、]|[（(]\d+[）)])")


@dataclass(frozen=True)
class SignatureSpot:
    """Where the closing block (unit name and date) landed: the signature field goes there."""

    page_index: int
    box: tuple[float, float, float, float]  # x1, y1, x2, y2 in page coordinates
    seal_centre: tuple[float, float]  # relative to the box's lower left corner


@dataclass
class BuiltPdf:
    data: bytes
    pages: int
    draft: bool
    spot: SignatureSpot | None
    fonts: dict[str, list[str]] = field(default_factory=dict)



def heading_role(text: str) -> str:
    """一、 → 黑体, （一） → 楷体, 1. and （1） → 仿宋 (GB/T 9704 7.3.3)."""
    if _H2.match(text):
        return "kai"
    if _H3.match(text):
        return "fang"
    return "hei"


def paragraph_spans(text: str) -> list[tuple[str, str]]:
    """A paragraph that opens with a run-in heading ("（一）资金投入情况。正文……") gets the heading
    part in the heading's face, the rest in 仿宋."""
    m = _H1.match(text) or _H2.match(text)
    if m:
        end = text.find("。", m.end())
        if 0 < end <= 40:
            return [(text[:end + 1], heading_role(text)), (text[end + 1:], "fang")]
    return [(text, "fang")]


def format_date(d: date) -> str:
    """成文日期 in Arabic digits without leading zeros (GB/T 9704 7.3.5.1)."""
    return f"{d.year}年{d.month}月{d.day}日"


# ------------------------------------------------------------------------------- flowables


class Caption(Flowable):
    """One grid line: a table or figure title centred in 黑体, an optional unit note on the right."""

    def __init__(self, title: str, fonts: FontSet, note: str = "", keep_with_next: bool = True, size: float = 14):
        super().__init__()
        self.title, self.note, self.fonts, self.size = title, note, fonts, size
        self.keep_next = keep_with_next

    def wrap(self, availWidth, availHeight):
        self.width, self.height = availWidth, LINE
        return self.width, self.height

    def draw(self):
        units = make_units([(self.title, "hei")], self.fonts, self.size, None, self.width)
        natural = sum(u.width for u in units)
        lines = [Line(layout_line(units, self.size, (self.width - natural) / 2, 0.0), natural, True)]
        draw_lines(self.canv, lines, 0, self.height, LINE, self.size, baseline_offset(LINE, self.size))
        if self.note:
            size = TABLE_SIZE
            units = make_units([(self.note, "fang")], self.fonts, size, None, self.width)
            natural = sum(u.width for u in units)
            lines = [Line(layout_line(units, size, self.width - natural, 0.0), natural, True)]
            draw_lines(self.canv, lines, 0, self.height * 0.72, self.height * 0.72, size,
                       baseline_offset(self.height * 0.72, size))


class ClosingBlock(Flowable):
    """附件说明, then the signature block: two lines of room for the seal, the unit's name centred
    over the date (on as many lines as it needs, each kept inside the block), the date 4
    characters from the right, and a line for the signature stamp."""

    def __init__(self, unit: str, date_text: str, attachments: Sequence[str], fonts: FontSet,
                 on_place: Callable[[SignatureSpot], None]):
        super().__init__()
        self.unit, self.date_text, self.attachments = unit, date_text, list(attachments)
        self.fonts = fonts
        self.on_place = on_place
        self.lines_before = (1 + len(self.attachments)) if self.attachments else 0
        self._unit_lines: list[list[Any]] = [[]]

    def wrap(self, availWidth, availHeight):
        self.width = availWidth
        units = make_units([(self.unit, "fang")], self.fonts, BODY_SIZE, PITCH, self.width)
        widest = self.width - 2 * PITCH
        self._unit_lines = [units[a:b] for a, b in break_lines(units, widest, widest, None)] or [[]]
        self.height = (self.lines_before + 4 + len(self._unit_lines)) * LINE
        return self.width, self.height

    def _line(self, text: str, x: float, align: str) -> tuple[Line, float]:
        units = make_units([(text, "fang")], self.fonts, BODY_SIZE, PITCH, self.width)
        natural = sum(u.width for u in units)
        x0 = x - natural if align == "right" else x
        return Line(layout_line(units, BODY_SIZE, x0, 0.0), natural, True), natural

    def draw(self):
        canv = self.canv
        rows: list[Line] = []
        if self.attachments:
            rows.append(Line([], 0, True))
            for k, name in enumerate(self.attachments, 1):
                prefix = "附件：" if k == 1 else ""
                line, _ = self._line(f"{prefix}{k}.{name}", 2 * PITCH if k == 1 else 5 * PITCH, "left")
                rows.append(line)
        rows += [Line([], 0, True), Line([], 0, True)]
        date_right = self.width - 4 * PITCH
        date_line, date_w = self._line(self.date_text, date_right, "right")
        centre = date_right - date_w / 2
        for unit_units in self._unit_lines:
            unit_w = sum(u.width for u in unit_units)
            unit_x = max(0.0, min(centre - unit_w / 2, self.width - unit_w))
            rows.append(Line(layout_line(unit_units, BODY_SIZE, unit_x, 0.0), unit_w, True))
        rows.append(date_line)
        draw_lines(canv, rows, 0, self.height, LINE, BODY_SIZE, baseline_offset(LINE, BODY_SIZE))
        # The signature field: from the seal's top (two lines above the unit) to the stamp line.
        n = len(self._unit_lines)
        x0, y0 = canv.absolutePosition(0, 0)
        box = (x0, y0, x0 + self.width, y0 + (4 + n) * LINE)
        seal = (centre, (2 + n) * LINE)  # the seal's centre sits on the top of the unit's first line
        self.on_place(SignatureSpot(canv.getPageNumber() - 1, box, seal))


class ParagraphAndTail(Flowable):
    """The last body paragraph and the closing block: the block never stands alone on a page,
    at least two lines of the paragraph go with it."""

    def __init__(self, para: GridParagraph | None, tail: Flowable):
        super().__init__()
        self.para, self.tail = para, tail

    def wrap(self, availWidth, availHeight):
        ph = self.para.wrap(availWidth, availHeight)[1] if self.para else 0
        th = self.tail.wrap(availWidth, availHeight)[1]
        self.width, self.height = availWidth, ph + th
        self._ph = ph
        return self.width, self.height

    def split(self, availWidth, availHeight):
        self.wrap(availWidth, availHeight)
        if self.height <= availHeight + 0.01:
            return [self]
        if self.para is None:
            return []
        lines = self.para._layout(availWidth)
        n = len(lines)
        self.tail.wrap(availWidth, availHeight)  # wrapped before split, as ReportLab expects
        fit = int((availHeight + 0.01) // LINE)
        keep = min(n, 2)
        first = min(fit, n - keep)
        if first < 2:
            return []
        return [self.para._part(lines[:first]), ParagraphAndTail(self.para._part(lines[first:]), self.tail)]

    def draw(self):
        if self.para is not None:
            self.para.drawOn(self.canv, 0, self.height - self._ph)
        self.tail.drawOn(self.canv, 0, 0)


# ------------------------------------------------------------------------------- the document


class _Doc(BaseDocTemplate):
    def __init__(self, buf, *, title: str, author: str, draft: bool, fonts: FontSet,
                 progress: Callable[[], None] | None, attachment: bytes | None = None,
                 extra_files: Sequence[tuple[str, bytes, str]] = (), **kw):
        super().__init__(buf, pagesize=A4, title=title, author=author, subject="绩效自评报告",
                         creator=f"医保绩效自评助手 {__version__}",
                         keywords=KEYWORD_DRAFT if draft else KEYWORD_FINAL, lang="zh-CN", **kw)
        self.draft = draft
        self.fonts = fonts
        self._tick = progress
        self.attachment = attachment
        self.extra_files = tuple(extra_files)
        from reportlab.platypus.frames import Frame

        portrait = Frame(MARGIN_LEFT, MARGIN_BOTTOM, BLOCK_W, BLOCK_H + 0.05, 0, 0, 0, 0, id="body")
        wide = Frame(L_MARGIN_LEFT, L_MARGIN_BOTTOM, L_BLOCK_W, L_BLOCK_H + 0.05, 0, 0, 0, 0, id="annex")
        self.addPageTemplates([
            PageTemplate("portrait", [portrait], onPageEnd=self._decorate, pagesize=A4),
            PageTemplate("landscape", [wide], onPageEnd=self._decorate, pagesize=landscape(A4)),
        ])

    def afterFlowable(self, flowable):
        if self._tick is not None:
            self._tick()

    def beforeDocument(self):
        files = [(name, payload, description) for name, payload, description in self.extra_files]
        if self.attachment is not None:
            files.append((ATTACHMENT_NAME, self.attachment, "报告数据（JSON，可用医保绩效自评助手导入）"))
        if files:
            _embed(self.canv, files)

    def _decorate(self, canv, doc):
        canv.saveState()
        number = canv.getPageNumber()
        w, h = canv._pagesize
        portrait = w < h
        left = MARGIN_LEFT if portrait else L_MARGIN_LEFT
        block_w = BLOCK_W if portrait else L_BLOCK_W
        bottom = MARGIN_BOTTOM if portrait else L_MARGIN_BOTTOM
        font = self.fonts.primary("song")
        text = f"— {number} —"
        tw = font.width(text, PAGE_NUMBER_SIZE)
        y = bottom - PAGE_NUMBER_GAP - PAGE_NUMBER_SIZE * 0.8
        # Odd pages on the right, even pages on the left, one character in from the edge.
        x = left + block_w - PAGE_NUMBER_SIZE - tw if number % 2 else left + PAGE_NUMBER_SIZE
        canv.setFont(font.name, PAGE_NUMBER_SIZE)
        canv.drawString(x, y, text)
        if self.draft:
            mark = self.fonts.primary("hei")
            canv.setFillColor(colors.Color(0.55, 0.55, 0.55))
            canv.setFillAlpha(0.22)
            canv.translate(w / 2, h / 2)
            canv.rotate(45 if portrait else 30)
            canv.setFont(mark.name, 150)
            canv.drawCentredString(0, -50, "草稿")
        canv.restoreState()


class _Builder:
    """Turns the report, its compute result and its official forms into the list of flowables."""

    def __init__(self, report: Report, result: Result, forms: Sequence[Form], fonts: FontSet, issued: date,
                 fund_name: str):
        self.report, self.result, self.forms, self.fonts = report, result, list(forms), fonts
        self.issued = issued
        self.check = CoverageCheck(fonts)
        self.story: list[Flowable] = []
        self.spot: SignatureSpot | None = None
        self.tables = 0
        self.figures = 0
        self.fund_name = fund_name

    # -- text helpers

    def para(self, section: str, spans: Sequence[tuple[str, str]], **kw) -> GridParagraph:
        for text, role in spans:
            self.check.add(section, role, text)
        p = GridParagraph(spans, self.fonts, size=BODY_SIZE, cells=CELLS, line_height=LINE, **kw)
        self.story.append(p)
        return p

    def heading(self, text: str) -> None:
        self.para(text, [(text, heading_role(text))], keep_with_next=True)

    def cell(self, section: str, text: str | None, role: str = "fang", align: str = "left",
             size: float = TABLE_SIZE, nowrap: bool = False) -> CellText:
        text = fmt.DASH if text is None or text == "" else str(text)
        self.check.add(section, role, text)
        return CellText([(text, role)], self.fonts, size=size, align=align, nowrap=nowrap)

    def num(self, section: str, text: str) -> CellText:
        """A figure: right-aligned, never broken across lines."""
        return self.cell(section, text, align="right", nowrap=text != fmt.DASH)

    def head(self, section: str, text: str) -> CellText:
        return self.cell(section, text, "hei", "center")

    def caption(self, text: str, note: str = "", keep_with_next: bool = True) -> None:
        self.check.add(text, "hei", text)
        self.check.add(text, "fang", note)
        self.story.append(Caption(text, self.fonts, note, keep_with_next))

    def table(self, title: str, note: str, header: list[list[Any]], body: list[list[Any]], widths: Sequence[float],
              header_cmds: Sequence[tuple] = (), body_cmds: Sequence[tuple] = ()) -> None:
        self.tables += 1
        self.caption(f"表{self.tables} {title}", note)
        n = len(header)
        cmds = list(header_cmds) + [(op, (c0, _shift(r0, n, len(body))), (c1, _shift(r1, n, len(body))), *a)
                                    for op, (c0, r0), (c1, r1), *a in body_cmds]
        t = SpanTable(header, body, fit_columns(header + body, cmds, widths, BLOCK_W), header_cmds, body_cmds, BLOCK_H)
        self.story.append(GridSnap(t, LINE))

    def figure(self, drawing, title: str) -> None:
        self.figures += 1
        self.story.append(GridSnap(drawing, LINE, keep_with_next=True))
        self.caption(f"图{self.figures} {title}", keep_with_next=False)

    # -- the report

    def build(self) -> list[Flowable]:
        report, result = self.report, self.result
        title = default_title(report.meta)
        self.check.add("标题", "title", title)
        # Names kept whole on a title line, when they fit on one (a longer one is broken as text).
        protected = [name for name in (report.meta.unit, self.fund_name) if name and len(name) <= 18]
        self.story.append(TitleBlock(title, self.fonts, size=TITLE_SIZE, line_height=LINE, protected=protected))
        self.story.append(Spacer(BLOCK_W, LINE))

        funds_done = scores_done = False
        for i, section in enumerate(report.narrative):
            label = section.heading or section.key or f"第 {i + 1} 节"
            if section.heading:
                self.heading(section.heading)
            text = render(section.text, report, result)
            for raw in text.split("\n"):
                raw = raw.strip()
                if raw:
                    self.para(label, paragraph_spans(raw))
            if not funds_done and (section.key == "funds_input" or "资金投入" in section.heading):
                self.funds_block()
                funds_done = True
            if not scores_done and (section.key == "indicator_analysis" or "绩效指标完成" in section.heading):
                self.scores_block(text)
                scores_done = True
        if not funds_done:
            self.funds_block()
        if not scores_done:
            self.scores_block("")
        self.yoy_block()
        self.closing()
        for number, form in enumerate(self.forms, 1):
            self.annex(number, form)
        return bind_keeps(self.story)

    def funds_block(self) -> None:
        f = self.result.funds
        sec = "资金情况表"
        cell, num, head = self.cell, self.num, self.head
        unit = f"单位：{MONEY_UNIT}"
        # Income lines as entered, total from compute; the lines add up to the total as shown.
        amounts, total = fmt.parts([inc.amount for inc in self.report.incomes], f.available, MONEY_UNIT)
        body = []
        for n, (inc, amount) in enumerate(zip(self.report.incomes, amounts), 1):
            body.append([cell(sec, str(n), align="center"), cell(sec, inc.level, align="center"),
                         cell(sec, inc.kind, align="center"), cell(sec, inc.doc_no),
                         cell(sec, inc.date.isoformat() if inc.date else None, align="center"),
                         num(sec, fmt.amount(amount)), cell(sec, inc.note)])
        body.append([cell(sec, "合计", "hei", "center"), "", "", "", "", num(sec, fmt.amount(total)), cell(sec, "")])
        self.table("资金来源情况", unit,
                   [[head(sec, h) for h in ("序号", "资金级次", "资金性质", "文号", "下达日期", "金额", "备注")]],
                   body, (26, 48, 52, 108, 62, 70, 76), body_cmds=[("SPAN", (0, -1), (4, -1))])
        # Pools, then levels; each column's parts add up to its total as shown.
        columns = []
        for parts, whole in (((f.carried, f.allocated), f.available), ((f.paid_carried, f.paid_allocated), f.paid),
                             ((f.balance_carried, f.balance_allocated), f.balance)):
            shown, shown_total = fmt.parts(list(parts), whole, MONEY_UNIT)
            columns.append(shown + [shown_total])
        progress = (f.progress_carried, f.progress_allocated, f.progress)
        body = []
        for k, label in enumerate(("上年结转资金", "当年下达资金", "合计")):
            body.append([cell(sec, label, "hei" if label == "合计" else "fang", "center")]
                        + [num(sec, fmt.amount(col[k])) for col in columns] + [num(sec, fmt.pct_number(progress[k]))])
        cmds: list[tuple] = []
        if f.by_level:
            body.append([cell(sec, "按资金级次", "hei", "center"), "", "", "", ""])
            cmds.append(("SPAN", (0, len(body) - 1), (4, len(body) - 1)))
            cmds.append(("BACKGROUND", (0, len(body) - 1), (4, len(body) - 1), colors.HexColor("#F2F2F2")))
            levels = f.by_level
            cols = [fmt.parts([getattr(x, key) for x in levels], whole, MONEY_UNIT)[0]
                    for key, whole in (("amount", f.available), ("paid", f.paid), ("balance", f.balance))]
            for k, lvl in enumerate(levels):
                mark = "（支出按比例估算）" if lvl.estimated else ""
                body.append([cell(sec, f"{lvl.level}资金{mark}", align="center")]
                            + [num(sec, fmt.amount(col[k])) for col in cols] + [num(sec, fmt.pct_number(lvl.progress))])
        self.table("资金使用及结余情况", unit,
                   [[head(sec, h) for h in ("资金类别", "可用资金", "已支出", "结余", "支出进度（%）")]],
                   body, (90, 90, 90, 90, 82), body_cmds=cmds)
        if f.progress is not None:
            font = self.fonts.primary("hei")
            self.check.add("图表", "hei", pdf_charts.chart_texts([]))
            self.figure(pdf_charts.progress_chart(f.monthly, font.name, BLOCK_W), "月度累计支出进度与序时进度")
        for key, title in (("by_direction", "按支出方向"), ("by_size", "按单笔支出规模"), ("by_econ_class", "按经济科目")):
            groups = getattr(f, key)
            shown, shown_total = fmt.parts([g.amount for g in groups], f.paid, MONEY_UNIT)
            body = [[cell(sec, g.name), cell(sec, str(g.count), align="center"), num(sec, fmt.amount(a)),
                     num(sec, fmt.pct_number(g.share))] for g, a in zip(groups, shown)]
            body.append([cell(sec, "合计", "hei", "center"), cell(sec, str(f.project_count), align="center"),
                         num(sec, fmt.amount(shown_total)),
                         num(sec, "100.00" if f.paid else fmt.DASH)])
            self.table(f"资金支出情况（{title}）", unit,
                       [[head(sec, h) for h in (title[1:] if key != "by_size" else "支出规模", "项目个数", "金额",
                                                "占比（%）")]],
                       body, (170, 70, 110, 92))
        if f.large_projects:
            body = [[cell(sec, str(n), align="center"), cell(sec, r.project), num(sec, fmt.money(r.paid, MONEY_UNIT))]
                    for n, r in enumerate(f.large_projects, 1)]
            self.table("单笔10万元及以上支出项目", unit,
                       [[head(sec, h) for h in ("序号", "项目名称", "支付金额")]], body, (40, 290, 112))
        else:
            self.para(sec, [("本年度无单笔10万元及以上的支出项目。", "fang")])
        if self.result.fund_operation is not None:
            self.fund_operation_table(self.result.fund_operation)

    def fund_operation_table(self, fo: FundOperationResult) -> None:
        sec = "基金运行情况表"
        cell, num, head = self.cell, self.num, self.head
        body: list[list[Any]] = []
        cmds: list[tuple] = []
        for side, label in (("income", "基金收入"), ("expense", "基金支出")):
            start = len(body)
            lines = getattr(fo, f"{side}_shares")
            shown, total = fmt.parts([line.amount for line in lines], getattr(fo, f"{side}_total"), MONEY_UNIT)
            for line, amount in zip(lines, shown):
                body.append([cell(sec, label, "hei", "center"), cell(sec, line.category),
                             num(sec, fmt.amount(amount)), num(sec, fmt.pct_number(line.share))])
            body.append([cell(sec, label, "hei", "center"), cell(sec, "合计", "hei"),
                         num(sec, fmt.amount(total)), cell(sec, fmt.DASH, align="center")])
            cmds.append(("SPAN", (0, start), (0, len(body) - 1)))
        for label, value in (("当年结余", fmt.money(fo.year_balance, MONEY_UNIT)),
                             ("累计结余", fmt.money(fo.closing_balance, MONEY_UNIT)),
                             ("基金可支付月数（月）", fmt.pct_number(fo.months_payable))):
            body.append([cell(sec, label, "hei", "center"), "", num(sec, value), ""])
            cmds.append(("SPAN", (0, len(body) - 1), (1, len(body) - 1)))
        self.table("基金收支情况", f"单位：{MONEY_UNIT}", [[head(sec, h) for h in ("类别", "项目", "金额", "占比（%）")]],
                   body, (90, 170, 100, 82), body_cmds=cmds)

    def scores_block(self, section_text: str) -> None:
        r = self.result
        sec = "评分情况"
        sentence = counts_sentence(r.counts)
        if sentence not in section_text:
            self.para(sec, [(f"本次自评{sentence}。", "fang")])
        if not r.scored:  # filed on the scoreless transfer form: no score section
            return
        method = rules.profile(r.profile)
        self.para(sec, [(f"评分按照{method.basis}：定性指标“达成”得该项分值的80%–100%、“部分达成”得"
                         f"{method.partial_floor * 100:.0f}%–80%、“未达成”得{method.partial_floor * 100:.0f}%以下。",
                         "fang")])
        cell, num, head = self.cell, self.num, self.head
        body = [[cell(sec, row.name), num(sec, fmt.number(row.weight)), num(sec, fmt.score(row.score))]
                for row in r.level1]
        be = r.budget_execution
        if be.weight:
            body.append([cell(sec, f"预算执行率（{fmt.pct(be.rate)}）"), num(sec, fmt.number(be.weight)),
                         num(sec, fmt.score(be.score))])
        body.append([cell(sec, "总分", "hei", "center"), num(sec, fmt.number(r.total_weight)),
                     num(sec, fmt.score(r.total_score))])
        body.append([cell(sec, "自评等级", "hei", "center"), cell(sec, fmt.label(r.grade), "hei", "center"), ""])
        cmds = [("SPAN", (1, -1), (2, -1))]
        if r.cap is not None:
            body.append([cell(sec, f"按预算执行率封顶：计算总分 {fmt.score(r.total_before_cap)} 分，"
                                   f"封顶为 {fmt.score(r.cap)} 分。"), "", ""])
            cmds.append(("SPAN", (0, -1), (2, -1)))
        self.table("自评得分情况", "单位：分", [[head(sec, h) for h in ("一级指标", "分值", "得分")]], body,
                   (222, 110, 110), body_cmds=cmds)
        if r.level1:
            font = self.fonts.primary("hei")
            self.check.add("图表", "hei", pdf_charts.chart_texts(r.level1))
            self.figure(pdf_charts.score_chart(r.level1, be, font.name, BLOCK_W), "一级指标得分与分值对比")
        overridden = [(i, res) for i, res in enumerate(r.indicators) if res.overridden]
        if overridden:
            self.para(sec, [(f"以下 {len(overridden)} 项指标的得分经人工调整，理由如下：", "fang")])
            body = [[cell(sec, res.name), num(sec, fmt.score(res.computed_score)), num(sec, fmt.score(res.score)),
                     cell(sec, self.report.indicators[i].override_reason.strip() or "（未填写理由）")]
                    for i, res in overridden]
            self.table("人工调整得分情况", "单位：分",
                       [[head(sec, h) for h in ("三级指标", "按规则计算得分", "调整后得分", "调整理由")]], body,
                       (130, 70, 62, 180))

    def yoy_block(self) -> None:
        """同比 against last year, when the report was started from last year's file."""
        r = self.result
        yoy = r.funds_yoy
        rows = [(res.name, res.yoy) for res in r.indicators if res.yoy is not None]
        if yoy is None and not rows:
            return
        sec = "同比情况"
        cell, num, head = self.cell, self.num, self.head
        if yoy is not None:
            body = [[cell(sec, f"上年（{yoy.last_year}年）", align="center"),
                     num(sec, fmt.money(yoy.last_available, MONEY_UNIT)), num(sec, fmt.money(yoy.last_paid, MONEY_UNIT)),
                     num(sec, fmt.pct_number(yoy.last_progress))],
                    [cell(sec, "本年", align="center"), num(sec, fmt.money(r.funds.available, MONEY_UNIT)),
                     num(sec, fmt.money(yoy.paid, MONEY_UNIT)), num(sec, fmt.pct_number(yoy.progress))],
                    [cell(sec, "变化", "hei", "center"), cell(sec, fmt.DASH, align="center"),
                     num(sec, fmt.signed_money(yoy.paid_change, MONEY_UNIT)), num(sec, fmt.points(yoy.progress_change))]]
            self.table("资金支出同比情况", f"单位：{MONEY_UNIT}",
                       [[head(sec, h) for h in ("年度", "可用资金", "已支出", "支出进度（%）")]], body, (110, 112, 112, 108))
        if rows:
            body = [[cell(sec, name), num(sec, fmt.number(y.baseline)), num(sec, fmt.number(y.actual)),
                     num(sec, fmt.points(y.change))] for name, y in rows]
            self.table("绩效指标同比情况", "",
                       [[head(sec, h) for h in ("三级指标", "上年实际值", "本年实际值", "同比变化")]], body,
                       (200, 80, 80, 82))

    def closing(self) -> None:
        def place(spot: SignatureSpot) -> None:
            self.spot = spot

        unit = self.report.meta.unit or "（单位名称）"
        titles = [form.title for form in self.forms]
        self.check.add("落款", "fang", unit + format_date(self.issued) + "附件：" + "".join(titles))
        block = ClosingBlock(unit, format_date(self.issued), titles, self.fonts, place)
        last = self.story[-1] if self.story else None
        if isinstance(last, GridParagraph) and not last.keep_next:
            self.story.pop()
            self.story.append(ParagraphAndTail(last, block))
        else:
            self.story.append(ParagraphAndTail(None, block))

    # -- annex (landscape): the official forms, drawn from their cell models

    def _annex_head(self, number: int, title: str, subtitle: str) -> None:
        self.story.append(NextPageTemplate("landscape"))
        self.story.append(PageBreak())
        label = f"附件{number}"
        self.check.add(label, "hei", label)
        self.check.add(label, "title", title)
        self.story.append(GridParagraph([(label, "hei")], self.fonts, size=BODY_SIZE, cells=40, line_height=LINE,
                                        first_indent=0, align="left", keep_with_next=True))
        annex_title = TitleBlock(title, self.fonts, size=18, line_height=LINE * 1.1)
        annex_title.keep_next = True
        self.story.append(annex_title)
        self.check.add(label, "kai", subtitle)
        self.story.append(GridParagraph([(subtitle, "kai")], self.fonts, size=14, cells=40, line_height=LINE * 0.9,
                                        first_indent=0, align="center", keep_with_next=True))

    def annex(self, number: int, form: Form) -> None:
        sec = f"附件{number} {form.title}"
        self._annex_head(number, form.title, form.subtitle)

        def make(c: FormCell) -> Flowable | str:
            if not c.display:
                return ""  # blank on the form, as in the xlsx (filled in by hand)
            if c.numeric:
                return self.num(sec, c.display)
            role, align = _FORM_STYLE.get(c.kind, ("fang", "center"))
            return self.cell(sec, c.display, role, align)

        self.story.extend(form_tables(form, make, L_BLOCK_W, L_BLOCK_H))
        if form.notes:
            self.story.append(Spacer(1, 6))
        for note in form.notes:
            note = note.replace("填报日期：", "填报日期：" + format_date(self.issued))
            self.check.add(sec, "fang", note)
            self.story.append(CellText([(note, "fang")], self.fonts, size=12 if "负责人" in note else TABLE_SIZE,
                                       leading=22 if "负责人" in note else 16))


_FORM_STYLE = {"head": ("hei", "center"), "label": ("song", "center"), "text": ("fang", "left"),
               "center": ("fang", "center")}


def _shift(row: int, header_rows: int, body_rows: int) -> int:
    """A body row index (negative counts from the end) in the coordinates of header + body."""
    return (row + body_rows if row < 0 else row) + header_rows


def _fund_name(report: Report) -> str:
    try:
        return load_template(report.meta.fund_type).fund_name
    except UserError:
        return FUND_TYPE_LABELS.get(report.meta.fund_type, "")


# ------------------------------------------------------------------------------------ building


def build_pdf(report: Report, result: Result, forms: Sequence[Form], *, draft: bool = False,
              issued: date | None = None, progress: ProgressFn | None = None, fonts: FontSet | None = None,
              embed_json: bool = True, extra_files: Sequence[tuple[str, bytes, str]] = ()) -> BuiltPdf:
    """The report as PDF bytes, from its compute result and official forms (the annexes).
    Raises MissingGlyphsError when a character has no glyph in any available font.

    `progress(percent, message)` is called along the way (0–100); raising from it aborts."""

    def step(pct: int, message: str) -> None:
        if progress is not None:
            progress(pct, message)

    step(5, "正在准备字体")
    fonts = fonts or font_set()
    builder = _Builder(report, result, forms, fonts, issued or date.today(), _fund_name(report))
    story = builder.build()
    builder.check.raise_if_missing()
    step(10, "正在排版")
    total = max(1, len(story))
    done = [0]

    def tick() -> None:
        done[0] += 1
        if progress is not None and done[0] % 8 == 0:
            progress(10 + min(75, 75 * done[0] // total), "正在排版")

    buf = io.BytesIO()
    doc = _Doc(buf, title=default_title(report.meta), author=report.meta.unit, draft=draft, fonts=fonts,
               progress=tick if progress is not None else None,
               attachment=report_to_json(report).encode("utf-8") if embed_json else None,
               extra_files=extra_files)
    with no_gc():  # thousands of layout objects that live until the document is saved
        doc.build(story)
    data = buf.getvalue()
    pages = doc.page
    if not draft and builder.spot is not None:
        step(88, "正在添加签名栏")
        data = _attach(data, builder.spot)
    step(95, "正在写入文件")
    return BuiltPdf(data, pages, draft, builder.spot, fonts.describe())


def _embed(canv: Any, files: Sequence[tuple[str, bytes, str]]) -> None:
    """Embedded JSON files (PDF 1.7 §7.11.4), written with the document itself, so a draft needs no
    second pass (and no pyHanko) to carry the report's data; a package's PDF also carries the
    hashes of the package's other files, under the signature."""
    from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFDate, PDFName, PDFStream, PDFString

    doc = canv._doc
    subtype = "/application#2Fjson"  # ReportLab's PDFName leaves "/" as is
    names: list[Any] = []
    for name, payload, description in sorted(files):  # a name tree's keys are sorted
        stream = PDFStream(PDFDictionary({"Type": PDFName("EmbeddedFile"), "Subtype": subtype,
                                          "Params": PDFDictionary({"Size": len(payload), "ModDate": PDFDate()})}),
                           payload)
        spec = PDFDictionary({"Type": PDFName("Filespec"), "F": PDFString(name), "UF": PDFString(name),
                              "Desc": PDFString(description), "EF": PDFDictionary({"F": doc.Reference(stream)})})
        names.extend([PDFString(name), doc.Reference(spec)])
    doc.Catalog.Names = PDFDictionary({"EmbeddedFiles": PDFDictionary({"Names": PDFArray(names)})})


def _attach(data: bytes, spot: SignatureSpot) -> bytes:
    """A final export's empty signature field (over the closing block), as an incremental update."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    if spot is not None:
        fields.append_signature_field(writer, fields.SigFieldSpec(
            sig_field_name=SIGNATURE_FIELD, on_page=spot.page_index, box=spot.box))
        for _name, _value, ref in fields.enumerate_sig_fields(writer, with_name=SIGNATURE_FIELD):
            obj = ref.get_object()
            obj[generic.pdf_name(SEAL_KEY)] = generic.ArrayObject(
                [generic.FloatObject(round(v, 2)) for v in spot.seal_centre])
            writer.update_container(obj)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
