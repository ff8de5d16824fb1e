"""导出 › 汇总多个报送包…: the receiving side as one flow. Pick folders (a USB stick's root, package
folders) or .yibao files → each package's verdict appears as it is checked (the service reports
every outcome from its worker; the window only shows them) → 保存汇总… writes the workbook and,
optionally, the PDF. Both long steps run through `Operation`, off the GUI thread."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from yibao_desktop.domain.aggregate import (
    VERDICT_DUPLICATE,
    VERDICT_DUPLICATE_OF_SIGNED,
    VERDICT_FAILED,
    Entry,
    Failure,
    Summary,
)
from yibao_desktop.domain.aggregate_forms import counts_line
from yibao_desktop.ui import errors
from yibao_desktop.ui.operations import Operation
from yibao_desktop.ui.workers import Task

COLUMNS = ("单位", "资金类型", "年度", "核验结果", "说明")
GREEN, ORANGE, RED, GREY = "#1e7d32", "#b26a00", "#c0392b", "#7f8c8d"


class _Bridge(QObject):
    """Carries each outcome from the worker thread to the GUI thread (queued connection)."""

    checked = Signal(object)


def _colour(verdict: str, entry: Entry | None) -> str:
    if verdict == VERDICT_FAILED:
        return RED
    if verdict in (VERDICT_DUPLICATE, VERDICT_DUPLICATE_OF_SIGNED):
        return GREY
    return GREEN if entry is not None and entry.signed and entry.trusted else ORANGE


class AggregateDialog(QDialog):
    def __init__(self, parent: QWidget | None, workers: int | None = None):
        super().__init__(parent)
        self.setWindowTitle("汇总多个报送包")
        self.resize(980, 620)
        self.workers = workers
        self.summary: Summary | None = None
        self.task: Task | None = None
        self._bridge = _Bridge(self)
        self._bridge.checked.connect(self._on_outcome_checked)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("选择U盘根目录、报送包文件夹或 .yibao 报告文件：逐个核验（文件完整、签名、PDF 与报告文件一致），"
                                "通过核验的按资金类型和年度汇总。"))
        row = QHBoxLayout()
        self.inputs = QListWidget()
        self.inputs.setMaximumHeight(96)
        row.addWidget(self.inputs, 1)
        buttons = QVBoxLayout()
        for text, slot in (("添加文件夹…", self._on_add_folder), ("添加报告文件…", self._on_add_files),
                           ("移除", self._on_remove)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        row.addLayout(buttons)
        layout.addLayout(row)
        layout.addWidget(QLabel("<span style='color:#5a6472'>受信任的证书在“导出 › 核验PDF签名…”中添加；本单位证书自动受信任。"
                                "直接选择的 .yibao 报告文件没有签名，计入汇总时标为“未签名”。</span>"))

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        modes = (QHeaderView.ResizeMode.Interactive,) + (QHeaderView.ResizeMode.ResizeToContents,) * 3 + (
            QHeaderView.ResizeMode.Stretch,)
        for col, mode in enumerate(modes):
            header.setSectionResizeMode(col, mode)
        self.table.setColumnWidth(0, 190)  # a failure's label is long: elided, whole in the tooltip
        layout.addWidget(self.table, 1)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        bottom = QHBoxLayout()
        self.check_button = QPushButton("重新核验")
        self.check_button.clicked.connect(self.check)
        bottom.addWidget(self.check_button)
        bottom.addStretch(1)
        self.with_pdf = QCheckBox("同时保存汇总PDF")
        self.with_pdf.setChecked(True)
        bottom.addWidget(self.with_pdf)
        self.save_button = QPushButton("保存汇总…")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self._on_save)
        bottom.addWidget(self.save_button)
        close = QPushButton("关闭")
        close.clicked.connect(self.reject)
        bottom.addWidget(close)
        layout.addLayout(bottom)

    # -- inputs

    def paths(self) -> list[str]:
        return [self.inputs.item(i).text() for i in range(self.inputs.count())]

    def add_paths(self, paths: list[str], check: bool = True) -> Task | None:
        """Add inputs (once each) and check everything again."""
        known = set(self.paths())
        for path in paths:
            if path and path not in known:
                self.inputs.addItem(path)
                known.add(path)
        return self.check() if check else None

    def _on_add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择U盘根目录或报送包文件夹", str(Path.home()))
        if folder:
            self.add_paths([folder])

    def _on_add_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "选择报告文件", str(Path.home()),
                                                "医保绩效自评报告 (*.yibao);;所有文件 (*)")
        if files:
            self.add_paths(files)

    def _on_remove(self) -> None:
        for item in self.inputs.selectedItems():
            self.inputs.takeItem(self.inputs.row(item))

    # -- checking

    def check(self) -> Task | None:
        from yibao_desktop.services import aggregate

        paths = self.paths()
        if not paths:
            errors.show_error(self, "请选择报送包", "请先添加U盘根目录、报送包文件夹或 .yibao 报告文件。")
            return None
        self.summary = None
        self.save_button.setEnabled(False)
        self.table.setRowCount(0)
        self.status.setText("正在核验……")
        checked = self._bridge.checked
        workers = self.workers

        def job(progress: Any) -> Summary:
            return aggregate.aggregate(paths, workers=workers, progress=progress,
                                       on_result=lambda _done, _total, outcome: checked.emit(outcome))

        self.task = (Operation(self, "核验报送包", job)
                     .success(self._on_all_checked)
                     .failure(self._on_check_failed)
                     .run_in_background())
        return self.task

    def _add_row(self, cells: tuple[str, ...], colour: str, tip: str = "") -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for col, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if col == 3:
                item.setForeground(QBrush(QColor(colour)))
            if tip:
                item.setToolTip(tip)
            self.table.setItem(row, col, item)

    def _row_of(self, outcome: Entry | Failure, verdict: str | None = None) -> None:
        if isinstance(outcome, Failure):
            self._add_row((outcome.label or outcome.name, "", "", VERDICT_FAILED, outcome.reason.replace("\n", "；")),
                          RED, outcome.source)
            return
        verdict = verdict or outcome.verdict
        note = outcome.source if not outcome.signer else f"签名人 {outcome.signer}（{outcome.signer_unit}）　{outcome.source}"
        self._add_row((outcome.unit, outcome.fund_label, str(outcome.year), verdict, note),
                      _colour(verdict, outcome), outcome.source)

    def _on_outcome_checked(self, outcome: Entry | Failure) -> None:
        """A verdict as it comes (before duplicates are known)."""
        self._row_of(outcome)

    def _on_all_checked(self, summary: Summary) -> None:
        """The final list: counted, then superseded, then failed."""
        self.summary = summary
        self.table.setRowCount(0)
        for group in summary.groups:
            for entry in group.entries:
                self._row_of(entry)
            for dup in group.superseded:
                self._row_of(dup.entry, dup.verdict)
        for failure in summary.failures:
            self._row_of(failure)
        self.status.setText(counts_line(summary) + "。")
        self.save_button.setEnabled(bool(summary.groups or summary.failures))

    def _on_check_failed(self, exc: BaseException) -> None:
        self.status.setText("")
        errors.show_exception(self, "核验报送包未完成", exc)

    # -- saving

    def _on_save(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "保存汇总表", str(Path.home() / "报送包汇总.xlsx"),
                                              "Excel 工作簿 (*.xlsx)")
        if not path:
            return
        out = Path(path) if path.lower().endswith(".xlsx") else Path(path + ".xlsx")
        self.save_to(str(out), str(out.with_suffix(".pdf")) if self.with_pdf.isChecked() else None)

    def save_to(self, workbook: str, pdf: str | None = None) -> Task | None:
        from yibao_desktop.services import aggregate

        summary = self.summary
        if summary is None:
            return None

        def saved(written: Any) -> None:
            names = [str(written.workbook)] + ([str(written.pdf)] if written.pdf else [])
            self.status.setText(f"{counts_line(summary)}。已保存：{'、'.join(names)}")

        self.task = (Operation(self, "保存汇总", lambda progress: aggregate.save(summary, workbook, pdf, progress))
                     .success(saved)
                     .run_in_background())
        return self.task

    def show_status(self, message: str) -> None:
        self.status.setText(message)
