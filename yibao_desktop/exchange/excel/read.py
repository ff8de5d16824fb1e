"""Import from Excel: indicator target tables, expenditure and income lists as real sheets hold
them, and the app's own data workbook (excel_data.py).

Pure functions (STYLE.md §3.11). `read_workbook(path)` gives the parsed rows and every problem at
once; `plan_import(report, path)` adds the list of domain edits that would apply them, so that the
window can preview the import and apply it as one undo step, and the CLI can apply it in one
transaction. The import is all-or-nothing: a plan with problems has no edits. The source file is
only ever opened for reading.

Which rows are data (other people's sheets; our data workbook takes every non-blank row):
- the header row is found by its headers, anywhere in the first 30 rows, columns in any order;
  a caption such as "单位：万元" above it sets the unit of amount columns without their own unit;
- blank rows are skipped; 合计/小计/总计/总分 rows are skipped;
- a note row ("注：…", "说明：…", "填表人：…") ends the table, and so does a single-cell text row
  after a blank row (a stray note below the table);
- empty 一级指标/二级指标 cells are carried down from the row above (merged cells: read-only
  mode sees only their top cell).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

from openpyxl.utils import get_column_letter

from yibao_desktop.domain.edits import DeleteRow, Edit, InsertRow, SetField
from yibao_desktop.domain.errors import UserError, ValueParseError
from yibao_desktop.domain.limits import IMPORT_ROWS_MAX
from yibao_desktop.domain.money import normalize_text
from yibao_desktop.domain.report import (
    GRADES,
    LEVELS,
    QUALITATIVE,
    Basis,
    Expenditure,
    FundOperation,
    FundOpLine,
    Income,
    Indicator,
    Previous,
    Report,
    Section,
    Attachment,
    get_rows,
)
from yibao_desktop.domain.targets import parse_target
from yibao_desktop.exchange.excel import cells
from yibao_desktop.runtime import no_gc
from yibao_desktop.exchange.excel.files import HEADER_SCAN_ROWS, BookData, SheetData, read_book, too_many_rows
from yibao_desktop.exchange.excel.schema import (
    COLLECTION_LABELS,
    DEFAULT_MODES,
    MODES,
    DATA_MARKER,
    GENERIC_TABLES,
    GRADE_SYNONYMS,
    INDICATORS,
    INFO_ROWS,
    INFO_SHEET,
    LEVEL_SYNONYMS,
    SEQ_HEADER,
    SYNONYMS,
    TABLES,
    Column,
    Table,
    aliases,
    norm_header,
)

_NOTE_RE = re.compile(
    r"^(注|说明|备注|附注|填表说明|填报说明)\s*\d*\s*[:：、.．]|^(注|说明|附注)$|"
    r"^(填表人|制表人|审核人|负责人|单位负责人|项目负责人|财务负责人|联系人|联系电话|填报日期|制表日期|数据来源|资料来源)"
    r"\s*[:：]")
_TOTAL_RE = re.compile(r"^(合\s*计|总\s*计|小\s*计|总\s*分|累\s*计|总合计)")
_CAPTION_UNIT_RE = re.compile(r"单位[:：](万元|元)")
_NATURE_IGNORED = {"定量", "正向", "反向", "正向指标", "反向指标", "定量指标"}


class ExcelImportError(UserError):
    """An import with problems. `problems` lists them; the message lists them all in Chinese."""

    def __init__(self, problems: Iterable["Problem"], path: Path | None = None):
        self.problems = tuple(problems)
        head = f"「{path.name}」" if path else "工作簿"
        lines = [f"{head}有 {len(self.problems)} 个问题，未导入任何数据（报告未作改动）："]
        lines += [f"  {n}. {p}" for n, p in enumerate(self.problems, 1)]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Problem:
    """One reason the import cannot go ahead, located as precisely as the sheet allows."""

    sheet: str
    row: int | None
    column: str | None  # column letter, e.g. "F"
    header: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = f"工作表「{self.sheet}」" if self.sheet else "工作簿"
        if self.row is not None:
            where += f"第 {self.row} 行"
        if self.column:
            where += f" {self.column} 列"
        if self.header:
            where += f"（{self.header}）"
        value = f"，值「{self.value}」" if self.value else ""
        return f"{where}{value}：{self.reason}"


@dataclass(frozen=True)
class SheetTable:
    """One table found in one sheet."""

    sheet: str
    table: Table
    header_row: int
    columns: dict[str, tuple[int, str]]  # field -> (1-based column, header text as in the sheet)
    rows: tuple[tuple[int, dict[str, Any]], ...]  # (sheet row, field -> value; blank cells are None)
    data_mode: bool

    @property
    def kind(self) -> str:
        return self.table.kind

    def column_label(self, field_name: str) -> str:
        col = self.columns.get(field_name)
        return f"{get_column_letter(col[0])} 列「{col[1]}」" if col else ""


@dataclass(frozen=True)
class ImportResult:
    """`rows`: collection name -> model rows read (Income, Expenditure, Indicator, Section, Basis);
    `problems`: everything that stops the import; `notices`: what the user should know."""

    path: Path
    data_workbook: bool
    tables: tuple[SheetTable, ...]
    rows: dict[str, tuple[Any, ...]]
    problems: tuple[Problem, ...]
    notices: tuple[str, ...]
    info: dict[str, Any] = field(default_factory=dict)  # data workbook: 报告信息 values by target

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Change:
    collection: str
    label: str
    changed: int
    inserted: int
    deleted: int

    def __str__(self) -> str:
        parts = [f"修改 {self.changed} 行" if self.changed else "", f"新增 {self.inserted} 行" if self.inserted else "",
                 f"删除 {self.deleted} 行" if self.deleted else ""]
        return f"{self.label}：{'，'.join(p for p in parts if p) or '无变化'}"


@dataclass(frozen=True)
class ImportPlan:
    """What an import would do to `base`. Apply with `Document.apply(list(plan.edits))` (one
    transaction, one undo step) while the document still holds `base`; `report` is the result."""

    base: Report
    result: ImportResult
    edits: tuple[Edit, ...]
    report: Report
    changes: tuple[Change, ...]
    mode: dict[str, str]

    @property
    def problems(self) -> tuple[Problem, ...]:
        return self.result.problems

    @property
    def notices(self) -> tuple[str, ...]:
        return self.result.notices

    @property
    def ok(self) -> bool:
        return self.result.ok

    def raise_for_problems(self) -> None:
        if self.problems:
            raise ExcelImportError(self.problems, self.result.path)

    def summary(self) -> str:
        if self.problems:
            return f"发现 {len(self.problems)} 个问题，无法导入。"
        if not self.edits:
            return "导入内容与当前报告一致，没有需要修改的地方。"
        return "；".join(str(c) for c in self.changes) + "。"


# ------------------------------------------------------------------------------ reading


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.notices: list[str] = []

    def add(self, sheet: str, row: int | None, col: int | None, header: str, value: Any, reason: str) -> None:
        self.problems.append(Problem(sheet, row, get_column_letter(col) if col else None, header,
                                     cells.display(value), reason))


def _is_data_workbook(book: BookData) -> bool:
    info = book.sheets.get(INFO_SHEET)
    if info is None:
        return False
    for row in info.rows[:5]:
        if any(v == DATA_MARKER for v in row):
            return True
    return False


def read_workbook(path: str | Path, sheet: str | None = None) -> ImportResult:
    """Parse every table the workbook holds (or only `sheet`). Raises UserError when the file
    cannot be read at all or holds no table we recognise; cell-level problems are returned."""
    with no_gc():  # ten objects per cell that all survive the read: no cycles to collect meanwhile
        return _read_workbook(Path(path), sheet)


def _read_workbook(path: Path, sheet: str | None) -> ImportResult:
    wanted = None if sheet is None else [sheet, INFO_SHEET]
    book = read_book(path, wanted)
    if sheet is not None and sheet not in book.sheetnames:
        raise UserError(f"工作簿「{path.name}」中没有名为「{sheet}」的工作表（现有：{'、'.join(book.sheetnames)}）")
    if not any(_has_values(s) for s in book.sheets.values()):
        raise UserError(f"工作簿「{path.name}」是空的，没有任何数据")
    data_mode = _is_data_workbook(book)
    out = _Collector()
    tables: list[SheetTable] = []
    info: dict[str, Any] = {}
    names = [n for n in book.sheetnames if n in book.sheets and (sheet is None or n == sheet)]
    for name in names:
        data = book.sheets[name]
        if data_mode:
            if name == INFO_SHEET:
                info = _read_info(data, out)
                continue
            table = next((t for t in TABLES if t.sheet == name), None)
            if table is None:
                if _has_values(data):
                    out.notices.append(f"工作表「{name}」不是本程序数据工作簿的表，已忽略")
                continue
            _check_length(path, data, 0)
            found = _read_table(data, table, 0, book, out, data_mode=True)
        else:
            detected = _detect(data)
            if detected is None:
                if sheet is not None:
                    raise UserError(_unrecognised(name))
                if _has_values(data):
                    out.notices.append(f"工作表「{name}」中没有找到可识别的表头，已忽略")
                continue
            table, header_index = detected
            _check_length(path, data, header_index)
            found = _read_table(data, table, header_index, book, out, data_mode=False)
        if found is not None:
            tables.append(found)
    if not tables and not info:
        raise UserError(f"「{path.name}」中没有找到可导入的表格。{_unrecognised(None)}")
    rows = _build_rows(tables)
    return ImportResult(path, data_mode, tuple(tables), rows, tuple(out.problems), tuple(out.notices), info)


def _check_length(path: Path, data: SheetData, header_index: int) -> None:
    """Refuse a table of more than IMPORT_ROWS_MAX data rows below its header (the reader has
    refused longer sheets before reading them; this is the exact count)."""
    if len(data.rows) - header_index - 1 > IMPORT_ROWS_MAX:
        filled = sum(1 for row in data.rows[header_index + 1:] if any(_filled(v) for v in row))
        if filled > IMPORT_ROWS_MAX:
            raise too_many_rows(path.name, data.name)


def _unrecognised(sheet: str | None) -> str:
    where = f"工作表「{sheet}」中没有找到可识别的表头。" if sheet else ""
    return (f"{where}可导入：绩效指标表（表头含「三级指标」或「指标名称」，以及「指标值」「分值」「实际完成值」等）、"
            "支出明细表（表头含「支付金额」或「金额」，以及「项目名称」「支付日期」等）、"
            "资金来源表（表头含「金额」「级次」「类别」「文号」等）")


def _has_values(data: SheetData) -> bool:
    return any(v is not None for row in data.rows for v in row)


def _values(row: tuple[Any, ...]) -> list[Any]:
    return list(row)


def _detect(data: SheetData) -> tuple[Table, int] | None:
    """(table, 0-based header row index) with the most recognised columns in the first rows."""
    best: tuple[int, int, int, Table] | None = None  # (-matches, row index, table order, table)
    for index, row in enumerate(data.rows[:HEADER_SCAN_ROWS]):
        values = _values(row)
        if sum(isinstance(v, str) for v in values) < 2:
            continue
        for order, table in enumerate(GENERIC_TABLES):
            found = _match_header(values, table, False)
            if not all(f in found for f in table.needs) or not any(f in found for f in table.any_of):
                continue
            key = (-len(found), index, order, table)
            if best is None or key[:3] < best[:3]:
                best = key
    return None if best is None else (best[3], best[1])


def _match_header(values: list[Any], table: Table, data_mode: bool) -> dict[str, tuple[int, str, str, int]]:
    """field -> (1-based column, header text, unit hint, priority)."""
    index = aliases(table, data_mode)
    found: dict[str, tuple[int, str, str, int]] = {}
    for col, value in enumerate(values, 1):
        key, unit = norm_header(value)
        hit = index.get(key) if key else None
        if hit is None:
            continue
        name, rank = hit
        prev = found.get(name)
        if prev is None or rank < prev[3]:
            found[name] = (col, str(value).strip(), unit, rank)
    return found


def _read_table(data: SheetData, table: Table, header_index: int, book: BookData, out: _Collector,
                data_mode: bool) -> SheetTable | None:
    sheet = data.name
    rows = data.rows
    if not rows:
        out.add(sheet, None, None, "", None, f"工作表是空的，没有{table.label}的表头")
        return None
    header_values = _values(rows[header_index])
    found = _match_header(header_values, table, data_mode)
    if not data_mode and header_index > 0:  # two-row headers: labels merged down from the row above
        above = _values(rows[header_index - 1])
        for name, hit in _match_header(above, table, False).items():
            col = hit[0]
            if name not in found and (col > len(header_values) or header_values[col - 1] is None):
                found[name] = hit
    if data_mode:
        missing = [c.header for c in table.data_columns if c.field not in found]
        if missing:
            out.add(sheet, header_index + 1, None, "", None,
                    f"缺少列：{'、'.join(missing)}（本程序导出的数据工作簿的列不能删除或改名）")
            return None
        seq_col = 1 if norm_header(header_values[0] if header_values else None)[0] == SEQ_HEADER else None
    else:
        seq_col = None
        missing = [table.column(f).header for f in ("level", "kind") if table.kind == "incomes" and f not in found]
        if missing:
            out.add(sheet, header_index + 1, None, "", None, f"资金来源表缺少列：{'、'.join(missing)}")
            return None
        _note_duplicates(sheet, header_values, table, found, out)
    caption_unit = ""
    for row in rows[:header_index]:
        for v in _values(row):
            m = _CAPTION_UNIT_RE.search(normalize_text(v)) if isinstance(v, str) else None
            if m:
                caption_unit = m.group(1)
    columns = {name: (hit[0], hit[1]) for name, hit in found.items()}
    parser = _RowParser(data, table, found, caption_unit, book, out, data_mode)
    parsed: list[tuple[int, dict[str, Any]]] = []
    wanted_cols = sorted({hit[0] for hit in found.values()} | ({seq_col} if seq_col else set()))
    gap = False  # a blank row was seen after data
    carried = {"level1": None, "level2": None}
    ignored_after: int | None = None
    skipped_totals: list[int] = []
    first = header_index + 1
    for offset, row in enumerate(rows[first:]):
        number = first + offset + 1
        values = [row[c - 1] if c <= len(row) else None for c in wanted_cols]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            if not data_mode and parsed:
                gap = True
            continue
        if not data_mode:
            lead = _lead_text(row)
            if _NOTE_RE.match(lead) or (gap and _single_text(row)):
                ignored_after = number
                break
            if _TOTAL_RE.match(lead):
                skipped_totals.append(number)
                continue
            if not parsed and _header_like(values, table):
                continue  # a second header row (sub-headers under merged group labels)
        record = parser.parse(row, number)
        if not data_mode and table is INDICATORS:
            group_row = record is None
            record = record or {}
            for level in ("level1", "level2"):
                if level in found:
                    if record.get(level):
                        carried[level] = record[level]
                        if level == "level1" and not record.get("level2"):
                            carried["level2"] = None
                    elif carried[level]:
                        record[level] = carried[level]
            if group_row:
                continue
        assert record is not None
        parsed.append((number, record))
    if skipped_totals:
        out.notices.append(f"工作表「{sheet}」第 {'、'.join(map(str, skipped_totals))} 行是合计行，已跳过")
    if ignored_after is not None:
        rest = sum(1 for row in rows[ignored_after - 1:] if any(v is not None for v in row))
        out.notices.append(f"工作表「{sheet}」第 {ignored_after} 行起是表格下方的说明文字（{rest} 行），已忽略")
    if not data_mode and not parsed:
        out.add(sheet, header_index + 1, None, "", None, f"表头下面没有数据行，{table.label}没有可导入的内容")
    if not data_mode:
        unit = caption_unit or "元"
        for name in ("amount", "paid", "budget"):
            if name in found and table.column(name).kind == "money":
                col_unit = found[name][2] if found[name][2] in ("万元", "元") else unit
                if col_unit == "万元":
                    out.notices.append(f"工作表「{sheet}」{get_column_letter(found[name][0])} 列「{found[name][1]}」"
                                       "按「万元」读取，已换算为元")
        if table.kind == "expenditures" and "pool" not in found and parsed:
            out.notices.append(f"工作表「{sheet}」没有「资金类别」列（上年结转/当年下达），全部支出计入当年下达资金")
        if parser.qualitative_texts:
            out.notices.append(f"工作表「{sheet}」第 {'、'.join(map(str, parser.qualitative_texts))} 行是定性指标，"
                               "实际完成值的文字说明未导入，请在程序中选择评级（达成／部分达成／未达成）")
        if parser.ignored_scores:
            out.notices.append(f"工作表「{sheet}」中定量指标的「得分」由程序按规则计算，表中的得分"
                               f"（第 {'、'.join(map(str, parser.ignored_scores))} 行）未导入")
        if parser.fraction_rows:
            out.notices.append(f"工作表「{sheet}」第 {'、'.join(map(str, parser.fraction_rows))} 行的百分比指标"
                               "实际完成值小于 1，请确认不是把 85% 写成了 0.85")
    return SheetTable(sheet, table, header_index + 1, columns, tuple(parsed), data_mode)


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _lead_text(row: tuple[Any, ...]) -> str:
    """The row's first filled cell, if it is text."""
    for value in row:
        if _filled(value):
            return value.strip() if isinstance(value, str) else ""
    return ""


def _single_text(row: tuple[Any, ...]) -> bool:
    filled = [v for v in row if _filled(v)]
    return len(filled) == 1 and isinstance(filled[0], str)


def _header_like(values: list[Any], table: Table) -> bool:
    index = aliases(table, False)
    texts = [v for v in values if v is not None]
    return bool(texts) and all(isinstance(v, str) and norm_header(v)[0] in index for v in texts)


def _note_duplicates(sheet: str, header: list[Any], table: Table, found: dict[str, tuple[int, str, str, int]],
                     out: _Collector) -> None:
    index = aliases(table, False)
    used = {hit[0] for hit in found.values()}
    for col, value in enumerate(header, 1):
        key, _ = norm_header(value)
        if key in index and col not in used:
            name = index[key][0]
            kept = found[name]
            out.notices.append(f"工作表「{sheet}」{get_column_letter(col)} 列「{str(value).strip()}」与 "
                               f"{get_column_letter(kept[0])} 列「{kept[1]}」含义相同，已使用后者")


class _RowParser:
    """Turns one sheet row into field values, collecting problems instead of stopping."""

    def __init__(self, data: SheetData, table: Table, found: dict[str, tuple[int, str, str, int]], caption_unit: str,
                 book: BookData, out: _Collector, data_mode: bool):
        self.data, self.sheet, self.table, self.out, self.data_mode = data, data.name, table, out, data_mode
        self.generic_indicators = table is INDICATORS and not data_mode
        self.epoch = book.epoch
        self.no_value = data.formula_without_value
        self.errors = data.errors
        self.caption_unit = caption_unit or "元"
        self.limit = None if data_mode else cells.LIMIT
        plan = [(table.column(name), hit[0], hit[1], hit[2]) for name, hit in found.items()]
        # Indicator figures are read in the row's unit, which the text columns give: numbers last.
        self.first = [p for p in plan if p[0].kind != "number"]
        self.second = [p for p in plan if p[0].kind == "number"]
        self.required = [p for p in plan if p[0].required]
        self.qualitative_texts: list[int] = []
        self.ignored_scores: list[int] = []
        self.fraction_rows: list[int] = []

    def parse(self, row: tuple[Any, ...], number: int) -> dict[str, Any] | None:
        """Field values of the row; None for a group row of an indicator table (levels only)."""
        record: dict[str, Any] = {}
        failed: set[str] = set()
        width = len(row)
        for step in (self.first, self.second):
            if step is self.second and self.generic_indicators:
                self._derive_target(record, row, number, failed)
            for col, ci, header, unit_hint in step:
                value = row[ci - 1] if ci <= width else None
                if value is None:
                    if self.no_value and (number, ci) in self.no_value:
                        self.out.add(self.sheet, number, ci, header, None,
                                     "单元格是公式，但文件中没有保存计算结果（文件可能由其他程序生成，未在 Excel 中保存过）。"
                                     "请在 Excel/WPS 中打开、保存后再导入")
                        failed.add(col.field)
                        record[col.field] = None
                    else:
                        record[col.field] = "" if self.data_mode and col.kind in ("text", "longtext") else None
                    continue
                if self.errors and (number, ci) in self.errors:
                    self.out.add(self.sheet, number, ci, header, value, f"单元格是公式错误值 {value}，请先修正公式")
                    failed.add(col.field)
                    record[col.field] = None
                    continue
                try:
                    record[col.field] = self._value(col, ci, value, unit_hint, record, number)
                except ValueParseError as err:
                    self.out.add(self.sheet, number, ci, header, value, err.message)
                    failed.add(col.field)
                    record[col.field] = None
        if self.generic_indicators:
            if not record.get("name") and "name" not in failed and not any(
                    record.get(k) not in (None, "") for k in record if k not in ("level1", "level2")):
                return None  # a group row such as "产出指标" alone: its levels carry down
            self._after_indicator(record, row, number)
        for col, ci, header, _ in self.required:
            if record.get(col.field) is None and col.field not in failed:
                self.out.add(self.sheet, number, ci, header, None, f"「{col.header}」不能为空")
        return record

    def _value(self, col: Column, ci: int, value: Any, unit_hint: str, record: dict[str, Any], number: int) -> Any:
        """A non-empty cell's value for `col` (raises ValueParseError with the reason)."""
        kind = col.kind
        if kind in ("text", "longtext"):
            return cells.text(value, strip=not self.data_mode)
        if self.data_mode:
            if value == "":
                return None
        elif cells.is_blank(value):
            return None
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        if kind == "money":
            unit = unit_hint if unit_hint in ("万元", "元") else self.caption_unit
            return cells.money(value, unit, self.data.number_format(number, ci) if numeric else "", self.limit)
        if kind == "number":
            if col.field == "actual" and self.generic_indicators and isinstance(value, str):
                word = normalize_text(value)
                grade = word if word in GRADES else GRADE_SYNONYMS.get(word)
                if grade:  # 实际完成值 "达成" on a 定性 row is its grade
                    if record.get("grade") is None:
                        record["grade"] = grade
                    return None
                if record.get("nature") == QUALITATIVE:
                    try:
                        return cells.number(value, record.get("unit") or "")
                    except ValueParseError:
                        self.qualitative_texts.append(number)
                        return None
            if col.field == "weight":
                unit = "分"
            elif col.field in ("actual", "target", "baseline"):
                unit = record.get("unit") or ""
            else:
                unit = ""
            return cells.number(value, unit, self.data.number_format(number, ci) if numeric else "", self.limit)
        if kind == "date":
            return cells.day(value, self.epoch)
        if kind == "bool":
            return cells.yes_no(value)
        if kind == "enum" and col.field == "pool" and not self.data_mode:
            # A 资金来源 column often names levels (中央资金, 省级资金), not pools: read it as the level.
            try:
                return cells.choice(value, col.choices, SYNONYMS.get(col.field))
            except ValueParseError:
                try:
                    level = cells.choice(value, LEVELS, LEVEL_SYNONYMS)
                except ValueParseError:
                    raise ValueParseError(f"「{cells.display(value)}」不是可选值（可选：{'、'.join(col.choices)}；"
                                          f"或资金级次：{'、'.join(LEVELS)}）") from None
                if record.get("level") is None:
                    record["level"] = level
                return None
        if kind == "enum":
            if col.field == "nature" and not self.data_mode and normalize_text(cells.text(value)) in _NATURE_IGNORED:
                return None
            return cells.choice(value, col.choices, SYNONYMS.get(col.field))
        raise AssertionError(f"unknown column kind {kind}")  # pragma: no cover

    def _derive_target(self, record: dict[str, Any], row: tuple[Any, ...], number: int, failed: set[str]) -> None:
        """Other people's indicator tables: the target text gives nature, value and unit."""
        hit = next((p for p in self.first if p[0].field == "target_text"), None)
        if hit is None:
            return
        value = row[hit[1] - 1] if hit[1] <= len(row) else None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            figure = cells.decimal_from_float(value) if isinstance(value, float) else Decimal(value)
            if cells.is_percent_format(self.data.number_format(number, hit[1])):
                record["target_text"] = f"{cells.plain(figure * 100)}%"
            else:
                record["target_text"] = format(cells.plain(figure), "f")
        spec = parse_target(record.get("target_text") or None)
        if spec.ok:
            if record.get("nature") is None:
                record["nature"] = spec.nature
            if record.get("target") is None and spec.value is not None:
                record["target"] = spec.value
            if not record.get("unit") and spec.unit:
                record["unit"] = spec.unit

    def _after_indicator(self, record: dict[str, Any], row: tuple[Any, ...], number: int) -> None:
        """得分 is kept only for 定性 rows (other scores follow the rules); flag 0.85 meant as 85%."""
        if "sheet_score" in record:
            score = record.pop("sheet_score")
            if score is not None:
                if record.get("nature") == QUALITATIVE:
                    record["score"] = score
                else:
                    self.ignored_scores.append(number)
        actual = record.get("actual")
        if actual is not None and record.get("unit") == "%" and 0 < actual < 1:
            hit = next(p for p in self.second if p[0].field == "actual")
            value = row[hit[1] - 1] if hit[1] <= len(row) else None
            if not (isinstance(value, (int, float))
                    and cells.is_percent_format(self.data.number_format(number, hit[1]))):
                self.fraction_rows.append(number)


def _read_info(data: SheetData, out: _Collector) -> dict[str, Any]:
    """The 报告信息 sheet: label | value rows (labels in any order; missing rows keep the report's value)."""
    by_label = {r.label: r for r in INFO_ROWS}
    values: dict[str, Any] = {}
    for index, row in enumerate(data.rows):
        if len(row) < 1 or not isinstance(row[0], str):
            continue
        spec = by_label.get(cells.text(row[0]))
        if spec is None:
            continue
        value = row[1] if len(row) > 1 else None
        try:
            values[spec.target] = _info_value(spec.kind, value, spec.choices, spec.codes)
        except ValueParseError as err:
            out.add(data.name, index + 1, 2, spec.label, value, err.message)
    return values


def _info_value(kind: str, value: Any, choices: tuple[str, ...], codes: tuple[str, ...] = ()) -> Any:
    if kind == "text":
        return cells.text(value, strip=False)
    if kind == "opttext":
        return None if value is None or value == "" else cells.text(value, strip=False)
    if kind == "int":
        if value is None:
            raise ValueParseError("不能为空")
        return cells.integer(value)
    if kind == "optint":
        return None if value is None else cells.integer(value)
    if kind == "number":
        if value is None:
            raise ValueParseError("不能为空")
        return cells.number(value, limit=None)
    if kind == "money":
        return None if value is None else cells.money(value, limit=None)
    if kind == "enum":
        return codes[choices.index(cells.choice(value, choices))]
    if kind == "bool":
        return cells.yes_no(value)
    raise AssertionError(kind)  # pragma: no cover


_ROW_CLASSES = {"incomes": Income, "expenditures": Expenditure, "indicators": Indicator, "narrative": Section,
                "basis": Basis}


def _build_rows(tables: list[SheetTable]) -> dict[str, tuple[Any, ...]]:
    """Model rows per collection (tables of one kind from several sheets are joined in sheet order)."""
    rows: dict[str, list[Any]] = {}
    for t in tables:
        if t.kind == "weights":
            rows.setdefault("weights", []).extend((r["name"], r["weight"]) for _, r in t.rows)
            continue
        if t.kind == "fund_lines":
            target = rows.setdefault("fund_lines", [])
            for _, r in t.rows:
                target.append((r["side"], FundOpLine(category=r["category"], budget=r["budget"],
                                                     actual=r["actual"] if r["actual"] is not None else Decimal(0))))
            continue
        cls = _ROW_CLASSES[t.kind]
        names = {f.name for f in fields(cls)}
        target = rows.setdefault(t.kind, [])
        for _, r in t.rows:
            target.append(cls(**{k: v for k, v in r.items() if k in names and v is not None}))
    return {k: tuple(v) for k, v in rows.items()}


# ------------------------------------------------------------------------------ planning


def plan_import(report: Report, path: str | Path, sheet: str | None = None,
                mode: str | dict[str, str] | None = None) -> ImportPlan:
    """Read `path` and work out the edits that bring its content into `report`.

    Our data workbook replaces everything it carries. Other sheets: `mode` is "replace" (the
    table's rows replace the report's), "append" (added after them) or "merge" (indicators only:
    rows are matched to the report's by 一级/二级/三级 name and only the filled cells are taken;
    unmatched rows are added). Default: append for expenditures and incomes, merge for indicators.
    Raises UserError when the file cannot be read at all; cell problems are in `plan.problems`.
    """
    result = read_workbook(path, sheet)
    modes = dict(DEFAULT_MODES)
    if isinstance(mode, str):
        if mode not in MODES:
            raise UserError(f"未知的导入方式「{mode}」（可选：{'、'.join(MODES)}）")
        modes = {k: mode for k in modes}
    elif mode:
        modes.update(mode)
    if any(modes.get(t.kind) == "merge" for t in result.tables if t.kind in ("expenditures", "incomes")):
        raise UserError("「按指标名称合并」只适用于绩效指标表；支出明细和资金来源请选择“追加”或“替换”")
    out = _Collector()  # problems across rows and sheets, found while planning
    if result.data_workbook:
        target = _data_target(report, result, out)
        edits = _diff_report(report, target)
    else:
        edits, target = _generic_edits(report, result, modes, out)
    if out.problems or not result.ok:
        result = replace(result, problems=result.problems + tuple(out.problems))
        return ImportPlan(report, result, (), report, (), modes)
    dropped = _dropped_evidence(report, target)
    if dropped:
        out.notices.append(f"注意：{dropped} 份佐证材料所属的指标不在导入后的指标表中，导入后这些佐证材料将随指标一并移除"
                           f"（可撤销）")
    if out.notices:
        result = replace(result, notices=result.notices + tuple(out.notices))
    return ImportPlan(report, result, tuple(edits), target, _changes(edits), modes)


def _data_target(base: Report, result: ImportResult, out: _Collector) -> Report:
    """The report a data workbook describes (parts whose sheet is absent stay as in `base`)."""
    kinds = {t.kind for t in result.tables}
    info = result.info
    meta = base.meta
    meta_fields = {k.split(".", 1)[1]: v for k, v in info.items() if k.startswith("meta.")}
    previous = {k.split(".", 1)[1]: v for k, v in info.items() if k.startswith("previous.")}
    if previous:
        if all(v is None for v in previous.values()):
            meta_fields["previous"] = None
        elif len(previous) == 3 and all(v is not None for v in previous.values()):
            meta_fields["previous"] = Previous(**previous)
        else:
            out.add(INFO_SHEET, None, None, "上年度（同比）", None,
                    "上年度的年度、可用资金和已支出须同时填写（或同时留空）")
    if meta_fields:
        meta = replace(meta, **meta_fields)
    if "basis" in kinds:
        meta = replace(meta, basis=result.rows.get("basis", ()))
    scoring = base.scoring
    scoring_fields = {k.split(".", 1)[1]: v for k, v in info.items() if k.startswith("scoring.")}
    labels = [info.get(f"grade_labels.{i}") for i in range(4)]
    if all(isinstance(x, str) and x for x in labels):
        scoring_fields["grade_labels"] = tuple(labels)
    elif any(x is not None for x in labels):
        out.add(INFO_SHEET, None, None, "等级名称", None, "四个等级名称都必须填写")
    if "weights" in kinds:
        scoring_fields["level1_weights"] = tuple(result.rows.get("weights", ()))
    if scoring_fields:
        scoring = replace(scoring, **scoring_fields)
    fo = base.fund_operation
    has_fo = info.get("fo", fo is not None)
    lines = result.rows.get("fund_lines", ())
    if has_fo:
        fo_fields = {k.split(".", 1)[1]: v for k, v in info.items() if k.startswith("fund_operation.")}
        fo = replace(fo or FundOperation(), **fo_fields)
        if "fund_lines" in kinds:
            fo = replace(fo, income=tuple(line for side, line in lines if side == "收入"),
                         expense=tuple(line for side, line in lines if side == "支出"))
    else:
        if lines:
            out.add(INFO_SHEET, None, None, "基金运行情况", "无",
                    "「基金运行」表中有数据，但「基金运行情况」填的是「无」，请改为「有」或删除这些行")
        fo = None
    return replace(
        base, meta=meta, scoring=scoring, fund_operation=fo,
        incomes=result.rows.get("incomes", ()) if "incomes" in kinds else base.incomes,
        expenditures=result.rows.get("expenditures", ()) if "expenditures" in kinds else base.expenditures,
        indicators=(keep_evidence(base.indicators, result.rows.get("indicators", ())) if "indicators" in kinds
                    else base.indicators),
        narrative=result.rows.get("narrative", ()) if "narrative" in kinds else base.narrative,
    )


def _generic_edits(base: Report, result: ImportResult, modes: dict[str, str],
                   out: _Collector) -> tuple[list[Edit], Report]:
    edits: list[Edit] = []
    report = base
    for collection in ("incomes", "expenditures", "indicators"):
        rows = result.rows.get(collection)
        if rows is None:
            continue
        mode = modes.get(collection, "replace")
        old = get_rows(report, collection)
        if collection == "indicators" and mode == "merge":
            tables = [t for t in result.tables if t.kind == "indicators"]
            new_edits, new_rows = _merge_indicators(old, tables, out)
        else:
            new_rows = old + rows if mode == "append" else rows
            if collection == "indicators" and mode != "append":
                new_rows = keep_evidence(old, new_rows)
            new_edits = _diff_rows(collection, old, new_rows)
        edits.extend(new_edits)
        report = replace(report, **{collection: new_rows})
    return edits, report


def _dropped_evidence(old: Report, new: Report) -> int:
    kept = {(a.sha256, i.name) for i in new.indicators for a in i.evidence}
    return sum(1 for i in old.indicators for a in i.evidence if (a.sha256, i.name) not in kept)


def keep_evidence(old: tuple[Indicator, ...], new: tuple[Indicator, ...]) -> tuple[Indicator, ...]:
    """A sheet carries no 佐证材料: a replacing row keeps the files of the old row with the same
    一级/二级/三级 names (each old row's files go to one new row), so an import never drops them."""
    files: dict[tuple[str, str, str], list[tuple[Attachment, ...]]] = {}
    for ind in old:
        if ind.evidence:
            files.setdefault((_key(ind.level1), _key(ind.level2), _key(ind.name)), []).append(ind.evidence)
    out = []
    for ind in new:
        stack = files.get((_key(ind.level1), _key(ind.level2), _key(ind.name)))
        if stack and not ind.evidence:
            ind = replace(ind, evidence=stack.pop(0))
        out.append(ind)
    return tuple(out)


def _key(text: str) -> str:
    return normalize_text(text or "")


def _merge_indicators(old: tuple[Indicator, ...], tables: list[SheetTable],
                      out: _Collector) -> tuple[list[Edit], tuple[Indicator, ...]]:
    """Match rows by (一级, 二级, 三级) — or by 三级 name alone when the sheet has no level columns
    or the name is unique — and take only the cells the sheet fills.

    Linear in rows (issue 14 item 8: 16,000 rows took 22 s): matches are found through indexes
    whose used entries are skipped once, and new rows are placed with `_Placement`."""
    by_full: dict[tuple[str, str, str], list[int]] = {}
    by_name: dict[str, list[int]] = {}
    for i, ind in enumerate(old):
        by_full.setdefault((_key(ind.level1), _key(ind.level2), _key(ind.name)), []).append(i)
        by_name.setdefault(_key(ind.name), []).append(i)
    used: dict[int, tuple[str, int]] = {}
    cursors: dict[int, int] = {}  # id(candidate list) -> index of its first possibly free entry

    def first_free(candidates: list[int]) -> int | None:
        k = cursors.get(id(candidates), 0)
        while k < len(candidates) and candidates[k] in used:
            k += 1
        cursors[id(candidates)] = k
        return candidates[k] if k < len(candidates) else None

    new = list(old)
    edits: list[Edit] = []
    placement = _Placement(old)
    names = {f.name for f in fields(Indicator)}
    for table in tables:
        for number, record in table.rows:
            filled = {k: v for k, v in record.items() if k in names and v is not None and v != ""}
            if not record.get("name"):
                continue
            full = (_key(record.get("level1") or ""), _key(record.get("level2") or ""), _key(record["name"]))
            candidates = by_full.get(full, []) if "level1" in table.columns else []
            if not candidates:
                same = by_name.get(full[2], [])
                candidates = same if len(same) == 1 or "level1" not in table.columns else []
            free = first_free(candidates) if candidates else None
            if candidates and free is None:
                first = used[candidates[0]]
                out.add(table.sheet, number, table.columns["name"][0], table.columns["name"][1], record["name"],
                        f"与工作表「{first[0]}」第 {first[1]} 行是同一个指标，重复出现")
                continue
            if free is not None:
                i = free
                used[i] = (table.sheet, number)
                merged = replace(new[i], **{k: v for k, v in filled.items() if k not in ("level1", "level2", "name")})
                for f in fields(Indicator):
                    if getattr(merged, f.name) != getattr(new[i], f.name):
                        edits.append(SetField("indicators", i, f.name, getattr(merged, f.name)))
                new[i] = merged
            else:
                placement.add(Indicator(**filled))
    final, inserts = placement.result(new)
    edits.extend(InsertRow("indicators", pos, row) for pos, row in inserts)
    return edits, final


class _Placement:
    """Where new indicator rows go: after the last row of the same 一级/二级 group, else after the
    last row of the same 一级, else at the end, counting the rows placed before them. A linked
    list over the rows with the last row of each group kept at hand: O(1) a row."""

    def __init__(self, rows: tuple[Indicator, ...]):
        # Node 0 heads the list, node k + 1 is rows[k], nodes after len(rows) are the added rows.
        self.next: list[int] = [1 if rows else -1] + [k + 2 if k + 1 < len(rows) else -1 for k in range(len(rows))]
        self.added: list[Indicator] = []
        self.last_group: dict[tuple[str, str], int] = {}
        self.last_level1: dict[str, int] = {}
        for k, row in enumerate(rows):
            self.last_group[(row.level1, row.level2)] = k + 1
            self.last_level1[row.level1] = k + 1
        self.tail = len(rows)
        self.base = len(rows)

    def add(self, row: Indicator) -> None:
        after = self.last_group.get((row.level1, row.level2))
        if after is None:
            after = self.last_level1.get(row.level1, self.tail)
        node = len(self.next)
        self.next.append(self.next[after])
        self.next[after] = node
        self.added.append(row)
        if after == self.tail:
            self.tail = node
        if self.last_level1.get(row.level1) in (after, None):
            self.last_level1[row.level1] = node
        self.last_group[(row.level1, row.level2)] = node

    def result(self, rows: list[Indicator]) -> tuple[tuple[Indicator, ...], list[tuple[int, Indicator]]]:
        """(final rows, [(final position, row)] of the new rows in ascending order): inserting them
        in that order into `rows` gives the final rows."""
        final: list[Indicator] = []
        inserts: list[tuple[int, Indicator]] = []
        node = self.next[0]
        while node != -1:
            if node <= self.base:
                final.append(rows[node - 1])
            else:
                row = self.added[node - self.base - 1]
                inserts.append((len(final), row))
                final.append(row)
            node = self.next[node]
        return tuple(final), inserts


_MAX_SETFIELDS_PER_ROW = 3


def _diff_rows(collection: str, old: tuple[Any, ...], new: tuple[Any, ...]) -> list[Edit]:
    """Edits turning `old` into `new`: common head and tail kept; rows in between changed in place
    (a few fields) or replaced; the rest inserted or deleted."""
    if old == new:
        return []
    head = 0
    while head < len(old) and head < len(new) and old[head] == new[head]:
        head += 1
    tail = 0
    while (tail < len(old) - head and tail < len(new) - head and old[len(old) - 1 - tail] == new[len(new) - 1 - tail]):
        tail += 1
    old_mid, new_mid = old[head: len(old) - tail], new[head: len(new) - tail]
    edits: list[Edit] = []
    for k in range(min(len(old_mid), len(new_mid))):
        a, b = old_mid[k], new_mid[k]
        if a == b:
            continue
        diffs = [f.name for f in fields(type(a)) if getattr(a, f.name) != getattr(b, f.name)]
        if len(diffs) <= _MAX_SETFIELDS_PER_ROW:
            edits.extend(SetField(collection, head + k, name, getattr(b, name)) for name in diffs)
        else:
            edits.extend((DeleteRow(collection, head + k), InsertRow(collection, head + k, b)))
    common = min(len(old_mid), len(new_mid))
    for k in range(common, len(new_mid)):
        edits.append(InsertRow(collection, head + k, new_mid[k]))
    for _ in range(common, len(old_mid)):
        edits.append(DeleteRow(collection, head + common))
    return edits


def _diff_report(old: Report, new: Report) -> list[Edit]:
    edits: list[Edit] = []
    for f in fields(old.meta):
        if f.name != "basis" and getattr(old.meta, f.name) != getattr(new.meta, f.name):
            edits.append(SetField("meta", None, f.name, getattr(new.meta, f.name)))
    edits.extend(_diff_rows("basis", old.meta.basis, new.meta.basis))
    for f in fields(old.scoring):
        if getattr(old.scoring, f.name) != getattr(new.scoring, f.name):
            edits.append(SetField("scoring", None, f.name, getattr(new.scoring, f.name)))
    if old.fund_operation != new.fund_operation:
        edits.append(SetField("root", None, "fund_operation", new.fund_operation))
    for collection in ("incomes", "expenditures", "indicators", "narrative"):
        edits.extend(_diff_rows(collection, getattr(old, collection), getattr(new, collection)))
    return edits


def _changes(edits: list[Edit]) -> tuple[Change, ...]:
    """Rows changed / inserted / deleted per collection (a DeleteRow followed by an InsertRow at the
    same index is one replaced row; fields of meta and scoring count as rows)."""
    stats: dict[str, list[Any]] = {}
    i = 0
    while i < len(edits):
        edit = edits[i]
        name = "fund_operation" if isinstance(edit, SetField) and edit.collection == "root" else edit.collection
        entry = stats.setdefault(name, [set(), 0, 0])
        nxt = edits[i + 1] if i + 1 < len(edits) else None
        if (isinstance(edit, DeleteRow) and isinstance(nxt, InsertRow) and nxt.collection == edit.collection
                and nxt.index == edit.index):
            entry[0].add(("row", edit.index))
            i += 2
            continue
        if isinstance(edit, SetField):
            entry[0].add(("row", edit.index) if edit.index is not None else ("field", edit.field))
        elif isinstance(edit, InsertRow):
            entry[1] += 1
        elif isinstance(edit, DeleteRow):
            entry[2] += 1
        i += 1
    return tuple(Change(name, COLLECTION_LABELS.get(name, name), len(s[0]), s[1], s[2]) for name, s in stats.items())
