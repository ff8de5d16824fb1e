"""报送到U盘 and 核验报送包 as a county user meets them (issue 13, items 5 and 10)."""

import shutil

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog

from yibao_desktop.drives import Drive
from yibao_desktop.services import keystore
from yibao_desktop.ui import errors
from yibao_desktop.ui import settings as remembered
from yibao_desktop.ui.package_dialogs import PackageDialog, VerifyPackageDialog
from yibao_desktop.ui.pdf_dialogs import VerifyDialog

LOCAL = [Drive("/", "", 50 << 30, False, False), Drive("/home", "", 50 << 30, False, False)]


def test_without_a_stick_no_local_disk_is_chosen(qtbot):
    dialog = PackageDialog(None, "示例县_2025_能力提升资金", drives=LOCAL)
    qtbot.add_widget(dialog)
    assert dialog.drives.currentRow() == -1 and dialog.folder.text() == ""
    assert "没有发现U盘" in dialog.hint.text()
    assert dialog.drives.item(0).text().startswith("本地磁盘")


def test_a_stick_is_chosen_and_the_last_folder_on_it_wins(qtbot, tmp_path):
    stick = Drive(str(tmp_path), "KINGSTON", 8 << 30, True, False)
    dialog = PackageDialog(None, "包", drives=LOCAL + [stick])
    qtbot.add_widget(dialog)
    assert dialog.drives.currentItem().data(Qt.ItemDataRole.UserRole) == str(tmp_path)
    assert dialog.folder.text() == str(tmp_path) and dialog.hint.text() == ""
    (tmp_path / "2025报送").mkdir()
    again = PackageDialog(None, "包", last_folder=tmp_path / "2025报送", drives=LOCAL + [stick])
    qtbot.add_widget(again)
    assert again.folder.text() == str(tmp_path / "2025报送")


def test_the_last_folder_is_offered_when_no_stick_is_in(qtbot, tmp_path):
    dialog = PackageDialog(None, "包", last_folder=tmp_path, drives=LOCAL)
    qtbot.add_widget(dialog)
    assert dialog.folder.text() == str(tmp_path) and dialog.drives.currentRow() == -1


@pytest.fixture
def certificate():
    keystore.create_certificate("示例县医疗保障局", "张三", "secret123")


def _package(window, qtbot, messages, dest):
    count = len([m for m in messages if m[1] == "报送包已生成"])
    window.package_to(str(dest), "secret123")
    qtbot.waitUntil(lambda: len([m for m in messages if m[1] == "报送包已生成"]) > count, timeout=60000)


def test_package_remembers_its_folder_and_asks_before_overwriting(window, qtbot, messages, tmp_path, certificate,
                                                                    monkeypatch):
    stick = tmp_path / "usb"
    stick.mkdir()
    _package(window, qtbot, messages, stick)
    assert not [m for m in messages if m[0] == "confirm"]  # nothing there yet: no question
    kind, title, message = messages[-1]
    assert kind == "done" and str(stick) in message
    assert remembered.last_folder("package") == stick
    shown = []
    monkeypatch.setattr(PackageDialog, "exec", lambda d: shown.append(d) or QDialog.DialogCode.Rejected)
    window.on_package()
    assert shown[0].folder.text() == str(stick)  # the folder used last time is offered again

    folder = next(stick.iterdir())
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    asked = []
    monkeypatch.setattr(errors, "confirm_hook", lambda title, text: asked.append((title, text)) or False)
    assert window.package_to(str(stick), "secret123") is None  # 取消: the old package stays
    (title, text), = asked
    assert title == "覆盖已有的报送包？" and "已有一份报送包" in text and "年" in text and "T" not in text.split("（")[1]
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before
    monkeypatch.setattr(errors, "confirm_hook", lambda title, text: asked.append((title, text)) or True)
    _package(window, qtbot, messages, stick)  # 覆盖
    assert len(asked) == 2 and (folder / "manifest.json").stat().st_mtime_ns != before["manifest.json"]

    # 核验报送包 on the stick's root verifies each package in it
    shutil.copytree(folder, stick / "另一个县_2025_能力提升资金")
    dialog = VerifyPackageDialog(window, remembered.last_folder("package"))
    qtbot.add_widget(dialog)
    assert dialog.verify(str(stick))
    text = dialog.result.toPlainText()
    assert "【报送包 1/2】" in text and "共核验 2 个报送包：2 个通过，全部通过。" in text
    assert "不完整" not in text


def test_verify_package_has_a_button_enter_verifies_and_close(qtbot, tmp_path, monkeypatch):
    browsed = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: browsed.append(a) or "")
    dialog = VerifyPackageDialog(None, tmp_path)
    qtbot.add_widget(dialog)
    dialog.show()
    assert dialog.verify_button.text() == "核验" and dialog.verify_button.isDefault()
    assert not dialog.choose_button.autoDefault()
    dialog.folder.setText(str(tmp_path))
    verified = []
    dialog.verify_button.clicked.connect(lambda: verified.append(1))
    qtbot.keyClick(dialog.folder, Qt.Key.Key_Return)  # the default button: verify once, no chooser
    assert "没有找到报送包" in dialog.result.toPlainText() and not browsed and verified == [1]
    dialog.folder.setText(str(tmp_path / "不存在"))
    dialog.verify_button.click()
    assert "不存在" in dialog.result.toPlainText() and not browsed
    assert dialog.close_button.text() == "关闭"
    dialog.close_button.click()
    assert not dialog.isVisible()


def test_verify_pdf_enter_verifies_and_close(qtbot, tmp_path, monkeypatch):
    browsed = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: browsed.append(a) or ("", ""))
    dialog = VerifyDialog(None)
    qtbot.add_widget(dialog)
    dialog.show()
    assert dialog.verify_button.isDefault()
    (tmp_path / "x.pdf").write_bytes(b"%PDF-1.4 not really")
    dialog.path.setText(str(tmp_path / "x.pdf"))
    qtbot.keyClick(dialog.path, Qt.Key.Key_Return)
    assert dialog.result.toPlainText().startswith("结论：") and not browsed
    assert dialog.close_button.text() == "关闭"
    dialog.close_button.click()
    assert not dialog.isVisible()


def test_a_wrong_password_keeps_the_package_dialog_open_with_what_was_chosen(window, qtbot, tmp_path, certificate):
    stick = tmp_path / "usb"
    stick.mkdir()
    dialog = PackageDialog(window, "示例县医疗保障局_2025", stick, drives=[])
    qtbot.add_widget(dialog)
    dialog.folder.setText(str(stick))
    dialog.password.setText("wrong-pass")
    dialog._on_accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "证书密码错误" in dialog.message.text() and "unit-certificate" not in dialog.message.text()
    assert dialog.folder.text() == str(stick) and dialog.password.text() == "wrong-pass"
    dialog.password.setText("secret123")
    dialog._on_accept()
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.message.text() == ""
