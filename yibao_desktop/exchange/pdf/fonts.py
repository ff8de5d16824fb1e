"""Fonts of the PDF report (GB/T 9704 faces) and the glyph-coverage check.

Each typographic role has a chain of fonts. A character is drawn with the first font of its
role's chain that has a glyph for it; a character no font of the chain has is an error the user
sees (`MissingGlyphsError`), never a silent box.

- On Windows the system fonts come first (simsun.ttc, simhei.ttf, simfang.ttf, simkai.ttf and,
  for the title, 方正小标宋 when installed). They may be embedded in a PDF, never shipped.
- Then the bundled fonts of resources/fonts (OFL): Noto Serif SC Regular/Bold subsets (Song and
  bold Song), a WenKai subset (Kai) and a Noto Sans SC subset (Hei), all GB 2312 and more. There
  is no free FangSong with GB 2312 coverage, so the FangSong role falls back to Song.
- Last in every chain, the full Noto Sans SC (the window's font) for rare characters. Fonts are
  loaded only when a character reaches them, so an ordinary report never parses the 10 MB file.
- A folder `fonts/` in the user data folder is searched too (any platform), so a Linux user can
  drop the Windows fonts there.

Only TrueType (glyf) fonts work: ReportLab cannot embed CFF outlines; such a file is skipped.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from yibao_desktop import paths
from yibao_desktop.domain.errors import UserError
from yibao_desktop.exchange.pdf.ttface import Font

log = logging.getLogger(__name__)

ROLES = ("song", "title", "hei", "kai", "fang")
ROLE_LABELS = {"song": "宋体", "title": "小标宋", "hei": "黑体", "kai": "楷体", "fang": "仿宋"}

# (file name, subfont index) candidates in the system font folders, best first.
SYSTEM_FONTS: dict[str, tuple[tuple[str, int], ...]] = {
    "song": (("simsun.ttc", 0), ("simsun.ttf", 0)),
    "title": (("FZXBSJW.TTF", 0), ("方正小标宋简体.ttf", 0), ("FZXBSK.TTF", 0)),
    "hei": (("simhei.ttf", 0),),
    "kai": (("simkai.ttf", 0), ("SIMKAI.TTF", 0), ("楷体_GB2312.ttf", 0)),
    "fang": (("simfang.ttf", 0), ("SIMFANG.TTF", 0), ("仿宋_GB2312.ttf", 0)),
}
BUNDLED_FONTS: dict[str, str | None] = {
    "song": "NotoSerifSC-Regular-subset.ttf",
    "title": "NotoSerifSC-Bold-subset.ttf",
    "hei": "NotoSansSC-Regular-subset.ttf",
    "kai": "YibaoWenKai-Regular-subset.ttf",
    "fang": None,  # no free FangSong: Song stands in
}
FULL_FALLBACK = "NotoSansSC-Regular.ttf"  # every character the subsets lack, in Hei
# Roles whose fonts are tried after the role's own, in order.
FALLBACK_ROLES: dict[str, tuple[str, ...]] = {
    "song": ("song", "hei"),
    "title": ("title", "song", "hei"),
    "hei": ("hei", "song"),
    "kai": ("kai", "song", "hei"),
    "fang": ("fang", "song", "hei"),
}
# Characters that need no glyph: they are never drawn (layout handles them).
_IGNORED = {" ", "\n", "\t", "\u3000"}


@dataclass(frozen=True)
class FontFile:
    path: Path
    subfont: int = 0
    system: bool = False


class PdfFont:
    """One registered ReportLab TrueType font."""

    def __init__(self, file: FontFile, tt: TTFont):
        self.file = file
        self.tt = tt
        self.name: str = tt.fontName
        self._cmap: dict[int, int] = tt.face.charToGlyph
        self._widths: dict[int, float] = tt.face.charWidths
        self._default_width: float = float(tt.face.defaultWidth)

    @property
    def label(self) -> str:
        return self.file.path.name + (f"#{self.file.subfont}" if self.file.subfont else "")

    def covers(self, ch: str) -> bool:
        return ord(ch) in self._cmap

    def advance(self, ch: str) -> float:
        """Advance width in 1/1000 em."""
        return self._widths.get(ord(ch), self._default_width)

    def width(self, text: str, size: float) -> float:
        widths, default = self._widths, self._default_width
        return sum(widths.get(ord(c), default) for c in text) * size / 1000.0

    def __repr__(self) -> str:
        return f"PdfFont({self.label})"


_registry: dict[FontFile, PdfFont | None] = {}
_registry_lock = threading.Lock()


def _load(file: FontFile) -> PdfFont | None:
    """Register a font once per process; None if it cannot be used (CFF, damaged, restricted)."""
    with _registry_lock:
        if file in _registry:
            return _registry[file]
        name = f"YB-{file.path.stem}-{file.subfont}-{len(_registry)}"
        font: PdfFont | None
        try:
            tt = Font(name, str(file.path), subfontIndex=file.subfont)
            pdfmetrics.registerFont(tt)
            font = PdfFont(file, tt)
        except (TTFError, OSError, KeyError, ValueError, IndexError) as err:
            log.warning("font %s unusable: %s", file.path, err)
            font = None
        _registry[file] = font
        return font


def system_font_dirs() -> list[Path]:
    dirs = []
    if sys.platform == "win32":
        windir = os.environ.get("WINDIR") or os.environ.get("SystemRoot") or r"C:\Windows"
        dirs.append(Path(windir) / "Fonts")
        local = os.environ.get("LOCALAPPDATA")
        if local:
            dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    dirs.append(paths.user_data_dir() / "fonts")
    return dirs


def _find_system(role: str, dirs: Iterable[Path]) -> list[FontFile]:
    found = []
    for folder in dirs:
        for file_name, index in SYSTEM_FONTS[role]:
            path = folder / file_name
            if path.is_file():
                found.append(FontFile(path, index, system=True))
    return found


class FontSet:
    """The fonts of one export: per role, a chain of fonts loaded lazily."""

    def __init__(self, prefer_system: bool = True, system_dirs: Iterable[Path] | None = None):
        self.prefer_system = prefer_system
        dirs = list(system_dirs) if system_dirs is not None else (system_font_dirs() if prefer_system else [])
        self._files: dict[str, list[FontFile]] = {}
        for role in ROLES:
            files = _find_system(role, dirs) if prefer_system else []
            bundled = BUNDLED_FONTS[role]
            if bundled:
                files.append(FontFile(paths.fonts_dir() / bundled))
            self._files[role] = files
        self._files_of: dict[str, list[FontFile]] = {}
        self._primary: dict[str, PdfFont] = {}
        self._pick: dict[tuple[str, str], PdfFont | None] = {}
        self._drawable: dict[str, set[str]] = {}  # per role: characters known to have a font

    def _chain_files(self, role: str) -> list[FontFile]:
        """The role's font files in the order they are tried: first the primary file of every
        role in the fallback order, then the remaining ones (so simfang -> simsun -> simhei ->
        bundled Song -> bundled Hei on Windows), then the full Noto Sans SC."""
        files = self._files_of.get(role)
        if files is None:
            files = []
            for r in FALLBACK_ROLES[role]:
                if self._files[r] and self._files[r][0] not in files:
                    files.append(self._files[r][0])
            for r in FALLBACK_ROLES[role]:
                files.extend(f for f in self._files[r][1:] if f not in files)
            full = FontFile(paths.fonts_dir() / FULL_FALLBACK)
            if full not in files:
                files.append(full)
            self._files_of[role] = files
        return files

    def _loaded(self, role: str) -> Iterator[PdfFont]:
        """The role's usable fonts in order, each parsed only when reached."""
        for file in self._chain_files(role):
            font = _load(file)
            if font is not None:
                yield font

    def chain(self, role: str) -> list[PdfFont]:
        """Every usable font of the role (loads them all: for descriptions)."""
        chain = list(dict.fromkeys(self._loaded(role)))
        if not chain:
            raise UserError(f"找不到可用的{ROLE_LABELS[role]}字体文件，请重新安装本程序")
        return chain

    def primary(self, role: str) -> PdfFont:
        font = self._primary.get(role)
        if font is None:
            font = next(self._loaded(role), None)
            if font is None:
                raise UserError(f"找不到可用的{ROLE_LABELS[role]}字体文件，请重新安装本程序")
            self._primary[role] = font
        return font

    def font_for(self, role: str, ch: str) -> PdfFont | None:
        key = (role, ch)
        try:
            return self._pick[key]
        except KeyError:
            pass
        found = None
        for font in self._loaded(role):
            if font.covers(ch):
                found = font
                break
        self._pick[key] = found
        return found

    def missing(self, role: str, text: str) -> list[str]:
        """Characters of `text` that no font of the role's chain can draw (in order, once each)."""
        drawable = self._drawable.setdefault(role, set(_IGNORED))
        if drawable.issuperset(text):  # the usual case, tested at C speed
            return []
        out = []
        for ch in dict.fromkeys(text):
            if ch in drawable:
                continue
            if self.font_for(role, ch) is None:
                out.append(ch)
            else:
                drawable.add(ch)
        return out

    def describe(self) -> dict[str, list[str]]:
        """Per role, the fonts loaded so far (those an export used), in chain order."""
        return {role: [font.label for file in self._chain_files(role) if (font := _registry.get(file)) is not None]
                for role in ROLES}


class MissingGlyphsError(UserError):
    """Characters no available font can draw; `.items` is [(section, character)]."""

    def __init__(self, items: list[tuple[str, str]]):
        self.items = items
        lines = []
        for section, ch in items[:20]:
            name = unicodedata.name(ch, "")
            code = f"U+{ord(ch):04X}" + (f" {name}" if name else "")
            lines.append(f"  「{ch}」（{code}），位于「{section}」")
        more = f"\n  ……另有 {len(items) - 20} 处" if len(items) > 20 else ""
        super().__init__("以下字符在可用的字体中没有字形，无法排入 PDF（请改用常用字，"
                         "或把含该字的字体放入数据文件夹的 fonts 目录）：\n" + "\n".join(lines) + more)


class CoverageCheck:
    """Collects every text the PDF will draw, with its role and the section it belongs to."""

    def __init__(self, fonts: FontSet):
        self.fonts = fonts
        self._items: dict[tuple[str, str], None] = {}

    def add(self, section: str, role: str, text: str) -> None:
        for ch in self.fonts.missing(role, text):
            self._items[(section, ch)] = None

    def raise_if_missing(self) -> None:
        if self._items:
            raise MissingGlyphsError(list(self._items))


_default_sets: dict[bool, FontSet] = {}


def font_set(prefer_system: bool = True) -> FontSet:
    """The process-wide font set (fonts are loaded once, 0.02-0.2 s each)."""
    fs = _default_sets.get(prefer_system)
    if fs is None:
        fs = _default_sets[prefer_system] = FontSet(prefer_system)
    return fs
