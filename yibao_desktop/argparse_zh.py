"""argparse in Chinese, for every command line of the program (the commands in `cli`, and `shot`
in `ui`): argparse's own texts (usage, headings, errors) are translated, and a usage error prints
"参数错误：…" and exits 2. No Qt, no other import of ours: both faces use it."""

from __future__ import annotations

import argparse
import sys
import unicodedata
from typing import Any

# argparse's messages (Python 3.11), in the words county staff read.
_ZH = {
    "usage: ": "用法：",
    "positional arguments": "参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示程序版本并退出",
    "expected at least one argument": "至少需要一个值",
    "expected at most one argument": "最多只能有一个值",
    "expected %s argument": "需要 %s 个值",
    "expected %s arguments": "需要 %s 个值",
    "ignored explicit argument %r": "多余的值 %r",
    "can't open '%(filename)s': %(error)s": "无法打开「%(filename)s」：%(error)s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "未知的命令 %(parser_name)r（可选：%(choices)s）",
    "the following arguments are required: %s": "缺少参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 %(value)r（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "无效的值 %(value)r（应为%(type)s）",
    "expected one argument": "需要一个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是 %(matches)s",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "one of the arguments %s is required": "必须给出以下参数之一：%s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
}


def _translate(text: str) -> str:
    return _ZH.get(text, text)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return _translate(singular if n == 1 else plural)


argparse._ = _translate  # type: ignore[attr-defined]  # argparse looks its messages up through `_`
argparse.ngettext = _ngettext  # type: ignore[attr-defined]


def integer(text: str) -> int:
    """`type=` for whole numbers; argparse names the type in its message ("应为整数")."""
    return int(text)


integer.__name__ = "整数"


def _columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _in_word(ch: str) -> bool:
    return ch.isascii() and not ch.isspace()


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` terminal columns, a Chinese character taking two; an ASCII word
    at the end of a line moves to the next one whole."""
    lines: list[str] = []
    line = ""
    for ch in " ".join(text.split()):
        if line and _columns(line + ch) > width:
            cut = len(line)
            if _in_word(ch):
                start = cut
                while start > 0 and _in_word(line[start - 1]):
                    start -= 1
                cut = start or cut
            lines.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
        line += ch
    if line.strip():
        lines.append(line.rstrip())
    return lines


class HelpFormatter(argparse.HelpFormatter):
    """Help texts on their own lines under each option (argparse aligns columns by counting
    characters, which puts Chinese metavars out of line) and wrapped by display width."""

    def __init__(self, prog: str, max_help_position: int = 6) -> None:
        super().__init__(prog, max_help_position=max_help_position)

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap(text, width)


class Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # argparse's default exits 2; the text is ours
        self.print_usage(sys.stderr)
        print(f"参数错误：{message}", file=sys.stderr)
        raise SystemExit(2)


