"""All dialogs go through here (STYLE.md §10), so tests can replace them and nothing blocks headless."""

from __future__ import annotations

import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
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


@dataclass(frozen=True)
class Done:
    """What a finished export, import or package tells the user: a dialog with the result, and
    打开文件 / 打开文件夹 when something was written (not only a status-bar line)."""

    title: str
    message: str
    file: str | None = None     # 打开文件 opens it
    folder: str | None = None   # 打开文件夹 opens it (default: the file's folder)

    @property
    def folder_path(self) -> str | None:
        if self.folder is not None:
            return self.folder
        return str(Path(self.file).parent) if self.file is not None else None

    def text(self) -> str:
        """The message with the place it was written to, as the dialog shows it."""
        places = [p for p in (self.file, self.folder) if p]
        if not places or any(p in self.message for p in places):
            return self.message
        return f"{self.message}\n\n{places[0]}"


def done_box(parent: QWidget | None, done: Done) -> QMessageBox:
    """The result dialog: 打开文件, 打开文件夹 (each opens and closes the box) and 关闭."""
    box = QMessageBox(QMessageBox.Icon.Information, done.title, done.text(), QMessageBox.StandardButton.NoButton,
                      parent)
    if done.file is not None:
        file_button = box.addButton("打开文件", QMessageBox.ButtonRole.AcceptRole)
        file_button.clicked.connect(lambda: open_file(str(done.file)))
    folder = done.folder_path
    if folder is not None:
        folder_button = box.addButton("打开文件夹", QMessageBox.ButtonRole.AcceptRole)
        folder_button.clicked.connect(lambda: open_file(folder))
    box.setDefaultButton(box.addButton("关闭", QMessageBox.ButtonRole.RejectRole))
    return box


def show_done(parent: QWidget | None, done: Done) -> None:
    if show_hook is not None:
        show_hook("done", done.title, done.text())
        return
    done_box(parent, done).exec()


# Tests set this to answer questions; with only `show_hook` set (tests, the self-test), a question
# is recorded as ("confirm", title, message) and answered yes, so nothing blocks headless.
confirm_hook: Callable[[str, str], bool] | None = None


def confirm(parent: QWidget | None, title: str, message: str, yes: str = "确定", no: str = "取消") -> bool:
    """Ask before something that cannot be undone (overwriting a package on the stick)."""
    if confirm_hook is not None:
        return confirm_hook(title, message)
    if show_hook is not None:
        show_hook("confirm", title, message)
        return True
    box = QMessageBox(QMessageBox.Icon.Question, title, message, QMessageBox.StandardButton.NoButton, parent)
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(box.addButton(no, QMessageBox.ButtonRole.RejectRole))
    box.exec()
    return box.clickedButton() is yes_button


def show_exception(parent: QWidget | None, title: str, exc: BaseException) -> None:
    """A UserError shows its Chinese message; anything else is a bug and shows the traceback."""
    from yibao_desktop.domain.errors import UserError

    if isinstance(exc, UserError):
        show_error(parent, title, str(exc))
        return
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    sys.stderr.write(text)
    show_error(parent, title, "程序内部错误，操作未完成，报告文件未受影响。\n\n" + text[-1500:])
