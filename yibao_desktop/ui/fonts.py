"""Register the bundled CJK font so Chinese renders on any machine (Windows keeps its UI font)."""

from __future__ import annotations

import sys

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


def install_chinese_translations(app: QApplication) -> bool:
    """Qt's own strings (standard dialog buttons such as OK/Cancel, context menus) in Chinese."""
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load(QLocale(QLocale.Language.Chinese, QLocale.Country.China), "qtbase", "_", folder):
        return False
    app.installTranslator(translator)
    return True
