"""One writer per file: an OS-level lock held while a document is open for writing.

The lock lives on a small hidden file beside the document, `.<name>.lock`, never on the document
itself: SQLite keeps its own POSIX byte-range locks on the document, and POSIX drops every such
lock of a process when any descriptor of that file is closed, so we must not open and close the
document behind SQLite's back for locking. The lock file holds who has the document open (host,
user, pid, since when) for the second window's message.

- POSIX: `flock` on the lock file. It is released by the kernel when the process dies, so a lock
  file left by a crashed process is simply taken over. After locking we check that the path still
  names the file we locked (another process may have removed it while we waited).
- Windows: `msvcrt.locking` on one byte far beyond the content, so others can still read who
  holds it.
- The lock file is removed on release. Documents opened twice in one process are caught by a
  registry, since POSIX-emulated flock (NFS) does not conflict within a process.
"""

from __future__ import annotations

import errno
import getpass
import json
import os
import socket
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from yibao_desktop.domain.formatting import timestamp_text

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]
try:  # Windows
    import msvcrt
except ImportError:
    msvcrt = None  # type: ignore[assignment]

_WINDOWS_LOCK_OFFSET = 1 << 20
_held: dict[str, "DocumentLock"] = {}
_held_guard = threading.Lock()


@dataclass(frozen=True)
class LockHolder:
    """Who has a document open for writing."""

    host: str = ""
    user: str = ""
    pid: int = 0
    since: str = ""  # local time, ISO 8601

    def describe(self) -> str:
        """'计算机 PC-01 上的用户 li（进程 4242，自 2025年6月1日 09:30 起）', or '' when unknown."""
        who = ""
        if self.host:
            who += f"计算机 {self.host} 上的"
        if self.user:
            who += f"用户 {self.user}"
        elif who:
            who += "用户"
        detail = []
        if self.pid:
            detail.append(f"进程 {self.pid}")
        if self.since:
            detail.append(f"自 {timestamp_text(self.since)} 起")
        if detail:
            who += f"（{'，'.join(detail)}）"
        return who


class LockedError(Exception):
    """The document is open for writing elsewhere; `holder` says where."""

    def __init__(self, holder: LockHolder):
        super().__init__(holder.describe())
        self.holder = holder


def lock_path(document: Path) -> Path:
    return document.with_name(f".{document.name}.lock")


def _me() -> LockHolder:
    try:
        user = getpass.getuser()
    except Exception:  # no user name in the environment (service accounts)
        user = ""
    return LockHolder(socket.gethostname(), user, os.getpid(), datetime.now().isoformat(timespec="seconds"))


def _read_holder(fd: int) -> LockHolder:
    try:
        data = os.pread(fd, 4096, 0) if hasattr(os, "pread") else _read_from_start(fd)
        info = json.loads(data.decode("utf-8"))
        return LockHolder(str(info.get("host", "")), str(info.get("user", "")), int(info.get("pid", 0)),
                          str(info.get("since", "")))
    except (OSError, ValueError, TypeError, AttributeError):
        return LockHolder()  # being written, or not ours: the lock itself is what counts


def _read_from_start(fd: int) -> bytes:  # pragma: no cover - Windows
    os.lseek(fd, 0, os.SEEK_SET)
    return os.read(fd, 4096)


def _try_lock(fd: int) -> bool:
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            if err.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                return False
            raise
        return True
    os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)  # pragma: no cover - Windows
    try:  # pragma: no cover - Windows
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:  # pragma: no cover - Windows
        return False
    return True  # pragma: no cover - Windows


def _key(document: Path) -> str:
    return os.path.normcase(str(document.resolve()))


class DocumentLock:
    """A held lock; `release()` removes the lock file."""

    def __init__(self, document: Path, fd: int, key: str):
        self.document = document
        self.path = lock_path(document)
        self.holder = _me()
        self._fd: int | None = fd
        self._key = key

    @classmethod
    def acquire(cls, document: Path) -> "DocumentLock":
        """Take the lock or raise LockedError (held by a live process) or OSError (cannot create
        the lock file, e.g. a read-only folder)."""
        key = _key(document)
        with _held_guard:
            mine = _held.get(key)
            if mine is not None:
                raise LockedError(mine.holder)
            path = lock_path(document)
            for _attempt in range(20):
                fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
                             | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0), 0o644)
                try:
                    if not _try_lock(fd):
                        holder = _read_holder(fd)
                        raise LockedError(holder)
                    if not _same_file(fd, path):
                        os.close(fd)  # removed or replaced while we waited: try the new one
                        continue
                except BaseException:
                    _close_quietly(fd)
                    raise
                lock = cls(document, fd, key)
                lock._write_holder()
                _held[key] = lock
                return lock
            raise OSError(errno.EAGAIN, "lock file keeps changing")

    def _write_holder(self) -> None:
        assert self._fd is not None
        h = self.holder
        data = json.dumps({"app": "yibao-desktop", "host": h.host, "user": h.user, "pid": h.pid,
                           "since": h.since}, ensure_ascii=False).encode("utf-8")
        try:
            os.ftruncate(self._fd, 0)
            if hasattr(os, "pwrite"):
                os.pwrite(self._fd, data, 0)
            else:  # pragma: no cover - Windows
                os.lseek(self._fd, 0, os.SEEK_SET)
                os.write(self._fd, data)
        except OSError:
            pass  # the lock holds without the description; others then see an unknown holder

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        """Remove the lock file (while still holding it), then let go."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        with _held_guard:
            if _held.get(self._key) is self:
                del _held[self._key]
            if os.name != "nt":
                try:
                    if _same_file(fd, self.path):
                        os.unlink(self.path)
                except OSError:
                    pass
            _close_quietly(fd)
            if os.name == "nt":  # pragma: no cover - Windows cannot remove an open file
                try:
                    os.unlink(self.path)
                except OSError:
                    pass  # another process is reading it; the next opener takes it over


def _same_file(fd: int, path: Path) -> bool:
    try:
        a, b = os.fstat(fd), os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _close_quietly(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass
