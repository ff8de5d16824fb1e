import os
import subprocess
import sys

from yibao_desktop.ui.main_window import MainWindow, demo_document_path, open_demo


def test_demo_opens_with_figures_in_status_bar(qtbot):
    doc = open_demo()
    assert demo_document_path().exists()
    window = MainWindow(doc)
    qtbot.add_widget(window)
    window.show()
    assert window.windowTitle().startswith(demo_document_path().name)
    assert "总分 94.61" in window.statusBar().currentMessage()
    assert "等级 优" in window.statusBar().currentMessage()
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == ["概览", "资金", "指标", "评分", "报告文字"]
    doc.close()


def test_pyside_refcount_regression_loop():
    """PySide6 6.12.0 aborted the process on these loops (PITFALLS.md); keep 6.11.3 honest."""
    code = (
        "from PySide6.QtWidgets import QApplication\n"
        "from PySide6.QtGui import QStandardItemModel, QStandardItem\n"
        "from PySide6.QtCore import QAbstractTableModel, QModelIndex\n"
        "app = QApplication([])\n"
        "m = QStandardItemModel(500, 8)\n"
        "for r in range(500):\n"
        "    for c in range(8):\n"
        "        m.setItem(r, c, QStandardItem('x'))\n"
        "class T(QAbstractTableModel):\n"
        "    def rowCount(self, p=QModelIndex()): return 1\n"
        "    def columnCount(self, p=QModelIndex()): return 1\n"
        "    def data(self, i, role=0): return None\n"
        "t = T()\n"
        "for _ in range(10000):\n"
        "    QAbstractTableModel.setData(t, t.index(0, 0), 1)\n"
        "print('ok')\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "ok"
