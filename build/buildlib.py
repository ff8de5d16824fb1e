"""Shared helpers of the build scripts (build/dist_linux.py, build/dist_windows.py). Build time only.

Everything downloaded goes to .cache/, every intermediate file to build/_work/, and the results
to dist/ (all three are ignored by git).
"""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Iterable, Mapping, Sequence

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
WORK = BUILD / "_work"
CACHE = ROOT / ".cache"
DIST = ROOT / "dist"
APP = "yibao-desktop"
APP_ZH = "医保绩效自评助手"


def version() -> str:
    text = (ROOT / "yibao_desktop" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"$', text, re.M)
    if not match:
        raise SystemExit("yibao_desktop/__init__.py has no __version__")
    return match.group(1)


def runtime_requirements() -> list[str]:
    """The app's pinned dependencies, from pyproject.toml (the one place they are declared)."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return list(data["project"]["dependencies"])


def read_pins(path: Path) -> dict[str, str]:
    """`name==version` lines of a requirements file, names normalised (PEP 503), hashes ignored."""
    pins: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip().rstrip("\\").strip()
        if not line or line.startswith("-"):
            continue
        spec = line.split()[0]
        if "==" not in spec:
            raise ValueError(f"{path.name}: not pinned: {raw!r}")
        name, ver = spec.split("==", 1)
        pins[normalise(name)] = ver
    return pins


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(cmd: Sequence[str | os.PathLike[str]], *, env: Mapping[str, str] | None = None, cwd: Path | None = None,
        check: bool = True, capture: bool = False, timeout: float | None = None) -> subprocess.CompletedProcess[str]:
    """Run a command, echoing it; output goes through unless `capture`."""
    args = [str(c) for c in cmd]
    log("$ " + " ".join(shlex.quote(a) for a in args))
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    return subprocess.run(args, env=full_env, cwd=cwd or ROOT, check=check, text=True, timeout=timeout,
                          stdout=subprocess.PIPE if capture else None,
                          stderr=subprocess.STDOUT if capture else None)


class Timer:
    """Named durations of the build steps, printed at the end."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, float]] = []
        self.start = time.perf_counter()

    def step(self, name: str):  # type: ignore[no-untyped-def]
        timer = self

        class _Step:
            def __enter__(self) -> None:
                log(f"== {name}")
                self.t = time.perf_counter()

            def __exit__(self, *exc: object) -> None:
                timer.steps.append((name, time.perf_counter() - self.t))

        return _Step()

    def report(self) -> str:
        lines = [f"  {name:<44} {seconds:7.1f} s" for name, seconds in self.steps]
        lines.append(f"  {'total':<44} {time.perf_counter() - self.start:7.1f} s")
        return "\n".join(lines)


def stamp_ok(stamp: Path, inputs: Iterable[str]) -> bool:
    """Whether `stamp` records exactly these inputs (so a step can be skipped on a rerun)."""
    return stamp.is_file() and stamp.read_text(encoding="utf-8") == "\n".join(inputs)


def write_stamp(stamp: Path, inputs: Iterable[str]) -> None:
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text("\n".join(inputs), encoding="utf-8")


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"


def fresh_dir(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def python_for_venv() -> str:
    for candidate in ("python3.11", sys.executable):
        found = shutil.which(candidate) if os.sep not in candidate else candidate
        if found:
            return found
    raise SystemExit("python3.11 not found")
