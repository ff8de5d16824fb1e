"""A generic editable table over one row collection of the report.

`data()` formats, `flags()` makes computed columns read-only, `setData()` parses the typed text and
pushes one undo step through the ReportDocument. Every change of the report repaints the whole
(visible) range, so computed and dependent cells are always current."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Callable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPixmap

from yibao_desktop.domain.edits import DeleteRow, Edit, InsertRow, MoveRow, SetField
from yibao_desktop.domain.errors import ValueParseError
from yibao_desktop.domain import formatting as fmt
from yibao_desktop.domain.money import fmt_num, parse_money
from yibao_desktop.domain.report import ROW_COLLECTIONS, get_rows
from yibao_desktop.domain.values import parse_date_text, parse_number_text
from yibao_desktop.ui.document import ReportDocument

Index = QModelIndex | QPersistentModelIndex
YES, NO = "是", "否"
TRUE_WORDS = frozenset({YES, "√", "✓", "1", "Y", "y", "true", "True"})
FALSE_WORDS = frozenset({NO, "", "×", "0", "N", "n", "false", "False"})
_R = Qt.ItemDataRole
# Roles the models answer; every other role (asked for by each cell on every paint) returns at once.
HANDLED_ROLES = frozenset({_R.DisplayRole, _R.EditRole, _R.ToolTipRole, _R.BackgroundRole, _R.ForegroundRole,
                           _R.TextAlignmentRole, _R.DecorationRole})
ERROR_BG = QBrush(QColor("#fde2e1"))
WARN_BG = QBrush(QColor("#fff4d6"))
COMPUTED_BG = QBrush(QColor("#f3f6fa"))
MUTED = QBrush(QColor("#8a8f98"))
ERROR_FG = QBrush(QColor("#b3261e"))


class DisplayUnit(QObject):
    """Shared 元/万元 display setting (storage is always 元)."""

    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.wan = False

    def set_wan(self, wan: bool) -> None:
        if wan != self.wan:
            self.wan = wan
            self.changed.emit()

    @property
    def label(self) -> str:
        return "万元" if self.wan else "元"


@dataclass(frozen=True)
class Column:
    field: str | None               # domain field; None for a computed column
    header: str
    kind: str = "text"              # text | money | number | date | enum | bool | int | computed
    choices: Sequence[str] | Callable[[], Sequence[str]] = ()
    width: int = 110
    optional: bool = False          # empty text means None
    tip: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def choice_list(self) -> list[str]:
        return list(self.choices() if callable(self.choices) else self.choices)


_icon: list[QPixmap] = []


def problem_icon() -> QPixmap:
    """A small red disc with a white '!' (made once, when first needed)."""
    if not _icon:
        size = 14
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#c0392b"))
        painter.drawEllipse(0, 0, size, size)
        painter.setPen(QColor("white"))
        font = painter.font()
        font.setBold(True)
        font.setPixelSize(11)
        painter.setFont(font)
        painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, "!")
        painter.end()
        _icon.append(pixmap)
    return _icon[0]


class CellMarks:
    """Per-cell marks a model keeps beside the report: text that could not be saved (shown red in
    its cell, with the reason as tooltip, and offered again in the editor for correction) and
    non-blocking hints about an accepted value (shown yellow). Keyed by (row, column); cleared
    when the cell is set again or the rows move."""

    def __init__(self) -> None:
        self.bad: dict[tuple[int, int], tuple[str, str]] = {}
        self.hints: dict[tuple[int, int], str] = {}

    def clear(self, row: int, column: int) -> None:
        self.bad.pop((row, column), None)
        self.hints.pop((row, column), None)

    def reset(self) -> None:
        self.bad.clear()
        self.hints.clear()

    def data(self, row: int, column: int, role: int) -> Any:
        """What a marked cell shows for `role`, or None to let the model answer."""
        key = (row, column)
        bad = self.bad.get(key)
        if bad is not None:
            text, reason = bad
            if role in (_R.DisplayRole, _R.EditRole):
                return text
            if role == _R.DecorationRole:  # seen even when the cell is selected
                return problem_icon()
            if role == _R.BackgroundRole:
                return ERROR_BG
            if role == _R.ForegroundRole:
                return ERROR_FG
            if role == _R.ToolTipRole:
                return f"「{text}」未保存：{reason}\n请改正后按回车（原值未改动）。"
            return None
        hint = self.hints.get(key)
        if hint is not None and role in (_R.BackgroundRole, _R.ToolTipRole):
            return WARN_BG if role == _R.BackgroundRole else hint
        return None


class RowTableModel(QAbstractTableModel):
    """Rows of `collection`; subclasses add computed columns via `computed_data`."""

    row_label = "行"
    # Non-blocking advice about a value just accepted (the window shows it in the status bar).
    hint = Signal(str)

    def __init__(self, rdoc: ReportDocument, collection: str, columns: Sequence[Column], unit: DisplayUnit):
        super().__init__()
        self.rdoc = rdoc
        self.collection = collection
        self.columns = list(columns)
        self.unit = unit
        self.row_class = ROW_COLLECTIONS[collection]
        self._rows = get_rows(rdoc.report, collection)
        self._count = len(self._rows)
        self._state = self.state()
        self.marks = CellMarks()
        rdoc.changed.connect(self._on_document_changed)
        rdoc.structure_changed.connect(self._on_document_structure_changed)
        unit.changed.connect(self._on_unit_changed)

    # -- shape ---------------------------------------------------------------------------------

    def rows(self) -> tuple[Any, ...]:
        """The rows as of the last document change (cached: data() is called thousands of times)."""
        return self._rows

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if orientation == Qt.Orientation.Horizontal:
                col = self.columns[section]
                return f"{col.header}（{self.unit.label}）" if col.kind == "money" else col.header
            return str(section + 1)
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section].tip or None
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.is_editable(index.row(), index.column()):
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def is_editable(self, row: int, column: int) -> bool:
        return self.columns[column].kind != "computed"

    # -- data ----------------------------------------------------------------------------------

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in HANDLED_ROLES or not index.isValid() or index.row() >= self._count:
            return None
        if role == _R.DecorationRole:
            return self.marks.data(index.row(), index.column(), role) if self.marks.bad else None
        col = self.columns[index.column()]
        row = self.rows()[index.row()]
        if col.kind == "computed":
            return self.computed_data(index.row(), col, role)
        if self.marks.bad or self.marks.hints:
            marked = self.marks.data(index.row(), index.column(), role)
            if marked is not None:
                return marked
        value = getattr(row, col.field) if col.field else None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(col, value)
        if role == Qt.ItemDataRole.EditRole:
            return self.edit_text(col, value)
        if role == Qt.ItemDataRole.TextAlignmentRole and col.kind in ("money", "number", "int"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return self.extra_data(index.row(), col, role)

    def computed_data(self, row: int, col: Column, role: int) -> Any:
        return None

    def extra_data(self, row: int, col: Column, role: int) -> Any:
        return None

    def display(self, col: Column, value: Any) -> str:
        if value is None:
            return ""
        if col.kind == "money":
            return fmt.money(value, self.unit.label)
        if col.kind == "bool":
            return YES if value else ""
        if isinstance(value, Decimal):
            return fmt_num(value) or ""
        if isinstance(value, date):
            return value.isoformat()
        return str(value)

    def edit_text(self, col: Column, value: Any) -> str:
        if value is None:
            return ""
        if col.kind == "money":
            return fmt.edit_text(value, self.unit.label)
        if col.kind == "bool":
            return YES if value else NO
        return self.display(col, value)

    # -- editing -------------------------------------------------------------------------------

    def parse(self, row: int, column: int, text: str) -> Any:
        """Typed or pasted text -> the domain value for that cell; ValueParseError if not understood."""
        col = self.columns[column]
        text = "" if text is None else str(text).strip()
        if text == "" and (col.optional or col.kind in ("number", "date", "int")):
            return None
        if col.kind == "money":
            if text == "":
                raise ValueParseError("金额不能为空")
            return parse_money(text, default_unit=self.unit.label)
        if col.kind == "number":
            return parse_number_text(text, self.number_unit(row))
        if col.kind == "int":
            value = parse_number_text(text)
            if value != value.to_integral_value():
                raise ValueParseError(f"「{text}」应为整数")
            return int(value)
        if col.kind == "date":
            return parse_date_text(text)
        if col.kind == "enum":
            choices = col.choice_list()
            if text not in choices:
                raise ValueParseError(f"「{text}」不是可选值（可选：{'、'.join(choices)}）")
            return text
        if col.kind == "bool":
            if text in TRUE_WORDS:
                return True
            if text in FALSE_WORDS:
                return False
            raise ValueParseError(f"「{text}」应为“是”或“否”")
        return text

    def choices(self, row: int, column: int) -> list[str]:
        """What the cell's combo box offers (a row may narrow its column's list)."""
        col = self.columns[column]
        if col.kind == "bool":
            return [NO, YES]
        return ([""] if col.optional else []) + col.choice_list()

    def number_unit(self, row: int) -> str:
        return ""

    def check_text(self, index: Index, text: str) -> str | None:
        """Why `text` cannot be saved in the cell (Chinese), or None. The cell editor asks this
        before committing, so a bad value stays in the editor for correction."""
        try:
            self.parse(index.row(), index.column(), text)
        except ValueParseError as err:
            return str(err)
        return None

    def hint_for(self, row: int, column: int, value: Any, text: str) -> str | None:
        """Non-blocking advice about an accepted value (e.g. 0.886 typed for a % indicator)."""
        return None

    def edits_for(self, row: int, column: int, value: Any) -> list[Edit]:
        """The edits that set one cell (subclasses add dependent fields)."""
        return [SetField(self.collection, row, self.columns[column].field, value)]

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or not self.is_editable(index.row(), index.column()):
            return False
        col = self.columns[index.column()]
        row, column = index.row(), index.column()
        text = "" if value is None else str(value)
        try:
            parsed = self.parse(row, column, text)
        except ValueParseError as err:
            # Shown in the cell (red, reason as tooltip) and kept for correction; nothing saved.
            self.marks.hints.pop((row, column), None)
            self.marks.bad[(row, column)] = (text.strip(), str(err))
            self.dataChanged.emit(index, index)
            return False
        had_marks = (row, column) in self.marks.bad or (row, column) in self.marks.hints
        self.marks.clear(row, column)
        current = getattr(self.rows()[row], col.field)
        if parsed == current and type(parsed) is type(current):
            if had_marks:
                self.dataChanged.emit(index, index)
            return True
        if not self.rdoc.apply(self.edits_for(row, column, parsed), f"修改「{col.header}」"):
            return False
        hint = self.hint_for(row, column, parsed, text)
        if hint is not None:
            self.marks.hints[(row, column)] = hint
            self.dataChanged.emit(index, index)
            self.hint.emit(hint)
        return True

    def set_block(self, top: int, left: int, block: Sequence[Sequence[str | None]], text: str,
                  insert: bool = False) -> list[str]:
        """Paste a block of cells as one undo step. Returns the problems (row/column/reason); with
        any problem nothing is changed. Rows beyond the end are appended; with `insert` every
        block row becomes a new row inserted at `top` (computed cells in it are skipped)."""
        problems: list[str] = []
        edits: list[Edit] = []
        n_rows = self._count
        new_rows: dict[int, Any] = {}
        done: list[tuple[int, int]] = []
        for r, cells in enumerate(block):
            row = top + r
            target = n_rows + r if insert else row  # a new row is parsed as one (no unit, all editable)
            if insert:
                new_rows[target] = self.new_row()
            for c, cell in enumerate(cells):
                column = left + c
                if cell is None:  # a hidden column inside the pasted range keeps its value
                    continue
                if column >= len(self.columns):
                    problems.append(f"第 {row + 1} 行第 {column + 1} 列：超出表格范围")
                    continue
                col = self.columns[column]
                if not self.is_editable(target, column):
                    if cell.strip() and not insert:
                        problems.append(f"第 {row + 1} 行「{col.header}」：该列为自动计算，不能粘贴")
                    continue
                try:
                    value = self.parse(target, column, cell)
                except ValueParseError as err:
                    problems.append(f"第 {row + 1} 行「{col.header}」：{err}")
                    continue
                if target < n_rows:
                    edits.extend(self.edits_for(row, column, value))
                    done.append((row, column))
                else:
                    base = new_rows.get(target) or self.new_row()
                    new_rows[target] = _replace(base, col.field, value)
        if problems:
            return problems
        at = top if insert else n_rows  # inserted where asked, or appended after the last row
        for k, row in enumerate(sorted(new_rows)):
            edits.append(InsertRow(self.collection, at + k, self.complete_row(new_rows[row])))
        if edits and self.rdoc.apply(edits, text):
            for row, column in done:
                self.marks.clear(row, column)
        return []

    def complete_row(self, row: Any) -> Any:
        """A new row built from pasted cells, with the fields that follow from them filled in."""
        return row

    def new_row(self) -> Any:
        return self.row_class()

    def insert_row(self, row: int) -> bool:
        row = max(0, min(row, self._count))
        return self.rdoc.apply([InsertRow(self.collection, row, self.new_row())], f"插入{self.row_label}")

    def remove_rows(self, rows: Sequence[int]) -> bool:
        edits: list[Edit] = [DeleteRow(self.collection, r) for r in sorted(set(rows), reverse=True)]
        return self.rdoc.apply(edits, f"删除{len(edits)}{self.row_label}")

    def move_row(self, row: int, delta: int) -> bool:
        target = row + delta
        if not (0 <= row < self._count and 0 <= target < self._count):
            return False
        return self.rdoc.apply([MoveRow(self.collection, row, target)], f"移动{self.row_label}")

    # -- document signals ----------------------------------------------------------------------

    def _on_document_structure_changed(self, collection: str) -> None:
        if collection in (self.collection, "*", "root"):
            self.marks.reset()  # rows moved: the marks would point at other rows
            self.beginResetModel()
            self._rows = get_rows(self.rdoc.report, self.collection)
            self._count = len(self._rows)
            self._state = self.state()
            self.endResetModel()

    def state(self) -> Any:
        """What the cells depend on, kept between changes to find the rows to repaint."""
        return self._rows

    def changed_rows(self, old: Any, new: Any) -> list[int]:
        """Rows whose inputs are not the identical objects as before (rows are frozen and
        compute reuses unchanged results, so identity is exact and cheap)."""
        return [i for i, (a, b) in enumerate(zip(old, new)) if a is not b]

    def _on_document_changed(self) -> None:
        self._rows = get_rows(self.rdoc.report, self.collection)
        count = len(self._rows)
        if count != self._count:
            self._on_document_structure_changed(self.collection)
            return
        old, self._state = self._state, self.state()
        rows = self.changed_rows(old, self._state)
        last = len(self.columns) - 1
        # One dataChanged per run of changed rows, so only those rows are repainted.
        start = prev = None
        for i in rows:
            if start is None:
                start = prev = i
            elif i == prev + 1:
                prev = i
            else:
                self.dataChanged.emit(self.index(start, 0), self.index(prev, last))
                start = prev = i
        if start is not None:
            self.dataChanged.emit(self.index(start, 0), self.index(prev, last))

    def _repaint_all(self) -> None:
        if self._count:
            self.dataChanged.emit(self.index(0, 0), self.index(self._count - 1, len(self.columns) - 1))

    def _on_unit_changed(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.columns) - 1)
        self._repaint_all()


def _replace(row: Any, field_name: str | None, value: Any) -> Any:
    from dataclasses import replace

    return replace(row, **{field_name: value}) if field_name else row
