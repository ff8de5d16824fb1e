"""Layout at 1366×768 (issue 13, item 12): tables show at least 8 rows, amount fields show 15 digits,
the chart's axis stays readable beyond 100%, long texts get a multi-line editor, the certificate
dialog shows the whole unit name, and the key figures show 0.00."""

from decimal import Decimal as D

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QPlainTextEdit

from yibao_desktop import paths
from yibao_desktop.domain.edits import SetField
from yibao_desktop.domain.interchange import report_from_json
from yibao_desktop.domain.result import Month
from yibao_desktop.storage.repository import Document
from yibao_desktop.templates import new_report
from yibao_desktop.ui.main_window import TAB_NAMES, MainWindow
from yibao_desktop.ui.models.tables import IND_COL
from yibao_desktop.ui.tabs.overview import ProgressChart
from yibao_desktop.ui.views import SheetView

ROOT = paths.resources_dir().parent


def _open(qtbot, tmp_path, report, name="报告.yibao"):
    path = tmp_path / name
    Document.create(path, report).close()
    window = MainWindow(Document.open(path))
    qtbot.add_widget(window)
    window.resize(1366, 768)
    window.show()
    QApplication.processEvents()
    return window


@pytest.fixture
def resident(qtbot, tmp_path):
    report = report_from_json((ROOT / "tests" / "data" / "reports" / "resident.json").read_text(encoding="utf-8"))
    window = _open(qtbot, tmp_path, report, "居民医保.yibao")
    yield window
    window.close_document()


def _visible_rows(view: SheetView) -> int:
    return view.viewport().height() // view.verticalHeader().defaultSectionSize()


def _shown_tables(window):
    for i, name in enumerate(TAB_NAMES):
        window.tabs.setCurrentIndex(i)
        pages = [None] if name != "资金" else range(window.funds.pages.count())
        for page in pages:
            if page is not None:
                window.funds.pages.setCurrentIndex(page)
            QApplication.processEvents()
            for view in window.findChildren(SheetView):
                if view.isVisible():
                    yield f"{name}/{page}/{view.model().__class__.__name__}/{id(view)}", view


@pytest.mark.parametrize("which", ["demo", "resident"])
def test_every_table_shows_at_least_8_rows_at_1366x768(qtbot, tmp_path, demo_report, which, request):
    window = _open(qtbot, tmp_path, demo_report) if which == "demo" else request.getfixturevalue("resident")
    seen = dict(_shown_tables(window))
    assert len(seen) >= (5 if which == "demo" else 7)
    short = {name: _visible_rows(view) for name, view in seen.items() if _visible_rows(view) < 8}
    assert not short
    window.close_document()


def test_fund_operation_fields_show_15_digit_amounts(resident):
    window = resident
    finding = next(f for f in window.rdoc.result.findings if f.where.collection.startswith("fund_operation"))
    window.jump_to(str(finding.where))  # the finding's cell is on the 基金运行情况 page
    assert window.tabs.currentIndex() == TAB_NAMES.index("资金")
    assert window.funds.pages.currentWidget() is window.funds.fund_op
    QApplication.processEvents()
    window.rdoc.apply([SetField("fund_operation", None, "income_total", D("9876543210123.45"))], "改")
    field = window.funds.fund_op.fields["income_total"]
    assert field.text() == "9,876,543,210,123.45"  # 15 digits, the largest an amount may have
    room = field.contentsRect().width() - field.textMargins().left() - field.textMargins().right() - 8
    assert field.fontMetrics().horizontalAdvance(field.text()) <= room
    field.setText("1,234,567.89")  # separators accepted
    field.editingFinished.emit()
    assert window.rdoc.report.fund_operation.income_total == D("1234567.89")
    window.unit.set_wan(True)
    assert field.text() == "123.456789"  # exact in 万元: editing never rounds
    window.rdoc.apply([SetField("fund_operation", None, "income_total", D("9876543210123.45"))], "改")
    assert field.text() == "987,654,321.012345"
    assert field.fontMetrics().horizontalAdvance(field.text()) <= room


def test_the_chart_axis_stays_readable_far_beyond_100_percent(qtbot):
    chart = ProgressChart()
    qtbot.add_widget(chart)
    chart.resize(780, 240)  # the smallest the overview gives it
    for top in ("100", "137.5", "480", "2500", "123456"):
        chart.set_monthly(tuple(Month(m, D(0), D(0), D(top) * m / 12, D(100) * m / 12) for m in range(1, 13)))
        rect, y_max, ticks = chart.axis()
        assert y_max >= D(top) and 3 <= len(ticks) <= 7, (top, ticks)
        gaps = [a[1] - b[1] for a, b in zip(ticks, ticks[1:])]
        assert min(gaps) >= chart.fontMetrics().height() + 4, (top, gaps)
        widest = max(chart.fontMetrics().horizontalAdvance(t) for t, _y in ticks)
        assert rect.left() >= widest + 6, (top, rect.left(), widest)
    chart.grab()  # paints without error


def test_long_texts_get_a_multi_line_editor(window, qtbot):
    window.tabs.setCurrentIndex(TAB_NAMES.index("指标"))
    view = window.indicators.view
    row = next(i for i, ind in enumerate(window.rdoc.report.indicators) if ind.deviation_reason)
    before = window.rdoc.report.indicators[row].deviation_reason
    index = view.model().index(row, IND_COL["偏差原因分析及改进措施"])
    view.setCurrentIndex(index)
    view.edit(index)
    editor = view.viewport().findChild(QPlainTextEdit, "multilineEditor")
    assert editor is not None and editor.isVisible()
    assert editor.height() >= 5 * editor.fontMetrics().lineSpacing()
    assert editor.width() >= 380
    assert view.viewport().rect().contains(editor.geometry())
    assert editor.toPlainText() == before and not editor.textCursor().hasSelection()
    assert editor.textCursor().atEnd()  # a key typed adds to the text, never replaces it
    editor.setFocus()
    editor.selectAll()
    editor.insertPlainText("第一行原因")  # (QTest types ASCII only)
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # Enter: a new line, not the end of editing
    editor.insertPlainText("第二行措施")
    assert view.state() == view.State.EditingState
    qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Enter saves
    assert window.rdoc.report.indicators[row].deviation_reason == "第一行原因\n第二行措施"
    assert index.data() == "第一行原因\n第二行措施"
    # the 调整理由 column on the 评分 tab has it too, and closing saves what is typed
    window.tabs.setCurrentIndex(TAB_NAMES.index("评分"))
    scoring = window.scoring.override_view
    reason = scoring.model().index(row, IND_COL["调整理由"])
    scoring.setCurrentIndex(reason)
    scoring.edit(reason)
    editor = scoring.viewport().findChild(QPlainTextEdit, "multilineEditor")
    editor.setPlainText("依据现场核查\n调整")
    window.commit_pending()
    assert window.rdoc.report.indicators[row].override_reason == "依据现场核查\n调整"


def test_the_certificate_dialog_shows_the_whole_unit_name(qtbot, monkeypatch):
    from yibao_desktop.ui.pdf_dialogs import SigningSettingsDialog

    unit = "某某省某某市某某自治州某某县医疗保障局"
    settings = SigningSettingsDialog(None, unit)
    qtbot.add_widget(settings)
    seen = []

    def look(dialog):
        dialog.show()
        QApplication.processEvents()
        field = dialog.findChildren(QLineEdit)[0]
        seen.append(field.fontMetrics().horizontalAdvance(field.text()) <= field.contentsRect().width() - 8)
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(QDialog, "exec", look)
    settings._on_create()
    assert seen == [True]


def test_key_figures_show_two_decimals_for_zero(qtbot, tmp_path):
    window = _open(qtbot, tmp_path, new_report("capacity", "某县医疗保障局", 2025))
    values = {k: v.text() for k, v in window.overview.values.items()}
    assert values["available"] == values["paid"] == values["balance"] == "0.00"
    assert values["total"] == "0.00" and values["progress"] == "—"
    window.close_document()
