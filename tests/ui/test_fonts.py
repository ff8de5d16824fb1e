"""Qt's own texts in Chinese (issue 13, item 13): the file dialog Qt draws itself on Linux (the
bundle drops the GTK platform theme) says 查找范围 and 文件类型, not "Look in:"."""

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLibraryInfo
from PySide6.QtWidgets import QFileDialog, QLabel

from yibao_desktop.ui import fonts


@pytest.fixture
def translated(qapp):
    translator = fonts.install_chinese_translations(qapp)
    assert translator is not None
    yield translator
    qapp.removeTranslator(translator)


def test_the_wheel_ships_qtbase_zh_cn():
    assert any((folder / "qtbase_zh_CN.qm").is_file() for folder in fonts.translation_folders())


def test_qts_file_dialog_speaks_chinese(qtbot, translated):
    dialog = QFileDialog(None, "导出PDF")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    qtbot.add_widget(dialog)
    labels = {label.text() for label in dialog.findChildren(QLabel)}
    assert {"查找范围(&L)：", "文件类型(&T)："} <= labels, labels
    assert not [text for text in labels if text.isascii()]


def test_the_translation_is_found_where_a_frozen_build_keeps_it(qapp, monkeypatch, tmp_path):
    monkeypatch.setattr(QLibraryInfo, "path", lambda _which: str(tmp_path / "nowhere"))
    translator = fonts.install_chinese_translations(qapp)
    try:
        assert translator is not None and Path(translator.filePath()).name == "qtbase_zh_CN.qm"
        assert QCoreApplication.translate("QFileDialog", "Files of &type:") == "文件类型(&T)："
    finally:
        qapp.removeTranslator(translator)
