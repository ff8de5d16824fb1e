"""The PDF report: GB/T 9704 typesetting, tables, charts and fonts (ReportLab, no Qt).

ReportLab's page layout (`reportlab.platypus`) imports its Paragraph module, and that import
compiles `uri_pat`, a case-insensitive pattern over the characters U+00A1–U+FFFF used only when a
Paragraph splits a link. Compiling it costs about 20 ms, a twentieth of a draft export, and we
never draw a Paragraph. So this package, which every PDF module of ours is part of, imports
platypus first with that one pattern deferred: it compiles on first use (`_Deferred`); every other
pattern compiles as usual, and `re.compile` is ReportLab's own again once platypus is imported.
If a ReportLab version spells the pattern differently, nothing is deferred and nothing changes.
"""

from __future__ import annotations

import importlib
import re
import sys
import threading
from typing import Any

_real_compile = re.compile
_DEFERRED_RANGE = "\xa1-\uffff"  # what makes the pattern slow to compile, ignoring case


class _Deferred:
    """A pattern compiled when first used."""

    def __init__(self, pattern: str, flags: int):
        self._args = (pattern, flags)
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = _real_compile(*self._args)
        return getattr(compiled, name)


def _compile(pattern: Any, flags: Any = 0) -> Any:
    if isinstance(pattern, str) and flags & re.IGNORECASE and _DEFERRED_RANGE in pattern:
        return _Deferred(pattern, flags)
    return _real_compile(pattern, flags)


_lock = threading.Lock()


def _import_platypus() -> None:
    with _lock:
        if "reportlab.platypus" in sys.modules:
            return
        re.compile = _compile  # type: ignore[assignment]
        try:
            importlib.import_module("reportlab.platypus")
        finally:
            re.compile = _real_compile


_import_platypus()
