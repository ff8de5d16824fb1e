"""The 佐证材料 tab: add to the report or an indicator, open, remove, with undo; bad files told."""

from __future__ import annotations

from tests.storage.test_evidence import PDF, png_bytes
from yibao_desktop.storage.repository import Document
from yibao_desktop.ui import errors


def test_add_open_remove_with_undo_and_the_file_keeps_them(window, tmp_path, monkeypatch, messages):
    tab = window.evidence
    assert tab.summary.text() == "尚未添加佐证材料" and not tab.remove_button.isEnabled()
    photo = tmp_path / "现场检查照片.png"
    photo.write_bytes(png_bytes(7))
    sheet = tmp_path / "培训签到表.pdf"
    sheet.write_bytes(PDF)
    tab.target.setCurrentIndex(tab.target.findData(0))
    assert tab.add_file(str(photo), tab.target.currentData())
    assert tab.add_file(str(sheet), None)
    assert tab.table.rowCount() == 2
    assert tab.table.item(0, 1).text() == "培训签到表.pdf" and tab.table.item(0, 3).text() == "报告整体"
    assert tab.table.item(1, 3).text() == window.rdoc.report.indicators[0].name
    assert "共 2 份" in tab.summary.text()
    with Document.open(window.rdoc.path, read_only=True) as doc:
        assert [a.name for a, _ in doc.report.attachments()] == ["培训签到表.pdf", "现场检查照片.png"]

    opened = []
    monkeypatch.setattr(errors, "open_hook", opened.append)
    tab.table.selectRow(1)
    tab._on_open_clicked()
    assert opened and open(opened[0], "rb").read() == png_bytes(7)

    assert tab.remove_selected()
    assert tab.table.rowCount() == 1 and window.rdoc.report.indicators[0].evidence == ()
    window.on_undo()
    assert window.rdoc.report.indicators[0].evidence[0].name == "现场检查照片.png"
    window.on_undo()  # the PDF on the report
    window.on_undo()  # the photo
    assert window.rdoc.report.attachments() == [] and tab.table.rowCount() == 0
    window.on_redo()
    assert window.rdoc.report.indicators[0].evidence[0].name == "现场检查照片.png"
    with Document.open(window.rdoc.path, read_only=True) as doc:
        assert doc.blob(doc.report.indicators[0].evidence[0].sha256) == png_bytes(7)


def test_a_bad_file_is_told_and_nothing_changes(window, tmp_path, messages):
    fake = tmp_path / "照片.jpg"
    fake.write_bytes(b"not a picture")
    before = window.rdoc.report
    assert not window.evidence.add_file(str(fake), None)
    kind, title, message = messages[-1]
    assert title == "不能添加佐证材料" and "内容不是JPG 图片" in message
    assert window.rdoc.report is before
