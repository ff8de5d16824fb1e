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


# ------------------------------------------------------------------------------ draft paragraphs


def _indicator_lines(report: Report, result: dict[str, Any]) -> list[str]:
    lines = []
    for n, (ind, res) in enumerate(zip(report.indicators, result["indicators"]), 1):
        target = res["target_text"] or "—"
        if res["qualitative"]:
            state = f"评级为「{res['grade']}」" if res["grade"] else "尚未评级"
        elif res["actual"] is None:
            state = "实际完成值尚未填报"
        else:
            unit = res["unit"] or ""
            state = f"实际完成{res['actual']}{unit}，{'已达成' if res['met'] else '未达成'}目标"
        lines.append(f"{n}. {ind.name}：目标值{target}，{state}，得分{res['score']}分（分值{res['weight']}分）。")
    return lines


def draft_section(key: str, report: Report, result: dict[str, Any]) -> str:
    """Standard paragraphs for a section, written with live fields where figures appear so that
    they follow the data. Sections without a standard text get a short prompt."""
    basis = "、".join(f"《{b.title}》（{b.doc_no}）" if b.title else b.doc_no for b in report.meta.basis if b.title or b.doc_no)
    if key == "goals":
        source = f"根据{basis}，" if basis else ""
        return (f"{source}{{单位}}{{年度}}年度共收到{{资金名称}}{{资金.可用资金}}万元，其中上年结转{{资金.上年结转}}万元、"
                f"当年下达{{资金.当年下达}}万元。资金按照绩效目标分解下达，{{指标.统计句}}。")
    if key == "funds_input":
        return ("本县{年度}年{资金名称}合计{资金.可用资金}万元（上年结转{资金.上年结转}万元，当年下达{资金.当年下达}万元）。"
                "截至12月31日共支出{资金.已支出}万元（上年结转资金支出{资金.结转资金支出}万元，当年下达资金支出{资金.当年资金支出}万元），"
                "总支出进度为{资金.支出进度}（上年结转资金支出进度{资金.结转支出进度}，当年下达资金支出进度{资金.当年支出进度}），"
                "结余{资金.结余}万元。")
    if key == "fund_management":
        return ("资金使用严格执行专款专用，按照预算批复用途和进度支付，未发现挤占、挪用情况。"
                "全年共安排支出项目{资金.项目数}个。")
    if key == "overall_goal":
        return "{指标.统计句}。经自评，总分{评分.总分}分，等级为「{评分.等级}」，预算执行率{评分.预算执行率}。"
    if key == "indicator_analysis":
        return "\n".join(_indicator_lines(report, result))
    if key == "deviation":
        unmet = [(ind, res) for ind, res in zip(report.indicators, result["indicators"]) if res["needs_reason"]]
        parts = []
        if result["funds"]["progress"] is not None and Decimal(result["funds"]["progress"]) < 90:
            parts.append("资金支出进度为{资金.支出进度}，未达到90%的要求。")
        for n, (ind, res) in enumerate(unmet, 1):
            reason = ind.deviation_reason.strip() or "（请填写偏差原因分析及改进措施）"
            actual = f"实际完成{res['actual']}{res['unit']}" if res["actual"] is not None else f"评级「{res['grade']}」"
            parts.append(f"{n}. {ind.name}：目标值{res['target_text']}，{actual}。{reason}")
        if not parts:
            parts.append("各项绩效指标均已达成，无明显偏离绩效目标的情况。")
        return "\n".join(parts)
    if key == "application":
        return "自评结果将作为下一年度预算安排和资金分配的重要参考，并按规定在单位门户网站公开。"
    return ""


# ------------------------------------------------------------------------------ stale figures

_LITERAL_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(万元|元|%)")


def figures_in_result(report: Report, result: dict[str, Any]) -> set[str]:
    """Every figure a report text may legitimately quote, in the forms people write them."""
    # The progress requirement (90%) and "100%" are rules, not figures of this report.
    figures: set[str] = {"90%", "100%"}

    def add_money(yuan: str | None) -> None:
        if yuan is None:
            return
        figures.add(f"{wan(yuan)}万元")
        figures.add(f"{fmt_wan(Decimal(yuan))}万元")
        figures.add(f"{yuan}元")
        figures.add(f"{Decimal(yuan).normalize():f}元")

    def add_pct(value: str | None) -> None:
        if value is None:
            return
        figures.add(f"{value}%")
        figures.add(f"{Decimal(value).normalize():f}%")

    funds = result["funds"]
    for key in ("available", "carried", "allocated", "paid", "paid_carried", "paid_allocated", "balance",
                "balance_carried", "balance_allocated"):
        add_money(funds[key])
    for key in ("progress", "progress_carried", "progress_allocated"):
        add_pct(funds[key])
    for group in ("by_direction", "by_size", "by_econ_class"):
        for item in funds[group]:
            add_money(item["amount"])
            add_pct(item["share"])
    for item in funds["large_projects"] + funds["by_level"]:
        add_money(item["paid"])
        add_money(item.get("amount"))
    for line in report.incomes:
        add_money(f"{line.amount:.2f}")
    for line in report.expenditures:
        add_money(f"{line.paid:.2f}")
    for month in funds["monthly"]:
        add_pct(month["progress"])
    add_pct(result["budget_execution"]["rate"])
    for ind in result["indicators"]:
        for key in ("actual", "target", "completion"):
            if ind[key] is not None and ind["unit"] == "%" or key == "completion":
                add_pct(ind[key])
            elif ind[key] is not None and ind["unit"] in ("万元", "元"):
                figures.add(f"{ind[key]}{ind['unit']}")
    fo = result.get("fund_operation")
    if fo:
        for key in ("income_total", "expense_total", "year_balance", "closing_balance"):
            add_money(fo.get(key))
        for key in ("income_execution", "expense_execution", "coverage_registered", "coverage_resident"):
            add_pct(fo.get(key))
    return figures


def stale_figures(report: Report, result: dict[str, Any]) -> list[tuple[int, str]]:
    """(section index, literal) for amounts/percentages typed in the text that match no figure."""
    known = figures_in_result(report, result)
    found = []
    for i, section in enumerate(report.narrative):
        if section.key == "last_year_plan":  # quotes last year's report, figures included
            continue
        for m in _LITERAL_RE.finditer(section.text):
            literal = f"{m.group(1)}{m.group(2)}"
            if literal not in known and f"{Decimal(m.group(1)).normalize():f}{m.group(2)}" not in known:
                found.append((i, literal))
    return found
