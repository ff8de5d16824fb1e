"""Report commands: new, next-year, load, dump, compute, check."""

from __future__ import annotations

import argparse
import sys

from yibao_desktop.argparse_zh import integer
from yibao_desktop.domain.report import FUND_TYPES
from yibao_desktop.services import reports


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = sub.add_parser("new", help="按模板新建报告")
    p.add_argument("--fund-type", required=True, choices=FUND_TYPES, metavar="资金类型",
                   help="资金类型：" + "、".join(FUND_TYPES))
    p.add_argument("--unit", required=True, metavar="单位", help="单位名称，如 某县医疗保障局")
    p.add_argument("--year", required=True, type=integer, metavar="年度", help="报告年度")
    p.add_argument("--variant", default=None, metavar="方案", help="模板方案：standard（默认）、provincial_20_40_40、bands_80_50、transfer_only（不评分），capacity 另有 evaluation")
    p.add_argument("out", metavar="OUT.yibao", help="新报告文件")
    p.add_argument("--force", action="store_true", help="覆盖已存在的输出文件")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("next-year", help="由上年度报告文件（.yibao 或 Excel 自评表/数据工作簿）新建本年度报告")
    p.add_argument("last", metavar="LAST.yibao|LAST.xlsx|LAST.xls", help="上年度报告文件，或上年的自评表/数据工作簿（只读取，不修改）")
    p.add_argument("out", metavar="OUT.yibao", help="本年度新报告文件")
    p.add_argument("--year", type=integer, default=None, metavar="年度", help="新报告年度（默认上年度 + 1）")
    p.add_argument("--force", action="store_true", help="覆盖已存在的输出文件")
    p.set_defaults(func=cmd_next_year)

    p = sub.add_parser("load", help="由 JSON 报告生成 .yibao 文件")
    p.add_argument("json_path", metavar="REPORT.json", help="JSON 格式的报告（格式见 docs/interchange.md）")
    p.add_argument("out", metavar="OUT.yibao", help="生成的报告文件")
    p.add_argument("--force", action="store_true", help="覆盖已存在的输出文件")
    p.set_defaults(func=cmd_load)

    p = sub.add_parser("dump", help="把 .yibao 文件输出为 JSON")
    p.add_argument("path", metavar="IN.yibao", help="报告文件（只读取）")
    p.set_defaults(func=cmd_dump)

    p = sub.add_parser("compute", help="输出全部计算结果（JSON）")
    p.add_argument("path", metavar="IN.yibao", help="报告文件（只读取）")
    p.set_defaults(func=cmd_compute)

    p = sub.add_parser("check", help="检查报告，列出发现的问题；有错误时退出码为 1")
    p.add_argument("path", metavar="IN.yibao", help="报告文件（只读取）")
    p.set_defaults(func=cmd_check)


def cmd_new(args: argparse.Namespace) -> int:
    label = reports.template_label(args.fund_type)
    reports.new_document(args.out, args.fund_type, args.unit, args.year, args.variant, overwrite=args.force).close()
    print(f"已按模板「{label}」生成 {args.out}", file=sys.stderr)
    return 0


def cmd_next_year(args: argparse.Namespace) -> int:
    from yibao_desktop.services import nextyear

    doc, made = nextyear.create_next_year(args.last, args.out, args.year, overwrite=args.force)
    doc.close()
    print(f"已生成 {args.out}：{made.summary()}", file=sys.stderr)
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    reports.load_json(args.json_path, args.out, overwrite=args.force)
    print(f"已生成 {args.out}", file=sys.stderr)
    return 0


def cmd_dump(args: argparse.Namespace) -> int:
    sys.stdout.write(reports.dump_json(args.path))
    return 0


def cmd_compute(args: argparse.Namespace) -> int:
    sys.stdout.write(reports.compute_json(args.path))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    result = reports.check(args.path)
    print(reports.format_findings(result.findings))
    print(f"\n{reports.check_summary(result)}")
    return 1 if result.errors else 0
