"""导出PDF…, 签名设置… and 核验PDF签名…: the window's side of the signed PDF report."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

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


def _password_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


def _message_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet("color: #c0392b;")
    return label


class PasswordDialog(QDialog):
    """Asks for a certificate password. With `check` (which raises UserError when the password
    will not do, e.g. a wrong one), the dialog stays open with the reason in red until the
    password is right or the user cancels; `value` holds what `check` returned."""

    def __init__(self, parent: QWidget | None, prompt: str, confirm: bool = False,
                 check: Callable[[str], Any] | None = None):
        super().__init__(parent)
        self.setWindowTitle("证书密码")
        self.setMinimumWidth(420)
        form = QFormLayout(self)
        form.addRow(QLabel(prompt))
        self.password = _password_edit()
        form.addRow("密码", self.password)
        self.again = _password_edit()
        if confirm:
            form.addRow("再次输入", self.again)
        self.confirm = confirm
        self.check = check
        self.value: Any = None
        self.message = _message_label()
        form.addRow(self.message)
        self.buttons = _ok_cancel(self._on_accept, self.reject)
        form.addRow(self.buttons)

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def _on_accept(self) -> None:
        if self.confirm and self.password.text() != self.again.text():
            self._retry("两次输入的密码不一致，请重新输入。", self.again)
            return
        if self.check is not None:
            try:
                self.value = self.check(self.password.text())
            except UserError as err:
                self._retry(f"{err}。请重新输入，或按“取消”。".replace("。。", "。"), self.password)
                return
        self.accept()

    def _retry(self, message: str, edit: QLineEdit) -> None:
        self.message.setText(message)
        self.adjustSize()  # room for a message of two lines
        edit.setFocus()
        edit.selectAll()


class NewCertificateDialog(QDialog):
    """新建单位证书: a mismatch or a refused value is said in red and every field keeps what was
    typed, so the user corrects it in place; `create(unit, signer, password)` runs on 创建."""

    def __init__(self, parent: QWidget | None, unit: str, create: Callable[[str, str, str], Any], replaces: bool):
        super().__init__(parent)
        self.setWindowTitle("新建单位证书")
        self.setMinimumWidth(480)
        self.create = create
        form = QFormLayout(self)
        if replaces:
            form.addRow(QLabel("<span style='color:#c0392b'>新证书将替换当前证书；已签名的文件不受影响。</span>"))
        self.unit = QLineEdit(unit)
        self.unit.setMinimumWidth(self.unit.fontMetrics().horizontalAdvance(max(unit, UNIT_SAMPLE, key=len)) + 24)
        self.signer = QLineEdit()
        self.password = _password_edit()
        self.again = _password_edit()
        form.addRow("单位名称", self.unit)
        form.addRow("签名人", self.signer)
        form.addRow("证书密码（至少6位）", self.password)
        form.addRow("再次输入密码", self.again)
        self.message = _message_label()
        form.addRow(self.message)
        self.buttons = _ok_cancel(self._on_accept, self.reject, "创建")
        form.addRow(self.buttons)

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def _on_accept(self) -> None:
        if self.password.text() != self.again.text():
            self.message.setText("两次输入的密码不一致，请重新输入“再次输入密码”。证书尚未创建。")
            self.adjustSize()
            self.again.setFocus()
            self.again.selectAll()
            return
        try:
            self.create(self.unit.text(), self.signer.text(), self.password.text())
        except UserError as err:
            self.message.setText(f"{err}\n证书尚未创建，请修改后再按“创建”。")
            self.adjustSize()
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
        NewCertificateDialog(self, self.unit, self.create, keystore.unit_certificate() is not None).exec()

    def _on_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "导入证书", str(Path.home()), "证书 (*.p12 *.pfx);;所有文件 (*)")
        if path:
            self.import_from(path)

    def import_from(self, path: str) -> bool:
        """Ask for the file's password until it opens (or the user cancels), then take it in."""
        dialog = PasswordDialog(self, f"请输入证书「{Path(path).name}」的密码：",
                                check=lambda password: keystore.import_certificate(path, password))
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        self.refresh()
        return True

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
