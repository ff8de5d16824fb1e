"""报送到U盘… and 核验报送包…: the window's side of the submission package."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QStorageInfo, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from yibao_desktop.ui import errors
from yibao_desktop.ui.pdf_dialogs import path_row


@dataclass(frozen=True)
class Drive:
    root: str
    name: str
    free: int
    removable: bool
    read_only: bool

    def label(self) -> str:
        kind = "U盘/移动磁盘" if self.removable else "本地磁盘"
        state = "（只读，不能写入）" if self.read_only else f"可用 {self.free / 1073741824:.1f} GB"
        name = f"{self.name}（{self.root}）" if self.name and self.name != self.root else self.root
        return f"{kind}　{name}　{state}"


def _is_removable(info: QStorageInfo) -> bool:
    root = info.rootPath()
    if sys.platform == "win32":
        import ctypes

        return ctypes.windll.kernel32.GetDriveTypeW(root) == 2  # DRIVE_REMOVABLE
    device = bytes(info.device()).decode(errors="ignore")
    if device.startswith("/dev/"):
        name = device[5:].rstrip("0123456789")
        if name.startswith("nvme") or name.startswith("mmcblk"):
            name = name.rstrip("p")
        flag = Path("/sys/block") / name / "removable"
        try:
            if flag.read_text().strip() == "1":
                return True
        except OSError:
            pass
    return root.startswith(("/media/", "/run/media/"))


def list_drives() -> list[Drive]:
    """Mounted volumes, removable ones first (QStorageInfo: removable, writable, free space)."""
    drives = []
    for info in QStorageInfo.mountedVolumes():
        if not info.isValid() or not info.isReady():
            continue
        fs = bytes(info.fileSystemType()).decode(errors="ignore")
        if fs in ("proc", "sysfs", "tmpfs", "devtmpfs", "overlay", "squashfs", "cgroup2", "devpts") and not \
                info.rootPath().startswith(("/media/", "/run/media/")):
            continue
        drives.append(Drive(info.rootPath(), info.displayName(), info.bytesAvailable(), _is_removable(info),
                            info.isReadOnly()))
    drives.sort(key=lambda d: (not d.removable, d.read_only, d.root))
    return drives


class PackageDialog(QDialog):
    """Pick the stick (or any folder) and the certificate password."""

    def __init__(self, parent: QWidget | None, package_name: str):
        super().__init__(parent)
        self.setWindowTitle("报送到U盘")
        self.resize(640, 440)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"将生成文件夹「{package_name}」，内含：签名的正式版PDF、自评表（Excel）、报告文件副本和清单。"))
        layout.addWidget(QLabel("<b>选择U盘或文件夹：</b>"))
        self.drives = QListWidget()
        for drive in list_drives():
            item = QListWidgetItem(drive.label())
            item.setData(Qt.ItemDataRole.UserRole, drive.root)
            if drive.read_only:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.drives.addItem(item)
        self.drives.currentItemChanged.connect(self._on_drive_changed)
        layout.addWidget(self.drives, 1)
        row, self.folder = path_row("目标文件夹", "选择其他文件夹…", self._on_choose_folder)
        layout.addLayout(row)
        form = QFormLayout()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("单位证书密码", self.password)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("生成报送包")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self._on_accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        first = next((i for i in range(self.drives.count())
                      if self.drives.item(i).flags() & Qt.ItemFlag.ItemIsEnabled), None)
        if first is not None:
            self.drives.setCurrentRow(first)

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
        self.accept()


class VerifyPackageDialog(QDialog):
    """核验报送包: each check with its verdict."""

    def __init__(self, parent: QWidget | None):
        super().__init__(parent)
        self.setWindowTitle("核验报送包")
        self.resize(760, 480)
        layout = QVBoxLayout(self)
        row, self.folder = path_row("报送包文件夹（含 manifest.json）", "选择文件夹…", self._on_choose)
        layout.addLayout(row)
        layout.addWidget(QLabel("<span style='color:#5a6472'>受信任的证书在“导出 › 核验PDF签名…”中添加；本单位证书自动受信任。</span>"))
        self.result = QPlainTextEdit()
        self.result.setReadOnly(True)
        layout.addWidget(self.result, 1)

    def _on_choose(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择报送包文件夹", str(Path.home()))
        if folder:
            self.folder.setText(folder)
            self.verify(folder)

    def verify(self, folder: str) -> bool:
        from yibao_desktop.services.submission import format_checks, verify_package

        checks = verify_package(folder)
        self.result.setPlainText(format_checks(checks))
        ok = all(c.ok for c in checks)
        self.result.setStyleSheet(f"color: {'#1e7d32' if ok else '#c0392b'};")
        return ok
