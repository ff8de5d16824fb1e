"""Small widgets shared by the tabs."""

from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QStyle, QVBoxLayout, QWidget

from yibao_desktop.ui.models.base import RowTableModel
from yibao_desktop.ui.views import SheetView


class TableSection(QWidget):
    """A titled SheetView with 新增 / 删除 / 上移 / 下移 buttons."""

    def __init__(self, title: str, model: RowTableModel, extra_buttons: list[tuple[str, Callable[[], None]]] = ()):
        super().__init__()
        self.model = model
        self.view = SheetView()
        self.view.setModel(model)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.title = QLabel(f"<b>{title}</b>")
        bar.addWidget(self.title)
        bar.addStretch(1)
        self.buttons: dict[str, QPushButton] = {}
        for label, slot in [("新增行", self._on_add), ("删除行", self._on_delete), ("上移", lambda: self._on_move(-1)),
                            ("下移", lambda: self._on_move(1)), *extra_buttons]:
            button = QPushButton(label)
            button.clicked.connect(slot)
            bar.addWidget(button)
            self.buttons[label] = button
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self.bar = bar

    def height_for_rows(self, rows: int) -> int:
        """The height that shows the title bar, the header, `rows` rows and a horizontal scroll
        bar: what a section needs at least (8 rows at 1366×768)."""
        view = self.view
        scroll = view.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        return (self.bar.sizeHint().height() + self.layout().spacing()
                + view.horizontalHeader().sizeHint().height() + rows * view.verticalHeader().defaultSectionSize()
                + scroll + 2 * view.frameWidth() + 2)

    def selected_rows(self) -> list[int]:
        return self.view.selected_rows()

    def _on_add(self) -> None:
        rows = self.selected_rows()
        at = rows[-1] + 1 if rows else self.model.rowCount()
        if self.model.insert_row(at):
            self.view.setCurrentIndex(self.model.index(at, 0))
            self.view.setFocus()

    def _on_delete(self) -> None:
        self.view.delete_selected_rows()

    def _on_move(self, delta: int) -> None:
        rows = self.selected_rows()
        if len(rows) == 1 and self.model.move_row(rows[0], delta):
            column = max(0, self.view.currentIndex().column())
            self.view.setCurrentIndex(self.model.index(rows[0] + delta, column))


def figure_card(title: str) -> tuple[QWidget, QLabel]:
    box = QWidget()
    box.setObjectName("figureCard")
    box.setStyleSheet("#figureCard { background: #f5f8fc; border: 1px solid #d6dee9; border-radius: 6px; }")
    layout = QVBoxLayout(box)
    caption = QLabel(title)
    caption.setStyleSheet("color: #5a6472;")
    value = QLabel("—")
    value.setStyleSheet("font-size: 17pt; font-weight: bold; color: #1d3557;")
    layout.addWidget(caption)
    layout.addWidget(value)
    return box, value


AMOUNT_SAMPLE = "9,999,999,999,999.99"  # the largest amount (< 10^13 元): 15 digits, separators, 分


def fit_amount_width(edit: QLineEdit) -> None:
    """A money field wide enough for a 15-digit amount with separators (never "789.50" for
    123,456,789.50)."""
    edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance(AMOUNT_SAMPLE) + 24)
