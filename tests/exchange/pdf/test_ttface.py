"""The fast reading of a font's character tables (exchange/pdf/ttface.py) gives exactly what
ReportLab's own reading gives, so the PDF's widths, line breaks and embedded subsets are the same."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib.tables._c_m_a_p import CmapSubtable
from reportlab.pdfbase.ttfonts import TTFont, TTFontFace

from yibao_desktop import paths
from yibao_desktop.exchange.pdf import ttface
from yibao_desktop.exchange.pdf.ttface import Face, Font

# Reader state, not font data: where the parser stopped, and the scale function (a new lambda).
_STATE = {"_pos", "_pdfScale", "glyphToChar", "_alias"}


def _assert_same(path: Path, subfont: int = 0) -> None:
    ours, theirs = Face(str(path), subfontIndex=subfont), TTFontFace(str(path), subfontIndex=subfont)
    names = (set(vars(ours)) | set(vars(theirs))) - _STATE
    assert {n for n in names if getattr(ours, n, None) != getattr(theirs, n, None)} == set()
    assert ours.glyphToChar == theirs.glyphToChar
    some = sorted(theirs.charToGlyph)[:: max(1, len(theirs.charToGlyph) // 300)]
    assert ours.makeSubset(some) == theirs.makeSubset(some)  # the bytes embedded in the PDF


@pytest.mark.parametrize("name", sorted(p.name for p in paths.fonts_dir().glob("*.ttf")))
def test_every_bundled_font_reads_as_reportlab_reads_it(name):
    _assert_same(paths.fonts_dir() / name)  # cmap format 4 (the subsets) and 12 (the full Noto Sans SC)


def _glyph(size: int):
    pen = TTGlyphPen(None)
    pen.moveTo((0, 0))
    pen.lineTo((size, 0))
    pen.lineTo((size, size))
    pen.closePath()
    return pen.glyph()


def _build(tmp_path: Path, cmap_format: int | None = None) -> Path:
    """A small font as Windows' own are made: 2048 units per em (so widths are scaled), trailing
    glyphs sharing one advance (numberOfHMetrics < numGlyphs), a cmap with scattered codes (so
    format 4 needs idRangeOffset), the no-break space missing, a character above U+FFFF."""
    order = [".notdef", "space"] + [f"g{i}" for i in range(40)]
    fb = FontBuilder(2048, isTTF=True)
    fb.setupGlyphOrder(order)
    cmap = {0x20: "space", 0x1F600: "g39"}
    for i in range(39):
        cmap[0x4E00 + i * 7 + (i % 3)] = f"g{i}"  # scattered: no single delta per segment
    cmap[0x4E01] = "g5"  # two characters on one glyph
    cmap.update({0x5000 + i: f"g{38 - 3 * i}" for i in range(12)})  # a run of codes, glyphs out of order
    fb.setupCharacterMap(cmap)
    fb.setupGlyf({g: _glyph(100 + i) for i, g in enumerate(order)})
    metrics = {g: (1000 + 37 * i if i < 20 else 2048, 0) for i, g in enumerate(order)}
    fb.setupHorizontalMetrics(metrics)
    fb.setupHorizontalHeader(ascent=1800, descent=-248)
    fb.setupNameTable({"familyName": "Probe", "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=1800, sTypoDescender=-248, usWinAscent=1800, usWinDescent=248)
    fb.setupPost()
    if cmap_format is not None:  # only a table of this format
        sub = CmapSubtable.newSubtable(cmap_format)
        sub.platformID, sub.platEncID, sub.language = 3, 1, 0
        sub.cmap = {c: g for c, g in cmap.items() if c < 0x100}
        fb.font["cmap"].tables = [sub]
    path = tmp_path / f"probe-{cmap_format}.ttf"
    fb.save(str(path))
    return path


def _range_offsets(path: Path) -> list[int]:
    """idRangeOffset of each segment of the font's Windows format 4 cmap (the glyph-array path)."""
    data = path.read_bytes()
    tables = {data[12 + 16 * i:16 + 16 * i]: struct.unpack_from(">L", data, 20 + 16 * i)[0]
              for i in range(struct.unpack_from(">H", data, 4)[0])}
    cmap = tables[b"cmap"]
    for i in range(struct.unpack_from(">H", data, cmap + 2)[0]):
        platform, encoding, offset = struct.unpack_from(">HHL", data, cmap + 4 + 8 * i)
        at = cmap + offset
        if (platform, encoding) == (3, 1) and struct.unpack_from(">H", data, at)[0] == 4:
            segs = struct.unpack_from(">H", data, at + 6)[0] // 2
            return list(struct.unpack_from(f">{segs}H", data, at + 16 + 6 * segs))
    raise AssertionError("no format 4 table")


def test_a_scaled_font_with_shared_advances_and_scattered_codes_reads_alike(tmp_path):
    path = _build(tmp_path)
    assert any(_range_offsets(path)), "the probe font exercises format 4's glyph array"
    face = Face(str(path))
    assert face.unitsPerEm == 2048 and face.charWidths[0x4E00] == (1000 + 37 * 2) * 1000 / 2048  # glyph g0
    assert face.numGlyphs == 42 and len(face.hmetrics) == 42 and face.charWidths[0x1F600] == 2048 * 1000 / 2048
    _assert_same(path)


def test_a_cmap_format_it_does_not_read_falls_back_to_reportlab(tmp_path, monkeypatch):
    path = _build(tmp_path, cmap_format=0)  # a byte table: only old Mac fonts have one
    calls = []
    fast = ttface.Face._read_char_tables
    monkeypatch.setattr(ttface.Face, "_read_char_tables", lambda self: calls.append(1) or fast(self))
    _assert_same(path)
    assert calls, "the fast reading was tried first"


def test_the_font_object_is_reportlabs_with_the_fast_face():
    path = str(paths.fonts_dir() / "NotoSerifSC-Regular-subset.ttf")
    ours, theirs = Font("Probe-1", path), TTFont("Probe-1", path)
    assert isinstance(ours.face, Face)
    def plain(font):
        return {k: vars(v) if k == "encoding" else v for k, v in vars(font).items() if k not in ("face", "state")}

    assert plain(ours) == plain(theirs) and type(ours.state) is type(theirs.state)
    assert ours.stringWidth("医保绩效 2025", 12) == theirs.stringWidth("医保绩效 2025", 12)
