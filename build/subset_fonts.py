"""Build step (not run by the app): make the bundled PDF fallback fonts from their upstream files.

The upstream CJK TrueType fonts are 14-15 MB each. The PDF only needs the characters a county
report can contain, so each is subset to GB 2312 (all 6,763 hanzi and its symbols) plus the
punctuation, Latin, digit, maths and enclosed-number blocks and every character of the bundled
templates and demo. Characters outside that set are still drawn when another font of the
fallback chain has them (the full Noto Sans SC, loaded only then); otherwise the export names them
(exchange/pdf/fonts.py). The Hei role uses a subset of Noto Sans SC too: parsing the full 10 MB font
costs about 50 ms of every export.

Usage (needs fontTools, a build-time tool only: `pip install fonttools`):

    npm pack @expo-google-fonts/noto-serif-sc && tar xzf expo-google-fonts-noto-serif-sc-*.tgz
    apt-get install fonts-lxgw-wenkai
    python build/subset_fonts.py \\
        --serif-regular package/400Regular/NotoSerifSC_400Regular.ttf \\
        --serif-bold package/700Bold/NotoSerifSC_700Bold.ttf \\
        --kai /usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf

LXGW WenKai declares the Reserved Font Names "LXGW" and "霞鹜"; the subset is a Modified Version
under the OFL, so it is renamed "Yibao WenKai Subset". Noto Serif SC declares no reserved name.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
HERE = RESOURCES / "fonts"  # where the subsets are written

BLOCKS = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x017F),  # Latin-1 supplement, Latin extended-A
    (0x0391, 0x03C9),  # Greek
    (0x0401, 0x0451),  # Cyrillic (GB 2312 has it)
    (0x2000, 0x206F),  # general punctuation (— … ‘ ’ “ ” ‰)
    (0x2100, 0x218F),  # letterlike symbols, number forms (℃ № Ⅰ Ⅱ)
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # mathematical operators (≥ ≤ ≠ ×)
    (0x2460, 0x24FF),  # enclosed alphanumerics (① ⑴ ⒈)
    (0x2500, 0x25FF),  # box drawing, geometric shapes (□ ○ ■)
    (0x2600, 0x26FF),  # misc symbols (★ ☆)
    (0x3000, 0x303F),  # CJK symbols and punctuation (、。〔〕《》「」)
    (0x3200, 0x32FF),  # enclosed CJK (㈠)
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # full-width forms (，：；％（）)
)


def charset() -> set[int]:
    chars: set[int] = set()
    for lo, hi in BLOCKS:
        chars.update(range(lo, hi + 1))
    for b1 in range(0xA1, 0xF8):
        for b2 in range(0xA1, 0xFF):
            try:
                chars.update(map(ord, bytes((b1, b2)).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    # Every character the app itself ships (templates, demo report).
    for path in list((RESOURCES / "templates").glob("*.json")) + list((RESOURCES / "demo").glob("*.json")):
        chars.update(map(ord, json.dumps(json.loads(path.read_text(encoding="utf-8")), ensure_ascii=False)))
    return chars


def subset(src: Path, dst: Path, rename: tuple[str, str] | None = None) -> None:
    from fontTools import subset as ft_subset
    from fontTools.ttLib import TTFont

    options = ft_subset.Options()
    options.layout_features = []  # ReportLab does no shaping; keep the plain cmap only
    options.hinting = False
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.glyph_names = False
    font = TTFont(str(src))
    if "glyf" not in font:
        raise SystemExit(f"{src}: not a TrueType (glyf) font; ReportLab cannot embed CFF outlines")
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(unicodes=charset())
    subsetter.subset(font)
    if rename:
        family, postscript = rename
        name = font["name"]
        for record in list(name.names):
            if record.nameID in (1, 16):
                name.setName(family, record.nameID, record.platformID, record.platEncID, record.langID)
            elif record.nameID in (3, 4):
                name.setName(f"{family} Regular", record.nameID, record.platformID, record.platEncID,
                             record.langID)
            elif record.nameID == 6:
                name.setName(f"{postscript}-Regular", record.nameID, record.platformID, record.platEncID,
                             record.langID)
            elif record.nameID in (17,):
                name.setName("Regular", record.nameID, record.platformID, record.platEncID, record.langID)
    font.save(str(dst))
    print(f"{dst.name}: {dst.stat().st_size // 1024} KB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--serif-regular", type=Path, required=True)
    parser.add_argument("--serif-bold", type=Path, required=True)
    parser.add_argument("--kai", type=Path, required=True)
    parser.add_argument("--sans", type=Path, default=HERE / "NotoSansSC-Regular.ttf",
                        help="Noto Sans SC (default: the bundled full font, kept for the window and rare characters)")
    args = parser.parse_args()
    subset(args.sans, HERE / "NotoSansSC-Regular-subset.ttf")
    subset(args.serif_regular, HERE / "NotoSerifSC-Regular-subset.ttf")
    subset(args.serif_bold, HERE / "NotoSerifSC-Bold-subset.ttf")
    subset(args.kai, HERE / "YibaoWenKai-Regular-subset.ttf", rename=("Yibao WenKai Subset", "YibaoWenKaiSubset"))


if __name__ == "__main__":
    main()
