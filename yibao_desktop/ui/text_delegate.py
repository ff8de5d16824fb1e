"""`MultilineTextDelegate`: long texts in a table cell (偏差原因分析及改进措施, 调整理由) are edited in
a multi-line editor larger than the cell. Enter starts a new line; Ctrl+Enter, Tab or clicking
elsewhere saves; Esc cancels. The editor opens with the cursor at the end (a key typed on the cell
adds to a long text instead of replacing it). The cell shows the text on one line, and the whole
text as a tooltip when it does not fit.

Set per column (`view.setItemDelegateForColumn`), beside the view's own `CellDelegate`, which it
leaves alone."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QHelpEvent, QKeyEvent, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QPlainTextEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
    QWidget,
)

Index = QModelIndex | QPersistentModelIndex


class MultilineTextDelegate(QStyledItemDelegate):
    LINES = 6          # the editor shows this many lines
    MIN_WIDTH = 380    # and is at least this wide, whatever the column's width

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:  # noqa: N802
        editor = QPlainTextEdit(parent)
        editor.setObjectName("multilineEditor")
        editor.setTabChangesFocus(True)
        editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        editor.setPlaceholderText("Enter 换行；Ctrl+Enter 或点别处保存；Esc 取消")
        editor.setToolTip("Enter 换行；Ctrl+Enter 或点别处保存；Esc 取消")
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:  # noqa: N802
        if isinstance(editor, QPlainTextEdit):
            editor.setPlainText(str(index.data(Qt.ItemDataRole.EditRole) or ""))
            editor.moveCursor(QTextCursor.MoveOperation.End)  # a long text is added to, never replaced by a key
        else:  # pragma: no cover - only our editor is created here
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:  # noqa: N802
        if not isinstance(editor, QPlainTextEdit):  # pragma: no cover
            super().setModelData(editor, model, index)
            return
        value = editor.toPlainText()
        if value != (index.data(Qt.ItemDataRole.EditRole) or ""):
            model.setData(index, value, Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(self, editor: QWidget, option: QStyleOptionViewItem, index: Index) -> None:  # noqa: N802
        cell = option.rect
        height = max(cell.height(), editor.fontMetrics().lineSpacing() * self.LINES + 14)
        rect = QRect(cell.left(), cell.top(), max(cell.width(), self.MIN_WIDTH), height)
        area = editor.parentWidget().rect() if editor.parentWidget() is not None else rect
        if rect.right() > area.right():  # keep the whole editor inside the table
            rect.moveRight(max(area.right(), rect.width() - 1))
        if rect.bottom() > area.bottom():
            rect.moveBottom(max(area.bottom(), rect.height() - 1))
        rect.moveLeft(max(0, rect.left()))
        rect.moveTop(max(0, rect.top()))
        editor.setGeometry(rect)

    def initStyleOption(self, option: QStyleOptionViewItem, index: Index) -> None:  # noqa: N802
        super().initStyleOption(option, index)
        option.text = " ".join(option.text.split("\n"))  # one line in the cell

    def helpEvent(self, event: QHelpEvent, view: QAbstractItemView, option: QStyleOptionViewItem,  # noqa: N802
                  index: Index) -> bool:
        if event.type() == QEvent.Type.ToolTip and index.data(Qt.ItemDataRole.ToolTipRole) is None:
            text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
            if "\n" in text or option.fontMetrics.horizontalAdvance(text) > option.rect.width() - 8:
                QToolTip.showText(event.globalPos(), text, view)
                return True
        return super().helpEvent(event, view, option, index)

    def eventFilter(self, editor: QObject, event: QEvent) -> bool:  # noqa: N802
        if (isinstance(editor, QPlainTextEdit) and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent) and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            self.commitData.emit(editor)
            self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.SubmitModelCache)
            return True
        return super().eventFilter(editor, event)


def use_for_columns(view: QAbstractItemView, columns: list[int]) -> MultilineTextDelegate:
    """Give these columns of `view` the multi-line editor (one delegate shared by them)."""
    delegate = MultilineTextDelegate(view)
    for column in columns:
        view.setItemDelegateForColumn(column, delegate)
    return delegate
