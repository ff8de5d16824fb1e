"""All dialogs go through here (STYLE.md §10), so tests can replace them and nothing blocks headless."""

from __future__ import annotations

import sys
import traceback
from typing import Callable, Sequence

from PySide6.QtWidgets import QMessageBox, QWidget

# Tests set this to a recorder; by default a modal message box is shown.
show_hook: Callable[[str, str, str], None] | None = None


def show_error(parent: QWidget | None, title: str, message: str) -> None:
    if show_hook is not None:
        show_hook("error", title, message)
        return
    QMessageBox.critical(parent, title, message)


def show_info(parent: QWidget | None, title: str, message: str) -> None:
    if show_hook is not None:
        show_hook("info", title, message)
        return
    QMessageBox.information(parent, title, message)


# Tests set this to a recorder that answers; by default a modal question box is shown.
ask_hook: Callable[[str, str, tuple[str, ...]], str | None] | None = None


def ask(parent: QWidget | None, title: str, message: str, choices: Sequence[str]) -> str | None:
    """A question whose buttons are `choices` (Chinese, the first one the default) and 取消;
    returns the chosen label, or None when cancelled."""
    if ask_hook is not None:
        return ask_hook(title, message, tuple(choices))
    box = question_box(parent, title, message, choices)
    box.exec()
    clicked = box.clickedButton()
    return clicked.text() if clicked is not None and clicked.text() in choices else None


def question_box(parent: QWidget | None, title: str, message: str, choices: Sequence[str]) -> QMessageBox:
    """The box `ask` shows: a button per choice (the first the default) and 取消 (also Esc)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, message, QMessageBox.StandardButton.NoButton, parent)
    first = None
    for label in choices:
        button = box.addButton(label, QMessageBox.ButtonRole.AcceptRole)
        first = first or button
    box.setEscapeButton(box.addButton("取消", QMessageBox.ButtonRole.RejectRole))
    if first is not None:
        box.setDefaultButton(first)
    return box


def install_excepthook() -> None:
    """Unexpected exceptions (bugs) get one dialog with the traceback instead of a silent exit."""

    def hook(exc_type, exc, tb):  # type: ignore[no-untyped-def]
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        sys.stderr.write(text)
        show_error(None, "程序内部错误",
                   "程序遇到了一个内部错误。您的报告文件已逐项保存，不会丢失。\n\n"
                   "请把以下信息告知技术支持：\n\n" + text[-2000:])

    sys.excepthook = hook


# Tests set this to a recorder; by default the file opens in the system's viewer (local file only).
open_hook: Callable[[str], None] | None = None


def open_file(path: str) -> None:
    if open_hook is not None:
        open_hook(path)
        return
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    QDesktopServices.openUrl(QUrl.fromLocalFile(path))


def show_exception(parent: QWidget | None, title: str, exc: BaseException) -> None:
    """A UserError shows its Chinese message; anything else is a bug and shows the traceback."""
    from yibao_desktop.domain.errors import UserError

    if isinstance(exc, UserError):
        show_error(parent, title, str(exc))
        return
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    sys.stderr.write(text)
    show_error(parent, title, "程序内部错误，操作未完成，报告文件未受影响。\n\n" + text[-1500:])
