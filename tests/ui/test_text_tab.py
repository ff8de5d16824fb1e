"""Issue 13, items 3 and 9: 生成草稿 never replaces written text without asking nor adds a second
undo step for the same draft, and the report-text editor has no undo history of its own."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from yibao_desktop.domain.edits import SetField
from yibao_desktop.domain.narrative import draft_section
from yibao_desktop.storage.repository import Document
from yibao_desktop.ui.main_window import TAB_NAMES
from tests.ui.keys import type_text

SECTION = 2  # （一）资金投入情况


def text_in_file(window, row=SECTION):
    with Document.open(window.rdoc.path, read_only=True) as doc:
        return doc.report.narrative[row].text


def open_section(window, row=SECTION):
    window.tabs.setCurrentIndex(TAB_NAMES.index("报告文字"))
    window.text.select_section(row)
    editor = window.text.editor
    editor.setFocus()
    editor.moveCursor(QTextCursor.MoveOperation.End)
    return editor


def test_draft_asks_before_touching_written_text_and_never_adds_a_step_twice(window, questions):
    tab = window.text
    stack = window.rdoc.undo_stack
    written = window.rdoc.report.narrative[SECTION].text
    assert written.strip()  # the demo's hand-written section
    heading = window.rdoc.report.narrative[SECTION].heading
    steps = stack.count()
    open_section(window)

    tab.draft.click()  # 取消
    assert questions.asked[-1][0] == "生成草稿" and heading in questions.asked[-1][1]
    assert questions.asked[-1][2] == ("添加到现有文字之后", "替换现有文字")
    assert text_in_file(window) == written and stack.count() == steps

    questions.answers.append("添加到现有文字之后")
    tab.draft.click()
    draft = draft_section(window.rdoc.report.narrative[SECTION].key, window.rdoc.report, window.rdoc.result)
    assert text_in_file(window) == written.rstrip("\n") + "\n" + draft
    assert tab.editor.toPlainText() == text_in_file(window)
    assert stack.count() == steps + 1 and stack.undoText() == f"生成草稿「{heading}」"

    asked = len(questions.asked)
    tab.draft.click()  # the draft is there already: no question, no second step
    assert len(questions.asked) == asked and stack.count() == steps + 1
    assert "未重复添加" in window.statusBar().currentMessage()

    window.on_undo()
    assert text_in_file(window) == written and tab.editor.toPlainText() == written
    questions.answers.append("替换现有文字")
    tab.draft.click()
    assert text_in_file(window) == draft and tab.editor.toPlainText() == draft
    assert stack.count() == steps + 1 and not stack.canRedo()
    tab.draft.click()  # the section is the draft: nothing asked, nothing added
    assert stack.count() == steps + 1 and len(questions.asked) == asked + 1

    window.on_undo()
    assert text_in_file(window) == written and tab.editor.toPlainText() == written


def test_an_empty_section_gets_its_draft_without_a_question(window, questions):
    tab = window.text
    window.rdoc.apply([SetField("narrative", SECTION, "text", "")], "清空")
    open_section(window)
    tab.draft.click()
    assert questions.asked == [] and "{资金.支出进度}" in text_in_file(window)


def test_ctrl_z_in_the_text_editor_uses_the_one_document_history(window, qtbot):
    stack = window.rdoc.undo_stack
    written = window.rdoc.report.narrative[SECTION].text
    # A table edit first: it is part of the same history.
    level1 = window.scoring.level1_model
    assert level1.setData(level1.index(0, 1), "55", Qt.ItemDataRole.EditRole)
    steps = stack.count()
    editor = open_section(window)
    assert not editor.isUndoRedoEnabled()
    type_text(editor, "补充一句。")  # not yet written: the save timer is running

    qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert text_in_file(window) == written and editor.toPlainText() == written
    assert stack.count() == steps + 1 and stack.index() == steps  # typed, then undone: one step
    assert window.redo_action.isEnabled() and window.redo_action.text().startswith("重做 编辑")

    qtbot.keyClick(editor, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert text_in_file(window) == written + "补充一句。" and editor.toPlainText() == written + "补充一句。"
    assert not window.redo_action.isEnabled()

    qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # then the table edit
    assert text_in_file(window) == written
    assert window.rdoc.report.scoring.level1_weights[0][1] == 50
    qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.rdoc.report.scoring.level1_weights[0][1] == 55  # Ctrl+Shift+Z redoes as well
