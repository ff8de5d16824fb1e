"""One way to run a use case from the window (Anki's `CollectionOp` is the model):

    Operation(window, "导出PDF", lambda progress: export.export_pdf(...)).success(done).run_in_background()

Every operation first commits what the user is typing (an open cell editor, a text section, a
form field), then runs the service call — in a worker behind a progress dialog for long jobs, or
at once for quick ones — shows a failure (a UserError's Chinese message, or the traceback of a
bug), and puts the outcome in the status bar. An export, import or package also tells its result
in a dialog with 打开文件 / 打开文件夹 (`.done(...)`), so success is never only a status-bar line.
"""

from __future__ import annotations

from typing import Any, Callable, Generic, Protocol, TypeVar

from PySide6.QtWidgets import QWidget

from yibao_desktop.ui import errors
from yibao_desktop.ui.workers import Progress, Task, run_task

T = TypeVar("T")


class Host(Protocol):
    """What an operation needs of the window."""

    def commit_pending(self) -> None: ...

    def show_status(self, message: str) -> None: ...


class Operation(Generic[T]):
    def __init__(self, parent: QWidget, title: str, job: Callable[[Progress], T]):
        self.parent = parent
        self.title = title
        self.job = job
        self._success: Callable[[T], Any] | None = None
        self._failure: Callable[[BaseException], Any] | None = None
        self._status: Callable[[T], str] | None = None
        self._done: Callable[[T], errors.Done | None] | None = None

    def success(self, callback: Callable[[T], Any]) -> "Operation[T]":
        self._success = callback
        return self

    def failure(self, callback: Callable[[BaseException], Any]) -> "Operation[T]":
        """Replaces the default failure handling (a dialog titled with the operation's failure)."""
        self._failure = callback
        return self

    def status(self, message: Callable[[T], str]) -> "Operation[T]":
        """The status-bar line after success."""
        self._status = message
        return self

    def done(self, result: Callable[[T], "errors.Done | None"]) -> "Operation[T]":
        """The result dialog after success (what was written, 打开文件 / 打开文件夹)."""
        self._done = result
        return self

    # -- running

    def _prepare(self) -> None:
        commit = getattr(self.parent, "commit_pending", None)
        if commit is not None:
            commit()

    def _failed(self, exc: BaseException) -> None:
        if self._failure is not None:
            self._failure(exc)
        else:
            errors.show_exception(self.parent, f"{self.title}未完成", exc)

    def _succeeded(self, result: T) -> None:
        if self._status is not None:
            show = getattr(self.parent, "show_status", None)
            if show is not None:
                show(self._status(result))
        if self._done is not None:
            done = self._done(result)
            if done is not None:
                errors.show_done(self.parent, done)
        if self._success is not None:
            self._success(result)

    def run_in_background(self) -> Task:
        """Run the job in the thread pool behind a modal progress dialog with 取消."""
        self._prepare()
        return run_task(self.parent, f"正在{self.title}", self.job, self._succeeded, self._failed)

    def run(self) -> T | None:
        """Run at once (quick jobs); returns the result, or None after reporting a failure."""
        self._prepare()
        try:
            result = self.job(lambda _pct, _message: None)
        except Exception as exc:  # shown, not raised: the window stays usable
            self._failed(exc)
            return None
        self._succeeded(result)
        return result
