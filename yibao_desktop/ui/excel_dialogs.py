"""导入Excel… (with a preview; one undo step) and 导出Excel…: the window's side of issue 5."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

MODES = (("", "自动（支出、资金来源替换；指标按名称合并）"), ("replace", "替换现有行"), ("append", "追加到现有行之后"),
         ("merge", "按指标名称合并（仅绩效指标）"))
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
    "category": "项目", "key": "键", "heading": "标题", "text": "内容", "title": "标题",
}


def _preview_table(rows: list[Any]) -> QTableWidget:
    """The first parsed rows of one table (as the report will hold them)."""
    from dataclasses import fields

    shown = rows[:PREVIEW_ROWS]
    names = [f.name for f in fields(shown[0])] if shown else []
    table = QTableWidget(len(shown), len(names))
    table.setHorizontalHeaderLabels([FIELD_LABELS.get(n, n) for n in names])
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    for r, row in enumerate(shown):
        for c, name in enumerate(names):
            value = getattr(row, name)
            table.setItem(r, c, QTableWidgetItem("" if value is None else str(value)))
    table.resizeColumnsToContents()
    return table


class ImportPreviewDialog(QDialog):
    """Shows what an import would do, or every problem; 导入 applies it as one undo step."""

    LABELS = {"expenditures": "支出明细", "indicators": "绩效指标", "incomes": "资金来源"}

    def __init__(self, parent: QWidget | None, plan: Any, replan: Any):
        super().__init__(parent)
        self.setWindowTitle("导入Excel：预览")
        self.resize(960, 600)
        self.replan = replan
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel("导入方式："))
        self.mode = QComboBox()
        for key, label in MODES:
            self.mode.addItem(label, key)
        self.mode.activated.connect(self._on_mode_activated)
        row.addWidget(self.mode, 1)
        layout.addLayout(row)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("导入（可撤销）")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.show_plan(plan)

    def show_plan(self, plan: Any) -> None:
        self.plan = plan
        self.mode.setEnabled(not plan.result.data_workbook)
        color = "#c0392b" if plan.problems else "#1d3557"
        self.summary.setText(f"<b style='color:{color}'>{plan.summary()}</b>"
                             + ("<br>有问题时不会导入任何内容，请在 Excel 中改正后重新导入。" if plan.problems else ""))
        self.tabs.clear()
        if plan.problems:
            problems = QListWidget()
            problems.addItems([str(p) for p in plan.problems])
            self.tabs.addTab(problems, f"问题（{len(plan.problems)}）")
        if plan.notices:
            notes = QPlainTextEdit("\n".join(plan.notices))
            notes.setReadOnly(True)
            self.tabs.addTab(notes, f"提示（{len(plan.notices)}）")
        for key, rows in plan.result.rows.items():
            if rows:
                self.tabs.addTab(_preview_table(list(rows)), f"{self.LABELS.get(key, key)}（{len(rows)} 行）")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(plan.ok and plan.edits))

    def _on_mode_activated(self, _index: int) -> None:
        plan = self.replan(self.mode.currentData() or None)
        if plan is not None:
            self.show_plan(plan)


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
