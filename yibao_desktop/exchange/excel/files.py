"""Opening .xlsx files safely: recognise what a file really is before openpyxl sees it, read every
sheet in read-only mode, and find formula cells that carry no cached value.

Everything here only reads the source file. Failures are `UserError`s with a Chinese message that
tells the user what to do (e.g. "save it as .xlsx in Excel/WPS"), never a traceback.
"""

from __future__ import annotations

import posixpath
import re
import struct
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from yibao_desktop.fileio import os_reason
from yibao_desktop.domain.errors import UserError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


class ExcelFileError(UserError):
    """The file as a whole cannot be read as an .xlsx workbook."""


# ------------------------------------------------------------------------------ OOXML escapes
# Excel stores characters that XML cannot carry as _xHHHH_ and a literal "_xHHHH_" as
# "_x005F_xHHHH_". openpyxl does neither, so we do both, and the round trip is exact.

_ESCAPED_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_NEEDS_ESCAPE_RE = re.compile("_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0b-\x0d\x0e-\x1f\ufffe\uffff]")


def escape_text(text: str) -> str:
    """Text as Excel would store it (control characters and '\\r' as _xHHHH_)."""
    if not _NEEDS_ESCAPE_RE.search(text):
        return text
    return _NEEDS_ESCAPE_RE.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)


def unescape_text(text: str) -> str:
    """The inverse of `escape_text`, as Excel decodes cell text."""
    if "_x" not in text:
        return text
    return _ESCAPED_RE.sub(lambda m: chr(int(m.group(1), 16)), text)


# ------------------------------------------------------------------------------ sniffing


def _ole_stream_names(data: bytes) -> set[str]:
    """Names in the directory of an OLE compound file (.xls, .doc, encrypted .xlsx).
    Follows the FAT chain of the directory; a damaged file gives what could be read."""
    names: set[str] = set()
    if len(data) < 512:
        return names
    sector_shift = struct.unpack_from("<H", data, 0x1E)[0]
    if sector_shift not in (9, 12):
        return names
    size = 1 << sector_shift
    first_dir = struct.unpack_from("<I", data, 0x30)[0]
    difat = struct.unpack_from("<109I", data, 0x4C)
    fat: list[int] = []
    for sector in difat:
        if sector >= 0xFFFFFFFA:
            break
        offset = (sector + 1) * size
        chunk = data[offset: offset + size]
        fat.extend(struct.unpack(f"<{len(chunk) // 4}I", chunk[: len(chunk) // 4 * 4]))
    sector, seen = first_dir, set()
    while sector < 0xFFFFFFFA and sector not in seen and len(seen) < 10_000:
        seen.add(sector)
        offset = (sector + 1) * size
        block = data[offset: offset + size]
        for start in range(0, len(block) - 127, 128):
            entry = block[start: start + 128]
            length = struct.unpack_from("<H", entry, 0x40)[0]
            if 2 <= length <= 64:
                try:
                    names.add(entry[: length - 2].decode("utf-16-le"))
                except UnicodeDecodeError:
                    pass
        sector = fat[sector] if sector < len(fat) else 0xFFFFFFFE
    return names


def _looks_like_text(head: bytes) -> str | None:
    """'csv' / 'html' / 'xml2003' when the bytes are text rather than a workbook."""
    for encoding in ("utf-8-sig", "gb18030", "utf-16"):
        try:
            text = head.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return None
    if not text or sum(ch.isprintable() or ch in "\r\n\t" for ch in text) < 0.95 * len(text):
        return None
    lowered = text.lstrip().lower()
    if "urn:schemas-microsoft-com:office:spreadsheet" in lowered:
        return "xml2003"
    if lowered.startswith("<") and ("<html" in lowered or "<table" in lowered):
        return "html"
    return "csv"


def check_file(path: Path) -> None:
    """Raise ExcelFileError unless `path` looks like an .xlsx package."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(65536)
            is_ole = head.startswith(OLE_MAGIC)
            data = head + fh.read() if is_ole else head
    except FileNotFoundError:
        raise ExcelFileError(f"找不到文件「{path}」") from None
    except IsADirectoryError:
        raise ExcelFileError(f"「{path}」是文件夹，不是 Excel 文件") from None
    except PermissionError:
        raise ExcelFileError(f"没有权限读取「{path.name}」（文件可能正被其他程序占用）") from None
    except OSError as err:
        raise ExcelFileError(f"无法读取「{path.name}」：{os_reason(err)}") from None
    name = path.name
    if not head:
        raise ExcelFileError(f"「{name}」是空文件（0 字节），不是 Excel 工作簿")
    if head.startswith(ZIP_MAGICS):
        return
    if is_ole:
        streams = {s.lower() for s in _ole_stream_names(data)}
        if {"encryptioninfo", "encryptedpackage"} & streams:
            raise ExcelFileError(
                f"「{name}」设置了打开密码，本程序无法读取。请在 Excel/WPS 中打开，"
                "在「文件 → 信息 → 保护工作簿」中取消密码后另存为 .xlsx，再导入")
        if {"workbook", "book"} & streams:
            raise ExcelFileError(
                f"「{name}」是旧版 Excel 97-2003 格式（.xls），本程序只能读取 .xlsx。"
                "请在 Excel/WPS 中打开，另存为「Excel 工作簿（*.xlsx）」后再导入")
        if "worddocument" in streams:
            raise ExcelFileError(f"「{name}」是 Word 文档，不是 Excel 工作簿")
        raise ExcelFileError(
            f"「{name}」是旧版 Office 格式的文件，本程序只能读取 .xlsx。请在 Excel/WPS 中另存为 .xlsx 后再导入")
    kind = _looks_like_text(head)
    if kind == "csv":
        raise ExcelFileError(
            f"「{name}」实际上是 CSV/文本文件（只是扩展名为 .xlsx）。请用 Excel/WPS 打开，"
            "另存为「Excel 工作簿（*.xlsx）」后再导入")
    if kind == "html":
        raise ExcelFileError(
            f"「{name}」实际上是网页（HTML）格式的表格，常见于业务系统导出。请用 Excel/WPS 打开，"
            "另存为「Excel 工作簿（*.xlsx）」后再导入")
    if kind == "xml2003":
        raise ExcelFileError(
            f"「{name}」是 Excel 2003 XML 表格，请用 Excel/WPS 打开并另存为 .xlsx 后再导入")
    raise ExcelFileError(f"「{name}」不是 Excel 工作簿（.xlsx）文件，无法读取")


def _check_package(archive: zipfile.ZipFile, name: str) -> None:
    names = set(archive.namelist())
    if "xl/workbook.xml" in names:
        return
    if "xl/workbook.bin" in names:
        raise ExcelFileError(f"「{name}」是 Excel 二进制工作簿（.xlsb），请在 Excel 中另存为 .xlsx 后再导入")
    if any(n.startswith("word/") for n in names):
        raise ExcelFileError(f"「{name}」是 Word 文档，不是 Excel 工作簿")
    if any(n.startswith("ppt/") for n in names):
        raise ExcelFileError(f"「{name}」是 PowerPoint 演示文稿，不是 Excel 工作簿")
    if "mimetype" in names:
        raise ExcelFileError(f"「{name}」是 OpenDocument（.ods 等）文件，请在 WPS/LibreOffice 中另存为 .xlsx 后再导入")
    raise ExcelFileError(f"「{name}」是压缩包，但不是 Excel 工作簿（.xlsx）")


# ------------------------------------------------------------------------------ formulas


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> part name inside the package."""
    root = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels_root = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels_root.iter(f"{{{_NS_PKG_REL}}}Relationship")}
    parts = {}
    for sheet in root.iter(f"{{{_NS_MAIN}}}sheet"):
        target = targets.get(sheet.get(f"{{{_NS_REL}}}id"), "")
        if not target:
            continue
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        parts[sheet.get("name", "")] = part
    return parts


_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
_FORMULA_RE = re.compile(rb"<" + _PREFIX + rb"f(?=[\s>/])")
_VALUE_RE = re.compile(rb"\s*<" + _PREFIX + rb"v\s*>\s*[^<\s]")
_EMPTY_VALUE_RE = re.compile(rb"\s*<" + _PREFIX + rb"v\s*(/>|>\s*</)")
_CELL_REF_RE = re.compile(rb"<" + _PREFIX + rb"c\s[^>]*?\br=\"([A-Z]{1,3}[0-9]{1,7})\"[^>]*>")


def formula_cells_without_value(archive: zipfile.ZipFile, part: str) -> list[str]:
    """Coordinates ('B7') of formula cells that have no cached result (files written by programs
    and never opened in Excel). With data_only=True openpyxl reads them as empty.

    Looks only at the formula elements (cost grows with the number of formulas, not cells): in a
    cell, <f> comes before <v>, and a formula text holds no raw '<'."""
    with archive.open(part) as fh:
        data = fh.read()
    found = []
    for match in _FORMULA_RE.finditer(data):
        close = data.find(b">", match.end())
        if close < 0:
            break
        if data[close - 1: close] == b"/":  # <f .../> (a shared formula's member)
            after = close + 1
        else:
            end_tag = data.find(b"</", close)
            after = data.find(b">", end_tag) + 1 if end_tag >= 0 else -1
            if after <= 0:
                break
        if _VALUE_RE.match(data, after):
            continue
        tags = list(_CELL_REF_RE.finditer(data, max(0, match.start() - 400), match.start()))
        tag = tags[-1] if tags else None
        if tag is not None and re.search(rb'\st="str"', tag.group(0)) and _EMPTY_VALUE_RE.match(data, after):
            continue  # a text formula whose result is "" (=IF(A1="","",…)): computed, just empty
        found.append(tag.group(1).decode("ascii") if tag is not None else "?")
    return found


# ------------------------------------------------------------------------------ reading


@dataclass
class SheetData:
    """One sheet read in read-only mode: rows of openpyxl cells (ragged; trailing cells absent)."""

    name: str
    rows: list[tuple[Any, ...]]
    formula_without_value: set[tuple[int, int]]  # (row, column), 1-based


@dataclass
class BookData:
    sheetnames: list[str]
    sheets: dict[str, SheetData]
    epoch: Any


def _coordinate(ref: str) -> tuple[int, int] | None:
    from openpyxl.utils.cell import coordinate_to_tuple

    try:
        return coordinate_to_tuple(ref)
    except (ValueError, TypeError):
        return None


def read_book(path: Path, sheets: list[str] | None = None) -> BookData:
    """Read the workbook at `path` (read_only, data_only); `sheets` limits which sheets are read
    (names not in the book are ignored here; the caller reports them).

    openpyxl meets damaged packages with many exception types (zip, XML, KeyError, ValueError…);
    inside this function they all mean "the file is damaged" and become one ExcelFileError.
    Only file-reading code runs inside the guarded block (no parsing of values, which happens
    later), so a bug of ours in value parsing is not disguised as a damaged file.
    """
    from openpyxl import load_workbook

    check_file(path)
    name = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            _check_package(archive, name)
            parts = _sheet_parts(archive)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                wb = load_workbook(path, read_only=True, data_only=True)
            try:
                wanted = wb.sheetnames if sheets is None else [s for s in wb.sheetnames if s in sheets]
                out: dict[str, SheetData] = {}
                for title in wanted:
                    ws = wb[title]
                    if not hasattr(ws, "reset_dimensions"):  # a chartsheet: no cells
                        continue
                    ws.reset_dimensions()  # declared dimensions are often wrong; read what is there
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        rows = list(ws.iter_rows())
                    missing = set()
                    if title in parts:
                        for ref in formula_cells_without_value(archive, parts[title]):
                            rc = _coordinate(ref)
                            if rc:
                                missing.add(rc)
                    out[title] = SheetData(title, rows, missing)
                book = BookData(list(wb.sheetnames), out, wb.epoch)
            finally:
                wb.close()
    except UserError:
        raise
    except PermissionError:
        raise ExcelFileError(f"没有权限读取「{name}」（文件可能正在 Excel/WPS 中打开）") from None
    except MemoryError:
        raise ExcelFileError(f"「{name}」太大，内存不足，无法读取") from None
    except Exception as err:  # noqa: BLE001 - see the docstring: a damaged package, not a bug of ours
        raise ExcelFileError(
            f"「{name}」已损坏或不是有效的 .xlsx 文件，无法读取（{type(err).__name__}）。"
            "请在 Excel/WPS 中打开并另存为 .xlsx 后再试") from None
    return book


def number_format_of(cell: Any) -> str:
    """The number format of a read-only cell; 'General' when the style table is damaged."""
    try:
        return cell.number_format or "General"
    except (AttributeError, IndexError, KeyError, TypeError):
        return "General"
