"""Start-up anchor: a bare PySide6 window the size of the app's, shown once, then exit.

A QMainWindow holding a QTabWidget with 4 tabs, each a QTableView over a 500 × 8 model. It exits
as `YIBAO_EXIT_AFTER_SHOW=1 python -m yibao_desktop` does (`ui.main_window.run_gui`): right after
`window.show()` and one `processEvents()`, so both processes stop at the same point.

    python benchmarks/anchors/bare_window.py [--minimal-model]

Each table's model is a QStandardItemModel filled with 4,000 QStandardItems, the plain Qt way.
`--minimal-model` uses a minimal QAbstractTableModel instead, for cross-checking: about 35 ms
lighter (0.15 s against 0.18 s here), so the app's ratio against it reads about 20 % higher.
Imports nothing of yibao_desktop.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView, QTabWidget

ROWS, COLUMNS, TABS = 500, 8, 4


class Model(QAbstractTableModel):
    def __init__(self, tab: int):
        super().__init__()
        self.cells = [[f"{tab}-{r}-{c}" for c in range(COLUMNS)] for r in range(ROWS)]

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else ROWS

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else COLUMNS

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cells[index.row()][index.column()]
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole:
            return f"列{section + 1}" if orientation == Qt.Orientation.Horizontal else str(section + 1)
        return None


def standard_model(tab: int) -> QStandardItemModel:
    model = QStandardItemModel(ROWS, COLUMNS)
    model.setHorizontalHeaderLabels([f"列{c + 1}" for c in range(COLUMNS)])
    for r in range(ROWS):
        for c in range(COLUMNS):
            model.setItem(r, c, QStandardItem(f"{tab}-{r}-{c}"))
    return model


def main(argv: list[str]) -> int:
    app = QApplication([sys.argv[0]])
    app.setApplicationName("anchor")
    window = QMainWindow()
    window.resize(1366, 768)
    tabs = QTabWidget()
    for tab in range(TABS):
        view = QTableView()
        model = Model(tab) if "--minimal-model" in argv else standard_model(tab)
        model.setParent(view)
        view.setModel(model)
        tabs.addTab(view, f"表{tab + 1}")
    window.setCentralWidget(tabs)
    window.show()
    app.processEvents()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
