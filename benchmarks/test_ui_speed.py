"""Speed goals of the window (issue 3). Run with `make bench`.

- edit → every dependent cell repainted, on 500 indicators / 5,000 lines: ≤ 16 ms median
- process start → window shown with the demo report: ≤ 1.0 s median
- peak memory with the large report: ≤ 200 MB
"""

import os
import subprocess
import sys
from decimal import Decimal
from itertools import count

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from yibao_desktop.storage.repository import Document
from yibao_desktop.ui import errors
from yibao_desktop.ui.main_window import MainWindow
from yibao_desktop.ui.models.tables import IND_COL

PEAK_MEMORY_SCRIPT = r"""
import sys
from PySide6.QtWidgets import QApplication
from yibao_desktop.storage.repository import Document
from yibao_desktop.ui.fonts import register_fonts
from yibao_desktop.ui.main_window import MainWindow
app = QApplication([])
register_fonts(app)
window = MainWindow(Document.open(sys.argv[1]))
window.resize(1366, 768)
window.show()
for i in range(5):
    window.tabs.setCurrentIndex(i)
    app.processEvents()
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forked parent (a big pytest process)
# across exec, while VmHWM belongs to this process's own address space.
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(int(hwm.split()[1]) // 1024)
"""


@pytest.fixture
def large_window(qtbot, tmp_path, large, monkeypatch):
    monkeypatch.setattr(errors, "show_hook", lambda *a: None)
    path = tmp_path / "large.yibao"
    Document.create(path, large).close()
    window = MainWindow(Document.open(path))
    qtbot.add_widget(window)
    window.resize(1366, 768)
    window.show()
    yield window
    window.close_document()


@pytest.mark.parametrize("tab", ["指标", "资金", "概览"])
def test_edit_to_repaint_large_report(benchmark, large_window, tab):
    from yibao_desktop.ui.main_window import TAB_NAMES

    window = large_window
    window.tabs.setCurrentIndex(TAB_NAMES.index(tab))
    app = QApplication.instance()
    app.processEvents()
    model = window.indicators.model
    values = count(1)

    def edit_and_repaint():
        index = model.index(7, IND_COL["分子"])
        model.setData(index, str(500 + next(values) % 400), Qt.ItemDataRole.EditRole)
        app.processEvents()  # runs the queued paints of every cell that changed

    benchmark(edit_and_repaint)
    assert window.rdoc.report.indicators[7].numerator >= Decimal(500)


def test_expenditure_edit_to_repaint_large_report(benchmark, large_window):
    window = large_window
    window.tabs.setCurrentIndex(1)
    app = QApplication.instance()
    app.processEvents()
    model = window.funds.expenditures.model
    values = count(1)

    def edit_and_repaint():
        model.setData(model.index(11, 5), str(1000 + next(values)), Qt.ItemDataRole.EditRole)
        app.processEvents()

    benchmark(edit_and_repaint)


def test_start_to_window_shown(benchmark, tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "YIBAO_EXIT_AFTER_SHOW": "1",
           "YIBAO_DATA_DIR": str(tmp_path / "data")}
    subprocess.run([sys.executable, "-m", "yibao_desktop"], env=env, check=True, capture_output=True)  # demo made

    def start():
        subprocess.run([sys.executable, "-m", "yibao_desktop"], env=env, check=True, capture_output=True)

    benchmark.pedantic(start, rounds=7, iterations=1)


def test_peak_memory_with_large_report(benchmark, tmp_path, large):
    """Timed as a whole process run; the figure that matters is the peak RSS it prints."""
    path = tmp_path / "large.yibao"
    Document.create(path, large).close()

    def run() -> int:
        proc = subprocess.run([sys.executable, "-c", PEAK_MEMORY_SCRIPT, str(path)], capture_output=True, text=True,
                              env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, timeout=300)
        assert proc.returncode == 0, proc.stderr[-2000:]
        return int(proc.stdout.strip().splitlines()[-1])

    peak_mb = benchmark.pedantic(run, rounds=1, iterations=1)
    benchmark.extra_info["peak_rss_mb"] = peak_mb
    print(f"\npeak memory with the large report: {peak_mb} MB")
    assert peak_mb <= 200
