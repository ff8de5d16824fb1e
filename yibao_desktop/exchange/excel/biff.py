"""What calamine does not tell about an .xls (Excel 97-2003, BIFF8) workbook: which number cells
carry a percent or 万元 number format, which cells hold a formula error (#DIV/0!), and the date
system. python-calamine gives the values only; the import needs these to read a sheet as
openpyxl read it from .xlsx (0.85 shown as 85%, 12.5 shown as 12.50万元, an error not taken as
blank).

Two small readers over bytes, no dependencies: the OLE compound file (the container: sectors,
FAT, directory, mini stream) and the BIFF8 records of its Workbook stream. Only the records
named below are looked at; anything else is skipped by its length. Damaged input raises
BiffError (the caller turns it into the Chinese "damaged file" message).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Callable

FREESECT, ENDOFCHAIN = 0xFFFFFFFF, 0xFFFFFFFE
MAX_SECTORS = 1 << 22  # 2 GiB of 512-byte sectors: a chain longer than that is a loop

# BIFF8 record types
BOF, EOF, BOUNDSHEET, DATEMODE, FORMAT, XF = 0x0809, 0x000A, 0x0085, 0x0022, 0x041E, 0x00E0
NUMBER, RK, MULRK, FORMULA, BOOLERR = 0x0203, 0x027E, 0x00BD, 0x0006, 0x0205
BUILTIN_FORMATS = {9: "0%", 10: "0.00%"}  # the built-in formats that matter here (percent)
ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
          0x2A: "#N/A", 0x2B: "#GETTING_DATA"}


class BiffError(Exception):
    """The bytes are not a readable OLE/BIFF8 file."""


# ------------------------------------------------------------------------------ OLE container


class Ole:
    """An OLE compound file (CFB): its streams by name, read through the FAT chains."""

    def __init__(self, data: bytes):
        if len(data) < 512 or not data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
            raise BiffError("not an OLE file")
        self.data = data
        shift = struct.unpack_from("<H", data, 0x1E)[0]
        if shift not in (9, 12):
            raise BiffError("bad sector size")
        self.size = 1 << shift
        self.mini_size = 1 << struct.unpack_from("<H", data, 0x20)[0]
        self.cutoff = struct.unpack_from("<I", data, 0x38)[0]
        first_dir = struct.unpack_from("<I", data, 0x30)[0]
        first_mini = struct.unpack_from("<I", data, 0x3C)[0]
        first_difat, n_difat = struct.unpack_from("<II", data, 0x44)
        fat_sectors = [s for s in struct.unpack_from("<109I", data, 0x4C) if s < 0xFFFFFFFA]
        sector, seen = first_difat, 0
        while sector < 0xFFFFFFFA and seen < n_difat and seen < MAX_SECTORS:  # the DIFAT beyond the header
            block = self._sector(sector)
            ids = struct.unpack(f"<{self.size // 4}I", block)
            fat_sectors += [s for s in ids[:-1] if s < 0xFFFFFFFA]
            sector, seen = ids[-1], seen + 1
        fat: list[int] = []
        for s in fat_sectors:
            fat.extend(struct.unpack(f"<{self.size // 4}I", self._sector(s)))
        self.fat = fat
        directory = self._chain(first_dir, self.fat, self._sector)
        self.entries: dict[str, tuple[int, int, int]] = {}  # name -> (type, start, size)
        for start in range(0, len(directory) - 127, 128):
            entry = directory[start: start + 128]
            length = struct.unpack_from("<H", entry, 0x40)[0]
            kind = entry[0x42]
            if not 2 <= length <= 64 or kind not in (1, 2, 5):
                continue
            try:
                name = entry[: length - 2].decode("utf-16-le")
            except UnicodeDecodeError:
                continue
            first, size = struct.unpack_from("<IQ", entry, 0x74)
            if self.size == 512:
                size &= 0xFFFFFFFF  # version 3 files: the high half is undefined
            self.entries.setdefault(name, (kind, first, size))
        root = next((e for e in self.entries.values() if e[0] == 5), None)
        self._mini_fat: list[int] = []
        self._mini_stream = b""
        if root is not None and first_mini < 0xFFFFFFFA:
            raw = self._chain(first_mini, self.fat, self._sector)
            self._mini_fat = list(struct.unpack(f"<{len(raw) // 4}I", raw[: len(raw) // 4 * 4]))
            self._mini_stream = self._chain(root[1], self.fat, self._sector)[: root[2]]

    def _sector(self, sector: int) -> bytes:
        offset = (sector + 1) * self.size
        block = self.data[offset: offset + self.size]
        if len(block) < self.size:
            raise BiffError("sector beyond the end of the file")
        return block

    def _mini_sector(self, sector: int) -> bytes:
        offset = sector * self.mini_size
        block = self._mini_stream[offset: offset + self.mini_size]
        if len(block) < self.mini_size:
            raise BiffError("mini sector beyond the mini stream")
        return block

    @staticmethod
    def _chain(first: int, fat: list[int], read: Callable[[int], bytes]) -> bytes:
        parts, sector, seen = [], first, set()
        while sector < 0xFFFFFFFA:
            if sector in seen or sector >= len(fat) or len(seen) > MAX_SECTORS:
                raise BiffError("broken sector chain")
            seen.add(sector)
            parts.append(read(sector))
            sector = fat[sector]
        return b"".join(parts)

    def names(self) -> set[str]:
        return set(self.entries)

    def stream(self, name: str) -> bytes:
        kind, first, size = self.entries[name]
        if size < self.cutoff:
            return self._chain(first, self._mini_fat, self._mini_sector)[:size]
        return self._chain(first, self.fat, self._sector)[:size]


# ------------------------------------------------------------------------------ BIFF8 records


@dataclass
class SheetCells:
    """Per sheet, 1-based (row, column): number formats that change a number's meaning, and
    formula errors with their text."""

    formats: dict[tuple[int, int], str] = field(default_factory=dict)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)


@dataclass
class BookCells:
    sheets: dict[str, SheetCells]
    date1904: bool


def _records(stream: bytes, start: int = 0):
    pos, end = start, len(stream)
    while pos + 4 <= end:
        kind, length = struct.unpack_from("<HH", stream, pos)
        yield kind, pos + 4, length
        pos += 4 + length


def _unicode(data: bytes, pos: int, cch: int) -> str:
    """XLUnicodeString characters after the flags byte at `pos`."""
    flags = data[pos]
    pos += 1
    if flags & 0x08:
        pos += 2  # rich-text run count
    if flags & 0x04:
        pos += 4  # extended data size
    if flags & 0x01:
        return data[pos: pos + 2 * cch].decode("utf-16-le", "replace")
    return data[pos: pos + cch].decode("latin-1")


def read_cells(data: bytes, wanted: Callable[[str], bool]) -> BookCells:
    """The formats (as `wanted(format code)` selects them) and errors of every worksheet."""
    try:
        ole = Ole(data)
        name = next((n for n in ("Workbook", "Book") if n in ole.entries), None)
        if name is None:
            raise BiffError("no Workbook stream")
        stream = ole.stream(name)
        return _read_workbook_stream(stream, wanted)
    except (struct.error, IndexError, KeyError, ValueError) as err:
        raise BiffError(str(err)) from err


def _read_workbook_stream(stream: bytes, wanted: Callable[[str], bool]) -> BookCells:
    if len(stream) < 8 or struct.unpack_from("<HHH", stream, 0)[::2] != (BOF, 0x0600):
        if len(stream) >= 8 and struct.unpack_from("<H", stream, 0)[0] == BOF:
            return BookCells({}, False)  # BIFF5/7 (Excel 95): values only, as calamine reads them
        raise BiffError("the Workbook stream does not start with a BIFF8 BOF")
    codes = dict(BUILTIN_FORMATS)
    xf_formats: list[int] = []
    sheets: list[tuple[str, int]] = []
    date1904 = False
    for kind, pos, length in _records(stream):
        if kind == FORMAT:
            ifmt, cch = struct.unpack_from("<HH", stream, pos)
            codes[ifmt] = _unicode(stream, pos + 4, cch)
        elif kind == XF:
            xf_formats.append(struct.unpack_from("<H", stream, pos + 2)[0])
        elif kind == DATEMODE:
            date1904 = struct.unpack_from("<H", stream, pos)[0] == 1
        elif kind == BOUNDSHEET:
            offset, _state, sheet_type, cch = struct.unpack_from("<IBBB", stream, pos)
            if sheet_type == 0:  # a worksheet (not a chart, macro or VB module)
                sheets.append((_unicode(stream, pos + 7, cch), offset))
        elif kind == EOF:
            break
    special = {xf: codes[ifmt] for xf, ifmt in enumerate(xf_formats) if ifmt in codes and wanted(codes[ifmt])}
    out: dict[str, SheetCells] = {}
    for title, offset in sheets:
        out[title] = _read_sheet(stream, offset, special)
    return BookCells(out, date1904)


def _read_sheet(stream: bytes, offset: int, special: dict[int, str]) -> SheetCells:
    cells = SheetCells()
    first = True
    for kind, pos, length in _records(stream, offset):
        if first:
            if kind != BOF:
                raise BiffError("a sheet does not start with BOF")
            first = False
            continue
        if kind == EOF:
            break
        if kind in (NUMBER, RK):
            row, col, xf = struct.unpack_from("<HHH", stream, pos)
            if xf in special:
                cells.formats[(row + 1, col + 1)] = special[xf]
        elif kind == MULRK and special:
            row, col = struct.unpack_from("<HH", stream, pos)
            for k in range((length - 6) // 6):
                xf = struct.unpack_from("<H", stream, pos + 4 + 6 * k)[0]
                if xf in special:
                    cells.formats[(row + 1, col + 1 + k)] = special[xf]
        elif kind == FORMULA:
            row, col, xf = struct.unpack_from("<HHH", stream, pos)
            result = stream[pos + 6: pos + 14]
            if result[6:8] == b"\xff\xff":
                if result[0] == 2:
                    cells.errors[(row + 1, col + 1)] = ERRORS.get(result[2], "#VALUE!")
            elif xf in special:
                cells.formats[(row + 1, col + 1)] = special[xf]
        elif kind == BOOLERR:
            row, col, _xf, value, is_error = struct.unpack_from("<HHHBB", stream, pos)
            if is_error:
                cells.errors[(row + 1, col + 1)] = ERRORS.get(value, "#VALUE!")
    return cells
