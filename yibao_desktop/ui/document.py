"""`ReportDocument`: the open report as the window sees it. It owns the storage `Document`, the
`QUndoStack` and the latest compute result, and tells every view when the report changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from yibao_desktop.domain.calc import compute
from yibao_desktop.domain.edits import Edit
from yibao_desktop.domain.errors import UserError
from yibao_desktop.domain.report import Report
from yibao_desktop.domain.result import Result
from yibao_desktop.storage.repository import Document
from yibao_desktop.ui import errors


class EditCommand(QUndoCommand):
    """One undo step: a list of edits already applied, and their inverse."""

    def __init__(self, owner: "ReportDocument", text: str, edits: list[Edit], inverse: list[Edit],
                 merge_key: tuple[Any, ...] | None = None):
        super().__init__(text)
        self.owner = owner
        self.edits = edits
        self.inverse = inverse
        self.merge_key = merge_key
        self._first = True

    def redo(self) -> None:
        if self._first:  # the edits were applied before the push (so failures can be reported)
            self._first = False
            return
        self.inverse = self.owner._apply_raw(self.edits, self.text()) or self.inverse

    def undo(self) -> None:
        self.edits = self.owner._apply_raw(self.inverse, self.text()) or self.edits

    def id(self) -> int:
        return 1 if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        """Typing bursts in one text section become one step."""
        if not isinstance(other, EditCommand) or other.merge_key != self.merge_key or self.merge_key is None:
            return False
        self.edits = other.edits  # undo still restores the text from before the first keystroke
        return True


class ReportDocument(QObject):
    changed = Signal()            # report and result are new
    structure_changed = Signal(str)  # rows inserted/removed/moved in a collection

    def __init__(self, doc: Document, parent: QObject | None = None):
        super().__init__(parent)
        self.doc = doc
        self.undo_stack = QUndoStack(self)
        self.result: Result = compute(doc.report)

    # -- state ---------------------------------------------------------------------------------

    @property
    def report(self) -> Report:
        return self.doc.report

    @property
    def path(self) -> Path:
        return self.doc.path

    # -- editing -------------------------------------------------------------------------------

    def apply(self, edits: list[Edit], text: str, merge_key: tuple[Any, ...] | None = None,
              blobs: Mapping[str, bytes] | None = None) -> bool:
        """Apply edits as one undo step, written through at once. Returns False (after telling the
        user) when the file refused them; then nothing changed. `blobs`: the contents of files the
        edits attach (they stay in the file while undo may bring the entry back)."""
        if not edits:
            return True
        inverse = self._apply_raw(edits, text, blobs)
        if inverse is None:
            return False
        self.undo_stack.push(EditCommand(self, text, edits, inverse, merge_key))
        return True

    def _apply_raw(self, edits: list[Edit], text: str, blobs: Mapping[str, bytes] | None = None) -> list[Edit] | None:
        try:
            inverse = self.doc.apply(edits, blobs)
        except UserError as err:
            errors.show_error(None, "修改未能保存", f"「{text}」未能保存：\n{err}")
            return None
        self.refresh(structural={e.collection for e in edits if type(e).__name__ != "SetField"})
        return inverse

    def replace_report(self, report: Report, text: str) -> bool:
        """Replace the whole content (import) as one undo step."""
        try:
            previous = self.doc.replace_report(report, text)
        except UserError as err:
            errors.show_error(None, "修改未能保存", str(err))
            return False
        self.undo_stack.push(_ReplaceCommand(self, text, previous, report))
        self.refresh(structural={"*"})
        return True

    def refresh(self, structural: set[str] | None = None) -> None:
        self.result = compute(self.doc.report)
        for collection in sorted(structural or ()):
            self.structure_changed.emit(collection)
        self.changed.emit()

    def close(self) -> None:
        self.doc.close()


class _ReplaceCommand(QUndoCommand):
    def __init__(self, owner: ReportDocument, text: str, before: Report, after: Report):
        super().__init__(text)
        self.owner, self.before, self.after = owner, before, after
        self._first = True

    def _set(self, report: Report) -> None:
        try:
            self.owner.doc.replace_report(report, self.text())
        except UserError as err:
            errors.show_error(None, "修改未能保存", str(err))
            return
        self.owner.refresh(structural={"*"})

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self._set(self.after)

    def undo(self) -> None:
        self._set(self.before)
