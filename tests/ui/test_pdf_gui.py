
import pytest
from pypdf import PdfReader

from yibao_desktop.services.keystore import seal_path, set_seal
from yibao_desktop.services.keystore import unit_certificate as certificate_info
from yibao_desktop.ui.pdf_dialogs import ExportPdfDialog, SigningSettingsDialog, VerifyDialog


def test_draft_export_runs_in_worker_and_tells_the_result(window, tmp_path, qtbot, messages):
    out = tmp_path / "草稿.pdf"
    window.export_pdf_to(str(out), "draft")
    qtbot.waitUntil(lambda: any(m[0] == "done" for m in messages), timeout=60000)
    kind, title, message = messages[-1]
    assert title == "PDF已导出" and "草稿" in message and str(out) in message
    text = "".join(page.extract_text() for page in PdfReader(out).pages[:2])
    assert "示例县医疗保障局" in text.replace("\n", "")


def test_final_export_refused_with_errors_listed(window, tmp_path, messages):
    row = next(i for i, ind in enumerate(window.rdoc.report.indicators) if ind.deviation_reason and ind.nature != "定性")
    from yibao_desktop.domain.edits import SetField

    window.rdoc.apply([SetField("indicators", row, "deviation_reason", "")], "清空原因")
    out = tmp_path / "正式.pdf"
    assert window.export_pdf_to(str(out), "final") is None
    kind, title, message = messages[-1]
    assert title == "不能导出正式版" and "须填写偏差原因分析及改进措施" in message
    assert not out.exists()
    dialog = ExportPdfDialog(window, 1)
    assert dialog.mode() == "draft"


def test_signed_export_verifies_and_wrong_password_writes_nothing(window, tmp_path, qtbot, messages):
    settings = SigningSettingsDialog(window, "示例县医疗保障局")
    settings.create("示例县医疗保障局", "张三", "secret123")
    assert certificate_info().signer == "张三"
    assert "张三" in settings.info.text()
    bad = tmp_path / "错密码.pdf"
    assert window.export_pdf_to(str(bad), "signed", "wrong-pass") is None
    assert "密码错误" in messages[-1][2] and not bad.exists()
    out = tmp_path / "已签名.pdf"
    window.export_pdf_to(str(out), "signed", "secret123")
    qtbot.waitUntil(lambda: messages[-1][1] == "PDF已导出", timeout=60000)
    verify = VerifyDialog(window)
    assert verify.verify(str(out)) == 0
    assert "文件完好，签名人可信" in verify.result.toPlainText()
    data = bytearray(out.read_bytes())
    data[len(data) // 3] ^= 0x01
    altered = tmp_path / "改动.pdf"
    altered.write_bytes(bytes(data))
    assert verify.verify(str(altered)) == 1


def test_seal_must_be_png(tmp_path):
    from yibao_desktop.domain.errors import UserError

    jpg = tmp_path / "seal.jpg"
    jpg.write_bytes(b"\xff\xd8\xff\xe0not a png")
    with pytest.raises(UserError, match="PNG"):
        set_seal(str(jpg))
    png = tmp_path / "seal.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    assert set_seal(str(png)) == seal_path()


def test_package_to_folder_and_verify_in_window(window, tmp_path, qtbot, messages):
    from yibao_desktop.ui.package_dialogs import PackageDialog, VerifyPackageDialog, list_drives

    SigningSettingsDialog(window, "示例县医疗保障局").create("示例县医疗保障局", "张三", "secret123")
    stick = tmp_path / "usb"
    stick.mkdir()
    assert window.package_to(str(stick), "wrong-pass") is None
    assert "密码错误" in messages[-1][2] and not any(stick.iterdir())
    window.package_to(str(stick), "secret123")
    qtbot.waitUntil(lambda: messages[-1][1] == "报送包已生成", timeout=60000)
    folder = next(stick.iterdir())
    assert (folder / "manifest.json").exists()
    dialog = VerifyPackageDialog(window)
    assert dialog.verify(str(folder))
    assert "签名可信" in dialog.result.toPlainText()
    assert all(d.root for d in list_drives())
    PackageDialog(window, folder.name)  # builds with whatever volumes this machine has


def test_export_dialog_tells_stale_text_figures_before_signing(window, monkeypatch):
    from PySide6.QtWidgets import QDialog

    from yibao_desktop.ui import pdf_dialogs

    tab = window.text
    tab.select_section(2)
    tab.editor.setPlainText("资金合计{资金.可用资金}万元，旧数字12.34万元。")
    tab.flush()
    shown = []

    def fake_exec(dialog):
        shown.append(dialog)
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(pdf_dialogs.ExportPdfDialog, "exec", fake_exec)
    window.on_export_pdf()
    dialog, = shown
    text = dialog.warnings.text()
    assert text.startswith("签名或定稿前请核对以下")
    first = text.splitlines()[1]
    assert "12.34万元" in first  # the stale figure comes first
    assert dialog.mode() in ("signed", "final")


def test_export_dialog_without_warnings_shows_none(window):
    dialog = ExportPdfDialog(window, 0, [])
    assert dialog.warnings.text() == "" and dialog.mode() in ("signed", "final")
