"""Where bundled resources and user data live, in a source checkout and in a frozen build."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_DIR_NAME = "yibao-desktop"


def resources_dir() -> Path:
    """`resources/`: beside the package in a checkout, inside the bundle when frozen."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def templates_dir() -> Path:
    return resource("templates")


def fonts_dir() -> Path:
    return resource("fonts")


def demo_report_json() -> Path:
    return resource("demo", "demo-2025-capacity.json")


def user_data_dir() -> Path:
    """Per-user data folder (reports made from the demo, settings, signing certificate)."""
    override = os.environ.get("YIBAO_DATA_DIR")
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / APP_DIR_NAME


def signing_dir() -> Path:
    """The unit certificate (.p12 and its public .cer) and the seal image."""
    return user_data_dir() / "signing"
