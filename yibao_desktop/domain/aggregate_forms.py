"""The city summary's tables as cell models (`domain.forms.Form`, STYLE.md §21), built once from a
`domain.aggregate.Summary`: the workbook (exchange/excel/aggregate.py) and the PDF
(exchange/pdf/aggregate.py) only lay them out, so they show the same rows and figures.

- 汇总: one row per unit × fund type × year, a heading row per (fund type, year) group and a 合计
  row under it. Amounts are in 万元 with 2 decimals, as on the official forms, and each money
  column of a group is rounded with `formatting.parts`, so the rows add up to the 合计 row as
  printed. Superseded duplicates follow the 合计 row under a note: listed, never counted.
- 指标对比: per group, every indicator with the units that report it (long format: one row per
  indicator × unit, the indicator's names merged down its rows, and how many units met it).
- 未通过核验: every package that failed verification or could not be read, with the reason.
- 核验明细: every counted or superseded report with its verdict, signer, full certificate
  fingerprint, manifest time and location.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Sequence

from yibao_desktop.domain import formatting as fmt
from yibao_desktop.domain.aggregate import (
    Entry,
    Group,
    IndicatorFigure,
    Summary,
    short_fingerprint,
)
from yibao_desktop.domain.forms import MONEY_UNIT, Form, Grid

SUMMARY_TITLE = "医保转移支付资金绩效自评汇总表"
SHEETS = {"summary": "汇总", "indicators": "指标对比", "failures": "未通过核验", "details": "核验明细"}

SUMMARY_COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 5), ("单位名称", 18), ("资金类型", 17), ("年度", 6.5),
    (f"可用资金（{MONEY_UNIT}）", 11), (f"已支出（{MONEY_UNIT}）", 11), ("支出进度", 8.5),
    (f"结余（{MONEY_UNIT}）", 11), ("总分", 7), ("等级", 5), ("未达成指标", 6.5), ("错误", 5), ("警告", 5),
    ("签名人", 8), ("证书指纹", 12), ("可信", 7), ("佐证材料", 6), ("核验结果", 15),
)
INDICATOR_COLUMNS: tuple[tuple[str, float], ...] = (
    ("一级指标", 9), ("二级指标", 9), ("三级指标", 20), ("达成情况", 9), ("单位名称", 20), ("指标值", 11),
    ("实际完成值", 11), ("完成率", 9), ("是否达成", 6.5), ("分值", 6), ("得分", 7),
)
FAILURE_COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 5), ("报送包", 30), ("清单所记单位、年度、资金", 26), ("未通过核验的原因", 52), ("位置", 36),
)
DETAIL_COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 5), ("单位名称", 20), ("资金类型", 16), ("年度", 6.5), ("核验结果", 13), ("签名人", 16),
    ("证书指纹（SHA-256）", 34), ("报送时间", 17), ("位置", 36),
)

NOTE_PROGRESS = "注：合计行的支出进度为各单位已支出之和 ÷ 可用资金之和（不是各单位进度的平均数）；金额按官方自评表的口径以万元列示，四舍五入到分，各行之和等于合计。"
NOTE_FAILED = "未通过核验的报送包不计入合计，原因见“未通过核验”表。"
NOTE_UNSIGNED = ("核验结果为“未签名”的是直接读取的 .yibao 报告文件：内容无法用签名核验，已按所填数据计入合计，"
                 "请向报送单位核实或索取签名的报送包。")
NOTE_UNTRUSTED = "“签名人未确认”表示文件完好、未被改动，但签名证书不在受信任证书之中（请用报送单位的公钥证书核验）。"
NOTE_EVIDENCE = "佐证材料：报告所列佐证材料的份数；报送包中的每一份都已按校验值核对。"
NO_ENTRIES = "没有可计入汇总的报告（全部未通过核验）"
NO_FAILURES = "全部报送包均通过核验"


class _Grid(Grid):
    def header(self, columns: Sequence[tuple[str, float]]) -> None:
        for col, (text, _) in enumerate(columns):
            self.put(0, col, "head", text)

    def figure(self, row: int, col: int, kind: str, value: Decimal | int | None) -> None:
        """A typed value; '—' when there is none."""
        if value is None:
            self.put(row, col, "center", fmt.DASH)
        else:
            self.put(row, col, kind, value=Decimal(value))


def _widths(columns: Sequence[tuple[str, float]]) -> tuple[float, ...]:
    return tuple(w for _, w in columns)


def when(value: datetime | None) -> str:
    """A manifest time as the county's clock wrote it: '2025-01-20 10:30'."""
    return fmt.DASH if value is None else value.strftime("%Y-%m-%d %H:%M")


def trusted_text(entry: Entry) -> str:
    if not entry.signed:
        return "否（未签名）"
    return "是" if entry.trusted else "否"


def counts_line(summary: Summary) -> str:
    counted = len(summary.entries)
    extra = []
    if summary.unsigned:
        extra.append(f"未签名 {len(summary.unsigned)} 个")
    if summary.untrusted:
        extra.append(f"签名人未确认 {len(summary.untrusted)} 个")
    inner = f"（其中{'、'.join(extra)}）" if extra else ""
    return (f"共核验 {summary.checked} 个：计入汇总 {counted} 个{inner}，重复 {len(summary.duplicates)} 个，"
            f"未通过核验 {len(summary.failures)} 个")


def summary_notes(summary: Summary) -> tuple[str, ...]:
    notes = [NOTE_PROGRESS, NOTE_FAILED]
    if summary.unsigned:
        notes.append(NOTE_UNSIGNED)
    if summary.untrusted:
        notes.append(NOTE_UNTRUSTED)
    if any(e.evidence for e in summary.entries):
        notes.append(NOTE_EVIDENCE)
    return tuple(notes)


def _entry_row(grid: _Grid, row: int, n: int | None, entry: Entry, money: tuple[Decimal, Decimal, Decimal],
               verdict: str) -> None:
    put, figure = grid.put, grid.figure
    put(row, 0, "center", "" if n is None else str(n))
    put(row, 1, "text", entry.unit)
    put(row, 2, "center", entry.fund_label)
    put(row, 3, "number", value=Decimal(entry.year))
    for col, value in zip((4, 5, 7), money):
        put(row, col, "money", value=value)
    figure(row, 6, "pct", entry.progress)
    figure(row, 8, "score", entry.total_score)
    put(row, 9, "center", entry.grade)
    figure(row, 10, "number", entry.unmet)
    figure(row, 11, "number", entry.errors)
    figure(row, 12, "number", entry.warnings)
    put(row, 13, "center", entry.signer or fmt.DASH)
    put(row, 14, "center", short_fingerprint(entry.fingerprint) if entry.fingerprint else fmt.DASH)
    put(row, 15, "center", trusted_text(entry))
    figure(row, 16, "number", entry.evidence)
    put(row, 17, "center", verdict)


def _group_rows(grid: _Grid, row: int, group: Group, last_col: int) -> int:
    """The group's heading, rows, 合计 and superseded rows from `row` on; returns the next row."""
    put, figure = grid.put, grid.figure
    put(row, 0, "label", f"{group.label}　{len(group.entries)} 个单位", to_col=last_col)
    row += 1
    entries, totals = group.entries, group.totals
    available, shown_available = fmt.parts([e.available for e in entries], totals.available, MONEY_UNIT)
    paid, shown_paid = fmt.parts([e.paid for e in entries], totals.paid, MONEY_UNIT)
    balance, shown_balance = fmt.parts([e.balance for e in entries], totals.balance, MONEY_UNIT)
    for n, entry in enumerate(entries):
        _entry_row(grid, row, n + 1, entry, (available[n], paid[n], balance[n]), entry.verdict)
        row += 1
    put(row, 0, "label", "合计", to_col=3)
    for col, value in zip((4, 5, 7), (shown_available, shown_paid, shown_balance)):
        put(row, col, "money", value=value)
    figure(row, 6, "pct", totals.progress)
    put(row, 8, "center", "")
    put(row, 9, "center", "")
    figure(row, 10, "number", totals.unmet)
    figure(row, 11, "number", totals.errors)
    figure(row, 12, "number", totals.warnings)
    put(row, 13, "center", "", to_col=15)
    figure(row, 16, "number", totals.evidence)
    put(row, 17, "center", "")
    row += 1
    if group.superseded:
        put(row, 0, "text", f"以下 {len(group.superseded)} 个报送包与上列单位的资金、年度相同，已被取代（保留签名的、"
                            f"清单时间较新的报送包），不计入合计：", to_col=last_col)
        row += 1
        for dup in group.superseded:
            e = dup.entry
            money = tuple(fmt.in_unit(v, MONEY_UNIT) for v in (e.available, e.paid, e.balance))
            _entry_row(grid, row, None, e, money, dup.verdict)  # type: ignore[arg-type]
            row += 1
    return row


def summary_form(summary: Summary) -> Form:
    grid = _Grid()
    grid.header(SUMMARY_COLUMNS)
    last_col = len(SUMMARY_COLUMNS) - 1
    row = 1
    for group in summary.groups:
        row = _group_rows(grid, row, group, last_col)
    if not summary.groups:
        grid.put(row, 0, "center", NO_ENTRIES, to_col=last_col)
        row += 1
    return Form("aggregate_summary", SUMMARY_TITLE, f"{counts_line(summary)}　　金额单位：{MONEY_UNIT}",
                _widths(SUMMARY_COLUMNS), tuple(grid.cells), row, 0, summary_notes(summary))


def _target(fig: IndicatorFigure) -> str:
    if fig.target_text:
        return fig.target_text
    return fmt.DASH if fig.target is None else fmt.number(fig.target) + fig.unit


def _indicator_row(grid: _Grid, row: int, unit: str, fig: IndicatorFigure) -> None:
    put, figure = grid.put, grid.figure
    put(row, 4, "text", unit)
    put(row, 5, "center", _target(fig))
    if fig.qualitative:
        put(row, 6, "center", fig.grade or "未评级")
    elif fig.actual is None:
        put(row, 6, "center", fmt.DASH)
    else:
        put(row, 6, "actual", value=fig.actual, unit=fig.unit)
    figure(row, 7, "pct", fig.completion)
    put(row, 8, "center", "是" if fig.met else "否")
    figure(row, 9, "number", fig.weight)
    figure(row, 10, "score", fig.score)


def indicator_form(summary: Summary) -> Form:
    grid = _Grid()
    grid.header(INDICATOR_COLUMNS)
    last_col = len(INDICATOR_COLUMNS) - 1
    row = 1
    for group in summary.groups:
        grid.put(row, 0, "label", f"{group.label}　{len(group.entries)} 个单位，{len(group.indicators)} 项三级指标",
                 to_col=last_col)
        row += 1
        for ind in group.indicators:
            first, last = row, row + len(ind.figures) - 1
            grid.put(first, 0, "label", ind.level1, to_row=last)
            grid.put(first, 1, "label", ind.level2, to_row=last)
            grid.put(first, 2, "text", ind.name, to_row=last)
            grid.put(first, 3, "center", f"{ind.met_count}/{len(ind.figures)} 达成", to_row=last)
            for unit, fig in ind.figures:
                _indicator_row(grid, row, unit, fig)
                row += 1
    if not summary.groups:
        grid.put(row, 0, "center", NO_ENTRIES, to_col=last_col)
        row += 1
    return Form("aggregate_indicators", "绩效指标完成情况对比表", "同一资金、年度内按一级、二级、三级指标名称对齐；“达成情况”为达成的单位数 / 填报的单位数",
                _widths(INDICATOR_COLUMNS), tuple(grid.cells), row, 0)


def failures_form(summary: Summary) -> Form:
    grid = _Grid()
    grid.header(FAILURE_COLUMNS)
    row = 1
    for n, failure in enumerate(summary.failures, 1):
        grid.put(row, 0, "center", str(n))
        grid.put(row, 1, "text", failure.name)
        grid.put(row, 2, "text", failure.label or fmt.DASH)
        grid.put(row, 3, "text", failure.reason)
        grid.put(row, 4, "text", failure.source)
        row += 1
    if not summary.failures:
        grid.put(row, 0, "center", NO_FAILURES, to_col=len(FAILURE_COLUMNS) - 1)
        row += 1
    return Form("aggregate_failures", "未通过核验的报送包", "以下报送包未通过核验或无法读取，均不计入汇总",
                _widths(FAILURE_COLUMNS), tuple(grid.cells), row, 0)


def _detail_row(grid: _Grid, row: int, n: int, entry: Entry, verdict: str) -> None:
    put = grid.put
    put(row, 0, "center", str(n))
    put(row, 1, "text", entry.unit)
    put(row, 2, "center", entry.fund_label)
    put(row, 3, "center", str(entry.year))
    put(row, 4, "center", verdict)
    signer = f"{entry.signer}（{entry.signer_unit}）" if entry.signer_unit else entry.signer
    put(row, 5, "text", signer or fmt.DASH)
    put(row, 6, "text", entry.fingerprint or fmt.DASH)
    put(row, 7, "center", when(entry.created) if entry.signed else f"{when(entry.modified)}（文件修改时间）")
    put(row, 8, "text", entry.source)


def details_form(summary: Summary) -> Form:
    grid = _Grid()
    grid.header(DETAIL_COLUMNS)
    row, n = 1, 0
    for group in summary.groups:
        for entry in group.entries:
            n += 1
            _detail_row(grid, row, n, entry, entry.verdict)
            row += 1
        for dup in group.superseded:
            n += 1
            _detail_row(grid, row, n, dup.entry, dup.verdict)
            row += 1
    if n == 0:
        grid.put(row, 0, "center", NO_ENTRIES, to_col=len(DETAIL_COLUMNS) - 1)
        row += 1
    return Form("aggregate_details", "报送包核验明细", "每个计入汇总或被取代的报送包：核验结果、签名人、证书指纹、报送时间和位置",
                _widths(DETAIL_COLUMNS), tuple(grid.cells), row, 0)


def aggregate_forms(summary: Summary) -> list[tuple[str, Form]]:
    """(sheet name, form) in workbook order."""
    return [(SHEETS["summary"], summary_form(summary)), (SHEETS["indicators"], indicator_form(summary)),
            (SHEETS["failures"], failures_form(summary)), (SHEETS["details"], details_form(summary))]
