"""佐证材料: files attached to an indicator or to the report as a whole.

A file is checked (a regular file of an allowed kind whose contents look like that kind, at most
20 MB), hashed, and stored once inside the .yibao file, by SHA-256, in the same transaction as
the edit that lists it; removing it is an ordinary edit, so undo brings it back. The window and
the CLI both go through here."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from yibao_desktop import fileio
from yibao_desktop.domain import limits
from yibao_desktop.domain.edits import DeleteRow, Edit, InsertRow, SetField
from yibao_desktop.domain.errors import UserError
from yibao_desktop.domain.report import EVIDENCE_MAX_BYTES, Attachment, Report
from yibao_desktop.storage.repository import Document

# What the first bytes of each allowed kind look like (a renamed .exe is not a 佐证材料).
_SIGNATURES = {".pdf": (b"%PDF-",), ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",),
               ".png": (b"\x89PNG\r\n\x1a\n",), ".xlsx": (b"PK\x03\x04",), ".docx": (b"PK\x03\x04",)}
KIND_LABELS = {".pdf": "PDF 文档", ".jpg": "JPG 图片", ".jpeg": "JPG 图片", ".png": "PNG 图片",
               ".xlsx": "Excel 表格", ".docx": "Word 文档"}


@dataclass(frozen=True)
class Evidence:
    """A checked file ready to attach."""

    attachment: Attachment
    data: bytes


def read_file(path: str | os.PathLike[str]) -> Evidence:
    """The file at `path` as a 佐证材料, or a UserError saying in Chinese why it cannot be one."""
    path = Path(path)
    name = path.name
    problem = limits.evidence_name_problem(name)
    if problem:
        raise UserError(problem)
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    if size > EVIDENCE_MAX_BYTES:
        raise UserError(f"「{name}」有 {size / 1024 / 1024:.1f} MB，超过了单个佐证材料 20 MB 的限制，"
                        f"请压缩或拆分后再添加")
    data = fileio.read_regular(path)
    return from_bytes(name, data)


def from_bytes(name: str, data: bytes) -> Evidence:
    if not data:
        raise UserError(f"「{name}」是空文件，不能作为佐证材料")
    if len(data) > EVIDENCE_MAX_BYTES:
        raise UserError(f"「{name}」超过了单个佐证材料 20 MB 的限制，请压缩或拆分后再添加")
    suffix = Path(name).suffix.lower()
    if not data.startswith(_SIGNATURES.get(suffix, (b"",))):
        raise UserError(f"「{name}」的内容不是{KIND_LABELS.get(suffix, '所示类型的文件')}（文件可能已损坏或扩展名不对）")
    attachment = Attachment(name, hashlib.sha256(data).hexdigest(), len(data))
    problem = limits.attachment_problem(attachment)
    if problem:  # pragma: no cover - the checks above cover every field
        raise UserError(problem)
    return Evidence(attachment, data)


def target_label(report: Report, indicator: int | None) -> str:
    """「报告整体」 or the indicator's name, for lists and messages."""
    if indicator is None:
        return "报告整体"
    return report.indicators[indicator].name or f"第 {indicator + 1} 个指标"


def attach_edits(report: Report, attachment: Attachment, indicator: int | None) -> list[Edit]:
    """The edit that lists `attachment` under the report or an indicator row; the same file twice
    in one place is refused."""
    if indicator is None:
        present = report.evidence
    else:
        if not 0 <= indicator < len(report.indicators):
            raise UserError("请先选中要附上佐证材料的指标")
        present = report.indicators[indicator].evidence
    if any(a.sha256 == attachment.sha256 for a in present):
        raise UserError(f"「{attachment.name}」已经附在「{target_label(report, indicator)}」下，无需重复添加")
    if indicator is None:
        return [InsertRow("evidence", len(report.evidence), attachment)]
    return [SetField("indicators", indicator, "evidence", present + (attachment,))]


def remove_edits(report: Report, indicator: int | None, position: int) -> list[Edit]:
    """The edit that takes the `position`-th file off the report or an indicator row."""
    if indicator is None:
        return [DeleteRow("evidence", position)]
    present = report.indicators[indicator].evidence
    return [SetField("indicators", indicator, "evidence", present[:position] + present[position + 1:])]


def remove_listed(report: Report, number: int) -> tuple[Attachment, list[Edit]]:
    """The `number`-th file of `report.attachments()` (0-based) and the edit that takes it off."""
    listed = report.attachments()
    if not 0 <= number < len(listed):
        raise UserError(f"没有第 {number + 1} 份佐证材料（共 {len(listed)} 份）")
    attachment, indicator = listed[number]
    owner = report.evidence if indicator is None else report.indicators[indicator].evidence
    return attachment, remove_edits(report, indicator, owner.index(attachment))


def attach(doc: Document, path: str | os.PathLike[str], indicator: int | None = None) -> list[Edit]:
    """Attach the file at `path` (one transaction: its contents and the list entry); returns the
    undo edits."""
    evidence = read_file(path)
    edits = attach_edits(doc.report, evidence.attachment, indicator)
    return doc.apply(edits, blobs={evidence.attachment.sha256: evidence.data})


def save_copy(doc: Document, attachment: Attachment, dest: str | os.PathLike[str]) -> Path:
    """Write an attached file out (to open it, or to hand it on), atomically."""
    data = doc.blob(attachment.sha256)
    if hashlib.sha256(data).hexdigest() != attachment.sha256:
        raise UserError(f"佐证材料「{attachment.name}」的内容与记录的校验值不符，文件可能已损坏")
    return fileio.write_atomic(dest, data)


def open_copy(doc: Document, attachment: Attachment) -> Path:
    """A read-only copy in the user's temporary folder, for the system viewer to open."""
    folder = Path(tempfile.mkdtemp(prefix="yibao-evidence-"))
    target = save_copy(doc, attachment, folder / attachment.name)
    fileio.chmod_quietly(target, 0o444)
    return target
