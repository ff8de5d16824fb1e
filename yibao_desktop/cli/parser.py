"""The argument parser, in Chinese (argparse's own texts are translated in `argparse_zh`); every
command group registers its subcommands."""

from __future__ import annotations

import argparse
import importlib

from yibao_desktop import __version__
from yibao_desktop.argparse_zh import HelpFormatter, Parser
from yibao_desktop.cli import COMMANDS, GROUPS

__all__ = ["Parser", "build_parser"]


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or, for a known `command`, one that registers only the group defining it
    (a command then imports only what it runs: the other groups import their services)."""
    groups = (COMMANDS[command],) if command in COMMANDS else GROUPS
    parser = Parser(prog="yibao-desktop", description="医保绩效自评助手（不带参数运行时打开图形界面）",
                    formatter_class=lambda prog: HelpFormatter(prog, max_help_position=20))  # ASCII names line up
    parser.add_argument("--version", action="version", version=f"yibao-desktop {__version__}", help="显示程序版本并退出")
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=Parser)
    for group in groups:
        importlib.import_module(f"yibao_desktop.cli.{group}").register(sub)
    return parser
