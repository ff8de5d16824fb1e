"""Headless command line: `yibao-desktop SUBCOMMAND ...` (no Qt is imported here).

Exit codes: 0 success; 1 `check` found error-severity findings; 2 a user error (bad file,
bad JSON, bad arguments), printed in Chinese on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Callable, Sequence

from yibao_desktop import __version__
from yibao_desktop.domain.calc import compute
from yibao_desktop.domain.errors import UserError
from yibao_desktop.domain.interchange import report_from_json, report_to_json
from yibao_desktop.domain.money import fmt_money
from yibao_desktop.domain.report import FUND_TYPES, Report
from yibao_desktop.storage.repository import Document
from yibao_desktop.templates import load_template, new_report, start_next_year

SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's default exits 2 with English text
        self.print_usage(sys.stderr)
        print(f"参数错误：{message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="yibao-desktop", description="医保绩效自评助手（不带参数运行时打开图形界面）")
    parser.add_argument("--version", action="version", version=f"yibao-desktop {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=_Parser)

    p = sub.add_parser("load", help="由 JSON 报告生成 .yibao 文件")
    p.add_argument("json_path", metavar="REPORT.json")
    p.add_argument("out", metavar="OUT.yibao")
    p.add_argument("--force", action="store_true", help="覆盖已存在的输出文件")
    p.set_defaults(func=cmd_load)

    p = sub.add_parser("dump", help="把 .yibao 文件输出为 JSON")
    p.add_argument("path", metavar="IN.yibao")
    p.set_defaults(func=cmd_dump)

    p = sub.add_parser("compute", help="输出全部计算结果（JSON）")
    p.add_argument("path", metavar="IN.yibao")
    p.set_defaults(func=cmd_compute)

    p = sub.add_parser("new", help="按模板新建报告")
    p.add_argument("--fund-type", required=True, choices=FUND_TYPES)
    p.add_argument("--unit", required=True, help="单位名称，如 某县医疗保障局")
    p.add_argument("--year", required=True, type=int)
    p.add_argument("--variant", default=None, help="模板方案，如 capacity 的 standard 或 evaluation")
    p.add_argument("out", metavar="OUT.yibao")
    p.add_argument("--force", action="store_true", help="覆盖已存在的输出文件")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("check", help="检查报告，列出发现的问题；有错误时退出码为 1")
    p.add_argument("path", metavar="IN.yibao")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("next-year", help="由上年度报告文件（.yibao 或 Excel 自评表/数据工作簿）新建本年度报告")
    p.add_argument("last", metavar="LAST.yibao|LAST.xlsx")
    p.add_argument("out", metavar="OUT.yibao")
    p.add_argument("--year", type=int, default=None, help="新报告年度（默认上年度 + 1）")
    p.add_argument("--force", action="store_true", help="覆盖已存在的输出文件")
    p.set_defaults(func=cmd_next_year)

    # Export, signing and Excel commands live beside their features; each module adds its own.
    from yibao_desktop.cli import excel as cli_excel, pdf as cli_pdf, submission as cli_package

    cli_pdf.register(sub)
    cli_excel.register(sub)
    cli_package.register(sub)
    return parser


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _open(path: str) -> Document:
    return Document.open(path, read_only=True)


def cmd_load(args: argparse.Namespace) -> int:
    try:
        text = Path(args.json_path).read_text(encoding="utf-8-sig")
    except OSError as err:
        raise UserError(f"无法读取「{args.json_path}」：{err.strerror or err}") from None
    except UnicodeDecodeError:
        raise UserError(f"「{args.json_path}」不是 UTF-8 编码的文本文件") from None
    report = report_from_json(text)
    Document.create(args.out, report, overwrite=args.force).close()
    print(f"已生成 {args.out}", file=sys.stderr)
    return 0


def cmd_dump(args: argparse.Namespace) -> int:
    with _open(args.path) as doc:
        sys.stdout.write(report_to_json(doc.report))
    return 0


def cmd_compute(args: argparse.Namespace) -> int:
    with _open(args.path) as doc:
        _print_json(compute(doc.report))
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    load_template(args.fund_type)
    report = new_report(args.fund_type, args.unit, args.year, args.variant)
    Document.create(args.out, report, overwrite=args.force).close()
    print(f"已按模板「{load_template(args.fund_type).label}」生成 {args.out}", file=sys.stderr)
    return 0


def last_year_report(path: str, year: int | None = None) -> Report:
    """Next year's report from last year's .yibao (any schema version) or Excel; only read."""
    if Path(path).suffix.lower() in (".xlsx", ".xlsm"):
        from yibao_desktop.exchange.excel.lastyear import next_year_from_workbook

        return next_year_from_workbook(path, year)
    with _open(path) as last:  # read-only: last year's file is never modified
        report = start_next_year(last.report, year)
        if report.meta.year <= last.report.meta.year:
            raise UserError(f"新报告年度 {report.meta.year} 应晚于上年度 {last.report.meta.year}")
    return report


def cmd_next_year(args: argparse.Namespace) -> int:
    report = last_year_report(args.last, args.year)
    Document.create(args.out, report, overwrite=args.force).close()
    carried = sum((i.amount for i in report.incomes), Decimal(0))
    print(f"已生成 {args.out}：{report.meta.year} 年度，结转资金 {fmt_money(carried)} 元，"
          f"指标 {len(report.indicators)} 个（上年实际值已作为基数）", file=sys.stderr)
    return 0


def format_findings(findings: Sequence[dict[str, str]]) -> str:
    """A readable Chinese list, grouped by severity."""
    if not findings:
        return "未发现问题。"
    lines = []
    for severity in ("error", "warning", "info"):
        group = [f for f in findings if f["severity"] == severity]
        if not group:
            continue
        lines.append(f"{SEVERITY_LABELS[severity]}（{len(group)} 项）：")
        for n, f in enumerate(group, 1):
            lines.append(f"  {n}. {f['message']}  〔{f['where']}｜{f['code']}〕")
    return "\n".join(lines)


def cmd_check(args: argparse.Namespace) -> int:
    with _open(args.path) as doc:
        result = compute(doc.report)
    findings = result["findings"]
    print(format_findings(findings))
    errors = sum(1 for f in findings if f["severity"] == "error")
    print(f"\n合计：错误 {errors} 项，警告 {sum(1 for f in findings if f['severity'] == 'warning')} 项，"
          f"提示 {sum(1 for f in findings if f['severity'] == 'info')} 项。总分 {result['total_score']}，"
          f"等级「{result['grade']}」。")
    return 1 if errors else 0


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        reconfigure: Callable[..., None] | None = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8")
    parser = build_parser()
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
