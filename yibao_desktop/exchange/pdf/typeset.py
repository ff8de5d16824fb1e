"""Chinese typesetting on the GB/T 9704 grid: our own flowables instead of ReportLab's Paragraph.

ReportLab's `wordWrap='CJK'` lets lines start with closing punctuation, never justifies CJK text
and hangs at most one character (PDF.md). The flowables here lay text out themselves:

- the text is cut into *units*: one CJK character (one grid cell), an unbreakable Latin/digit
  run ("79.30%", "≥90%", "DRG/DIP", "2025"), a space, or a "——"/"……" pair;
- lines are filled greedily, then the break is moved so that no line starts with closing
  punctuation (，。、；：？！）》」’” % …) and none ends with opening punctuation (（《「‘“):
  a lone closing mark is squeezed into the line when it has enough gaps (挤进), otherwise the last
  units are pushed to the next line (推出);
- every line but a paragraph's last is justified to both edges by spreading the difference over
  the gaps between units (never inside a Latin run);
- each line is drawn as one PDF text object, so text extraction sees one line per grid line.

`GridParagraph` is for body text and headings (one grid line per line), `CellText` for table
cells (plain leading, no justification), `TitleBlock` for the 2号 title, which breaks only
between words and balances its lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

from reportlab.platypus.doctemplate import ActionFlowable
from reportlab.platypus.flowables import Flowable

from yibao_desktop.exchange.pdf.fonts import FontSet, PdfFont

# A line may not start with these (GB/T 15834 and common practice; the tested set is
# ，。、；：？！）》」’” and %).
NO_START = frozenset("，。、；：？！）》」』’”〕】〗〉］｝〙％%‰·・,.;:?!)]}℃°")
# A line may not end with these.
NO_END = frozenset("（《「『‘“〔【〖〈［｛〘([{")
# Latin/digit runs, with a leading comparison or currency sign and a trailing unit sign glued on.
_RUN = re.compile(
    # A grouped number ("1,234,567.89") is one run, so no line breaks inside it.
    r"[≥≤＞＜><±+\-−~～¥￥$#№]*\d{1,3}(?:,\d{3})+(?:\.\d+)?[%‰]?(?![0-9A-Za-z])|"
    r"[≥≤＞＜><±+\-−~～¥￥$#№]*"
    r"[0-9A-Za-z\u00C0-\u024F\u0391-\u03C9]"
    r"(?:[0-9A-Za-z\u00C0-\u024F\u0391-\u03C9._:/\-+'&@#]*[0-9A-Za-z\u00C0-\u024F\u0391-\u03C9])?"
    r"[%‰°℃]?"
)
_PAIRS = ("——", "……")
EPS = 0.01


class Unit:
    """One unbreakable item on a line: `pieces` are (text, font) drawn side by side."""

    __slots__ = ("kind", "pieces", "width", "no_start", "no_end", "text")

    def __init__(self, kind: str, pieces: list[tuple[str, PdfFont]], width: float):
        self.kind = kind  # "c": one full-width character (a grid cell), "n": narrow run, "s": space
        self.pieces = pieces
        self.width = width
        self.text = "".join(p[0] for p in pieces)
        self.no_start = self.text[0] in NO_START
        self.no_end = self.text[-1] in NO_END

    def __repr__(self) -> str:
        return f"Unit({self.kind}, {self.text!r}, {self.width:.2f})"


Span = tuple[str, str]  # (text, font role)


def clean_text(text: str) -> str:
    """Tabs become spaces, other control characters are dropped, spaces are collapsed."""
    text = text.replace("\t", " ").replace("\r", "")
    text = "".join(ch for ch in text if ch >= " " or ch == "\n")
    return re.sub(r" {2,}", " ", text)


def make_units(spans: Sequence[Span], fonts: FontSet, size: float, cell: float | None,
               max_width: float) -> list[Unit]:
    """Cut text into units. `cell` is the width of a full-width character (the grid pitch), or
    None for its natural width. Runs wider than `max_width` are cut into pieces that fit."""
    units: list[Unit] = []
    for text, role in spans:
        i, n = 0, len(text)
        while i < n:
            ch = text[i]
            if ch == " ":
                font = fonts.font_for(role, " ") or fonts.primary(role)
                units.append(Unit("s", [(" ", font)], font.advance(" ") * size / 1000.0))
                i += 1
                continue
            m = _RUN.match(text, i)
            if m and m.end() - i > 1 or (m and not _is_wide(fonts, role, ch)):
                run = m.group(0)
                _add_run(units, run, role, fonts, size, max_width)
                i = m.end()
                continue
            pair = text[i:i + 2]
            if pair in _PAIRS:
                font = fonts.font_for(role, ch) or fonts.primary(role)
                w = font.width(pair, size)
                units.append(Unit("n", [(pair, font)], w))
                i += 2
                continue
            font = fonts.font_for(role, ch) or fonts.primary(role)
            adv = font.advance(ch)
            if adv >= 900:
                units.append(Unit("c", [(ch, font)], cell * adv / 1000.0 if cell is not None else adv * size / 1000.0))
            else:
                units.append(Unit("n", [(ch, font)], adv * size / 1000.0))
            i += 1
    return units


def _is_wide(fonts: FontSet, role: str, ch: str) -> bool:
    font = fonts.font_for(role, ch) or fonts.primary(role)
    return font.advance(ch) >= 900


def _add_run(units: list[Unit], run: str, role: str, fonts: FontSet, size: float, max_width: float) -> None:
    pieces: list[tuple[str, PdfFont]] = []
    for ch in run:
        font = fonts.font_for(role, ch) or fonts.primary(role)
        if pieces and pieces[-1][1] is font:
            pieces[-1] = (pieces[-1][0] + ch, font)
        else:
            pieces.append((ch, font))
    width = sum(f.width(t, size) for t, f in pieces)
    if width <= max_width:
        units.append(Unit("n", pieces, width))
        return
    # Longer than a line (a URL, a long number): cut it, character by character.
    chunk: list[tuple[str, PdfFont]] = []
    chunk_w = 0.0
    for text, font in pieces:
        for ch in text:
            w = font.width(ch, size)
            if chunk and chunk_w + w > max_width:
                units.append(Unit("n", chunk, chunk_w))
                chunk, chunk_w = [], 0.0
            if chunk and chunk[-1][1] is font:
                chunk[-1] = (chunk[-1][0] + ch, font)
            else:
                chunk.append((ch, font))
            chunk_w += w
    if chunk:
        units.append(Unit("n", chunk, chunk_w))


def _valid_break(units: Sequence[Unit], b: int, start: int) -> bool:
    """May a line end before units[b]? (spaces at the break are dropped, so look past them)"""
    n = len(units)
    j = b
    while j < n and units[j].kind == "s":
        j += 1
    if j >= n:
        return True
    k = b - 1
    while k >= start and units[k].kind == "s":
        k -= 1
    if k < start:
        return False
    return not units[j].no_start and not units[k].no_end


def break_lines(units: Sequence[Unit], first_width: float, width: float, squeeze_cell: float | None,
                ) -> list[tuple[int, int]]:
    """Line breaks as (start, end) unit ranges, spaces at the edges excluded.

    `squeeze_cell`: when set (justified grid text), one closing mark that does not fit may be
    squeezed into a line of at least 8 units if it overflows by at most this width."""
    lines: list[tuple[int, int]] = []
    n = len(units)
    start = 0
    limit = first_width
    while start < n:
        while start < n and units[start].kind == "s":
            start += 1
        if start >= n:
            break
        w = 0.0
        i = start
        while i < n:
            uw = units[i].width
            if i > start and w + uw > limit + EPS:
                break
            w += uw
            i += 1
        if i >= n:
            lines.append((start, _trim_end(units, start, n)))
            break
        b = i
        if not _valid_break(units, b, start):
            nb = None
            if (squeeze_cell is not None and units[b].no_start and b - start >= 8
                    and w + units[b].width <= limit + squeeze_cell + EPS and _valid_break(units, b + 1, start)):
                nb = b + 1
            else:
                bb = b - 1
                while bb > start and not _valid_break(units, bb, start):
                    bb -= 1
                if bb > start:
                    nb = bb
            if nb is not None:
                b = nb
        lines.append((start, _trim_end(units, start, b)))
        start = b
        limit = width
    return lines


def _trim_end(units: Sequence[Unit], start: int, end: int) -> int:
    while end > start and units[end - 1].kind == "s":
        end -= 1
    return end


@dataclass
class DrawRun:
    x: float
    font: str
    char_space: float
    text: str


@dataclass
class Line:
    runs: list[DrawRun]
    width: float  # natural width (before justification)
    last: bool


def layout_line(units: Sequence[Unit], size: float, x0: float, extra: float) -> list[DrawRun]:
    """Place units from x0, adding `extra` after each unit but the last; group equal cells."""
    runs: list[DrawRun] = []
    x = x0
    prev: DrawRun | None = None
    prev_step = 0.0
    for idx, u in enumerate(units):
        step = u.width + (extra if idx < len(units) - 1 else 0.0)
        if u.kind == "c":
            text, font = u.pieces[0]
            cs = u.width + extra - font.advance(text) * size / 1000.0
            if (prev is not None and prev.font == font.name and abs(prev.char_space - cs) < 1e-6
                    and abs(prev_step - (u.width + extra)) < 1e-6):
                prev.text += text
            else:
                prev = DrawRun(x, font.name, cs, text)
                runs.append(prev)
                prev_step = u.width + extra
        else:
            px = x
            for text, font in u.pieces:
                runs.append(DrawRun(px, font.name, 0.0, text))
                px += font.width(text, size)
            prev = None
        x += step
    return runs


def draw_lines(canv, lines: Sequence[Line], x: float, top: float, line_height: float, size: float,
               baseline_offset: float, color=None) -> None:
    """Draw each line as one text object; line i has its baseline at top - i*line_height - offset."""
    for i, line in enumerate(lines):
        if not line.runs:
            continue
        y = top - i * line_height - baseline_offset
        t = canv.beginText(x, y)
        if color is not None:
            t.setFillColor(color)
        cur_x = 0.0
        cur_font = None
        cur_cs: float | None = None  # Tc survives BT/ET: always set it on a line's first run
        for run in line.runs:
            if abs(run.x - cur_x) > 1e-6:
                t.moveCursor(run.x - cur_x, 0)
                cur_x = run.x
            if run.font != cur_font:
                t.setFont(run.font, size)
                cur_font = run.font
            if cur_cs is None or abs(run.char_space - cur_cs) > 1e-6:
                t.setCharSpace(run.char_space)
                cur_cs = run.char_space
            t.textOut(run.text)
        canv.drawText(t)


def baseline_offset(line_height: float, size: float, ascent: float = 0.88, descent: float = 0.12) -> float:
    """Distance from a line box's top to its baseline, the em box centred in the line."""
    return line_height / 2 + (ascent - descent) / 2 * size


def set_lines(units: Sequence[Unit], breaks: Sequence[tuple[int, int]], size: float, first_width: float,
              width: float, first_indent: float, align: str, max_extra: float) -> list[Line]:
    lines = []
    for k, (s, e) in enumerate(breaks):
        limit = first_width if k == 0 else width
        indent = first_indent if k == 0 else 0.0
        seg = units[s:e]
        natural = sum(u.width for u in seg)
        last = k == len(breaks) - 1
        extra = 0.0
        x0 = indent
        if align == "justify" and not last and len(seg) > 1:
            extra = (limit - natural) / (len(seg) - 1)
            if extra > max_extra:
                extra = 0.0
        elif align == "center":
            x0 = indent + (limit - natural) / 2
        elif align == "right":
            x0 = indent + limit - natural
        lines.append(Line(layout_line(seg, size, x0, extra), natural, last))
    return lines


class GridParagraph(Flowable):
    """Body text or a heading on the 28 × 22 grid: every line is one grid line high."""

    def __init__(self, spans: Sequence[Span], fonts: FontSet, *, size: float = 16, cells: int = 28,
                 line_height: float, first_indent: int = 2, align: str = "justify", right_indent: int = 0,
                 left_indent: int = 0, keep_with_next: bool = False, color=None, min_split_lines: int = 2,
                 _lines: list[Line] | None = None, _width: float | None = None):
        super().__init__()
        self.spans = [(clean_text(t).replace("\n", ""), r) for t, r in spans]
        self.fonts = fonts
        self.size = size
        self.cells = cells
        self.line_height = line_height
        self.first_indent = first_indent
        self.align = align
        self.right_indent = right_indent
        self.left_indent = left_indent
        self.keep_next = keep_with_next  # bound to the next flowable by `bind_keeps`
        self.color = color
        self.min_split_lines = min_split_lines
        self._lines = _lines
        self._width = _width

    @property
    def text(self) -> str:
        return "".join(t for t, _ in self.spans)

    def _layout(self, avail_width: float) -> list[Line]:
        if self._lines is not None and self._width is not None and abs(self._width - avail_width) < EPS:
            return self._lines
        pitch = avail_width / self.cells
        width = avail_width - (self.left_indent + self.right_indent) * pitch
        first_width = width - self.first_indent * pitch
        units = make_units(self.spans, self.fonts, self.size, pitch, width)
        breaks = break_lines(units, first_width, width, pitch if self.align == "justify" else None)
        lines = set_lines(units, breaks, self.size, first_width, width, self.first_indent * pitch,
                          self.align, max_extra=pitch)
        if self.left_indent:
            for line in lines:
                for run in line.runs:
                    run.x += self.left_indent * pitch
        self._lines, self._width = lines, avail_width
        return lines

    def wrap(self, availWidth, availHeight):
        lines = self._layout(availWidth)
        self.width = availWidth
        self.height = max(1, len(lines)) * self.line_height
        return self.width, self.height

    def _part(self, lines: list[Line]) -> "GridParagraph":
        return GridParagraph(self.spans, self.fonts, size=self.size, cells=self.cells,
                             line_height=self.line_height, first_indent=self.first_indent, align=self.align,
                             right_indent=self.right_indent, left_indent=self.left_indent,
                             keep_with_next=False, color=self.color,
                             min_split_lines=self.min_split_lines, _lines=lines, _width=self._width)

    def split(self, availWidth, availHeight):
        lines = self._layout(availWidth)
        fit = int((availHeight + EPS) // self.line_height)
        n = len(lines)
        if fit >= n:
            return [self]
        m = self.min_split_lines
        if n < 2 * m:
            return []
        fit = min(fit, n - m)  # no widow: at least m lines go to the next page
        if fit < m:  # no orphan
            return []
        return [self._part(lines[:fit]), self._part(lines[fit:])]

    def draw(self):
        lines = self._layout(self.width)
        draw_lines(self.canv, lines, 0, self.height, self.line_height, self.size,
                   baseline_offset(self.line_height, self.size), self.color)


class CellText(Flowable):
    """Text in a table cell: same line-breaking rules, natural character width, no justification."""

    def __init__(self, spans: Sequence[Span], fonts: FontSet, *, size: float = 10.5, leading: float | None = None,
                 align: str = "left", nowrap: bool = False):
        super().__init__()
        self.spans = [(clean_text(t), r) for t, r in spans]
        self.fonts = fonts
        self.size = size
        self._leading = leading
        self.align = align
        self.nowrap = nowrap  # a figure: its column is sized so that it never breaks
        self._cache: tuple[float, list[Line]] | None = None

    @property
    def leading(self) -> float:
        return self._leading or self.size * 1.4

    def resize(self, size: float) -> None:
        """A smaller face for a table that does not fit its figures at the normal size."""
        if size != self.size:
            self.size, self._cache = size, None

    def natural_width(self, size: float | None = None) -> float:
        """The width of the text on one line (the widest line of a multi-line text)."""
        size = size or self.size
        widest = 0.0
        for para in "".join(t for t, _ in self.spans).split("\n"):
            units = make_units([(para, self.spans[0][1] if self.spans else "fang")], self.fonts, size, None, 1e9)
            widest = max(widest, sum(u.width for u in units))
        return widest

    def _layout(self, avail_width: float) -> list[Line]:
        if self._cache is not None and abs(self._cache[0] - avail_width) < EPS:
            return self._cache[1]
        avail_width = max(avail_width, self.size)
        lines: list[Line] = []
        for para in "".join(t for t, _ in self.spans).split("\n") if len(self.spans) == 1 else [None]:
            spans = self.spans if para is None else [(para, self.spans[0][1])]
            units = make_units(spans, self.fonts, self.size, None, avail_width)
            breaks = break_lines(units, avail_width, avail_width, None)
            if not breaks:
                lines.append(Line([], 0.0, True))
                continue
            lines.extend(set_lines(units, breaks, self.size, avail_width, avail_width, 0.0, self.align,
                                   max_extra=0.0))
        self._cache = (avail_width, lines)
        return lines

    def wrap(self, availWidth, availHeight):
        lines = self._layout(availWidth)
        self.width = availWidth
        self.height = max(1, len(lines)) * self.leading
        return self.width, self.height

    def draw(self):
        lines = self._layout(self.width)
        draw_lines(self.canv, lines, 0, self.height, self.leading, self.size,
                   baseline_offset(self.leading, self.size))


# ------------------------------------------------------------------------------------------ title

# Words a title must not be broken inside (longest first when matching).
TITLE_LEXICON = tuple(sorted({
    "绩效自评报告", "绩效评价报告", "自评报告", "补助资金", "专项资金", "转移支付", "医疗保障局", "医疗保障",
    "医疗服务", "保障能力", "服务能力", "能力建设", "建设部分", "提升", "城乡居民", "基本医疗保险",
    "医疗保险", "医疗救助", "城乡医疗救助", "救助部分", "资金", "年度", "项目", "支出", "绩效", "评价",
    "自评", "报告", "中央", "省级", "市级", "县级", "财政", "医保", "基金", "人民政府", "卫生健康",
    "委员会", "办公室", "管理", "中心", "服务", "部分", "补助", "能力", "建设", "城乡", "居民", "基本",
}, key=len, reverse=True))
_ADMIN_SUFFIX = set("省市县区州盟旗镇乡村")


def title_words(text: str, protected: Sequence[str] = ()) -> list[str]:
    """Cut a title into words that must stay whole: protected phrases (e.g. the unit's name),
    lexicon words, digits with their 年/年度, place names up to their 省/市/县/区 suffix; brackets
    cling to their neighbour."""
    words: list[str] = []
    i, n = 0, len(text)
    pending = ""  # unknown characters waiting for an administrative suffix
    protected = [p for p in protected if p]

    def flush() -> None:
        nonlocal pending
        words.extend(pending)
        pending = ""

    while i < n:
        hit = next((p for p in protected if text.startswith(p, i)), None)
        if hit is None:
            m = re.match(r"\d+(年度|年)?", text[i:])
            if m:
                hit = m.group(0)
        if hit is None:
            hit = next((w for w in TITLE_LEXICON if text.startswith(w, i)), None)
        if hit is not None:
            flush()
            words.append(hit)
            i += len(hit)
            continue
        ch = text[i]
        pending += ch
        i += 1
        if ch in _ADMIN_SUFFIX and len(pending) > 1:
            words.append(pending)
            pending = ""
        elif len(pending) > 6:
            flush()
    flush()
    # Brackets cling: an opening mark joins the next word, a closing mark the previous one.
    out: list[str] = []
    carry = ""
    for w in words:
        if w and all(c in NO_END for c in w):
            carry += w
            continue
        w = carry + w
        carry = ""
        if out and w and w[0] in NO_START:
            lead = re.match(f"[{re.escape(''.join(NO_START))}]+", w)
            assert lead is not None
            out[-1] += lead.group(0)
            w = w[lead.end():]
            if not w:
                continue
        out.append(w)
    if carry:
        if out:
            out[-1] += carry
        else:
            out.append(carry)
    return out


def balance_title(widths: Sequence[float], max_width: float) -> list[tuple[int, int]]:
    """Break words into the fewest lines that fit, as even as possible (梯形/菱形), upper lines
    not shorter than lower ones when it is a tie."""
    n = len(widths)
    if n == 0:
        return []
    prefix = [0.0]
    for w in widths:
        prefix.append(prefix[-1] + w)
    # Fewest lines by greedy filling.
    count, cur = 1, 0.0
    for w in widths:
        if cur and cur + w > max_width + EPS:
            count += 1
            cur = 0.0
        cur += w
    best: tuple[float, float, list[tuple[int, int]]] | None = None

    def search(start: int, left: int, acc: list[tuple[int, int]]):
        nonlocal best
        if left == 1:
            width = prefix[n] - prefix[start]
            if width > max_width + EPS and n - start > 1:
                return
            parts = acc + [(start, n)]
            ws = [prefix[e] - prefix[s] for s, e in parts]
            key = (max(ws) - min(ws), -ws[0])
            if best is None or key < best[:2]:
                best = (key[0], key[1], parts)
            return
        for end in range(start + 1, n - left + 2):
            if prefix[end] - prefix[start] > max_width + EPS and end - start > 1:
                break
            search(end, left - 1, acc + [(start, end)])

    if n <= 40:
        search(0, count, [])
    if best is None:  # too many words to search: greedy
        parts, s, cur = [], 0, 0.0
        for k, w in enumerate(widths):
            if k > s and cur + w > max_width + EPS:
                parts.append((s, k))
                s, cur = k, 0.0
            cur += w
        parts.append((s, n))
        return parts
    return best[2]


class TitleBlock(Flowable):
    """The report title: 2号 bold Song, centred, broken between whole words only."""

    def __init__(self, text: str, fonts: FontSet, *, size: float = 22, line_height: float,
                 protected: Sequence[str] = (), role: str = "title"):
        super().__init__()
        self.text = clean_text(text).replace("\n", "")
        self.fonts = fonts
        self.size = size
        self.line_height = line_height
        self.protected = protected
        self.role = role
        self._cache: tuple[float, list[Line]] | None = None

    def _layout(self, avail_width: float) -> list[Line]:
        if self._cache is not None and abs(self._cache[0] - avail_width) < EPS:
            return self._cache[1]
        words = title_words(self.text, self.protected)
        word_units = [make_units([(w, self.role)], self.fonts, self.size, None, avail_width) for w in words]
        widths = [sum(u.width for u in us) for us in word_units]
        lines = []
        for s, e in balance_title(widths, avail_width):
            units = [u for us in word_units[s:e] for u in us]
            natural = sum(u.width for u in units)
            lines.append(Line(layout_line(units, self.size, (avail_width - natural) / 2, 0.0), natural, True))
        self._cache = (avail_width, lines)
        return lines

    def line_texts(self, avail_width: float) -> list[str]:
        return ["".join(r.text for r in line.runs) for line in self._layout(avail_width)]

    def wrap(self, availWidth, availHeight):
        self.width = availWidth
        self.height = max(1, len(self._layout(availWidth))) * self.line_height
        return self.width, self.height

    def draw(self):
        draw_lines(self.canv, self._layout(self.width), 0, self.height, self.line_height, self.size,
                   baseline_offset(self.line_height, self.size))


class GridSnap(Flowable):
    """Rounds a flowable's height up to whole grid lines, so the body text after it stays on the
    grid; the content is centred in the extra space. Splits by splitting the content."""

    def __init__(self, content: Flowable, line_height: float, keep_with_next: bool = False):
        super().__init__()
        self.content = content
        self.line_height = line_height
        self.keep_next = keep_with_next
        self._inner = (0.0, 0.0)

    def wrap(self, availWidth, availHeight):
        w, h = self.content.wrap(availWidth, availHeight)
        self._inner = (w, h)
        lines = max(1, -int(-(h - EPS) // self.line_height))
        self.width, self.height = availWidth, lines * self.line_height
        return self.width, self.height

    def split(self, availWidth, availHeight):
        parts = self.content.split(availWidth, availHeight)
        if not parts:
            return []
        return [GridSnap(p, self.line_height) for p in parts]

    def draw(self):
        w, h = self._inner
        x = (self.width - w) / 2 if getattr(self.content, "hAlign", "CENTER") == "CENTER" else 0
        self.content.drawOn(self.canv, x, (self.height - h) / 2)


class OnDraw(Flowable):
    """Zero-size flowable that calls back with (canvas, page number) when it is drawn."""

    def __init__(self, callback: Callable[[object, int], None]):
        super().__init__()
        self.callback = callback
        self.width = self.height = 0

    def wrap(self, availWidth, availHeight):
        return 0, 0

    def draw(self):
        self.callback(self.canv, self.canv.getPageNumber())


class KeepHeading(Flowable):
    """A heading (or caption, or figure) and what follows it: the pair moves to the next page only
    when not even the head and the first lines of the body fit (ReportLab's keepWithNext would
    move the whole body, leaving half a page empty)."""

    def __init__(self, head: Flowable, body: Flowable):
        super().__init__()
        self.head, self.body = head, body
        self._hh = self._bh = 0.0

    def wrap(self, availWidth, availHeight):
        self._hh = self.head.wrap(availWidth, availHeight)[1]
        self._bh = self.body.wrap(availWidth, max(0.0, availHeight - self._hh))[1]
        self.width, self.height = availWidth, self._hh + self._bh
        return self.width, self.height

    def split(self, availWidth, availHeight):
        self.wrap(availWidth, availHeight)
        if self.height <= availHeight + EPS:
            return [self]
        parts = self.body.split(availWidth, availHeight - self._hh)
        if len(parts) < 2:
            return []
        return [KeepHeading(self.head, parts[0]), *parts[1:]]

    def draw(self):
        self.head.drawOn(self.canv, 0, self.height - self._hh)
        self.body.drawOn(self.canv, 0, 0)


def bind_keeps(story: Sequence[Flowable]) -> list[Flowable]:
    """Join every flowable marked `keep_next` to the one after it (chains nest)."""
    out: list[Flowable] = []
    for f in reversed(story):
        if getattr(f, "keep_next", False) and out and not isinstance(out[-1], ActionFlowable):
            out.append(KeepHeading(f, out.pop()))
        else:
            out.append(f)
    out.reverse()
    return out
