"""Submission-package commands: `package` (报送包 on a USB stick) and `verify-package`."""

from __future__ import annotations

import argparse
import sys

from yibao_desktop.cli.pdf import read_password, read_seal


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = sub.add_parser("package", help="生成报送包（签名的正式版PDF、自评表、报告文件和清单）")
    p.add_argument("path", metavar="IN.yibao", help="报告文件（只读取）")
    p.add_argument("dest", metavar="DEST_DIR", help="目标文件夹，如U盘根目录")
    p.add_argument("--p12", default=None, metavar="证书.p12", help="单位证书（默认使用本机保存的单位证书）")
    p.add_argument("--password-file", default=None, metavar="密码文件", help="存放证书密码的文本文件（第一行）；不给出时在终端输入")
    p.add_argument("--seal", default=None, metavar="印章.png", help="印章图片（PNG）")
    p.set_defaults(func=cmd_package)

    p = sub.add_parser("verify-package", help="核验报送包；任何一项不通过时退出码非 0")
    p.add_argument("folder", metavar="DIR", help="报送包文件夹（含 manifest.json），或存放多个报送包的文件夹（如U盘根目录）")
    p.add_argument("--trust", action="append", default=[], metavar="CERT.cer", help="报送单位的公钥证书，可重复")
    p.set_defaults(func=cmd_verify_package)


def cmd_package(args: argparse.Namespace) -> int:
    from yibao_desktop.services import keystore, reports, submission

    seal = read_seal(args.seal) if args.seal else keystore.seal_bytes()
    creds = keystore.unit_credentials(read_password(args.password_file), args.p12)
    with reports.open_document(args.path, read_only=True) as doc:
        report, snapshot = doc.report, doc.snapshot()
    result = submission.make_package(report, snapshot, args.dest, creds, seal)
    print(f"报送包已写入并逐一读回核对：{result.folder}", file=sys.stderr)
    for entry in result.files:
        print(f"  {entry['name']}  {entry['size']} 字节  SHA-256 {entry['sha256']}", file=sys.stderr)
    print(f"签名证书指纹：{result.fingerprint}", file=sys.stderr)
    return 0


def cmd_verify_package(args: argparse.Namespace) -> int:
    from yibao_desktop.services import submission

    results = submission.verify_folder(args.folder, args.trust)
    print(submission.format_many(results))
    return 0 if all(c.ok for _folder, checks in results for c in checks) else 1
