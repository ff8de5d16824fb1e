"""`yibao-desktop shot FILE.yibao --tab NAME --out PNG [--size WxH]`: render the window offscreen
(for docs and visual checks). The file is opened read-only and never modified."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

from yibao_desktop.argparse_zh import Parser
from yibao_desktop.domain.errors import UserError


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="yibao-desktop shot", description="离屏渲染主窗口并保存为 PNG")
    parser.add_argument("path", metavar="FILE.yibao", help="报告文件（只读取，不修改）")
    parser.add_argument("--tab", default="概览", metavar="页", help="概览、资金、指标、评分、报告文字 或 佐证材料")
    parser.add_argument("--out", required=True, metavar="PNG", help="保存的图片文件")
    parser.add_argument("--size", default="1366x768", metavar="宽x高", help="窗口大小，如 1366x768")
    return parser


def main(argv: Sequence[str]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exit_:
        return int(exit_.code or 0)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from yibao_desktop.storage.repository import Document
    from yibao_desktop.ui.fonts import register_fonts
    from yibao_desktop.ui.main_window import TAB_NAMES, MainWindow

    if args.tab not in TAB_NAMES:
        print(f"错误：没有名为「{args.tab}」的页（可选：{'、'.join(TAB_NAMES)}）", file=sys.stderr)
        return 2
    try:
        width, height = (int(x) for x in args.size.lower().split("x"))
    except ValueError:
        print(f"错误：窗口大小「{args.size}」应写成 1366x768", file=sys.stderr)
        return 2
    from yibao_desktop.ui import errors

    # Headless: messages go to stderr instead of modal boxes nobody could close.
    errors.show_hook = lambda _kind, title, message: print(f"{title}：{message}", file=sys.stderr)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    register_fonts(app)  # type: ignore[arg-type]
    import shutil
    import tempfile

    # Render a private copy, so the original is never touched and the window is not "read-only".
    scratch = tempfile.mkdtemp(prefix="yibao-shot-")
    copy = os.path.join(scratch, os.path.basename(args.path))
    try:
        Document.open(args.path, read_only=True).close()  # refuses bad files untouched
        shutil.copyfile(args.path, copy)
        doc = Document.open(copy)
    except (UserError, OSError) as err:
        shutil.rmtree(scratch, ignore_errors=True)
        print(f"错误：{getattr(err, 'message', None) or err}", file=sys.stderr)
        return 2
    window = MainWindow(doc)
    window.resize(width, height)
    window.show()
    assert window.tabs is not None
    window.tabs.setCurrentIndex(TAB_NAMES.index(args.tab))
    app.processEvents()
    ok = window.grab().save(args.out)
    window.close()
    shutil.rmtree(scratch, ignore_errors=True)
    if not ok:
        print(f"错误：无法写入「{args.out}」", file=sys.stderr)
        return 2
    return 0
