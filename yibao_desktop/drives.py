"""Which mounted volumes are USB sticks, and which folder 报送到U盘 offers first. No Qt: the window
lists the volumes (QStorageInfo) and asks here.

- Linux (UOS, Kylin, any desktop): a volume mounted under /media, /run/media or /mnt is removable
  (that is where desktops mount sticks); nothing else is, so "/" or /home is never offered first.
- Windows: a drive letter is removable when GetDriveTypeW says DRIVE_REMOVABLE.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import Callable, Sequence

LINUX_MOUNT_PARENTS = ("/media", "/run/media", "/mnt")
DRIVE_REMOVABLE = 2  # GetDriveTypeW


@dataclass(frozen=True)
class Drive:
    root: str
    name: str
    free: int
    removable: bool
    read_only: bool

    def label(self) -> str:
        kind = "U盘/移动磁盘" if self.removable else "本地磁盘"
        state = "（只读，不能写入）" if self.read_only else f"可用 {self.free / 1073741824:.1f} GB"
        name = f"{self.name}（{self.root}）" if self.name and self.name != self.root else self.root
        return f"{kind}　{name}　{state}"


def _windows_drive_type(root: str) -> int:  # pragma: no cover - Windows only
    import ctypes

    return int(ctypes.windll.kernel32.GetDriveTypeW(_windows_root(root)))  # type: ignore[attr-defined]


def _windows_root(root: str) -> str:
    """'E:/' or 'E:' as GetDriveTypeW wants it: 'E:\\'."""
    text = root.replace("/", "\\")
    return text if text.endswith("\\") else text + "\\"


def is_removable(root: str, platform: str = sys.platform,
                 drive_type: Callable[[str], int] | None = None) -> bool:
    """Whether the volume mounted at `root` is a stick or other removable drive."""
    if platform == "win32":
        return (drive_type or _windows_drive_type)(_windows_root(root)) == DRIVE_REMOVABLE
    path = PurePosixPath(root)
    return any(path != PurePosixPath(parent) and path.is_relative_to(parent) for parent in LINUX_MOUNT_PARENTS) \
        or path == PurePosixPath("/mnt")


def _inside(folder: str, root: str) -> bool:
    pure = PureWindowsPath if ("\\" in root or (len(root) >= 2 and root[1] == ":")) else PurePosixPath
    try:
        return pure(folder).is_relative_to(pure(root))
    except ValueError:
        return False


def preselect(drives: Sequence[Drive], last_folder: str | None,
              is_dir: Callable[[str], bool] = os.path.isdir) -> str | None:
    """The folder 报送到U盘 offers first: the folder used last time when it is on a stick that is
    plugged in (or when no stick is); else the first writable stick; else nothing (the user picks)."""
    sticks = [d for d in drives if d.removable and not d.read_only]
    last = last_folder if last_folder and is_dir(last_folder) else None
    if last is not None and (not sticks or any(_inside(last, d.root) for d in sticks)):
        return last
    return sticks[0].root if sticks else None
