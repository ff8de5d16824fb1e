"""Fault injection for the storage tests, with Debian's strace (installed by the Makefile).

- `kill_points`: run a script again and again, killing it (SIGKILL) at its 1st, 2nd, … call of
  each of write, pwrite64, fsync and fdatasync, until it completes.
- `DiskModel`: replay a script's file system calls, recorded by strace, and build at any moment
  the worst state a power cut could leave: a file keeps only what was written before its last
  fsync/fdatasync, and a folder keeps only the creations, removals and renames made before its
  last sync. This is the POSIX durability contract that a power cut tests.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRACE = shutil.which("strace")
KILL_SYSCALLS = ("write", "pwrite64", "fsync", "fdatasync")


def require_strace() -> str:
    if STRACE is None:
        pytest.fail("strace is not installed; `make sysdeps` installs it (Debian package strace)")
    return STRACE


def child_env() -> dict[str, str]:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def script_argv(script: str, *args: str | os.PathLike[str]) -> list[str]:
    return [sys.executable, "-c", script, *map(str, args)]


@contextlib.contextmanager
def mounted_fat(tmp_path: Path, read_only: bool = False) -> Iterator[Path]:
    """A FAT16 image (made with mkfs.vfat on first use, then kept in `tmp_path`), mounted through
    the fusefat FUSE driver (containers have no vfat kernel module and no loop mounts), read-only
    if asked. Skips where FUSE cannot be mounted; monkeypatched tests cover the same code paths
    everywhere. fusefat refuses chmod (ENOSYS) as exFAT and FAT drivers do; it cannot create
    non-ASCII names nor write beyond the end of a file (so no large SQLite transactions on it)."""
    tools = [shutil.which(t) for t in ("mkfs.vfat", "fusefat", "fusermount")]
    if not all(tools) or not os.access("/dev/fuse", os.R_OK | os.W_OK):
        pytest.skip("FUSE FAT driver not available (the Makefile installs dosfstools and fusefat)")
    image, mount = tmp_path / "stick.img", tmp_path / "stick"
    mount.mkdir(exist_ok=True)
    if not image.exists():
        with open(image, "wb") as fh:
            fh.truncate(32 * 1024 * 1024)
        subprocess.run([tools[0], str(image)], check=True, capture_output=True)
    mode = "ro" if read_only else "rw+"
    if subprocess.run([tools[1], "-o", mode, str(image), str(mount)], capture_output=True).returncode:
        pytest.skip("fusefat could not mount here (no FUSE permission)")
    try:
        yield mount
    finally:
        subprocess.run([tools[2], "-u", str(mount)], capture_output=True)


# ------------------------------------------------------------------------------- kill points


def count_calls(argv: list[str], cwd: Path) -> dict[str, int]:
    """How often a complete run of `argv` calls each of KILL_SYSCALLS."""
    strace = require_strace()
    summary = cwd / "strace-count.txt"
    proc = subprocess.run([strace, "-f", "-c", "-e", "trace=" + ",".join(KILL_SYSCALLS), "-o", str(summary),
                           *argv], cwd=cwd, env=child_env(), capture_output=True, timeout=120)
    assert proc.returncode == 0 and b"done" in proc.stdout, proc.stderr.decode(errors="replace")
    counts = dict.fromkeys(KILL_SYSCALLS, 0)
    for line in summary.read_text().splitlines():
        parts = line.split()
        if parts and parts[-1] in counts and parts[0][0].isdigit():
            counts[parts[-1]] = int(parts[3])
    summary.unlink()
    return counts


def run_killed(argv: list[str], cwd: Path, syscall: str, n: int) -> bool:
    """Run `argv`, killing it at its n-th `syscall`. True if it was killed, False if it
    completed (it must then have printed "done")."""
    strace = require_strace()
    proc = subprocess.run([strace, "-f", "-o", os.devnull, "-e", f"trace={syscall}",
                           "-e", f"inject={syscall}:signal=SIGKILL:when={n}", *argv],
                          cwd=cwd, env=child_env(), capture_output=True, timeout=120)
    if proc.returncode in (-9, 128 + 9):
        return True
    assert proc.returncode == 0 and b"done" in proc.stdout, proc.stderr.decode(errors="replace")
    return False


# ------------------------------------------------------------------------------- power cuts

_LINE = re.compile(r"^(?:\d+ +)?(\w+)\((.*)\) += (-?\d+|\?)")
_STRING = re.compile(r'"((?:\\x[0-9a-f]{2})*)"')
TRACED = ("openat,open,creat,write,pwrite64,writev,pwritev,pwritev2,fsync,fdatasync,sync_file_range,"
          "unlink,unlinkat,rename,renameat,renameat2,ftruncate,truncate,close,dup,dup2,dup3,"
          "sendfile,copy_file_range,fallocate")


def record(argv: list[str], cwd: Path, log: Path) -> subprocess.CompletedProcess[bytes]:
    """Run `argv` under strace, logging every call that can change a file, with full data."""
    strace = require_strace()
    return subprocess.run([strace, "-f", "-xx", "-s", str(1 << 26), "-e", f"trace={TRACED}", "-o", str(log),
                           *argv], cwd=cwd, env=child_env(), capture_output=True, timeout=300)


def _split_args(text: str) -> list[str]:
    out, depth, start, quoted, i = [], 0, 0, False, 0
    while i < len(text):
        c = text[i]
        if quoted:
            if c == "\\":
                i += 1
            elif c == '"':
                quoted = False
        elif c == '"':
            quoted = True
        elif c in "[{(":
            depth += 1
        elif c in "]})":
            depth -= 1
        elif c == "," and depth == 0:
            out.append(text[start:i].strip())
            start = i + 1
        i += 1
    out.append(text[start:].strip())
    return out


def _bytes(arg: str) -> bytes:
    m = _STRING.fullmatch(arg)
    assert m, f"strace string not fully printed: {arg[:80]}"
    return bytes.fromhex(m.group(1).replace("\\x", ""))


@dataclass
class Event:
    name: str
    args: list[str]
    result: int


def events(log: Path) -> Iterator[Event]:
    for line in log.read_text(encoding="ascii").splitlines():
        if "+++" in line or "---" in line:
            continue
        assert "unfinished" not in line and "resumed" not in line, f"interleaved threads: {line[:120]}"
        m = _LINE.match(line)
        assert m, f"unparsed strace line: {line[:120]}"
        result = -1 if m.group(3) == "?" else int(m.group(3))
        yield Event(m.group(1), _split_args(m.group(2)), result)


@dataclass
class Inode:
    volatile: bytearray
    durable: bytes = b""


@dataclass
class DiskModel:
    """The files of one folder, as written (volatile) and as they would survive a power cut."""

    folder: Path
    cwd: Path
    names: dict[str, Inode] = field(default_factory=dict)
    durable_names: dict[str, Inode] = field(default_factory=dict)
    fds: dict[int, list] = field(default_factory=dict)  # fd -> [Inode | "dir", offset]

    @classmethod
    def of(cls, folder: Path, cwd: Path) -> "DiskModel":
        model = cls(folder.resolve(), cwd)
        for path in folder.iterdir():
            data = path.read_bytes()
            model.names[path.name] = model.durable_names[path.name] = Inode(bytearray(data), data)
        return model

    def _local(self, raw: str) -> str | None:
        path = Path(os.path.normpath(self.cwd / os.fsdecode(_bytes(raw))))
        if path == self.folder:
            return "."
        return path.name if path.parent == self.folder else None

    def _inode(self, fd_arg: str) -> Inode | str | None:
        entry = self.fds.get(int(fd_arg.split("<")[0]))
        return None if entry is None else entry[0]

    def apply(self, e: Event) -> None:
        a = e.args
        if e.name in ("openat", "open", "creat"):
            path, flags = (a[1], a[2]) if e.name == "openat" else (a[0], a[1] if len(a) > 1 else "O_CREAT")
            if e.result < 0:
                return
            name = self._local(path)
            if name is None:
                self.fds.pop(e.result, None)
            elif name == ".":
                self.fds[e.result] = ["dir", 0]
            else:
                inode = self.names.get(name)
                if inode is None and ("O_CREAT" in flags or e.name == "creat"):
                    inode = self.names[name] = Inode(bytearray())
                if inode is not None and "O_TRUNC" in flags:
                    del inode.volatile[:]
                if inode is not None:
                    self.fds[e.result] = [inode, 0]
        elif e.name in ("write", "pwrite64"):
            entry = self.fds.get(int(a[0]))
            if entry is None or e.result <= 0:
                return
            inode = entry[0]
            assert isinstance(inode, Inode)
            data = _bytes(a[1])[: e.result]
            offset = int(a[3]) if e.name == "pwrite64" else entry[1]
            buf = inode.volatile
            if len(buf) < offset:
                buf.extend(b"\0" * (offset - len(buf)))
            buf[offset: offset + len(data)] = data
            if e.name == "write":
                entry[1] = offset + len(data)
        elif e.name == "ftruncate":
            inode = self._inode(a[0])
            if isinstance(inode, Inode) and e.result == 0:
                size = int(a[1])
                del inode.volatile[size:]
                inode.volatile.extend(b"\0" * (size - len(inode.volatile)))
        elif e.name in ("fsync", "fdatasync"):
            inode = self._inode(a[0])
            if inode == "dir" and e.result == 0:
                self.durable_names = dict(self.names)
            elif isinstance(inode, Inode) and e.result == 0:
                inode.durable = bytes(inode.volatile)
        elif e.name in ("unlink", "unlinkat"):
            name = self._local(a[0] if e.name == "unlink" else a[1])
            if name not in (None, ".") and e.result == 0:
                self.names.pop(name, None)
        elif e.name in ("rename", "renameat", "renameat2"):
            old, new = (a[0], a[1]) if e.name == "rename" else (a[1], a[3])
            src, dst = self._local(old), self._local(new)
            if e.result == 0 and (src or dst):
                assert src and dst, "a rename into or out of the modelled folder"
                self.names[dst] = self.names.pop(src)
        elif e.name == "close":
            self.fds.pop(int(a[0]), None)
        elif e.name in ("dup", "dup2", "dup3", "writev", "pwritev", "pwritev2", "sendfile", "copy_file_range",
                        "fallocate", "truncate", "sync_file_range"):
            fd_args = [x for x in a[:2] if x.split("<")[0].lstrip("-").isdigit()]
            assert not any(int(x.split("<")[0]) in self.fds for x in fd_args), f"{e.name} is not modelled"

    def power_cut(self, dest: Path) -> Path:
        """Write what would survive a power cut now into `dest`."""
        dest.mkdir(parents=True, exist_ok=True)
        for name, inode in self.durable_names.items():
            (dest / name).write_bytes(inode.durable)
        return dest


def replay(log: Path, model: DiskModel, on_marker: Callable[[str, int], None]) -> None:
    """Apply every event to `model`; call `on_marker(text, index)` after each line the script
    wrote to its standard output (os.write(1, …)), and `on_marker("", index)` between events."""
    for index, e in enumerate(events(log)):
        if e.name == "write" and e.args[0].split("<")[0] == "1":
            on_marker(_bytes(e.args[1]).decode(), index)
            continue
        model.apply(e)
        on_marker("", index)
