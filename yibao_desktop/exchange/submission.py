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
PACKAGE_VERSION = 2  # 2: the PDF carries the signed list of the other files (SIGNED_DATA_NAME)
SIGNED_DATA_NAME = "yibao-package.json"
SIGNED_FORMAT = "yibao-package-signed"
SPACE_MARGIN = 1024 * 1024  # keep 1 MB spare on the stick
ROLES = {"report_pdf": ".pdf", "forms_xlsx": ".xlsx", "document": ".yibao"}  # every package has these
EVIDENCE_ROLE = "evidence"  # 佐证材料, one file per distinct content
# Files an operating system drops into folders by itself; never part of a package, never a concern.
SYSTEM_FILES = {"thumbs.db", "desktop.ini", ".ds_store", "ehthumbs.db"}
_HEX64 = re.compile(r"^[0-9a-f]{64}$")

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


def evidence_file_name(number: int, name: str) -> str:
    """`佐证材料_03_现场照片.png`: numbered, so equal names of different files never collide."""
    stem, dot, suffix = name.rpartition(".")
    return f"佐证材料_{number:02d}_{_safe(stem if dot else name)[:80]}{'.' + suffix.lower() if dot else ''}"


def report_digest(report: Report) -> str:
    return sha256(report_to_json(report).encode("utf-8"))


def report_summary(report: Report, result: Result) -> dict[str, Any]:
    """What the city bureau totals, as the package states it (manifest) and signs it (PDF)."""
    return {"unit": report.meta.unit, "year": report.meta.year, "fund_type": report.meta.fund_type,
            "total_score": fmt_pct(result.total_score), "grade": result.grade,
            "available": fmt_money(result.funds.available), "paid": fmt_money(result.funds.paid),
            "sha256": report_digest(report)}


def manifest_meta(report: Report, result: Result, signer: Any) -> dict[str, Any]:
    """The manifest's report summary and signer (`signer`: a signing.CertificateInfo)."""
    return {"report": report_summary(report, result),
            "signer": {"unit": signer.unit, "signer": signer.signer, "fingerprint": signer.fingerprint}}


def file_entry(role: str, name: str, data: bytes) -> dict[str, Any]:
    return {"name": name, "role": role, "size": len(data), "sha256": sha256(data)}


def signed_data(report: Report, result: Result, files: Sequence[tuple[str, str, bytes]]) -> bytes:
    """The list embedded in the PDF before it is signed: the report summary and the name, size and
    SHA-256 of every other file of the package, so the unit's signature covers all of them."""
    payload = {"format": SIGNED_FORMAT, "version": 1, "report": report_summary(report, result),
               "files": [file_entry(role, name, data) for role, name, data in files]}
    return (json.dumps(payload, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


@dataclass(frozen=True)
class PackageResult:
    folder: Path
    files: tuple[dict[str, Any], ...]
    fingerprint: str


@dataclass(frozen=True)
class Place:
    """Where a package is going: the destination's device and whether it is a mount point, taken
    when the user chose it. A stick pulled (or lazily unmounted) since then shows as a change."""

    device: int
    mount_point: bool


def place_of(dest: str | os.PathLike[str]) -> Place:
    try:
        return Place(os.stat(dest).st_dev, os.path.ismount(dest))
    except OSError:
        raise PackageError(f"目标文件夹「{dest}」不存在（U盘可能已拔出）") from None


def _check_place(dest: Path, expected: Place) -> None:
    try:
        now = place_of(dest)
    except PackageError:
        raise PackageError(f"目标文件夹「{dest}」已不存在（U盘可能已拔出），报送包没有写完，请重新插入U盘后重试") from None
    if now != expected:
        raise PackageError(f"「{dest}」已不在原来的磁盘上（U盘可能已拔出或更换），报送包没有写完；"
                           f"请重新插入U盘后重试")


def _free_space(folder: Path) -> int:
    return shutil.disk_usage(folder).free


def write_package(dest_dir: str | os.PathLike[str], name: str, files: Sequence[tuple[str, str, bytes]],
                  meta: dict[str, Any], *, writer: Writer | None = None, progress: Progress | None = None,
                  place: Place | None = None) -> PackageResult:
    """Write the files, read them back, then write the manifest. On any failure no manifest
    exists and the files of this attempt are removed. `place` is where the user chose to write
    (`place_of` at that moment); before the first write and before the manifest the destination
    must still be there, on the same device."""
    write = writer or (lambda path, data: write_atomic(path, data))
    dest = Path(dest_dir)
    if not dest.is_dir():
        raise PackageError(f"目标文件夹「{dest}」不存在（U盘可能已拔出）")
    place = place or place_of(dest)
    _check_place(dest, place)
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
                progress(min(90, 75 + n * 5), f"正在写入 {filename}")
            path = folder / filename
            written.append(path)  # listed before writing: a write cut short is removed too
            write(path, data)
            entries.append(file_entry(role, filename, data))
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
        _check_place(dest, place)
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


def plain_name_problem(name: Any) -> str | None:
    """A package file must be a plain name inside the package folder: never a path."""
    if not isinstance(name, str) or not name or len(name) > 255:
        return "文件名不正确"
    if name in (".", "..") or any(c in name for c in "/\\:\x00") or name != name.strip():
        return f"文件名「{name[:60]}」不是报送包文件夹中的文件名（含路径或非法字符），已拒绝读取"
    return None


def _entries(value: Any, where: str) -> list[dict[str, Any]]:
    """File entries as written by `file_entry`, strictly; ValueError (Chinese) otherwise."""
    if not isinstance(value, list) or not value:
        raise ValueError(f"{where}缺少文件列表")
    out = []
    for item in value:
        if not (isinstance(item, dict) and set(item) == {"name", "role", "size", "sha256"}):
            raise ValueError(f"{where}的文件条目格式不正确")
        problem = plain_name_problem(item["name"])
        if problem:
            raise ValueError(problem)
        if not (isinstance(item["role"], str) and isinstance(item["size"], int) and not isinstance(item["size"], bool)
                and item["size"] >= 0 and isinstance(item["sha256"], str) and _HEX64.match(item["sha256"])):
            raise ValueError(f"{where}中「{item['name']}」的条目格式不正确")
        out.append(item)
    names = [i["name"] for i in out]
    if len(set(n.lower() for n in names)) != len(names):
        raise ValueError(f"{where}中有重复的文件名")
    return out


def _read_manifest_checked(root: Path) -> dict[str, Any]:
    """The manifest, every field the checks use validated (ValueError in Chinese)."""
    try:
        raw = (root / MANIFEST).read_bytes()
    except FileNotFoundError:
        raise
    except OSError:
        raise ValueError("清单文件无法读取（磁盘错误或U盘已拔出）") from None
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ValueError("清单文件不是有效的 JSON（可能已损坏）") from None
    if not isinstance(manifest, dict) or manifest.get("format") != PACKAGE_FORMAT:
        raise ValueError("不是报送包清单")
    version = manifest.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError("清单格式版本不正确")
    if version > PACKAGE_VERSION:
        raise ValueError(f"清单格式版本 {version} 高于本程序支持的版本，请升级程序")
    manifest["files"] = _entries(manifest.get("files"), "清单")
    if not isinstance(manifest.get("report"), dict) or not isinstance(manifest.get("signer"), dict):
        raise ValueError("清单缺少报告摘要或签名人")
    return manifest


def _read_signed(pdf: bytes) -> dict[str, Any]:
    from yibao_desktop.exchange import signing

    payload = signing.embedded_file(pdf, SIGNED_DATA_NAME)
    if payload is None:
        raise ValueError("PDF 中没有签名覆盖的文件清单（旧版程序生成的报送包，清单和其他文件未被签名覆盖）")
    try:
        data = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ValueError("PDF 中签名覆盖的文件清单无法读取") from None
    if not isinstance(data, dict) or data.get("format") != SIGNED_FORMAT or not isinstance(data.get("report"), dict):
        raise ValueError("PDF 中签名覆盖的文件清单格式不正确")
    data["files"] = _entries(data.get("files"), "签名覆盖的文件清单")
    return data


def verify_package(folder: str | os.PathLike[str], trusted: Sequence[Any] = ()) -> list[Check]:
    """Every check with a Chinese verdict. The unit's signature on the PDF covers the list of the
    package's other files (their sizes and SHA-256) and the report summary; the manifest is only
    a convenience and must agree with what was signed. Then the .yibao copy (opened read-only,
    schema checked) must be the report embedded in the PDF, with the signed figures, and every
    佐证材料 of it must be in the package byte for byte."""
    from yibao_desktop.exchange import signing
    from yibao_desktop.storage.repository import Document

    root = Path(folder)
    checks: list[Check] = []
    try:
        manifest = _read_manifest_checked(root)
    except FileNotFoundError:
        return [Check("清单", False, f"「{root.name}」中没有 {MANIFEST}：报送包不完整（可能写入中断）")]
    except ValueError as err:
        return [Check("清单", False, f"清单文件无法使用：{err}")]
    checks.append(Check("清单", True, f"清单完整，由医保绩效自评助手 {manifest.get('app_version', '?')} "
                                      f"于 {fmt.timestamp_text(manifest.get('created'))} 生成"))

    contents: dict[str, bytes] = {}  # file name -> bytes, for files matching the manifest
    for entry in manifest["files"]:
        path = root / entry["name"]
        try:
            if path.is_symlink() or not path.is_file():
                raise OSError
            data = path.read_bytes()
        except OSError:
            checks.append(Check(f"文件 {entry['name']}", False, "文件缺失或无法读取"))
            continue
        ok = len(data) == entry["size"] and sha256(data) == entry["sha256"]
        checks.append(Check(f"文件 {entry['name']}", ok, "大小和 SHA-256 与清单一致" if ok else
                            "与清单不一致：文件在报送后被改动或损坏"))
        if ok:
            contents[entry["name"]] = data
    listed = {e["name"].lower() for e in manifest["files"]} | {MANIFEST}
    try:
        strays = sorted(p.name for p in root.iterdir() if p.name.lower() not in listed
                        and p.name.lower() not in SYSTEM_FILES)
    except OSError:
        strays = []
    if strays:
        checks.append(Check("多余文件", False, f"文件夹中有清单之外的文件：{'、'.join(strays[:5])}"
                                                 f"{' 等' if len(strays) > 5 else ''}（可能被人放入或替换）"))
    roles = [e["role"] for e in manifest["files"]]
    missing = [role for role in ROLES if roles.count(role) != 1]
    if missing:
        checks.append(Check("文件齐全", False, f"清单中缺少或重复：{'、'.join(missing)}"))
        return checks
    by_role = {e["role"]: e for e in manifest["files"] if e["role"] in ROLES}
    pdf = contents.get(by_role["report_pdf"]["name"])
    if pdf is None:
        return checks

    result = signing.verify_bytes(pdf, trusted)
    first = result.signatures[0] if result.signatures else None
    if not result.intact or first is None or not first.covers_whole_file:
        checks.append(Check("PDF签名", False, result.problem or (first.problem if first else "") or
                            "签名无效，PDF 已被改动"))
        return checks
    checks.append(Check("PDF签名", True, f"签名完好，签名人 {first.signer}（{first.unit}）"))
    same = first.fingerprint == manifest["signer"].get("fingerprint")
    checks.append(Check("签名证书", same, "与清单记录的证书一致" if same else "与清单记录的证书指纹不一致"))
    checks.append(Check("签名人可信", result.trusted,
                        "签名人证书在受信任证书之中" if result.trusted else
                        "未提供或不匹配受信任证书（请用报送单位提供的公钥证书 .cer 核验）"))

    try:
        signed = _read_signed(pdf)
    except ValueError as err:
        checks.append(Check("签名覆盖", False, str(err)))
        return checks
    checks.extend(_against_signed(manifest, signed, contents))
    checks.extend(_report_checks(pdf, signed, contents, by_role, manifest, Document))
    return checks


def _against_signed(manifest: dict[str, Any], signed: dict[str, Any], contents: dict[str, bytes]) -> list[Check]:
    """Each file the signature lists must be in the manifest and on the stick as signed; each file
    of the manifest but the PDF must be signed; the manifest's summary must be the signed one."""
    checks = []
    signed_files = {e["name"]: e for e in signed["files"]}
    unsigned = [e["name"] for e in manifest["files"] if e["role"] != "report_pdf" and e["name"] not in signed_files]
    problems = []
    for name, entry in signed_files.items():
        data = contents.get(name)
        if data is None or sha256(data) != entry["sha256"] or len(data) != entry["size"]:
            problems.append(name)
    if unsigned:
        checks.append(Check("签名覆盖", False, f"清单中的文件「{'、'.join(unsigned)}」不在签名覆盖的清单中（可能被人加入或替换）"))
    if problems:
        checks.append(Check("签名覆盖", False, f"文件「{'、'.join(problems)}」与签名时的内容不一致（文件在签名后被改动或替换）"))
    if not unsigned and not problems:
        checks.append(Check("签名覆盖", True, f"其余 {len(signed_files)} 个文件都在签名覆盖的清单中，内容一致"))
    same = manifest["report"] == signed["report"]
    checks.append(Check("清单摘要", same, "清单中的报告摘要与签名数据一致" if same else
                        "清单中的报告摘要（单位、年度、得分或金额）与签名数据不一致，清单被改动过"))
    return checks


def _report_checks(pdf: bytes, signed: dict[str, Any], contents: dict[str, bytes], by_role: dict[str, Any],
                   manifest: dict[str, Any], document_cls: Any) -> list[Check]:
    from yibao_desktop.domain.calc import compute
    from yibao_desktop.exchange import signing

    checks = []
    embedded: Report | None = None
    text = signing.embedded_report_json(pdf)
    if text is None:
        checks.append(Check("PDF内嵌数据", False, "PDF 中没有内嵌报告数据"))
    else:
        try:
            embedded = report_from_json(text)
        except UserError as err:
            checks.append(Check("PDF内嵌数据", False, f"内嵌数据无法读取：{err}"))
    document = contents.get(by_role["document"]["name"])
    if document is None or embedded is None:
        return checks
    with tempfile.TemporaryDirectory(prefix="yibao-verify-") as tmp:
        copy = Path(tmp) / "copy.yibao"
        copy.write_bytes(document)
        try:
            with document_cls.open(copy, read_only=True) as doc:
                report = doc.report
                blobs = {a.sha256: doc.blob(a.sha256) for a, _ in report.attachments()}
        except UserError as err:
            checks.append(Check("报告文件副本", False, str(err)))
            return checks
    same = report == embedded
    checks.append(Check("PDF与报告文件", same, "内容一致" if same else "PDF 内嵌数据与报告文件副本不一致"))
    figures = report_summary(report, compute(report))
    agree = figures == signed["report"]
    checks.append(Check("计算结果", agree, "报告文件副本重新计算的得分和金额与签名数据一致" if agree else
                        "报告文件副本重新计算的得分或金额与签名数据不一致"))
    checks.extend(_evidence_checks(report, blobs, manifest, contents))
    return checks


def _evidence_checks(report: Report, blobs: dict[str, bytes], manifest: dict[str, Any],
                     contents: dict[str, bytes]) -> list[Check]:
    """Every 佐证材料 of the report is in the package as a file with its SHA-256 (and the copy holds
    the same bytes); every evidence file of the package belongs to the report."""
    wanted = {a.sha256: a.name for a, _ in report.attachments()}
    files = [e for e in manifest["files"] if e["role"] == EVIDENCE_ROLE]
    have = {e["sha256"]: e["name"] for e in files if e["name"] in contents}
    checks = []
    for sha, name in wanted.items():
        if sha not in have:
            checks.append(Check(f"佐证材料 {name}", False, "报送包中缺少该文件，或文件在报送后被改动"))
        elif sha256(blobs.get(sha, b"")) != sha:
            checks.append(Check(f"佐证材料 {name}", False, "报告文件副本中的内容与校验值不符"))
    extra = [e["name"] for e in files if e["sha256"] not in wanted]
    if extra:
        checks.append(Check("佐证材料", False, f"文件「{'、'.join(extra)}」不是该报告的佐证材料"))
    if wanted and not any(not c.ok for c in checks):
        checks.append(Check("佐证材料", True, f"{len(wanted)} 份佐证材料齐全，与报告记录的校验值一致"))
    return checks


def format_checks(checks: Sequence[Check]) -> str:
    lines = [f"{'✔' if c.ok else '✘'} {c.name}：{c.message}" for c in checks]
    ok = all(c.ok for c in checks)
    lines.append("结论：报送包完整、未被改动，签名可信。" if ok else "结论：报送包未通过核验，请勿作为正式报送材料使用。")
    return "\n".join(lines)


# ------------------------------------------------------------------- read-only helpers (aggregate)


def read_manifest(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """A package's manifest, its shape validated but nothing verified (PackageError if unusable)."""
    try:
        return _read_manifest_checked(Path(folder))
    except FileNotFoundError:
        raise PackageError(f"「{Path(folder).name}」中没有 {MANIFEST}：报送包不完整（可能写入中断）") from None
    except ValueError as err:
        raise PackageError(f"清单文件无法使用：{err}") from None


def manifest_time(manifest: dict[str, Any]) -> datetime | None:
    """When the package was written (the county's clock), or None if the manifest has no time."""
    try:
        return datetime.fromisoformat(str(manifest["created"]))
    except (KeyError, ValueError):
        return None


def manifest_label(manifest: dict[str, Any]) -> str:
    """'单位 2025年度 资金类型' as the manifest states it (unverified: for a reader's orientation)."""
    rep = manifest.get("report")
    if not isinstance(rep, dict):
        return ""
    fund = FUND_TYPE_LABELS.get(str(rep.get("fund_type", "")), str(rep.get("fund_type", "")))
    return "　".join(part for part in (str(rep.get("unit", "")), f"{rep['year']}年度" if rep.get("year") else "",
                                       fund) if part)


def package_file(folder: str | os.PathLike[str], manifest: dict[str, Any], role: str) -> bytes:
    """The bytes of the file of `role`, checked against the manifest's size and SHA-256 (so a
    caller reads exactly what `verify_package` verified)."""
    entry = next((f for f in manifest.get("files", ()) if f.get("role") == role), None)
    if entry is None:
        raise PackageError(f"清单中缺少：{role}")
    try:
        data = (Path(folder) / entry["name"]).read_bytes()
    except OSError:
        raise PackageError(f"文件 {entry['name']}：文件缺失或无法读取") from None
    if len(data) != entry["size"] or sha256(data) != entry["sha256"]:
        raise PackageError(f"文件 {entry['name']}：与清单不一致：文件在报送后被改动或损坏")
    return data
# ---------------------------------------------------------------------- a stick with packages


def holds_files(folder: Path, suffixes: tuple[str, ...]) -> bool:
    """Whether `folder` directly holds a file ending in one of `suffixes` (unreadable: no)."""
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
    found = [p for p in children if (p / MANIFEST).is_file() or holds_files(p, (ROLES["document"],))]
    if found:
        return found
    return [root] if holds_files(root, tuple(ROLES.values())) else []


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
