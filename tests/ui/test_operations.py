"""What a finished export, import or package tells: a dialog with 打开文件 / 打开文件夹, not only a
status-bar line (issue 13, item 2)."""

from openpyxl import Workbook
from PySide6.QtWidgets import QMessageBox

from yibao_desktop.services import excel
from yibao_desktop.ui import errors


def test_the_result_dialog_opens_the_file_or_its_folder(qtbot, tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr(errors, "open_hook", opened.append)
    pdf = tmp_path / "报告.pdf"
    box = errors.done_box(None, errors.Done("PDF已导出", "已导出草稿，共 12 页：", file=str(pdf)))
    qtbot.add_widget(box)
    assert sorted(b.text() for b in box.buttons()) == sorted(["打开文件", "打开文件夹", "关闭"])
    assert box.text() == f"已导出草稿，共 12 页：\n\n{pdf}"
    assert box.defaultButton().text() == "关闭"
    by_text = {b.text(): b for b in box.buttons()}
    by_text["打开文件"].click()
    by_text["打开文件夹"].click()
    assert opened == [str(pdf), str(tmp_path)]


def test_a_package_opens_its_own_folder(qtbot, tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr(errors, "open_hook", opened.append)
    folder = tmp_path / "示例县_2025_能力提升资金"
    done = errors.Done("报送包已生成", f"已写入并逐一读回核对：\n{folder}", file=str(folder / "a.pdf"), folder=str(folder))
    box = errors.done_box(None, done)
    qtbot.add_widget(box)
    assert done.text() == done.message  # the folder is already in the message
    next(b for b in box.buttons() if b.text() == "打开文件夹").click()
    assert opened == [str(folder)]
    assert box.icon() == QMessageBox.Icon.Information


def test_an_import_tells_what_changed_and_how_to_undo(window, tmp_path, messages):
    book = tmp_path / "支出.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "支出明细"
    ws.append(["项目名称", "支出方向", "经济科目", "金额（万元）", "支付日期"])
    ws.append(["新项目甲", "基金监管", "购买服务", "1.5", "2025年6月1日"])
    wb.save(book)
    plan = excel.plan_import(window.rdoc.report, book, mode="append")
    assert window.apply_import(plan)
    kind, title, message = messages[-1]
    assert (kind, title) == ("done", "已导入Excel")
    assert "新增 1 行" in message and "撤销" in message
    assert "已导入Excel" in window.statusBar().currentMessage()
