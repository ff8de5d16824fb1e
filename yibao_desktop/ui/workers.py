"""Long jobs (PDF export and signing, Excel import/export) run off the GUI thread (STYLE.md §12).
The job gets a progress callback; it touches no widgets and receives only immutable data (the
frozen Report), so it needs no database connection of its own."""

from __future__ import annotations

import threading
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from yibao_desktop.domain.errors import UserError

Progress = Callable[[int, str], None]


class Cancelled(Exception):
    """Raised inside the job when the user pressed 取消; nothing has been written."""


class Task(QObject):
    progressed = Signal(int, str)
    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.cancel_event = threading.Event()

    def report(self, percent: int, message: str) -> None:
        """The progress callback handed to the job (called in the worker thread)."""
        if self.cancel_event.is_set():
            raise Cancelled()
        self.progressed.emit(int(percent), message)


class _Runnable(QRunnable):
    def __init__(self, task: Task, job: Callable[[Progress], Any]):
        super().__init__()
        self.task, self.job = task, job

    def run(self) -> None:
        try:
            result = self.job(self.task.report)
        except BaseException as exc:  # delivered to the GUI thread, which decides how to show it
            self.task.failed.emit(exc)
        else:
            self.task.succeeded.emit(result)
        self.task.finished.emit()


def run_task(parent: QWidget, title: str, job: Callable[[Progress], Any],
             on_success: Callable[[Any], None], on_failure: Callable[[BaseException], None]) -> Task:
    """Run `job(progress)` in the thread pool behind a modal progress dialog with 取消."""
    task = Task(parent)
    dialog = QProgressDialog(title, "取消", 0, 100, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.canceled.connect(task.cancel_event.set)
    task.progressed.connect(lambda pct, msg: (dialog.setValue(pct), dialog.setLabelText(msg)))

    def done() -> None:
        dialog.close()
        dialog.deleteLater()

    def failed(exc: BaseException) -> None:
        done()
        if not isinstance(exc, Cancelled):
            on_failure(exc)

    def succeeded(result: Any) -> None:
        done()
        on_success(result)

    task.succeeded.connect(succeeded)
    task.failed.connect(failed)
    QThreadPool.globalInstance().start(_Runnable(task, job))
    return task


def is_user_error(exc: BaseException) -> bool:
    return isinstance(exc, UserError)
