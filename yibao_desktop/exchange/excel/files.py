"""Opening workbooks safely: recognise what a file really is (.xlsx/.xlsm, .xls, .ods, or a file
that only carries such a name) before any reader sees it, refuse a sheet too long to import
before reading it, and read every sheet's values with python-calamine.

calamine gives values only. What the import also needs — formula cells saved without their
result, formula errors (#DIV/0!), the number formats that change a number's meaning (85% stored
as 0.85, 12.5 shown as 12.50万元) and the 1904 date system — is read beside it: from the package's
XML for .xlsx (styles.xml, and a byte scan of each sheet), from the BIFF8 records for .xls
(biff.py). For .ods only the values are read (see docs/excel.md).

Everything here only reads the source file. Failures are `UserError`s with a Chinese message that
tells the user what to do (e.g. "save it as .xlsx in Excel/WPS"), never a traceback.
"""

from __future__ import annotations

import posixpath
import re
import struct
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable
from xml.etree import ElementTree

from yibao_desktop.fileio import os_reason
from yibao_desktop.domain.errors import UserError
from yibao_desktop.domain.limits import IMPORT_ROWS_MAX
from yibao_desktop.exchange.excel import biff

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
    """Names in the directory of an OLE compound file (.xls, .doc, encrypted .xlsx); empty when
    the container cannot be read."""
    try:
        return biff.Ole(data).names()
    except (biff.BiffError, struct.error, IndexError):
        return set()


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


SUPPORTED = "Excel 工作簿（.xlsx、.xlsm）、Excel 97-2003 工作簿（.xls）或 OpenDocument 表格（.ods）"


def check_file(path: Path) -> str:
    """What `path` is: "zip" (an .xlsx, .xlsm or .ods package, told apart by `_check_package`)
    or "xls"; raise ExcelFileError for anything else."""
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
        return "zip"
    if is_ole:
        streams = {s.lower() for s in _ole_stream_names(data)}
        if {"encryptioninfo", "encryptedpackage"} & streams:
            raise ExcelFileError(
                f"「{name}」设置了打开密码，本程序无法读取。请在 Excel/WPS 中打开，"
                "在「文件 → 信息 → 保护工作簿」中取消密码后另存为 .xlsx，再导入")
        if {"workbook", "book"} & streams:
            return "xls"
        if "worddocument" in streams:
            raise ExcelFileError(f"「{name}」是 Word 文档，不是 Excel 工作簿")
        if not streams:
            raise ExcelFileError(f"「{name}」已损坏或不是有效的 Excel 97-2003 工作簿（.xls），无法读取。"
                                 "请在 Excel/WPS 中打开并另存为 .xlsx 后再试")
        raise ExcelFileError(f"「{name}」是旧版 Office 格式的文件，但不是 Excel 工作簿。本程序可以读取{SUPPORTED}")
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
    raise ExcelFileError(f"「{name}」不是 Excel 工作簿（.xlsx）文件，无法读取。本程序可以读取{SUPPORTED}")


def _check_package(archive: zipfile.ZipFile, name: str) -> str:
    """"xlsx" or "ods"; raise ExcelFileError for any other package."""
    names = set(archive.namelist())
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        raise ExcelFileError(f"「{name}」是 Excel 二进制工作簿（.xlsb），请在 Excel 中另存为 .xlsx 后再导入")
    if any(n.startswith("word/") for n in names):
        raise ExcelFileError(f"「{name}」是 Word 文档，不是 Excel 工作簿")
    if any(n.startswith("ppt/") for n in names):
        raise ExcelFileError(f"「{name}」是 PowerPoint 演示文稿，不是 Excel 工作簿")
    if "mimetype" in names:
        mimetype = archive.read("mimetype")[:100].strip()
        if mimetype == b"application/vnd.oasis.opendocument.spreadsheet" and "content.xml" in names:
            return "ods"
        raise ExcelFileError(f"「{name}」是 OpenDocument 文本或演示文稿，不是表格。本程序可以读取{SUPPORTED}")
    raise ExcelFileError(f"「{name}」是压缩包，但不是 Excel 工作簿（.xlsx）")


# ------------------------------------------------------------------------------ formulas


def _workbook_info(archive: zipfile.ZipFile) -> tuple[dict[str, str], bool]:
    """(sheet name -> part name inside the package, whether dates count from 1904)."""
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
    pr = root.find(f"{{{_NS_MAIN}}}workbookPr")
    date1904 = pr is not None and pr.get("date1904", "").lower() in ("1", "true")
    return parts, date1904


def _meaningful(code: str) -> bool:
    """A number format that changes what a number means to the import (percent, 万元)."""
    from yibao_desktop.exchange.excel import cells

    return cells.is_percent_format(code) or cells.is_wan_format(code)


def _special_styles(archive: zipfile.ZipFile) -> dict[int, str]:
    """Cell style index -> number format, for the styles whose format is `_meaningful`."""
    try:
        root = ElementTree.fromstring(archive.read("xl/styles.xml"))
    except KeyError:
        return {}
    codes = dict(biff.BUILTIN_FORMATS)
    for fmt in root.iter(f"{{{_NS_MAIN}}}numFmt"):
        try:
            codes[int(fmt.get("numFmtId", ""))] = fmt.get("formatCode", "")
        except ValueError:
            continue
    xfs = root.find(f"{{{_NS_MAIN}}}cellXfs")
    out = {}
    for index, xf in enumerate(xfs if xfs is not None else ()):
        try:
            code = codes.get(int(xf.get("numFmtId", "0")))
        except ValueError:
            continue
        if code and _meaningful(code):
            out[index] = code
    return out


_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
_FORMULA_RE = re.compile(rb"<" + _PREFIX + rb"f(?=[\s>/])")
_VALUE_RE = re.compile(rb"\s*<" + _PREFIX + rb"v\s*>\s*[^<\s]")
_EMPTY_VALUE_RE = re.compile(rb"\s*<" + _PREFIX + rb"v\s*(/>|>\s*</)")
_CELL_REF_RE = re.compile(rb"<" + _PREFIX + rb"c\s[^>]*?\br=\"([A-Z]{1,3}[0-9]{1,7})\"[^>]*>")


def formula_cells_without_value(data: bytes) -> list[str]:
    """Coordinates ('B7') of formula cells that have no cached result (files written by programs
    and never opened in Excel), in a sheet's XML. A reader sees them as empty.

    Looks only at the formula elements (cost grows with the number of formulas, not cells): in a
    cell, <f> comes before <v>, and a formula text holds no raw '<'."""
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


# ------------------------------------------------------------------------------ sheet scans

_ERROR_CELL_RE = re.compile(rb"<" + _PREFIX + rb"c\s[^>]*?\bt=\"e\"[^>]*>")
_ERROR_VALUE_RE = re.compile(rb"\s*(?:<" + _PREFIX + rb"f[\s>/][^<]*(?:</" + _PREFIX + rb"f>)?\s*)?<"
                             + _PREFIX + rb"v>([^<]*)<")
_REF_RE = re.compile(rb"\br=\"([A-Z]{1,3}[0-9]{1,7})\"")
_CELL_TAG_RE = re.compile(rb"<" + _PREFIX + rb"c\s")


def _error_cells(data: bytes) -> dict[tuple[int, int], str]:
    """(row, column) -> error text (#DIV/0!) of the cells typed as errors in a sheet's XML."""
    out: dict[tuple[int, int], str] = {}
    if b't="e"' not in data:
        return out
    for match in _ERROR_CELL_RE.finditer(data):
        ref = _REF_RE.search(match.group(0))
        value = _ERROR_VALUE_RE.match(data, match.end())
        rc = _coordinate(ref.group(1).decode("ascii")) if ref else None
        if rc:
            out[rc] = value.group(1).decode("utf-8", "replace").strip() if value else "#VALUE!"
    return out


def _styled_cells(data: bytes, styles: dict[int, str]) -> dict[tuple[int, int], str]:
    """(row, column) -> number format of the cells whose style is one of `styles`. Searches for
    the style attributes only (cost grows with those cells, not with the sheet)."""
    if not styles:
        return {}
    pattern = re.compile(rb"\ss=\"(" + b"|".join(str(k).encode() for k in styles) + rb")\"")
    out = {}
    for match in pattern.finditer(data):
        start = data.rfind(b"<", 0, match.start())
        if start < 0 or not _CELL_TAG_RE.match(data, start):
            continue  # a row's or column's style, not a cell's
        ref = _REF_RE.search(data, start, match.start())
        rc = _coordinate(ref.group(1).decode("ascii")) if ref else None
        if rc:
            out[rc] = styles[int(match.group(1))]
    return out


# ------------------------------------------------------------------------------ bounded reading
# A sheet is counted before it is read, streaming its XML: one with more than IMPORT_ROWS_MAX
# rows below the header (which lies in the first HEADER_SCAN_ROWS rows) is refused without ever
# being held in memory. read.py checks the exact count of data rows once the header is known.

HEADER_SCAN_ROWS = 30
CHUNK = 1 << 20
MAX_PART = 512 << 20  # a sheet's XML larger than this is not a county's table


def too_many_rows(book: str, sheet: str) -> ExcelFileError:
    return ExcelFileError(
        f"「{book}」的工作表「{sheet}」有超过 {IMPORT_ROWS_MAX:,} 行数据，超出导入的上限"
        f"（{IMPORT_ROWS_MAX:,} 行），未导入任何数据。请只保留需要导入的行，或把表格拆分成几个工作簿后分别导入")


def _pieces(first: bytes, fh: Any, sep: bytes) -> Iterable[bytes]:
    """The stream cut before every `sep` (without it), read a chunk at a time. Every byte is
    searched once (a separator cut by a chunk's end is found in the next), so the work is linear
    even when a piece spans many chunks."""
    keep = len(sep) - 1
    pending = b""  # the piece not yet ended by a separator, less its last `keep` bytes
    data = first
    while data:
        parts = (pending[-keep:] + data if keep and pending else data).split(sep)
        head = pending[:-keep] if keep and pending else pending
        if len(parts) == 1:
            pending = head + parts[0]
        else:
            yield head + parts[0]
            yield from parts[1:-1]
            pending = parts[-1]
        data = fh.read(CHUNK)
    yield pending


def _xlsx_rows_over(archive: zipfile.ZipFile, part: str, limit: int) -> bool:
    """Whether the sheet at `part` has more than `limit` rows holding a value (stops counting
    there, so the work is bounded whatever the file's size)."""
    with archive.open(part) as fh:
        first = fh.read(CHUNK)
        found = re.search(rb"<(\w+:)?sheetData[\s>/]", first)
        prefix = (found.group(1) or b"") if found else b""
        value = re.compile(b"<" + prefix + rb"v>[^<]|<" + prefix + rb"is[\s>]")
        count = 0
        pieces = iter(_pieces(first, fh, b"<" + prefix + b"row"))
        next(pieces, None)  # what precedes the first row
        for piece in pieces:
            if piece[:1] in b" \t\r\n>/" and value.search(piece):  # a row (not <rowBreaks>) with a value
                count += 1
                if count > limit:
                    return True
    return False


_ODS_REPEAT_RE = re.compile(rb"table:number-rows-repeated=\"(\d+)\"")
_ODS_TABLE_RE = re.compile(rb"<table:table\s[^>]*?table:name=\"([^\"]*)\"")
_ODS_SPECIAL = (b'office:value-type="percentage"', b'calcext:value-type="error"')
_ODS_WAN_STYLE = re.compile("<number:text>[^<]*万".encode())  # a data style showing 万 (万元 figures)


def _ods_scan(archive: zipfile.ZipFile, wanted: set[str] | None, limit: int) -> tuple[str | None, bool]:
    """(the first sheet of `wanted` with more than `limit` rows holding a value, or None; whether
    the content holds percentages, formula errors or a 万 in some text, i.e. whether `_ods_cells`
    has anything to find)."""
    import html

    counts: dict[str, int] = {}
    current = None
    special = "styles.xml" in archive.namelist() and bool(_ODS_WAN_STYLE.search(archive.read("styles.xml")))
    with archive.open("content.xml") as fh:
        for piece in _pieces(fh.read(CHUNK), fh, b"<table:table-row"):
            special = special or any(mark in piece for mark in _ODS_SPECIAL) or bool(_ODS_WAN_STYLE.search(piece))
            head, _, rest = piece.partition(b"<table:table ")
            if current is not None and (wanted is None or current in wanted) and piece[:1] in b" \t\r\n>/" \
                    and b"office:value-type=" in head:
                repeat = _ODS_REPEAT_RE.search(head[: head.find(b">") + 1])
                counts[current] = counts.get(current, 0) + (int(repeat.group(1)) if repeat else 1)
                if counts[current] > limit:
                    return current, special
            if rest:
                found = _ODS_TABLE_RE.search(b"<table:table " + rest)
                current = html.unescape(found.group(1).decode("utf-8", "replace")) if found else None
    return None, special


_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_NUMBER = "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
MAX_REPEAT = 1000  # repeated cells or rows holding one value: more are not a county's table
_START_AND_END = tuple("start end".split())  # (spelt so: a quoted SQL keyword is db.py's alone)


def _ods_cells(archive: zipfile.ZipFile, wanted: set[str] | None) -> dict[str, biff.SheetCells]:
    """Per sheet, what calamine does not tell about an .ods: percentages (calamine gives 0.956 for
    95.6%), numbers whose data style shows 万 (万元 figures), and formula errors (calamine gives
    them as blank)."""
    data_styles: dict[str, str] = {}  # data style name -> number format that matters
    cell_styles: dict[str, str] = {}  # cell style name -> data style name

    def style(elem: Any) -> None:
        tag, name = elem.tag, elem.get(f"{{{_STYLE}}}name", "")
        if tag == f"{{{_NUMBER}}}percentage-style":
            data_styles[name] = "0%"
        elif tag in (f"{{{_NUMBER}}}number-style", f"{{{_NUMBER}}}currency-style"):
            text = "".join(t.text or "" for t in elem.iter(f"{{{_NUMBER}}}text"))
            if "万" in text:
                data_styles[name] = f'0"{text.strip()}"'
        elif tag == f"{{{_STYLE}}}style" and elem.get(f"{{{_STYLE}}}family") == "table-cell":
            cell_styles[name] = elem.get(f"{{{_STYLE}}}data-style-name", "")

    if "styles.xml" in archive.namelist():
        with archive.open("styles.xml") as fh:
            for _event, elem in ElementTree.iterparse(fh):
                style(elem)
    out: dict[str, biff.SheetCells] = {}
    sheet: biff.SheetCells | None = None
    row = col = 0
    row_repeat = 1
    with archive.open("content.xml") as fh:
        for event, elem in ElementTree.iterparse(fh, events=_START_AND_END):
            tag = elem.tag
            if event == "start":
                if tag == f"{{{_TABLE}}}table":
                    name = elem.get(f"{{{_TABLE}}}name", "")
                    sheet = out.setdefault(name, biff.SheetCells()) if wanted is None or name in wanted else None
                    row = 0
                elif tag == f"{{{_TABLE}}}table-row":
                    row_repeat = int(elem.get(f"{{{_TABLE}}}number-rows-repeated", "1"))
                    col = 0
                continue
            if tag in (f"{{{_TABLE}}}table-cell", f"{{{_TABLE}}}covered-table-cell"):
                repeat = int(elem.get(f"{{{_TABLE}}}number-columns-repeated", "1"))
                kind = elem.get(f"{{{_OFFICE}}}value-type")
                if sheet is not None and kind is not None:
                    fmt = "0%" if kind == "percentage" else \
                        data_styles.get(cell_styles.get(elem.get(f"{{{_TABLE}}}style-name", ""), ""))
                    error = elem.get(f"{{{_CALCEXT}}}value-type") == "error"
                    text = "".join(elem.itertext()).strip() if error else ""
                    for r in range(row + 1, row + 1 + min(row_repeat, MAX_REPEAT)):
                        for c in range(col + 1, col + 1 + min(repeat, MAX_REPEAT)):
                            if error:
                                sheet.errors[(r, c)] = text or "#VALUE!"
                            elif fmt and kind in ("float", "percentage", "currency"):
                                sheet.formats[(r, c)] = fmt
                col += repeat
                elem.clear()
            elif tag == f"{{{_TABLE}}}table-row":
                row += row_repeat
                elem.clear()
            elif tag in (f"{{{_STYLE}}}style", f"{{{_NUMBER}}}percentage-style",
                                            f"{{{_NUMBER}}}number-style", f"{{{_NUMBER}}}currency-style"):
                style(elem)
    return out


# ------------------------------------------------------------------------------ reading


@dataclass
class SheetData:
    """One sheet's cell values, row by row from row 1 (ragged: trailing blanks absent; blank cells
    None), as openpyxl's read-only mode gave them: str, int (whole numbers), float, bool, datetime.
    Beside them, by 1-based (row, column): formula cells saved without a result, formula errors
    (their value is the error text, e.g. "#DIV/0!") and the meaningful number formats."""

    name: str
    rows: list[tuple[Any, ...]]
    formula_without_value: set[tuple[int, int]] = field(default_factory=set)
    formats: dict[tuple[int, int], str] = field(default_factory=dict)
    errors: set[tuple[int, int]] = field(default_factory=set)

    def number_format(self, row: int, col: int) -> str:
        """The cell's number format where it matters to the import ('General' otherwise)."""
        return self.formats.get((row, col), "General")


@dataclass
class BookData:
    sheetnames: list[str]
    sheets: dict[str, SheetData]
    epoch: datetime
    kind: str = "xlsx"  # "xlsx", "xls" or "ods"


EPOCH_1900, EPOCH_1904 = datetime(1899, 12, 30), datetime(1904, 1, 1)
WHOLE = 1e15  # floats with no fraction below this are read as int, as openpyxl read "12" from .xlsx


def _coordinate(ref: str) -> tuple[int, int] | None:
    from openpyxl.utils.cell import coordinate_to_tuple

    try:
        return coordinate_to_tuple(ref)
    except (ValueError, TypeError):
        return None


def _values(table: list[list[Any]]) -> list[tuple[Any, ...]]:
    """calamine's rows as SheetData rows: "" (an empty cell) -> None, a whole float -> int, a
    date -> datetime at midnight, trailing blanks dropped."""
    rows = []
    for raw in table:
        row = [None if v == "" else v for v in raw]
        for k, v in enumerate(row):
            kind = type(v)
            if kind is float:
                if v.is_integer() and -WHOLE < v < WHOLE:
                    row[k] = int(v)
            elif kind is date:
                row[k] = datetime(v.year, v.month, v.day)
        while row and row[-1] is None:
            row.pop()
        rows.append(tuple(row))
    return rows


def _check_xml(data: bytes) -> None:
    """Raise unless `data` is well-formed XML (calamine reads some broken sheets without a word;
    expat with no handlers checks 100 MB in about a second)."""
    from xml.parsers import expat

    expat.ParserCreate().Parse(data, True)


def _put_errors(rows: list[tuple[Any, ...]], errors: dict[tuple[int, int], str]) -> None:
    """calamine reads an error cell as empty: give it back its error text."""
    for (r, c), text in errors.items():
        while len(rows) < r:
            rows.append(())
        row = list(rows[r - 1])
        row.extend([None] * (c - len(row)))
        row[c - 1] = text
        rows[r - 1] = tuple(row)


# calamine is given the open file, not the path: it then tells the format from the content, as
# check_file did, and not from the name (an .xls saved as "表.xlsx" is common).


def _worksheets(wb: Any, sheets: list[str] | None) -> list[str]:
    """The names of the wanted sheets that hold cells (chart sheets and macros hold none)."""
    from python_calamine import SheetTypeEnum

    kinds = {m.name: m.typ for m in wb.sheets_metadata}
    names = wb.sheet_names if sheets is None else [s for s in wb.sheet_names if s in sheets]
    return [n for n in names if kinds.get(n, SheetTypeEnum.WorkSheet) == SheetTypeEnum.WorkSheet]


def _read_xlsx(path: Path, archive: zipfile.ZipFile, sheets: list[str] | None) -> BookData:
    from python_calamine import CalamineWorkbook

    parts, date1904 = _workbook_info(archive)
    styles = _special_styles(archive)
    with open(path, "rb") as fh, CalamineWorkbook.from_filelike(fh) as wb:
        out: dict[str, SheetData] = {}
        for title in _worksheets(wb, sheets):
            part = parts.get(title)
            data = b""
            if part is not None:
                if archive.getinfo(part).file_size > MAX_PART or _xlsx_rows_over(
                        archive, part, IMPORT_ROWS_MAX + HEADER_SCAN_ROWS):
                    raise too_many_rows(path.name, title)
                data = archive.read(part)
                _check_xml(data)
            rows = _values(wb.get_sheet_by_name(title).to_python(skip_empty_area=False))
            missing = {rc for rc in map(_coordinate, formula_cells_without_value(data)) if rc}
            errors = _error_cells(data)
            _put_errors(rows, errors)
            out[title] = SheetData(title, rows, missing, _styled_cells(data, styles), set(errors))
        return BookData(list(wb.sheet_names), out, EPOCH_1904 if date1904 else EPOCH_1900, "xlsx")


def _read_xls(path: Path, sheets: list[str] | None) -> BookData:
    from python_calamine import CalamineWorkbook

    cells = biff.read_cells(path.read_bytes(), _meaningful)
    with open(path, "rb") as fh, CalamineWorkbook.from_filelike(fh) as wb:
        out: dict[str, SheetData] = {}
        for title in _worksheets(wb, sheets):
            rows = _values(wb.get_sheet_by_name(title).to_python(skip_empty_area=False))
            extra = cells.sheets.get(title, biff.SheetCells())
            _put_errors(rows, extra.errors)
            out[title] = SheetData(title, rows, set(), extra.formats, set(extra.errors))
        return BookData(list(wb.sheet_names), out, EPOCH_1904 if cells.date1904 else EPOCH_1900, "xls")


def _read_ods(path: Path, archive: zipfile.ZipFile, sheets: list[str] | None) -> BookData:
    from python_calamine import CalamineWorkbook

    if archive.getinfo("content.xml").file_size > MAX_PART:
        raise ExcelFileError(f"「{path.name}」太大，无法导入")
    wanted = None if sheets is None else set(sheets)
    over, special = _ods_scan(archive, wanted, IMPORT_ROWS_MAX + HEADER_SCAN_ROWS)
    if over is not None:
        raise too_many_rows(path.name, over)
    extra = _ods_cells(archive, wanted) if special else {}
    with open(path, "rb") as fh, CalamineWorkbook.from_filelike(fh) as wb:
        out = {}
        for title in _worksheets(wb, sheets):
            rows = _values(wb.get_sheet_by_name(title).to_python(skip_empty_area=False))
            cells = extra.get(title, biff.SheetCells())
            _put_errors(rows, cells.errors)
            out[title] = SheetData(title, rows, set(), cells.formats, set(cells.errors))
        return BookData(list(wb.sheet_names), out, EPOCH_1900, "ods")


_DAMAGED = {"xlsx": " .xlsx 文件", "xls": " Excel 97-2003 工作簿（.xls）", "ods": " OpenDocument 表格（.ods）"}


def read_book(path: Path, sheets: list[str] | None = None) -> BookData:
    """Read the workbook at `path` (.xlsx, .xlsm, .xls or .ods, told by its content, not its
    name): every sheet's values, or only those of `sheets` (names not in the book are ignored
    here; the caller reports them). A sheet too long to import is refused before it is read.

    The readers meet damaged files with many exception types (zip, XML, calamine's own…); inside
    this function they all mean "the file is damaged" and become one ExcelFileError. Only
    file-reading code runs inside the guarded block (no parsing of values, which happens later),
    so a bug of ours in value parsing is not disguised as a damaged file.
    """
    kind = check_file(path)
    name = path.name
    try:
        if kind == "xls":
            return _read_xls(path, sheets)
        with zipfile.ZipFile(path) as archive:
            kind = _check_package(archive, name)
            if kind == "ods":
                return _read_ods(path, archive, sheets)
            return _read_xlsx(path, archive, sheets)
    except UserError:
        raise
    except PermissionError:
        raise ExcelFileError(f"没有权限读取「{name}」（文件可能正在 Excel/WPS 中打开）") from None
    except MemoryError:
        raise ExcelFileError(f"「{name}」太大，内存不足，无法读取") from None
    except (KeyboardInterrupt, SystemExit):
        raise
    # calamine panics (a BaseException) on some values it cannot convert, e.g. a date-formatted
    # number beyond any date. See the docstring: a file we cannot read, not a bug of ours.
    except BaseException:  # noqa: BLE001
        raise ExcelFileError(
            f"「{name}」已损坏或不是有效的{_DAMAGED.get(kind, _DAMAGED['xlsx'])}，无法读取。"
            "请在 Excel/WPS 中打开并另存为 .xlsx 后再试") from None
