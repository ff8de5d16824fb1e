"""Entry point: with a subcommand, run headless (cli.py); without one, open the window."""

from __future__ import annotations

import sys
from typing import Sequence

from yibao_desktop import cli


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if "--self-test" in args:  # end-to-end check of an installed build; Qt only for its window step
        from yibao_desktop.selftest import main as self_test

        return self_test(args)
    first = next((a for a in args if not a.startswith("-")), None)
    subcommands = set(cli.build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    if first == "shot":
        from yibao_desktop.ui.shot import main as shot  # Qt, offscreen

        return shot(args[args.index("shot") + 1:])
    if first in subcommands or "--version" in args or "-h" in args or "--help" in args:
        return cli.main(args)
    from yibao_desktop.ui.main_window import run_gui  # Qt is imported only for the GUI

    return run_gui(args)
