"""A faster reading of a TrueType face's character tables for ReportLab.

ReportLab's `TTFontFile.extractInfo` reads the cmap, hmtx and loca tables one number at a time
in Python: about 15 ms for each of the bundled GB 2312 subsets (8,500 glyphs), so a quarter of a
draft export went into parsing four fonts. `Face` lets ReportLab read the small header tables
(names, flags, metrics: `extractInfo(charInfo=0)`) and reads the three big tables whole with
`struct`, giving the same attributes with the same values: `charToGlyph`, `charWidths`,
`defaultWidth`, `hmetrics` and `glyphPos` (tests/exchange/pdf/test_ttface.py compares both
readings on every bundled font). Cmap formats other than 4 and 12 (the ones CJK fonts use) take
ReportLab's own path, as does anything the fast reading cannot make sense of.

`glyphToChar` (used only by ReportLab's text shaping, which is off) is built on first use.
"""

from __future__ import annotations

import struct
from fnmatch import fnmatch
from functools import cached_property
from weakref import WeakKeyDictionary

from reportlab import rl_config
from reportlab.pdfbase.ttfonts import TTEncoding, TTFont, TTFontFace, unShapedFontGlob

__all__ = ["Face", "Font"]


class _Unsupported(Exception):
    """The fast reading does not handle this font; ReportLab's reading is used instead."""


def _cmap_offset(face: TTFontFace, data: bytes) -> int:
    """Absolute offset of the cmap subtable ReportLab would pick (its selection rule, verbatim:
    the last Windows table, else Unicode, else Mac Roman)."""
    cmap = face.table["cmap"]["offset"]
    version, count = struct.unpack_from(">HH", data, cmap)
    if count == 0 and version != 0:
        count, version = version, count
    encoffs, enc = None, 0
    for platform, encoding, offset in struct.iter_unpack(">HHL", data[cmap + 4:cmap + 4 + 8 * count]):
        if platform == 3:
            enc, encoffs = 1, offset
        elif platform == 1 and encoding == 0 and enc != 1:
            enc, encoffs = 2, offset
        elif platform == 1 and encoding == 1:
            enc, encoffs = 1, offset
        elif platform == 0 and encoding != 5:
            enc, encoffs = 1, offset
    if encoffs is None:
        raise _Unsupported
    return cmap + encoffs


def _format4(data: bytes, at: int) -> dict[int, int]:
    length, = struct.unpack_from(">H", data, at + 2)
    limit = at + length
    seg_count = struct.unpack_from(">H", data, at + 6)[0] // 2
    ends = struct.unpack_from(f">{seg_count}H", data, at + 14)
    starts = struct.unpack_from(f">{seg_count}H", data, at + 16 + 2 * seg_count)
    deltas = struct.unpack_from(f">{seg_count}h", data, at + 16 + 4 * seg_count)
    ranges_at = at + 16 + 6 * seg_count
    ranges = struct.unpack_from(f">{seg_count}H", data, ranges_at)
    out: dict[int, int] = {}
    for n in range(seg_count):
        start, end, delta, range_offset = starts[n], ends[n], deltas[n], ranges[n]
        if end < start:
            continue
        chars = range(start, end + 1)
        if range_offset == 0:
            out.update(zip(chars, [(c + delta) & 0xFFFF for c in chars]))
            continue
        base = ranges_at + 2 * n + range_offset
        inside = max(0, min(len(chars), (limit - base + 1) // 2))  # entries before the table's end
        glyphs = struct.unpack_from(f">{inside}H", data, base) if inside else ()
        out.update(zip(chars, [(g + delta) & 0xFFFF if g else 0 for g in glyphs]))
        out.update(zip(chars[inside:], [0] * (len(chars) - inside)))  # past the end: "broken font" rule
    return out


def _format12(data: bytes, at: int) -> dict[int, int]:
    groups, = struct.unpack_from(">L", data, at + 12)
    out: dict[int, int] = {}
    for start, end, glyph in struct.iter_unpack(">LLL", data[at + 16:at + 16 + 12 * groups]):
        chars = range(start, end + 1)
        out.update(zip(chars, range(glyph, glyph + len(chars))))
    return out


class Face(TTFontFace):
    """`TTFontFace` whose character tables are read whole."""

    def extractInfo(self, charInfo: int = 1) -> None:  # noqa: N802, N803 (ReportLab's names)
        super().extractInfo(0)  # names, flags, ascent/descent, bbox, numGlyphs: the small tables
        if not charInfo:
            return
        try:
            self._read_char_tables()
        except (_Unsupported, struct.error, KeyError, IndexError):
            super().extractInfo(charInfo)  # ReportLab's reading, with its own errors

    _alias: tuple[int | None, int | None] = (None, None)

    def _read_char_tables(self) -> None:
        data: bytes = self._ttf_data
        head = self.table["head"]["offset"]
        index_to_loc, glyph_format = struct.unpack_from(">hh", data, head + 50)
        if glyph_format != 0:
            raise _Unsupported
        num_hmetrics, = struct.unpack_from(">H", data, self.table["hhea"]["offset"] + 34)
        num_glyphs: int = self.numGlyphs
        at = _cmap_offset(self, data)
        fmt, = struct.unpack_from(">H", data, at)
        if fmt == 4:
            char_to_glyph = _format4(data, at)
        elif fmt == 12:
            char_to_glyph = _format12(data, at)
        else:
            raise _Unsupported

        scale = self._pdfScale
        hmtx = self.table["hmtx"]["offset"]
        pairs = struct.unpack_from(f">{2 * num_hmetrics}H", data, hmtx)
        hmetrics = list(zip(pairs[0::2], pairs[1::2]))
        advances = [scale(aw) for aw in pairs[0::2]]
        rest = num_glyphs - num_hmetrics
        if rest > 0:
            # ReportLab keeps the last advance *scaled* in these entries; kept alike so that its
            # subsetter writes the same hmtx either way.
            last = advances[-1]
            lsbs = struct.unpack_from(f">{rest}H", data, hmtx + 4 * num_hmetrics)
            hmetrics.extend((last, lsb) for lsb in lsbs)
            advances.extend([last] * rest)
        loca = self.table["loca"]["offset"]
        if index_to_loc == 0:
            glyph_pos = [p << 1 for p in struct.unpack_from(f">{num_glyphs + 1}H", data, loca)]
        elif index_to_loc == 1:
            glyph_pos = list(struct.unpack_from(f">{num_glyphs + 1}L", data, loca))
        else:
            raise _Unsupported

        count = len(advances)
        char_widths = {c: advances[g] for c, g in char_to_glyph.items() if g < count}
        # The no-break space takes the space's glyph (or the other way round); glyphToChar keeps
        # what the cmap said (as in ReportLab).
        if 0x20 in char_to_glyph:
            self._alias = (0xA0, char_to_glyph.get(0xA0))
            char_to_glyph[0xA0] = char_to_glyph[0x20]
            char_widths[0xA0] = char_widths[0x20]
        elif 0xA0 in char_to_glyph:
            self._alias = (0x20, None)
            char_to_glyph[0x20] = char_to_glyph[0xA0]
            char_widths[0x20] = char_widths[0xA0]
        self.charToGlyph = char_to_glyph
        self.charWidths = char_widths
        self.defaultWidth = advances[0] if num_hmetrics else None
        self.hmetrics = hmetrics
        self.glyphPos = glyph_pos

    @cached_property
    def glyphToChar(self) -> dict[int, list[int]]:  # noqa: N802
        out: dict[int, list[int]] = {}
        alias, cmap_glyph = self._alias
        for char, glyph in sorted(self.charToGlyph.items()):
            if char == alias:
                glyph = cmap_glyph
                if glyph is None:
                    continue
            out.setdefault(glyph, []).append(char)
        return out


class Font(TTFont):
    """`TTFont` over a `Face`: ReportLab's constructor with the face class swapped."""

    def __init__(self, name: str, filename: str, subfontIndex: int = 0):  # noqa: N803
        self.fontName = name
        self.face = Face(filename, subfontIndex=subfontIndex)
        self.encoding = TTEncoding()
        self.state = WeakKeyDictionary()
        self._asciiReadable = rl_config.ttfAsciiReadable
        self.shapable = not any(fnmatch(name, glob) for glob in unShapedFontGlob)
