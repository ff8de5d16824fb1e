"""Excel commands (export-xlsx, export-data, import-xlsx) over the Excel service."""

from __future__ import annotations

import argparse
import sys

from yibao_desktop.domain.forms import FORM_TITLES, FORMS
from yibao_desktop.exchange.excel.schema import MODES

FORM_CHOICES = {"project": ("project",), "transfer": ("transfer",), "both": FORMS}


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add this module's subcommands to `sub`."""
    p = sub.add_parser("export-xlsx", help="导出绩效自评表（Excel）")
    p.add_argument("path", metavar="IN.yibao", help="报告文件（只读取）")
    p.add_argument("out", metavar="OUT.xlsx", help="导出的 Excel 文件")
    p.add_argument("--form", choices=tuple(FORM_CHOICES), default="both", metavar="表",
                   help="project：项目支出绩效自评表；transfer：中央对地方转移支付区域绩效自评表；both：两张都导出（默认）")
    p.set_defaults(func=cmd_export_xlsx)

    p = sub.add_parser("export-data", help="导出可编辑、可再导入的数据工作簿（Excel）")
    p.add_argument("path", metavar="IN.yibao", help="报告文件（只读取）")
    p.add_argument("out", metavar="OUT.xlsx", help="导出的数据工作簿")
    p.set_defaults(func=cmd_export_data)

    p = sub.add_parser("import-xlsx", help="从 Excel（.xlsx、.xls）或 WPS/LibreOffice 表格（.ods）导入绩效指标、"
                                          "支出明细、资金来源或数据工作簿")
    p.add_argument("path", metavar="IN.yibao", help="导入到这个报告文件")
    p.add_argument("book", metavar="BOOK.xlsx|BOOK.xls", help="要导入的工作簿（.xlsx、.xls、.ods；不会被修改）")
    p.add_argument("--sheet", default=None, metavar="工作表", help="只导入这一张工作表")
    p.add_argument("--mode", choices=MODES, default=None, metavar="方式",
                   help="replace：替换（现有行将被删除）；append：追加；merge：按指标名称合并（仅绩效指标）。"
                        "默认：支出明细和资金来源追加，绩效指标合并；数据工作簿总是整体替换")
    p.add_argument("--dry-run", action="store_true", help="只检查并列出将要进行的修改，不改动报告")
    p.set_defaults(func=cmd_import_xlsx)


def cmd_export_xlsx(args: argparse.Namespace) -> int:
    from yibao_desktop.domain.calc import compute
    from yibao_desktop.services import excel, reports

    forms = FORM_CHOICES[args.form]
    report = reports.read_report(args.path)
    result = compute(report)
    if result.errors:
        print(f"注意：报告还有 {len(result.errors)} 个错误（可用 check 命令查看），导出的表格可能不完整。", file=sys.stderr)
    excel.export_forms(report, args.out, forms, result)
    print(f"已导出 {'、'.join(FORM_TITLES[f] for f in forms)}：{args.out}", file=sys.stderr)
    return 0


def cmd_export_data(args: argparse.Namespace) -> int:
    from yibao_desktop.services import excel, reports

    excel.export_data(reports.read_report(args.path), args.out)
    print(f"已导出数据工作簿：{args.out}", file=sys.stderr)
    return 0


def cmd_import_xlsx(args: argparse.Namespace) -> int:
    from yibao_desktop.exchange.excel.read import ExcelImportError
    from yibao_desktop.exchange.excel.schema import COLLECTION_LABELS, MODE_LABELS
    from yibao_desktop.services import excel, reports

    with reports.open_document(args.path, read_only=args.dry_run) as doc:
        plan = excel.plan_import(doc.report, args.book, args.sheet, args.mode)
        for notice in plan.notices:
            print(f"提示：{notice}")
        if plan.problems:
            raise ExcelImportError(plan.problems, plan.result.path)
        if plan.result.data_workbook:
            how = "数据工作簿（整体替换）"
        else:
            kinds = dict.fromkeys(t.kind for t in plan.result.tables)
            how = "、".join(f"{COLLECTION_LABELS[k]}（{MODE_LABELS[plan.mode.get(k, 'replace')]}）" for k in kinds)
        print(f"导入方式：{how}")
        print(plan.summary())
        if args.dry_run:
            print("（试运行：报告未作改动）")
            return 0
        if plan.edits:
            doc.apply(list(plan.edits))
            print(f"已导入到 {args.path}", file=sys.stderr)
    return 0
