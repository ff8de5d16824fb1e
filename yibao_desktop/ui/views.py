"""`SheetView`: a QTableView that behaves like a spreadsheet (typing starts editing, Enter moves
down, Delete clears, Ctrl+C / Ctrl+V exchange tab-separated blocks with Excel and WPS), and the
delegate that gives each column kind its editor (combo boxes, date editor, money editor)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, QEvent, QModelIndex, QObject, QPersistentModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QContextMenuEvent, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDateEdit,
    QHeaderView,
    QLineEdit,
    QMenu,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolTip,
    QWidget,
)

from yibao_desktop.domain.errors import ValueParseError
from yibao_desktop.domain.values import parse_date_text
from yibao_desktop.ui import errors
from yibao_desktop.ui.models.base import RowTableModel


class CellDelegate(QStyledItemDelegate):
    """Editors by column kind: enum → combo box, suggestion lists → editable combo box, date →
    calendar date editor, money → line edit that accepts 元 or 万元."""

    def _column(self, index: QModelIndex):
        model = index.model()
        if isinstance(model, RowTableModel):
            return model.columns[index.column()]
        return None

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: QModelIndex) -> QWidget:
        col = self._column(index)
        if col is not None and col.kind in ("enum", "bool"):
            box = QComboBox(parent)
            box.addItems(index.model().choices(index.row(), index.column()))
            return box
        if col is not None and col.extra.get("suggest"):
            box = QComboBox(parent)
            box.setEditable(True)
            box.addItems(_suggestion_values(index, col))
            box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            return box
        if col is not None and col.kind == "date":
            editor = QDateEdit(parent)
            editor.setCalendarPopup(True)
            editor.setDisplayFormat("yyyy-MM-dd")
            return editor
        editor = QLineEdit(parent)
        if col is not None and col.kind == "money":
            editor.setPlaceholderText("如 125000 或 12.5万")
        editor.setProperty("cell", QPersistentModelIndex(index))
        editor.textEdited.connect(lambda _text, e=editor: clear_problem(e))
        return editor

    def eventFilter(self, editor: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Enter or Tab on text the cell cannot take keeps the editor open, the text in it, and
        says why in place (red frame, tooltip, status bar): nothing is saved, the cursor stays."""
        if (isinstance(editor, QLineEdit) and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab, Qt.Key.Key_Backtab)):
            reason = self.problem(editor)
            if reason is not None:
                self._show_problem(editor, reason)
                return True
        return super().eventFilter(editor, event)

    def problem(self, editor: QLineEdit) -> str | None:
        """Why the editor's text cannot be saved in its cell, or None."""
        index = editor.property("cell")
        if not isinstance(index, QPersistentModelIndex) or not index.isValid():
            return None
        check = getattr(index.model(), "check_text", None)
        return check(index, editor.text()) if check is not None else None

    def _show_problem(self, editor: QLineEdit, reason: str) -> None:
        editor.setProperty("problem", reason)
        editor.setStyleSheet(PROBLEM_STYLE)
        editor.setToolTip(reason)
        QToolTip.showText(editor.mapToGlobal(QPoint(0, editor.height())), reason, editor)
        view = self.parent()
        if isinstance(view, SheetView):
            view.message.emit(f"输入有误：{reason}（请改正后按回车，按 Esc 放弃）")

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:
        text = index.data(Qt.ItemDataRole.EditRole) or ""
        if isinstance(editor, QComboBox):
            if editor.isEditable():
                editor.setEditText(str(text))
            else:
                editor.setCurrentIndex(max(0, editor.findText(str(text))))
        elif isinstance(editor, QDateEdit):
            try:
                day = parse_date_text(str(text)) if text else _default_day(index)
            except ValueParseError:
                day = _default_day(index)
            editor.setDate(QDate(day.year, day.month, day.day))
        elif isinstance(editor, QLineEdit):
            editor.setText(str(text))
            editor.selectAll()
            marks = getattr(index.model(), "marks", None)
            if marks is not None and (index.row(), index.column()) in marks.bad:
                self._show_problem(editor, marks.bad[(index.row(), index.column())][1])

    def setModelData(self, editor: QWidget, model: Any, index: QModelIndex) -> None:
        if isinstance(editor, QComboBox):
            value = editor.currentText()
        elif isinstance(editor, QDateEdit):
            value = editor.date().toString("yyyy-MM-dd")
        elif isinstance(editor, QLineEdit):
            value = editor.text()
        else:  # pragma: no cover - every editor above is handled
            return
        if value != (index.data(Qt.ItemDataRole.EditRole) or ""):
            model.setData(index, value, Qt.ItemDataRole.EditRole)


PROBLEM_STYLE = "QLineEdit { border: 2px solid #c0392b; background: #fde2e1; }"
ROW_HEIGHT, ROW_PADDING = 26, 9  # table rows: at least 26 px, or the font's height and some air


def clear_problem(editor: QLineEdit) -> None:
    if editor.property("problem"):
        editor.setProperty("problem", None)
        editor.setStyleSheet("")
        editor.setToolTip("")
        QToolTip.hideText()


def _suggestion_values(index: QModelIndex, col: Any) -> list[str]:
    if col.choices:
        return col.choice_list()
    model = index.model()
    values = [model.index(r, index.column()).data(Qt.ItemDataRole.EditRole) for r in range(model.rowCount())]
    return list(dict.fromkeys(v for v in values if v))


def _default_day(index: QModelIndex) -> date:
    model = index.model()
    year = getattr(getattr(model, "rdoc", None), "report", None)
    today = date.today()
    if year is not None and year.meta.year != today.year:
        return date(year.meta.year, 12, 31)
    return today


class FontFit(QObject):
    """Keeps a table's fixed row height and its column widths in step with its font: a larger or
    smaller font (视图 › 字号) gives taller rows and proportionally wider columns."""

    def __init__(self, view: QTableView, min_row_height: int):
        super().__init__(view)
        self.view = view
        self.min_row_height = min_row_height
        self.font_height = view.fontMetrics().height()
        view.verticalHeader().setDefaultSectionSize(self.row_height())
        view.installEventFilter(self)

    def row_height(self) -> int:
        return max(self.min_row_height, self.font_height + ROW_PADDING)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.view and event.type() in (QEvent.Type.FontChange, QEvent.Type.ApplicationFontChange):
            self.fit()
        return False

    def fit(self) -> None:
        height = self.view.fontMetrics().height()
        if height == self.font_height or height <= 0:
            return
        ratio = height / self.font_height
        self.font_height = height
        self.view.verticalHeader().setDefaultSectionSize(self.row_height())
        model = self.view.model()
        columns = [c for c in range(model.columnCount() if model is not None else 0) if not self.view.isColumnHidden(c)]
        if columns and self.view.horizontalHeader().stretchLastSection():
            columns.pop()  # the stretched last column fills what is left: sizing it would push it out of sight
        for c in columns:
            self.view.setColumnWidth(c, max(24, round(self.view.columnWidth(c) * ratio)))


class SheetView(QTableView):
    """Spreadsheet-like keyboard behaviour and clipboard exchange."""

    message = Signal(str)  # a line for the window's status bar (a refused cell, a hint)

    def commit_editor(self) -> None:
        """Write an open cell editor's text into the model and close it (before closing the
        report, an export, undo: typed text is never lost for want of pressing Enter)."""
        if self.state() != QAbstractItemView.State.EditingState:
            return
        editor = QApplication.focusWidget()
        while editor is not None and editor.parentWidget() is not self.viewport():
            editor = editor.parentWidget()
        if editor is None:  # the focus is elsewhere (another window, a menu): the delegate's editor
            editor = next((w for w in self.viewport().findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
                           if w.isVisible()), None)
        if editor is not None:
            reason = self.itemDelegate().problem(editor) if isinstance(editor, QLineEdit) else None
            self.commitData(editor)
            self.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
            if reason is not None:  # kept red in its cell; the file keeps the old value
                self.message.emit(f"未保存：{reason}（该单元格以红色标出，原值未改动）")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setItemDelegate(CellDelegate(self))
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.font_fit = FontFit(self, ROW_HEIGHT)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.horizontalHeader().setStretchLastSection(True)
        self.horizontalHeader().setHighlightSections(False)

    def setModel(self, model: Any) -> None:  # noqa: N802 - Qt override
        super().setModel(model)
        if isinstance(model, RowTableModel):
            for i, col in enumerate(model.columns):
                self.setColumnWidth(i, col.width)
            model.hint.connect(self.message)

    # -- keyboard -----------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
            return
        if event.matches(QKeySequence.StandardKey.Paste):
            self.paste()
            return
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.state() != QAbstractItemView.State.EditingState:
            self.clear_selection_cells()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.state() != QAbstractItemView.State.EditingState:
            self._move(1 if not event.modifiers() & Qt.KeyboardModifier.ShiftModifier else -1, 0)
            return
        super().keyPressEvent(event)

    def closeEditor(self, editor: QWidget, hint: QStyledItemDelegate.EndEditHint) -> None:  # noqa: N802
        # Enter in an editor commits and moves down, like a spreadsheet.
        if hint == QStyledItemDelegate.EndEditHint.SubmitModelCache:
            super().closeEditor(editor, QStyledItemDelegate.EndEditHint.NoHint)
            self._move(1, 0)
            return
        super().closeEditor(editor, hint)

    def _move(self, d_row: int, d_col: int) -> None:
        current = self.currentIndex()
        model = self.model()
        if not current.isValid() or model is None:
            return
        row = min(max(0, current.row() + d_row), model.rowCount() - 1)
        col = min(max(0, current.column() + d_col), model.columnCount() - 1)
        self.setCurrentIndex(model.index(row, col))

    # -- clipboard ----------------------------------------------------------------------------

    def selection_block(self) -> tuple[int, int, int, int] | None:
        indexes = self.selectionModel().selectedIndexes() if self.selectionModel() else []
        if not indexes:
            current = self.currentIndex()
            if not current.isValid():
                return None
            indexes = [current]
        rows = [i.row() for i in indexes]
        cols = [i.column() for i in indexes if not self.isColumnHidden(i.column())]
        return min(rows), min(cols), max(rows), max(cols)

    def copy_selection(self) -> str:
        block = self.selection_block()
        if block is None:
            return ""
        top, left, bottom, right = block
        model = self.model()
        lines = []
        for r in range(top, bottom + 1):
            cells = []
            for c in range(left, right + 1):
                if self.isColumnHidden(c):
                    continue
                value = model.index(r, c).data(Qt.ItemDataRole.EditRole)
                if value is None:
                    value = model.index(r, c).data(Qt.ItemDataRole.DisplayRole)
                cells.append("" if value is None else str(value).replace("\t", " ").replace("\n", " "))
            lines.append("\t".join(cells))
        text = "\n".join(lines)
        QGuiApplication.clipboard().setText(text)
        return text

    def paste(self, text: str | None = None, insert: bool = False) -> list[str]:
        """Paste tab-separated text at the current cell, or with `insert` as new rows inserted
        above the current row (whole copied rows go in from the first column); one undo step, or
        nothing and a message."""
        model = self.model()
        if not isinstance(model, RowTableModel):
            return []
        if text is None:
            text = QGuiApplication.clipboard().text()
        block = parse_tsv(text)
        if not block:
            return []
        current = self.currentIndex()
        top = current.row() if current.isValid() else model.rowCount()
        left = current.column() if current.isValid() else 0
        visible = [c for c in range(model.columnCount()) if not self.isColumnHidden(c)]
        width = max(len(cells) for cells in block)
        if insert and width == len(visible):
            left = visible[0]
        # Map pasted columns onto the visible columns from the current one on.
        start = visible.index(left) if left in visible else 0
        targets = visible[start:]
        title = "无法插入复制的行" if insert else "无法粘贴"
        if width > len(targets):
            errors.show_error(self, title, f"粘贴的内容有 {width} 列，超出表格右侧；未作任何改动。")
            return ["columns"]
        label = f"插入复制的 {len(block)} 行" if insert else f"粘贴 {len(block)} 行"
        problems = _paste_mapped(model, top, targets, block, label, insert)
        if problems:
            shown = "\n".join(problems[:20]) + ("\n……" if len(problems) > 20 else "")
            what = "未插入任何行" if insert else "整块未粘贴"
            errors.show_error(self, title, f"以下单元格无法识别，{what}（可撤销的修改均未发生）：\n\n{shown}")
        elif insert:
            self.setCurrentIndex(model.index(top, left))
        return problems

    def selected_rows(self) -> list[int]:
        rows = {i.row() for i in self.selectionModel().selectedIndexes()} if self.selectionModel() else set()
        if not rows and self.currentIndex().isValid():
            rows = {self.currentIndex().row()}
        return sorted(rows)

    # -- context menu -------------------------------------------------------------------------

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 - Qt override
        index = self.indexAt(event.pos())
        if index.isValid() and not self.selectionModel().isSelected(index):
            self.setCurrentIndex(index)
        elif not index.isValid():
            self.clearSelection()
            self.setCurrentIndex(QModelIndex())
        self.commit_editor()
        menu = self.context_menu()
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(event.globalPos())

    def context_menu(self) -> QMenu:
        """插入行, 删除行, 复制, 粘贴, 插入复制的行 for the current cell or selection, each one undo
        step; the editing ones are disabled on a read-only report, a computed cell or a table
        whose rows are fixed."""
        model = self.model()
        rows_table = isinstance(model, RowTableModel) and not model.rdoc.doc.read_only
        current = self.currentIndex()
        editable = current.isValid() and bool(model.flags(current) & Qt.ItemFlag.ItemIsEditable)
        clipboard = bool(QGuiApplication.clipboard().text().strip())
        rows = self.selected_rows() if current.isValid() else []
        menu = QMenu(self)
        for label, slot, enabled in (
                ("插入行", self.insert_row_here, rows_table),
                ("删除行", self.delete_selected_rows, rows_table and bool(rows)),
                (None, None, False),
                ("复制", self.copy_selection, self.selection_block() is not None),
                ("粘贴", self.paste, rows_table and editable and clipboard),
                ("插入复制的行", lambda: self.paste(insert=True), rows_table and clipboard)):
            if label is None:
                menu.addSeparator()
                continue
            action = menu.addAction(label)
            action.setEnabled(enabled)
            action.triggered.connect(lambda _checked=False, run=slot: run())
        return menu

    def insert_row_here(self) -> bool:
        """A new empty row above the current one (at the end when no row is current)."""
        model = self.model()
        current = self.currentIndex()
        at = current.row() if current.isValid() else model.rowCount()
        if not model.insert_row(at):
            return False
        self.setCurrentIndex(model.index(at, max(0, current.column())))
        return True

    def delete_selected_rows(self) -> bool:
        rows = self.selected_rows()
        return bool(rows) and self.model().remove_rows(rows)

    def clear_selection_cells(self) -> None:
        model = self.model()
        block = self.selection_block()
        if block is None or not isinstance(model, RowTableModel):
            return
        top, left, bottom, right = block
        cols = [c for c in range(left, right + 1) if not self.isColumnHidden(c)
                and model.columns[c].kind != "computed" and (model.columns[c].optional or model.columns[c].kind == "text")]
        rows = [["" for _ in cols] for _ in range(top, bottom + 1)]
        if cols:
            _paste_mapped(model, top, cols, rows, f"清除单元格 {len(rows)} 行")


def _paste_mapped(model: RowTableModel, top: int, columns: list[int], block: list[list[str]],
                  text: str, insert: bool = False) -> list[str]:
    """Paste cells onto arbitrary (visible) columns by widening each row to the model's columns."""
    width = model.columnCount()
    left = columns[0]
    longest = max((len(cells) for cells in block), default=0)
    span = columns[longest - 1] - left + 1 if longest else 0
    wide: list[list[str | None]] = []
    for cells in block:
        row: list[str | None] = [None] * span
        for value, column in zip(cells, columns):
            row[column - left] = value
        wide.append(row)
    # Cells of columns skipped by the mapping (hidden ones) are None and keep their values.
    return model.set_block(top, left, wide, text, insert) if width else []


def parse_tsv(text: str) -> list[list[str]]:
    """Excel/WPS clipboard text: rows by newline, cells by tab; quoted cells may hold newlines."""
    if not text:
        return []
    rows: list[list[str]] = []
    cell, row, quoted, i = [], [], False, 0
    while i < len(text):
        ch = text[i]
        if quoted:
            if ch == '"' and i + 1 < len(text) and text[i + 1] == '"':
                cell.append('"')
                i += 1
            elif ch == '"':
                quoted = False
            else:
                cell.append(ch)
        elif ch == '"' and not cell:
            quoted = True
        elif ch == "\t":
            row.append("".join(cell))
            cell = []
        elif ch in "\r\n":
            if ch == "\r" and i + 1 < len(text) and text[i + 1] == "\n":
                i += 1
            row.append("".join(cell))
            rows.append(row)
            cell, row = [], []
        else:
            cell.append(ch)
        i += 1
    if cell or row:
        row.append("".join(cell))
        rows.append(row)
    return rows

