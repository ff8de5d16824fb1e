"""The main window: 概览 / 资金 / 指标 / 评分 / 报告文字, menus, undo, file handling."""

from __future__ import annotations

import importlib
import os
import re
import sys
from pathlib import Path
from typing import Any, Sequence

from PySide6.QtCore import QByteArray, QRect, QSize, Qt
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from yibao_desktop.domain import formatting as fmt
from yibao_desktop.domain import rules
from yibao_desktop.domain.errors import UserError
from yibao_desktop.runtime import settle
from yibao_desktop.services import nextyear, reports
from yibao_desktop.storage.db import FILE_SUFFIX
from yibao_desktop.storage.repository import Document
from yibao_desktop.ui import errors
from yibao_desktop.ui import settings as remembered
from yibao_desktop.ui.document import ReportDocument
from yibao_desktop.ui.operations import Operation
from yibao_desktop.ui.fonts import install_chinese_translations, register_fonts
from yibao_desktop.ui.models.base import DisplayUnit
from yibao_desktop.ui.models.tables import IND_COL, IND_COLUMNS
from yibao_desktop.ui.tabs.evidence import EvidenceTab
from yibao_desktop.ui.settings import settings
from yibao_desktop.ui.tabs.funds import FundsTab
from yibao_desktop.ui.tabs.indicators import IndicatorsTab
from yibao_desktop.ui.tabs.overview import OverviewTab
from yibao_desktop.ui.tabs.scoring import ScoringTab
from yibao_desktop.ui.tabs.text import TextTab
from yibao_desktop.ui.views import SheetView
from yibao_desktop.ui.workers import Task
from yibao_desktop.ui.zoom import FontZoom

APP_NAME = "医保绩效自评助手"
FILE_FILTER = f"医保绩效自评报告 (*{FILE_SUFFIX});;所有文件 (*)"
TAB_NAMES = ("概览", "资金", "指标", "评分", "报告文字", "佐证材料")
TAB_ATTRS = ("overview", "funds", "indicators", "scoring", "text", "evidence")
WHERE_RE = re.compile(r"^(\w+(?:\.\w+)?)(?:\[(\d+)\])?(?:\.(\w+))?")


def _dialogs(name: str) -> Any:
    """A dialog module, imported when first opened (keeps the window's start lean)."""
    return importlib.import_module(f"yibao_desktop.ui.{name}")


def read_only_message(doc: Document) -> str:
    """Why a document opened read-only, in the words the storage layer gives (who holds it, a
    write-protected stick, a private recovered copy)."""
    if doc.read_only_reason:
        return f"{doc.read_only_reason}\n\n本次只能查看，不能修改。"
    return f"文件「{doc.path.name}」以只读方式打开，本次只能查看，不能修改。"


class MainWindow(QMainWindow):
    def __init__(self, doc: Document | None = None):
        super().__init__()
        self.rdoc: ReportDocument | None = None
        self.unit = DisplayUnit()
        self.unit.setParent(self)
        self.resize(1366, 768)
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.start_page = self._build_start_page()
        self.stack.addWidget(self.start_page)
        self.tabs: QTabWidget | None = None
        self._built: dict[str, Any] = {}  # the pages of the open report built so far
        self._pages: dict[str, QWidget] = {}
        self.status = QLabel()
        self.statusBar().addPermanentWidget(self.status)
        self._build_menus()
        if doc is not None:
            self.set_document(doc)
        else:
            self._update_title()

    # -- building --------------------------------------------------------------------------------

    def _build_start_page(self) -> QWidget:
        """新建, 打开, 从上年度文件新建, 打开示例, and the reports opened last (double-click opens)."""
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        title = QLabel(f"<h1>{APP_NAME}</h1><p>县级医疗保障局转移支付资金绩效自评报告编制工具（离线）</p>")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)
        layout.addSpacing(12)
        row = QHBoxLayout()
        row.addStretch(1)
        self.start_buttons: dict[str, QPushButton] = {}
        for label, slot in (("新建报告…", self.on_new), ("打开报告…", self.on_open),
                            ("从上年度文件新建…", self.on_next_year), ("打开示例", self.on_open_demo)):
            button = QPushButton(label)
            button.setMinimumHeight(36)
            button.setMinimumWidth(150)
            button.clicked.connect(slot)
            row.addWidget(button)
            self.start_buttons[label] = button
        row.addStretch(1)
        layout.addLayout(row)
        self.recent_title = QLabel("<b>最近打开的报告</b>　<span style='color:#5a6472'>（双击打开）</span>")
        self.recent_list = QListWidget()
        self.recent_list.setMaximumWidth(900)
        self.recent_list.setMinimumHeight(220)
        self.recent_list.itemActivated.connect(self._on_recent_activated)
        column = QVBoxLayout()
        column.addWidget(self.recent_title)
        column.addWidget(self.recent_list)
        centred = QHBoxLayout()
        centred.addStretch(1)
        centred.addLayout(column, 6)
        centred.addStretch(1)
        layout.addSpacing(16)
        layout.addLayout(centred)
        layout.addStretch(2)
        self._fill_recent_list()
        return page

    def _fill_recent_list(self) -> None:
        self.recent_list.clear()
        for path in remembered.recent_files():
            p = Path(path)
            there = p.is_file()
            item = QListWidgetItem(f"{p.name}　—　{p.parent}" + ("" if there else "　（文件已不在原位置）"))
            item.setData(Qt.ItemDataRole.UserRole, path)
            item.setToolTip(path)
            if not there:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.recent_list.addItem(item)
        if not self.recent_list.count():
            empty = QListWidgetItem("（还没有打开过报告：可新建报告，或先打开示例看看）")
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.recent_list.addItem(empty)

    def _on_recent_activated(self, item: QListWidgetItem) -> None:
        path = item.data(Qt.ItemDataRole.UserRole)
        if path:
            self.open_path(path)

    def _action(self, menu, text: str, slot, shortcut=None) -> QAction:  # type: ignore[no-untyped-def]
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("文件(&F)")
        self._action(file_menu, "新建…", self.on_new, QKeySequence.StandardKey.New)
        self.next_year_action = self._action(file_menu, "从上年度文件新建…", self.on_next_year)
        self._action(file_menu, "打开…", self.on_open, QKeySequence.StandardKey.Open)
        self.recent_menu = file_menu.addMenu("最近打开")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self._action(file_menu, "打开示例", self.on_open_demo)
        file_menu.addSeparator()
        self.import_action = self._action(file_menu, "导入Excel…", self.on_import_excel)
        self.save_as_action = self._action(file_menu, "另存为…", self.on_save_as, QKeySequence.StandardKey.SaveAs)
        self.close_action = self._action(file_menu, "关闭", self.close_document, QKeySequence("Ctrl+W"))
        file_menu.addSeparator()
        self.quit_action = self._action(file_menu, "退出", self.close, QKeySequence("Ctrl+Q"))

        edit_menu = bar.addMenu("编辑(&E)")
        self.undo_action = self._action(edit_menu, "撤销", self.on_undo, QKeySequence.StandardKey.Undo)
        self.redo_action = self._action(edit_menu, "重做", self.on_redo, QKeySequence("Ctrl+Y"))
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])

        export_menu = bar.addMenu("导出(&X)")
        self.export_pdf_action = self._action(export_menu, "导出PDF…", self.on_export_pdf, QKeySequence("Ctrl+P"))
        self.export_xlsx_action = self._action(export_menu, "导出Excel…", self.on_export_excel)
        self.package_action = self._action(export_menu, "报送到U盘…", self.on_package)
        self._action(export_menu, "核验报送包…", lambda: _dialogs("package_dialogs").VerifyPackageDialog(
            self, remembered.last_folder("package")).exec())
        self._action(export_menu, "汇总多个报送包…", lambda: _dialogs("aggregate_dialog").AggregateDialog(self).exec())
        export_menu.addSeparator()
        self._action(export_menu, "签名设置…", self.on_signing_settings)
        self._action(export_menu, "核验PDF签名…", lambda: _dialogs("pdf_dialogs").VerifyDialog(self).exec())
        self.export_menu = export_menu

        view_menu = bar.addMenu("视图(&V)")
        self.wan_action = self._action(view_menu, "金额以万元显示", lambda on: self.unit.set_wan(bool(on)))
        self.wan_action.setCheckable(True)
        view_menu.addSeparator()
        self.zoom = FontZoom(settings, self)
        self.zoom.changed.connect(lambda percent: self.show_status(f"字号：{percent}%（Ctrl+0 恢复默认）"))
        self.zoom_in_action = self._action(view_menu, "放大字号", lambda: self.zoom.step(1))
        self.zoom_in_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.ZoomIn), QKeySequence("Ctrl+=")])
        self.zoom_out_action = self._action(view_menu, "缩小字号", lambda: self.zoom.step(-1),
                                            QKeySequence(QKeySequence.StandardKey.ZoomOut))
        self.zoom_reset_action = self._action(view_menu, "默认字号", self.zoom.reset, QKeySequence("Ctrl+0"))

        help_menu = bar.addMenu("帮助(&H)")
        self._action(help_menu, "使用说明", lambda: _dialogs("dialogs").GuideDialog(self).exec(),
                     QKeySequence.StandardKey.HelpContents)
        self._action(help_menu, "关于", lambda: _dialogs("dialogs").AboutDialog(self).exec())
        self.unit.changed.connect(self._on_unit_changed)

    def _on_unit_changed(self) -> None:
        self.wan_action.setChecked(self.unit.wan)

    # -- document ------------------------------------------------------------------------------

    def set_document(self, doc: Document) -> None:
        self.close_document()
        self.rdoc = ReportDocument(doc, self)
        tabs = QTabWidget()
        self._pages = {}
        for attr, name in zip(TAB_ATTRS, TAB_NAMES):
            page = QWidget()
            QVBoxLayout(page).setContentsMargins(0, 0, 0, 0)
            self._pages[attr] = page
            tabs.addTab(page, name)
        self.tabs = tabs
        self._built = {}
        self._tab(TAB_ATTRS[0])  # the page shown first; the others are built when first shown or used
        tabs.currentChanged.connect(lambda index: self._tab(TAB_ATTRS[index]) if index >= 0 else None)
        self.stack.addWidget(tabs)
        self.stack.setCurrentWidget(tabs)
        self.rdoc.changed.connect(self._on_document_changed)
        self.rdoc.undo_stack.indexChanged.connect(self._on_undo_index_changed)
        self._remember(doc.path)
        self._on_document_changed()
        if doc.migrated_from is not None and doc.backup_path is not None:
            errors.show_info(self, "文件已升级",
                             f"该文件由旧版程序创建（格式版本 {doc.migrated_from}），已升级为当前格式。\n"
                             f"原文件备份为：{doc.backup_path}")
        if doc.recovered:
            errors.show_info(self, "已恢复", f"文件「{doc.path.name}」上次有一处修改未完成（程序中断或断电），"
                                          f"已退回到最后一次保存的状态，已保存的内容都在。")
        if doc.read_only:
            errors.show_info(self, "只读打开", read_only_message(doc))

    def _tab(self, attr: str) -> Any:
        """The page `attr` of the open report, built on first use (a lean start builds only the
        page shown)."""
        built = self._built.get(attr)
        if built is not None:
            return built
        assert self.rdoc is not None
        if attr == "overview":
            widget: Any = OverviewTab(self.rdoc, self.jump_to)
        elif attr in ("funds", "indicators", "scoring"):
            widget = {"funds": FundsTab, "indicators": IndicatorsTab, "scoring": ScoringTab}[attr](self.rdoc, self.unit)
        elif attr == "text":
            widget = TextTab(self.rdoc)
            widget.message.connect(self.show_status)
            widget.editor.undo_requested.connect(self.on_undo)  # one history, also inside the text
            widget.editor.redo_requested.connect(self.on_redo)
        else:
            widget = EvidenceTab(self.rdoc)
        for view in widget.findChildren(SheetView):
            view.message.connect(self.show_status)
        self._pages[attr].layout().addWidget(widget)
        widget.show()  # at once: a layout would show it only from the event loop
        self._built[attr] = widget
        return widget

    overview = property(lambda self: self._tab("overview"))
    funds = property(lambda self: self._tab("funds"))
    indicators = property(lambda self: self._tab("indicators"))
    scoring = property(lambda self: self._tab("scoring"))
    text = property(lambda self: self._tab("text"))
    evidence = property(lambda self: self._tab("evidence"))

    def commit_pending(self) -> None:
        """Save what the user is typing: an open cell editor, the text section being written, a
        form field that has the focus. Every action that closes, switches, exports or packages
        calls this first, so typed text is never lost for want of pressing Enter."""
        if self.rdoc is None:
            return
        focus = QApplication.focusWidget()
        for view in self.findChildren(SheetView):
            view.commit_editor()
        if isinstance(focus, QLineEdit) and focus.window() is self:
            focus.editingFinished.emit()
        if "text" in self._built:
            self._built["text"].flush()

    def show_status(self, message: str) -> None:
        self.statusBar().showMessage(message, 15000)

    def close_document(self) -> None:
        if self.rdoc is None:
            return
        self.commit_pending()
        rdoc, self.rdoc = self.rdoc, None
        rdoc.undo_stack.indexChanged.disconnect(self._on_undo_index_changed)
        rdoc.changed.disconnect(self._on_document_changed)
        rdoc.close()
        rdoc.deleteLater()
        if self.tabs is not None:
            self.stack.removeWidget(self.tabs)
            self.tabs.deleteLater()
            self.tabs = None
            self._built, self._pages = {}, {}
        self._fill_recent_list()
        self.stack.setCurrentWidget(self.start_page)
        self._on_document_changed()

    def open_path(self, path: str | os.PathLike[str]) -> bool:
        self.commit_pending()
        doc = Operation(self, "打开文件", lambda _p: reports.open_document(path)).failure(
            lambda exc: errors.show_exception(self, "无法打开文件", exc)).run()
        if doc is None:
            return False
        self.set_document(doc)
        return True

    def _on_document_changed(self) -> None:
        self._update_title()
        self._update_undo_actions()
        has_doc = self.rdoc is not None
        self.save_as_action.setEnabled(has_doc)
        self.export_pdf_action.setEnabled(has_doc)
        self.export_xlsx_action.setEnabled(has_doc)
        self.import_action.setEnabled(has_doc)
        self.package_action.setEnabled(has_doc)
        self.close_action.setEnabled(has_doc)
        if not has_doc:
            self.status.setText("")
            return
        result = self.rdoc.result
        counts = result.severity_counts()
        self.status.setText(f"总分 {fmt.score(result.total_score)}　等级 {fmt.label(result.grade)}　"
                            f"问题 {len(result.findings)} 项（错误 {counts['error']}，警告 {counts['warning']}，"
                            f"提示 {counts['info']}）")

    def _update_title(self) -> None:
        if self.rdoc is None:
            self.setWindowTitle(APP_NAME)
            return
        suffix = "（只读）" if self.rdoc.doc.read_only else ""
        self.setWindowTitle(f"{self.rdoc.path.name}{suffix} — {APP_NAME}")

    def _on_undo_index_changed(self, _index: int) -> None:
        self._update_undo_actions()

    def _update_undo_actions(self) -> None:
        stack = self.rdoc.undo_stack if self.rdoc else None
        self.undo_action.setEnabled(bool(stack and stack.canUndo()))
        self.redo_action.setEnabled(bool(stack and stack.canRedo()))
        self.undo_action.setText(f"撤销 {stack.undoText()}" if stack and stack.canUndo() else "撤销")
        self.redo_action.setText(f"重做 {stack.redoText()}" if stack and stack.canRedo() else "重做")

    # -- actions -------------------------------------------------------------------------------

    def on_undo(self) -> None:
        if self.rdoc:
            self.commit_pending()
            self.rdoc.undo_stack.undo()

    def on_redo(self) -> None:
        if self.rdoc:
            self.commit_pending()  # typing not yet written is newer than anything to redo
            self.rdoc.undo_stack.redo()

    def on_new(self) -> None:
        dialog = _dialogs("dialogs").NewReportDialog(self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        unit, year, fund_type, variant = dialog.values()
        default = str(self._reports_folder() / f"{unit}-{year}{FILE_SUFFIX}")
        path, _ = QFileDialog.getSaveFileName(self, "保存新报告", default, FILE_FILTER)
        if path:
            self.create_report(path, unit, year, fund_type, variant)

    def create_report(self, path: str, unit: str, year: int, fund_type: str, variant: str | None) -> bool:
        target = reports.with_suffix(path)
        doc = Operation(self, "新建报告", lambda _p: reports.new_document(target, fund_type, unit, year, variant,
                                                                       overwrite=True)).run()
        if doc is None:
            return False
        self.set_document(doc)
        return True

    def _reports_folder(self) -> Path:
        """The folder of the report open now, or of the one opened last, else 文档."""
        recent = remembered.recent_files(existing_only=True)
        return remembered.report_folder(self.rdoc.path if self.rdoc else (recent[0] if recent else None))

    def on_next_year(self) -> None:
        start = str(self._reports_folder())
        last, _ = QFileDialog.getOpenFileName(
            self, "选择上年度报告文件（不会被修改）", start,
            f"上年度报告 (*{FILE_SUFFIX} *.xlsx *.xls);;医保绩效自评报告 (*{FILE_SUFFIX});;上年自评表或数据工作簿 (*.xlsx *.xls)")
        if not last:
            return
        made = Operation(self, "读取上年度文件", lambda _p: nextyear.next_year_report(last)).failure(
            lambda exc: errors.show_exception(self, "无法从上年度文件新建", exc)).run()
        if made is None:
            return
        report = made.report
        default = str(Path(last).parent / f"{report.meta.unit or '新报告'}-{report.meta.year}{FILE_SUFFIX}")
        out, _ = QFileDialog.getSaveFileName(self, f"保存 {report.meta.year} 年度新报告", default, FILE_FILTER)
        if out:
            self.create_next_year(last, out)

    def create_next_year(self, last: str, out: str, year: int | None = None) -> bool:
        """Start a report from last year's file, which is opened read-only and never modified."""
        target = reports.with_suffix(out)
        made = Operation(self, "从上年度文件新建",
                         lambda _p: nextyear.create_next_year(last, target, year, overwrite=True)).failure(
            lambda exc: errors.show_exception(self, "无法从上年度文件新建", exc)).run()
        if made is None:
            return False
        new_doc, info = made
        self.set_document(new_doc)
        errors.show_info(self, "已从上年度文件新建", "已新建" + info.summary().replace("；", "；\n"))
        return True

    def on_open(self) -> None:
        start = str(self._reports_folder())
        path, _ = QFileDialog.getOpenFileName(self, "打开报告", start, FILE_FILTER)
        if path:
            self.open_path(path)

    def reopen_last(self) -> bool:
        """At start: the report worked on last time, if it is still there; else the start page with
        the recent list (the demo is never reopened: 打开示例 makes a fresh copy)."""
        recent = remembered.recent_files(existing_only=True)
        return bool(recent) and self.open_path(recent[0])

    def on_open_demo(self) -> None:
        """A fresh copy of the bundled demo, every time: what was typed into it last time is gone."""
        self.commit_pending()
        if self.rdoc is not None and self.rdoc.path.resolve() == reports.demo_path().resolve():
            self.close_document()  # its file is about to be replaced
        doc = Operation(self, "打开示例", lambda _p: reports.open_demo()).run()
        if doc is not None:
            self.set_document(doc)

    def on_save_as(self) -> None:
        if not self.rdoc:
            return
        path, _ = QFileDialog.getSaveFileName(self, "另存为", str(self.rdoc.path), FILE_FILTER)
        if path:
            self.save_as(path)

    def save_as(self, path: str) -> bool:
        assert self.rdoc is not None
        target = reports.with_suffix(path)
        doc = self.rdoc.doc
        done = Operation(self, "另存为", lambda _p: doc.save_as(target) or True).failure(
            lambda exc: errors.show_exception(self, "另存为失败（原文件未受影响）", exc)).run()
        if not done:
            return False
        self._remember(target)
        self._update_title()
        return True

    def _remember(self, path: Path) -> None:
        remembered.remember_recent(path)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = remembered.recent_files()
        for p in recent:
            action = self.recent_menu.addAction(p)
            action.triggered.connect(lambda _checked=False, path=p: self.open_path(path))
        if not recent:
            self.recent_menu.addAction("（无）").setEnabled(False)

    # -- PDF ---------------------------------------------------------------------------------------

    def on_export_pdf(self) -> None:
        if not self.rdoc:
            return
        self.commit_pending()
        pdf_dialogs = _dialogs("pdf_dialogs")
        dialog = pdf_dialogs.ExportPdfDialog(self, len(self.rdoc.result.errors), rules.final_warnings(self.rdoc.result))
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        mode = dialog.mode()
        from yibao_desktop.templates import default_title

        name = default_title(self.rdoc.report.meta) + ("（草稿）" if mode == "draft" else "") + ".pdf"
        folder = remembered.start_folder("export", self.rdoc.path)
        path, _ = QFileDialog.getSaveFileName(self, "导出PDF", str(folder / name), "PDF 文件 (*.pdf)")
        if not path:
            return
        remembered.remember_folder("export", path)
        password = None
        if mode == "signed":
            from yibao_desktop.services import keystore

            # A wrong password is said in the prompt, which stays open until it is right or cancelled.
            prompt = pdf_dialogs.PasswordDialog(self, "请输入单位证书的密码以签名：", check=keystore.unit_credentials)
            if prompt.exec() != QDialog.DialogCode.Accepted:
                return
            password = prompt.password.text()
        self.export_pdf_to(path, mode, password)

    def export_pdf_to(self, path: str, mode: str, password: str | None = None) -> Task | None:
        """Export (and sign) in a worker; refusals and certificate problems are told before any
        work starts, and nothing is written unless the whole export succeeds."""
        assert self.rdoc is not None
        from yibao_desktop.services import export, keystore

        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        self.commit_pending()
        report, result = self.rdoc.report, self.rdoc.result
        try:
            export.check_mode(mode, result)
            creds = keystore.unit_credentials(password or "") if mode == "signed" else None
            seal = keystore.seal_bytes() if mode == "signed" else None
        except UserError as err:
            errors.show_error(self, "无法签名" if mode == "signed" else "不能导出正式版", str(err))
            return None
        kind = {"signed": "正式版（已签名）", "final": "正式版", "draft": "草稿"}[mode]
        return (Operation(self, "导出PDF", lambda progress: export.export_pdf(
            report, path, mode, creds=creds, seal=seal, result=result, progress=progress))
            .status(lambda out: f"已导出{kind}：{out.path}（{out.pages} 页）")
            .done(lambda out: errors.Done("PDF已导出", f"已导出{kind}，共 {out.pages} 页：", file=str(out.path)))
            .run_in_background())

    def on_package(self) -> None:
        if not self.rdoc:
            return
        from yibao_desktop.services.submission import package_name

        self.commit_pending()
        try:
            rules.refuse_final_if_errors(self.rdoc.result)
        except UserError:
            errors.show_error(self, "不能报送", f"报告还有 {len(self.rdoc.result.errors)} 项错误（见概览页），"
                                             "报送包只能包含正式版，请先消除错误。")
            return
        dialog = _dialogs("package_dialogs").PackageDialog(self, package_name(self.rdoc.report),
                                                           remembered.last_folder("package"))
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.package_to(dialog.folder.text().strip(), dialog.password.text())

    def package_to(self, dest: str, password: str) -> Task | None:
        """Write the submission package in a worker; the success message comes only after every
        file was read back from the stick and checked."""
        assert self.rdoc is not None
        from yibao_desktop.services import keystore, submission

        self.commit_pending()
        report = self.rdoc.report
        existing = submission.existing_package(dest, submission.package_name(report))
        if existing is not None and not errors.confirm(
                self, "覆盖已有的报送包？", f"{existing}。\n\n继续将用本次生成的报送包替换它，原有文件不能恢复。",
                yes="覆盖", no="取消"):
            return None
        try:
            place = submission.place_of(dest)  # the stick as chosen: checked again before writing
            rules.refuse_final_if_errors(self.rdoc.result)
            creds = keystore.unit_credentials(password)
            seal = keystore.seal_bytes()
            snapshot = self.rdoc.doc.snapshot()
        except UserError as err:
            errors.show_error(self, "无法生成报送包", str(err))
            return None

        def done(result) -> errors.Done:  # type: ignore[no-untyped-def]
            files = "\n".join(f"  {e['name']}（{e['size'] // 1024} KB）" for e in result.files)
            pdf = next((e["name"] for e in result.files if e["role"] == "report_pdf"), None)
            return errors.Done("报送包已生成",
                               f"已写入并逐一读回核对：\n{result.folder}\n\n{files}\n  manifest.json\n\n"
                               f"签名证书指纹：{result.fingerprint}\n现在可以安全地拔出U盘。",
                               file=str(result.folder / pdf) if pdf else None, folder=str(result.folder))

        return (Operation(self, "生成报送包", lambda progress: submission.make_package(
            report, snapshot, dest, creds, seal, progress=progress, place=place))
            .status(lambda result: f"报送包已写入：{result.folder}")
            .failure(lambda exc: errors.show_exception(self, "报送包未生成", exc))
            .success(lambda _result: remembered.remember_folder("package", dest))
            .done(done).run_in_background())

    # -- Excel -------------------------------------------------------------------------------------

    def on_import_excel(self) -> None:
        if not self.rdoc:
            return
        folder = remembered.start_folder("import", self.rdoc.path)
        path, _ = QFileDialog.getOpenFileName(self, "导入Excel（原文件不会被修改）", str(folder),
                                              "Excel 工作簿 (*.xlsx *.xlsm *.xls *.ods);;所有文件 (*)")
        if path:
            remembered.remember_folder("import", path)
            self.import_excel(path)

    def import_excel(self, path: str, mode: str | None = None) -> Task | None:
        """Read and plan in a worker, then preview; 导入 applies the plan as one undo step."""
        assert self.rdoc is not None
        from yibao_desktop.services import excel

        self.commit_pending()
        base = self.rdoc.report

        def job(progress):  # type: ignore[no-untyped-def]
            progress(10, "正在读取工作簿")
            return excel.plan_import(base, path, mode=mode)

        def planned(plan) -> None:  # type: ignore[no-untyped-def]
            def replan(dialog, modes):  # type: ignore[no-untyped-def]
                # A failure is told over the preview dialog, not behind it.
                return Operation(dialog, "重新读取Excel", lambda _p: excel.plan_import(base, path, mode=modes)).failure(
                    lambda exc: errors.show_exception(dialog, "无法按所选方式导入", exc)).run()

            dialog = _dialogs("excel_dialogs").ImportPreviewDialog(self, plan, replan)
            self.last_import_dialog = dialog
            if dialog.exec() == QDialog.DialogCode.Accepted:
                self.apply_import(dialog.plan)

        return (Operation(self, "读取Excel", job)
                .failure(lambda exc: errors.show_exception(self, "无法导入", exc))
                .success(planned).run_in_background())

    def apply_import(self, plan) -> bool:  # type: ignore[no-untyped-def]
        assert self.rdoc is not None
        if plan.problems or not plan.edits:
            return False
        if self.rdoc.report is not plan.base:
            errors.show_error(self, "无法导入", "预览之后报告已有改动，请重新导入。")
            return False
        if not self.rdoc.apply(list(plan.edits), f"导入Excel（{plan.summary().rstrip('。')}）"):
            return False
        self.show_status(f"已导入Excel：{plan.summary()}")
        errors.show_done(self, errors.Done("已导入Excel", f"{plan.summary()}\n\n"
                                                         "如需恢复导入前的内容，可用“编辑 › 撤销”（Ctrl+Z），一步即可。"))
        return True

    def on_export_excel(self) -> None:
        if not self.rdoc:
            return
        dialog = _dialogs("excel_dialogs").ExportExcelDialog(self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        choice = dialog.choice()
        from yibao_desktop.templates import default_title

        suffix = "数据" if choice == "data" else "自评表"
        folder = remembered.start_folder("export", self.rdoc.path)
        default = str(folder / f"{default_title(self.rdoc.report.meta)}_{suffix}.xlsx")
        path, _ = QFileDialog.getSaveFileName(self, "导出Excel", default, "Excel 工作簿 (*.xlsx)")
        if path:
            remembered.remember_folder("export", path)
            self.export_excel_to(path, choice)

    def export_excel_to(self, path: str, choice: str) -> Task:
        assert self.rdoc is not None
        from yibao_desktop.domain.forms import FORMS
        from yibao_desktop.services import excel

        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        self.commit_pending()
        report, result = self.rdoc.report, self.rdoc.result

        def job(progress):  # type: ignore[no-untyped-def]
            progress(20, "正在生成工作簿")
            if choice == "data":
                return excel.export_data(report, path)
            return excel.export_forms(report, path, FORMS if choice == "both" else (choice,), result)

        what = {"data": "数据工作簿", "project": "项目支出绩效自评表", "transfer": "区域绩效自评表"}.get(choice, "自评表")
        return (Operation(self, "导出Excel", job).status(lambda out: f"已导出：{out}")
                .done(lambda out: errors.Done("Excel已导出", f"已导出{what}：", file=str(out)))
                .run_in_background())

    def on_signing_settings(self) -> None:
        _dialogs("pdf_dialogs").SigningSettingsDialog(self, self.rdoc.report.meta.unit if self.rdoc else "").exec()

    # -- navigation ------------------------------------------------------------------------------

    def jump_to(self, where: str) -> None:
        """Show the cell a finding points at (`indicators[3].deviation_reason`, `funds.progress`…)."""
        if self.tabs is None:
            return
        m = WHERE_RE.match(where)
        if not m:
            return
        collection, index, field = m.group(1), m.group(2), m.group(3)
        row = int(index) if index is not None else None
        if collection == "indicators" and row is not None:
            column = next((i for i, c in enumerate(IND_COLUMNS) if c.field == field), IND_COL["三级指标"])
            target, view = ("评分", self.scoring.override_view) if field in ("score", "override_reason") else (
                "指标", self.indicators.view)
            if target == "指标" and view.isColumnHidden(column):
                target, view = "评分", self.scoring.override_view
            self._show_cell(target, view, row, column)
        elif collection in ("incomes", "expenditures") and row is not None:
            section = self.funds.incomes if collection == "incomes" else self.funds.expenditures
            column = next((i for i, c in enumerate(section.model.columns) if c.field == field), 0)
            self.funds.pages.setCurrentIndex(0)
            self._show_cell("资金", section.view, row, column)
        elif collection.startswith("fund_operation"):
            self.tabs.setCurrentIndex(TAB_NAMES.index("资金"))
            self.funds.show_fund_operation()
        elif collection.startswith("funds"):
            self.tabs.setCurrentIndex(TAB_NAMES.index("资金"))
            self.funds.pages.setCurrentIndex(0)
        elif collection.startswith("scoring") or collection in ("total_score",):
            self.tabs.setCurrentIndex(TAB_NAMES.index("评分"))
        elif collection == "narrative" and row is not None:
            self.tabs.setCurrentIndex(TAB_NAMES.index("报告文字"))
            self.text.select_section(row)

    def _show_cell(self, tab: str, view, row: int, column: int) -> None:  # type: ignore[no-untyped-def]
        assert self.tabs is not None
        self.tabs.setCurrentIndex(TAB_NAMES.index(tab))
        index = view.model().index(row, column)
        view.setCurrentIndex(index)
        view.scrollTo(index)
        view.setFocus()

    # -- the window on the screen ---------------------------------------------------------------

    def show_on_screen(self) -> None:
        """Show the window inside the screen's available area (never under the taskbar): as it
        was left last time, or at most 1366×768 and centred, maximized on a small screen."""
        store = settings()
        self.zoom.restore()  # the font size chosen last time
        saved = store.value("window/geometry")
        screen = self.screen() or QGuiApplication.primaryScreen()
        available = screen.availableGeometry()
        restored = isinstance(saved, QByteArray) and self.restoreGeometry(saved)
        if not restored or not available.contains(self.frameGeometry().center()):
            self.setGeometry(fit_rect(available, QSize(*DEFAULT_SIZE), FRAME_ALLOWANCE))
        if _truthy(store.value("window/maximized")) or (not restored and _small(available)):
            self.showMaximized()
        else:
            self.show()

    def _remember_geometry(self) -> None:
        store = settings()
        store.setValue("window/geometry", self.saveGeometry())
        store.setValue("window/maximized", self.isMaximized())

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.close_document()  # commits the open editor first
        self._remember_geometry()
        event.accept()


# ------------------------------------------------------------------------------------ start-up


DEFAULT_SIZE = (1366, 768)
FRAME_ALLOWANCE = QSize(16, 40)  # a title bar and borders around the client area


def _truthy(value: object) -> bool:
    return value is True or str(value).lower() == "true"


def _small(available: QRect) -> bool:
    return (available.width() < DEFAULT_SIZE[0] + FRAME_ALLOWANCE.width()
            or available.height() < DEFAULT_SIZE[1] + FRAME_ALLOWANCE.height())


def fit_rect(available: QRect, wanted: QSize, frame: QSize = QSize(0, 0)) -> QRect:
    """The client rectangle of a window of at most `wanted` whose frame fits `available`, centred."""
    width = min(wanted.width(), available.width() - frame.width())
    height = min(wanted.height(), available.height() - frame.height())
    rect = QRect(0, 0, max(width, 640), max(height, 400))
    rect.moveCenter(available.center())
    return rect


def run_gui(argv: Sequence[str]) -> int:
    qt_args = [sys.argv[0]]
    files: list[str] = []
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg == "-platform" and args:
            qt_args += [arg, args.pop(0)]
        elif not arg.startswith("-"):
            files.append(arg)
    app = QApplication.instance() or QApplication(qt_args)
    app.setApplicationName(APP_NAME)
    register_fonts(app)  # type: ignore[arg-type]
    install_chinese_translations(app)  # type: ignore[arg-type]
    errors.install_excepthook()
    window = MainWindow()
    if files:
        window.open_path(files[0])
    elif "--demo" in argv:  # `make run`: the demo, as 打开示例 makes it
        window.on_open_demo()
    else:
        window.reopen_last()
    window.show_on_screen()
    settle()  # start-up's objects live as long as the window: later collections skip them
    if os.environ.get("YIBAO_EXIT_AFTER_SHOW"):
        app.processEvents()
        window.close()
        return 0
    return app.exec()
