"""导出 › 汇总多个报送包…: pick → verdicts as they are checked → save, off the GUI thread."""

from openpyxl import load_workbook

from yibao_desktop.domain.aggregate import VERDICT_DUPLICATE, VERDICT_FAILED, VERDICT_UNSIGNED
from yibao_desktop.services import keystore
from yibao_desktop.ui.aggregate_dialog import RED, AggregateDialog

TIMEOUT = 60_000


def test_pick_check_and_save(qtbot, county_packages, tmp_path, messages):
    keystore.add_trusted(county_packages.trusted_cer)  # the window's trust list (the one trust policy)
    dialog = AggregateDialog(None)  # default workers: the process pool, started from a Qt worker thread
    qtbot.add_widget(dialog)
    seen = []
    dialog._bridge.checked.connect(seen.append)
    assert dialog.add_paths([str(p) for p in county_packages.inputs]) is not None
    assert not dialog.save_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.summary is not None, timeout=TIMEOUT)
    assert len(seen) == 30  # every verdict reached the window as it was checked
    table = dialog.table
    assert table.rowCount() == 30
    verdicts = [table.item(r, 3).text() for r in range(table.rowCount())]
    assert verdicts.count(VERDICT_FAILED) == 1 and verdicts.count(VERDICT_DUPLICATE) == 1
    assert verdicts.count(VERDICT_UNSIGNED) == 1
    failed = verdicts.index(VERDICT_FAILED)
    assert table.item(failed, 3).foreground().color().name() == RED
    assert "与清单不一致" in table.item(failed, 4).text()
    assert "计入汇总 28 个" in dialog.status.text()
    assert dialog.save_button.isEnabled()

    out = tmp_path / "汇总.xlsx"
    dialog.save_to(str(out), str(tmp_path / "汇总.pdf"))
    qtbot.waitUntil(lambda: "已保存" in dialog.status.text(), timeout=TIMEOUT)
    assert load_workbook(out).sheetnames[0] == "汇总" and (tmp_path / "汇总.pdf").is_file()
    assert messages == []


def test_nothing_picked_and_a_missing_folder_are_shown_as_errors(qtbot, tmp_path, messages):
    dialog = AggregateDialog(None, workers=1)
    qtbot.add_widget(dialog)
    assert dialog.check() is None
    assert messages[-1][:2] == ("error", "请选择报送包")
    dialog.add_paths([str(tmp_path / "拔出的U盘")])
    qtbot.waitUntil(lambda: len(messages) == 2, timeout=TIMEOUT)
    kind, title, text = messages[-1]
    assert (kind, title) == ("error", "核验报送包未完成") and "不存在" in text
    assert dialog.summary is None and not dialog.save_button.isEnabled()


def test_menu_opens_the_dialog(window, monkeypatch):
    opened = []
    monkeypatch.setattr(AggregateDialog, "exec", lambda self: opened.append(self) or 0)
    action = next(a for a in window.export_menu.actions() if a.text() == "汇总多个报送包…")
    action.trigger()
    assert len(opened) == 1 and opened[0].parent() is window
    opened[0].deleteLater()
