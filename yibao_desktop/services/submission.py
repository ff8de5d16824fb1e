"""The submission package (报送包) on a USB stick, and its verification at the receiving end.

`make_package` assembles what the package holds (the signed final PDF, the official forms as
xlsx, a consistent copy of the .yibao file) from one compute result, then hands the bytes to
`exchange.submission.write_package`, which writes them safely (manifest last, after read-back).
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Callable, Sequence

from yibao_desktop.domain import rules
from yibao_desktop.domain.calc import compute
from yibao_desktop.domain.report import Report
from yibao_desktop.exchange import signing
from yibao_desktop.exchange.signing import Credentials
from yibao_desktop.exchange.submission import (
    EVIDENCE_ROLE,
    SIGNED_DATA_NAME,
    Check,
    PackageResult,
    Place,
    Writer,
    evidence_file_name,
    existing_package,
    find_packages,
    format_checks,
    format_many,
    manifest_meta,
    no_package_check,
    package_name,
    place_of,
    signed_data,
    write_package,
)
from yibao_desktop.services import keystore
from yibao_desktop.storage.repository import Document
from yibao_desktop.services.export import official_forms, pdf_bytes

__all__ = ["make_package", "verify_package", "verify_folder", "format_checks", "format_many", "package_name",
           "existing_package", "place_of", "Check", "PackageResult", "Place"]

Progress = Callable[[int, str], None]


def make_package(report: Report, snapshot: bytes, dest_dir: str | os.PathLike[str], creds: Credentials,
                 seal: bytes | None = None, *, writer: Writer | None = None,
                 progress: Progress | None = None, place: Place | None = None) -> PackageResult:
    """Write the package of `report` into `dest_dir`; `snapshot` is the .yibao file's bytes
    (`Document.snapshot()`, taken where the document lives). Refused before any work while
    errors remain: a package always holds a final, signed report. The xlsx, the .yibao copy and
    every 佐证材料 are made first; their hashes go into the PDF, which is then signed, so the
    unit's signature covers every file of the package. `place`: where the user chose to write
    (`place_of`), checked again before the first write and before the manifest."""
    from yibao_desktop.exchange.excel.write import forms_workbook

    def step(pct: int, message: str) -> None:
        if progress is not None:
            progress(pct, message)

    result = compute(report)
    rules.refuse_final_if_errors(result)
    signing.check_usable(creds)
    step(2, "正在生成自评表（Excel）")
    xlsx = io.BytesIO()
    forms_workbook(official_forms(report, result)).save(xlsx)
    base = package_name(report)
    others = [("forms_xlsx", f"{base}_自评表.xlsx", xlsx.getvalue()), ("document", f"{base}.yibao", snapshot)]
    others.extend(_evidence_files(report, snapshot))
    pdf, _pages = pdf_bytes(report, "signed", creds=creds, seal=seal, result=result,
                            progress=lambda p, m: step(5 + p * 65 // 100, m),
                            extra_files=[(SIGNED_DATA_NAME, signed_data(report, result, others),
                                          "报送包文件清单（大小和 SHA-256，受签名保护）")])
    files = [("report_pdf", f"{base}.pdf", pdf), *others]
    return write_package(dest_dir, base, files, manifest_meta(report, result, creds.info), writer=writer,
                         progress=progress, place=place)


def _evidence_files(report: Report, snapshot: bytes) -> list[tuple[str, str, bytes]]:
    """One package file per distinct 佐证材料, read from the snapshot the package carries."""
    attachments = list({a.sha256: a for a, _ in report.attachments()}.values())
    if not attachments:
        return []
    with tempfile.TemporaryDirectory(prefix="yibao-package-") as tmp:
        copy = Path(tmp) / "snapshot.yibao"
        copy.write_bytes(snapshot)
        with Document.open(copy, read_only=True) as doc:
            return [(EVIDENCE_ROLE, evidence_file_name(k, a.name), doc.blob(a.sha256))
                    for k, a in enumerate(attachments, 1)]


def verify_package(folder: str | os.PathLike[str], extra_trust: Sequence[str | os.PathLike[str]] = ()) -> list[Check]:
    """Every check of a received package, under the one trust policy (keystore)."""
    from yibao_desktop.exchange.submission import verify_package as verify

    return verify(folder, keystore.trusted_certificates(extra_trust))


def verify_folder(folder: str | os.PathLike[str],
                  extra_trust: Sequence[str | os.PathLike[str]] = ()) -> list[tuple[Path, list[Check]]]:
    """A package folder, or a folder holding packages (a stick's root): every package's checks.
    A folder with no package at all gives one failed check saying so."""
    from yibao_desktop.exchange.submission import verify_package as verify

    found = find_packages(folder)
    if not found:
        return [(Path(folder), [no_package_check(folder)])]
    trusted = keystore.trusted_certificates(extra_trust)
    return [(package, verify(package, trusted)) for package in found]
