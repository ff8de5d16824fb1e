"""Live fields in the narrative (e.g. "{资金.支出进度}") and the standard sentences built from the
compute result. Pure functions: the window, the PDF and the Excel export all render through here,
so the text can never disagree with the figures."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from typing import Callable, Sequence

from yibao_desktop.domain import formatting as fmt
from yibao_desktop.domain import rules
from yibao_desktop.domain.report import FUND_TYPE_LABELS, Report
from yibao_desktop.domain.result import Counts, FundOperationResult, Funds, FundsYoy, IndicatorResult, Result

FIELD_RE = re.compile(r"\{([^{}\s]{1,30})\}")


def wan(yuan: Decimal | None) -> str:
    """An amount in body text: 万元 with 2 decimals and thousands separators ('60.09',
    '1,234.56'), the unit written after the field ("{资金.可用资金}万元")."""
    return fmt.money(yuan, "万元")


def counts_sentence(counts: Counts) -> str:
    """设置一级指标 4 个、二级指标 6 个、三级指标 14 个（其中：定量指标 2 个、定性指标 12 个）"""
    return (f"设置一级指标 {counts.level1} 个、二级指标 {counts.level2} 个、三级指标 {counts.level3} 个"
            f"（其中：定量指标 {counts.quantitative} 个、定性指标 {counts.qualitative} 个）")


Getter = Callable[[Report, Result], str]

# name -> (description shown in the field list, getter). A money field renders the number in 万元
# (the text writes the unit after it); a percentage field renders with its % sign.
FIELDS: dict[str, tuple[str, Getter]] = {
    "单位": ("单位名称", lambda r, c: r.meta.unit),
    "年度": ("报告年度", lambda r, c: str(r.meta.year)),
    "资金名称": ("资金类型名称", lambda r, c: FUND_TYPE_LABELS.get(r.meta.fund_type, "")),
    "资金.可用资金": ("可用资金合计，万元数（其后写“万元”）", lambda r, c: wan(c.funds.available)),
    "资金.上年结转": ("上年结转资金，万元数", lambda r, c: wan(c.funds.carried)),
    "资金.当年下达": ("当年下达资金，万元数", lambda r, c: wan(c.funds.allocated)),
    "资金.已支出": ("已支出合计，万元数", lambda r, c: wan(c.funds.paid)),
    "资金.结转资金支出": ("上年结转资金已支出，万元数", lambda r, c: wan(c.funds.paid_carried)),
    "资金.当年资金支出": ("当年下达资金已支出，万元数", lambda r, c: wan(c.funds.paid_allocated)),
    "资金.结余": ("结余，万元数", lambda r, c: wan(c.funds.balance)),
    "资金.支出进度": ("总支出进度，含%", lambda r, c: fmt.pct(c.funds.progress)),
    "资金.结转支出进度": ("上年结转资金支出进度，含%", lambda r, c: fmt.pct(c.funds.progress_carried)),
    "资金.当年支出进度": ("当年下达资金支出进度，含%", lambda r, c: fmt.pct(c.funds.progress_allocated)),
    "资金.项目数": ("支出项目个数", lambda r, c: str(c.funds.project_count)),
    "评分.总分": ("自评总分", lambda r, c: fmt.score(c.total_score)),
    "评分.等级": ("自评等级", lambda r, c: fmt.label(c.grade)),
    "评分.预算执行率": ("预算执行率，含%", lambda r, c: fmt.pct(c.budget_execution.rate)),
    "评分.预算执行得分": ("预算执行率得分", lambda r, c: fmt.score(c.budget_execution.score)),
    "指标.统计句": ("指标设置统计句", lambda r, c: counts_sentence(c.counts)),
    "指标.三级数": ("三级指标个数", lambda r, c: str(c.counts.level3)),
    "指标.未达成数": ("未达成指标个数", lambda r, c: str(sum(1 for _ in c.unmet))),
}


def render(text: str, report: Report, result: Result) -> str:
    """Replace every known {field} with its current value; unknown fields stay as typed."""

    def sub(match: re.Match[str]) -> str:
        entry = FIELDS.get(match.group(1))
        return entry[1](report, result) if entry else match.group(0)

    return FIELD_RE.sub(sub, text)


def render_field(name: str, report: Report, result: Result) -> str:
    """How one field renders now (the field list shows it: 支出进度 → 80.84%)."""
    return FIELDS[name][1](report, result)


_PCT_FIELDS = frozenset(name for name, (description, _) in FIELDS.items() if "含%" in description)
_WAN_FIELDS = frozenset(name for name, (description, _) in FIELDS.items() if "万元数" in description)
_UNIT_SLIP_RE = re.compile(r"\{([^{}\s]{1,30})\}\s*([%％]|万元|元)?|[%％]{2,}|(?:万元){2,}|万万元")


def unit_slips(text: str) -> list[tuple[str, str]]:
    """(what was typed, why it is wrong) for units the text doubles or contradicts once its live
    fields are rendered: "{资金.支出进度}%" prints "80.84%%", "{资金.可用资金}元" prints a 万元
    figure as 元, and literal "%%" or "万元万元"."""
    out = []
    for m in _UNIT_SLIP_RE.finditer(text):
        typed = m.group(0)
        name, unit = m.group(1), m.group(2)
        if name is None:
            out.append((typed, f"单位重复（「{typed}」）"))
        elif name in _PCT_FIELDS and unit in ("%", "％"):
            out.append((typed, f"实时字段已带百分号，会显示为「…%{unit}」，请删去其后的「{unit}」"))
        elif name in _WAN_FIELDS and unit == "元":
            out.append((typed, "实时字段是万元数，其后应写“万元”而不是“元”"))
    return out


def unknown_fields(text: str) -> list[str]:
    return [m.group(1) for m in FIELD_RE.finditer(text) if m.group(1) not in FIELDS]


# ------------------------------------------------------------------------------ draft paragraphs


def _indicator_lines(report: Report, result: Result) -> list[str]:
    lines = []
    for n, (ind, res) in enumerate(zip(report.indicators, result.indicators), 1):
        target = res.target_text or fmt.DASH
        if res.qualitative:
            state = f"评级为「{res.grade}」" if res.grade else "尚未评级"
        elif res.actual is None:
            state = "实际完成值尚未填报"
        else:
            state = f"实际完成{fmt.number(res.actual)}{res.unit}，{'已达成' if res.met else '未达成'}目标"
        lines.append(f"{n}. {ind.name}：目标值{target}，{state}，得分{fmt.score(res.score)}分"
                     f"（分值{fmt.number(res.weight)}分）。")
    return lines


def draft_section(key: str, report: Report, result: Result) -> str:
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
        unmet = [(ind, res) for ind, res in zip(report.indicators, result.indicators) if res.needs_reason]
        parts = []
        progress = result.funds.progress
        if progress is not None and progress < rules.LOW_PROGRESS_THRESHOLD:
            parts.append(f"资金支出进度为{{资金.支出进度}}，未达到{fmt.number(rules.LOW_PROGRESS_THRESHOLD)}%的要求。")
        for n, (ind, res) in enumerate(unmet, 1):
            reason = ind.deviation_reason.strip() or "（请填写偏差原因分析及改进措施）"
            actual = (f"实际完成{fmt.number(res.actual)}{res.unit}" if res.actual is not None
                      else f"评级「{res.grade}」")
            parts.append(f"{n}. {ind.name}：目标值{res.target_text}，{actual}。{reason}")
        if not parts:
            parts.append("各项绩效指标均已达成，无明显偏离绩效目标的情况。")
        return "\n".join(parts)
    if key == "application":
        return "自评结果将作为下一年度预算安排和资金分配的重要参考，并按规定在单位门户网站公开。"
    return ""


# ------------------------------------------------------------------------------ stale figures

# A figure as report texts write it (after NFKC: full-width digits and ％ become ASCII): an optional
# word saying it is a shortfall, a sign, digits with or without thousands separators, decimals, a unit.
_LITERAL_RE = re.compile(
    r"(收不抵支|赤字|亏损|超支|缺口)?[\s为了约]*([-−])?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*(亿元|万元|元|%)")
_RULE_PERCENTS = (rules.LOW_PROGRESS_THRESHOLD, rules.WARNING_SCHEDULE, Decimal(100),
                  rules.OVERACHIEVE_RATIO * 100)


class KnownFigures:
    """Every figure the report knows, typed or computed, in every spelling a text may use: 元, 万元
    or 亿元 with 0–2 decimals (rounded half-up, as people round), percentages likewise."""

    def __init__(self, money: set[Decimal], percents: set[Decimal]):
        self.money = money
        self.percents = percents
        self._money_keys = {(unit, places, fmt.q(value / fmt.SCALE[unit], places))
                            for value in money for unit in fmt.UNITS for places in (0, 1, 2)}
        self._pct_keys = {(places, fmt.q(value, places)) for value in percents for places in (0, 1, 2)}

    def knows(self, value: Decimal, places: int, unit: str) -> bool:
        if unit == "%":
            if places <= 2:
                return (places, value) in self._pct_keys
            return any(fmt.q(p, places) == value for p in self.percents)
        if places <= 2:
            return (unit, places, value) in self._money_keys
        return any(fmt.q(m / fmt.SCALE[unit], places) == value for m in self.money)


def known_figures(report: Report, funds: Funds, indicators: Sequence[IndicatorResult],
                  fund_op: FundOperationResult | None, rate: Decimal | None,
                  yoy: FundsYoy | None = None) -> KnownFigures:
    money: set[Decimal] = set()
    percents: set[Decimal] = set(_RULE_PERCENTS)

    def add(target: set[Decimal], *values: Decimal | None) -> None:
        target.update(v for v in values if v is not None)

    add(money, funds.available, funds.carried, funds.allocated, funds.paid, funds.paid_carried,
        funds.paid_allocated, funds.balance, funds.balance_carried, funds.balance_allocated)
    add(percents, funds.progress, funds.progress_carried, funds.progress_allocated, rate)
    for group in (funds.by_direction, funds.by_size, funds.by_econ_class):
        for item in group:
            add(money, item.amount)
            add(percents, item.share)
    for project in funds.large_projects:
        add(money, project.paid)
    for level in funds.by_level:
        add(money, level.amount, level.paid, level.balance)
        add(percents, level.progress)
    for source in funds.by_source:
        add(money, source.amount, source.paid, source.amount - source.paid)
        add(percents, source.progress)
    for month in funds.monthly:
        add(money, month.paid, month.cumulative)
        add(percents, month.progress, month.schedule)
    for line in report.incomes:
        add(money, line.amount)
    for expense in report.expenditures:
        add(money, expense.paid, expense.budget)
    for ind in indicators:
        if ind.unit == "%":
            add(percents, ind.actual, ind.target)
        elif ind.unit in fmt.SCALE:
            add(money, *(None if v is None else v * fmt.SCALE[ind.unit] for v in (ind.actual, ind.target)))
        add(percents, ind.completion)
    if fund_op is not None:
        add(money, fund_op.income_total, fund_op.expense_total, fund_op.income_lines_total,
            fund_op.expense_lines_total, fund_op.year_balance, fund_op.year_balance_computed,
            fund_op.closing_balance)
        for share in fund_op.income_shares + fund_op.expense_shares:
            add(money, share.amount)
            add(percents, share.share)
        add(percents, fund_op.income_execution, fund_op.expense_execution, fund_op.coverage_registered,
            fund_op.coverage_resident)
    if report.fund_operation is not None:
        for line in report.fund_operation.income + report.fund_operation.expense:
            add(money, line.budget, line.actual)
    if yoy is not None:
        add(money, yoy.last_available, yoy.last_paid, yoy.paid_change)
        add(percents, yoy.last_progress, yoy.progress_change)
    return KnownFigures(money, percents)


def stale_figures(report: Report, known: KnownFigures) -> list[tuple[int, str]]:
    """(section index, literal) for amounts and percentages written in the text that match no figure
    of the report: a shortfall worded as 收不抵支/赤字 may also be written without its minus sign."""
    found = []
    for i, section in enumerate(report.narrative):
        if section.key == "last_year_plan":  # quotes last year's report, figures included
            continue
        text = unicodedata.normalize("NFKC", section.text)
        for m in _LITERAL_RE.finditer(text):
            word, sign, whole, decimals, unit = m.groups()
            places = len(decimals or "")
            value = Decimal(whole.replace(",", "") + (f".{decimals}" if decimals else ""))
            if sign:
                value = -value
            if known.knows(value, places, unit) or (word and known.knows(-value, places, unit)):
                continue
            found.append((i, f"{word or ''}{'-' if sign else ''}{whole}{'.' + decimals if decimals else ''}{unit}"))
    return found
