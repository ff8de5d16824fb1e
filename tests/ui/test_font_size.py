"""Issue 13, item 20: Ctrl+加号 / Ctrl+减号 / Ctrl+0 change the font of the whole program (tables
grow with it), and the size is remembered for the next start."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from yibao_desktop.storage.repository import Document
from yibao_desktop.ui.excel_dialogs import ExportExcelDialog
from yibao_desktop.ui.main_window import MainWindow, settings
from yibao_desktop.ui.zoom import KEY, base_font


@pytest.fixture
def base_size():
    size = base_font().pointSizeF()
    yield size
    QApplication.setFont(base_font())  # never leave another test a zoomed program
    QApplication.processEvents()


def press(qtbot, window, key):
    window.activateWindow()
    qtbot.keyClick(window.tabs.currentWidget(), key, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()  # the new application font reaches the widgets through the event loop


def test_ctrl_plus_minus_zero_scale_the_whole_program_and_are_remembered(window, qtbot, base_size):
    view = window.indicators.view
    window.tabs.setCurrentIndex(2)
    row_height = view.verticalHeader().defaultSectionSize()
    name_width = view.columnWidth(2)

    press(qtbot, window, Qt.Key.Key_Plus)
    assert QApplication.font().pointSizeF() == pytest.approx(base_size * 1.1)
    press(qtbot, window, Qt.Key.Key_Equal)  # Ctrl+= as well: no Shift needed for the plus key
    assert QApplication.font().pointSizeF() == pytest.approx(base_size * 1.25)
    assert view.font().pointSizeF() == pytest.approx(base_size * 1.25)  # the window's tables follow…
    assert view.verticalHeader().defaultSectionSize() > row_height  # …with taller rows…
    assert view.columnWidth(2) > name_width  # …and wider columns
    assert ExportExcelDialog(window).font().pointSizeF() == pytest.approx(base_size * 1.25)  # dialogs too
    assert "字号：125%" in window.statusBar().currentMessage()
    assert int(settings().value(KEY)) == 125

    # The next start opens at the size chosen.
    path = window.rdoc.path
    window.close_document()
    QApplication.setFont(base_font())
    again = MainWindow(Document.open(path))
    qtbot.add_widget(again)
    again.show_on_screen()
    QApplication.processEvents()
    assert QApplication.font().pointSizeF() == pytest.approx(base_size * 1.25)

    press(qtbot, again, Qt.Key.Key_0)
    assert QApplication.font().pointSizeF() == pytest.approx(base_size)
    assert again.indicators.view.verticalHeader().defaultSectionSize() == row_height
    press(qtbot, again, Qt.Key.Key_Minus)
    assert QApplication.font().pointSizeF() == pytest.approx(base_size * 0.9)
    assert int(settings().value(KEY)) == 90
    for _ in range(3):
        again.zoom_out_action.trigger()  # the smallest step is the floor
    assert QApplication.font().pointSizeF() == pytest.approx(base_size * 0.9)
    again.zoom_reset_action.trigger()
    QApplication.processEvents()
    again.close_document()
