"""Files that are not what they claim, damaged files and random cell values: a clear Chinese
UserError or a list of problems, never a crash, never a half-import, and the source is never
written to (checked by hashing it)."""

import hashlib
import io
import struct
import zipfile
from datetime import date, datetime
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from tests.factories import dangshan_report
from yibao_desktop.domain.edits import apply_edits
from yibao_desktop.domain.errors import UserError
from yibao_desktop.domain.report import Report
from yibao_desktop.exchange.excel.data import export_data_workbook
from yibao_desktop.exchange.excel.read import ExcelImportError, plan_import
from yibao_desktop.services.excel import import_into
from yibao_desktop.exchange.excel.files import escape_text
from yibao_desktop.storage.repository import Document

FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def ole_file(streams):
    """A minimal valid OLE compound file (CFB v3, 512-byte sectors) holding `streams`
    {name: bytes}, as .xls files and password-protected .xlsx files are."""
    sector = 512
    data_sectors, fat, entries = [], [FATSECT, END], []
    next_sector = 2
    for name, payload in streams.items():
        payload = payload.ljust(4096, b"\0")  # at the mini-stream cutoff: regular sectors
        count = len(payload) // sector + (len(payload) % sector > 0)
        fat += [next_sector + i + 1 for i in range(count - 1)] + [END]
        entries.append((name, 2, next_sector, len(payload)))
        data_sectors.append(payload.ljust(count * sector, b"\0"))
        next_sector += count
    fat += [FREE] * (128 - len(fat))

    def entry(name, kind, child, right, start, size):
        raw = name.encode("utf-16-le") + b"\0\0"
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1)
                + struct.pack("<III", NOSTREAM, right, child) + b"\0" * 36 + struct.pack("<IQ", start, size))

    directory = entry("Root Entry", 5, 1 if entries else NOSTREAM, NOSTREAM, END, 0)
    for i, (name, kind, start, size) in enumerate(entries):
        right = i + 2 if i + 1 < len(entries) else NOSTREAM
        directory += entry(name, kind, NOSTREAM, right, start, size)
    directory = directory.ljust(sector, b"\0")
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, END, 0, END, 0)
              + struct.pack("<109I", 0, *([FREE] * 108)))
    return header + struct.pack("<128I", *fat) + directory + b"".join(data_sectors)


def _xlsx_bytes(rows):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _zip(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buf.getvalue()


GOOD = _xlsx_bytes([["项目名称", "支付金额", "支付日期"], ["运维", 100, date(2024, 3, 1)], ["宣传", 50, "2024年3月2日"]])


def _rezip(content, name, change):
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        files = {n: z.read(n) for n in z.namelist()}
    files[name] = change(files[name])
    return _zip(files)

BAD_FILES = {
    "garbage": (bytes(range(256)) * 8, "不是 Excel 工作簿（.xlsx）文件"),
    "password": (ole_file({"EncryptionInfo": b"\x04\x00\x04\x00", "EncryptedPackage": b"\x01" * 5000}), "设置了打开密码"),
    # An .xls whose Workbook stream is cut short (a real .xls imports: tests/exchange/excel/test_xls.py).
    "xls": (ole_file({"Workbook": b"\x09\x08" + b"\0" * 100, "\x05SummaryInformation": b""}),
            "已损坏或不是有效的 Excel 97-2003 工作簿（.xls）"),
    "doc": (ole_file({"WordDocument": b"x"}), "是 Word 文档"),
    "csv": ("项目名称,支付金额,支付日期\n运维,100,2024-03-01\n".encode("gb18030"), "实际上是 CSV/文本文件"),
    "csv-utf8": ("\ufeff项目名称,支付金额\n运维,100\n".encode("utf-8"), "实际上是 CSV/文本文件"),
    "html": (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "网页（HTML）格式"),
    "zero-bytes": (b"", "是空文件（0 字节）"),
    "empty-workbook": (_xlsx_bytes([]), "是空的，没有任何数据"),
    "docx": (_zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>"}), "是 Word 文档"),
    "other-zip": (_zip({"readme.txt": "hello"}), "是压缩包，但不是 Excel 工作簿"),
    "truncated": (GOOD[: len(GOOD) // 2], "已损坏或不是有效的 .xlsx 文件"),
    "bad-xml": (_rezip(GOOD, "xl/worksheets/sheet1.xml", lambda b: b.replace(b"<sheetData>", b"<sheetData><<")),
                "已损坏"),
    "bad-number": (_rezip(GOOD, "xl/worksheets/sheet1.xml", lambda b: b.replace(b"<v>100</v>", b"<v>1x0</v>")),
                   "已损坏"),
    "no-table": (_xlsx_bytes([["姓名", "电话"], ["张三", "123"]]), "没有找到可导入的表格"),
}


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_files_give_a_chinese_user_error_and_stay_untouched(tmp_path, name):
    content, message = BAD_FILES[name]
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(content)
    before = _sha(path)
    with pytest.raises(UserError) as err:
        plan_import(dangshan_report(), path)
    assert message in str(err.value)
    assert _sha(path) == before


def test_the_ole_fixture_is_a_real_compound_file():
    """The detector reads the directory through the FAT chain (not a byte search): a stream name
    that only appears inside data does not make a file "password-protected"."""
    from yibao_desktop.exchange.excel.files import _ole_stream_names

    assert _ole_stream_names(ole_file({"EncryptionInfo": b"", "EncryptedPackage": b""})) >= {
        "Root Entry", "EncryptionInfo", "EncryptedPackage"}
    decoy = ole_file({"Workbook": "EncryptionInfo".encode("utf-16-le")})
    assert _ole_stream_names(decoy) == {"Root Entry", "Workbook"}


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(UserError, match="找不到文件"):
        plan_import(Report(), tmp_path / "nope.xlsx")
    with pytest.raises(UserError, match="是文件夹"):
        plan_import(Report(), tmp_path)


def test_formula_without_cached_value_is_a_located_problem(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "支出"
    for row in (["项目名称", "支付金额"], ["运维", 100], ["宣传", "=B2*2"], ["合计", "=SUM(B2:B3)"]):
        ws.append(row)
    path = tmp_path / "f.xlsx"
    wb.save(path)  # openpyxl stores formulas without results, like scripts that never ran Excel
    before = _sha(path)
    plan = plan_import(dangshan_report(), path)
    assert [(p.sheet, p.row, p.column) for p in plan.problems] == [("支出", 3, "B")]
    assert "公式" in plan.problems[0].reason and "没有保存计算结果" in plan.problems[0].reason
    assert plan.edits == () and _sha(path) == before


def test_formula_with_cached_value_and_error_values(tmp_path):
    path = tmp_path / "f.xlsx"
    path.write_bytes(GOOD)
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    sheet = files["xl/worksheets/sheet1.xml"].decode()
    sheet = sheet.replace('<c r="B2" t="n"><v>100</v></c>', '<c r="B2"><f>40+60</f><v>100</v></c>')
    sheet = sheet.replace('<c r="B3" t="n"><v>50</v></c>', '<c r="B3" t="e"><f>1/0</f><v>#DIV/0!</v></c>')
    files["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    plan = plan_import(Report(), path)
    assert [(p.row, p.column, p.value) for p in plan.problems] == [(3, "B", "#DIV/0!")]
    assert "公式错误值" in plan.problems[0].reason


def test_import_into_a_document_is_all_or_nothing(tmp_path):
    doc_path = tmp_path / "r.yibao"
    Document.create(doc_path, dangshan_report()).close()
    book = tmp_path / "e.xlsx"
    book.write_bytes(_xlsx_bytes([["项目名称", "支付金额"], ["a", 100], ["b", "一百"], ["c", 5]]))
    before = (_sha(doc_path), _sha(book))
    with Document.open(doc_path) as doc:
        with pytest.raises(ExcelImportError) as err:
            import_into(doc, book)
        assert doc.report == dangshan_report()
    assert "1 个问题" in str(err.value) and "第 3 行 B 列（支付金额），值「一百」" in str(err.value)
    assert (_sha(doc_path), _sha(book)) == before
    good = tmp_path / "good.xlsx"
    good.write_bytes(GOOD)
    with Document.open(doc_path) as doc:
        import_into(doc, good)
    with Document.open(doc_path) as doc:  # appended (the default for lists)
        assert doc.report.expenditures == dangshan_report().expenditures + doc.report.expenditures[-2:]
        assert [e.project for e in doc.report.expenditures[-2:]] == ["运维", "宣传"]


# ------------------------------------------------------------------------------ fuzzing

cell_values = st.one_of(
    st.none(), st.text(max_size=8), st.sampled_from(["85%", "０．５", "1,234.5", "12万元", "—", "合计", "注：x",
                                                     "2024年3月1日", "≥90%", "达成", "有所提升", "=A1", "#N/A"]),
    st.integers(-10**18, 10**18), st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 1, 1)),
)
HEADERS = [["一级指标", "二级指标", "三级指标", "年度指标值", "分值", "实际完成值", "偏差原因"],
           ["项目名称", "资金类别", "预算金额", "支付金额（万元）", "支付日期", "经济科目", "支出方向"],
           ["级次", "类别", "文号", "下达日期", "金额", "备注", "说明"]]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(header=st.sampled_from(HEADERS), rows=st.lists(st.lists(cell_values, min_size=7, max_size=7), max_size=6),
       formats=st.lists(st.sampled_from(["0%", "0.00%", '0.00"万元"', "yyyy-mm-dd", "@", "General"]), max_size=7))
def test_random_cell_values_never_crash_nor_half_import(tmp_path, header, rows, formats):
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append([escape_text("'" + v if v.startswith("=") else v) if isinstance(v, str) else v for v in row])
    for col, fmt in enumerate(formats, 1):
        for r in range(2, len(rows) + 2):
            ws.cell(r, col).number_format = fmt
    path = tmp_path / "fuzz.xlsx"
    wb.save(path)
    before = _sha(path)
    base = dangshan_report()
    try:
        plan = plan_import(base, path)
    except UserError:
        return
    finally:
        assert _sha(path) == before
    if plan.problems:
        assert plan.edits == () and plan.report is base
        for p in plan.problems:
            assert p.sheet and p.reason
    else:
        assert apply_edits(base, list(plan.edits))[0] == plan.report


DATA_BOOK = None


def _data_book():
    global DATA_BOOK
    if DATA_BOOK is None:
        buf = io.BytesIO()
        from yibao_desktop.exchange.excel.data import build_data_workbook

        build_data_workbook(dangshan_report()).save(buf)
        DATA_BOOK = buf.getvalue()
    return DATA_BOOK


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(source=st.sampled_from(["good", "data"]), data=st.data())
def test_corrupted_bytes_never_crash(tmp_path, source, data):
    original = GOOD if source == "good" else _data_book()
    content = bytearray(original)
    mutation = data.draw(st.sampled_from(["flip", "truncate", "splice"]))
    if mutation == "flip":
        for pos in data.draw(st.lists(st.integers(0, len(content) - 1), min_size=1, max_size=20)):
            content[pos] = data.draw(st.integers(0, 255))
    elif mutation == "truncate":
        content = content[: data.draw(st.integers(0, len(content) - 1))]
    else:
        start = data.draw(st.integers(0, len(content) - 1))
        content[start:start] = data.draw(st.binary(min_size=1, max_size=64))
    path = tmp_path / "broken.xlsx"
    path.write_bytes(bytes(content))
    base = Report()
    try:
        plan = plan_import(base, path)
    except UserError:
        return
    if plan.problems:
        assert plan.edits == () and plan.report is base


def test_writing_the_data_workbook_never_touches_the_document(tmp_path, demo_report):
    doc_path = tmp_path / "r.yibao"
    Document.create(doc_path, demo_report).close()
    before = _sha(doc_path)
    with Document.open(doc_path, read_only=True) as doc:
        export_data_workbook(doc.report, tmp_path / "d.xlsx")
    assert _sha(doc_path) == before


def test_huge_numbers_are_problems_not_crashes(tmp_path):
    path = tmp_path / "h.xlsx"
    path.write_bytes(_xlsx_bytes([["三级指标", "实际完成值", "分值"], ["a", 1e300, "9" * 60]]))
    plan = plan_import(Report(), path)
    assert [p.column for p in plan.problems] == ["C", "B"] or {p.column for p in plan.problems} == {"B", "C"}
    assert all("过大" in p.reason or "无法识别" in p.reason for p in plan.problems)
    assert D(0) == D(0)


def test_formula_scan_tells_missing_results_from_empty_text_results(tmp_path):
    from yibao_desktop.exchange.excel.files import formula_cells_without_value

    cells = ('<c r="A1"><f>1+1</f></c>'  # never calculated
             '<c r="B1"><f>1+1</f><v></v></c>'  # openpyxl's placeholder
             '<c r="C1" t="str"><f>IF(1,"","x")</f><v></v></c>'  # calculated: an empty text
             '<c r="D1" s="2"><f>1+1</f><v>2</v></c>'  # calculated
             '<c r="E1"><f t="shared" si="0" ref="E1:E2">A1</f><v>2</v></c>'
             '<c r="E2"><f t="shared" si="0"/></c>'  # a shared formula's member, no result
             '<x:c r="F1"><x:f>1</x:f></x:c>')  # prefixed elements
    sheet = f"<worksheet><sheetData><row r=\"1\">{cells}</row></sheetData></worksheet>"
    assert formula_cells_without_value(sheet.encode()) == ["A1", "B1", "E2", "F1"]
