"""The receiving end's totals: `aggregate PATH... OUT.xlsx [--trust CERT ...] [--pdf OUT.pdf]`.

Exit codes: 0 the workbook (and PDF) written, every package verified, signed and trusted;
1 written, but something needs a look: a package failed verification (listed in 未通过核验, not
in the totals), a report was read from a bare .yibao file (未签名), or a signer is not trusted;
2 a user error (a path that does not exist, a wrong output name): nothing written.
"""

from __future__ import annotations

import argparse
import sys

from yibao_desktop.domain.aggregate import Summary

MAX_LISTED = 20  # duplicates listed on the terminal; all of them are in the workbook


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = sub.add_parser("aggregate", help="核验并汇总多个报送包（U盘根目录、报送包文件夹或 .yibao 报告文件），生成汇总表",
                       description="核验每个报送包（文件完整、签名、PDF 与报告文件一致），把通过核验的报告按资金类型和年度汇总到"
                                   " Excel（汇总、指标对比、未通过核验、核验明细）。退出码：0 全部通过且可信；1 已生成汇总，"
                                   "但有未通过核验、未签名或签名人未确认的报送包；2 参数或文件错误，未生成任何文件。")
    p.add_argument("paths", nargs="+", metavar="PATH", help="报送包文件夹、存放报送包的文件夹（如U盘根目录）或 .yibao 报告文件")
    p.add_argument("out", metavar="OUT.xlsx", help="汇总表（Excel）")
    p.add_argument("--trust", action="append", default=[], metavar="CERT.cer", help="报送单位的公钥证书，可重复")
    p.add_argument("--pdf", default=None, metavar="OUT.pdf", help="同时生成可打印的汇总PDF")
    p.add_argument("--workers", type=int, default=None, metavar="N", help="同时核验的进程数（默认为 CPU 核数）")
    p.set_defaults(func=cmd_aggregate)


def _progress(done: int, total: int, _outcome: object) -> None:
    print(f"\r正在核验…… {done}/{total}", end="" if done < total else "\n", file=sys.stderr, flush=True)


def report_lines(summary: Summary) -> list[str]:
    """What the command prints: the counts, every failure and duplicate, and what needs a look."""
    from yibao_desktop.domain.aggregate_forms import counts_line

    lines = [counts_line(summary) + "。"]
    for group in summary.groups:
        lines.append(f"  {group.label}：{len(group.entries)} 个单位")
    if summary.failures:
        lines.append("未通过核验（不计入汇总）：")
        for failure in summary.failures:
            reason = failure.reason.replace("\n", "；")
            lines.append(f"  ✘ {failure.name}：{reason}")
    if summary.duplicates:
        lines.append("重复报送（保留较新的报送包）：")
        for dup in summary.duplicates[:MAX_LISTED]:
            lines.append(f"  {dup.entry.unit} {dup.entry.year}年度 {dup.entry.fund_label}：已被「{dup.kept.source}」取代"
                         f"（「{dup.entry.source}」不计入合计）")
        if len(summary.duplicates) > MAX_LISTED:
            lines.append(f"  ……另有 {len(summary.duplicates) - MAX_LISTED} 个，见汇总表的“核验明细”")
    if summary.unsigned or summary.untrusted:
        lines.append("请注意（已计入汇总）：")
    for entry in summary.unsigned:
        lines.append(f"  ！ {entry.unit}：直接读取的报告文件，未签名（{entry.source}）")
    for entry in summary.untrusted:
        lines.append(f"  ！ {entry.unit}：签名人 {entry.signer} 的证书不在受信任证书之中（用 --trust 指定该单位的公钥证书）")
    return lines


def cmd_aggregate(args: argparse.Namespace) -> int:
    from yibao_desktop.domain.errors import UserError
    from yibao_desktop.services import aggregate

    if args.workers is not None and args.workers < 1:
        raise UserError("--workers 应为不小于 1 的整数")
    # Both output names are checked before any package is read: a package folder typed last by
    # mistake must not be taken for the workbook.
    aggregate.check_output(args.out, ".xlsx")
    if args.pdf is not None:
        aggregate.check_output(args.pdf, ".pdf")
    summary = aggregate.aggregate(args.paths, args.trust, workers=args.workers,
                                  on_result=_progress if sys.stderr.isatty() else None)
    written = aggregate.save(summary, args.out, args.pdf)
    print("\n".join(report_lines(summary)))
    print(f"汇总表已写入：{written.workbook}")
    if written.pdf is not None:
        print(f"汇总PDF已写入：{written.pdf}")
    return 0 if summary.clean else 1
