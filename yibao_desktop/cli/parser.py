"""The argument parser, in Chinese: argparse's own texts (usage, headings, errors) are translated
here, and every command group registers its subcommands."""

from __future__ import annotations

import argparse
import importlib
import sys

from yibao_desktop import __version__
from yibao_desktop.cli import GROUPS

# argparse's messages (Python 3.11), in the words county staff read.
_ZH = {
    "usage: ": "用法：",
    "positional arguments": "参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示程序版本并退出",
    "the following arguments are required: %s": "缺少参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 %(value)r（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "无效的 %(type)s 值：%(value)r",
    "expected one argument": "需要一个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是 %(matches)s",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "one of the arguments %s is required": "必须给出以下参数之一：%s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
}


def _translate(text: str) -> str:
    return _ZH.get(text, text)


argparse._ = _translate  # type: ignore[attr-defined]  # argparse looks its messages up through `_`


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's default exits 2; the text is ours
        self.print_usage(sys.stderr)
        print(f"参数错误：{message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="yibao-desktop", description="医保绩效自评助手（不带参数运行时打开图形界面）")
    parser.add_argument("--version", action="version", version=f"yibao-desktop {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=Parser)
    for group in GROUPS:
        importlib.import_module(f"yibao_desktop.cli.{group}").register(sub)
    return parser
