"""佐证材料 commands (the evidence service):

    evidence IN.yibao                              list the attached files
    evidence-add IN.yibao FILE... [--indicator N]  attach files to the report, or to indicator N (1-based)
    evidence-save IN.yibao N OUT                   write the N-th listed file out
    evidence-remove IN.yibao N                     take the N-th listed file off
"""

from __future__ import annotations

import argparse

from yibao_desktop.domain import formatting as fmt
from yibao_desktop.domain.errors import UserError
from yibao_desktop.domain.forms import SHA_SHOWN
from yibao_desktop.services import evidence, reports


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = sub.add_parser("evidence", help="列出报告的佐证材料")
    p.add_argument("path", metavar="IN.yibao", help="报告文件")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("evidence-add", help="添加佐证材料（PDF、JPG/PNG、XLSX、DOCX，单个不超过 20 MB）")
    p.add_argument("path", metavar="IN.yibao", help="报告文件")
    p.add_argument("files", metavar="FILE", nargs="+", help="要添加的文件（可多个）")
    p.add_argument("--indicator", type=int, default=None, metavar="N",
                   help="附到第 N 个三级指标（从 1 起）；不给出时附到报告整体")
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("evidence-save", help="把第 N 份佐证材料另存为文件")
    p.add_argument("path", metavar="IN.yibao", help="报告文件")
    p.add_argument("number", type=int, metavar="N", help="evidence 命令列出的序号")
    p.add_argument("out", metavar="OUT", help="保存为这个文件")
    p.set_defaults(func=cmd_save)

    p = sub.add_parser("evidence-remove", help="移除第 N 份佐证材料")
    p.add_argument("path", metavar="IN.yibao", help="报告文件")
    p.add_argument("number", type=int, metavar="N", help="evidence 命令列出的序号")
    p.set_defaults(func=cmd_remove)


def _pick(listed: list, number: int):  # type: ignore[no-untyped-def, type-arg]
    if not 1 <= number <= len(listed):
        raise UserError(f"没有第 {number} 份佐证材料（共 {len(listed)} 份，用 evidence 命令查看）")
    return listed[number - 1]


def cmd_list(args: argparse.Namespace) -> int:
    report = reports.read_report(args.path)
    listed = report.attachments()
    if not listed:
        print("（没有佐证材料）")
    for n, (a, index) in enumerate(listed, 1):
        print(f"{n}\t{a.name}\t{fmt.file_size(a.size)}\t{a.sha256[:SHA_SHOWN]}\t{evidence.target_label(report, index)}")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    indicator = None if args.indicator is None else args.indicator - 1
    with reports.open_document(args.path) as doc:
        if doc.read_only:
            raise UserError(doc.read_only_reason or f"文件「{doc.path.name}」只读，不能修改")
        if indicator is not None and not 0 <= indicator < len(doc.report.indicators):
            raise UserError(f"没有第 {args.indicator} 个指标（共 {len(doc.report.indicators)} 个）")
        for path in args.files:
            evidence.attach(doc, path, indicator)
            print(f"已添加：{path} → {evidence.target_label(doc.report, indicator)}")
    return 0


def cmd_save(args: argparse.Namespace) -> int:
    with reports.open_document(args.path, read_only=True) as doc:
        attachment, _ = _pick(doc.report.attachments(), args.number)
        out = evidence.save_copy(doc, attachment, args.out)
    print(f"已保存：{out}")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    with reports.open_document(args.path) as doc:
        if doc.read_only:
            raise UserError(doc.read_only_reason or f"文件「{doc.path.name}」只读，不能修改")
        _pick(doc.report.attachments(), args.number)  # a number out of range is told with the hint
        attachment, edits = evidence.remove_listed(doc.report, args.number - 1)
        doc.apply(edits)
    print(f"已移除：{attachment.name}")
    return 0
