"""Register the bundled CJK font so Chinese renders on any machine (Windows keeps its UI font)."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from yibao_desktop import paths

BUNDLED_UI_FONT = "NotoSansSC-Regular.ttf"


def register_fonts(app: QApplication) -> str | None:
    """Load the bundled font; on non-Windows systems make it the application font.
    Returns the family name used, or None if the font file is missing."""
    font_id = QFontDatabase.addApplicationFont(str(paths.fonts_dir() / BUNDLED_UI_FONT))
    if font_id < 0:
        return None
    family = QFontDatabase.applicationFontFamilies(font_id)[0]
    if sys.platform != "win32":
        font = QFont(family)
        font.setPointSize(10)
        app.setFont(font)
    return family


def translation_folders() -> list[Path]:
    """Where Qt's own translations may be: Qt's configured folder, then the PySide6 package's
    folders (wheel layouts: PySide6/Qt/translations on Linux, PySide6/translations on Windows),
    which a frozen build keeps under the same names (installer.spec keeps qtbase_zh_CN.qm)."""
    import PySide6

    package = Path(PySide6.__file__).resolve().parent
    folders = [Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)),
               package / "Qt" / "translations", package / "translations"]
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        folders += [Path(frozen) / "PySide6" / "Qt" / "translations", Path(frozen) / "PySide6" / "translations"]
    return list(dict.fromkeys(folders))


# Qt 6 gave these file-dialog labels mnemonics ("Look in:" became "&Look in:"); the
# qtbase_zh_CN.qm that ships with PySide6 6.11 still has only the old texts.
MISSING_QT_TEXTS = {
    ("QFileDialog", "&Look in:"): "查找范围(&L)：",
    ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
}


class MissingQtTexts(QTranslator):
    """The few Qt texts qtbase_zh_CN.qm lacks; every other text falls through to it."""

    def translate(self, context: str, source_text: str, disambiguation: str | None = None,  # noqa: D102
                  n: int = -1) -> str:
        return MISSING_QT_TEXTS.get((context, source_text), "")

    def isEmpty(self) -> bool:  # noqa: N802 - Qt override
        return False


def install_chinese_translations(app: QApplication) -> QTranslator | None:
    """Qt's own strings in Chinese: standard buttons, context menus, and the file dialog Qt draws
    itself on Linux ("&Look in:" becomes 查找范围(&L)：). Returns the installed qtbase translator,
    or None if qtbase_zh_CN.qm was found nowhere."""
    translator = QTranslator(app)
    locale = QLocale(QLocale.Language.Chinese, QLocale.Country.China)
    for folder in translation_folders():
        if translator.load(locale, "qtbase", "_", str(folder)):
            app.installTranslator(MissingQtTexts(translator))  # asked after qtbase (installed first)
            app.installTranslator(translator)
            return translator
    return None
