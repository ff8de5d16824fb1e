"""Live fields in the narrative (e.g. "{资金.支出进度}") and the standard sentences built from the
compute result. Pure functions: the window, the PDF and the Excel export all render through here,
so the text can never disagree with the figures."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Callable

from yibao_desktop.domain.money import fmt_wan
from yibao_desktop.domain.report import FUND_TYPE_LABELS, Report

FIELD_RE = re.compile(r"\{([^{}\s]{1,30})\}")


def wan(yuan: str | None) -> str:
    """'600900.00' 元 -> '60.09' 万元; whole numbers lose the '.00' ('60')."""
    if yuan is None:
        return "—"
    text = fmt_wan(Decimal(yuan))
    return text[:-3] if text.endswith(".00") else text


def pct(value: str | None) -> str:
    return "—" if value is None else f"{value}%"


def counts_sentence(counts: dict[str, int]) -> str:
    """设置一级指标 4 个、二级指标 6 个、三级指标 14 个（其中：定量指标 2 个、定性指标 12 个）"""
    return (f"设置一级指标 {counts['level1']} 个、二级指标 {counts['level2']} 个、三级指标 {counts['level3']} 个"
            f"（其中：定量指标 {counts['quantitative']} 个、定性指标 {counts['qualitative']} 个）")


Getter = Callable[[Report, dict[str, Any]], str]

# name -> (description shown in the field list, getter)
FIELDS: dict[str, tuple[str, Getter]] = {
    "单位": ("单位名称", lambda r, c: r.meta.unit),
    "年度": ("报告年度", lambda r, c: str(r.meta.year)),
    "资金名称": ("资金类型名称", lambda r, c: FUND_TYPE_LABELS.get(r.meta.fund_type, "")),
    "资金.可用资金": ("可用资金合计（万元）", lambda r, c: wan(c["funds"]["available"])),
    "资金.上年结转": ("上年结转资金（万元）", lambda r, c: wan(c["funds"]["carried"])),
    "资金.当年下达": ("当年下达资金（万元）", lambda r, c: wan(c["funds"]["allocated"])),
    "资金.已支出": ("已支出合计（万元）", lambda r, c: wan(c["funds"]["paid"])),
    "资金.结转资金支出": ("上年结转资金已支出（万元）", lambda r, c: wan(c["funds"]["paid_carried"])),
    "资金.当年资金支出": ("当年下达资金已支出（万元）", lambda r, c: wan(c["funds"]["paid_allocated"])),
    "资金.结余": ("结余（万元）", lambda r, c: wan(c["funds"]["balance"])),
    "资金.支出进度": ("总支出进度（%）", lambda r, c: pct(c["funds"]["progress"])),
    "资金.结转支出进度": ("上年结转资金支出进度（%）", lambda r, c: pct(c["funds"]["progress_carried"])),
    "资金.当年支出进度": ("当年下达资金支出进度（%）", lambda r, c: pct(c["funds"]["progress_allocated"])),
    "资金.项目数": ("支出项目个数", lambda r, c: str(c["funds"]["project_count"])),
    "评分.总分": ("自评总分", lambda r, c: c["total_score"]),
    "评分.等级": ("自评等级", lambda r, c: c["grade"]),
    "评分.预算执行率": ("预算执行率（%）", lambda r, c: pct(c["budget_execution"]["rate"])),
    "评分.预算执行得分": ("预算执行率得分", lambda r, c: c["budget_execution"]["score"]),
    "指标.统计句": ("指标设置统计句", lambda r, c: counts_sentence(c["counts"])),
    "指标.三级数": ("三级指标个数", lambda r, c: str(c["counts"]["level3"])),
    "指标.未达成数": ("未达成指标个数", lambda r, c: str(sum(1 for i in c["indicators"] if not i["met"]))),
}


def render(text: str, report: Report, result: dict[str, Any]) -> str:
    """Replace every known {field} with its current value; unknown fields stay as typed."""

    def sub(match: re.Match[str]) -> str:
        entry = FIELDS.get(match.group(1))
        return entry[1](report, result) if entry else match.group(0)

    return FIELD_RE.sub(sub, text)


def unknown_fields(text: str) -> list[str]:
    return [m.group(1) for m in FIELD_RE.finditer(text) if m.group(1) not in FIELDS]
