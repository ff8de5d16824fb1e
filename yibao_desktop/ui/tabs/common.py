"""Small widgets shared by the tabs."""

from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

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
