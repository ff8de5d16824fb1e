import os
import socket
import subprocess
import sys
from decimal import Decimal as D

from PySide6.QtCore import Qt

from tests.child import child_output
from yibao_desktop.storage.repository import Document
from yibao_desktop.services.reports import demo_path as demo_document_path
from yibao_desktop.services.reports import open_demo
from yibao_desktop.ui.main_window import TAB_NAMES, MainWindow
from yibao_desktop.ui.models.tables import IND_COL


def reopen(window):
    path = window.rdoc.path
    with Document.open(path) as doc:
        return doc.report


def status(window):
    return window.status.text()


def set_cell(view, row, column, text):
    model = view.model()
    assert model.setData(model.index(row, column), text, Qt.ItemDataRole.EditRole)


def test_demo_opens_with_figures_in_status_bar(qtbot):
    window = MainWindow(open_demo())
    qtbot.add_widget(window)
    window.show()
    assert demo_document_path().exists()
    assert window.windowTitle().startswith(demo_document_path().name)
    assert "总分 94.61" in status(window) and "等级 优" in status(window)
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == list(TAB_NAMES)
    window.close_document()


def test_indicator_edit_updates_computed_cells_status_file_and_undo(window, demo_report):
    view = window.indicators.view
    model = view.model()
    row = next(i for i, ind in enumerate(demo_report.indicators) if ind.name == "电子医保凭证激活率")
    score = model.index(row, IND_COL["得分"])
    assert score.data() == "7.48" and "94.61" in status(window)
    set_cell(view, row, IND_COL["分子"], "500000")  # 500000 / 735200 = 68.01% ≥ 60%
    assert score.data() == "8.00"
    assert model.index(row, IND_COL["达成"]).data() == "✓"
    assert "95.13" in status(window)
    assert "68.01" in score.data(Qt.ItemDataRole.ToolTipRole)
    assert reopen(window).indicators[row].numerator == D("500000")
    window.on_undo()
    assert score.data() == "7.48" and "94.61" in status(window)
    assert reopen(window).indicators[row].numerator == demo_report.indicators[row].numerator
    window.on_redo()
    assert score.data() == "8.00"


def test_score_tooltip_shows_the_formula(window, demo_report):
    model = window.indicators.view.model()
    row = next(i for i, ind in enumerate(demo_report.indicators) if ind.name == "电子医保凭证激活率")
    tip = model.index(row, IND_COL["得分"]).data(Qt.ItemDataRole.ToolTipRole)
    assert "412350 ÷ 735200 × 100 = 56.09%" in tip
    assert "得分 = 8 × 56.09 ÷ 60 = 7.48" in tip


def test_target_text_edit_sets_nature_and_value(window):
    view = window.indicators.view
    set_cell(view, 0, IND_COL["指标值"], "不低于95%")
    ind = window.rdoc.report.indicators[0]
    assert (ind.target_text, ind.nature, ind.target) == ("不低于95%", "≥", D("95"))
    window.on_undo()  # one undo step for the text and its parsed parts
    assert window.rdoc.report.indicators[0].target_text == "≥90%"


def test_missing_reason_is_marked_and_listed(window, demo_report):
    row = next(i for i, ind in enumerate(demo_report.indicators) if ind.name == "电子医保凭证激活率")
    set_cell(window.indicators.view, row, IND_COL["偏差原因分析及改进措施"], "")
    model = window.indicators.view.model()
    background = model.index(row, IND_COL["偏差原因分析及改进措施"]).data(Qt.ItemDataRole.BackgroundRole)
    assert background is not None
    assert "错误 1" in status(window)
    assert window.overview.findings.item(0).text().startswith("【错误】")
    window.jump_to(str(window.rdoc.result.findings[0].where))
    assert window.tabs.currentIndex() == TAB_NAMES.index("指标")
    assert window.indicators.view.currentIndex().row() == row
    assert window.indicators.view.currentIndex().column() == IND_COL["偏差原因分析及改进措施"]


def test_funds_edit_changes_summary_status_file_and_undo(window, demo_report):
    view = window.funds.expenditures.view
    old_total = window.rdoc.result.total_score
    set_cell(view, 3, 5, "4.58万")  # 已支付 in 万元 by suffix
    assert window.rdoc.report.expenditures[3].paid == D("45800.00")  # unchanged value: 45800
    set_cell(view, 3, 5, "145800")
    assert window.rdoc.result.funds.paid == D("706650.00")
    assert window.rdoc.result.total_score != old_total
    assert "706,650.00" in window.funds.summary_text()
    assert reopen(window).expenditures[3].paid == D("145800.00")
    window.on_undo()
    assert reopen(window).expenditures[3].paid == D("45800.00")
    assert window.rdoc.result.total_score == old_total


def test_wan_toggle_changes_display_not_storage(window):
    view = window.funds.incomes.view
    model = view.model()
    assert model.index(1, 4).data() == "500,000.00"
    window.unit.set_wan(True)
    assert model.index(1, 4).data() == "50.00"
    assert model.headerData(4, Qt.Orientation.Horizontal) == "金额（万元）"
    set_cell(view, 1, 4, "51")  # typed in 万元 now
    assert window.rdoc.report.incomes[1].amount == D("510000.00")
    window.unit.set_wan(False)


def test_bad_cell_is_refused_in_the_cell(window, messages):
    model = window.funds.incomes.view.model()
    index = model.index(0, 4)
    assert not model.setData(index, "三万五", Qt.ItemDataRole.EditRole)
    assert messages == []  # no modal box: the cell says it
    assert index.data() == "三万五" and index.data(Qt.ItemDataRole.EditRole) == "三万五"
    assert "无法识别的金额" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert window.rdoc.report.incomes[0].amount == D("35000.00")
    assert reopen(window).incomes[0].amount == D("35000.00")
    assert model.setData(index, "3.6万", Qt.ItemDataRole.EditRole)
    assert index.data() == "36,000.00" and index.data(Qt.ItemDataRole.ToolTipRole) is None


def test_scoring_tab_weight_and_override(window):
    level1 = window.scoring.level1_view.model()
    assert level1.index(0, 3).data() == "49.08"
    assert level1.setData(level1.index(0, 1), "55", Qt.ItemDataRole.EditRole)
    assert "错误" in status(window) and "level3_weights_mismatch" in {f.code for f in window.rdoc.result.findings}
    assert reopen(window).scoring.level1_weights[0][1] == D("55")
    window.on_undo()
    overrides = window.scoring.override_view.model()
    set_cell(window.scoring.override_view, 0, IND_COL["人工得分"], "5")
    assert window.rdoc.result.indicators[0].score == D("5.00")
    assert "override_no_reason" in {f.code for f in window.rdoc.result.findings}
    set_cell(window.scoring.override_view, 0, IND_COL["调整理由"], "抽查口径调整")
    assert "override_no_reason" not in {f.code for f in window.rdoc.result.findings}
    assert overrides.index(0, IND_COL["得分"]).data() == "5.00"


def test_scoring_settings_write_through(window):
    window.scoring.penalty.setChecked(True)
    assert window.rdoc.report.scoring.overachieve_penalty
    assert reopen(window).scoring.overachieve_penalty
    window.on_undo()
    assert not window.scoring.penalty.isChecked()


def test_text_tab_edit_fields_draft_and_stale_numbers(window, demo_report, questions):
    tab = window.text
    tab.select_section(2)  # （一）资金投入情况
    tab.editor.setPlainText("资金合计{资金.可用资金}万元，旧数字12.34万元。")
    tab.flush()
    assert window.rdoc.report.narrative[2].text.startswith("资金合计{资金.可用资金}")
    assert "资金合计76.50万元" in tab.preview.toPlainText()
    assert "text_figure_unmatched" in {f.code for f in window.rdoc.result.findings}
    assert "警告" in status(window) and "提示 0" in status(window)  # a stale figure is a warning
    assert reopen(window).narrative[2].text == tab.editor.toPlainText()
    questions.answers.append("替换现有文字")
    tab._on_draft_clicked()
    assert "{资金.支出进度}" in window.rdoc.report.narrative[2].text
    assert "总支出进度为79.30%" in tab.preview.toPlainText()
    window.on_undo()  # the draft
    assert window.rdoc.report.narrative[2].text.startswith("资金合计{资金.可用资金}")
    window.on_undo()  # the typing
    assert window.rdoc.report.narrative[2].text == demo_report.narrative[2].text
    assert tab.editor.toPlainText() == demo_report.narrative[2].text
    assert reopen(window).narrative[2].text == demo_report.narrative[2].text


def test_paste_block_of_5x3_is_one_undo_step(window):
    view = window.funds.expenditures.view
    before = len(window.rdoc.report.expenditures)
    model = view.model()
    view.setCurrentIndex(model.index(before - 2, 0))
    block = "\n".join(f"粘贴项目{i}\t宣传培训\t政策宣传" for i in range(5))
    assert view.paste(block) == []
    rows = window.rdoc.report.expenditures
    assert len(rows) == before + 3  # two rows overwritten, three appended
    assert [r.project for r in rows[before - 2:]] == [f"粘贴项目{i}" for i in range(5)]
    assert rows[-1].direction == "宣传培训" and rows[-1].econ_class == "政策宣传"
    window.on_undo()
    assert len(window.rdoc.report.expenditures) == before
    assert len(reopen(window).expenditures) == before


def test_paste_with_bad_cells_changes_nothing(window, messages):
    view = window.funds.expenditures.view
    model = view.model()
    view.setCurrentIndex(model.index(0, 4))
    before = window.rdoc.report
    problems = view.paste("1000\t900\t2025-05-01\n2000\t一千\t2025-13-01")
    assert len(problems) == 2
    assert "第 2 行「已支付」" in problems[0] and "第 2 行「支付日期」" in problems[1]
    assert window.rdoc.report is before
    assert "整块未粘贴" in messages[-1][2]


def test_copy_gives_tab_separated_text(window):
    view = window.funds.incomes.view
    view.selectAll()
    text = view.copy_selection()
    assert text.splitlines()[1].split("\t")[:3] == ["中央", "当年下达", "示财社〔2025〕12号"]


def test_insert_delete_move_rows(window):
    section = window.indicators.section
    n = len(window.rdoc.report.indicators)
    section.view.setCurrentIndex(section.model.index(0, 2))
    section._on_add()
    assert len(window.rdoc.report.indicators) == n + 1
    section._on_delete()
    assert len(window.rdoc.report.indicators) == n
    first = window.rdoc.report.indicators[0].name
    section.view.setCurrentIndex(section.model.index(0, 2))
    section._on_move(1)
    assert window.rdoc.report.indicators[1].name == first


def test_pick_starter_indicators_from_template(window):
    from yibao_desktop.templates import load_template

    n = len(window.rdoc.report.indicators)
    starters = list(load_template("capacity").variant("standard").indicators[:2])
    assert window.indicators.add_indicators(starters)
    assert len(reopen(window).indicators) == n + 2
    window.on_undo()
    assert len(window.rdoc.report.indicators) == n


def test_every_model_passes_qtmodeltester(window, qtmodeltester):
    models = [window.funds.incomes.model, window.funds.expenditures.model, window.indicators.model,
              window.scoring.level1_model, window.scoring.override_model,
              window.funds.fund_op.income.model, window.funds.fund_op.expense.model]
    for model in models:
        qtmodeltester.check(model, force_py=True)


def test_fund_operation_block_for_resident_insurance(qtbot, tmp_path):
    from yibao_desktop.templates import new_report

    path = tmp_path / "居民医保.yibao"
    Document.create(path, new_report("resident_insurance", "某县医疗保障局", 2025)).close()
    window = MainWindow(Document.open(path))
    qtbot.add_widget(window)
    window.show()
    box = window.funds.fund_op
    assert window.funds.pages.isTabVisible(window.funds.pages.indexOf(box))  # a page of its own
    window.funds.show_fund_operation()
    assert box.isVisibleTo(window.funds)
    box.fields["closing_balance"].setText("646")
    box._on_field_edited("closing_balance", "money")
    assert window.rdoc.report.fund_operation.closing_balance == D("646.00")
    window.close_document()


def test_open_bad_file_shows_message_and_keeps_document(window, tmp_path, messages):
    bad = tmp_path / "坏文件.yibao"
    bad.write_bytes(b"not a report")
    current = window.rdoc.path
    assert not window.open_path(bad)
    assert "不是医保绩效自评报告文件" in messages[-1][2]
    assert window.rdoc.path == current


def test_new_report_save_as_and_close(window, tmp_path):
    assert window.create_report(str(tmp_path / "新报告"), "某县医疗保障局", 2026, "capacity", "evaluation")
    assert window.rdoc.path.name == "新报告.yibao"
    assert window.windowTitle().startswith("新报告.yibao")
    assert window.save_as(str(tmp_path / "副本.yibao"))
    assert window.rdoc.path.name == "副本.yibao"
    window.close_document()
    assert window.rdoc is None and window.windowTitle() == "医保绩效自评助手"


def test_help_and_about_have_chinese_content():
    from yibao_desktop import paths
    from yibao_desktop.ui.dialogs import about_text

    guide = paths.resource("help", "guide.md").read_text(encoding="utf-8")
    assert "得分 = 10 × 44.49 ÷ 60 = 7.42" in guide and "偏差原因" in guide
    assert "SIL Open Font License" in about_text() and "LGPL" in about_text()


def test_start_makes_no_network_connection(qtbot, monkeypatch):
    attempts = []

    def refuse(self, *args, **kwargs):
        attempts.append(args)
        raise OSError("network disabled in tests")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    window = MainWindow(open_demo())
    qtbot.add_widget(window)
    window.show()
    qtbot.wait(50)
    assert attempts == []
    window.close_document()


def test_shot_command_renders_every_tab(tmp_path, demo_report):
    path = tmp_path / "r.yibao"
    Document.create(path, demo_report).close()
    before = path.read_bytes()
    for tab in ("概览", "报告文字"):
        out = tmp_path / f"{tab}.png"
        proc = subprocess.run([sys.executable, "-m", "yibao_desktop", "shot", str(path), "--tab", tab, "--out",
                               str(out), "--size", "1366x768"], capture_output=True, text=True,
                              env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert out.stat().st_size > 20000
    assert path.read_bytes() == before


def test_pyside_refcount_regression_loop():
    """PySide6 6.12.0 aborted the process on these loops (PITFALLS.md); keep 6.11.3 honest."""
    code = (
        "from PySide6.QtWidgets import QApplication\n"
        "from PySide6.QtGui import QStandardItemModel, QStandardItem\n"
        "from PySide6.QtCore import QAbstractTableModel, QModelIndex\n"
        "app = QApplication([])\n"
        "m = QStandardItemModel(500, 8)\n"
        "for r in range(500):\n"
        "    for c in range(8):\n"
        "        m.setItem(r, c, QStandardItem('x'))\n"
        "class T(QAbstractTableModel):\n"
        "    def rowCount(self, p=QModelIndex()): return 1\n"
        "    def columnCount(self, p=QModelIndex()): return 1\n"
        "    def data(self, i, role=0): return None\n"
        "t = T()\n"
        "for _ in range(10000):\n"
        "    QAbstractTableModel.setData(t, t.index(0, 0), 1)\n"
        "print('ok')\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    assert child_output(code, env=env) == ["ok"]


def test_switching_documents_then_toggling_units_is_safe(window, tmp_path, demo_report):
    other = tmp_path / "另一个.yibao"
    Document.create(other, demo_report).close()
    assert window.open_path(other)
    window.unit.set_wan(True)
    assert window.funds.incomes.model.index(1, 4).data() == "50.00"
    window.on_open_demo()
    window.unit.set_wan(False)
    assert window.funds.incomes.model.index(1, 4).data() == "500,000.00"


def test_new_from_last_year_shows_yoy(window, tmp_path, messages):
    last = window.rdoc.path
    before = last.read_bytes()
    window.close_document()
    assert window.create_next_year(str(last), str(tmp_path / "2026"))
    assert last.read_bytes() == before
    assert window.rdoc.report.meta.year == 2026
    assert "已从上年度文件新建" == messages[-1][1]
    view = window.indicators.view
    assert not view.isColumnHidden(IND_COL["上年实际"]) and not view.isColumnHidden(IND_COL["同比"])
    row = next(i for i, ind in enumerate(window.rdoc.report.indicators) if ind.name == "电子医保凭证激活率")
    assert view.model().index(row, IND_COL["上年实际"]).data() == "56.09"
    set_cell(view, row, IND_COL["分子"], "500000")
    set_cell(view, row, IND_COL["分母"], "735200")
    assert view.model().index(row, IND_COL["同比"]).data() == "+11.92"
    assert "同比：上年（2025年）" in window.overview.yoy.text()
    assert "同比" in window.funds.summary_text()
    assert not window.create_next_year(str(window.rdoc.path), str(window.rdoc.path))


def test_new_from_last_years_excel(window, tmp_path, messages):
    from tests.exchange.excel.test_lastyear import hand_made_project_form

    book = tmp_path / "2024.xlsx"
    hand_made_project_form(book)
    assert window.create_next_year(str(book), str(tmp_path / "2025.yibao"))
    assert window.rdoc.report.meta.year == 2025
    assert "请核对资金来源的级次" in messages[-1][2]


def test_qt_standard_buttons_are_chinese(qapp):
    from PySide6.QtWidgets import QDialogButtonBox

    from yibao_desktop.ui.fonts import install_chinese_translations

    assert install_chinese_translations(qapp)
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"


def test_charged_level_lottery_and_scoring_profile_are_edited_in_the_window(window):
    """资金级次 offers the levels with income in the line's pool; 彩票公益金 is a yes/no cell; 是否评分
    and 评分方案 write through and undo."""
    funds = window.funds
    exp = funds.expenditures.view.model()
    level_col = next(i for i, c in enumerate(exp.columns) if c.field == "level")
    from yibao_desktop.domain.report import pool_of_kind

    report = window.rdoc.report

    def levels_in(pool):
        return {i.level for i in report.incomes if i.amount and pool_of_kind(i.kind) == pool}

    row = next(r for r, e in enumerate(report.expenditures) if e.paid and len(levels_in(e.pool)) > 1)
    offered = exp.choices(row, level_col)
    assert offered[0] == "" and set(offered[1:]) == levels_in(report.expenditures[row].pool)
    set_cell(funds.expenditures.view, row, level_col, "")
    assert window.rdoc.report.expenditures[row].level is None
    assert "level_estimated" in {f.code for f in window.rdoc.result.findings}
    assert reopen(window).expenditures[row].level is None
    window.on_undo()
    assert window.rdoc.report.expenditures[row].level == report.expenditures[row].level

    inc = funds.incomes.view.model()
    lottery_col = next(i for i, c in enumerate(inc.columns) if c.field == "lottery")
    set_cell(funds.incomes.view, 0, lottery_col, "是")
    assert window.rdoc.report.incomes[0].lottery is True
    assert any(s.name == "彩票公益金" for s in window.rdoc.result.funds.by_source)
    assert not inc.setData(inc.index(0, lottery_col), "也许", Qt.ItemDataRole.EditRole)

    scoring = window.scoring
    scoring.scored.setChecked(False)
    assert window.rdoc.result.total_score is None and reopen(window).scoring.scored is False
    window.on_undo()
    assert scoring.scored.isChecked() and window.rdoc.result.total_score is not None
    scoring.profile.setCurrentIndex(scoring.profile.findData("provincial_20_40_40"))
    assert window.rdoc.report.scoring.profile == "provincial_20_40_40"
    scoring.apply_weights.click()
    assert window.rdoc.report.scoring.budget_execution_weight == D("20")
    assert "level3_weights_mismatch" in {f.code for f in window.rdoc.result.findings}  # rows keep theirs
    window.on_undo()
    assert window.rdoc.report.scoring.budget_execution_weight == D("10")
