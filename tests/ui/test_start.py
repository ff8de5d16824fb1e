"""Start (issue 13, item 11): the last report reopens, the start page lists the recent ones, and the
demo opens only through 打开示例, as a fresh copy that edits never change."""

import json
import os
from pathlib import Path

from tests.child import child_output
from yibao_desktop.domain.edits import SetField
from yibao_desktop.services.reports import DEMO_NAME, demo_path
from yibao_desktop.storage.repository import Document
from yibao_desktop.ui import settings as remembered
from yibao_desktop.ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]


def _reports(tmp_path, demo_report, *names):
    out = []
    for name in names:
        path = tmp_path / name
        Document.create(path, demo_report).close()
        out.append(path)
    return out


def test_the_demo_is_a_fresh_copy_each_time(qtbot, messages):
    window = MainWindow()
    qtbot.add_widget(window)
    window.on_open_demo()
    assert window.rdoc.path == demo_path()
    original = window.rdoc.report.meta.unit
    window.rdoc.apply([SetField("meta", None, "unit", "被改过的单位")], "改单位")
    assert window.rdoc.report.meta.unit == "被改过的单位"
    window.on_open_demo()  # while the edited demo is open
    assert window.rdoc.report.meta.unit == original
    assert not [m for m in messages if m[0] == "error"]
    window.rdoc.apply([SetField("meta", None, "unit", "又被改过")], "改单位")
    window.close_document()
    window.on_open_demo()  # after closing it
    assert window.rdoc.report.meta.unit == original
    assert str(demo_path()) not in remembered.recent_files()
    window.close_document()


def test_the_start_page_lists_recent_reports_newest_first(qtbot, tmp_path, demo_report):
    first, second = _reports(tmp_path, demo_report, "甲县2025.yibao", "乙县2025.yibao")
    window = MainWindow()
    qtbot.add_widget(window)
    assert window.recent_list.count() == 1 and "还没有打开过报告" in window.recent_list.item(0).text()
    assert [window.start_buttons[k].text() for k in window.start_buttons] == [
        "新建报告…", "打开报告…", "从上年度文件新建…", "打开示例"]
    for path in (first, second):
        assert window.open_path(path)
    window.on_open_demo()  # the demo is never listed
    window.close_document()
    assert window.stack.currentWidget() is window.start_page
    texts = [window.recent_list.item(i).text() for i in range(window.recent_list.count())]
    assert texts[0].startswith("乙县2025.yibao") and texts[1].startswith("甲县2025.yibao") and len(texts) == 2
    first.unlink()
    window._fill_recent_list()
    gone = window.recent_list.item(1)
    assert "文件已不在原位置" in gone.text() and not gone.flags() & gone.flags().ItemIsEnabled
    window.recent_list.itemActivated.emit(window.recent_list.item(0))  # double-click / Enter
    assert window.rdoc is not None and window.rdoc.path == second.resolve()
    window.close_document()


def test_reopen_last_opens_the_newest_report_that_still_exists(qtbot, tmp_path, demo_report):
    first, second = _reports(tmp_path, demo_report, "a.yibao", "b.yibao")
    remembered.remember_recent(first)
    remembered.remember_recent(second)
    second.unlink()
    window = MainWindow()
    qtbot.add_widget(window)
    assert window.reopen_last()
    assert window.rdoc.path == first.resolve()
    window.close_document()


def _start(tmp_path, *args):
    script = (
        "import os, sys\n"
        "import yibao_desktop.ui.main_window as mw\n"
        "seen = {}\n"
        "orig = mw.MainWindow.show_on_screen\n"
        "def patched(self):\n"
        "    orig(self)\n"
        "    seen['file'] = self.rdoc.path.name if self.rdoc else None\n"
        "mw.MainWindow.show_on_screen = patched\n"
        "os.environ['YIBAO_EXIT_AFTER_SHOW'] = '1'\n"
        "from yibao_desktop.app import main\n"
        "main(sys.argv[1:])\n"
        "print(seen)\n")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "YIBAO_DATA_DIR": str(tmp_path / "d")}
    return eval(child_output(script, *args, env=env)[-1])["file"]


def test_the_real_start_reopens_the_last_report_and_the_demo_only_when_asked(tmp_path, demo_report, monkeypatch):
    assert _start(tmp_path) is None  # nothing opened before: the start page, not the demo
    assert _start(tmp_path, "--demo") == DEMO_NAME
    (report,) = _reports(tmp_path, demo_report, "上次的报告.yibao")
    monkeypatch.setenv("YIBAO_DATA_DIR", str(tmp_path / "d"))
    remembered.remember_recent(report)
    assert _start(tmp_path) == "上次的报告.yibao"
    assert json.dumps(remembered.recent_files(), ensure_ascii=False).count("示例") == 0


def test_make_run_still_opens_the_demo():
    run = (ROOT / "Makefile").read_text(encoding="utf-8").split("\nrun:", 1)[1].splitlines()[1]
    assert run.strip() == "$(VENV)/bin/yibao-desktop --demo"
