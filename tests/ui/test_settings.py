"""Remembered folders per kind (issue 13, item 18) and exports that start in the report's own
folder (item 11)."""

from pathlib import Path

from PySide6.QtWidgets import QDialog, QFileDialog

from yibao_desktop import paths
from yibao_desktop.services.reports import demo_path
from yibao_desktop.ui import settings as remembered
from yibao_desktop.ui.excel_dialogs import ExportExcelDialog
from yibao_desktop.ui.pdf_dialogs import ExportPdfDialog


class FileDialogs:
    """QFileDialog's static functions, answered by the test and recording where they opened."""

    def __init__(self, monkeypatch):
        self.asked: list[tuple[str, str]] = []
        self.answers: list[str] = []
        monkeypatch.setattr(QFileDialog, "getSaveFileName", self._file)
        monkeypatch.setattr(QFileDialog, "getOpenFileName", self._file)

    def _file(self, parent, caption, start, *rest, **kw):
        self.asked.append((caption, start))
        return (self.answers.pop(0) if self.answers else "", "")

    def folder(self, n=-1) -> Path:
        return Path(self.asked[n][1]).parent


def test_exports_start_in_the_reports_folder_then_where_the_user_exported(window, qtbot, messages, tmp_path,
                                                                            monkeypatch):
    dialogs = FileDialogs(monkeypatch)
    monkeypatch.setattr(ExportExcelDialog, "exec", lambda d: QDialog.DialogCode.Accepted)
    monkeypatch.setattr(ExportPdfDialog, "exec", lambda d: QDialog.DialogCode.Accepted)
    report_folder = window.rdoc.path.parent
    window.on_export_excel()  # cancelled at the file dialog
    assert dialogs.folder() == report_folder
    out = tmp_path / "导出"
    out.mkdir()
    dialogs.answers.append(str(out / "自评表.xlsx"))
    window.on_export_excel()
    qtbot.waitUntil(lambda: bool(messages) and messages[-1][0] == "done", timeout=30000)
    assert (out / "自评表.xlsx").is_file()
    window.on_export_excel()
    assert dialogs.folder() == out
    window.on_export_pdf()
    assert dialogs.folder() == out  # one remembered folder for every export
    assert remembered.settings().value("folders/export") == str(out)


def test_import_remembers_its_own_folder(window, tmp_path, monkeypatch):
    dialogs = FileDialogs(monkeypatch)
    started = []
    monkeypatch.setattr(window, "import_excel", started.append)
    window.on_import_excel()
    assert Path(dialogs.asked[-1][1]) == window.rdoc.path.parent
    books = tmp_path / "表格"
    books.mkdir()
    dialogs.answers.append(str(books / "支出.xlsx"))
    window.on_import_excel()
    assert started == [str(books / "支出.xlsx")]
    window.on_import_excel()
    assert Path(dialogs.asked[-1][1]) == books
    assert remembered.last_folder("export") is None  # kinds are kept apart
    assert remembered.last_folder("import") == books


def test_a_folder_that_is_gone_is_not_offered(tmp_path):
    gone = tmp_path / "旧U盘"
    gone.mkdir()
    remembered.remember_folder("package", gone)
    assert remembered.last_folder("package") == gone
    gone.rmdir()
    assert remembered.last_folder("package") is None
    report = tmp_path / "a.yibao"
    assert remembered.start_folder("export", report) == tmp_path


def test_the_demo_offers_documents_not_the_hidden_data_folder():
    assert remembered.report_folder(demo_path()) != paths.user_data_dir()
    assert remembered.report_folder(demo_path()) == remembered.documents_folder()
