import pytest

from yibao_desktop.ui import errors


@pytest.fixture(scope="session", autouse=True)
def app_font(qapp):
    """The bundled CJK font, as the program registers it at start: layouts are measured with the
    glyphs the user sees (a fallback font is narrower and hides overflowing pages)."""
    from yibao_desktop.ui.fonts import register_fonts

    return register_fonts(qapp)


@pytest.fixture(autouse=True)
def messages(monkeypatch):
    """Dialogs are recorded instead of shown (STYLE.md §10)."""
    shown: list[tuple[str, str, str]] = []
    monkeypatch.setattr(errors, "show_hook", lambda kind, title, message: shown.append((kind, title, message)))
    return shown


class Questions:
    """Questions asked through errors.ask: `asked` records them, `answers` are given in turn
    (a choice's label, or None for 取消); with no answer left a question is cancelled."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str, tuple[str, ...]]] = []
        self.answers: list[str | None] = []

    def __call__(self, title: str, message: str, choices: tuple[str, ...]) -> str | None:
        self.asked.append((title, message, choices))
        answer = self.answers.pop(0) if self.answers else None
        assert answer is None or answer in choices, f"{answer!r} is not one of {choices}"
        return answer


@pytest.fixture(autouse=True)
def questions(monkeypatch):
    recorder = Questions()
    monkeypatch.setattr(errors, "ask_hook", recorder)
    return recorder


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
