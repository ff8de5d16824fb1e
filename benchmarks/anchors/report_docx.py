"""PDF anchor input: a report written as .docx, for LibreOffice to convert to PDF.

The same text as the app's PDF report (title, every narrative section with its live fields
rendered, the closing block, the two landscape annex forms with the indicator rows) and a few
tables, on the same GB/T 9704 page (A4, margins 37/35/28/26 mm, 16 pt body on a 22-line grid,
10.5 pt tables), so that LibreOffice lays out about as many pages as `export-pdf` does. The
benchmark states both page counts. Deterministic: the same report gives the same document.

    python -m benchmarks.anchors.report_docx OUT.docx   # the long report of benchmarks/test_pdf_speed.py
"""

from __future__ import annotations

import sys
from typing import Any, Sequence

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from yibao_desktop.domain.calc import compute
from yibao_desktop.domain.interchange import result_to_json
from yibao_desktop.domain.narrative import render
from yibao_desktop.domain.report import Report
from yibao_desktop.templates import default_title

SONG, HEI = "Noto Serif SC", "Noto Sans SC"  # the app's bundled faces (resources/fonts)
BODY, TITLE, TABLE = Pt(16), Pt(22), Pt(10.5)
LINE = Pt(28.95)  # 225 mm / 22 lines


def _font(run_or_style: Any, face: str, size: Pt | None = None, bold: bool = False) -> None:
    font = run_or_style.font
    font.name = face
    if size is not None:
        font.size = size
    font.bold = bold
    rpr = run_or_style.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), face)


def _page(section: Any, landscape: bool) -> None:
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        section.left_margin, section.right_margin, section.top_margin, section.bottom_margin = \
            Mm(37), Mm(35), Mm(26), Mm(28)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = \
            Mm(37), Mm(35), Mm(28), Mm(26)


class _Writer:
    def __init__(self, report: Report):
        # The compute JSON (INTERCHANGE.md strings): the anchor only needs text of the same length.
        self.typed = compute(report)
        self.report, self.result = report, result_to_json(self.typed)
        self.doc = Document()
        normal = self.doc.styles["Normal"]
        _font(normal, SONG, BODY)
        fmt = normal.paragraph_format
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
        fmt.space_before = fmt.space_after = Pt(0)
        self.tables = 0

    def para(self, text: str, *, face: str = SONG, size: Pt = BODY, indent: bool = True,
             align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY, bold: bool = False) -> None:
        p = self.doc.add_paragraph()
        p.alignment = align
        if indent:
            p.paragraph_format.first_line_indent = Pt(2 * BODY.pt)
        _font(p.add_run(text), face, size, bold)

    def table(self, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]],
              widths: Sequence[float] | None = None) -> None:
        if title:
            self.tables += 1
            self.para(f"表{self.tables} {title}", face=HEI, size=Pt(14), indent=False,
                      align=WD_ALIGN_PARAGRAPH.CENTER)
        t = self.doc.add_table(rows=1 + len(rows), cols=len(header))
        t.style = "Table Grid"
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        for r, values in enumerate([header, *rows]):
            cells = t.rows[r].cells
            for c, value in enumerate(values):
                p = cells[c].paragraphs[0]
                p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
                p.paragraph_format.first_line_indent = Pt(0)
                _font(p.add_run("—" if value in (None, "") else str(value)), HEI if r == 0 else SONG, TABLE)
                if widths:
                    cells[c].width = Mm(widths[c])

    def funds_tables(self) -> None:
        f = self.result["funds"]
        self.table("资金到位情况", ["序号", "级次", "类别", "文号", "下达日期", "金额（元）"],
                   [[n, i.level, i.kind, i.doc_no, i.date, i.amount] for n, i in enumerate(self.report.incomes, 1)])
        self.table("资金支出情况（按资金级次）", ["资金级次", "可用资金", "已支出", "结余", "支出进度（%）"],
                   [[x["level"], x["amount"], x["paid"], x["balance"], x["progress"]] for x in f["by_level"]])
        for key, title in (("by_direction", "支出方向"), ("by_size", "单笔支出规模"), ("by_econ_class", "经济分类")):
            self.table(f"资金支出情况（按{title}）", [title, "项目个数", "金额（元）", "占比（%）"],
                       [[x["name"], x["count"], x["amount"], x["share"]] for x in f[key]])
        self.table("分月支出进度", ["月份", "支出（元）", "累计（元）", "支出进度（%）", "序时进度（%）"],
                   [[f"{x['month']}月", x["paid"], x["cumulative"], x["progress"], x["schedule"]] for x in f["monthly"]])

    def scores_table(self) -> None:
        r = self.result
        rows = [[x["name"], x["weight"], x["score"]] for x in r["level1"]]
        rows.append(["预算执行率", r["budget_execution"]["weight"], r["budget_execution"]["score"]])
        rows.append(["总分", "100", r["total_score"]])
        self.table("自评得分情况", ["一级指标", "分值", "得分"], rows)

    def indicator_table(self, with_scores: bool) -> None:
        if with_scores:
            header = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
            widths = [20, 20, 45, 22, 22, 12, 12, 72]
        else:
            header = ["一级指标", "二级指标", "三级指标", "指标值", "全年实际完成值", "未完成原因和改进措施"]
            widths = [22, 22, 50, 26, 26, 79]
        rows = []
        for ind, res in zip(self.report.indicators, self.result["indicators"]):
            actual = res["grade"] or (f"{res['actual']}{ind.unit}" if res["actual"] is not None else "")
            row = [ind.level1, ind.level2, ind.name, ind.target_text, actual]
            if with_scores:
                row += [res["weight"], res["score"]]
            rows.append(row + [ind.deviation_reason])
        self.table("", header, rows, widths)

    def annex(self, number: int, title: str, with_scores: bool) -> None:
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        _page(section, landscape=True)
        self.para(f"附件{number}", face=HEI, indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
        self.para(title, size=TITLE, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
        self.para(f"（{self.report.meta.year}年度）", size=Pt(14), indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
        f = self.result["funds"]
        self.table("", ["项目名称", "主管部门", "实施单位", "年度资金总额（元）", "执行数（元）", "执行率（%）"],
                   [[default_title(self.report.meta), self.report.meta.unit, self.report.meta.unit,
                     f["available"], f["paid"], f["progress"]]])
        goals = "\n".join(render(s.text, self.report, self.typed) for s in self.report.narrative
                          if s.key in ("goals", "overall_goal"))
        done = "\n".join(render(s.text, self.report, self.typed) for s in self.report.narrative
                         if s.key in ("analysis", "indicator_analysis"))
        self.table("", ["年度总体目标", "全年实际完成情况"], [[goals, done]], [112, 113])
        self.indicator_table(with_scores)

    def build(self) -> Document:
        report = self.report
        _page(self.doc.sections[0], landscape=False)
        self.para(default_title(report.meta), size=TITLE, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
        self.para("", indent=False)
        for section in report.narrative:
            if section.heading:
                self.para(section.heading, face=HEI, indent=True)
            for raw in render(section.text, report, self.typed).split("\n"):
                if raw.strip():
                    self.para(raw.strip())
            if section.key == "funds_input":
                self.funds_tables()
            if section.key == "indicator_analysis":
                self.scores_table()
        self.para("", indent=False)
        self.para("附件：1.项目支出绩效自评表", indent=True)
        self.para("2.中央对地方转移支付区域绩效自评表", indent=True)
        self.para(report.meta.unit, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
        self.para(f"{report.meta.year + 1}年1月20日", indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
        self.annex(1, "项目支出绩效自评表", with_scores=True)
        self.annex(2, "中央对地方转移支付区域绩效自评表", with_scores=False)
        return self.doc


def write_docx(report: Report, path: str) -> None:
    _Writer(report).build().save(path)


if __name__ == "__main__":
    from tests.exchange.pdf.test_report import long_report

    write_docx(long_report(), sys.argv[1])
