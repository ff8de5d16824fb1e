"""Writing files so that nothing half-written is ever left: temporary name in the same folder,
fsync, rename, fsync of the folder. Errors become Chinese UserErrors (disk full, read-only stick,
folder gone, file held open by another program)."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from yibao_desktop.domain.errors import UserError

_UMASK = os.umask(0)
os.umask(_UMASK)
FILE_MODE = 0o666 & ~_UMASK  # what open() would have given; mkstemp alone gives 0600


def write_error(target: Path, err: OSError) -> UserError:
    if err.errno == errno.ENOSPC:
        return UserError(f"无法写入「{target}」：磁盘（或U盘）空间已满")
    if err.errno == errno.EROFS:
        return UserError(f"无法写入「{target}」：磁盘（或U盘）是只读的或处于写保护状态")
    if isinstance(err, FileNotFoundError):
        return UserError(f"无法写入「{target}」：文件夹不存在（U盘可能已拔出）")
    if isinstance(err, PermissionError):
        return UserError(f"无法写入「{target}」：没有权限，或文件正被其他程序（如 PDF 阅读器、Excel）打开")
    return UserError(f"无法写入「{target}」：{err.strerror or err}")


def fsync_dir(folder: Path) -> None:
    """Make a rename durable (no-op where folders cannot be opened, e.g. Windows)."""
    try:
        fd = os.open(str(folder), os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path: str | os.PathLike[str], data: bytes, private: bool = False) -> Path:
    """Write `data` to `path` atomically; returns the path. Nothing is left behind on failure.
    `private` files (a signing key) stay readable by the owner only."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp_name, 0o600 if private else FILE_MODE)
        os.replace(tmp_name, target)
        tmp_name = None
        fsync_dir(folder)
    except OSError as err:
        raise write_error(target, err) from None
    finally:
        if tmp_name is not None:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass
    return target
