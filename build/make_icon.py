"""Build step: draw the application icon (no binary icon is kept in git).

Writes `yibao-desktop.ico` (16–256 px, for the Windows exe, shortcuts and the installer) and
`yibao-desktop-<N>.png` (for the Linux .desktop entry and the hicolor theme) into a folder under
build/_work/. A blue rounded square with 医保 in white (医 alone at 32 px and below, where two
characters would not be legible), drawn with the bundled Noto Sans SC.

    python build/make_icon.py [OUT_DIR]

Needs Pillow (a dependency of ReportLab, so every build environment has it).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "build" / "_work" / "icon"
FONT = ROOT / "resources" / "fonts" / "NotoSansSC-Regular.ttf"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
PNG_SIZES = (48, 128, 256)
BLUE = (21, 101, 192, 255)
WHITE = (255, 255, 255, 255)
NAME = "yibao-desktop"


def draw(size: int):  # -> PIL.Image.Image
    from PIL import Image, ImageDraw, ImageFont

    scale = 4  # draw large, then shrink: smooth edges at every size
    big = size * scale
    img = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    margin = max(scale, big // 32)
    d.rounded_rectangle((margin, margin, big - margin, big - margin), radius=big // 5, fill=BLUE)
    text = "医" if size <= 32 else "医保"
    font_px = int(big * (0.62 if len(text) == 1 else 0.36))
    font = ImageFont.truetype(str(FONT), font_px)
    # a faux bold: stroke the glyphs by a few percent of their size
    stroke = max(1, font_px // 28)
    box = d.textbbox((0, 0), text, font=font, stroke_width=stroke)
    x = (big - (box[2] - box[0])) / 2 - box[0]
    y = (big - (box[3] - box[1])) / 2 - box[1]
    d.text((x, y), text, font=font, fill=WHITE, stroke_width=stroke, stroke_fill=WHITE)
    return img.resize((size, size), Image.Resampling.LANCZOS)


def make_icons(out: Path = DEFAULT_OUT) -> Path:
    """Write the .ico and PNGs into `out`; returns the .ico path. Skips work that is up to date."""
    out.mkdir(parents=True, exist_ok=True)
    ico = out / f"{NAME}.ico"
    if ico.is_file() and ico.stat().st_mtime >= max(Path(__file__).stat().st_mtime, FONT.stat().st_mtime):
        return ico
    images = {size: draw(size) for size in sorted(set(ICO_SIZES) | set(PNG_SIZES))}
    largest = images[max(ICO_SIZES)]
    largest.save(ico, format="ICO", sizes=[(s, s) for s in ICO_SIZES],
                 append_images=[images[s] for s in ICO_SIZES if s != max(ICO_SIZES)])
    for size in PNG_SIZES:
        images[size].save(out / f"{NAME}-{size}.png")
    return ico


if __name__ == "__main__":
    print(make_icons(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT))
