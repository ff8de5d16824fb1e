"""Issue 13, item 17: the tables' right-click menu (插入行, 删除行, 复制, 粘贴, 插入复制的行), each
action one undo step, the editing ones disabled where the table cannot take them."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QContextMenuEvent, QGuiApplication
from PySide6.QtWidgets import QApplication, QMenu

from yibao_desktop.storage.repository import Document
from yibao_desktop.ui.main_window import TAB_NAMES, MainWindow
from yibao_desktop.ui.models.tables import IND_COL

# A popup menu grabs keyboard and mouse, which the offscreen platform cannot do (and says so).
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support grabbing")

LABELS = ["插入行", "删除行", "复制", "粘贴", "插入复制的行"]


def right_click(window, tab, view, row, column) -> dict[str, object]:
    """A real context-menu event on the cell; returns the popup's actions by label."""
    window.tabs.setCurrentIndex(TAB_NAMES.index(tab))
    rect = view.visualRect(view.model().index(row, column))
    pos = rect.center()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, view.viewport().mapToGlobal(pos))
    QApplication.sendEvent(view.viewport(), event)
    menus = [m for m in view.findChildren(QMenu) if m.isVisible()]
    assert len(menus) == 1
    menu = menus[0]
    actions = {a.text(): a for a in menu.actions() if not a.isSeparator()}
    assert list(actions) == LABELS
    menu.close()
    return actions


def enabled(actions) -> dict[str, bool]:
    return {label: action.isEnabled() for label, action in actions.items()}


def in_file(window):
    with Document.open(window.rdoc.path, read_only=True) as doc:
        return doc.report


def test_right_click_menu_edits_rows_each_in_one_undo_step(window, qtbot):
    view = window.funds.expenditures.view
    stack = window.rdoc.undo_stack
    before = window.rdoc.report.expenditures
    n, steps = len(before), stack.count()
    QGuiApplication.clipboard().clear()

    actions = right_click(window, "资金", view, 2, 0)
    assert enabled(actions) == {"插入行": True, "删除行": True, "复制": True, "粘贴": False, "插入复制的行": False}
    actions["插入行"].trigger()  # a new empty row above row 3
    rows = in_file(window).expenditures
    assert len(rows) == n + 1 and rows[2].project == "" and rows[3] == before[2]
    assert stack.count() == steps + 1 and stack.undoText().startswith("插入")

    right_click(window, "资金", view, 2, 0)["删除行"].trigger()
    assert in_file(window).expenditures == before and stack.count() == steps + 2

    # Copy two whole rows, then insert them as new rows above row 6.
    view.selectRow(0)
    view.selectionModel().select(view.model().index(1, 0), view.selectionModel().SelectionFlag.Select
                                 | view.selectionModel().SelectionFlag.Rows)
    actions = right_click(window, "资金", view, 1, 3)
    actions["复制"].trigger()
    assert len(QGuiApplication.clipboard().text().splitlines()) == 2
    actions = right_click(window, "资金", view, 5, 2)
    assert enabled(actions)["插入复制的行"] and enabled(actions)["粘贴"]
    actions["插入复制的行"].trigger()
    rows = in_file(window).expenditures
    assert len(rows) == n + 2
    assert rows[5:7] == before[0:2] and rows[7] == before[5]
    assert stack.count() == steps + 3 and stack.undoText() == "插入复制的 2 行"

    # 粘贴 writes over cells from the clicked one on.
    QGuiApplication.clipboard().setText("改名的项目")
    right_click(window, "资金", view, 0, 0)["粘贴"].trigger()
    assert in_file(window).expenditures[0].project == "改名的项目" and stack.count() == steps + 4

    for _ in range(4):
        window.on_undo()
    assert in_file(window).expenditures == before and stack.count() == steps + 4 and stack.canRedo()


def test_inserted_indicator_rows_follow_their_target_text(window):
    view = window.indicators.view
    view.selectRow(0)
    right_click(window, "指标", view, 0, 0)["复制"].trigger()
    right_click(window, "指标", view, 3, 0)["插入复制的行"].trigger()
    report = window.rdoc.report
    assert report.indicators[3] == report.indicators[0]  # computed cells are skipped, the target follows
    assert window.rdoc.result.indicators[3].score == window.rdoc.result.indicators[0].score


def test_editing_entries_are_disabled_where_the_table_cannot_take_them(window, qtbot, tmp_path):
    QGuiApplication.clipboard().setText("1")
    actions = right_click(window, "指标", window.indicators.view, 0, IND_COL["得分"])  # a computed cell
    assert enabled(actions) == {"插入行": True, "删除行": True, "复制": True, "粘贴": False, "插入复制的行": True}
    actions = right_click(window, "评分", window.scoring.level1_view, 0, 1)  # level-1 rows are fixed
    assert enabled(actions) == {"插入行": False, "删除行": False, "复制": True, "粘贴": False, "插入复制的行": False}

    path = window.rdoc.path
    window.close_document()
    read_only = MainWindow(Document.open(path, read_only=True))
    qtbot.add_widget(read_only)
    read_only.show()
    actions = right_click(read_only, "资金", read_only.funds.incomes.view, 0, 0)
    assert enabled(actions) == {"插入行": False, "删除行": False, "复制": True, "粘贴": False, "插入复制的行": False}
    read_only.close_document()
