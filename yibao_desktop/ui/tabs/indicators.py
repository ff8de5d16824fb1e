"""指标: the indicator tree as a grouped table, with computed completion, met and score."""

from __future__ import annotations

from typing import Iterable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from yibao_desktop.domain.edits import InsertRow
from yibao_desktop.domain.report import Indicator
from yibao_desktop.templates import load_template
from yibao_desktop.ui.document import ReportDocument
from yibao_desktop.ui.models.base import DisplayUnit
from yibao_desktop.ui.models.tables import IND_COL, LONG_TEXT_COLUMNS, IndicatorModel
from yibao_desktop.ui.tabs.common import TableSection
from yibao_desktop.ui.text_delegate import use_for_columns


class TemplatePickerDialog(QDialog):
    """Pick starter indicators from the report's template; those the report has already (by
    name) are marked 已在报告中 and cannot be ticked, so nothing is added twice."""

    def __init__(self, parent: QWidget | None, fund_type: str, present: Iterable[str] = ()):
        super().__init__(parent)
        self.setWindowTitle("从模板添加指标")
        self.resize(640, 520)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("勾选要添加的指标（添加后可修改目标值和分值）："))
        self.list = QListWidget()
        template = load_template(fund_type)
        have = {name.strip() for name in present}
        self.indicators: list[Indicator] = []
        for variant in template.variants.values():
            for ind in variant.indicators:
                if any(i.name == ind.name for i in self.indicators):
                    continue
                self.indicators.append(ind)
                text = f"{ind.level1} › {ind.level2} › {ind.name}　{ind.target_text}　{ind.weight}分"
                item = QListWidgetItem(text)
                if ind.name.strip() in have:
                    item.setText(f"✓ {text}　（已在报告中）")
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable & ~Qt.ItemFlag.ItemIsEnabled)
                    item.setToolTip("报告中已有同名指标，不再重复添加")
                else:
                    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                    item.setCheckState(Qt.CheckState.Unchecked)
                self.list.addItem(item)
        self.already = sum(1 for ind in self.indicators if ind.name.strip() in have)
        if self.already:
            note = QLabel(f"<span style='color:#5a6472'>标有 ✓ 的 {self.already} 个指标已在报告中，不能重复添加。</span>")
            layout.addWidget(note)
        layout.addWidget(self.list, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("添加")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def chosen(self) -> list[Indicator]:
        return [ind for i, ind in enumerate(self.indicators)
                if self.list.item(i).flags() & Qt.ItemFlag.ItemIsUserCheckable
                and self.list.item(i).checkState() == Qt.CheckState.Checked]


class IndicatorsTab(QWidget):
    def __init__(self, rdoc: ReportDocument, unit: DisplayUnit):
        super().__init__()
        self.rdoc = rdoc
        layout = QVBoxLayout(self)
        self.model = IndicatorModel(rdoc, unit)
        self.section = TableSection("绩效指标（一级 › 二级 › 三级）", self.model,
                                    [("从模板添加…", self._on_pick_from_template)])
        self.section.buttons["新增行"].setText("新增指标")
        self.section.buttons["删除行"].setText("删除指标")
        self.view = self.section.view
        for header in ("人工得分", "调整理由", "定性区间"):
            self.view.setColumnHidden(IND_COL[header], True)
        use_for_columns(self.view, [IND_COL[h] for h in LONG_TEXT_COLUMNS])
        layout.addWidget(self.section, 1)
        rdoc.changed.connect(self._on_document_changed)
        self._on_document_changed()
        hint = QLabel("<span style='color:#5a6472'>灰底列为自动计算，鼠标停留可查看计算公式；红底表示须处理：未达成或超额完成的指标须填写偏差原因。"
                      "人工调整得分在「评分」页。</span>")
        hint.setWordWrap(True)
        layout.addWidget(hint)

    def _on_document_changed(self) -> None:
        """The 同比 columns appear when the report was started from last year's file."""
        report = self.rdoc.report
        show = report.meta.previous is not None or any(i.baseline is not None for i in report.indicators)
        for header in ("上年实际", "同比"):
            if self.view.isColumnHidden(IND_COL[header]) == show:
                self.view.setColumnHidden(IND_COL[header], not show)

    def add_indicators(self, indicators: list[Indicator]) -> bool:
        start = len(self.rdoc.report.indicators)
        edits = [InsertRow("indicators", start + i, ind) for i, ind in enumerate(indicators)]
        return self.rdoc.apply(edits, f"从模板添加 {len(edits)} 个指标")

    def _on_pick_from_template(self) -> None:
        dialog = TemplatePickerDialog(self, self.rdoc.report.meta.fund_type,
                                      (ind.name for ind in self.rdoc.report.indicators))
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.chosen():
            self.add_indicators(dialog.chosen())
