"""从模板添加 marks the indicators the report has already (issue 13, item 16)."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from yibao_desktop.ui.tabs.indicators import TemplatePickerDialog


def test_the_template_picker_marks_what_the_report_has(window, monkeypatch):
    shown = []
    monkeypatch.setattr(TemplatePickerDialog, "exec", lambda d: shown.append(d) or QDialog.DialogCode.Rejected)
    window.indicators._on_pick_from_template()
    dialog, = shown
    names = {ind.name for ind in window.rdoc.report.indicators}
    marked = [i for i, ind in enumerate(dialog.indicators) if ind.name in names]
    free = [i for i, ind in enumerate(dialog.indicators) if ind.name not in names]
    assert marked and free and dialog.already == len(marked)
    for i in marked:
        item = dialog.list.item(i)
        assert item.text().startswith("✓ ") and item.text().endswith("（已在报告中）")
        assert not item.flags() & Qt.ItemFlag.ItemIsUserCheckable and not item.flags() & Qt.ItemFlag.ItemIsEnabled
    for i in free:
        assert "已在报告中" not in dialog.list.item(i).text()
        assert dialog.list.item(i).flags() & Qt.ItemFlag.ItemIsUserCheckable
    # even a marked row ticked by other means is never added twice
    dialog.list.item(marked[0]).setCheckState(Qt.CheckState.Checked)
    dialog.list.item(free[0]).setCheckState(Qt.CheckState.Checked)
    assert [ind.name for ind in dialog.chosen()] == [dialog.indicators[free[0]].name]
