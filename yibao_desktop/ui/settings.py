"""What the app remembers between sessions, in `settings.ini` in the user data folder (never the
registry of a shared PC): the recent reports, the window's place, and the folder last used for
each kind of file (exports, Excel imports, submission packages)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths

from yibao_desktop import paths

MAX_RECENT = 8
FOLDER_KINDS = ("export", "import", "package")


def settings() -> QSettings:
    return QSettings(str(paths.user_data_dir() / "settings.ini"), QSettings.Format.IniFormat)


def _as_list(value: object) -> list[str]:
    if not value:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]  # type: ignore[union-attr]


# -- recent reports ----------------------------------------------------------------------------


def _is_demo(path: str | os.PathLike[str]) -> bool:
    """The demo copy in the data folder is made afresh by 打开示例 and never listed as recent."""
    from yibao_desktop.services.reports import demo_path

    try:
        return Path(path).resolve() == demo_path().resolve()
    except OSError:
        return False


def recent_files(existing_only: bool = False) -> list[str]:
    """The reports opened last, newest first (the demo never among them)."""
    files = [p for p in _as_list(settings().value("recent")) if not _is_demo(p)]
    return [p for p in files if Path(p).is_file()] if existing_only else files


def remember_recent(path: str | os.PathLike[str]) -> None:
    if _is_demo(path):
        return
    resolved = str(Path(path).resolve())
    store = settings()
    recent = [resolved] + [p for p in _as_list(store.value("recent")) if p != resolved]
    store.setValue("recent", recent[:MAX_RECENT])


# -- folders -----------------------------------------------------------------------------------


def documents_folder() -> Path:
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(found) if found and Path(found).is_dir() else Path.home()


def last_folder(kind: str) -> Path | None:
    """The folder last used for `kind` (export, import, package), if it is still there."""
    assert kind in FOLDER_KINDS, kind
    value = settings().value(f"folders/{kind}")
    if not value:
        return None
    folder = Path(str(value))
    return folder if folder.is_dir() else None


def remember_folder(kind: str, path: str | os.PathLike[str]) -> None:
    """Remember the folder of a chosen file (or a chosen folder itself) for the next dialog."""
    assert kind in FOLDER_KINDS, kind
    p = Path(path)
    folder = p if p.is_dir() else p.parent
    settings().setValue(f"folders/{kind}", str(folder))


def report_folder(report_path: str | os.PathLike[str] | None) -> Path:
    """The report's own folder; the demo lives in the hidden data folder, so it offers 文档."""
    if report_path is None or _is_demo(report_path):
        return documents_folder()
    return Path(report_path).parent


def start_folder(kind: str, report_path: str | os.PathLike[str] | None) -> Path:
    """Where a file dialog of `kind` opens: the folder used last time, else the report's folder."""
    return last_folder(kind) or report_folder(report_path)
