"""Next year's report from last year's Excel (for units whose last year was not made in this
program): our data workbook, or an official 自评表 (项目支出 / 中央对地方转移支付区域) as filled in
by hand. From an official table the balances come from its funds block (全年预算数 − 全年执行数
per source, in 万元) and the indicators, with last year's actual as the baseline, from its indicator
block. Every assumption the table cannot settle (levels, fund type) is written into the new
report's notes for the user to check."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from yibao_desktop.domain.carry import LAST_PLAN_HEADING, LAST_PLAN_KEY
from yibao_desktop.domain.errors import UserError, ValueParseError
from yibao_desktop.domain.money import ZERO
from yibao_desktop.domain.report import (
    Income,
    Indicator,
    Meta,
    Previous,
    Report,
    Scoring,
    Section,
)
from yibao_desktop.exchange.excel import cells as excel_cells
from yibao_desktop.exchange.excel.read import plan_import, read_workbook
from yibao_desktop.exchange.excel.files import ExcelFileError, read_book
from yibao_desktop.templates import load_template

# Funds-block row labels -> (source key, level of the carried-forward line, note)
SOURCE_ROWS = {
    "年度资金总额": ("total", None, ""),
    "当年财政拨款": ("current", "其他", "原表为“当年财政拨款”，未分级次，请核对资金级次"),
    "上年结转资金": ("carried", "其他", "原表为“上年结转资金”，未分级次，请核对资金级次"),
    "中央财政资金": ("central", "中央", ""),
    "地方资金": ("local", "县级", "原表为“地方资金”（省、市、县合计），请核对资金级次"),
    "其他资金": ("other", "其他", ""),
}
FUND_NAMES = (("医疗服务与保障能力提升", "capacity"), ("能力提升", "capacity"), ("城乡居民基本医疗保险", "resident_insurance"),
              ("居民医保", "resident_insurance"), ("医疗救助", "medical_assistance"))


@dataclass
class FundRow:
    budget: Decimal | None
    executed: Decimal | None


@dataclass
class OfficialTable:
    sheet: str
    year: int | None = None
    unit: str = ""
    competent_dept: str = ""
    fund_text: str = ""
    money_unit: str = "万元"
    rows: dict[str, FundRow] = field(default_factory=dict)


def _label(value: Any) -> str:
    text = excel_cells.text(value) if value is not None else ""
    return re.sub(r"^其中[:：]?", "", text.replace(" ", ""))


def _read_official(path: Path) -> list[OfficialTable]:
    book = read_book(path)
    tables = []
    for name in book.sheetnames:
        sheet = book.sheets.get(name)
        if sheet is None:
            continue
        table = OfficialTable(name)
        budget_col = executed_col = None
        for row in sheet.rows:
            values = list(row)
            texts = [_label(v) if isinstance(v, str) else "" for v in values]
            for i, t in enumerate(texts):
                m = re.search(r"[（(](\d{4})年度?[）)]", t)
                if m and table.year is None:
                    table.year = int(m.group(1))
                if t in ("实施单位", "资金使用单位") and not table.unit:
                    table.unit = next((x for x in texts[i + 1:] if x), "")
                if t in ("主管部门", "地方主管部门") and not table.competent_dept:
                    table.competent_dept = next((x for x in texts[i + 1:] if x), "")
                if t in ("项目名称", "转移支付名称") and not table.fund_text:
                    table.fund_text = next((x for x in texts[i + 1:] if x), "")
            heads = {i: t for i, t in enumerate(texts) if t}
            b = next((i for i, t in heads.items() if t.startswith("全年预算数")), None)
            e = next((i for i, t in heads.items() if t.startswith("全年执行数")), None)
            if b is not None and e is not None:
                budget_col, executed_col = b, e
                corner = next((t for t in heads.values() if "万元" in t or t.endswith("（元）")), "")
                table.money_unit = "元" if corner.endswith("（元）") else "万元"
                continue
            if budget_col is None:
                continue
            # A row label, without a note in brackets such as （按比例估算）.
            label = re.sub(r"[（(][^（()）]*[)）]$", "", next((t for t in texts if t), ""))
            if label in SOURCE_ROWS and label not in table.rows:
                table.rows[label] = FundRow(_amount(values, budget_col, table.money_unit, name, label),
                                            _amount(values, executed_col, table.money_unit, name, label))
        if table.rows:
            tables.append(table)
    return tables


def _amount(values: list[Any], col: int, unit: str, sheet: str, label: str) -> Decimal | None:
    value = values[col] if col < len(values) else None
    if excel_cells.is_blank(value) or (isinstance(value, str) and value.strip() in ("—", "-", "–", "/")):
        return None
    try:
        return excel_cells.money(value, unit=unit)
    except ValueParseError as err:
        raise UserError(f"工作表「{sheet}」「{label}」一行的金额无法识别：{err}") from None


def _fund_type(text: str) -> str:
    return next((ft for words, ft in FUND_NAMES if words in text), "custom")


def _from_official(path: Path, year: int | None, fund_type: str | None) -> Report:
    tables = _read_official(path)
    if not tables:
        raise UserError(f"「{path.name}」中没有找到自评表的资金投入部分（含“全年预算数”“全年执行数”的表头），"
                        "也不是本程序导出的数据工作簿，无法据此新建下一年度报告")
    # The transfer form knows the levels; prefer it for the balances.
    funds = next((t for t in tables if "中央财政资金" in t.rows), tables[0])
    last_year = funds.year or next((t.year for t in tables if t.year), None)
    if last_year is None and year is None:
        raise UserError("表中没有找到年度（如“（2025年度）”），请用 --year 指定新报告的年度")
    new_year = year or (last_year + 1)  # type: ignore[operator]
    last_year = last_year or new_year - 1
    unit = next((t.unit for t in tables if t.unit), "")
    ftype = fund_type or _fund_type(" ".join(t.fund_text for t in tables))

    incomes = []
    parts = [k for k in funds.rows if SOURCE_ROWS[k][0] != "total"]
    if "中央财政资金" in funds.rows:
        parts = [k for k in parts if k in ("中央财政资金", "地方资金", "其他资金")]
    for label in parts:
        row = funds.rows[label]
        if row.budget is None:
            continue
        balance = row.budget - (row.executed or ZERO)
        if balance <= ZERO:
            continue
        _key, level, caveat = SOURCE_ROWS[label]
        note = f"{last_year}年度自评表“{label}”结余结转（按表中{funds.money_unit}金额换算）" + (f"；{caveat}" if caveat else "")
        incomes.append(Income(level=level or "其他", kind="上年结转", date=date(new_year, 1, 1), amount=balance, note=note))
    total = funds.rows.get("年度资金总额")
    available = total.budget if total and total.budget is not None else sum((i.amount for i in incomes), ZERO)
    paid = total.executed if total and total.executed is not None else ZERO

    try:
        found = read_workbook(path)
    except ExcelFileError:
        raise
    except UserError:  # a funds block without an indicator table
        found = None
    source_sheet = None if found is None else next((t.sheet for t in found.tables if t.kind == "indicators"), None)
    last_rows: tuple[Indicator, ...] = ()
    if source_sheet is not None:  # the first form with indicators (the project form carries 分值)
        sheet_result = read_workbook(path, source_sheet)
        if sheet_result.problems:
            raise UserError("上年自评表的指标部分无法读取：\n" + "\n".join(str(p) for p in sheet_result.problems[:20]))
        last_rows = tuple(sheet_result.rows.get("indicators", ()))
    indicators = [replace(ind, actual=None, numerator=None, denominator=None, grade=None, score=None,
                          override_reason="", deviation_reason="",
                          baseline=ind.actual if ind.nature not in (None, "定性") else None)
                  for ind in last_rows]
    reasons = [f"{ind.name}：{ind.deviation_reason.strip()}" for ind in last_rows if ind.deviation_reason.strip()]
    template = load_template(ftype)
    weights: dict[str, Decimal] = {}
    for ind in indicators:
        weights[ind.level1] = weights.get(ind.level1, ZERO) + ind.weight
    total_weight = sum(weights.values(), ZERO)
    budget_weight = Decimal(100) - total_weight if total_weight <= 100 else ZERO
    narrative = list(template.narrative)
    if reasons:
        narrative.append(Section(LAST_PLAN_KEY, LAST_PLAN_HEADING,
                                 f"{last_year}年度自评表提出的偏差原因和改进措施如下，请逐项说明落实情况：\n"
                                 + "\n".join(reasons) + "\n落实情况："))
    return Report(
        meta=Meta(unit=unit, year=new_year, fund_type=ftype, competent_dept=funds.competent_dept,
                  previous=Previous(last_year, available, paid)),
        incomes=tuple(incomes),
        indicators=tuple(indicators),
        scoring=Scoring(level1_weights=tuple(weights.items()), budget_execution_weight=budget_weight),
        narrative=tuple(narrative),
    )


def read_last_year(path: str | Path, year: int | None = None, fund_type: str | None = None
                   ) -> tuple[Report, bool]:
    """Last year's Excel, only read: (last year's report, False) from our data workbook, or
    (the new year's report, True) built from an official 自评表 filled in by hand."""
    path = Path(path)
    try:
        result = read_workbook(path)
    except ExcelFileError:
        raise  # not a readable workbook at all
    except UserError:  # no table it knows; an official form's funds block may still be there
        return _from_official(path, year, fund_type), True
    if result.data_workbook:
        plan = plan_import(Report(meta=Meta(unit="", year=2000)), path)
        plan.raise_for_problems()
        return plan.report, False
    return _from_official(path, year, fund_type), True
