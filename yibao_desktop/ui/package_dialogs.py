"""报送到U盘… and 核验报送包…: the window's side of the submission package."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStorageInfo, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from yibao_desktop.domain.errors import UserError
from yibao_desktop.drives import Drive, is_removable, preselect
from yibao_desktop.services import keystore
from yibao_desktop.ui import errors
from yibao_desktop.ui.pdf_dialogs import close_row, path_row


def list_drives() -> list[Drive]:
    """Mounted volumes, removable ones first (QStorageInfo: removable, writable, free space)."""
    drives = []
    for info in QStorageInfo.mountedVolumes():
        if not info.isValid() or not info.isReady():
            continue
        fs = bytes(info.fileSystemType()).decode(errors="ignore")
        removable = is_removable(info.rootPath())
        if fs in ("proc", "sysfs", "tmpfs", "devtmpfs", "overlay", "squashfs", "cgroup2", "devpts") and not removable:
            continue
        drives.append(Drive(info.rootPath(), info.displayName(), info.bytesAvailable(), removable, info.isReadOnly()))
    drives.sort(key=lambda d: (not d.removable, d.read_only, d.root))
    return drives


class PackageDialog(QDialog):
    """Pick the stick (or any folder) and the certificate password. Only a stick, or the folder
    used last time, is chosen in advance: never a local disk."""

    def __init__(self, parent: QWidget | None, package_name: str, last_folder: str | Path | None = None,
                 drives: list[Drive] | None = None):
        super().__init__(parent)
        self.setWindowTitle("报送到U盘")
        self.resize(640, 440)
        self.last_folder = str(last_folder) if last_folder else None
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"将生成文件夹「{package_name}」，内含：签名的正式版PDF、自评表（Excel）、报告文件副本、佐证材料和清单。"))
        head = QHBoxLayout()
        head.addWidget(QLabel("<b>选择U盘或文件夹：</b>"))
        head.addStretch(1)
        refresh = QPushButton("刷新")
        refresh.setToolTip("插入U盘后点此重新列出")
        refresh.setAutoDefault(False)
        refresh.clicked.connect(lambda: self.fill_drives())
        head.addWidget(refresh)
        layout.addLayout(head)
        self.drives = QListWidget()
        self.drives.currentItemChanged.connect(self._on_drive_changed)
        layout.addWidget(self.drives, 1)
        self.hint = QLabel()
        self.hint.setStyleSheet("color: #9a6700;")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        row, self.folder = path_row("目标文件夹", "选择其他文件夹…", self._on_choose_folder)
        layout.addLayout(row)
        form = QFormLayout()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("单位证书密码", self.password)
        layout.addLayout(form)
        self.message = QLabel()
        self.message.setStyleSheet("color: #c0392b;")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("生成报送包")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self._on_accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.fill_drives(drives)

    def fill_drives(self, drives: list[Drive] | None = None) -> None:
        """List the volumes (sticks first) and choose the stick or the last folder in advance."""
        found = list_drives() if drives is None else drives
        self.drives.blockSignals(True)
        self.drives.clear()
        for drive in found:
            item = QListWidgetItem(drive.label())
            item.setData(Qt.ItemDataRole.UserRole, drive.root)
            if drive.read_only:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.drives.addItem(item)
        self.drives.setCurrentRow(-1)
        self.drives.blockSignals(False)
        choice = preselect(found, self.last_folder)
        row = next((i for i, d in enumerate(found) if d.root == choice), None)
        if row is not None:
            self.drives.setCurrentRow(row)
        else:
            self.folder.setText(choice or "")
        if not any(d.removable and not d.read_only for d in found):
            self.hint.setText("没有发现U盘。请插入U盘后点“刷新”，或点“选择其他文件夹…”。")
        else:
            self.hint.setText("")

    def _on_drive_changed(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.folder.setText(item.data(Qt.ItemDataRole.UserRole))

    def _on_choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择目标文件夹", self.folder.text() or str(Path.home()))
        if folder:
            self.folder.setText(folder)

    def _on_accept(self) -> None:
        if not self.folder.text().strip():
            errors.show_error(self, "请选择目标", "请选择U盘或目标文件夹。")
            return
        try:  # a wrong password is told here, and the dialog keeps what was chosen and typed
            keystore.unit_credentials(self.password.text())
        except UserError as err:
            self.message.setText(str(err))
            self.password.selectAll()
            self.password.setFocus()
            return
        self.message.setText("")
        self.accept()


class VerifyPackageDialog(QDialog):
    """核验报送包: a package folder, or a stick's root holding several packages; each check with its
    verdict. Enter (or 核验) verifies what is typed; 选择文件夹… picks a folder and verifies it."""

    def __init__(self, parent: QWidget | None, start: str | Path | None = None):
        super().__init__(parent)
        self.setWindowTitle("核验报送包")
        self.resize(760, 520)
        self.start = str(start) if start else str(Path.home())
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("选择报送包文件夹（含 manifest.json），或存放报送包的U盘根目录（逐个核验其中的报送包）："))
        row, self.folder = path_row("报送包文件夹或U盘根目录", "选择文件夹…", self._on_choose)
        self.choose_button = row.itemAt(1).widget()
        self.choose_button.setAutoDefault(False)
        self.verify_button = QPushButton("核验")
        self.verify_button.setDefault(True)
        self.verify_button.clicked.connect(self._on_verify_clicked)
        row.addWidget(self.verify_button)
        layout.addLayout(row)
        layout.addWidget(QLabel("<span style='color:#5a6472'>受信任的证书在“导出 › 核验PDF签名…”中添加；本单位证书自动受信任。</span>"))
        self.result = QPlainTextEdit()
        self.result.setReadOnly(True)
        layout.addWidget(self.result, 1)
        self.close_button = close_row(self, layout)

    def _on_verify_clicked(self) -> None:
        folder = self.folder.text().strip()
        if not folder:
            self.result.setStyleSheet("")
            self.result.setPlainText("请先填写或选择报送包文件夹。")
            return
        self.verify(folder)

    def _on_choose(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择报送包文件夹或U盘根目录", self.folder.text() or self.start)
        if folder:
            self.folder.setText(folder)
            self.verify(folder)

    def verify(self, folder: str) -> bool:
        from yibao_desktop.services.submission import format_many, verify_folder

        if not Path(folder).is_dir():
            self.result.setStyleSheet("color: #c0392b;")
            self.result.setPlainText(f"文件夹「{folder}」不存在（U盘可能已拔出）。")
            return False
        results = verify_folder(folder)
        self.result.setPlainText(format_many(results))
        ok = all(c.ok for _package, checks in results for c in checks)
        self.result.setStyleSheet(f"color: {'#1e7d32' if ok else '#c0392b'};")
        return ok
