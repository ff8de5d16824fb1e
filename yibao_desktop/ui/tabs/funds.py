"""资金: income and expenditure lines, the summary computed from them, and (for 城乡居民医保) the
fund-operation block on a page of its own, so every table shows at least 8 rows at 1366×768."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Sequence

from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from yibao_desktop.domain import formatting as fmt
from yibao_desktop.domain.edits import SetField
from yibao_desktop.domain.errors import ValueParseError
from yibao_desktop.domain.money import parse_money
from yibao_desktop.domain.report import FundOperation
from yibao_desktop.domain.result import Funds, FundsYoy
from yibao_desktop.domain.values import parse_number_text
from yibao_desktop.ui.document import ReportDocument
from yibao_desktop.ui.models.base import DisplayUnit
from yibao_desktop.ui.models.tables import ExpenditureModel, FundOpLineModel, IncomeModel
from yibao_desktop.ui.tabs.common import TableSection, fit_amount_width
from yibao_desktop.ui.views import PROBLEM_STYLE, FontFit, clear_problem

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
        left = QSplitter(Qt.Orientation.Vertical)
        left.setChildrenCollapsible(False)
        self.incomes = TableSection("资金来源", IncomeModel(rdoc, unit))
        self.expenditures = TableSection("支出明细", ExpenditureModel(rdoc, unit))
        for section in (self.incomes, self.expenditures):
            section.setMinimumHeight(section.height_for_rows(8))
            left.addWidget(section)
        left.setStretchFactor(0, 0)
        left.setStretchFactor(1, 1)
        left.setSizes([self.incomes.minimumHeight(), 4 * self.incomes.minimumHeight()])  # the lines get the rest
        self.lines_splitter = left
        splitter.addWidget(left)
        self.summary_model = SummaryModel()
        self.summary = QTableView()
        self.summary.setModel(self.summary_model)
        self.summary.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.summary.verticalHeader().setVisible(False)
        FontFit(self.summary, 24)  # rows and columns follow the font size (视图 › 字号)
        self.summary.horizontalHeader().setVisible(False)
        self.summary.setShowGrid(False)
        self.summary.setColumnWidth(0, 150)
        self.summary.horizontalHeader().setStretchLastSection(True)
        splitter.addWidget(self.summary)
        self._shown_funds: tuple[object, bool, object] | None = None
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([820, 440])
        # 城乡居民医保's fund operation gets a page of its own (the lines keep their height).
        self.pages = QTabWidget()
        self.pages.setDocumentMode(True)
        self.pages.addTab(splitter, "资金来源与支出")
        self.fund_op = FundOperationBox(rdoc, unit)
        self.pages.addTab(self.fund_op, "基金运行情况")
        outer.addWidget(self.pages, 1)
        rdoc.changed.connect(self._on_document_changed)
        unit.changed.connect(self._on_document_changed)
        self._on_document_changed()

    def _on_unit_toggled(self, button_id: int, checked: bool) -> None:
        if checked:
            self.unit.set_wan(button_id == 1)

    def show_fund_operation(self) -> None:
        self.pages.setCurrentWidget(self.fund_op)

    def _on_document_changed(self) -> None:
        has_fund_op = (self.rdoc.report.fund_operation is not None
                       or self.rdoc.report.meta.fund_type == "resident_insurance")
        self.pages.setTabVisible(1, has_fund_op)
        self.pages.tabBar().setVisible(has_fund_op)
        funds, yoy = self.rdoc.result.funds, self.rdoc.result.funds_yoy
        shown = self._shown_funds
        if shown is not None and shown[0] is funds and shown[1] == self.unit.wan and shown[2] == yoy:
            return  # compute reused the funds figures: nothing to redraw
        self._shown_funds = (funds, self.unit.wan, yoy)
        scroll = self.summary.verticalScrollBar().value()
        self.summary_model.set_rows(summary_rows(funds, self.unit, yoy))
        self.summary.clearSpans()
        for i, row in enumerate(self.summary_model.rows):
            if row.style == "title":  # a block's title runs across the columns, never cut
                self.summary.setSpan(i, 0, 1, SummaryModel.COLUMNS)
        self.summary.verticalScrollBar().setValue(scroll)

    def summary_text(self) -> str:
        """The summary as plain text (one line per row), for tests and copying."""
        return "\n".join("\t".join(row.cells) for row in self.summary_model.rows)


class SummaryRow:
    __slots__ = ("cells", "style")

    def __init__(self, cells: tuple[str, ...], style: str = ""):
        self.cells = cells
        self.style = style  # "" | "title" | "head"


def summary_rows(funds: Funds, unit: DisplayUnit, yoy: FundsYoy | None = None) -> list[SummaryRow]:
    """The funds summary in the display unit. Each block's parts are rounded so that they add up to
    its total as shown (`formatting.parts`), in 万元 as in 元."""
    u = unit.label

    def m(yuan: Decimal | None) -> str:
        return fmt.money(yuan, u)

    def column(parts: Sequence[Decimal], total: Decimal) -> list[str]:
        shown, shown_total = fmt.parts(parts, total, u)
        return [fmt.amount(v) for v in shown] + [fmt.amount(shown_total)]

    available = column([funds.carried, funds.allocated], funds.available)
    paid = column([funds.paid_carried, funds.paid_allocated], funds.paid)
    balance = column([funds.balance_carried, funds.balance_allocated], funds.balance)
    progress = (funds.progress_carried, funds.progress_allocated, funds.progress)
    rows = [SummaryRow((f"资金汇总（{u}）",), "title"),
            SummaryRow(("", "可用资金", "已支出", "结余", "支出进度"), "head")]
    rows += [SummaryRow((label, available[k], paid[k], balance[k], fmt.pct(progress[k])))
             for k, label in enumerate(("上年结转", "当年下达", "合计"))]
    if yoy:
        rows += [SummaryRow((f"同比（{u}）",), "title"),
                 SummaryRow(("", "可用资金", "已支出", "支出进度"), "head"),
                 SummaryRow((f"上年（{yoy.last_year}）", m(yoy.last_available), m(yoy.last_paid),
                             fmt.pct(yoy.last_progress))),
                 SummaryRow(("本年", m(funds.available), m(funds.paid), fmt.pct(funds.progress))),
                 SummaryRow(("变化", "", fmt.signed_money(yoy.paid_change, u),
                             fmt.DASH if yoy.progress_change is None else f"{fmt.points(yoy.progress_change)} 个百分点"))]
    if funds.by_level:
        levels = funds.by_level
        cols = [column([getattr(b, key) for b in levels], total)
                for key, total in (("amount", funds.available), ("paid", funds.paid), ("balance", funds.balance))]
        rows += [SummaryRow((f"按资金级次（{u}）",), "title"), SummaryRow(("级次", "到位", "已支出", "结余"), "head")]
        rows += [SummaryRow((b.level, cols[0][k], cols[1][k], cols[2][k])) for k, b in enumerate(levels)]
    for key, title in (("by_direction", "按支出方向"), ("by_size", "按项目规模"), ("by_econ_class", "按经济科目")):
        groups = getattr(funds, key)
        amounts = column([b.amount for b in groups], funds.paid)
        rows += [SummaryRow((f"{title}（{u}）",), "title"), SummaryRow(("类别", "项目数", "金额", "占比"), "head")]
        rows += [SummaryRow((b.name, str(b.count), amounts[k], fmt.pct(b.share))) for k, b in enumerate(groups)]
    rows.append(SummaryRow((f"单个项目支出10万元及以上（{u}）",), "title"))
    if funds.large_projects:
        rows.append(SummaryRow(("项目", "已支出"), "head"))
        rows += [SummaryRow((p.project, m(p.paid))) for p in funds.large_projects]
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


class FundOperationBox(QWidget):
    """城乡居民医保 fund operation: income/expense lines and the typed totals and populations."""

    def __init__(self, rdoc: ReportDocument, unit: DisplayUnit):
        super().__init__()
        self.rdoc = rdoc
        self.unit = unit
        layout = QVBoxLayout(self)
        self.enable = QPushButton("启用基金运行情况")
        self.enable.clicked.connect(self._on_enable_clicked)
        layout.addWidget(self.enable, 0, Qt.AlignmentFlag.AlignLeft)
        tables = QHBoxLayout()
        self.income = TableSection("基金收入", FundOpLineModel(rdoc, "income", unit))
        self.expense = TableSection("基金支出", FundOpLineModel(rdoc, "expense", unit))
        for section in (self.income, self.expense):
            section.setMinimumHeight(section.height_for_rows(8))
            tables.addWidget(section, 1)
        layout.addLayout(tables, 1)
        form_box = QGroupBox("填报数与人口")
        form = QGridLayout(form_box)
        self.fields: dict[str, QLineEdit] = {}
        for n, (name, label, kind) in enumerate(FO_FIELDS):
            edit = QLineEdit()
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
            fit_amount_width(edit)  # 15-digit amounts with separators show whole
            edit.editingFinished.connect(lambda n=name, k=kind: self._on_field_edited(n, k))
            row, column = (n, 0) if n < 4 else (n - 4, 3)
            form.addWidget(QLabel(label), row, column)
            form.addWidget(edit, row, column + 1)
            self.fields[name] = edit
        self.derived = QLabel()
        self.derived.setWordWrap(True)
        form.addWidget(self.derived, 3, 3, 1, 3)
        form.setColumnMinimumWidth(2, 24)
        form.setColumnStretch(5, 1)
        layout.addWidget(form_box)
        rdoc.changed.connect(self._on_document_changed)
        unit.changed.connect(self._on_document_changed)
        self._on_document_changed()

    def _on_enable_clicked(self) -> None:
        self.rdoc.apply([SetField("root", None, "fund_operation", FundOperation())], "启用基金运行情况")

    def _text(self, kind: str, value: Any) -> str:
        if value is None:
            return ""
        if kind == "money":
            return fmt.edit_text(value, self.unit.label, sep=True)
        return f"{value:,}"

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
            if not edit.hasFocus() and edit.text() != text and not edit.property("problem"):
                edit.setText(text)
            edit.setPlaceholderText(self.unit.label if kind == "money" else "人")
        out = self.rdoc.result.fund_operation
        if out:
            self.derived.setText(
                f"收入执行率 {fmt.pct(out.income_execution)}　支出执行率 {fmt.pct(out.expense_execution)}<br>"
                f"可支付月数 {fmt.pct_number(out.months_payable)}　参保率（户籍）{fmt.pct(out.coverage_registered)}"
                f"　参保率（常住）{fmt.pct(out.coverage_resident)}")
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
            # Said in place, the typed text kept for correction (the file keeps the old value).
            edit = self.fields[name]
            edit.setStyleSheet(PROBLEM_STYLE)
            edit.setToolTip(f"未保存：{err}（原值未改动）")
            edit.setProperty("problem", str(err))
            return
        clear_problem(self.fields[name])
        if value != getattr(fo, name):
            self.rdoc.apply([SetField("fund_operation", None, name, value)], "修改基金运行情况")
