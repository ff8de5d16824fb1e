"""Report templates (resources/templates/<fund_type>.json): the level-1 weights, level-2
categories, starter indicators, narrative outline and default scoring of each fund type."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from decimal import Decimal
from typing import Any

from yibao_desktop import paths
from yibao_desktop.domain import rules
from yibao_desktop.domain.money import apportion
from yibao_desktop.domain.errors import ReportFormatError, TemplateError
from yibao_desktop.domain.forms import FormNames
from yibao_desktop.domain.interchange import report_from_data
from yibao_desktop.domain.report import FUND_TYPES, FundOperation, Indicator, Meta, Report, Section

TEMPLATE_FORMAT = "yibao-template"


@dataclass(frozen=True)
class Variant:
    key: str
    label: str
    scoring: dict[str, Any]
    level2: dict[str, list[str]]
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Template:
    fund_type: str
    fund_name: str
    label: str
    central_dept: str
    directions: tuple[str, ...]
    econ_classes: tuple[str, ...]
    default_variant: str
    variants: dict[str, Variant]
    narrative: tuple[Section, ...]

    def variant(self, key: str | None) -> Variant:
        key = key or self.default_variant
        if key not in self.variants:
            raise TemplateError(f"模板「{self.label}」没有方案「{key}」（可选：{'、'.join(self.variants)}）")
        return self.variants[key]


@lru_cache(maxsize=None)
def load_template(fund_type: str) -> Template:
    if fund_type not in FUND_TYPES:
        raise TemplateError(f"未知的资金类型「{fund_type}」（可选：{'、'.join(FUND_TYPES)}）")
    path = paths.templates_dir() / f"{fund_type}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise TemplateError(f"模板文件「{path.name}」无法读取：{err}") from None
    if data.get("format") != TEMPLATE_FORMAT or data.get("fund_type") != fund_type:
        raise TemplateError(f"模板文件「{path.name}」格式不符")
    variants = {}
    for key, v in {**data["variants"], **_derived_variants(data)}.items():
        # Reuse the interchange reader so that templates obey exactly the report rules.
        probe = _report_data(fund_type, 2000, "", v["scoring"], v["indicators"], [])
        try:
            report = report_from_data(probe)
        except ReportFormatError as err:
            raise TemplateError(f"模板「{fund_type}」方案「{key}」有误：{err}") from None
        variants[key] = Variant(key, v["label"], v["scoring"], v.get("level2", {}), report.indicators)
    return Template(
        fund_type=fund_type, fund_name=data["fund_name"], label=data["label"],
        central_dept=data.get("central_dept", ""),
        directions=tuple(data.get("directions", ())), econ_classes=tuple(data.get("econ_classes", ())),
        default_variant=data["default_variant"], variants=variants,
        narrative=tuple(Section(key=s["key"], heading=s["heading"], text="") for s in data["narrative"]),
    )


TRANSFER_ONLY = "transfer_only"


def _derived_variants(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The default variant under each other scoring profile (its weights, the starter rows'
    weights rescaled within each level-1 group to add up exactly), and a variant without scores
    for units that fill only the 转移支付资金绩效自评表."""
    base = data["variants"][data["default_variant"]]
    out: dict[str, dict[str, Any]] = {}
    for key, preset in rules.PROFILES.items():
        if key == rules.DEFAULT_PROFILE or key in data["variants"]:
            continue
        weights = dict(preset.weights)
        indicators = [dict(i) for i in base["indicators"]]
        for level1, total in weights.items():
            rows = [i for i in indicators if i.get("level1") == level1]
            for row, w in zip(rows, apportion([Decimal(r.get("weight", "0")) for r in rows], total)):
                row["weight"] = format(w.normalize(), "f")
        scoring = {**base["scoring"], "profile": key, "budget_execution_weight": str(preset.budget_weight),
                   "level1_weights": {k: str(v) for k, v in preset.weights}}
        out[key] = {"label": f"单位自评（评分方案：{preset.label}）", "scoring": scoring,
                    "level2": base.get("level2", {}), "indicators": indicators}
    out[TRANSFER_ONLY] = {"label": "仅填转移支付资金绩效自评表（不评分）",
                          "scoring": {**base["scoring"], "scored": False},
                          "level2": base.get("level2", {}), "indicators": base["indicators"]}
    return out


def _report_data(fund_type: str, year: int, unit: str, scoring: dict[str, Any],
                 indicators: list[dict[str, Any]], narrative: list[dict[str, str]]) -> dict[str, Any]:
    return {"format": "yibao-report", "version": 1,
            "meta": {"unit": unit, "year": year, "fund_type": fund_type},
            "scoring": scoring, "indicators": indicators, "narrative": narrative}


def new_report(fund_type: str, unit: str, year: int, variant: str | None = None) -> Report:
    """A fresh report from a template: starter indicators, outline and scoring; no money yet."""
    template = load_template(fund_type)
    v = template.variant(variant)
    base = report_from_data(_report_data(fund_type, year, unit, v.scoring, [], []))
    return Report(
        meta=Meta(unit=unit, year=year, fund_type=fund_type),
        indicators=v.indicators,
        scoring=base.scoring,
        narrative=template.narrative,
        fund_operation=FundOperation() if fund_type == "resident_insurance" else None,
    )


def default_title(meta: Meta) -> str:
    """E.g. 砀山县医疗保障局2024年度医疗服务与保障能力提升补助资金绩效自评报告."""
    if meta.title:
        return meta.title
    fund_name = load_template(meta.fund_type).fund_name
    return f"{meta.unit}{meta.year}年度{fund_name}绩效自评报告"


def form_names(meta: Meta) -> FormNames:
    """What the official forms call the fund: 项目名称 (the template's label, or the custom report's
    own title), 转移支付名称 (the fund's name) and its 中央主管部门."""
    template = load_template(meta.fund_type)
    if meta.fund_type == "custom":
        name = meta.title or template.label
        return FormNames(name, name, template.central_dept)
    return FormNames(template.label, template.fund_name, template.central_dept)
