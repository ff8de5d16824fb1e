"""PDF and certificate commands (the export, keystore and verification services):

    export-pdf IN.yibao OUT.pdf [--draft] [--date YYYY-MM-DD]
    sign IN.pdf OUT.pdf --p12 F [--password-file F] [--seal PNG]
    verify PDF [--trust CERT.cer ...]        exit 0 intact+trusted, 1 altered/unsigned, 2 intact untrusted
    cert-new --unit U --signer S [--p12 F] [--password-file F] [--force]
    cert-import FILE.p12 [--password-file F]
    cert-export OUT.cer [--p12 F] [--password-file F]
    cert-show [--p12 F] [--password-file F]

Passwords come from --password-file (first line) or are asked for on the terminal.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import date
from pathlib import Path

from yibao_desktop.fileio import os_reason
from yibao_desktop.domain.errors import UserError


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = sub.add_parser("export-pdf", help="导出 PDF 报告（正式版；有错误时请用 --draft 导出草稿）")
    p.add_argument("path", metavar="IN.yibao", help="报告文件（只读取）")
    p.add_argument("out", metavar="OUT.pdf", help="导出的 PDF 文件")
    p.add_argument("--draft", action="store_true", help="导出带“草稿”水印的草稿版（不检查错误）")
    p.add_argument("--date", default=None, metavar="日期", help="成文日期，如 2025-01-20（默认今天）")
    p.set_defaults(func=cmd_export_pdf)

    p = sub.add_parser("sign", help="用单位证书对 PDF 报告签名")
    p.add_argument("path", metavar="IN.pdf", help="要签名的 PDF 报告（正式版）")
    p.add_argument("out", metavar="OUT.pdf", help="签名后的 PDF 文件")
    p.add_argument("--p12", required=True, metavar="证书.p12", help="单位证书文件（.p12/.pfx）")
    p.add_argument("--password-file", default=None, metavar="密码文件", help="存放证书密码的文本文件（第一行）；不给出时在终端输入")
    p.add_argument("--seal", default=None, metavar="印章.png", help="印章图片（PNG，透明背景为佳）")
    p.set_defaults(func=cmd_sign)

    p = sub.add_parser("verify", help="核验 PDF 签名；退出码 0 完好且可信，1 已被改动，2 完好但签名人未确认")
    p.add_argument("path", metavar="PDF", help="要核验的 PDF 文件")
    p.add_argument("--trust", action="append", default=[], metavar="CERT.cer", help="受信任的单位证书（可多次给出）")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("cert-new", help="创建单位签名证书（自签名，保存在数据文件夹）")
    p.add_argument("--unit", required=True, metavar="单位", help="单位名称")
    p.add_argument("--signer", required=True, metavar="姓名", help="签名人姓名")
    p.add_argument("--p12", default=None, metavar="证书.p12", help="保存位置（默认数据文件夹 signing/unit-certificate.p12）")
    p.add_argument("--password-file", default=None, metavar="密码文件", help="存放证书密码的文本文件（第一行）；不给出时在终端输入")
    p.add_argument("--force", action="store_true", help="覆盖已有证书")
    p.set_defaults(func=cmd_cert_new)

    p = sub.add_parser("cert-import", help="导入已有的 .p12/.pfx 证书")
    p.add_argument("source", metavar="FILE.p12", help="已有的单位证书（.p12/.pfx）")
    p.add_argument("--password-file", default=None, metavar="密码文件", help="存放证书密码的文本文件（第一行）；不给出时在终端输入")
    p.set_defaults(func=cmd_cert_import)

    p = sub.add_parser("cert-export", help="导出公钥证书（.cer），交给接收报告的单位")
    p.add_argument("out", metavar="OUT.cer", help="公钥证书文件，交给接收报告的单位")
    p.add_argument("--p12", default=None, metavar="证书.p12", help="单位证书（默认使用本机保存的单位证书）")
    p.add_argument("--password-file", default=None, metavar="密码文件", help="存放证书密码的文本文件（第一行）；不给出时在终端输入")
    p.set_defaults(func=cmd_cert_export)

    p = sub.add_parser("cert-show", help="显示单位证书信息")
    p.add_argument("--p12", default=None, metavar="证书.p12", help="单位证书（默认使用本机保存的单位证书）")
    p.add_argument("--password-file", default=None, metavar="密码文件", help="存放证书密码的文本文件（第一行）；不给出时在终端输入")
    p.set_defaults(func=cmd_cert_show)


def read_password(path: str | None, prompt: str = "证书密码：") -> str:
    if path is not None:
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except OSError as err:
            raise UserError(f"无法读取密码文件「{path}」：{os_reason(err)}") from None
        lines = text.splitlines()
        return lines[0] if lines else ""
    if not sys.stdin or not sys.stdin.isatty():
        raise UserError("请用 --password-file 指定证书密码文件")
    return getpass.getpass(prompt)


def read_seal(path: str | None) -> bytes | None:
    """The --seal PNG, if one was given."""
    if not path:
        return None
    try:
        return Path(path).read_bytes()
    except OSError as err:
        raise UserError(f"无法读取印章图片「{path}」：{os_reason(err)}") from None


def _progress(pct: int, message: str) -> None:
    print(f"\r{message}…… {pct}%", end="" if pct < 100 else "\n", file=sys.stderr, flush=True)


def cmd_export_pdf(args: argparse.Namespace) -> int:
    from yibao_desktop.services import export, reports

    issued = None
    if args.date:
        try:
            issued = date.fromisoformat(args.date)
        except ValueError:
            raise UserError(f"日期「{args.date}」格式不对，应为 2025-01-20 的形式") from None
    from yibao_desktop.domain import rules
    from yibao_desktop.domain.calc import compute

    report = reports.read_report(args.path)
    export.check_exportable(report)  # before the warnings: a refused report gets no list of them
    computed = compute(report)
    if not args.draft:
        warnings = rules.final_warnings(computed)
        if warnings:
            print(f"注意：正式版有 {len(warnings)} 项警告，请核对：", file=sys.stderr)
            for w in warnings:
                print(f"  · {w}", file=sys.stderr)
    result = export.export_pdf(report, args.out, "draft" if args.draft else "final", issued=issued,
                               result=computed, progress=_progress if sys.stderr.isatty() else None)
    kind = "草稿" if result.draft else "正式版"
    print(f"已导出{kind} {result.path}（{result.pages} 页，{result.size // 1024} KB）", file=sys.stderr)
    return 0


def cmd_sign(args: argparse.Namespace) -> int:
    from yibao_desktop.services import export, keystore

    seal = read_seal(args.seal)
    creds = keystore.unit_credentials(read_password(args.password_file), args.p12)
    out = export.sign_pdf(args.path, args.out, creds, seal)
    info = creds.info
    print(f"已签名：{out}\n签名人：{info.signer}（{info.unit}）\n证书指纹（SHA-256）：{info.fingerprint}",
          file=sys.stderr)
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from yibao_desktop.exchange.signing import format_verification
    from yibao_desktop.services import keystore

    result = keystore.verify_pdf(args.path, args.trust)
    print(format_verification(result))
    return result.exit_code


def cmd_cert_new(args: argparse.Namespace) -> int:
    from yibao_desktop.services import keystore

    password = read_password(args.password_file, "设置证书密码：")
    if args.password_file is None:
        if getpass.getpass("再次输入密码：") != password:
            raise UserError("两次输入的密码不一致")
    info = keystore.create_certificate(args.unit, args.signer, password, path=args.p12, overwrite=args.force)
    print(f"已创建单位证书：{info.path}\n{info.describe()}\n请把公钥证书 {Path(info.path or '').with_suffix('.cer')} "
          f"交给接收报告的单位，并妥善保管证书密码。", file=sys.stderr)
    return 0


def cmd_cert_import(args: argparse.Namespace) -> int:
    from yibao_desktop.services import keystore

    info = keystore.import_certificate(args.source, read_password(args.password_file))
    print(f"已导入证书：{info.path}\n{info.describe()}", file=sys.stderr)
    return 0


def cmd_cert_export(args: argparse.Namespace) -> int:
    from yibao_desktop.services import keystore

    password = read_password(args.password_file) if args.password_file else None
    info = keystore.export_certificate(args.out, p12=args.p12, password=password)
    print(f"已导出公钥证书：{args.out}\n{info.describe()}", file=sys.stderr)
    return 0


def cmd_cert_show(args: argparse.Namespace) -> int:
    from yibao_desktop.exchange import signing

    if args.password_file is None and (args.p12 is None or Path(args.p12).with_suffix(".cer").is_file()):
        cer = Path(args.p12).with_suffix(".cer") if args.p12 else signing.default_cer_path()
        if cer.is_file():
            print(signing.CertificateInfo.of(signing.load_trusted(cer), cer).describe())
            return 0
    creds = signing.load_credentials(args.p12, read_password(args.password_file))
    print(creds.info.describe())
    return 0
