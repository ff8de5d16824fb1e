"""What a county user meets first: typed text is never lost on closing, and the window fits the
screen it opens on."""

from __future__ import annotations

import json
import os
from decimal import Decimal

import pytest
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from tests.child import child_output
from yibao_desktop.storage.repository import Document
from yibao_desktop.ui.main_window import MainWindow, fit_rect
from yibao_desktop.ui.models.tables import IND_COL


def _type_without_enter(qtbot, window, text="188"):
    """Open the 实际完成值 editor of the first quantitative row and type, pressing no Enter."""
    window.tabs.setCurrentIndex(2)
    view = window.indicators.view
    row = next(i for i, ind in enumerate(window.rdoc.report.indicators) if ind.nature != "定性")
    index = view.model().index(row, IND_COL["实际完成值"])
    view.setCurrentIndex(index)
    view.edit(index)
    editor = QApplication.focusWidget()
    if not isinstance(editor, QLineEdit):  # offscreen may not move the focus: find the editor
        editor = view.viewport().findChild(QLineEdit)
        editor.setFocus()
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    return row


@pytest.fixture
def doc_path(tmp_path, demo_report):
    path = tmp_path / "报告.yibao"
    Document.create(path, demo_report).close()
    return path


def _actual_in_file(path, row):
    with Document.open(path, read_only=True) as doc:
        return doc.report.indicators[row].actual


@pytest.mark.parametrize("how", ["close", "ctrl_w", "ctrl_q"])
def test_an_open_cell_editor_is_saved_on_closing(qtbot, doc_path, how, messages):
    window = MainWindow(Document.open(doc_path))
    qtbot.add_widget(window)
    window.show()
    window.activateWindow()
    row = _type_without_enter(qtbot, window)
    if how == "close":
        window.close()  # the ✕ button: closeEvent
    else:
        key = Qt.Key.Key_W if how == "ctrl_w" else Qt.Key.Key_Q
        action = window.close_action if how == "ctrl_w" else window.quit_action
        assert action.shortcut().toString() == ("Ctrl+W" if how == "ctrl_w" else "Ctrl+Q")
        qtbot.keyClick(QApplication.focusWidget() or window, key, Qt.KeyboardModifier.ControlModifier)
        if window.rdoc is not None:  # the offscreen platform did not route the shortcut: trigger it
            action.trigger()
    assert window.rdoc is None
    assert _actual_in_file(doc_path, row) == Decimal("188")
    assert not [m for m in messages if m[0] == "error"]


def test_an_open_editor_is_saved_before_an_export(qtbot, doc_path, tmp_path, messages):
    window = MainWindow(Document.open(doc_path))
    qtbot.add_widget(window)
    window.show()
    row = _type_without_enter(qtbot, window, "177")
    task = window.export_excel_to(str(tmp_path / "x.xlsx"), "data")
    with qtbot.waitSignal(task.finished, timeout=30000):
        pass
    assert window.rdoc.report.indicators[row].actual == Decimal("177")
    window.close_document()


def test_fit_rect_keeps_the_frame_inside_the_available_area():
    taskbar = QRect(0, 0, 1366, 728)  # a 1366×768 screen with a 40 px taskbar
    rect = fit_rect(taskbar, QSize(1366, 768), QSize(16, 40))
    assert rect.width() + 16 <= 1366 and rect.height() + 40 <= 728
    assert taskbar.contains(rect)
    big = QRect(0, 0, 2560, 1400)
    assert fit_rect(big, QSize(1366, 768)).size() == QSize(1366, 768)


def test_the_real_start_fits_a_1366x768_screen_and_remembers(tmp_path):
    """The start-up path (app.main → run_gui) on an offscreen screen of 1366×768."""
    config = tmp_path / "screens.json"
    config.write_text(json.dumps({"screens": [{"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 768,
                                              "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    script = (
        "import os\n"
        "from PySide6.QtWidgets import QApplication\n"
        "import yibao_desktop.ui.main_window as mw\n"
        "seen = {}\n"
        "def grab(window):\n"
        "    QApplication.processEvents()\n"
        "    avail = window.screen().availableGeometry()\n"
        "    seen['fits'] = avail.contains(window.frameGeometry()) or window.isMaximized()\n"
        "    seen['max'] = window.isMaximized()\n"
        "orig = mw.MainWindow.show_on_screen\n"
        "def patched(self):\n"
        "    orig(self)\n"
        "    grab(self)\n"
        "mw.MainWindow.show_on_screen = patched\n"
        "os.environ['YIBAO_EXIT_AFTER_SHOW'] = '1'\n"
        "from yibao_desktop.app import main\n"
        "main([])\n"
        "print(seen)\n")
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}", "YIBAO_DATA_DIR": str(tmp_path / "d")}
    assert child_output(script, env=env)[-1] == "{'fits': True, 'max': True}"
    settings_file = tmp_path / "d" / "settings.ini"
    assert "geometry" in settings_file.read_text(encoding="utf-8")  # remembered for next time


def test_second_window_on_the_same_file_opens_read_only_and_says_who_holds_it(window, qtbot, messages):
    from yibao_desktop.storage.repository import Document
    from yibao_desktop.ui.main_window import MainWindow

    second = MainWindow(Document.open(window.rdoc.path))
    qtbot.add_widget(second)
    try:
        assert second.rdoc.doc.read_only
        kind, title, message = messages[-1]
        assert title == "只读打开" and "此文件已在另一个窗口中打开" in message
        assert "本次只能查看" in message
    finally:
        second.close_document()


HOT_JOURNAL = """
import os, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA cache_size=1")  # spill to the file, so the journal is hot
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE expenditure SET pos = pos + 1000")
conn.execute("UPDATE indicator SET pos = pos + 1000")
os._exit(0)  # the process dies inside the transaction
"""


def test_a_change_interrupted_by_a_crash_is_rolled_back_and_the_user_told(tmp_path, qtbot, messages, demo_report):
    import subprocess
    import sys

    from yibao_desktop.storage.repository import Document
    from yibao_desktop.ui.main_window import MainWindow

    path = tmp_path / "断电.yibao"
    Document.create(path, demo_report).close()
    subprocess.run([sys.executable, "-c", HOT_JOURNAL, str(path)], check=True)
    assert (tmp_path / "断电.yibao-journal").exists()
    win = MainWindow(Document.open(path))
    qtbot.add_widget(win)
    try:
        assert win.rdoc.report == demo_report and not win.rdoc.doc.read_only
        assert ("info", "已恢复") == messages[-1][:2] and "已保存的内容都在" in messages[-1][2]
    finally:
        win.close_document()


def test_no_page_makes_the_window_wider_than_a_small_screen(window):
    """A label that does not wrap once pushed the 评分 page to 1376 px on a 1366×768 screen."""
    from yibao_desktop.ui.main_window import TAB_NAMES

    from PySide6.QtWidgets import QApplication

    for index, name in enumerate(TAB_NAMES):
        window.tabs.setCurrentIndex(index)
        window.resize(1366, 768)
        QApplication.processEvents()
        assert window.width() <= 1366 and window.minimumSize().width() <= 1366, (name, window.width())
