"""Bounded work in the Excel import (issue 14 item 8): the indicator merge is linear in rows and
places new rows exactly where the former (quadratic) placement did."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yibao_desktop.domain.edits import apply_edits
from yibao_desktop.domain.report import Indicator, Report
from yibao_desktop.exchange.excel.read import SheetTable, _Collector, _merge_indicators
from yibao_desktop.exchange.excel.schema import INDICATORS

COLUMNS = {"level1": (1, "一级指标"), "level2": (2, "二级指标"), "name": (3, "三级指标"), "weight": (4, "分值")}


def _sheet(records: list[dict]) -> SheetTable:
    return SheetTable("绩效指标", INDICATORS, 1, COLUMNS, tuple((n + 2, r) for n, r in enumerate(records)), False)


def _reference_placement(rows: list[Indicator], new_rows: list[Indicator]) -> list[Indicator]:
    """The placement as it was first written (one list scan a row): after the last row of the
    same 一级/二级, else of the same 一级, else at the end."""
    final = list(rows)
    for row in new_rows:
        for match in (lambda r: r.level1 == row.level1 and r.level2 == row.level2, lambda r: r.level1 == row.level1):
            hits = [i for i, r in enumerate(final) if match(r)]
            if hits:
                final.insert(hits[-1] + 1, row)
                break
        else:
            final.append(row)
    return final


LEVEL1 = st.sampled_from(["产出指标", "效益指标", "满意度指标", "成本指标"])
LEVEL2 = st.sampled_from(["数量指标", "质量指标", "时效指标"])


@settings(max_examples=150, deadline=None)
@given(base=st.lists(st.tuples(LEVEL1, LEVEL2), max_size=12),
       sheet=st.lists(st.tuples(LEVEL1, LEVEL2, st.booleans()), max_size=25))
def test_new_rows_go_where_they_always_went(base, sheet):
    old = tuple(Indicator(level1=a, level2=b, name=f"原{k}", weight=Decimal(1)) for k, (a, b) in enumerate(base))
    records, new_rows = [], []
    for k, (a, b, matches_old) in enumerate(sheet):
        if matches_old and k < len(old):  # the sheet fills a cell of a row the report has
            records.append({"level1": old[k].level1, "level2": old[k].level2, "name": old[k].name,
                            "weight": Decimal(2)})
        else:
            records.append({"level1": a, "level2": b, "name": f"新{k}", "weight": Decimal(1)})
            new_rows.append(Indicator(level1=a, level2=b, name=f"新{k}", weight=Decimal(1)))
    out = _Collector()
    edits, final = _merge_indicators(old, [_sheet(records)], out)
    assert not out.problems
    merged_old = [r for r in final if r.name.startswith("原")]
    assert [r.name for r in final] == [r.name for r in _reference_placement(merged_old, new_rows)]
    # The edits, applied one after the other, give the planned rows.
    applied, _undo = apply_edits(Report(indicators=old), edits)
    assert applied.indicators == final


def _merge_seconds(n: int) -> float:
    old = tuple(Indicator(level1=f"一级{g}", level2="二级", name=f"原{g}", weight=Decimal(1)) for g in range(3))
    records = [{"level1": f"一级{k % 3}", "level2": f"二级{k % 5}", "name": f"新{k}", "weight": Decimal(1)}
               for k in range(n)]
    # The report's rows again, matched by name: the matching part of the merge as well.
    records += [{"level1": r.level1, "level2": r.level2, "name": r.name, "weight": Decimal(3)} for r in old]
    table = _sheet(records)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        edits, final = _merge_indicators(old, [table], _Collector())
        best = min(best, time.perf_counter() - start)
    assert len(final) == n + 3 and len(edits) == n + 3
    return best


def test_merge_is_linear_in_rows():
    """Four times the rows take about four times as long (a generous bound of 8: the former
    placement took sixteen times as long, 22 s for 16,000 rows). Speed goals: benchmarks/."""
    small, large = _merge_seconds(2_000), _merge_seconds(8_000)
    assert large < 8 * small, (small, large)


# ------------------------------------------------------------------------------ long sheets


def long_sheet(path, data_rows: int, title_rows: int = 0):
    """An .xlsx whose one sheet "支出" has `title_rows` rows of title text, the header 项目名称 |
    支付金额, then `data_rows` payment lines: written as XML directly (openpyxl would take seconds
    for 100,000 rows)."""
    import io
    import zipfile

    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "支出"
    wb.active["A1"] = "x"
    buf = io.BytesIO()
    wb.save(buf)

    def text(r, c, value):
        return f'<c r="{c}{r}" t="inlineStr"><is><t>{value}</t></is></c>'

    rows = [f'<row r="{r}">{text(r, "A", "2025年支出台账")}</row>' for r in range(1, title_rows + 1)]
    h = title_rows + 1
    rows.append(f'<row r="{h}">{text(h, "A", "项目名称")}{text(h, "B", "支付金额")}</row>')
    rows += [f'<row r="{r}">{text(r, "A", "运维")}<c r="B{r}"><v>{r % 900 + 100}</v></c></row>'
             for r in range(h + 1, h + 1 + data_rows)]
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             f'spreadsheetml/2006/main"><sheetData>{"".join(rows)}</sheetData></worksheet>')
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = sheet.encode() if item.filename == "xl/worksheets/sheet1.xml" else src.read(item)
            out.writestr(item.filename, data)
    return path


def test_a_sheet_of_100001_data_rows_is_refused_with_the_reason(tmp_path):
    from yibao_desktop.domain.errors import UserError
    from yibao_desktop.domain.limits import IMPORT_ROWS_MAX
    from yibao_desktop.exchange.excel.read import plan_import

    path = long_sheet(tmp_path / "long.xlsx", IMPORT_ROWS_MAX + 1)
    try:
        plan_import(Report(), path)
    except UserError as err:
        message = str(err)
    else:
        raise AssertionError("not refused")
    assert message == ("「long.xlsx」的工作表「支出」有超过 100,000 行数据，超出导入的上限（100,000 行），未导入任何数据。"
                       "请只保留需要导入的行，或把表格拆分成几个工作簿后分别导入")


@pytest.fixture
def limit_1000(monkeypatch):
    from yibao_desktop.exchange.excel import files, read

    monkeypatch.setattr(files, "IMPORT_ROWS_MAX", 1000)
    monkeypatch.setattr(read, "IMPORT_ROWS_MAX", 1000)


def test_the_limit_counts_data_rows_below_the_header(tmp_path, limit_1000):
    from yibao_desktop.domain.errors import UserError
    from yibao_desktop.exchange.excel.read import plan_import

    plan = plan_import(Report(), long_sheet(tmp_path / "ok.xlsx", 1000, title_rows=20))
    assert plan.ok and len(plan.report.expenditures) == 1000
    with pytest.raises(UserError, match="有超过 1,000 行数据"):
        plan_import(Report(), long_sheet(tmp_path / "over.xlsx", 1001, title_rows=20))


def test_a_much_longer_sheet_is_refused_before_it_is_read(tmp_path, limit_1000, monkeypatch):
    """Counted while streaming the sheet's XML: calamine never loads it (memory stays bounded,
    whatever the sheet's length)."""
    from python_calamine import CalamineWorkbook

    from yibao_desktop.domain.errors import UserError
    from yibao_desktop.exchange.excel.read import plan_import

    def never(self, name):
        raise AssertionError("the sheet was loaded")

    monkeypatch.setattr(CalamineWorkbook, "get_sheet_by_name", never)
    with pytest.raises(UserError, match="有超过 1,000 行数据"):
        plan_import(Report(), long_sheet(tmp_path / "huge.xlsx", 5000))


def test_a_long_ods_is_refused_before_it_is_read(tmp_path, limit_1000, monkeypatch):
    import zipfile

    from python_calamine import CalamineWorkbook

    from yibao_desktop.domain.errors import UserError
    from yibao_desktop.exchange.excel.read import plan_import

    monkeypatch.setattr(CalamineWorkbook, "from_filelike", lambda *a, **k: (_ for _ in ()).throw(AssertionError()))
    cell = '<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>'
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
               '<table:table table:name="小表"><table:table-row>' + cell + '</table:table-row></table:table>'
               '<table:table table:name="长表">' + f"<table:table-row>{cell}</table:table-row>" * 1500
               + '</table:table></office:spreadsheet></office:body></office:document-content>')
    path = tmp_path / "long.ods"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
    with pytest.raises(UserError, match="工作表「长表」有超过 1,000 行数据"):
        plan_import(Report(), path)


@settings(max_examples=200, deadline=None)
@given(parts=st.lists(st.sampled_from([b"<row", b"<ro", b"w", b"a", b"xxxxxxx", b""]), max_size=40),
       chunk=st.integers(min_value=1, max_value=9))
def test_streamed_pieces_are_those_of_a_split(parts, chunk):
    """The row counter's reader cuts the stream exactly where split() would, whatever the chunks."""
    import io

    from yibao_desktop.exchange.excel import files

    class Chunks(io.BytesIO):
        def read(self, size=-1):
            return super().read(chunk)

    data = b"".join(parts)
    fh = Chunks(data)
    assert list(files._pieces(fh.read(), fh, b"<row")) == data.split(b"<row")
