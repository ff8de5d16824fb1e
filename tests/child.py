"""Running a script in a fresh interpreter: what a process imports, how it starts and ends."""

from __future__ import annotations

import subprocess
import sys
from typing import Mapping


def child_output(script: str, *args: str, env: Mapping[str, str] | None = None) -> list[str]:
    """The stdout lines of `python -c script args...`; the test fails unless it exits 0."""
    proc = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                          encoding="utf-8", env=None if env is None else dict(env), timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.strip().splitlines()
