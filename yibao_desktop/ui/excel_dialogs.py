"""导入Excel… (with a preview; one undo step) and 导出Excel…: the window's side of issue 5."""

from __future__ import annotations

from typing import Any, Sequence

from PySide6.QtCore import QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from yibao_desktop.services import excel

# The import mode of each list, chosen per list (the first is the default: nothing is deleted
# unless 替换 is chosen).
LIST_MODES = (("append", "追加到现有行之后"), ("replace", "替换现有行（现有行将被删除）"))
MODE_CHOICES = {
    "expenditures": LIST_MODES,
    "incomes": LIST_MODES,
    "indicators": (("merge", "按指标名称合并（同名指标更新已填的单元格，其余新增）"), ("append", "全部作为新指标追加"),
                   ("replace", "替换全部现有指标（现有指标将被删除）")),
}
FORMS = (("both", "两张表（项目支出绩效自评表、转移支付区域绩效自评表）"), ("project", "项目支出绩效自评表"),
         ("transfer", "中央对地方转移支付区域绩效自评表"), ("data", "数据工作簿（可在 Excel 中编辑后再导入）"))
PREVIEW_ROWS = 200
FIELD_LABELS = {
    "project": "项目名称", "direction": "支出方向", "econ_class": "经济科目", "pool": "资金来源", "budget": "预算（元）",
    "paid": "已支付（元）", "paid_on": "支付日期", "level": "级次", "kind": "类别", "doc_no": "文号", "date": "日期",
    "amount": "金额（元）", "note": "备注", "level1": "一级指标", "level2": "二级指标", "name": "三级指标",
    "nature": "性质", "target": "目标值", "unit": "单位", "target_text": "指标值", "weight": "分值",
    "actual": "实际完成值", "numerator": "分子", "denominator": "分母", "grade": "评级", "score": "人工得分",
    "override_reason": "调整理由", "deviation_reason": "偏差原因分析及改进措施", "baseline": "上年实际",
    "category": "项目", "key": "键", "heading": "标题", "text": "内容", "title": "标题", "lottery": "彩票公益金",
}
# How the preview marks each row: background, text colour, struck out.
ROW_STYLES = {
    excel.DELETED: ("#fde2e1", "#9b1c1c", True),
    excel.NEW: ("#e3f4e8", None, False),
    excel.CHANGED: ("#fff4d6", None, False),
    excel.KEPT: (None, "#8a8f98", False),
}
LEGEND = ("<span style='background:#fde2e1;color:#9b1c1c'><s>　删除　</s></span> 现有行将被删除　"
          "<span style='background:#e3f4e8'>　新增　</span>　<span style='background:#fff4d6'>　修改　</span>　"
          "<span style='color:#8a8f98'>灰字：不变</span>")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _preview_table(rows: Sequence[Any], statuses: Sequence[excel.RowChange] | None = None) -> QTableWidget:
    """Rows as the report will hold them; with `statuses`, a 状态 column and each row marked
    (rows the import deletes red and struck out)."""
    from dataclasses import fields, is_dataclass

    records = bool(rows) and is_dataclass(rows[0])
    names = [f.name for f in fields(rows[0])] if records else []
    lead = ["状态"] if statuses is not None else []
    table = QTableWidget(len(rows), len(lead) + (len(names) if records else 1))
    table.setHorizontalHeaderLabels(lead + ([FIELD_LABELS.get(n, n) for n in names] if records else ["内容"]))
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    for r, row in enumerate(rows):
        change = statuses[r] if statuses is not None else None
        values = [_cell(getattr(row, n)) for n in names] if records else [_cell(row)]
        cells = ([change.status or "不变"] if change is not None else []) + values
        for c, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if change is not None:
                background, foreground, struck = ROW_STYLES[change.status]
                if background:
                    item.setBackground(QBrush(QColor(background)))
                if foreground:
                    item.setForeground(QBrush(QColor(foreground)))
                if struck:
                    font = item.font()
                    font.setStrikeOut(True)
                    item.setFont(font)
                if change.same_as is not None:
                    item.setToolTip(f"与现有第 {change.same_as + 1} 行完全相同")
            table.setItem(r, c, item)
    table.resizeColumnsToContents()
    for c in range(table.columnCount()):
        table.setColumnWidth(c, min(table.columnWidth(c), 260))
    return table


class ImportPreviewDialog(QDialog):
    """Shows what an import would do, row by row (rows it deletes marked red), or every problem;
    the import mode is chosen per list; 导入 applies it as one undo step. `replan(parent, modes)`
    plans again (None after telling the user, over this dialog, why it could not)."""

    LABELS = {"expenditures": "支出明细", "indicators": "绩效指标", "incomes": "资金来源"}

    def __init__(self, parent: QWidget | None, plan: Any, replan: Any):
        super().__init__(parent)
        self.setWindowTitle("导入Excel：预览")
        self.resize(960, 600)
        self.replan = replan
        layout = QVBoxLayout(self)
        self.modes: dict[str, QComboBox] = {}
        row = QHBoxLayout()
        row.addWidget(QLabel("导入方式："))
        if plan.result.data_workbook:
            row.addWidget(QLabel("数据工作簿：按工作簿内容整体替换报告中的对应部分"), 1)
        else:
            for kind in dict.fromkeys(t.kind for t in plan.result.tables):
                if kind not in MODE_CHOICES:
                    continue
                box = QComboBox()
                for key, label in MODE_CHOICES[kind]:
                    box.addItem(label, key)
                box.setCurrentIndex(max(0, box.findData(plan.mode.get(kind))))
                box.currentIndexChanged.connect(self._on_mode_changed)
                row.addWidget(QLabel(f"{self.LABELS.get(kind, kind)}："))
                row.addWidget(box)
                self.modes[kind] = box
            row.addStretch(1)
        layout.addLayout(row)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)
        self.legend = QLabel(LEGEND)
        layout.addWidget(self.legend)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("导入（可撤销）")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.show_plan(plan)

    @property
    def import_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def chosen_modes(self) -> dict[str, str]:
        return {kind: box.currentData() for kind, box in self.modes.items()}

    def show_plan(self, plan: Any) -> None:
        self.plan = plan
        changes = {kind: excel.row_changes(plan, kind) for kind, rows in plan.result.rows.items()
                   if rows and kind in self.LABELS} if plan.ok else {}
        deleted = sum(c.status == excel.DELETED for rows in changes.values() for c in rows)
        repeated = sum(c.same_as is not None for rows in changes.values() for c in rows)
        lines = [f"<b style='color:{'#c0392b' if plan.problems else '#1d3557'}'>{_escape(plan.summary())}</b>"]
        if plan.problems:
            lines.append("有问题时不会导入任何内容，请在 Excel 中改正后重新导入。")
        if deleted:
            lines.append(f"<b style='color:#c0392b'>注意：将删除报告中现有的 {deleted} 行（下方红色删除线标出）。"
                         "如只想添加，请选择“追加到现有行之后”。</b>")
        if repeated:
            lines.append(f"<span style='color:#9a6700'>其中 {repeated} 行与报告中已有的行完全相同，"
                         "是否重复导入了同一张表？</span>")
        self.summary.setText("<br>".join(lines))
        self.tabs.clear()
        if plan.problems:
            problems = QListWidget()
            problems.addItems([str(p) for p in plan.problems])
            self.tabs.addTab(problems, f"问题（{len(plan.problems)}）")
        for key, rows in plan.result.rows.items():
            if not rows:
                continue
            label = self.LABELS.get(key, key)
            if key in changes:
                shown = changes[key]
                if len(shown) > PREVIEW_ROWS:  # a long list: the rows that change
                    shown = [c for c in shown if c.status][:PREVIEW_ROWS]
                counts = "，".join(f"{status} {n}" for status in (excel.NEW, excel.CHANGED, excel.DELETED)
                                  if (n := sum(c.status == status for c in changes[key])))
                table = _preview_table([c.row for c in shown], shown)
                first = next((r for r, c in enumerate(shown) if c.status), None)
                if first is not None:  # what changes is in sight (appended rows are at the end), once laid out
                    QTimer.singleShot(0, lambda t=table, r=first: t.scrollToItem(
                        t.item(max(0, r - 3), 0), QTableWidget.ScrollHint.PositionAtTop))
                self.tabs.addTab(table,
                                 f"{label}（导入后 {len(changes[key]) - sum(c.status == excel.DELETED for c in changes[key])} 行"
                                 + (f"：{counts}）" if counts else "，不变）"))
            else:
                self.tabs.addTab(_preview_table(list(rows[:PREVIEW_ROWS])), f"{label}（读到 {len(rows)} 行）")
        if plan.notices:  # after the lists: what the import does is seen first
            notes = QPlainTextEdit("\n".join(plan.notices))
            notes.setReadOnly(True)
            self.tabs.addTab(notes, f"提示（{len(plan.notices)}）")
        self.legend.setVisible(bool(changes))
        self.import_button.setEnabled(bool(plan.ok and plan.edits))

    def _on_mode_changed(self, _index: int) -> None:
        plan = self.replan(self, self.chosen_modes())
        if plan is None:  # told over this dialog; nothing that matches the chosen modes can be imported
            self.summary.setText("<b style='color:#c0392b'>无法按所选方式重新读取工作簿，未导入任何内容。</b>")
            self.tabs.clear()
            self.import_button.setEnabled(False)
            return
        self.show_plan(plan)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class ExportExcelDialog(QDialog):
    def __init__(self, parent: QWidget | None):
        super().__init__(parent)
        self.setWindowTitle("导出Excel")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("导出内容："))
        self.form = QComboBox()
        for key, label in FORMS:
            self.form.addItem(label, key)
        layout.addWidget(self.form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("下一步：选择保存位置")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def choice(self) -> str:
        return self.form.currentData()
