"""Exporting the PDF report: draft, final, or final and signed. Refused before any work while
compute reports errors (a draft always works). Nothing is written unless the whole export
succeeded (atomic write)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from yibao_desktop.domain import limits, rules
from yibao_desktop.domain.calc import compute
from yibao_desktop.domain.errors import UserError
from yibao_desktop.domain.forms import ALL_FORMS, Form, build_forms, default_forms
from yibao_desktop.domain.report import Report
from yibao_desktop.domain.result import Result
from yibao_desktop.fileio import write_atomic
from yibao_desktop.templates import form_names

if TYPE_CHECKING:  # cryptography is imported only when something is signed
    from yibao_desktop.exchange.signing import Credentials

Progress = Callable[[int, str], None]
MODES = ("draft", "final", "signed")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    pages: int
    size: int
    mode: str

    @property
    def draft(self) -> bool:
        return self.mode == "draft"


def official_forms(report: Report, result: Result | None = None, keys: Sequence[str] | None = None) -> list[Form]:
    """The official tables of the report as cell models (drawn alike by the PDF and the xlsx);
    by default both, or the transfer form alone for a report without scores."""
    keys = default_forms(report) if keys is None else keys
    unknown = [k for k in keys if k not in ALL_FORMS]
    if unknown or not keys:
        raise UserError(f"未知的表格「{'、'.join(unknown)}」（可选：{'、'.join(ALL_FORMS)}）")
    return build_forms(report, result if result is not None else compute(report), form_names(report.meta), keys)


def check_exportable(report: Report) -> None:
    """Refuse, before any work, a report too large to lay out (limits.export_problems): every
    export of the report's PDF or official forms goes through here, from the window and the CLI."""
    problems = limits.export_problems(report)
    if problems:
        items = "\n".join(f"  {n}. {p}" for n, p in enumerate(problems, 1))
        raise UserError(f"报告内容过长，无法导出：\n{items}")


def check_mode(mode: str, result: Result) -> None:
    """Refuse a final or signed export while errors remain (rules.refuse_final_if_errors)."""
    if mode not in MODES:
        raise UserError(f"未知的导出方式「{mode}」（可选：{'、'.join(MODES)}）")
    if mode != "draft":
        rules.refuse_final_if_errors(result)


def pdf_bytes(report: Report, mode: str = "final", *, creds: Credentials | None = None, seal: bytes | None = None,
              issued: date | None = None, result: Result | None = None, progress: Progress | None = None,
              extra_files: Sequence[tuple[str, bytes, str]] = ()) -> tuple[bytes, int]:
    """(PDF bytes, pages) of the report; signed when mode is "signed"."""
    from yibao_desktop.exchange.pdf.report import build_pdf

    def step(pct: int, message: str) -> None:
        if progress is not None:
            progress(pct, message)

    step(0, "正在检查报告")
    check_exportable(report)
    result = result if result is not None else compute(report)
    check_mode(mode, result)
    if mode == "signed":
        from yibao_desktop.exchange import signing

        if creds is None:
            raise UserError("签名需要单位证书")
        signing.check_usable(creds)
    forms = official_forms(report, result)
    scale = 85 if mode == "signed" else 100
    built = build_pdf(report, result, forms, draft=mode == "draft", issued=issued,
                      progress=lambda p, m: step(p * scale // 100, m), extra_files=extra_files)
    data = built.data
    if mode == "signed":
        step(88, "正在签名")
        data = signing.sign_bytes(data, creds, seal_png=seal)  # type: ignore[arg-type]
    return data, built.pages


def export_pdf(report: Report, path: str | os.PathLike[str], mode: str = "final", *,
               creds: Credentials | None = None, seal: bytes | None = None, issued: date | None = None,
               result: Result | None = None, progress: Progress | None = None) -> ExportResult:
    """Build (and sign) the report and write it to `path` atomically."""
    data, pages = pdf_bytes(report, mode, creds=creds, seal=seal, issued=issued, result=result, progress=progress)
    target = write_atomic(path, data)
    if progress is not None:
        progress(100, "导出完成")
    return ExportResult(target, pages, len(data), mode)


def sign_pdf(src: str | os.PathLike[str], out: str | os.PathLike[str], creds: Credentials,
             seal: bytes | None = None) -> Path:
    """Sign an existing PDF (the CLI's `sign`)."""
    from yibao_desktop.exchange import signing

    signing.check_usable(creds)
    return signing.sign_pdf(src, out, creds, seal_png=seal)
