"""Builders for reports used across tests (Dangshan-like and Fengdu-like facts from DOMAIN.md)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from yibao_desktop.domain.report import Expenditure, Income, Indicator, Meta, Report, Scoring


def dangshan_report() -> Report:
    """Dangshan 2024: 0.09万 carried + 60万 allocated; paid 0.09 + 19.62 万元;
    directions 9.72 / 4 / 0.11 / 5.88 万元 (DOMAIN.md §2)."""
    return Report(
        meta=Meta(unit="砀山县医疗保障局", year=2024, fund_type="capacity"),
        incomes=(
            Income(level="中央", kind="上年结转", amount=D("900.00"), date=date(2024, 1, 1)),
            Income(level="中央", kind="当年下达", doc_no="宿财社〔2024〕67号", amount=D("600000.00"),
                   date=date(2024, 3, 1)),
        ),
        expenditures=(
            Expenditure(project="医保信息系统运维", direction="医保信息化标准化", econ_class="购买服务",
                        pool="当年下达", budget=D("97200.00"), paid=D("97200.00"), paid_on=date(2024, 9, 30)),
            Expenditure(project="第三方费用审核", direction="基金监管", econ_class="购买服务",
                        pool="当年下达", budget=D("40000.00"), paid=D("40000.00"), paid_on=date(2024, 10, 20)),
            Expenditure(project="经办窗口耗材", direction="经办管理体系建设", econ_class="购买设备",
                        pool="上年结转", budget=D("900.00"), paid=D("900.00"), paid_on=date(2024, 3, 15)),
            Expenditure(project="经办窗口耗材补充", direction="经办管理体系建设", econ_class="购买设备",
                        pool="当年下达", budget=D("200.00"), paid=D("200.00"), paid_on=date(2024, 4, 15)),
            Expenditure(project="政策宣传", direction="其他", econ_class="政策宣传",
                        pool="当年下达", budget=D("58800.00"), paid=D("58800.00"), paid_on=date(2024, 12, 20)),
        ),
        scoring=Scoring(level1_weights=(("产出指标", D("50")), ("效益指标", D("30")), ("满意度指标", D("10")))),
    )


def fengdu_activation() -> Indicator:
    """Fengdu 2021: 317693 activated of 714024 → 44.49% against ≥60%, weight 10."""
    return Indicator(level1="产出指标", level2="质量指标", name="电子医保凭证激活率", nature="≥",
                     target=D("60"), unit="%", target_text="≥60%", weight=D("10"),
                     numerator=D("317693"), denominator=D("714024"))


def one_indicator_report(indicator: Indicator, **scoring_kwargs) -> Report:
    weights = ((indicator.level1 or "产出指标", indicator.weight),)
    return Report(meta=Meta(unit="测试县医疗保障局", year=2024),
                  indicators=(indicator,),
                  scoring=Scoring(level1_weights=weights, budget_execution_weight=D("0"), **scoring_kwargs))
