"""The main window. For now a read-only view of the report (overview, funds, indicators,
scoring, text); the editable tabs come with the window issue."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QGroupBox,
    QLabel,
    QListWidget,
    QMainWindow,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from yibao_desktop import paths
from yibao_desktop.domain.calc import compute
from yibao_desktop.domain.errors import UserError
from yibao_desktop.domain.interchange import report_from_json
from yibao_desktop.domain.money import fmt_wan
from yibao_desktop.storage.repository import Document
from yibao_desktop.templates import default_title
from yibao_desktop.ui import errors
from yibao_desktop.ui.fonts import register_fonts

APP_NAME = "医保绩效自评助手"
SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.setItem(r, c, QTableWidgetItem("" if value is None else str(value)))
    table.resizeColumnsToContents()
    return table


class MainWindow(QMainWindow):
    def __init__(self, doc: Document):
        super().__init__()
        self.doc = doc
        self.result = compute(doc.report)
        self.setWindowTitle(f"{doc.path.name} — {APP_NAME}")
        self.resize(1280, 760)
        self.tabs = QTabWidget()
        self.setCentralWidget(self.tabs)
        self.tabs.addTab(self._overview(), "概览")
        self.tabs.addTab(self._funds(), "资金")
        self.tabs.addTab(self._indicators(), "指标")
        self.tabs.addTab(self._scoring(), "评分")
        self.tabs.addTab(self._text(), "报告文字")
        res = self.result
        self.statusBar().showMessage(
            f"总分 {res['total_score']}　等级 {res['grade']}　发现问题 {len(res['findings'])} 项")

    def _overview(self) -> QWidget:
        res, funds = self.result, self.result["funds"]
        page = QWidget()
        layout = QVBoxLayout(page)
        title = QLabel(default_title(self.doc.report.meta))
        title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        layout.addWidget(title)
        box = QGroupBox("关键数据")
        grid = QGridLayout(box)
        figures = [
            ("可用资金", f"{fmt_wan_s(funds['available'])} 万元"), ("已支出", f"{fmt_wan_s(funds['paid'])} 万元"),
            ("支出进度", f"{funds['progress'] or '—'}%"), ("结余", f"{fmt_wan_s(funds['balance'])} 万元"),
            ("总分", res["total_score"]), ("等级", res["grade"]),
        ]
        for i, (label, value) in enumerate(figures):
            grid.addWidget(QLabel(label), i // 3, (i % 3) * 2)
            v = QLabel(value)
            v.setStyleSheet("font-size: 14pt;")
            grid.addWidget(v, i // 3, (i % 3) * 2 + 1)
        layout.addWidget(box)
        layout.addWidget(QLabel(f"发现的问题（{len(res['findings'])} 项）"))
        findings = QListWidget()
        for f in res["findings"]:
            findings.addItem(f"【{SEVERITY[f['severity']]}】{f['message']}")
        layout.addWidget(findings, 1)
        return page

    def _funds(self) -> QWidget:
        report = self.doc.report
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel("资金来源"))
        layout.addWidget(_table(["级次", "类别", "文号", "日期", "金额（元）", "备注"], [
            (i.level, i.kind, i.doc_no, i.date, i.amount, i.note) for i in report.incomes]))
        layout.addWidget(QLabel("支出明细"))
        layout.addWidget(_table(["项目", "支出方向", "经济科目", "资金池", "预算（元）", "已支付（元）", "支付日期"], [
            (e.project, e.direction, e.econ_class, e.pool, e.budget, e.paid, e.paid_on)
            for e in report.expenditures]), 1)
        return page

    def _indicators(self) -> QWidget:
        rows = [(i["level1"], i["level2"], i["name"], i["target_text"], i["weight"], i["actual"],
                 i["completion"], "是" if i["met"] else "否", i["score"]) for i in self.result["indicators"]]
        return _table(["一级指标", "二级指标", "三级指标", "指标值", "分值", "实际完成值", "完成率%", "达成", "得分"], rows)

    def _scoring(self) -> QWidget:
        res = self.result
        rows = [(l["name"], l["weight"], l["score"]) for l in res["level1"]]
        rows.append(("预算执行率", res["budget_execution"]["weight"], res["budget_execution"]["score"]))
        rows.append(("合计", "100", res["total_score"]))
        return _table(["一级指标", "权重", "得分"], rows)

    def _text(self) -> QWidget:
        edit = QPlainTextEdit()
        edit.setReadOnly(True)
        edit.setPlainText("\n\n".join(f"{s.heading}\n{s.text}" for s in self.doc.report.narrative))
        return edit


def fmt_wan_s(yuan: str) -> str:
    from decimal import Decimal
    return fmt_wan(Decimal(yuan))


def demo_document_path() -> Path:
    """The demo report lives in the user's data folder, made from the bundled JSON on first use."""
    return paths.user_data_dir() / "示例县医疗保障局-2025-能力提升资金.yibao"


def open_demo() -> Document:
    path = demo_document_path()
    if path.exists():
        try:
            return Document.open(path)
        except UserError:
            path.rename(path.with_name(path.name + ".broken"))
    path.parent.mkdir(parents=True, exist_ok=True)
    report = report_from_json(paths.demo_report_json().read_text(encoding="utf-8"))
    return Document.create(path, report)


def run_gui(argv: Sequence[str]) -> int:
    app = QApplication.instance() or QApplication([sys.argv[0], *[a for a in argv if a.startswith("-platform")]])
    app.setApplicationName(APP_NAME)
    register_fonts(app)  # type: ignore[arg-type]
    errors.install_excepthook()
    files = [a for a in argv if not a.startswith("-")]
    try:
        doc = Document.open(files[0]) if files else open_demo()
    except UserError as err:
        errors.show_error(None, "无法打开文件", str(err))
        if not files:
            return 2
        doc = open_demo()
    window = MainWindow(doc)
    window.show()
    if os.environ.get("YIBAO_EXIT_AFTER_SHOW"):
        app.processEvents()
        return 0
    return app.exec()
