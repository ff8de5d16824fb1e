import hashlib

from openpyxl import Workbook, load_workbook
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from yibao_desktop.ui.excel_dialogs import ImportPreviewDialog


def _sheet(path, rows):
    wb = Workbook()
    ws = wb.active
    ws.title = "支出明细"
    ws.append(["项目名称", "支出方向", "经济科目", "金额（万元）", "支付日期"])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_import_preview_apply_is_one_undo_step(window, tmp_path, qtbot, monkeypatch):
    book = tmp_path / "支出.xlsx"
    digest = _sheet(book, [["新项目甲", "基金监管", "购买服务", "1.5", "2025年6月1日"],
                           ["新项目乙", "宣传培训", "政策宣传", 2, 45870]])
    shown = []

    def accept(dialog):
        shown.append(dialog)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ImportPreviewDialog, "exec", accept)
    before = window.rdoc.report
    window.import_excel(str(book), mode="append")
    qtbot.waitUntil(lambda: window.rdoc.report is not before, timeout=30000)
    dialog = shown[0]
    assert "新增 2 行" in dialog.summary.text()
    rows = window.rdoc.report.expenditures
    assert [r.project for r in rows[-2:]] == ["新项目甲", "新项目乙"]
    assert str(rows[-2].paid) == "15000.00"
    assert hashlib.sha256(book.read_bytes()).hexdigest() == digest  # the source is never written
    window.on_undo()
    assert window.rdoc.report.expenditures == before.expenditures


def test_import_with_bad_cells_shows_every_problem_and_cannot_apply(window, tmp_path, qtbot, monkeypatch):
    book = tmp_path / "坏.xlsx"
    _sheet(book, [["甲", "基金监管", "购买服务", "一万", "2025-06-01"],
                  ["乙", "基金监管", "购买服务", "1", "2025-13-40"]])
    shown = []
    monkeypatch.setattr(ImportPreviewDialog, "exec", lambda d: shown.append(d) or QDialog.DialogCode.Rejected)
    before = window.rdoc.report
    window.import_excel(str(book))
    qtbot.waitUntil(lambda: bool(shown), timeout=30000)
    dialog = shown[0]
    assert "发现 2 个问题" in dialog.summary.text()
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    problems = dialog.tabs.widget(0)
    texts = [problems.item(i).text() for i in range(problems.count())]
    assert any("第 2 行" in t and "一万" in t for t in texts) and any("第 3 行" in t for t in texts)
    assert not window.apply_import(dialog.plan)
    assert window.rdoc.report is before


def test_export_both_forms_and_data_workbook(window, tmp_path, qtbot, messages):
    done = lambda: [m for m in messages if m[0] == "done"]  # noqa: E731
    window.export_excel_to(str(tmp_path / "表"), "both")
    qtbot.waitUntil(lambda: len(done()) == 1, timeout=30000)
    assert done()[0][1] == "Excel已导出" and str(tmp_path / "表.xlsx") in done()[0][2]
    assert load_workbook(tmp_path / "表.xlsx").sheetnames == ["项目支出绩效自评表", "中央对地方转移支付区域绩效自评表"]
    window.export_excel_to(str(tmp_path / "数据.xlsx"), "data")
    qtbot.waitUntil(lambda: len(done()) == 2, timeout=30000)
    assert "数据工作簿" in done()[1][2]
    assert "绩效指标" in load_workbook(tmp_path / "数据.xlsx").sheetnames
