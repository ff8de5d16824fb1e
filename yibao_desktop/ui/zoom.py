"""The font size of the whole program (视图 › 放大字号 / 缩小字号 / 默认字号, Ctrl+加号 / Ctrl+减号 /
Ctrl+0), for older staff; remembered in the user's settings. It scales the application font, so
every window and dialog follows; tables grow their rows and columns with it (views.SheetView)."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

STEPS = (90, 100, 110, 125, 140, 160, 180, 200)  # percent of the font the program started with
DEFAULT = 100
KEY = "view/font_percent"

_base: list[QFont] = []  # the application font before any zoom (taken once per process)


def base_font() -> QFont:
    if not _base:
        _base.append(QFont(QApplication.font()))
    return QFont(_base[0])


def scaled(font: QFont, percent: int) -> QFont:
    out = QFont(font)
    if font.pointSizeF() > 0:
        out.setPointSizeF(font.pointSizeF() * percent / 100)
    else:
        out.setPixelSize(max(1, round(font.pixelSize() * percent / 100)))
    return out


class FontZoom(QObject):
    """The current step; `step(+1/-1)` and `reset()` apply and remember it."""

    changed = Signal(int)  # the new percent

    def __init__(self, store: Callable[[], QSettings], parent: QObject | None = None):
        super().__init__(parent)
        self.store = store
        self.percent = DEFAULT

    def restore(self) -> None:
        """Apply the size remembered from last time."""
        try:
            percent = int(self.store().value(KEY, DEFAULT))
        except (TypeError, ValueError):
            percent = DEFAULT
        self.apply(percent if percent in STEPS else DEFAULT, remember=False)

    def step(self, direction: int) -> int:
        i = STEPS.index(self.percent) if self.percent in STEPS else STEPS.index(DEFAULT)
        return self.apply(STEPS[min(max(i + direction, 0), len(STEPS) - 1)])

    def reset(self) -> int:
        return self.apply(DEFAULT)

    def apply(self, percent: int, remember: bool = True) -> int:
        base = base_font()
        self.percent = percent
        QApplication.setFont(scaled(base, percent))
        if remember:
            self.store().setValue(KEY, percent)
        self.changed.emit(percent)
        return percent
