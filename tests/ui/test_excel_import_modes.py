"""Issue 13, item 4: a list is appended to unless 替换 is chosen; the preview marks the rows an
import would delete, follows the chosen mode, and tells failures over itself, in Chinese."""

from __future__ import annotations

import re

from PySide6.QtWidgets import QDialog, QLabel, QTableWidget

from yibao_desktop.storage.repository import Document
from yibao_desktop.ui import errors
from yibao_desktop.ui.excel_dialogs import ImportPreviewDialog
from tests.ui.test_excel_gui import _sheet

ROWS = [["新项目甲", "基金监管", "购买服务", "1.5", "2025年6月1日"], ["新项目乙", "宣传培训", "政策宣传", 2, 45870]]


def two_row_sheet(path):
    _sheet(path, ROWS)  # the sheet of test_excel_gui: 支出明细 with 金额（万元）
    return path


def plain(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def english(text: str) -> bool:
    """Latin words other than the product name Excel."""
    return bool(re.search(r"[A-Za-z]", text.replace("Excel", "")))


def preview(dialog) -> QTableWidget:
    i = next(i for i in range(dialog.tabs.count()) if dialog.tabs.tabText(i).startswith("支出明细"))
    return dialog.tabs.widget(i)


def statuses(table: QTableWidget) -> list[str]:
    return [table.item(r, 0).text() for r in range(table.rowCount())]


def shown_texts(dialog) -> list[str]:
    texts = [plain(label.text()) for label in dialog.findChildren(QLabel)]
    texts += [box.itemText(i) for box in dialog.modes.values() for i in range(box.count())]
    texts += [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    texts += [b.text() for b in dialog.buttons.buttons()] + [dialog.windowTitle()]
    return texts


def in_file(window):
    with Document.open(window.rdoc.path, read_only=True) as doc:
        return doc.report


def run_import(window, qtbot, monkeypatch, book, drive):
    """Import through the window with `drive(dialog)` standing in for the user at the preview."""
    seen = []

    def exec_(dialog):
        seen.append(dialog)
        return drive(dialog)

    monkeypatch.setattr(ImportPreviewDialog, "exec", exec_)
    window.import_excel(str(book))
    qtbot.waitUntil(lambda: bool(seen), timeout=30000)
    return seen[0]


def test_a_short_sheet_is_appended_by_default_and_replace_marks_the_rows_it_deletes(window, qtbot, monkeypatch,
                                                                                     tmp_path, messages):
    book = two_row_sheet(tmp_path / "支出.xlsx")
    before = window.rdoc.report.expenditures
    n = len(before)
    steps = window.rdoc.undo_stack.count()

    def drive(dialog):
        box = dialog.modes["expenditures"]
        assert box.currentData() == "append"  # the default for a list
        assert "支出明细：新增 2 行" in plain(dialog.summary.text()) and "删除" not in plain(dialog.summary.text())
        assert statuses(preview(dialog)).count("新增") == 2 and "删除" not in statuses(preview(dialog))
        assert dialog.import_button.isEnabled()

        box.setCurrentIndex(box.findData("replace"))  # chosen explicitly: the summary and preview follow
        summary = plain(dialog.summary.text())
        assert f"删除 {n - 2} 行" in summary and f"将删除报告中现有的 {n - 2} 行" in summary
        table = preview(dialog)
        deleted = [r for r in range(table.rowCount()) if table.item(r, 0).text() == "删除"]
        assert len(deleted) == n - 2
        for r in deleted:
            item = table.item(r, 1)
            assert item.background().color().name() == "#fde2e1" and item.font().strikeOut()
        assert dialog.legend.isVisible() or not dialog.isVisible()
        assert dialog.import_button.isEnabled()

        box.setCurrentIndex(box.findData("append"))  # and back
        assert "删除" not in plain(dialog.summary.text())
        assert not [t for t in shown_texts(dialog) if english(t)]  # no English shown
        return QDialog.DialogCode.Accepted

    run_import(window, qtbot, monkeypatch, book, drive)
    rows = in_file(window).expenditures
    assert rows[:n] == before and [r.project for r in rows[n:]] == ["新项目甲", "新项目乙"]
    assert window.rdoc.undo_stack.count() == steps + 1
    window.on_undo()
    assert in_file(window).expenditures == before
    assert [m[:2] for m in messages] == [("done", "已导入Excel")]  # the result, and nothing else


def test_replace_chosen_in_the_preview_is_what_gets_imported(window, qtbot, monkeypatch, tmp_path):
    book = two_row_sheet(tmp_path / "支出.xlsx")
    before = window.rdoc.report.expenditures
    steps = window.rdoc.undo_stack.count()

    def drive(dialog):
        dialog.modes["expenditures"].setCurrentIndex(dialog.modes["expenditures"].findData("replace"))
        return QDialog.DialogCode.Accepted

    run_import(window, qtbot, monkeypatch, book, drive)
    assert [r.project for r in in_file(window).expenditures] == ["新项目甲", "新项目乙"]
    assert window.rdoc.undo_stack.count() == steps + 1
    window.on_undo()
    assert in_file(window).expenditures == before


def test_a_failure_after_changing_the_mode_is_told_over_the_preview_in_chinese(window, qtbot, monkeypatch, tmp_path):
    book = two_row_sheet(tmp_path / "支出.xlsx")
    before = window.rdoc.report
    told = []
    show_error = errors.show_error
    monkeypatch.setattr(errors, "show_error", lambda parent, title, message: (
        told.append((parent, title, message)), show_error(parent, title, message)))

    def drive(dialog):
        book.unlink()  # the workbook went away (the stick was pulled) before the mode was changed
        dialog.modes["expenditures"].setCurrentIndex(dialog.modes["expenditures"].findData("replace"))
        parent, title, message = told[-1]
        assert parent is dialog  # over the preview, not behind it
        assert not english(title + message.replace(str(book), "") + plain(dialog.summary.text()))
        assert "无法按所选方式重新读取工作簿" in plain(dialog.summary.text())
        assert not dialog.import_button.isEnabled()
        return QDialog.DialogCode.Rejected

    run_import(window, qtbot, monkeypatch, book, drive)
    assert window.rdoc.report is before and told
