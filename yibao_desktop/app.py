"""Entry point: a command word runs headless (`cli`); a report file or nothing opens the window.

Nothing heavy is imported before it is needed: the window's start builds no argument parser and
imports neither openpyxl, ReportLab nor pyHanko; a command imports no Qt.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Sequence

from yibao_desktop.cli import COMMANDS, command_list

# Qt's own options that take a value (`-platform offscreen`), which are not file names.
QT_VALUE_OPTIONS = ("-platform", "-style", "-qwindowgeometry", "-stylesheet")


def _words(args: Sequence[str]) -> list[str]:
    """The arguments that are neither options nor the value of a Qt option."""
    out, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg in QT_VALUE_OPTIONS:
            skip = True
        elif not arg.startswith("-"):
            out.append(arg)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if "--self-test" in args:  # end-to-end check of an installed build; Qt only for its window step
        from yibao_desktop.selftest import main as self_test

        return self_test(args)
    words = _words(args)
    first = words[0] if words else None
    if first == "shot":
        from yibao_desktop.ui.shot import main as shot  # Qt, offscreen

        return shot(args[args.index("shot") + 1:])
    if first in COMMANDS or "--version" in args or "-h" in args or "--help" in args:
        from yibao_desktop import cli

        return cli.main(args)
    if first is not None and not Path(first).is_file():
        print(f"错误：「{first}」既不是命令，也不是已存在的报告文件。\n可用的命令：{command_list()}\n"
              f"用 yibao-desktop --help 查看说明；不带参数运行时打开图形界面。", file=sys.stderr)
        return 2
    from yibao_desktop.ui.main_window import run_gui  # Qt is imported only for the GUI

    return run_gui(args)
