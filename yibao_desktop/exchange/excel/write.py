"""Export of the official self-evaluation tables (DOMAIN.md §5), one sheet each:

- 项目支出绩效自评表 (财预〔2020〕10号 form): funds block with 分值/执行率/得分, 年度总体目标,
  indicators with 分值/得分/偏差原因, 总分 and grade, signature line;
- 中央对地方转移支付区域绩效自评表 (2024 form): 资金投入 by level, the 7-row 资金管理情况 block,
  总体目标, indicators without scores.

Every figure comes from `compute(report)`: amounts are its 元 strings shown in 万元 (2 decimals,
half-up, `money.to_wan`), percentages its percent strings as numbers with a % format. Text the model
lacks comes from the narrative sections (rendered with their live fields) or stays blank. The forms
print on landscape A4, one page wide, with the indicator header row repeated on every page.

`export_data_workbook` (the editable data workbook) is re-exported here from excel_data.py.
"""

from __future__ import annotations

import math
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from yibao_desktop.domain.calc import compute
from yibao_desktop.domain.errors import UserError
from yibao_desktop.domain.money import HUNDRED, to_wan
from yibao_desktop.domain.narrative import render
from yibao_desktop.domain.report import Report
from yibao_desktop.exchange.excel.data import build_data_workbook, export_data_workbook, put_text, save_workbook
from yibao_desktop.templates import load_template

__all__ = ["FORMS", "FORM_TITLES", "build_forms_workbook", "export_forms", "build_data_workbook",
           "export_data_workbook", "save_workbook", "FUND_MANAGEMENT_ITEMS"]

FORMS = ("project", "transfer")
FORM_TITLES = {"project": "项目支出绩效自评表", "transfer": "中央对地方转移支付区域绩效自评表"}
# The 7 rows of 资金管理情况 (2024 form) and the narrative keys that may hold their two texts
# (情况说明 | 存在问题和改进措施). Reports without such sections get blank cells to fill by hand.
# Without them, the one 资金管理情况 section (key fund_management) spans the 情况说明 column.
FUND_MANAGEMENT_ITEMS = (
    ("分配科学性", "fm_allocation"),
    ("下达及时性", "fm_timeliness"),
    ("拨付合规性", "fm_compliance"),
    ("使用规范性", "fm_usage"),
    ("执行准确性", "fm_accuracy"),
    ("预算绩效管理情况", "fm_performance"),
    ("支出责任履行情况", "fm_responsibility"),
)
ISSUES_SUFFIX = "_issues"

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
WAN_FORMAT = "0.00"
PCT_FORMAT = "0.00%"
SCORE_FORMAT = "0.00"
LINE_HEIGHT = 13.5  # points per line of 10.5 pt text
MIN_ROW_HEIGHT = 20.0
MAX_ROW_HEIGHT = 409.0  # Excel's limit


# ------------------------------------------------------------------------------ writing helpers


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _lines(text: str, width: float) -> int:
    usable = max(1.0, width - 1.5)
    return sum(max(1, math.ceil(_display_width(part) / usable)) for part in text.split("\n"))


class _Form:
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


def _wan(yuan: str | None) -> Decimal | None:
    return None if yuan is None else to_wan(Decimal(yuan))


def _ratio(percent: str | None) -> Decimal | str:
    """compute's percent string ('32.80') as the number a % format shows (0.3280); '—' when None."""
    return "—" if percent is None else Decimal(percent) / HUNDRED


def _section_texts(report: Report, result: dict[str, Any]) -> dict[str, str]:
    return {s.key: render(s.text, report, result).strip() for s in report.narrative if s.key}


def _project_name(report: Report) -> str:
    template = load_template(report.meta.fund_type)
    if report.meta.fund_type == "custom":
        return report.meta.title or template.fund_name
    return template.label


def _runs(values: Sequence[Any]) -> list[tuple[int, int]]:
    """(start, end) index runs of equal consecutive values."""
    runs, start = [], 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            runs.append((start, i - 1))
            start = i
    return runs


def _actual_cell(res: dict[str, Any]) -> tuple[Any, str | None]:
    """实际完成值: a number in the indicator's unit (percent as %), the grade of a 定性 row."""
    if res["qualitative"]:
        return res["grade"] or "", None
    if res["actual"] is None:
        return "", None
    value = Decimal(res["actual"])
    unit = res["unit"] or ""
    if unit == "%":
        return value / HUNDRED, PCT_FORMAT
    if unit and '"' not in unit and "\\" not in unit:
        return value, f'General"{unit}"'
    return value, "General"


def _reason(ind: Any, res: dict[str, Any]) -> str:
    text = ind.deviation_reason.strip()
    if res["overridden"] and ind.override_reason.strip():
        note = f"得分调整说明：{ind.override_reason.strip()}"
        text = f"{text}\n{note}" if text else note
    return text


def _indicator_block(form: _Form, report: Report, result: dict[str, Any], row: int, scored: bool) -> int:
    """Rows of indicators from `row` on, with vertical merges of equal 一级 / 二级 runs.
    Returns the last row used."""
    items = list(zip(report.indicators, result["indicators"]))
    if not items:
        for col in range(2, form.ncols + 1):
            form.put(row, col, None)
        return row
    for offset, (ind, res) in enumerate(items):
        r = row + offset
        form.put(r, 4, ind.name, align=LEFT)
        form.put(r, 5, res["target_text"] or "")
        value, fmt = _actual_cell(res)
        form.put(r, 6, value, number_format=fmt)
        if scored:
            form.put(r, 7, Decimal(res["weight"]), number_format="General")
            form.put(r, 8, Decimal(res["score"]), number_format=SCORE_FORMAT)
            form.put(r, 9, _reason(ind, res), align=LEFT)
        else:
            form.put(r, 7, _reason(ind, res), align=LEFT)
    level1 = [ind.level1 for ind, _ in items]
    for a, b in _runs(level1):
        form.put(row + a, 2, level1[a], to_row=row + b if b > a else None, font=LABEL_FONT)
        level2 = [ind.level2 for ind, _ in items[a: b + 1]]
        for c, d in _runs(level2):
            form.put(row + a + c, 3, level2[c], to_row=row + a + d if d > c else None, font=LABEL_FONT)
    return row + len(items) - 1


# ------------------------------------------------------------------------------ the two forms


def _project_form(wb: Workbook, report: Report, result: dict[str, Any]) -> None:
    ws = wb.create_sheet(FORM_TITLES["project"])
    form = _Form(ws, (7, 11, 11, 24, 13, 13, 8, 9, 30))
    funds, budget = result["funds"], result["budget_execution"]
    texts = _section_texts(report, result)
    form.put(1, 1, FORM_TITLES["project"], to_col=9, font=TITLE_FONT)
    form.put(2, 1, f"（{report.meta.year}年度）", to_col=9, font=SUBTITLE_FONT)
    form.put(3, 1, "项目名称", to_col=2, font=LABEL_FONT)
    form.put(3, 3, _project_name(report), to_col=9)
    form.put(4, 1, "主管部门", to_col=2, font=LABEL_FONT)
    form.put(4, 3, report.meta.competent_dept, to_col=5)
    form.put(4, 6, "实施单位", to_col=7, font=LABEL_FONT)
    form.put(4, 8, report.meta.unit, to_col=9)

    form.put(5, 1, "项目资金（万元）", to_row=9, font=LABEL_FONT)
    form.put(5, 2, None, to_col=3)
    for col, text in zip(range(4, 10), ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")):
        form.put(5, col, text, font=HEAD_FONT)
    funds_rows = (
        ("年度资金总额", funds["available"], funds["paid"], funds["progress"], True),
        ("其中：当年财政拨款", funds["allocated"], funds["paid_allocated"], funds["progress_allocated"], False),
        ("上年结转资金", funds["carried"], funds["paid_carried"], funds["progress_carried"], False),
    )
    for r, (label, available, paid, progress, total) in enumerate(funds_rows, 6):
        form.put(r, 2, label, to_col=3, font=LABEL_FONT)
        form.put(r, 4, None)  # 年初预算数: the report does not record it; filled by hand
        form.put(r, 5, _wan(available), number_format=WAN_FORMAT)
        form.put(r, 6, _wan(paid), number_format=WAN_FORMAT)
        if total:
            form.put(r, 7, Decimal(budget["weight"]), number_format="General")
            form.put(r, 8, _ratio(budget["rate"]), number_format=PCT_FORMAT)
            form.put(r, 9, Decimal(budget["score"]), number_format=SCORE_FORMAT)
        else:
            form.put(r, 7, "—")
            form.put(r, 8, _ratio(progress), number_format=PCT_FORMAT)
            form.put(r, 9, "—")
    form.put(9, 2, "其他资金", to_col=3, font=LABEL_FONT)
    for col in (4, 5, 6, 8):
        form.put(9, col, None)  # no separate figure in the report: blank, filled by hand if any
    form.put(9, 7, "—")
    form.put(9, 9, "—")

    form.put(10, 1, "年度总体目标", to_row=11, font=LABEL_FONT)
    form.put(10, 2, "预期目标", to_col=5, font=HEAD_FONT)
    form.put(10, 6, "实际完成情况", to_col=9, font=HEAD_FONT)
    form.put(11, 2, texts.get("goals", ""), to_col=5, align=LEFT)
    form.put(11, 6, texts.get("overall_goal", ""), to_col=9, align=LEFT)

    header = 12
    for col, text in zip(range(2, 10), ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                                        "偏差原因分析及改进措施")):
        form.put(header, col, text, font=HEAD_FONT)
    last = _indicator_block(form, report, result, header + 1, scored=True)
    form.put(header, 1, "绩效指标", to_row=last, font=LABEL_FONT)
    total = last + 1
    weights = [Decimal(x["weight"]) for x in result["level1"] if x["weight"] is not None]
    form.put(total, 1, "总分", to_col=6, font=HEAD_FONT)
    form.put(total, 7, sum(weights, Decimal(budget["weight"])), number_format="General", font=HEAD_FONT)
    form.put(total, 8, Decimal(result["total_score"]), number_format=SCORE_FORMAT, font=HEAD_FONT)
    form.put(total, 9, f"自评等级：{result['grade']}", font=HEAD_FONT)
    form.border(3, total)
    sign = total + 2
    form.put(sign, 1, "项目负责人：" + "　" * 8 + "财务负责人：" + "　" * 8 + "填表人：" + "　" * 8 + "填报日期：",
             to_col=9, font=LABEL_FONT, align=LEFT)
    form.fit_heights(3, total)
    ws.row_dimensions[1].height = 32
    ws.row_dimensions[2].height = 22
    ws.row_dimensions[sign].height = 24
    _page_setup(ws, header, sign, 9)


def _transfer_form(wb: Workbook, report: Report, result: dict[str, Any]) -> None:
    ws = wb.create_sheet(FORM_TITLES["transfer"])
    form = _Form(ws, (7, 11, 11, 26, 16, 16, 40))
    funds = result["funds"]
    texts = _section_texts(report, result)
    template = load_template(report.meta.fund_type)
    form.put(1, 1, FORM_TITLES["transfer"], to_col=7, font=TITLE_FONT)
    form.put(2, 1, f"（{report.meta.year}年度）", to_col=7, font=SUBTITLE_FONT)
    form.put(3, 1, "转移支付名称", to_col=2, font=LABEL_FONT)
    form.put(3, 3, template.fund_name if report.meta.fund_type != "custom" else _project_name(report), to_col=7)
    form.put(4, 1, "中央主管部门", to_col=2, font=LABEL_FONT)
    form.put(4, 3, None, to_col=4)  # not recorded in the report: filled by hand
    form.put(4, 5, "地方主管部门", font=LABEL_FONT)
    form.put(4, 6, report.meta.competent_dept, to_col=7)
    form.put(5, 1, "资金使用单位", to_col=2, font=LABEL_FONT)
    form.put(5, 3, report.meta.unit, to_col=7)

    form.put(6, 1, "资金投入情况（万元）", to_row=10, font=LABEL_FONT)
    form.put(6, 2, None, to_col=3)
    form.put(6, 4, "全年预算数（A）", font=HEAD_FONT)
    form.put(6, 5, "全年执行数（B）", font=HEAD_FONT)
    form.put(6, 6, "执行率（B/A）", to_col=7, font=HEAD_FONT)
    rows = [("年度资金总额", Decimal(funds["available"]), Decimal(funds["paid"]), funds["progress"])]
    for source in funds["by_source"]:  # 中央 / 地方 / 其他, grouped and rated by compute
        label = "其中：中央财政资金" if source["name"] == "中央财政资金" else source["name"]
        if source["levels"]:
            rows.append((label, Decimal(source["amount"]), Decimal(source["paid"]), source["progress"]))
        else:
            rows.append((label, None, None, None))
    for r, (label, amount, paid, rate) in enumerate(rows, 7):
        form.put(r, 2, label, to_col=3, font=LABEL_FONT)
        form.put(r, 4, None if amount is None else to_wan(amount), number_format=WAN_FORMAT)
        form.put(r, 5, None if paid is None else to_wan(paid), number_format=WAN_FORMAT)
        form.put(r, 6, _ratio(rate) if amount is not None else None, to_col=7, number_format=PCT_FORMAT)

    form.put(11, 1, "资金管理情况", to_row=18, font=LABEL_FONT)
    form.put(11, 2, None, to_col=3)
    form.put(11, 4, "情况说明", to_col=5, font=HEAD_FONT)
    form.put(11, 6, "存在问题和改进措施", to_col=7, font=HEAD_FONT)
    per_item = any(texts.get(key) or texts.get(key + ISSUES_SUFFIX) for _, key in FUND_MANAGEMENT_ITEMS)
    for r, (label, key) in enumerate(FUND_MANAGEMENT_ITEMS, 12):
        form.put(r, 2, label, to_col=3, font=LABEL_FONT)
        if per_item:
            form.put(r, 4, texts.get(key, ""), to_col=5, align=LEFT)
        form.put(r, 6, texts.get(key + ISSUES_SUFFIX, ""), to_col=7, align=LEFT)
    if not per_item:
        # One 资金管理情况 section only: its text spans the 情况说明 cells of the seven rows.
        general = texts.get("fund_management", "")
        form.put(12, 4, general, to_col=5, to_row=18, align=LEFT)
        lines = _lines(general, form.widths[3] + form.widths[4]) if general else 0
        if lines * LINE_HEIGHT > 7 * MIN_ROW_HEIGHT:
            for r in range(12, 19):
                form.minimum[r] = lines * LINE_HEIGHT / 7 + 2

    form.put(19, 1, "总体目标完成情况", to_row=20, font=LABEL_FONT)
    form.put(19, 2, "总体目标", to_col=4, font=HEAD_FONT)
    form.put(19, 5, "全年实际完成情况", to_col=7, font=HEAD_FONT)
    form.put(20, 2, texts.get("goals", ""), to_col=4, align=LEFT)
    form.put(20, 5, texts.get("overall_goal", ""), to_col=7, align=LEFT)

    header = 21
    for col, text in zip(range(2, 8), ("一级指标", "二级指标", "三级指标", "指标值", "全年实际完成值",
                                       "未完成原因和改进措施")):
        form.put(header, col, text, font=HEAD_FONT)
    last = _indicator_block(form, report, result, header + 1, scored=False)
    form.put(header, 1, "绩效指标", to_row=last, font=LABEL_FONT)
    form.border(3, last)
    form.fit_heights(3, last)
    ws.row_dimensions[1].height = 32
    ws.row_dimensions[2].height = 22
    _page_setup(ws, header, last, 7)


_BUILDERS = {"project": _project_form, "transfer": _transfer_form}


def build_forms_workbook(report: Report, forms: Sequence[str] = FORMS,
                         result: dict[str, Any] | None = None) -> Workbook:
    """A workbook with one sheet per form in `forms` ("project", "transfer")."""
    unknown = [f for f in forms if f not in _BUILDERS]
    if unknown or not forms:
        raise UserError(f"未知的表格「{'、'.join(unknown)}」（可选：project、transfer）")
    result = compute(report) if result is None else result
    wb = Workbook()
    wb.remove(wb.active)
    for name in forms:
        _BUILDERS[name](wb, report, result)
    return wb


def export_forms(report: Report, path: str | Path, forms: Sequence[str] = FORMS) -> Path:
    """Write the official tables to `path` (.xlsx)."""
    return save_workbook(build_forms_workbook(report, forms), path)
