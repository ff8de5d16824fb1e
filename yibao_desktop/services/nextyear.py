"""Next year's report from last year's file (从上年度文件新建): a .yibao of any schema version, our
data workbook, or an official 自评表 filled in by hand. Last year's file is only read. The new
year must come after last year's, and the new file must not be last year's."""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from yibao_desktop.domain import formatting as fmt
from yibao_desktop.domain.calc import compute
from yibao_desktop.domain.carry import next_year
from yibao_desktop.domain.errors import UserError
from yibao_desktop.domain.money import ZERO
from yibao_desktop.domain.report import Report
from yibao_desktop.services.reports import read_report
from yibao_desktop.storage.repository import Document
from yibao_desktop.templates import load_template

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


@dataclass(frozen=True)
class NextYear:
    report: Report
    last_year: int
    from_excel: bool

    @property
    def carried(self) -> Decimal:
        return sum((i.amount for i in self.report.incomes), ZERO)

    def summary(self) -> str:
        text = (f"{self.report.meta.year} 年度，上年结转资金 {fmt.yuan(self.carried)} 元已作为资金来源录入；"
                f"{len(self.report.indicators)} 个指标的目标和分值已带入，上年实际值作为同比基数；"
                f"上年的改进措施已放入「上年计划落实情况」一节。上年度文件未作任何改动。")
        if self.from_excel:
            text += "请核对资金来源的级次（见备注）和资金类型。"
        return text


def start_from(last: Report, year: int | None = None) -> Report:
    """The new year's report from last year's report, with the template's narrative outline."""
    new_year = year or last.meta.year + 1
    _check_year(new_year, last.meta.year)
    return next_year(last, compute(last), new_year, load_template(last.meta.fund_type).narrative)


def _check_year(new_year: int, last_year: int) -> None:
    if new_year <= last_year:
        raise UserError(f"新报告年度 {new_year} 应晚于上年度 {last_year}")


def next_year_report(last_path: str | os.PathLike[str], year: int | None = None) -> NextYear:
    """The new report from last year's file; the file is never modified."""
    path = Path(last_path)
    if path.suffix.lower() in EXCEL_SUFFIXES:
        from yibao_desktop.exchange.excel.lastyear import read_last_year

        report, started = read_last_year(path, year)
        if not started:  # our data workbook: last year's report itself
            return NextYear(start_from(report, year), report.meta.year, True)
        last_year = report.meta.previous.year if report.meta.previous is not None else report.meta.year - 1
        _check_year(report.meta.year, last_year)
        return NextYear(report, last_year, True)
    last = read_report(path)
    return NextYear(start_from(last, year), last.meta.year, False)


def create_next_year(last_path: str | os.PathLike[str], out: str | os.PathLike[str], year: int | None = None,
                     overwrite: bool = False) -> tuple[Document, NextYear]:
    """Write next year's report to `out` (never over last year's file) and open it."""
    if Path(out).resolve() == Path(last_path).resolve():
        raise UserError("新报告不能覆盖上年度文件，请另选文件名。")
    made = next_year_report(last_path, year)
    return Document.create(out, made.report, overwrite=overwrite), made
