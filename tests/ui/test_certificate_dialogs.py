"""Issue 13, item 7: the certificate dialogs keep what was typed. A password mismatch in 新建单位证书
and a wrong password at signing are said in the dialog, which stays open for another try."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog

from yibao_desktop.services import keystore
from yibao_desktop.ui import errors, pdf_dialogs
from yibao_desktop.ui.pdf_dialogs import NewCertificateDialog, PasswordDialog, SigningSettingsDialog


def when_modal(kind, act):
    """Run `act(dialog)` once the modal dialog of `kind` is open (inside its exec); a dialog left
    open by a failed step is cancelled so that the test ends instead of hanging."""
    state: dict[str, object] = {}

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, kind):
            QTimer.singleShot(10, poll)
            return
        try:
            act(dialog)
        except BaseException as exc:  # noqa: BLE001 - raised again by the test
            state["error"] = exc
            dialog.reject()

    QTimer.singleShot(0, poll)
    return state


@pytest.fixture
def opened(monkeypatch):
    files: list[str] = []
    monkeypatch.setattr(errors, "open_hook", files.append)
    return files


def test_a_password_mismatch_keeps_the_new_certificate_form(window, qtbot, messages):
    settings = SigningSettingsDialog(window, "示例县医疗保障局")
    qtbot.add_widget(settings)
    seen = {}

    def fill(dialog: NewCertificateDialog) -> None:
        dialog.signer.setText("张三")
        dialog.password.setText("secret123")
        dialog.again.setText("secret124")
        dialog.ok_button.click()
        seen["open"] = dialog.isVisible()
        seen["message"] = dialog.message.text()
        seen["kept"] = (dialog.unit.text(), dialog.signer.text(), dialog.password.text(), dialog.again.text())
        seen["created"] = keystore.unit_certificate() is not None
        dialog.password.setText("12")  # too short: refused by the keystore, said in place too
        dialog.again.setText("12")
        dialog.ok_button.click()
        seen["short"] = (dialog.isVisible(), dialog.message.text(), dialog.signer.text())
        dialog.password.setText("secret123")
        dialog.again.setText("secret123")
        dialog.ok_button.click()

    state = when_modal(NewCertificateDialog, fill)
    settings._on_create()
    assert "error" not in state, state.get("error")
    assert seen["open"] and "两次输入的密码不一致" in seen["message"] and not seen["created"]
    assert seen["kept"] == ("示例县医疗保障局", "张三", "secret123", "secret124")
    assert seen["short"][0] and "证书尚未创建" in seen["short"][1] and seen["short"][2] == "张三"
    assert keystore.unit_certificate().signer == "张三" and "张三" in settings.info.text()
    assert messages == []


def test_a_wrong_password_at_signing_is_retried_in_place(window, qtbot, tmp_path, monkeypatch, messages, opened):
    SigningSettingsDialog(window, "示例县医疗保障局").create("示例县医疗保障局", "张三", "secret123")
    out = tmp_path / "已签名.pdf"
    monkeypatch.setattr(pdf_dialogs.ExportPdfDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    monkeypatch.setattr(pdf_dialogs.ExportPdfDialog, "mode", lambda self: "signed")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(out), ""))
    tries = []

    def answer(dialog: PasswordDialog) -> None:
        dialog.password.setText("wrong-pass")
        dialog.ok_button.click()
        tries.append((dialog.isVisible(), dialog.message.text(), dialog.password.text()))
        dialog.password.setText("secret123")
        dialog.ok_button.click()

    state = when_modal(PasswordDialog, answer)
    window.on_export_pdf()
    assert "error" not in state, state.get("error")
    visible, message, kept = tries[0]
    assert visible and "证书密码错误" in message and kept == "wrong-pass"
    qtbot.waitUntil(lambda: any(m[0] == "done" for m in messages), timeout=60000)
    assert [m[:2] for m in messages] == [("done", "PDF已导出")] and str(out) in messages[0][2]
    assert keystore.verify_pdf(out).exit_code == 0  # signed with the unit's certificate


def test_cancelling_the_password_prompt_exports_nothing(window, tmp_path, monkeypatch, messages, opened):
    SigningSettingsDialog(window, "示例县医疗保障局").create("示例县医疗保障局", "张三", "secret123")
    out = tmp_path / "不导出.pdf"
    monkeypatch.setattr(pdf_dialogs.ExportPdfDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    monkeypatch.setattr(pdf_dialogs.ExportPdfDialog, "mode", lambda self: "signed")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(out), ""))

    def give_up(dialog: PasswordDialog) -> None:
        dialog.password.setText("wrong-pass")
        dialog.ok_button.click()
        dialog.reject()

    state = when_modal(PasswordDialog, give_up)
    window.on_export_pdf()
    assert "error" not in state and not out.exists() and opened == [] and messages == []


def test_a_wrong_password_when_importing_a_certificate_is_retried_in_place(window, qtbot, tmp_path, messages):
    p12 = tmp_path / "外单位.p12"
    keystore.create_certificate("示例县医疗保障局", "李四", "right-pass", path=p12)
    settings = SigningSettingsDialog(window, "示例县医疗保障局")
    qtbot.add_widget(settings)
    tries = []

    def answer(dialog: PasswordDialog) -> None:
        dialog.password.setText("wrong-pass")
        dialog.ok_button.click()
        tries.append((dialog.isVisible(), dialog.message.text()))
        dialog.password.setText("right-pass")
        dialog.ok_button.click()

    state = when_modal(PasswordDialog, answer)
    assert settings.import_from(str(p12))
    assert "error" not in state, state.get("error")
    assert tries[0][0] and "证书密码错误" in tries[0][1]
    assert keystore.unit_certificate().signer == "李四" and messages == []
