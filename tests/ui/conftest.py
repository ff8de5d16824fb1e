import pytest

from yibao_desktop.ui import errors


@pytest.fixture(autouse=True)
def messages(monkeypatch):
    """Dialogs are recorded instead of shown (STYLE.md §10)."""
    shown: list[tuple[str, str, str]] = []
    monkeypatch.setattr(errors, "show_hook", lambda kind, title, message: shown.append((kind, title, message)))
    return shown


@pytest.fixture
def window(qtbot, tmp_path, demo_report):
    from yibao_desktop.storage.repository import Document
    from yibao_desktop.ui.main_window import MainWindow

    path = tmp_path / "示例.yibao"
    Document.create(path, demo_report).close()
    win = MainWindow(Document.open(path))
    qtbot.add_widget(win)
    win.resize(1366, 768)
    win.show()
    yield win
    win.close_document()
