"""导出PDF…, 签名设置… and 核验PDF签名…: the window's side of the signed PDF report."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from yibao_desktop.domain.errors import UserError
from yibao_desktop.services import keystore
from yibao_desktop.ui import errors

UNIT_SAMPLE = "某某省某某市某某自治州某某县医疗保障局"  # a long unit name: certificate fields show it whole


def path_row(placeholder: str, button_text: str, on_choose) -> tuple[QHBoxLayout, QLineEdit]:  # type: ignore[no-untyped-def]
    """A line edit for a path with a 选择… button beside it."""
    row = QHBoxLayout()
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    row.addWidget(edit, 1)
    button = QPushButton(button_text)
    button.clicked.connect(on_choose)
    row.addWidget(button)
    return row, edit


class PasswordDialog(QDialog):
    def __init__(self, parent: QWidget | None, prompt: str, confirm: bool = False):
        super().__init__(parent)
        self.setWindowTitle("证书密码")
        form = QFormLayout(self)
        form.addRow(QLabel(prompt))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("密码", self.password)
        self.again = QLineEdit()
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        if confirm:
            form.addRow("再次输入", self.again)
        self.confirm = confirm
        self.message = QLabel()
        self.message.setStyleSheet("color: #c0392b;")
        form.addRow(self.message)
        buttons = _ok_cancel(self._on_accept, self.reject)
        form.addRow(buttons)

    def _on_accept(self) -> None:
        if self.confirm and self.password.text() != self.again.text():
            self.message.setText("两次输入的密码不一致")
            return
        self.accept()


def close_row(dialog: QDialog, layout: QVBoxLayout) -> QPushButton:
    """A 关闭 button at the bottom of `dialog`; Enter never presses it (Enter is for the dialog's
    own default button, such as 核验)."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    button = buttons.button(QDialogButtonBox.StandardButton.Close)
    button.setText("关闭")
    button.setAutoDefault(False)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    return button


def _ok_cancel(on_ok, on_cancel, ok_text: str = "确定") -> QDialogButtonBox:  # type: ignore[no-untyped-def]
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
    buttons.accepted.connect(on_ok)
    buttons.rejected.connect(on_cancel)
    return buttons


class ExportPdfDialog(QDialog):
    """Choose 正式版（签名）, 正式版（不签名） or 草稿."""

    MODES = (("signed", "正式版，并用单位证书签名"), ("final", "正式版（不签名）"), ("draft", "草稿（带“草稿”水印）"))

    SHOWN_WARNINGS = 8

    def __init__(self, parent: QWidget | None, errors_count: int, warnings: Sequence[str] = ()):
        """`warnings` are told before a 正式版 is made (stale figures in the text first): a signed
        report cannot be corrected afterwards."""
        super().__init__(parent)
        self.setWindowTitle("导出PDF")
        layout = QVBoxLayout(self)
        self.group = QButtonGroup(self)
        has_cert = keystore.unit_certificate() is not None
        for i, (key, label) in enumerate(self.MODES):
            radio = QRadioButton(label)
            radio.setProperty("mode", key)
            self.group.addButton(radio, i)
            layout.addWidget(radio)
            if key == "signed" and not has_cert:
                radio.setEnabled(False)
                radio.setText(label + "（尚未设置单位证书，见“签名设置…”）")
        default = "draft" if errors_count else ("signed" if has_cert else "final")
        for button in self.group.buttons():
            button.setChecked(button.property("mode") == default)
        if errors_count:
            note = QLabel(f"报告还有 {errors_count} 项错误（见概览页），只能导出草稿；消除错误后才能导出正式版。")
            note.setWordWrap(True)
            note.setStyleSheet("color: #c0392b;")
            layout.addWidget(note)
        self.warnings = QLabel()
        self.warnings.setObjectName("warnings")
        self.warnings.setWordWrap(True)
        self.warnings.setTextFormat(Qt.TextFormat.PlainText)
        self.warnings.setStyleSheet("color: #9a6700;")
        if warnings and not errors_count:
            shown = list(warnings[: self.SHOWN_WARNINGS])
            more = len(warnings) - len(shown)
            self.warnings.setText(f"签名或定稿前请核对以下 {len(warnings)} 项警告（正式版导出后不能再改）：\n"
                                  + "\n".join(f"• {w}" for w in shown)
                                  + (f"\n……另有 {more} 项，见概览页。" if more > 0 else ""))
            layout.addWidget(self.warnings)
        layout.addWidget(_ok_cancel(self.accept, self.reject, "下一步：选择保存位置"))

    def mode(self) -> str:
        return self.group.checkedButton().property("mode")


class SigningSettingsDialog(QDialog):
    """Create or import the unit certificate, export its public part, choose the seal image."""

    def __init__(self, parent: QWidget | None, unit: str = ""):
        super().__init__(parent)
        self.setWindowTitle("签名设置")
        self.resize(620, 380)
        self.unit = unit
        layout = QVBoxLayout(self)
        self.info = QLabel()
        self.info.setWordWrap(True)
        layout.addWidget(self.info)
        row = QHBoxLayout()
        for label, slot in (("新建单位证书…", self._on_create), ("导入证书（.p12/.pfx）…", self._on_import),
                            ("导出公钥证书（.cer）…", self._on_export)):
            button = QPushButton(label)
            button.clicked.connect(slot)
            row.addWidget(button)
        layout.addLayout(row)
        self.seal = QLabel()
        layout.addWidget(self.seal)
        seal_row = QHBoxLayout()
        for label, slot in (("选择印章图片（PNG）…", self._on_choose_seal), ("不使用印章", self._on_clear_seal)):
            button = QPushButton(label)
            button.clicked.connect(slot)
            seal_row.addWidget(button)
        layout.addLayout(seal_row)
        layout.addStretch(1)
        note = QLabel("<span style='color:#5a6472'>证书保存在本机用户数据文件夹中，卸载程序不会删除。请把公钥证书（.cer）"
                      "交给接收报告的上级部门，用于核验签名。</span>")
        note.setWordWrap(True)
        layout.addWidget(note)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        self.refresh()

    def refresh(self) -> None:
        info = keystore.unit_certificate()
        self.info.setText(("<b>当前单位证书</b><br>" + info.describe().replace("\n", "<br>")) if info
                          else "<b>尚未设置单位证书。</b>可以新建一个（自签名），或导入已有的 .p12/.pfx 证书。")
        self.seal.setText(f"印章图片：{'已设置' if keystore.seal_path().is_file() else '未设置（签名处只显示文字签章）'}")

    def create(self, unit: str, signer: str, password: str) -> None:
        keystore.create_certificate(unit, signer, password, overwrite=True)
        self.refresh()

    def _on_create(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle("新建单位证书")
        form = QFormLayout(dialog)
        unit = QLineEdit(self.unit)
        unit.setMinimumWidth(unit.fontMetrics().horizontalAdvance(max(self.unit, UNIT_SAMPLE, key=len)) + 24)
        signer = QLineEdit()
        password = QLineEdit()
        password.setEchoMode(QLineEdit.EchoMode.Password)
        again = QLineEdit()
        again.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("单位名称", unit)
        form.addRow("签名人", signer)
        form.addRow("证书密码（至少6位）", password)
        form.addRow("再次输入密码", again)
        form.addRow(_ok_cancel(dialog.accept, dialog.reject, "创建"))
        if keystore.unit_certificate() is not None:
            form.insertRow(0, QLabel("<span style='color:#c0392b'>新证书将替换当前证书；已签名的文件不受影响。</span>"))
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        if password.text() != again.text():
            errors.show_error(self, "无法创建证书", "两次输入的密码不一致，证书未创建。")
            return
        try:
            self.create(unit.text(), signer.text(), password.text())
        except UserError as err:
            errors.show_error(self, "无法创建证书", str(err))

    def _on_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "导入证书", str(Path.home()), "证书 (*.p12 *.pfx);;所有文件 (*)")
        if not path:
            return
        dialog = PasswordDialog(self, f"请输入证书「{Path(path).name}」的密码：")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            keystore.import_certificate(path, dialog.password.text())
        except UserError as err:
            errors.show_error(self, "无法导入证书", str(err))
            return
        self.refresh()

    def _on_export(self) -> None:
        if keystore.unit_certificate() is None:
            errors.show_error(self, "无法导出", "尚未设置单位证书。")
            return
        path, _ = QFileDialog.getSaveFileName(self, "导出公钥证书", str(Path.home() / f"{self.unit or '单位'}-公钥证书.cer"),
                                              "证书 (*.cer)")
        if not path:
            return
        try:
            keystore.export_certificate(path)
        except UserError as err:
            errors.show_error(self, "无法导出", str(err))

    def _on_choose_seal(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择印章图片", str(Path.home()), "PNG 图片 (*.png)")
        if not path:
            return
        try:
            keystore.set_seal(path)
        except UserError as err:
            errors.show_error(self, "无法使用该图片", str(err))
        self.refresh()

    def _on_clear_seal(self) -> None:
        keystore.clear_seal()
        self.refresh()


class VerifyDialog(QDialog):
    """核验PDF签名: intact or altered, the signer, trusted or not."""

    def __init__(self, parent: QWidget | None):
        super().__init__(parent)
        self.setWindowTitle("核验PDF签名")
        self.resize(720, 480)
        layout = QVBoxLayout(self)
        row, self.path = path_row("选择要核验的 PDF 文件", "选择PDF…", self._on_choose)
        layout.addLayout(row)
        layout.addWidget(QLabel("受信任的证书（报送单位提供的公钥证书 .cer）："))
        self.trusted = QListWidget()
        self.trusted.setMaximumHeight(90)
        layout.addWidget(self.trusted)
        add = QPushButton("添加受信任证书…")
        add.setAutoDefault(False)
        add.clicked.connect(self._on_add_trusted)
        layout.addWidget(add)
        row.itemAt(1).widget().setAutoDefault(False)  # 选择PDF…: Enter verifies, it does not browse
        self.verify_button = QPushButton("核验")
        self.verify_button.setDefault(True)
        self.verify_button.clicked.connect(lambda: self.verify(self.path.text().strip()))
        layout.addWidget(self.verify_button)
        self.result = QPlainTextEdit()
        self.result.setReadOnly(True)
        layout.addWidget(self.result, 1)
        self.close_button = close_row(self, layout)
        self._refresh_trusted()

    def _refresh_trusted(self) -> None:
        from yibao_desktop.exchange.signing import CertificateInfo

        self.trusted.clear()
        for cert, _path in keystore.trust_list():
            info = CertificateInfo.of(cert)
            self.trusted.addItem(f"{info.unit}　{info.signer}　{info.fingerprint[:23]}…")
        own = keystore.unit_certificate()
        if own is not None:
            self.trusted.addItem(f"本单位证书：{own.unit}　{own.signer}")

    def add_trusted(self, path: str) -> None:
        keystore.add_trusted(path)
        self._refresh_trusted()

    def _on_add_trusted(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "添加受信任证书", str(Path.home()), "证书 (*.cer *.crt *.pem)")
        if path:
            try:
                self.add_trusted(path)
            except UserError as err:
                errors.show_error(self, "无法添加证书", str(err))

    def _on_choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择PDF", str(Path.home()), "PDF 文件 (*.pdf)")
        if path:
            self.path.setText(path)
            self.verify(path)

    def verify(self, path: str) -> int:
        """Verify and show the verdict; returns the CLI's exit code (0 trusted, 1 altered, 2 untrusted)."""
        from yibao_desktop.exchange.signing import format_verification

        if not path:
            self.result.setStyleSheet("")
            self.result.setPlainText("请先填写或选择要核验的 PDF 文件。")
            return 1
        result = keystore.verify_pdf(path)
        self.result.setPlainText(format_verification(result))
        color = "#1e7d32" if result.exit_code == 0 else ("#c0392b" if result.exit_code == 1 else "#b7791f")
        self.result.setStyleSheet(f"color: {color};")
        return result.exit_code
