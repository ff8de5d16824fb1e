"""Dialogs: the new-report wizard, the in-app guide and the about box."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from yibao_desktop import __version__, paths
from yibao_desktop.domain.report import FUND_TYPES
from yibao_desktop.templates import load_template


class NewReportDialog(QDialog):
    """新建报告: unit name, year, fund type and template variant."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("新建绩效自评报告")
        self.resize(520, 260)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.unit = QLineEdit()
        self.unit.setPlaceholderText("如：某某县医疗保障局")
        form.addRow("单位名称", self.unit)
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(date.today().year - 1 if date.today().month < 7 else date.today().year)
        form.addRow("报告年度", self.year)
        self.fund_type = QComboBox()
        for fund_type in FUND_TYPES:
            self.fund_type.addItem(load_template(fund_type).label, fund_type)
        self.fund_type.currentIndexChanged.connect(self._on_fund_type_changed)
        form.addRow("资金类型", self.fund_type)
        self.variant = QComboBox()
        form.addRow("指标体系", self.variant)
        layout.addLayout(form)
        self.message = QLabel()
        self.message.setStyleSheet("color: #c0392b;")
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("下一步：选择保存位置")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self._on_accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._on_fund_type_changed()

    def _on_fund_type_changed(self) -> None:
        template = load_template(self.fund_type.currentData())
        self.variant.clear()
        for key, variant in template.variants.items():
            self.variant.addItem(variant.label, key)
        self.variant.setCurrentIndex(max(0, self.variant.findData(template.default_variant)))

    def _on_accept(self) -> None:
        if not self.unit.text().strip():
            self.message.setText("请填写单位名称。")
            return
        self.accept()

    def values(self) -> tuple[str, int, str, str]:
        return (self.unit.text().strip(), self.year.value(), self.fund_type.currentData(), self.variant.currentData())


class GuideDialog(QDialog):
    """使用说明, read from resources/help/guide.md."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("使用说明")
        self.resize(860, 680)
        layout = QVBoxLayout(self)
        browser = QTextBrowser()
        browser.setMarkdown(paths.resource("help", "guide.md").read_text(encoding="utf-8"))
        layout.addWidget(browser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def about_text() -> str:
    notices = paths.resource("help", "licenses.md").read_text(encoding="utf-8")
    return f"## 医保绩效自评助手 {__version__}\n\n完全离线运行，不联网、不上传任何数据。\n\n{notices}"


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("关于")
        self.resize(620, 520)
        layout = QVBoxLayout(self)
        browser = QTextBrowser()
        browser.setMarkdown(about_text())
        layout.addWidget(browser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
