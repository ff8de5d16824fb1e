"""报告文字: the narrative sections from the template outline, each with an editor, live fields and
standard drafts built from the data."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QContextMenuEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from yibao_desktop.domain.edits import SetField
from yibao_desktop.domain.narrative import FIELDS, draft_section, render, render_field, unknown_fields
from yibao_desktop.ui import errors
from yibao_desktop.ui.document import ReportDocument

SAVE_DELAY_MS = 600


class ReportTextEdit(QPlainTextEdit):
    """A plain-text editor without an undo history of its own: typing is written to the report as
    document edits, and Ctrl+Z / Ctrl+Y (and 撤销/重做 in its context menu) ask the window's one
    undo history, so that the document, the 编辑 menu and the editor never disagree."""

    undo_requested = Signal()
    redo_requested = Signal()

    def __init__(self, can_undo: Callable[[], tuple[bool, bool]]):
        super().__init__()
        self.setUndoRedoEnabled(False)
        self._can_undo = can_undo

    @staticmethod
    def history_key(event: QKeyEvent) -> str | None:
        if event.matches(QKeySequence.StandardKey.Undo):
            return "undo"
        if event.matches(QKeySequence.StandardKey.Redo) or (
                event.key() == Qt.Key.Key_Y and event.modifiers() == Qt.KeyboardModifier.ControlModifier):
            return "redo"
        return None

    def event(self, event: QEvent) -> bool:
        # Claim the undo keys (the key press below sends them to the window's history even while
        # its menu entry is still greyed out for want of a flushed edit).
        if event.type() == QEvent.Type.ShortcutOverride and self.history_key(event) is not None:  # type: ignore[arg-type]
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key = self.history_key(event)
        if key is not None:
            (self.undo_requested if key == "undo" else self.redo_requested).emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 - Qt override
        menu = self.createStandardContextMenu(event.pos())
        can_undo, can_redo = self._can_undo()
        for action in menu.actions():
            if action.objectName() in ("edit-undo", "edit-redo"):
                undo = action.objectName() == "edit-undo"
                action.setEnabled(can_undo if undo else can_redo)
                action.triggered.connect(self.undo_requested.emit if undo else self.redo_requested.emit)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(event.globalPos())


EMPTY_DRAFT = "（本节请根据实际情况填写。）"
DRAFT_APPEND, DRAFT_REPLACE = "添加到现有文字之后", "替换现有文字"
DRAFT_CHOICES = (DRAFT_APPEND, DRAFT_REPLACE)


class TextTab(QWidget):
    message = Signal(str)  # a line for the window's status bar

    def __init__(self, rdoc: ReportDocument):
        super().__init__()
        self.rdoc = rdoc
        self._loading = False
        self._current = -1
        layout = QHBoxLayout(self)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.sections = QListWidget()
        self.sections.currentRowChanged.connect(self._on_sections_current_changed)
        splitter.addWidget(self.sections)

        middle = QWidget()
        mid = QVBoxLayout(middle)
        mid.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.heading = QLabel()
        self.heading.setStyleSheet("font-weight: bold;")
        bar.addWidget(self.heading, 1)
        self.fields = QComboBox()
        self.fields.addItem("插入实时字段…", None)
        for name in FIELDS:
            self.fields.addItem("", name)
        self._refresh_fields()
        self.fields.activated.connect(self._on_fields_activated)
        bar.addWidget(self.fields)
        self.draft = QPushButton("生成草稿")
        self.draft.setToolTip("按当前数据生成本节的标准段落（金额、进度等使用实时字段，数据变化时自动更新）；"
                              "本节已有文字时先询问：添加在其后或替换；可撤销")
        self.draft.clicked.connect(self._on_draft_clicked)
        bar.addWidget(self.draft)
        mid.addLayout(bar)
        self.editor = ReportTextEdit(self._history_state)
        self.editor.setPlaceholderText("在此输入本节内容。可插入实时字段，如 {资金.支出进度}，导出时替换为当前数值。")
        self.editor.textChanged.connect(self._on_editor_text_changed)
        mid.addWidget(self.editor, 3)
        mid.addWidget(QLabel("<span style='color:#5a6472'>预览（实时字段已替换为当前数值）：</span>"))
        self.preview = QTextBrowser()
        mid.addWidget(self.preview, 2)
        splitter.addWidget(middle)
        splitter.setSizes([260, 900])
        layout.addWidget(splitter)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_DELAY_MS)
        self._timer.timeout.connect(self.flush)
        rdoc.changed.connect(self._on_document_changed)
        rdoc.structure_changed.connect(self._on_document_structure_changed)
        self._on_document_changed()
        if self.sections.count():
            self.sections.setCurrentRow(0)

    # -- document -> widgets ---------------------------------------------------------------------

    def _refresh_fields(self) -> None:
        """The field list says how each field renders now (支出进度 → 80.84%)."""
        for i in range(1, self.fields.count()):
            name = self.fields.itemData(i)
            description = FIELDS[name][0]
            text = f"{description}　{{{name}}} → {render_field(name, self.rdoc.report, self.rdoc.result)}"
            if self.fields.itemText(i) != text:
                self.fields.setItemText(i, text)

    def _on_document_changed(self) -> None:
        self._refresh_fields()
        narrative = self.rdoc.report.narrative
        labels = [s.heading or s.key for s in narrative]
        if [self.sections.item(i).text() for i in range(self.sections.count())] != labels:
            current = self.sections.currentRow()
            self.sections.blockSignals(True)
            self.sections.clear()
            self.sections.addItems(labels)
            self.sections.blockSignals(False)
            if narrative:
                self.sections.setCurrentRow(min(max(current, 0), len(narrative) - 1))
        self._show_current(reload_text=not self._timer.isActive())

    def _on_document_structure_changed(self, _collection: str) -> None:
        self._on_document_changed()

    def _on_sections_current_changed(self, row: int) -> None:
        self.flush()
        self._current = row
        self._show_current(reload_text=True)

    def _show_current(self, reload_text: bool) -> None:
        narrative = self.rdoc.report.narrative
        row = self._current
        if not 0 <= row < len(narrative):
            self.heading.setText("")
            self.preview.clear()
            return
        section = narrative[row]
        self.heading.setText(section.heading)
        if reload_text and self.editor.toPlainText() != section.text:
            self._loading = True
            position = self.editor.textCursor().position()  # an undo keeps the cursor near where it was
            self.editor.setPlainText(section.text)
            cursor = self.editor.textCursor()
            cursor.setPosition(min(position, len(section.text)))
            self.editor.setTextCursor(cursor)
            self._loading = False
        self._update_preview()

    def _update_preview(self) -> None:
        text = self.editor.toPlainText()
        rendered = render(text, self.rdoc.report, self.rdoc.result)
        unknown = unknown_fields(text)
        note = f"<p style='color:#c0392b'>未知字段：{'、'.join(unknown)}</p>" if unknown else ""
        paragraphs = "".join(f"<p style='text-indent:2em'>{_escape(p)}</p>" for p in rendered.split("\n") if p.strip())
        self.preview.setHtml(note + paragraphs)

    # -- widgets -> document ---------------------------------------------------------------------

    def _on_editor_text_changed(self) -> None:
        if self._loading:
            return
        self._update_preview()
        self._timer.start()

    def _history_state(self) -> tuple[bool, bool]:
        """Whether undo and redo have something to do (typing not yet flushed counts as a step)."""
        stack = self.rdoc.undo_stack
        return stack.canUndo() or self._timer.isActive(), stack.canRedo() and not self._timer.isActive()

    def flush(self) -> None:
        """Write the editor's text through now (also called before switching section or closing)."""
        self._timer.stop()
        row = self._current
        narrative = self.rdoc.report.narrative
        if not 0 <= row < len(narrative):
            return
        text = self.editor.toPlainText()
        if text != narrative[row].text:
            self.rdoc.apply([SetField("narrative", row, "text", text)], f"编辑「{narrative[row].heading}」",
                            merge_key=("narrative", row))

    def _on_fields_activated(self, index: int) -> None:
        name = self.fields.itemData(index)
        self.fields.setCurrentIndex(0)
        if name:
            self.editor.insertPlainText(f"{{{name}}}")
            self.editor.setFocus()

    def _on_draft_clicked(self) -> None:
        """The standard paragraphs for the section. Text the user wrote is never replaced without
        asking (the draft can go after it instead); a draft already there is not added again."""
        self.flush()
        row = self._current
        narrative = self.rdoc.report.narrative
        if not 0 <= row < len(narrative):
            return
        section = narrative[row]
        draft = draft_section(section.key, self.rdoc.report, self.rdoc.result) or EMPTY_DRAFT
        current = section.text.strip()
        if draft.strip() in current:
            self.message.emit(f"「{section.heading}」已含按当前数据生成的草稿，未重复添加。")
            return
        text = draft
        if current and current != EMPTY_DRAFT:
            choice = errors.ask(self, "生成草稿",
                                f"「{section.heading}」已有 {len(current)} 字的内容。\n"
                                "生成的草稿添加在现有文字之后，还是替换现有文字？（均可撤销）", DRAFT_CHOICES)
            if choice is None:
                return
            if choice == DRAFT_APPEND:
                text = section.text.rstrip("\n") + "\n" + draft
        self.rdoc.apply([SetField("narrative", row, "text", text)], f"生成草稿「{section.heading}」")

    def select_section(self, row: int) -> None:
        self.sections.setCurrentRow(row)
        self.editor.setFocus()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
