"""The concrete table models: incomes, expenditures, fund-operation lines, indicators, level-1 weights."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from yibao_desktop.domain import formatting as fmt
from yibao_desktop.domain import rules
from yibao_desktop.domain.edits import Edit, SetField
from yibao_desktop.domain.errors import ValueParseError
from yibao_desktop.domain.money import ZERO, parse_decimal
from yibao_desktop.domain.report import GRADES, KINDS, LEVELS, NATURES, POOLS, QUALITATIVE, Indicator, pool_of_kind
from yibao_desktop.domain.result import Finding, Result
from yibao_desktop.domain.score_explain import ScoreTexts, score_texts
from yibao_desktop.domain.targets import parse_target
from yibao_desktop.templates import load_template
from yibao_desktop.ui.document import ReportDocument
from yibao_desktop.ui.models.base import (
    COMPUTED_BG,
    CellMarks,
    HANDLED_ROLES,
    ERROR_BG,
    MUTED,
    WARN_BG,
    Column,
    DisplayUnit,
    Index,
    RowTableModel,
)

DISPLAY = Qt.ItemDataRole.DisplayRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
BACKGROUND = Qt.ItemDataRole.BackgroundRole
FOREGROUND = Qt.ItemDataRole.ForegroundRole
ALIGN = Qt.ItemDataRole.TextAlignmentRole
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
CENTER = int(Qt.AlignmentFlag.AlignCenter)


class IncomeModel(RowTableModel):
    row_label = "笔资金来源"

    def __init__(self, rdoc: ReportDocument, unit: DisplayUnit):
        super().__init__(rdoc, "incomes", [
            Column("level", "级次", "enum", LEVELS, 70),
            Column("kind", "类别", "enum", KINDS, 90),
            Column("doc_no", "文号", width=190),
            Column("date", "下达日期", "date", width=100),
            Column("amount", "金额", "money", width=120),
            Column("lottery", "彩票公益金", "bool", width=80, tip="这笔资金是否为彩票公益金（医疗救助资金常有）"),
            Column("note", "备注", width=200),
        ], unit)


class ExpenditureModel(RowTableModel):
    row_label = "笔支出"

    def __init__(self, rdoc: ReportDocument, unit: DisplayUnit):
        def directions() -> list[str]:
            return _suggestions(load_template(rdoc.report.meta.fund_type).directions,
                                (e.direction for e in rdoc.report.expenditures))

        def econ() -> list[str]:
            return _suggestions(load_template(rdoc.report.meta.fund_type).econ_classes,
                                (e.econ_class for e in rdoc.report.expenditures))

        super().__init__(rdoc, "expenditures", [
            Column("project", "项目名称", width=200),
            Column("direction", "支出方向", "text", directions, 140, extra={"suggest": True}),
            Column("econ_class", "经济科目", "text", econ, 100, extra={"suggest": True}),
            Column("pool", "资金来源", "enum", POOLS, 80),
            Column("budget", "预算", "money", width=110, optional=True),
            Column("paid", "已支付", "money", width=110),
            Column("paid_on", "支付日期", "date", width=100),
            Column("level", "资金级次", "enum", LEVELS, 80, optional=True,
                   tip="这笔支出由哪一级次的资金支付；填写后，分级次的执行数是实数而不是按比例估算"),
            Column("refund", "退回", "bool", width=60,
                   tip="退回或冲减以前的支付：金额填负数并勾选此项（未勾选的负数支出是错误）"),
        ], unit)

    def choices(self, row: int, column: int) -> list[str]:
        """资金级次: the levels with income in the line's pool (any level when none has)."""
        col = self.columns[column]
        if col.field != "level" or row >= self._count:
            return super().choices(row, column)
        pool = self.rows()[row].pool
        have = {i.level for i in self.rdoc.report.incomes if pool_of_kind(i.kind) == pool and i.amount}
        return [""] + ([lvl for lvl in LEVELS if lvl in have] or list(LEVELS))

    def state(self) -> Any:
        marks: dict[int, list[tuple[str, str]]] = {}
        for where, f in findings_by_where(self.rdoc.result).items():
            if f.where.collection == "expenditures" and f.where.index is not None:
                marks.setdefault(f.where.index, []).append((where, f.severity))
        return self._rows, marks

    def changed_rows(self, old: Any, new: Any) -> list[int]:
        (old_rows, old_marks), (new_rows, new_marks) = old, new
        changed = set() if old_rows is new_rows else set(super().changed_rows(old_rows, new_rows))
        changed.update(i for i in old_marks.keys() | new_marks.keys() if old_marks.get(i) != new_marks.get(i))
        return sorted(i for i in changed if i < len(new_rows))

    def extra_data(self, row: int, col: Column, role: int) -> Any:
        if role in (BACKGROUND, TOOLTIP):
            f = findings_by_where(self.rdoc.result).get(f"expenditures[{row}].{col.field}")
            if f is not None:
                return (ERROR_BG if f.is_error else WARN_BG) if role == BACKGROUND else f.message
        return None


_findings_index: list[Any] = [None, {}]


def findings_by_where(result: Result) -> dict[str, Finding]:
    """The first finding for each place (`where` as text), indexed once per compute result."""
    findings = result.findings
    if _findings_index[0] is not findings:
        index: dict[str, Finding] = {}
        for f in findings:
            index.setdefault(str(f.where), f)
        _findings_index[0], _findings_index[1] = findings, index
    return _findings_index[1]


class FundOpLineModel(RowTableModel):
    row_label = "行"

    def __init__(self, rdoc: ReportDocument, side: str, unit: DisplayUnit):
        self.side = side
        super().__init__(rdoc, f"fund_operation.{side}", [
            Column("category", "项目", width=200),
            Column("budget", "预算数", "money", width=130, optional=True),
            Column("actual", "实际数", "money", width=130),
            Column(None, "占比%", "computed", width=80),
        ], unit)

    def state(self) -> Any:
        fo = self.rdoc.result.fund_operation
        return self._rows, (tuple(s.share for s in getattr(fo, f"{self.side}_shares")) if fo else ())

    def changed_rows(self, old: Any, new: Any) -> list[int]:
        if old[1] != new[1]:  # a share moved: every row's share may have changed
            return list(range(len(new[0])))
        return super().changed_rows(old[0], new[0])

    def computed_data(self, row: int, col: Column, role: int) -> Any:
        fo = self.rdoc.result.fund_operation
        if fo is None:
            return None
        shares = getattr(fo, f"{self.side}_shares")
        if role == DISPLAY and row < len(shares):
            return fmt.pct_number(shares[row].share)
        if role == ALIGN:
            return RIGHT
        if role == BACKGROUND:
            return COMPUTED_BG
        return None


PERCENT_UNITS = ("%", "％")


def _target_fields(text: str, current: Indicator) -> dict[str, Any]:
    """The fields kept in step with a 指标值 text (none when the text is not understood)."""
    spec = parse_target(text)
    if not spec.ok:
        return {}
    out: dict[str, Any] = {"nature": spec.nature, "target": spec.value}
    if spec.unit or spec.qualitative:
        out["unit"] = spec.unit
    if spec.qualitative and current.nature != QUALITATIVE:
        out["actual"] = None
    return out


def _suggestions(template_values: Sequence[str], used: Any) -> list[str]:
    out = list(dict.fromkeys(template_values))
    for value in used:
        if value and value not in out:
            out.append(value)
    return out


# ------------------------------------------------------------------------------------ indicators

IND_COLUMNS = [
    Column("level1", "一级指标", "text", width=90, extra={"suggest": True}),
    Column("level2", "二级指标", "text", width=100, extra={"suggest": True}),
    Column("name", "三级指标", width=200),
    Column("target_text", "指标值", width=90, tip="如 ≥90%、＞85%、不低于95%、全覆盖、≤10%、0起、有所提升"),
    Column("nature", "性质", "enum", NATURES, 55, optional=True),
    Column("unit", "单位", width=55),
    Column("weight", "分值", "number", width=55),
    Column("actual", "实际完成值", "number", width=90, optional=True),
    Column("numerator", "分子", "number", width=80, optional=True, tip="实际完成值也可由 分子 ÷ 分母 计算"),
    Column("denominator", "分母", "number", width=80, optional=True),
    Column("grade", "评级", "enum", GRADES, 80, optional=True, tip="定性指标的评级"),
    Column(None, "完成率%", "computed", width=75, extra={"key": "completion"}),
    Column(None, "达成", "computed", width=50, extra={"key": "met"}),
    Column(None, "得分", "computed", width=60, extra={"key": "score"}),
    Column("score", "人工得分", "number", width=75, optional=True,
           tip="定性指标：在评级区间内填写得分；定量指标：人工调整得分（须填写理由）"),
    Column("override_reason", "调整理由", width=140),
    Column(None, "定性区间", "computed", width=95, extra={"key": "band"}),
    Column("baseline", "上年实际", "number", width=75, optional=True, tip="上年实际完成值（由上年度文件新建时带入）"),
    Column(None, "同比", "computed", width=70, extra={"key": "yoy"}),
    Column("deviation_reason", "偏差原因分析及改进措施", width=260),
]
IND_COL = {c.header: i for i, c in enumerate(IND_COLUMNS)}
# Columns of long texts, edited in a multi-line editor (ui/text_delegate.py).
LONG_TEXT_COLUMNS = ("偏差原因分析及改进措施", "调整理由")


class IndicatorModel(RowTableModel):
    row_label = "个指标"

    def __init__(self, rdoc: ReportDocument, unit: DisplayUnit):
        super().__init__(rdoc, "indicators", IND_COLUMNS, unit)

    def state(self) -> Any:
        return self._rows, self.rdoc.result.indicators

    def changed_rows(self, old: Any, new: Any) -> list[int]:
        (old_rows, old_res), (new_rows, new_res) = old, new
        # A row repaints when it, its result or the row above (grouped level names) changed.
        return [i for i in range(len(new_rows))
                if old_rows[i] is not new_rows[i] or old_res[i] is not new_res[i]
                or (i and old_rows[i - 1] is not new_rows[i - 1])]

    def is_editable(self, row: int, column: int) -> bool:
        col = self.columns[column]
        if col.kind == "computed":
            return False
        if col.field == "grade" and row < self._count:
            return self.rows()[row].nature == QUALITATIVE or self.rows()[row].grade is not None
        return True

    def number_unit(self, row: int) -> str:
        return self.rows()[row].unit if row < self._count else ""

    def new_row(self) -> Indicator:
        rows = self.rows()
        last = rows[-1] if rows else None
        first = self.rdoc.report.scoring.level1_weights[0][0] if self.rdoc.report.scoring.level1_weights else ""
        return Indicator(level1=last.level1 if last else first, level2=last.level2 if last else "",
                         weight=Decimal(0))

    def edits_for(self, row: int, column: int, value: Any) -> list[Edit]:
        col = self.columns[column]
        edits: list[Edit] = [SetField("indicators", row, col.field, value)]
        if col.field == "target_text" and value:
            edits += [SetField("indicators", row, name, v)
                      for name, v in _target_fields(value, self.rows()[row]).items()]
        return edits

    def complete_row(self, row: Indicator) -> Indicator:
        """A pasted row's nature, target and unit follow its 指标值 text, as when it is typed."""
        return replace(row, **_target_fields(row.target_text, row)) if row.target_text else row

    def parse(self, row: int, column: int, text: str) -> Any:
        value = super().parse(row, column, text)
        if self.columns[column].field == "score" and value is not None and row < self._count:
            weight = self.rows()[row].weight
            if rules.score_out_of_range(value, weight):
                raise ValueParseError(f"人工得分应在 0 至该指标分值 {fmt.number(weight)} 之间")
        return value

    def hint_for(self, row: int, column: int, value: Any, text: str) -> str | None:
        """0.886 typed for a % indicator probably means 88.6%: said, not refused."""
        field = self.columns[column].field
        if (field in ("actual", "baseline") and value is not None and ZERO < value < 1
                and self.number_unit(row) in PERCENT_UNITS and not any(p in text for p in PERCENT_UNITS)):
            meant = fmt.number((value * 100).normalize())
            return (f"第 {row + 1} 行「{self.columns[column].header}」填的是 {fmt.number(value)}，该指标单位为 %："
                    f"是否为 {meant}%？如是，请改填 {meant}。")
        return None

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if role not in HANDLED_ROLES or not index.isValid() or index.row() >= self._count:
            return None
        col = self.columns[index.column()]
        row = index.row()
        if role == DISPLAY and col.field in ("level1", "level2") and row > 0:
            # Grouped display: a level name is shown where its group starts.
            rows = self.rows()
            same = rows[row].level1 == rows[row - 1].level1 and (
                col.field == "level1" or rows[row].level2 == rows[row - 1].level2)
            if same:
                return ""
        return super().data(index, role)

    def computed_data(self, row: int, col: Column, role: int) -> Any:
        res = self.rdoc.result.indicators[row]
        key = col.extra["key"]
        if role == DISPLAY:
            if key == "met":
                if res.qualitative and res.grade is None or (not res.qualitative and res.actual is None):
                    return fmt.DASH
                return "✓" if res.met else "✗"
            if key == "band":
                return f"{fmt.score(res.band[0])}–{fmt.score(res.band[1])}" if res.band else ""
            if key == "yoy":
                return "" if res.yoy is None else fmt.points(res.yoy.change)
            if key == "completion":
                return fmt.pct_number(res.completion)
            return fmt.score(res.score)
        if role == TOOLTIP:
            explain = res.explain
            if key == "score":
                return "\n".join(x for x in (explain.actual, explain.score) if x) or None
            if key == "completion":
                return "\n".join(x for x in (explain.actual, explain.completion) if x) or None
            if key == "band" and res.band:
                return f"评级「{res.grade}」的得分区间（{rules.band_text()} 的分值）"
            if key == "met":
                return "已达成目标" if res.met else "未达成目标，须填写偏差原因分析及改进措施"
            if key == "yoy" and res.yoy:
                yoy = res.yoy
                return (f"同比变化 = 本年 {fmt.number(yoy.actual)} − 上年 {fmt.number(yoy.baseline)} = "
                        f"{fmt.points(yoy.change)}")
        if role == ALIGN:
            return CENTER if key == "met" else RIGHT
        if role == BACKGROUND:
            if key == "met" and res.needs_reason:
                return ERROR_BG if res.reason_missing else WARN_BG
            return COMPUTED_BG
        if role == FOREGROUND and key == "met" and not res.met:
            return MUTED if res.actual is None and not res.qualitative else None
        return None

    def extra_data(self, row: int, col: Column, role: int) -> Any:
        res = self.rdoc.result.indicators[row]
        if col.field == "deviation_reason" and res.reason_missing:
            if role == BACKGROUND:
                return ERROR_BG
            if role == TOOLTIP:
                return "该指标未达成（或超额完成），须填写偏差原因分析及改进措施"
        if col.field == "override_reason" and res.overridden and not self.rows()[row].override_reason.strip():
            if role == BACKGROUND:
                return ERROR_BG
            if role == TOOLTIP:
                return "人工调整得分须填写理由"
        if col.field == "target_text" and role == BACKGROUND and res.nature is None:
            return ERROR_BG
        if role == FOREGROUND and col.field == "grade" and self.rows()[row].nature != QUALITATIVE:
            return MUTED
        if role == TOOLTIP and col.field in ("level1", "level2"):
            r = self.rows()[row]
            return f"{r.level1} › {r.level2} › {r.name}"
        return None


# ------------------------------------------------------------------------------ level-1 weights


class Level1Model(QAbstractTableModel):
    """Level-1 weights (editable name and weight) with their indicator-weight sums and scores, then
    the budget-execution row and the total."""

    HEADERS = ("一级指标", "权重", "三级指标分值合计", "得分")

    def __init__(self, rdoc: ReportDocument):
        super().__init__()
        self.rdoc = rdoc
        self._count = self._rows()
        self.marks = CellMarks()
        self._texts: tuple[Result, ScoreTexts] | None = None
        rdoc.changed.connect(self._on_document_changed)
        rdoc.structure_changed.connect(self._on_document_structure_changed)

    def _rows(self) -> int:
        return len(self.rdoc.report.scoring.level1_weights) + 2

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        if role == DISPLAY and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        n = len(self.rdoc.report.scoring.level1_weights)
        if (index.row() < n and index.column() in (0, 1)) or (index.row() == n and index.column() == 1):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid() or index.row() >= self._count:
            return None
        if self.marks.bad:
            marked = self.marks.data(index.row(), index.column(), role)
            if marked is not None:
                return marked
        result = self.rdoc.result
        weights = self.rdoc.report.scoring.level1_weights
        n = len(weights)
        row, column = index.row(), index.column()
        level = next((l for l in result.level1 if l.name == weights[row][0]), None) if row < n else None
        be = result.budget_execution
        if role in (DISPLAY, Qt.ItemDataRole.EditRole):
            if row < n:
                values = (weights[row][0], fmt.number(weights[row][1]),
                          fmt.number(level.indicator_weight) if level else "", fmt.score(level.score) if level else "")
                return values[column]
            if row == n:
                return ("预算执行率", fmt.number(be.weight), f"执行率 {fmt.pct(be.rate)}", fmt.score(be.score))[column]
            return ("合计", fmt.number(result.total_weight), f"等级：{fmt.label(result.grade)}", fmt.score(result.total_score))[column]
        if role == ALIGN and column > 0:
            return RIGHT
        if role == BACKGROUND:
            if level is not None and column == 2 and level.indicator_weight != weights[row][1]:
                return ERROR_BG
            if column >= 2 or row > n:
                return COMPUTED_BG
        if role == TOOLTIP:
            return self._tooltip(row, column, level)
        return None

    def _tooltip(self, row: int, column: int, level: Any) -> str | None:
        """How the row's figures come about, with the numbers (domain/score_explain, read from
        the compute result; made once per result)."""
        result = self.rdoc.result
        if self._texts is None or self._texts[0] is not result:
            self._texts = (result, score_texts(result, self.rdoc.report.scoring.grade_labels))
        texts = self._texts[1]
        n = len(self.rdoc.report.scoring.level1_weights)
        if row < n:
            name = self.rdoc.report.scoring.level1_weights[row][0]
            return (texts.weights if column in (1, 2) else texts.level1).get(name)
        if row == n:
            return texts.budget
        return texts.total_weight if column == 1 else texts.total

    def _edits(self, index: Index, text: str) -> tuple[list[Edit], str]:
        """The edits (and undo text) that set a cell to `text`; ValueParseError if not understood."""
        weights = list(self.rdoc.report.scoring.level1_weights)
        n = len(weights)
        text = str(text).strip()
        if index.column() == 1:
            number = parse_decimal(text)
            if index.row() == n:
                return [SetField("scoring", None, "budget_execution_weight", number)], "修改预算执行率权重"
            weights[index.row()] = (weights[index.row()][0], number)
            return [SetField("scoring", None, "level1_weights", tuple(weights))], "修改一级指标权重"
        old_name = weights[index.row()][0]
        if text == old_name:
            return [], "重命名一级指标"
        if not text or any(name == text for i, (name, _) in enumerate(weights) if i != index.row()):
            raise ValueParseError("名称不能为空，也不能与其他一级指标重复")
        weights[index.row()] = (text, weights[index.row()][1])
        # Indicators under the old name follow the rename in the same undo step.
        edits: list[Edit] = [SetField("scoring", None, "level1_weights", tuple(weights))]
        edits += [SetField("indicators", i, "level1", text)
                  for i, ind in enumerate(self.rdoc.report.indicators) if ind.level1 == old_name]
        return edits, "重命名一级指标"

    def check_text(self, index: Index, text: str) -> str | None:
        try:
            self._edits(index, text)
        except ValueParseError as err:
            return str(err)
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not (self.flags(index) & Qt.ItemFlag.ItemIsEditable):
            return False
        text = "" if value is None else str(value)
        try:
            edits, label = self._edits(index, text)
        except ValueParseError as err:
            self.marks.bad[(index.row(), index.column())] = (text.strip(), str(err))  # shown in the cell
            self.dataChanged.emit(index, index)
            return False
        if (index.row(), index.column()) in self.marks.bad:
            self.marks.clear(index.row(), index.column())
            self.dataChanged.emit(index, index)
        return self.rdoc.apply(edits, label)

    def _on_document_structure_changed(self, _collection: str) -> None:
        self._on_document_changed()

    def _on_document_changed(self) -> None:
        count = self._rows()
        if count != self._count:
            self.marks.reset()
            self.beginResetModel()
            self._count = count
            self.endResetModel()
        else:
            self.dataChanged.emit(self.index(0, 0), self.index(count - 1, len(self.HEADERS) - 1))
