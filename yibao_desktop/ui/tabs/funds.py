"""资金: income and expenditure lines, the summary computed from them, and (for 城乡居民医保) the
fund-operation block."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from yibao_desktop.domain.edits import SetField
from yibao_desktop.domain.errors import ValueParseError
from yibao_desktop.domain.money import WAN, fmt_money, fmt_num, parse_money
from yibao_desktop.domain.report import FundOperation
from yibao_desktop.domain.values import parse_number_text
from yibao_desktop.ui import errors
from yibao_desktop.ui.document import ReportDocument
from yibao_desktop.ui.models.base import DisplayUnit
from yibao_desktop.ui.models.tables import ExpenditureModel, FundOpLineModel, IncomeModel
from yibao_desktop.ui.tabs.common import TableSection

FO_FIELDS = [
    ("income_total", "收入合计（填报）", "money"), ("expense_total", "支出合计（填报）", "money"),
    ("year_balance", "当年结余（填报）", "money"), ("closing_balance", "累计结余", "money"),
    ("insured_persons", "参保人数", "int"), ("registered_population", "户籍人口", "int"),
    ("resident_population", "常住人口", "int"),
]


class FundsTab(QWidget):
    def __init__(self, rdoc: ReportDocument, unit: DisplayUnit):
        super().__init__()
        self.rdoc = rdoc
        self.unit = unit
        outer = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("金额显示单位："))
        self.unit_group = QButtonGroup(self)
        for i, label in enumerate(("元", "万元")):
            radio = QRadioButton(label)
            radio.setChecked(i == int(unit.wan))
            self.unit_group.addButton(radio, i)
            bar.addWidget(radio)
        self.unit_group.idToggled.connect(self._on_unit_toggled)
        bar.addWidget(QLabel("<span style='color:#5a6472'>（文件中始终按元保存；输入“12.5万”也可）</span>"))
        bar.addStretch(1)
        outer.addLayout(bar)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.incomes = TableSection("资金来源", IncomeModel(rdoc, unit))
        self.expenditures = TableSection("支出明细", ExpenditureModel(rdoc, unit))
        left_layout.addWidget(self.incomes, 2)
        left_layout.addWidget(self.expenditures, 5)
        self.fund_op = FundOperationBox(rdoc, unit)
        left_layout.addWidget(self.fund_op, 3)
        splitter.addWidget(left)
        self.summary_model = SummaryModel()
        self.summary = QTableView()
        self.summary.setModel(self.summary_model)
        self.summary.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.summary.verticalHeader().setVisible(False)
        self.summary.verticalHeader().setDefaultSectionSize(24)
        self.summary.horizontalHeader().setVisible(False)
        self.summary.setShowGrid(False)
        self.summary.setColumnWidth(0, 150)
        self.summary.horizontalHeader().setStretchLastSection(True)
        splitter.addWidget(self.summary)
        self._shown_funds: tuple[object, bool, object] | None = None
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([820, 440])
        outer.addWidget(splitter, 1)
        rdoc.changed.connect(self._on_document_changed)
        unit.changed.connect(self._on_document_changed)
        self._on_document_changed()

    def _on_unit_toggled(self, button_id: int, checked: bool) -> None:
        if checked:
            self.unit.set_wan(button_id == 1)

    def _money(self, yuan: str) -> str:
        return fmt_money(Decimal(yuan) / WAN) if self.unit.wan else yuan

    def _on_document_changed(self) -> None:
        self.fund_op.setVisible(self.rdoc.report.fund_operation is not None
                                or self.rdoc.report.meta.fund_type == "resident_insurance")
        funds, yoy = self.rdoc.result["funds"], self.rdoc.result["funds_yoy"]
        shown = self._shown_funds
        if shown is not None and shown[0] is funds and shown[1] == self.unit.wan and shown[2] == yoy:
            return  # compute reused the funds figures: nothing to redraw
        self._shown_funds = (funds, self.unit.wan, yoy)
        scroll = self.summary.verticalScrollBar().value()
        self.summary_model.set_rows(summary_rows(funds, self.unit, yoy))
        self.summary.verticalScrollBar().setValue(scroll)

    def summary_text(self) -> str:
        """The summary as plain text (one line per row), for tests and copying."""
        return "\n".join("\t".join(row.cells) for row in self.summary_model.rows)


class SummaryRow:
    __slots__ = ("cells", "style")

    def __init__(self, cells: tuple[str, ...], style: str = ""):
        self.cells = cells
        self.style = style  # "" | "title" | "head"


def summary_rows(funds: dict[str, Any], unit: DisplayUnit, yoy: dict[str, Any] | None = None) -> list[SummaryRow]:
    u = unit.label

    def m(yuan: str) -> str:
        return fmt_money(Decimal(yuan) / WAN) if unit.wan else yuan

    def pct(v: str | None) -> str:
        return "—" if v is None else f"{v}%"

    rows = [SummaryRow((f"资金汇总（{u}）",), "title"),
            SummaryRow(("", "可用资金", "已支出", "结余", "支出进度"), "head"),
            SummaryRow(("上年结转", m(funds["carried"]), m(funds["paid_carried"]), m(funds["balance_carried"]),
                        pct(funds["progress_carried"]))),
            SummaryRow(("当年下达", m(funds["allocated"]), m(funds["paid_allocated"]), m(funds["balance_allocated"]),
                        pct(funds["progress_allocated"]))),
            SummaryRow(("合计", m(funds["available"]), m(funds["paid"]), m(funds["balance"]), pct(funds["progress"])))]
    if yoy:
        rows += [SummaryRow((f"同比（{u}）",), "title"),
                 SummaryRow(("", "可用资金", "已支出", "支出进度"), "head"),
                 SummaryRow((f"上年（{yoy['last_year']}）", m(yoy["last_available"]), m(yoy["last_paid"]),
                             pct(yoy["last_progress"]))),
                 SummaryRow(("本年", m(funds["available"]), m(funds["paid"]), pct(funds["progress"]))),
                 SummaryRow(("变化", "", m(yoy["paid_change"]),
                             "—" if yoy["progress_change"] is None else f"{yoy['progress_change']} 个百分点"))]
    if funds["by_level"]:
        rows += [SummaryRow((f"按资金级次（{u}）",), "title"), SummaryRow(("级次", "到位", "已支出", "结余"), "head")]
        rows += [SummaryRow((b["level"], m(b["amount"]), m(b["paid"]), m(b["balance"]))) for b in funds["by_level"]]
    for key, title in (("by_direction", "按支出方向"), ("by_size", "按项目规模"), ("by_econ_class", "按经济科目")):
        rows += [SummaryRow((f"{title}（{u}）",), "title"), SummaryRow(("类别", "项目数", "金额", "占比"), "head")]
        rows += [SummaryRow((b["name"], str(b["count"]), m(b["amount"]), pct(b["share"]))) for b in funds[key]]
    rows.append(SummaryRow((f"单个项目支出10万元及以上（{u}）",), "title"))
    if funds["large_projects"]:
        rows.append(SummaryRow(("项目", "已支出"), "head"))
        rows += [SummaryRow((p["project"], m(p["paid"]))) for p in funds["large_projects"]]
    else:
        rows.append(SummaryRow(("无",)))
    return rows


class SummaryModel(QAbstractTableModel):
    """The read-only funds summary: titled blocks of rows; only the visible rows are ever painted."""

    COLUMNS = 5

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[SummaryRow] = []

    def set_rows(self, rows: list[SummaryRow]) -> None:
        """Same shape: repaint only the rows whose text changed; otherwise reset."""
        old = self.rows
        if len(old) != len(rows) or any(a.style != b.style for a, b in zip(old, rows)):
            self.beginResetModel()
            self.rows = rows
            self.endResetModel()
            return
        self.rows = rows
        for i, (a, b) in enumerate(zip(old, rows)):
            if a.cells != b.cells:
                self.dataChanged.emit(self.index(i, 0), self.index(i, self.COLUMNS - 1))

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else self.COLUMNS

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return row.cells[column] if column < len(row.cells) else None
        if role == Qt.ItemDataRole.FontRole and row.style:
            font = QFont()
            font.setBold(True)
            if row.style == "title":
                font.setPointSizeF(font.pointSizeF() * 1.1)
            return font
        if role == Qt.ItemDataRole.BackgroundRole and row.style == "head":
            return QBrush(QColor("#eef2f7"))
        if role == Qt.ItemDataRole.TextAlignmentRole and column > 0 and not row.style == "title":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class FundOperationBox(QGroupBox):
    """城乡居民医保 fund operation: income/expense lines and the typed totals and populations."""

    def __init__(self, rdoc: ReportDocument, unit: DisplayUnit):
        super().__init__("基金运行情况")
        self.rdoc = rdoc
        self.unit = unit
        layout = QHBoxLayout(self)
        self.enable = QPushButton("启用基金运行情况")
        self.enable.clicked.connect(self._on_enable_clicked)
        layout.addWidget(self.enable)
        self.income = TableSection("基金收入", FundOpLineModel(rdoc, "income", unit))
        self.expense = TableSection("基金支出", FundOpLineModel(rdoc, "expense", unit))
        layout.addWidget(self.income, 3)
        layout.addWidget(self.expense, 3)
        form_box = QWidget()
        form = QFormLayout(form_box)
        self.fields: dict[str, QLineEdit] = {}
        for name, label, kind in FO_FIELDS:
            edit = QLineEdit()
            edit.editingFinished.connect(lambda n=name, k=kind: self._on_field_edited(n, k))
            form.addRow(label, edit)
            self.fields[name] = edit
        self.derived = QLabel()
        self.derived.setWordWrap(True)
        form.addRow(self.derived)
        layout.addWidget(form_box, 2)
        rdoc.changed.connect(self._on_document_changed)
        unit.changed.connect(self._on_document_changed)
        self._on_document_changed()

    def _on_enable_clicked(self) -> None:
        self.rdoc.apply([SetField("root", None, "fund_operation", FundOperation())], "启用基金运行情况")

    def _text(self, kind: str, value: Any) -> str:
        if value is None:
            return ""
        if kind == "money":
            return fmt_num((value / WAN).normalize()) if self.unit.wan else fmt_money(value)
        return str(value)

    def _on_document_changed(self) -> None:
        fo = self.rdoc.report.fund_operation
        active = fo is not None
        self.enable.setVisible(not active)
        for widget in (self.income, self.expense):
            widget.setVisible(active)
        for name, _label, kind in FO_FIELDS:
            edit = self.fields[name]
            edit.setEnabled(active)
            text = self._text(kind, getattr(fo, name)) if fo else ""
            if not edit.hasFocus() and edit.text() != text:
                edit.setText(text)
            edit.setPlaceholderText(self.unit.label if kind == "money" else "人")
        out = self.rdoc.result.get("fund_operation")
        if out:
            self.derived.setText(
                f"收入执行率 {out['income_execution'] or '—'}%　支出执行率 {out['expense_execution'] or '—'}%<br>"
                f"可支付月数 {out['months_payable'] or '—'}　参保率（户籍）{out['coverage_registered'] or '—'}%"
                f"　参保率（常住）{out['coverage_resident'] or '—'}%")
        else:
            self.derived.setText("")

    def _on_field_edited(self, name: str, kind: str) -> None:
        fo = self.rdoc.report.fund_operation
        if fo is None:
            return
        text = self.fields[name].text().strip()
        try:
            if not text:
                value = None
            elif kind == "money":
                value = parse_money(text, default_unit=self.unit.label)
            else:
                number = parse_number_text(text, "人")
                if number != number.to_integral_value():
                    raise ValueParseError(f"「{text}」应为整数")
                value = int(number)
        except ValueParseError as err:
            errors.show_error(self, "输入有误", f"{err}\n\n原值未改动。")
            self.fields[name].setText(self._text(kind, getattr(fo, name)))
            return
        if value != getattr(fo, name):
            self.rdoc.apply([SetField("fund_operation", None, name, value)], "修改基金运行情况")
