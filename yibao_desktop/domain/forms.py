"""The official self-evaluation tables as cell models (STYLE.md §21), built once from
(report, result): 项目支出绩效自评表 (财预〔2020〕10号) and 中央对地方转移支付区域绩效自评表 (2024).

A `Form` is a grid of `Cell`s (text or a typed value, its kind, spans). The PDF annex and the xlsx
only lay it out, so the two can never show different labels, names, units, rows or figures.
Money is in 万元, as on the official forms, and every block's parts are rounded so that they add
up to its printed total (`formatting.parts`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Sequence

from yibao_desktop.domain import formatting as fmt
from yibao_desktop.domain import rules
from yibao_desktop.domain.money import ZERO
from yibao_desktop.domain.narrative import render
from yibao_desktop.domain.report import Indicator, Report
from yibao_desktop.domain.result import IndicatorResult, Result, SourceFunds

FORMS = ("project", "transfer")  # the official forms
EVIDENCE_FORM = "evidence"  # 佐证材料清单: an annex of its own when files are attached
ALL_FORMS = FORMS + (EVIDENCE_FORM,)
FORM_TITLES = {"project": "项目支出绩效自评表", "transfer": "中央对地方转移支付区域绩效自评表",
               EVIDENCE_FORM: "佐证材料清单"}
SHA_SHOWN = 16  # hex digits of the SHA-256 printed in the list (the package holds the whole hash)
MONEY_UNIT = "万元"
# The 7 rows of 资金管理情况 (2024 form) and the narrative keys that may hold their two texts
# (情况说明 | 存在问题和改进措施). Without them, the one 资金管理情况 section (key fund_management)
# spans the 情况说明 column of the seven rows.
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
SOURCE_LABELS = {"中央财政资金": "其中：中央财政资金", "彩票公益金": "其中：彩票公益金"}
ESTIMATED_MARK = "（按比例估算）"
OVERRIDE_MARK = "*"

# Cell kinds. Text kinds: "label" (a row label), "head" (a column header), "text" (body text,
# left), "center" (short body text). Value kinds: "money" (万元, 2 decimals, separators), "pct"
# (percent), "score" (2 decimals), "number" (as typed) and "actual" (as typed, with the unit).
TEXT_KINDS = ("label", "head", "text", "center")


@dataclass(frozen=True)
class Cell:
    row: int
    col: int
    kind: str = "text"
    text: str = ""
    value: Decimal | None = None
    unit: str = ""  # "actual" cells: the indicator's unit
    rows: int = 1
    cols: int = 1

    @property
    def display(self) -> str:
        """The cell as both renderings show it."""
        if self.kind in TEXT_KINDS:
            return self.text
        if self.value is None:
            return self.text
        if self.kind == "money":
            return fmt.amount(self.value, MONEY_UNIT)
        if self.kind == "pct":
            return fmt.pct(self.value)
        if self.kind == "score":
            return fmt.score(self.value) + self.text  # text: the override mark
        if self.kind == "actual":
            return fmt.number(self.value) + self.unit
        return fmt.number(self.value)

    @property
    def places(self) -> int:
        """Decimals shown (number and actual cells keep the typed precision)."""
        if self.kind in ("money", "pct", "score"):
            return 2
        if self.value is None:
            return 0
        exponent = self.value.as_tuple().exponent
        return max(0, -exponent) if isinstance(exponent, int) else 0

    @property
    def numeric(self) -> bool:
        return self.kind not in TEXT_KINDS and self.value is not None


@dataclass(frozen=True)
class Form:
    key: str
    title: str
    subtitle: str
    widths: tuple[float, ...]  # relative column widths (Excel character units)
    cells: tuple[Cell, ...]
    nrows: int
    header_row: int  # the indicator header: repeated on every printed page
    notes: tuple[str, ...] = ()  # lines printed below the table
    money_unit: str = MONEY_UNIT

    @property
    def ncols(self) -> int:
        return len(self.widths)

    def at(self, row: int, col: int) -> Cell | None:
        """The cell whose top-left corner is (row, col)."""
        for cell in self.cells:
            if cell.row == row and cell.col == col:
                return cell
        return None


@dataclass(frozen=True)
class FormNames:
    """Names the report itself does not hold (from the fund type's template)."""

    project: str  # 项目名称
    transfer: str  # 转移支付名称
    central_dept: str  # 中央主管部门


@dataclass
class Grid:
    """Cells of a form being built, put by top-left corner and span."""

    cells: list[Cell] = field(default_factory=list)

    def put(self, row: int, col: int, kind: str = "text", text: str = "", value: Decimal | None = None, *,
            unit: str = "", to_col: int | None = None, to_row: int | None = None) -> None:
        self.cells.append(Cell(row, col, kind, text, value, unit, (to_row or row) - row + 1,
                               (to_col or col) - col + 1))


def _texts(report: Report, result: Result) -> dict[str, str]:
    return {s.key: render(s.text, report, result).strip() for s in report.narrative if s.key}


def _runs(values: Sequence[str]) -> list[tuple[int, int]]:
    """(first, last) index ranges of equal consecutive values, for vertical merges."""
    runs, start = [], 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            runs.append((start, i - 1))
            start = i
    return runs


# Longest text one form row holds: a longer paragraph continues in the next row (a printed row
# cannot break across pages, and a spreadsheet row is at most 409 pt tall).
ROW_TEXT = 300
_SENTENCE_END = "。；！？"


def _paragraphs(text: str, limit: int = ROW_TEXT) -> list[str]:
    """A text as rows: one per paragraph, long paragraphs cut after a sentence (or hard)."""
    out = []
    for para in (p.strip() for p in text.split("\n")):
        while len(para) > limit:
            cut = max(para.rfind(ch, 0, limit) for ch in _SENTENCE_END) + 1
            cut = cut if cut > limit // 3 else limit
            out.append(para[:cut])
            para = para[cut:].strip()
        if para:
            out.append(para)
    return out or [""]


def _text_rows(grid: Grid, row: int, left: tuple[int, int, str], right: tuple[int, int, str]) -> int:
    """Two texts side by side (预期目标 | 实际完成情况), one row per paragraph, so that long texts
    break across printed pages and no spreadsheet row outgrows its height limit. Returns the
    last row used."""
    lhs, rhs = _paragraphs(left[2]), _paragraphs(right[2])
    n = max(len(lhs), len(rhs))
    for k in range(n):
        grid.put(row + k, left[0], "text", lhs[k] if k < len(lhs) else "", to_col=left[1])
        grid.put(row + k, right[0], "text", rhs[k] if k < len(rhs) else "", to_col=right[1])
    return row + n - 1


def _reason(ind: Indicator, res: IndicatorResult) -> str:
    text = ind.deviation_reason.strip()
    if res.overridden and ind.override_reason.strip():
        note = f"得分调整说明：{ind.override_reason.strip()}（按规则计算 {fmt.score(res.computed_score)} 分）"
        text = f"{text}\n{note}" if text else note
    return text


def _indicator_block(grid: Grid, report: Report, result: Result, row: int, scored: bool) -> int:
    """Indicator rows from `row` on (columns 1…), with vertical merges of equal 一级 / 二级 runs.
    Returns the last row used."""
    items = list(zip(report.indicators, result.indicators))
    if not items:
        grid.put(row, 1, "center", "（未设置绩效指标）", to_col=8 if scored else 6)
        return row
    for offset, (ind, res) in enumerate(items):
        r = row + offset
        grid.put(r, 3, "text", ind.name)
        grid.put(r, 4, "center", res.target_text)
        if res.qualitative:
            grid.put(r, 5, "center", res.grade or "未评级")
        else:
            grid.put(r, 5, "actual", value=res.actual, unit=res.unit)
        if scored:
            grid.put(r, 6, "number", value=res.weight)
            grid.put(r, 7, "score", OVERRIDE_MARK if res.overridden else "", res.score)
            grid.put(r, 8, "text", _reason(ind, res))
        else:
            grid.put(r, 6, "text", _reason(ind, res))
    level1 = [ind.level1 for ind, _ in items]
    for a, b in _runs(level1):
        grid.put(row + a, 1, "label", level1[a], to_row=row + b)
        level2 = [ind.level2 for ind, _ in items[a: b + 1]]
        for c, d in _runs(level2):
            grid.put(row + a + c, 2, "label", level2[c], to_row=row + a + d)
    return row + len(items) - 1


def project_form(report: Report, result: Result, names: FormNames) -> Form:
    """项目支出绩效自评表: 9 columns."""
    grid = Grid()
    put = grid.put
    funds, budget = result.funds, result.budget_execution
    texts = _texts(report, result)
    put(0, 0, "label", "项目名称", to_col=1)
    put(0, 2, "text", names.project, to_col=8)
    put(1, 0, "label", "主管部门", to_col=1)
    put(1, 2, "text", report.meta.competent_dept, to_col=4)
    put(1, 5, "label", "实施单位", to_col=6)
    put(1, 7, "text", report.meta.unit, to_col=8)

    put(2, 0, "label", f"项目资金（{MONEY_UNIT}）", to_row=6)
    put(2, 1, "head", "", to_col=2)
    for col, text in zip(range(3, 9), ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")):
        put(2, col, "head", text)
    (allocated, carried), available = fmt.parts([funds.allocated, funds.carried], funds.available, MONEY_UNIT)
    (paid_allocated, paid_carried), paid = fmt.parts([funds.paid_allocated, funds.paid_carried], funds.paid,
                                                      MONEY_UNIT)
    rows = (
        ("年度资金总额", available, paid, funds.progress, True),
        ("其中：当年财政拨款", allocated, paid_allocated, funds.progress_allocated, False),
        ("上年结转资金", carried, paid_carried, funds.progress_carried, False),
    )
    for r, (label, amount, spent, progress, total) in enumerate(rows, 3):
        put(r, 1, "label", label, to_col=2)
        put(r, 3, "center")  # 年初预算数: the report does not record it; filled by hand
        put(r, 4, "money", value=amount)
        put(r, 5, "money", value=spent)
        if total:
            put(r, 6, "number", value=budget.weight)
            put(r, 7, "pct", fmt.DASH, budget.rate)
            put(r, 8, "score", fmt.DASH if budget.score is None else "", budget.score)
        else:
            put(r, 6, "center", fmt.DASH)
            put(r, 7, "pct", fmt.DASH, progress)
            put(r, 8, "center", fmt.DASH)
    put(6, 1, "label", "其他资金", to_col=2)
    for col in (3, 4, 5, 7):
        put(6, col, "center")  # no separate figure in the report: blank, filled by hand if any
    put(6, 6, "center", fmt.DASH)
    put(6, 8, "center", fmt.DASH)

    put(7, 1, "head", "预期目标", to_col=4)
    put(7, 5, "head", "实际完成情况", to_col=8)
    goals_end = _text_rows(grid, 8, (1, 4, texts.get("goals", "")), (5, 8, texts.get("overall_goal", "")))
    put(7, 0, "label", "年度总体目标", to_row=goals_end)

    header = goals_end + 1
    for col, text in zip(range(1, 9), ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                                       "偏差原因分析及改进措施")):
        put(header, col, "head", text)
    last = _indicator_block(grid, report, result, header + 1, scored=True)
    put(header, 0, "label", "绩效指标", to_row=last)
    total = last + 1
    put(total, 0, "head", "总分", to_col=5)
    put(total, 6, "number", value=result.total_weight)
    put(total, 7, "score", fmt.DASH if result.total_score is None else "", result.total_score)
    put(total, 8, "head", f"自评等级：{result.grade or '（本报告不评分）'}")
    notes = ["项目负责人：" + "　" * 8 + "财务负责人：" + "　" * 8 + "填表人：" + "　" * 8 + "填报日期："]
    if any(i.overridden for i in result.indicators):
        notes.append(f"注：得分后标“{OVERRIDE_MARK}”的，为经人工调整的得分，理由见“偏差原因分析及改进措施”栏。")
    return Form("project", FORM_TITLES["project"], f"（{report.meta.year}年度）",
                (7, 11, 11, 24, 13, 13, 8, 9, 30), tuple(grid.cells), total + 1, header, tuple(notes))


def transfer_form(report: Report, result: Result, names: FormNames) -> Form:
    """中央对地方转移支付区域绩效自评表 (2024): 7 columns, no scores."""
    grid = Grid()
    put = grid.put
    funds = result.funds
    texts = _texts(report, result)
    put(0, 0, "label", "转移支付名称", to_col=1)
    put(0, 2, "text", names.transfer, to_col=6)
    put(1, 0, "label", "中央主管部门", to_col=1)
    put(1, 2, "text", names.central_dept, to_col=3)
    put(1, 4, "label", "地方主管部门")
    put(1, 5, "text", report.meta.competent_dept, to_col=6)
    put(2, 0, "label", "资金使用单位", to_col=1)
    put(2, 2, "text", report.meta.unit, to_col=6)

    # 中央 / 地方 / 其他 add up to the total (rounded so that they do as printed); 彩票公益金 is a
    # 其中 row of its own, shown always on a 医疗救助 report.
    additive = [s for s in funds.by_source if not s.subset]
    amounts, available = fmt.parts([s.amount for s in additive], funds.available, MONEY_UNIT)
    paids, paid = fmt.parts([s.paid for s in additive], funds.paid, MONEY_UNIT)
    shown = {s.name: (a, b) for s, a, b in zip(additive, amounts, paids)}
    rows = list(funds.by_source)
    if report.meta.fund_type == "medical_assistance" and not any(s.subset for s in rows):
        rows.insert(1, SourceFunds(rules.LOTTERY, (), ZERO, ZERO, None, True))
    put(3, 0, "label", f"资金投入情况（{MONEY_UNIT}）", to_row=3 + len(rows) + 1)
    put(3, 1, "head", "", to_col=2)
    put(3, 3, "head", "全年预算数（A）")
    put(3, 4, "head", "全年执行数（B）")
    put(3, 5, "head", "执行率（B/A）", to_col=6)
    put(4, 1, "label", "年度资金总额", to_col=2)
    put(4, 3, "money", value=available)
    put(4, 4, "money", value=paid)
    put(4, 5, "pct", fmt.DASH, funds.progress, to_col=6)
    r = 4
    for source in rows:
        r += 1
        label = SOURCE_LABELS.get(source.name, source.name) + (ESTIMATED_MARK if source.estimated else "")
        put(r, 1, "label", label, to_col=2)
        if source.levels:
            amount, spent = shown.get(source.name) or (fmt.in_unit(source.amount, MONEY_UNIT),
                                                       fmt.in_unit(source.paid, MONEY_UNIT))
            put(r, 3, "money", value=amount)
            put(r, 4, "money", value=spent)
            put(r, 5, "pct", fmt.DASH, source.progress, to_col=6)
        else:
            put(r, 3, "center")
            put(r, 4, "center")
            put(r, 5, "center", to_col=6)

    first = r + 1
    n_items = len(FUND_MANAGEMENT_ITEMS)
    put(first, 1, "head", "", to_col=2)
    put(first, 3, "head", "情况说明", to_col=4)
    put(first, 5, "head", "存在问题和改进措施", to_col=6)
    per_item = any(texts.get(key) or texts.get(key + ISSUES_SUFFIX) for _, key in FUND_MANAGEMENT_ITEMS)
    for k, (label, key) in enumerate(FUND_MANAGEMENT_ITEMS, first + 1):
        put(k, 1, "label", label, to_col=2)
        if per_item:
            put(k, 3, "text", texts.get(key, ""), to_col=4)
        put(k, 5, "text", texts.get(key + ISSUES_SUFFIX, ""), to_col=6)
    last_item = first + n_items
    if not per_item:
        # One 资金管理情况 section only: its paragraphs run down the 情况说明 cells of the seven
        # rows (and of continuation rows, when there are more).
        chunks = _paragraphs(texts.get("fund_management", ""))
        for k, chunk in enumerate(chunks):
            r = first + 1 + k
            if r > last_item:
                put(r, 1, "label", "", to_col=2)
                put(r, 5, "text", "", to_col=6)
                last_item = r
            put(r, 3, "text", chunk, to_col=4)
        for r in range(first + 1 + len(chunks), first + n_items + 1):
            put(r, 3, "text", "", to_col=4)
    put(first, 0, "label", "资金管理情况", to_row=last_item)

    goal = last_item + 1
    put(goal, 1, "head", "总体目标", to_col=3)
    put(goal, 4, "head", "全年实际完成情况", to_col=6)
    goals_end = _text_rows(grid, goal + 1, (1, 3, texts.get("goals", "")), (4, 6, texts.get("overall_goal", "")))
    put(goal, 0, "label", "总体目标完成情况", to_row=goals_end)

    header = goals_end + 1
    for col, text in zip(range(1, 7), ("一级指标", "二级指标", "三级指标", "指标值", "全年实际完成值",
                                       "未完成原因和改进措施")):
        put(header, col, "head", text)
    last = _indicator_block(grid, report, result, header + 1, scored=False)
    put(header, 0, "label", "绩效指标", to_row=last)
    notes = []
    if any(s.estimated for s in funds.by_source):
        notes.append(f"注：标“{ESTIMATED_MARK.strip('（）')}”的执行数，是未填资金级次的支出按各级次到位资金比例分摊所得，"
                     f"并非账面实数。")
    return Form("transfer", FORM_TITLES["transfer"], f"（{report.meta.year}年度）",
                (7, 11, 11, 26, 16, 16, 40), tuple(grid.cells), last + 1, header, tuple(notes))




def evidence_form(report: Report, result: Result, names: FormNames) -> Form:
    """佐证材料清单: every attached file with its size, the start of its SHA-256 and what it proves."""
    grid = Grid()
    put = grid.put
    for col, text in enumerate(("序号", "文件名", "大小", f"SHA-256（前 {SHA_SHOWN} 位）", "所属指标")):
        put(0, col, "head", text)
    row = 0
    for row, (attachment, index) in enumerate(report.attachments(), 1):
        owner = "报告整体" if index is None else (report.indicators[index].name or f"第 {index + 1} 个指标")
        put(row, 0, "center", str(row))
        put(row, 1, "text", attachment.name)
        put(row, 2, "center", fmt.file_size(attachment.size))
        put(row, 3, "center", attachment.sha256[:SHA_SHOWN])
        put(row, 4, "text", owner)
    notes = (f"注：共 {row} 份，文件随报送包一并报送；完整的 SHA-256 校验值见报送包清单，可用“核验报送包”逐一核对。",)
    return Form(EVIDENCE_FORM, FORM_TITLES[EVIDENCE_FORM], f"（{report.meta.year}年度）", (6, 40, 10, 22, 36),
                tuple(grid.cells), row + 1, 0, notes)


BUILDERS = {"project": project_form, "transfer": transfer_form, EVIDENCE_FORM: evidence_form}


def default_forms(report: Report) -> tuple[str, ...]:
    """Both forms (a report without scores is filed on the transfer form only), and the list of
    佐证材料 when files are attached."""
    keys = FORMS if report.scoring.scored else ("transfer",)
    return keys + ((EVIDENCE_FORM,) if report.attachments() else ())


def build_forms(report: Report, result: Result, names: FormNames, keys: Sequence[str] = FORMS) -> list[Form]:
    return [BUILDERS[key](report, result, names) for key in keys]
