"""SpanTable: a long table with a merge down its whole body is measured a window at a time
(bounded work per page), and its pages still hold every row exactly once."""

from __future__ import annotations

from reportlab.platypus import Table

from yibao_desktop.exchange.pdf import tables
from yibao_desktop.exchange.pdf.fonts import font_set
from yibao_desktop.exchange.pdf.tables import SpanTable
from yibao_desktop.exchange.pdf.typeset import CellText

PAGE_W, PAGE_H = 640.0, 440.0


def _cell(text: str) -> CellText:
    return CellText([(text, "fang")], font_set(), size=10.5)


def _long_table(n: int) -> SpanTable:
    header = [[_cell("一级指标"), _cell("三级指标"), _cell("分值")]]
    body = [[_cell("产出指标") if i == 0 else "", _cell(f"指标{i}"), _cell("1.00")] for i in range(n)]
    # One merged strip down the whole body, as the official form's 绩效指标 column.
    return SpanTable(header, body, [120, 400, 120], body_cmds=[("SPAN", (0, 0), (0, n - 1))])


def _paginate(table: SpanTable) -> list[SpanTable]:
    pages, rest = [], table
    while True:
        _w, h = rest.wrap(PAGE_W, PAGE_H)
        if h <= PAGE_H + tables.EPS:
            return pages + [rest]
        first, rest = rest.split(PAGE_W, PAGE_H)
        pages.append(first)


def test_rows_measured_per_page_do_not_grow_with_the_table(monkeypatch):
    measured: list[int] = []
    calc_height = Table._calc_height

    def counting(self, *args, **kwargs):
        measured.append(len(self._cellvalues))
        return calc_height(self, *args, **kwargs)

    monkeypatch.setattr(Table, "_calc_height", counting)
    _paginate(_long_table(400))
    small = sum(measured)
    measured.clear()
    _paginate(_long_table(1600))
    large = sum(measured)
    # Four times the rows, four times the pages: about four times the measuring (quadratic would
    # be sixteen). Each measured table is at most a window of rows, whatever the table's length.
    assert large < 6 * small
    assert max(measured) <= 4 * tables.WINDOW


def test_pages_hold_every_row_once_and_fit():
    n = 300
    pages = _paginate(_long_table(n))
    assert len(pages) > 5
    names = []
    for page in pages:
        assert page.wrap(PAGE_W, PAGE_H)[1] <= PAGE_H + tables.EPS
        names += [row[1].spans[0][0] for row in page.body]
    assert names == [f"指标{i}" for i in range(n)]
    # The merge is clipped to each page, and its label heads it on every page.
    assert all(page.body_cmds and page.body_cmds[0][0] == "SPAN" for page in pages)
    assert [page.body[0][0].spans[0][0] for page in pages] == ["产出指标"] * len(pages)


def test_a_short_table_is_measured_whole_and_drawn_as_measured():
    table = _long_table(5)
    _w, h = table.wrap(PAGE_W, PAGE_H)
    assert h < PAGE_H and table._rows == 5


def test_a_row_taller_than_the_page_is_split_between_its_lines():
    long = CellText([("某" * 2000, "fang")], font_set(), size=10.5)
    header = [[_cell("一级指标"), _cell("三级指标"), _cell("偏差原因")]]
    body = [[_cell("产出指标"), _cell("指标0"), _cell("无")],
            [_cell("产出指标"), _cell("指标1"), long],
            [_cell("产出指标"), _cell("指标2"), _cell("无")]]
    table = SpanTable(header, body, [120, 400, 120], body_cmds=[("SPAN", (0, 0), (0, 2))], page_height=PAGE_H)
    pages = _paginate(table)
    assert len(pages) >= 4
    for page in pages:
        assert page.wrap(PAGE_W, PAGE_H)[1] <= PAGE_H + tables.EPS
    # Every line of the long text once, in order; the short rows and the merged label whole.
    cells = [row[2] for page in pages for row in page.body if row[2] != ""]
    text = "".join(run.text for cell in cells for line in cell._layout(cell.width) for run in line.runs)
    assert text == "无" + "某" * 2000 + "无"
    assert all(page.body[0][0].spans[0][0] == "产出指标" for page in pages)


def test_without_a_page_height_a_too_tall_row_is_not_split():
    long = CellText([("某" * 2000, "fang")], font_set(), size=10.5)
    table = SpanTable([], [[_cell("指标"), long]], [120, 120])
    table.wrap(PAGE_W, PAGE_H)
    assert table.split(PAGE_W, PAGE_H) == []
