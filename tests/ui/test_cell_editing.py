"""Issue 13, items 6 and 8: a value a cell cannot take is refused in the cell (the typed text stays
in the editor, red, with the reason), never by a modal box; a likely slip is hinted, not refused."""

from __future__ import annotations

from decimal import Decimal as D

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit

from yibao_desktop.storage.repository import Document
from yibao_desktop.ui.models.base import ERROR_BG, WARN_BG
from yibao_desktop.ui.models.tables import IND_COL
from yibao_desktop.ui.main_window import TAB_NAMES
from tests.ui.keys import type_text

EDITING = QAbstractItemView.State.EditingState


def open_editor(window, tab, view, row, column) -> QLineEdit:
    window.tabs.setCurrentIndex(TAB_NAMES.index(tab))
    index = view.model().index(row, column)
    view.setCurrentIndex(index)
    view.edit(index)
    editor = next(e for e in view.viewport().findChildren(QLineEdit) if e.isVisible())
    editor.setFocus()
    return editor


def type_and_enter(qtbot, editor, text):
    editor.selectAll()
    type_text(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()  # the delegate commits and closes through a queued call


def in_file(window):
    with Document.open(window.rdoc.path, read_only=True) as doc:
        return doc.report


def test_bad_money_stays_in_the_editor_with_the_reason(window, qtbot, messages):
    view = window.funds.incomes.view
    model = view.model()
    stack = window.rdoc.undo_stack
    steps = stack.count()
    editor = open_editor(window, "资金", view, 0, 4)  # 金额
    type_and_enter(qtbot, editor, "三万五")
    assert view.state() == EDITING and editor.isVisible()  # the editor stays open…
    assert editor.text() == "三万五"  # …with the typed text
    assert "无法识别的金额" in editor.toolTip() and editor.property("problem")
    assert "无法识别的金额" in window.statusBar().currentMessage()
    assert view.currentIndex().row() == 0  # the cursor did not move down
    assert messages == [] and stack.count() == steps
    assert in_file(window).incomes[0].amount == D("35000.00")

    type_and_enter(qtbot, editor, "3.6万")  # corrected in place
    assert view.state() != EDITING
    assert view.currentIndex().row() == 1  # Enter moves down once the value is taken
    assert in_file(window).incomes[0].amount == D("36000.00")
    assert stack.count() == steps + 1

    # Left by another way (the window committing the open editor): kept red in the cell.
    editor = open_editor(window, "资金", view, 1, 4)
    editor.selectAll()
    type_text(editor, "五十万元整")
    window.commit_pending()
    assert "未保存" in window.statusBar().currentMessage()
    index = model.index(1, 4)
    assert view.state() != EDITING
    assert index.data() == "五十万元整" and index.data(Qt.ItemDataRole.BackgroundRole) == ERROR_BG
    assert "未保存" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert index.data(Qt.ItemDataRole.DecorationRole) is not None  # a red mark seen even when selected
    assert in_file(window).incomes[1].amount == D("500000.00") and stack.count() == steps + 1
    editor = open_editor(window, "资金", view, 1, 4)  # reopened: the bad text is offered for correction
    assert editor.text() == "五十万元整" and editor.property("problem")
    type_and_enter(qtbot, editor, "50万")
    assert index.data() == "500,000.00" and index.data(Qt.ItemDataRole.BackgroundRole) != ERROR_BG
    assert messages == []


def test_manual_score_above_its_weight_is_refused_at_entry(window, qtbot, messages):
    view = window.scoring.override_view
    row = 0  # 定点医药机构现场检查覆盖率, 6 points
    assert window.rdoc.report.indicators[row].weight == D("6")
    stack = window.rdoc.undo_stack
    steps = stack.count()
    level1 = window.scoring.level1_model
    before = level1.index(0, 3).data()
    editor = open_editor(window, "评分", view, row, IND_COL["人工得分"])
    type_and_enter(qtbot, editor, "9")
    assert view.state() == EDITING and editor.text() == "9"
    assert "人工得分应在 0 至该指标分值 6 之间" in editor.toolTip()
    assert window.rdoc.report.indicators[row].score is None and stack.count() == steps
    assert level1.index(0, 3).data() == before  # 产出指标 never goes above its 50
    type_and_enter(qtbot, editor, "5")
    assert window.rdoc.report.indicators[row].score == D("5") and stack.count() == steps + 1
    # A pasted block with a score above its weight is refused whole, as any bad cell.
    view.setCurrentIndex(view.model().index(1, IND_COL["人工得分"]))
    assert "人工得分应在 0 至该指标分值 4 之间" in view.paste("7")[0]
    assert stack.count() == steps + 1


def test_a_fraction_typed_for_a_percent_indicator_is_hinted_not_refused(window, qtbot, messages):
    view = window.indicators.view
    row = next(i for i, ind in enumerate(window.rdoc.report.indicators) if ind.name == "参保群众医保政策知晓率")
    steps = window.rdoc.undo_stack.count()
    editor = open_editor(window, "指标", view, row, IND_COL["实际完成值"])
    type_and_enter(qtbot, editor, "0.886")
    assert view.state() != EDITING  # taken: a hint does not block
    assert in_file(window).indicators[row].actual == D("0.886")
    assert window.rdoc.undo_stack.count() == steps + 1
    assert "是否为 88.6%？" in window.statusBar().currentMessage()
    index = view.model().index(row, IND_COL["实际完成值"])
    assert index.data(Qt.ItemDataRole.BackgroundRole) == WARN_BG
    assert "是否为 88.6%？" in index.data(Qt.ItemDataRole.ToolTipRole)
    editor = open_editor(window, "指标", view, row, IND_COL["实际完成值"])
    type_and_enter(qtbot, editor, "88.6")
    assert index.data(Qt.ItemDataRole.BackgroundRole) != WARN_BG  # the hint goes with the slip
    assert messages == []
