"""Headless command line: `yibao-desktop COMMAND ...`, thin faces over `yibao_desktop.services`
(no Qt is imported here, and nothing heavy at import time: `app.py` reads `COMMANDS` to dispatch
before any parser is built).

Exit codes: 0 success; 1 `check` found error findings, `verify` found an altered file,
`verify-package` failed, `aggregate` wrote its workbook but some package failed verification or
is unsigned or untrusted; 2 a user error (bad file, bad JSON, bad arguments), printed in Chinese
on stderr.
"""

from __future__ import annotations

import sys
from typing import Callable, Sequence

# command -> the module of this package that registers it (imported only when a command runs)
COMMANDS: dict[str, str] = {
    "new": "reports", "next-year": "reports", "load": "reports", "dump": "reports", "compute": "reports",
    "check": "reports",
    "export-pdf": "pdf", "sign": "pdf", "verify": "pdf", "cert-new": "pdf", "cert-import": "pdf",
    "cert-export": "pdf", "cert-show": "pdf",
    "export-xlsx": "excel", "export-data": "excel", "import-xlsx": "excel",
    "package": "submission", "verify-package": "submission",
    "aggregate": "aggregate",
    "evidence": "evidence", "evidence-add": "evidence", "evidence-save": "evidence", "evidence-remove": "evidence",
}
GROUPS = ("reports", "evidence", "pdf", "excel", "submission", "aggregate")


# Qt's own options that take a value (`-platform offscreen`), which are not file names.
QT_VALUE_OPTIONS = ("-platform", "-style", "-qwindowgeometry", "-stylesheet")


def words(args: Sequence[str]) -> list[str]:
    """The arguments that are neither options nor the value of a Qt option: the command word, if
    any, comes first (app.py dispatches on it, the parser registers its group)."""
    out, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg in QT_VALUE_OPTIONS:
            skip = True
        elif not arg.startswith("-"):
            out.append(arg)
    return out


def command_list() -> str:
    """The commands, for a message naming what can be run."""
    return "、".join(COMMANDS) + "、shot"


def main(argv: Sequence[str] | None = None) -> int:
    from yibao_desktop.cli.parser import build_parser
    from yibao_desktop.domain.errors import UserError
    from yibao_desktop.runtime import settle

    for stream in (sys.stdout, sys.stderr):
        reconfigure: Callable[..., None] | None = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8")
    argv = list(sys.argv[1:] if argv is None else argv)
    found = words(argv)
    parser = build_parser(found[0] if found else None)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, --version, or a usage error already printed
        return int(exit_.code or 0)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except UserError as err:
        print(f"错误：{err}", file=sys.stderr)
        return 2
    finally:
        settle()  # a one-off command: no final collection over everything it made
