"""Entry point: a command word runs headless (`cli`); a report file or nothing opens the window.

Nothing heavy is imported before it is needed: the window's start builds no argument parser and
imports neither openpyxl, ReportLab nor pyHanko; a command imports no Qt.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Sequence

from yibao_desktop.cli import COMMANDS, command_list, words


def _is_command(args: Sequence[str]) -> bool:
    """Whether the arguments run a headless command (not the window, the self-test or `shot`)."""
    found = words(args)
    return "--self-test" not in args and (
        (bool(found) and found[0] in COMMANDS) or "--version" in args or "-h" in args or "--help" in args)


def run() -> None:
    """The process's entry point (`python -m yibao_desktop`, the `yibao-desktop` script, the
    frozen build). A command that has returned ends the process at once, as mypy's `hard_exit`
    does: its files are written and closed, its pools shut down, so the interpreter's teardown
    (freeing every module and object one by one, about 30 ms after a PDF export) does nothing the
    user needs. The window and everything that raised take the normal exit."""
    args = sys.argv[1:]
    code = main(args)
    if _is_command(args):
        hard_exit(code)
    raise SystemExit(code)


def hard_exit(code: int) -> None:
    """Flush what was printed and end the process without the interpreter's teardown."""
    import os

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):  # closed, or no console (a windowed build)
            pass
    logging = sys.modules.get("logging")
    if logging is not None:
        logging.shutdown()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if "--self-test" in args:  # end-to-end check of an installed build; Qt only for its window step
        from yibao_desktop.selftest import main as self_test

        return self_test(args)
    found = words(args)
    first = found[0] if found else None
    if first == "shot":
        from yibao_desktop.ui.shot import main as shot  # Qt, offscreen

        return shot(args[args.index("shot") + 1:])
    if _is_command(args):
        from yibao_desktop import cli

        return cli.main(args)
    if first is not None and not Path(first).is_file():
        print(f"错误：「{first}」既不是命令，也不是已存在的报告文件。\n可用的命令：{command_list()}\n"
              f"用 yibao-desktop --help 查看说明；不带参数运行时打开图形界面。", file=sys.stderr)
        return 2
    from yibao_desktop.ui.main_window import run_gui  # Qt is imported only for the GUI

    return run_gui(args)
