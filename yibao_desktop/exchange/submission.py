"""The submission package (报送包) on a USB stick, and its check at the receiving end.

A package is a folder `单位_年度_资金类型/` holding the signed final PDF, the official xlsx, a copy
of the .yibao file and `manifest.json` (app version, time, SHA-256 and size of each file, signer
certificate fingerprint, and a digest of the report). Every file is written under a temporary
name, fsynced and renamed; the manifest is written last, and only after every file has been read
back from the stick and its hash checked. So a folder without a manifest never claims to be
complete, and a stick that is full, read-only or pulled out leaves no manifest behind."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Sequence

from yibao_desktop import __version__
from yibao_desktop.domain import formatting as fmt
from yibao_desktop.domain.errors import UserError
from yibao_desktop.domain.interchange import report_from_json, report_to_json
from yibao_desktop.domain.money import fmt_money, fmt_pct
from yibao_desktop.domain.report import FUND_TYPE_LABELS, Report
from yibao_desktop.domain.result import Result
from yibao_desktop.fileio import write_atomic, write_error

MANIFEST = "manifest.json"
PACKAGE_FORMAT = "yibao-package"
PACKAGE_VERSION = 1
SPACE_MARGIN = 1024 * 1024  # keep 1 MB spare on the stick
ROLES = {"report_pdf": ".pdf", "forms_xlsx": ".xlsx", "document": ".yibao"}

Writer = Callable[[Path, bytes], Any]
Progress = Callable[[int, str], None]


class PackageError(UserError):
    """The package could not be written or is not a valid package (Chinese message)."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _safe(text: str) -> str:
    """A name Windows and FAT/exFAT sticks accept."""
    text = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", text).strip(" .")
    return text or "报告"


def package_name(report: Report) -> str:
    fund = FUND_TYPE_LABELS.get(report.meta.fund_type, report.meta.fund_type)
    return _safe(f"{report.meta.unit}_{report.meta.year}_{fund}")


def report_digest(report: Report) -> str:
    return sha256(report_to_json(report).encode("utf-8"))


def manifest_meta(report: Report, result: Result, signer: Any) -> dict[str, Any]:
    """The manifest's report summary and signer (`signer`: a signing.CertificateInfo)."""
    return {
        "report": {"unit": report.meta.unit, "year": report.meta.year, "fund_type": report.meta.fund_type,
                   "total_score": fmt_pct(result.total_score), "grade": result.grade,
                   "available": fmt_money(result.funds.available), "paid": fmt_money(result.funds.paid),
                   "sha256": report_digest(report)},
        "signer": {"unit": signer.unit, "signer": signer.signer, "fingerprint": signer.fingerprint},
    }


@dataclass(frozen=True)
class PackageResult:
    folder: Path
    files: tuple[dict[str, Any], ...]
    fingerprint: str


def _free_space(folder: Path) -> int:
    return shutil.disk_usage(folder).free


def write_package(dest_dir: str | os.PathLike[str], name: str, files: Sequence[tuple[str, str, bytes]],
                  meta: dict[str, Any], *, writer: Writer | None = None,
                  progress: Progress | None = None) -> PackageResult:
    """Write the files, read them back, then write the manifest. On any failure no manifest
    exists and the files of this attempt are removed."""
    write = writer or (lambda path, data: write_atomic(path, data))
    dest = Path(dest_dir)
    if not dest.is_dir():
        raise PackageError(f"目标文件夹「{dest}」不存在（U盘可能已拔出）")
    need = sum(len(data) for _, _, data in files) + SPACE_MARGIN
    try:
        free = _free_space(dest)
    except OSError as err:
        raise write_error(dest, err) from None
    if free < need:
        raise PackageError(f"「{dest}」空间不足：需要约 {need / 1048576:.1f} MB，剩余 {free / 1048576:.1f} MB。"
                           f"请换一个U盘或清理空间后重试。")
    folder = dest / name
    written: list[Path] = []
    try:
        folder.mkdir(exist_ok=True)
        old_manifest = folder / MANIFEST
        if old_manifest.exists():
            old_manifest.unlink()  # an older package in this folder no longer claims to be complete
        entries = []
        for n, (role, filename, data) in enumerate(files):
            if progress is not None:
                progress(75 + n * 5, f"正在写入 {filename}")
            path = folder / filename
            written.append(path)  # listed before writing: a write cut short is removed too
            write(path, data)
            entries.append({"name": filename, "role": role, "size": len(data), "sha256": sha256(data)})
        if progress is not None:
            progress(92, "正在从U盘读回并核对")
        for entry in entries:  # read back from the stick before claiming success
            data = (folder / entry["name"]).read_bytes()
            if len(data) != entry["size"] or sha256(data) != entry["sha256"]:
                raise PackageError(f"写入U盘后读回的「{entry['name']}」与原文件不一致，U盘可能有故障")
        manifest = {"format": PACKAGE_FORMAT, "version": PACKAGE_VERSION, "app_version": __version__,
                    "created": datetime.now().astimezone().isoformat(timespec="seconds"), **meta,
                    "files": entries}
        data = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        written.append(folder / MANIFEST)
        write(folder / MANIFEST, data)
        if json.loads((folder / MANIFEST).read_text(encoding="utf-8")) != manifest:
            raise PackageError("写入U盘后读回的清单文件与原文件不一致，U盘可能有故障")
    except BaseException as exc:
        for path in reversed(written):
            try:
                path.unlink()
            except OSError:
                pass
        if isinstance(exc, OSError):
            raise write_error(folder, exc) from None
        raise
    if progress is not None:
        progress(100, "报送包已写入并核对无误")
    return PackageResult(folder, tuple(entries), meta["signer"]["fingerprint"])


# ------------------------------------------------------------------------------ receiving end


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    message: str


def verify_package(folder: str | os.PathLike[str], trusted: Sequence[Any] = ()) -> list[Check]:
    """Every check with a Chinese verdict: manifest, hashes, PDF signature, and that the PDF's
    embedded JSON, the .yibao copy and the manifest describe the same report."""
    from yibao_desktop.exchange import signing
    from yibao_desktop.storage.repository import Document

    root = Path(folder)
    checks: list[Check] = []
    manifest_path = root / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("format") != PACKAGE_FORMAT:
            raise ValueError("不是报送包清单")
        if int(manifest.get("version", 0)) > PACKAGE_VERSION:
            raise ValueError(f"清单格式版本 {manifest['version']} 高于本程序支持的版本，请升级程序")
        files = {f["role"]: f for f in manifest["files"]}
    except FileNotFoundError:
        return [Check("清单", False, f"「{root.name}」中没有 {MANIFEST}：报送包不完整（可能写入中断）")]
    except (OSError, ValueError, KeyError, TypeError) as err:
        return [Check("清单", False, f"清单文件无法读取：{err}")]
    checks.append(Check("清单", True, f"清单完整，由医保绩效自评助手 {manifest.get('app_version', '?')} "
                                      f"于 {fmt.timestamp_text(manifest.get('created'))} 生成"))

    contents: dict[str, bytes] = {}
    for entry in manifest["files"]:
        path = root / entry["name"]
        try:
            data = path.read_bytes()
        except OSError:
            checks.append(Check(f"文件 {entry['name']}", False, "文件缺失或无法读取"))
            continue
        ok = len(data) == entry["size"] and sha256(data) == entry["sha256"]
        checks.append(Check(f"文件 {entry['name']}", ok, "大小和 SHA-256 与清单一致" if ok else
                            "与清单不一致：文件在报送后被改动或损坏"))
        if ok:
            contents[entry["role"]] = data

    pdf = contents.get("report_pdf")
    if pdf is not None:
        result = signing.verify_bytes(pdf, trusted)
        first = result.signatures[0] if result.signatures else None
        if not result.intact:
            checks.append(Check("PDF签名", False, result.problem or "签名无效，PDF 已被改动"))
        else:
            checks.append(Check("PDF签名", True, f"签名完好，签名人 {first.signer}（{first.unit}）"))
            same = first.fingerprint == manifest.get("signer", {}).get("fingerprint")
            checks.append(Check("签名证书", same, "与清单记录的证书一致" if same else "与清单记录的证书指纹不一致"))
            checks.append(Check("签名人可信", result.trusted,
                                "签名人证书在受信任证书之中" if result.trusted else
                                "未提供或不匹配受信任证书（请用报送单位提供的公钥证书 .cer 核验）"))

    reports: dict[str, Report] = {}
    if pdf is not None:
        text = signing.embedded_report_json(pdf)
        if text is None:
            checks.append(Check("PDF内嵌数据", False, "PDF 中没有内嵌报告数据"))
        else:
            try:
                reports["PDF内嵌数据"] = report_from_json(text)
            except UserError as err:
                checks.append(Check("PDF内嵌数据", False, f"内嵌数据无法读取：{err}"))
    document = contents.get("document")
    if document is not None:
        with tempfile.TemporaryDirectory(prefix="yibao-verify-") as tmp:
            copy = Path(tmp) / "copy.yibao"
            copy.write_bytes(document)
            try:
                with Document.open(copy, read_only=True) as doc:
                    reports["报告文件副本"] = doc.report
            except UserError as err:
                checks.append(Check("报告文件副本", False, str(err)))
    digest = manifest.get("report", {}).get("sha256")
    for label, rep in reports.items():
        same = report_digest(rep) == digest
        checks.append(Check(f"{label}与清单", same, "描述的是同一份报告" if same else "与清单记录的报告内容不一致"))
    if len(reports) == 2:
        a, b = reports.values()
        checks.append(Check("PDF与报告文件", a == b, "内容一致" if a == b else "PDF 内嵌数据与报告文件副本不一致"))
    missing = [role for role in ROLES if role not in files]
    if missing:
        checks.append(Check("文件齐全", False, f"清单中缺少：{'、'.join(missing)}"))
    return checks


def format_checks(checks: Sequence[Check]) -> str:
    lines = [f"{'✔' if c.ok else '✘'} {c.name}：{c.message}" for c in checks]
    ok = all(c.ok for c in checks)
    lines.append("结论：报送包完整、未被改动，签名可信。" if ok else "结论：报送包未通过核验，请勿作为正式报送材料使用。")
    return "\n".join(lines)


# ---------------------------------------------------------------------- a stick with packages


def _holds(folder: Path, suffixes: tuple[str, ...]) -> bool:
    try:
        return any(p.suffix.lower() in suffixes and p.is_file() for p in folder.iterdir())
    except OSError:
        return False


def find_packages(folder: str | os.PathLike[str]) -> list[Path]:
    """The packages to verify when `folder` is chosen: the folder itself when it holds a manifest;
    else its sub-folders holding a manifest or a report file (a package whose writing was cut
    short), as on a stick's root with several packages; else the folder itself when it holds
    files of a package. Empty when there is nothing of a package."""
    root = Path(folder)
    if (root / MANIFEST).is_file():
        return [root]
    try:
        children = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        children = []
    found = [p for p in children if (p / MANIFEST).is_file() or _holds(p, (ROLES["document"],))]
    if found:
        return found
    return [root] if _holds(root, tuple(ROLES.values())) else []


def no_package_check(folder: str | os.PathLike[str]) -> Check:
    return Check("报送包", False, f"「{Path(folder)}」中没有找到报送包。请选择报送包文件夹（内含 {MANIFEST}），"
                              "或存放报送包的文件夹（如U盘根目录）。")


def format_many(results: Sequence[tuple[Path, Sequence[Check]]]) -> str:
    """Several packages: how many passed first (a stick may hold many), then one block each;
    one package: just its block."""
    if len(results) == 1:
        return format_checks(results[0][1])
    blocks = []
    for n, (folder, checks) in enumerate(results, 1):
        blocks.append(f"【报送包 {n}/{len(results)}】{folder.name}\n{format_checks(checks)}")
    failed = [folder.name for folder, checks in results if not all(c.ok for c in checks)]
    total = f"共核验 {len(results)} 个报送包：{len(results) - len(failed)} 个通过"
    total += f"，{len(failed)} 个未通过（{'、'.join(failed)}）。" if failed else "，全部通过。"
    return "\n\n".join([total] + blocks)


def existing_package(dest_dir: str | os.PathLike[str], name: str) -> str | None:
    """What a new package would overwrite in `dest_dir` (for the question before it), or None."""
    folder = Path(dest_dir) / name
    try:
        if not folder.is_dir() or not any(folder.iterdir()):
            return None
    except OSError:
        return None
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        when = fmt.timestamp_text(str(manifest.get("created") or ""))
        return f"「{folder}」中已有一份报送包（{when} 生成）"
    except (OSError, ValueError, AttributeError):
        return f"「{folder}」中已有文件（一份不完整的报送包）"
