"""佐证材料: the files attached to the report and to its indicators. Add (to the report or to the
chosen indicator), open, save a copy and remove, each an undo step; the work is in
services/evidence.py."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from yibao_desktop.domain import formatting as fmt
from yibao_desktop.domain.errors import UserError
from yibao_desktop.domain.forms import SHA_SHOWN
from yibao_desktop.domain.report import EVIDENCE_SUFFIXES, Attachment
from yibao_desktop.services import evidence
from yibao_desktop.ui import errors
from yibao_desktop.ui.document import ReportDocument

HEADERS = ("序号", "文件名", "大小", "所属指标", f"SHA-256（前 {SHA_SHOWN} 位）")
FILE_FILTER = "佐证材料 (" + " ".join(f"*{s}" for s in EVIDENCE_SUFFIXES) + ")"


class EvidenceTab(QWidget):
    def __init__(self, rdoc: ReportDocument):
        super().__init__()
        self.rdoc = rdoc
        layout = QVBoxLayout(self)
        intro = QLabel("佐证材料（PDF、图片、Excel、Word，单个不超过 20 MB）保存在报告文件内，随报送包一并报送，"
                       "并列入PDF报告的附件“佐证材料清单”。")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QHBoxLayout()
        row.addWidget(QLabel("附到："))
        self.target = QComboBox()
        self.target.setMinimumWidth(360)
        row.addWidget(self.target, 1)
        self.add_button = QPushButton("添加佐证材料…")
        self.add_button.clicked.connect(self._on_add_clicked)
        row.addWidget(self.add_button)
        layout.addLayout(row)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 50), (2, 90), (4, 200)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, width)
        self.table.doubleClicked.connect(lambda _: self._on_open_clicked())
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.open_button = QPushButton("打开")
        self.save_button = QPushButton("另存为…")
        self.remove_button = QPushButton("移除")
        for button, slot in ((self.open_button, self._on_open_clicked), (self.save_button, self._on_save_clicked),
                             (self.remove_button, self._on_remove_clicked)):
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.summary = QLabel()
        buttons.addWidget(self.summary)
        layout.addLayout(buttons)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        rdoc.changed.connect(self.refresh)
        self.refresh()

    # -- state ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        report = self.rdoc.report
        chosen = self.target.currentData()
        self.target.blockSignals(True)
        self.target.clear()
        self.target.addItem("报告整体", None)
        for i, ind in enumerate(report.indicators):
            self.target.addItem(f"指标 {i + 1}：{ind.name or '（未命名）'}", i)
        found = self.target.findData(chosen)
        self.target.setCurrentIndex(max(0, found))
        self.target.blockSignals(False)
        rows = report.attachments()
        self.table.setRowCount(len(rows))
        for r, (attachment, index) in enumerate(rows):
            values = (str(r + 1), attachment.name, fmt.file_size(attachment.size),
                      evidence.target_label(report, index), attachment.sha256[:SHA_SHOWN])
            for c, text in enumerate(values):
                item = QTableWidgetItem(text)
                if c in (0, 2, 4):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setToolTip(f"{attachment.name}\nSHA-256：{attachment.sha256}" if c in (1, 4) else text)
                self.table.setItem(r, c, item)
        total = sum(a.size for a, _ in rows)
        self.summary.setText(f"共 {len(rows)} 份，{fmt.file_size(total)}" if rows else "尚未添加佐证材料")
        self.add_button.setEnabled(not self.rdoc.doc.read_only)
        self._update_buttons()

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        self.open_button.setEnabled(chosen)
        self.save_button.setEnabled(chosen)
        self.remove_button.setEnabled(chosen and not self.rdoc.doc.read_only)

    def selected(self) -> tuple[int, Attachment, int | None] | None:
        """(row in the list, the file, its indicator or None) of the selected row."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        r = rows[0].row()
        attachment, index = self.rdoc.report.attachments()[r]
        return r, attachment, index

    # -- actions -------------------------------------------------------------------------------

    def add_file(self, path: str, indicator: int | None) -> bool:
        """Attach the file at `path` to the report (None) or an indicator row, as one undo step."""
        report = self.rdoc.report
        try:
            item = evidence.read_file(path)
            edits = evidence.attach_edits(report, item.attachment, indicator)
        except UserError as err:
            errors.show_error(self, "不能添加佐证材料", str(err))
            return False
        where = evidence.target_label(report, indicator)
        return self.rdoc.apply(edits, f"添加佐证材料「{item.attachment.name}」到「{where}」",
                               blobs={item.attachment.sha256: item.data})

    def remove_selected(self) -> bool:
        chosen = self.selected()
        if chosen is None:
            return False
        attachment, edits = evidence.remove_listed(self.rdoc.report, chosen[0])
        return self.rdoc.apply(edits, f"移除佐证材料「{attachment.name}」")

    def _on_add_clicked(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "添加佐证材料", str(self.rdoc.path.parent), FILE_FILTER)
        indicator = self.target.currentData()
        for path in paths:
            if not self.add_file(path, indicator):
                break

    def _on_open_clicked(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        try:
            copy = evidence.open_copy(self.rdoc.doc, chosen[1])
        except UserError as err:
            errors.show_error(self, "无法打开佐证材料", str(err))
            return
        errors.open_file(str(copy))

    def _on_save_clicked(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        attachment = chosen[1]
        dest, _ = QFileDialog.getSaveFileName(self, "另存佐证材料", str(self.rdoc.path.parent / attachment.name))
        if not dest:
            return
        try:
            out = evidence.save_copy(self.rdoc.doc, attachment, dest)
        except UserError as err:
            errors.show_error(self, "无法保存佐证材料", str(err))
            return
        errors.show_info(self, "已保存", f"佐证材料已另存为：\n{out}")

    def _on_remove_clicked(self) -> None:
        self.remove_selected()

