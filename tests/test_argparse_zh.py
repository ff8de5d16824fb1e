"""The command line speaks Chinese (issue 13, item 13): argparse's own texts, every option's help
and metavar, and its error messages; `shot` as well as the commands."""

import argparse
import re

import pytest

from yibao_desktop.argparse_zh import wrap
from yibao_desktop.cli import main
from yibao_desktop.cli.parser import build_parser
from yibao_desktop.ui.shot import build_parser as shot_parser

CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH = ("usage:", "positional arguments", "options:", "optional arguments", "show this help",
           "show program's version", "error:", "required", "invalid", "expected", "unrecognized", "argument")


def _parsers():
    top = build_parser()
    yield "yibao-desktop", top
    sub = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction))
    yield from sub.choices.items()
    yield "shot", shot_parser()


@pytest.mark.parametrize("name,parser", list(_parsers()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_help_text_and_metavar_is_chinese(name, parser):
    text = parser.format_help()
    assert not [w for w in ENGLISH if w in text], text
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            continue
        assert action.help and CJK.search(action.help), (name, action.dest)
        if action.option_strings and action.nargs != 0:  # an option taking a value names it
            assert action.metavar is not None, (name, action.dest)


@pytest.mark.parametrize("argv", [
    ["export-pdf"],                                                          # missing arguments
    ["new", "--fund-type", "capacity", "--unit", "县", "--year", "x", "o"],  # not a number
    ["export-xlsx", "a", "b", "--form", "zz"],                               # not a choice
    ["check", "a", "b"],                                                     # one too many
    ["verify", "a.pdf", "--trust"],                                          # value missing
])
def test_usage_errors_are_told_in_chinese(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[0].startswith("用法：")
    last = err.strip().splitlines()[-1]
    assert last.startswith("参数错误：") and not [w for w in ENGLISH if w in last.lower()], last


def test_help_is_wrapped_by_display_width():
    lines = wrap("模板方案：standard（默认）、provincial_20_40_40、bands_80_50、transfer_only（不评分）", 30)
    assert all(sum(2 if "\u4e00" <= c <= "\u9fff" or c in "（）、：" else 1 for c in line) <= 30 for line in lines)
    assert "".join(lines) == "模板方案：standard（默认）、provincial_20_40_40、bands_80_50、transfer_only（不评分）"
    assert any(line.startswith("transfer_only") or line.startswith("bands_80_50") for line in lines)
