"""Writing files so that nothing half-written is ever left: temporary name in the same folder,
fsync, rename, fsync of the folder. Errors become Chinese UserErrors (disk full, read-only stick,
folder gone, file held open by another program, a failed folder sync).

Temporary files are hidden (`.<name>.XXXXXXXX.tmp`, `.yibao-XXXXXXXX.tmp` for new reports). While
one is being written its writer holds an flock on it; a temporary file that nobody holds and that
is older than STALE_AFTER seconds was left by a killed process or a pulled stick, and the next
write in that folder removes it (`remove_stale_temporaries`), as it removes the lock file
(`.<name>.yibao.lock`) of a report whose process died.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
import time
from pathlib import Path

from yibao_desktop.domain.errors import UserError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

_UMASK = os.umask(0)
os.umask(_UMASK)
FILE_MODE = 0o666 & ~_UMASK  # what open() would have given; mkstemp alone gives 0600
STALE_AFTER = 60.0  # seconds; writers that predate the flock convention are given this long
# mkstemp's random part is 8 of [a-z0-9_]; SQLite may leave a -journal beside a new report's file.
_TEMPORARY = re.compile(r"^\.(?:yibao-|.+\.)[a-z0-9_]{8}\.tmp(?:-journal)?$")
# A report's lock file (storage/lock.py) left by a process that died before removing it.
_LOCK_FILE = re.compile(r"^\..+\.yibao\.lock$")
# chmod is refused by FAT/exFAT drivers (EPERM, ENOSYS) and some network shares; the file is fine.
_CHMOD_UNSUPPORTED = {errno.EPERM, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EACCES}
# A folder sync that the file system cannot do at all (as opposed to one that failed).
_DIRSYNC_UNSUPPORTED = {errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EBADF, errno.EISDIR}


def write_error(target: Path, err: OSError) -> UserError:
    if err.errno == errno.ENOSPC:
        return UserError(f"无法写入「{target}」：磁盘（或U盘）空间已满")
    if err.errno == errno.EROFS:
        return UserError(f"无法写入「{target}」：磁盘（或U盘）是只读的或处于写保护状态")
    if isinstance(err, FileNotFoundError):
        return UserError(f"无法写入「{target}」：文件夹不存在（U盘可能已拔出）")
    if isinstance(err, PermissionError):
        return UserError(f"无法写入「{target}」：没有权限，或文件正被其他程序（如 PDF 阅读器、Excel）打开")
    reason = _REASONS.get(err.errno or 0, f"磁盘或文件系统错误（错误码 {err.errno}）")
    return UserError(f"无法写入「{target}」：{reason}")


def os_reason(err: OSError) -> str:
    """Why a file operation failed, in Chinese (never the system's English text)."""
    if isinstance(err, FileNotFoundError):
        return "文件不存在（或U盘已拔出）"
    if isinstance(err, PermissionError):
        return "没有权限，或文件正被其他程序打开"
    if isinstance(err, IsADirectoryError):
        return "这是一个文件夹，不是文件"
    return _REASONS.get(err.errno or 0, f"磁盘或文件系统错误（错误码 {err.errno}）")


def read_error(path: str | os.PathLike[str], err: OSError) -> UserError:
    return UserError(f"无法读取「{Path(path).name}」：{os_reason(err)}")


_REASONS = {
    errno.EIO: "磁盘读写错误（U盘可能已拔出或损坏），文件可能没有完整保存",
    errno.ENAMETOOLONG: "文件名或路径过长",
    errno.EINVAL: "文件名含有该磁盘不允许的字符",
    errno.EFBIG: "文件超过该磁盘允许的大小（FAT 格式的U盘单个文件最大 4GB）",
    getattr(errno, "EDQUOT", -1): "磁盘配额已用完",
    errno.EEXIST: "同名文件已存在",
    errno.EISDIR: "同名文件夹已存在",
    errno.ENOTDIR: "路径中的某一级不是文件夹",
    errno.EMFILE: "打开的文件过多，请关闭一些程序后重试",
    errno.ENODEV: "设备不存在（U盘可能已拔出）",
    errno.ENXIO: "设备不存在（U盘可能已拔出）",
}


def fsync_dir(folder: Path) -> None:
    """Make a rename or a removal in `folder` durable. Raises OSError when the sync fails (EIO
    on a pulled stick). A no-op where folders cannot be synced: on Windows, and on file systems
    that refuse to sync folders at all."""
    if os.name == "nt":  # pragma: no cover - NTFS has no folder sync; renames are journalled
        return
    try:
        fd = os.open(str(folder), os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as err:
        if err.errno in (errno.EACCES, errno.EPERM):
            return  # a folder we may write into but not read: it cannot be synced by us
        raise
    try:
        os.fsync(fd)
    except OSError as err:
        if err.errno not in _DIRSYNC_UNSUPPORTED:
            raise
    finally:
        os.close(fd)


def chmod_quietly(path: str | os.PathLike[str], mode: int) -> None:
    """chmod, ignoring file systems that cannot keep permissions (FAT, exFAT)."""
    try:
        os.chmod(path, mode)
    except OSError as err:
        if err.errno not in _CHMOD_UNSUPPORTED:
            raise


def mark_in_use(fd: int) -> None:
    """Tell `remove_stale_temporaries` in other processes that this temporary file is being
    written (an flock, dropped by the kernel when the process dies)."""
    if fcntl is None:  # pragma: no cover - Windows: an open file cannot be removed anyway
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        pass  # file systems without flock: the age rule alone protects the writer


def _in_use(path: Path) -> bool:
    if fcntl is None:  # pragma: no cover - Windows
        return False
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return True  # cannot look: leave it alone
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError as err:
        return err.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES)
    finally:
        os.close(fd)  # also drops our probe lock
    return False


def is_temporary_name(name: str) -> bool:
    return bool(_TEMPORARY.match(name))


def _is_leftover(name: str) -> bool:
    return bool(_TEMPORARY.match(name) or _LOCK_FILE.match(name))


def remove_stale_temporaries(folder: str | os.PathLike[str], now: float | None = None) -> list[Path]:
    """Remove our hidden temporary files (and lock files of reports) in `folder` that no live
    process holds and that are older than STALE_AFTER seconds. Never raises; returns what was
    removed."""
    folder = Path(folder) if str(folder) else Path(".")
    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not _is_leftover(entry.name):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode) or now - info.st_mtime < STALE_AFTER:
                continue
            path = Path(entry.path)
            if _in_use(path):
                continue
            os.unlink(path)
        except OSError:
            continue
        removed.append(path)
    return removed


def write_atomic(path: str | os.PathLike[str], data: bytes, private: bool = False) -> Path:
    """Write `data` to `path` atomically and durably; returns the path. Nothing is left behind on
    failure, and success is only claimed after the file and its folder were synced.
    `private` files (a signing key) stay readable by the owner only (where the disk keeps modes)."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    remove_stale_temporaries(folder)
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        mark_in_use(fd)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        chmod_quietly(tmp_name, 0o600 if private else FILE_MODE)
        os.replace(tmp_name, target)  # after closing: Windows cannot rename an open file
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


def regular_file_problem(path: Path) -> str | None:
    """Why `path` cannot be read as a document (missing, a folder, a pipe or device), or None.
    Uses stat only, so a FIFO is never opened (opening one would block)."""
    name = path.name
    try:
        info = path.stat()
    except FileNotFoundError:
        return f"文件「{name}」不存在（可能已被移动或U盘已拔出）"
    except PermissionError:
        return f"没有权限读取文件「{name}」"
    except OSError:
        return f"无法读取文件「{name}」（磁盘错误或U盘已拔出）"
    if stat.S_ISDIR(info.st_mode):
        return f"「{name}」是一个文件夹，不是报告文件"
    if not stat.S_ISREG(info.st_mode):
        return f"「{name}」不是普通文件（可能是管道或设备），无法打开"
    return None


def read_regular(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a regular file; a FIFO, device or folder is refused without being opened."""
    path = Path(path)
    problem = regular_file_problem(path)
    if problem:
        raise UserError(problem)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):  # swapped after the check
                raise UserError(f"「{path.name}」不是普通文件（可能是管道或设备），无法打开")
            return fh.read()
    except PermissionError:
        raise UserError(f"没有权限读取文件「{path.name}」") from None
    except OSError:
        raise UserError(f"无法读取文件「{path.name}」（磁盘错误或U盘已拔出）") from None
