"""A generated large report: 500 indicators and 5,000 expenditure lines (issue targets)."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from yibao_desktop.domain.report import (
    Expenditure,
    Income,
    Indicator,
    Meta,
    Report,
    Scoring,
    Section,
)

DIRECTIONS = ["医保信息化标准化", "基金监管", "经办管理体系建设", "支付方式改革", "宣传培训", "其他"]
ECON = ["购买设备", "购买服务", "政策宣传", "培训费", "维护费", "其他"]
LEVEL1 = [("产出指标", 50), ("效益指标", 30), ("满意度指标", 10)]


def large_report(n_indicators: int = 500, n_lines: int = 5000, seed: int = 7) -> Report:
    rng = random.Random(seed)
    incomes = (
        Income(level="中央", kind="上年结转", amount=Decimal("2000000.00"), date=date(2025, 1, 1)),
        Income(level="中央", kind="当年下达", amount=Decimal("300000000.00"), date=date(2025, 3, 1)),
        Income(level="省级", kind="当年下达", amount=Decimal("80000000.00"), date=date(2025, 5, 1)),
        Income(level="县级", kind="本级配套", amount=Decimal("20000000.00"), date=date(2025, 6, 1)),
    )
    lines = []
    project = 0
    for i in range(n_lines):
        if rng.random() < 0.5:  # projects of one to a few payment lines
            project += 1
        # Log-uniform amounts from 100 元 to 20万元, as real payment lists are skewed to small lines.
        paid = Decimal(int(10 ** rng.uniform(4, 7.3))).scaleb(-2)
        lines.append(Expenditure(
            project=f"项目{project:04d}", direction=rng.choice(DIRECTIONS), econ_class=rng.choice(ECON),
            pool="上年结转" if i < 20 else "当年下达", budget=paid + Decimal(rng.randint(0, 5000)),
            paid=paid, paid_on=date(2025, rng.randint(1, 12), rng.randint(1, 28))))
    indicators = []
    per_level1 = [n_indicators * 5 // 9, n_indicators * 3 // 9]
    per_level1.append(n_indicators - sum(per_level1))
    for (name, weight), count in zip(LEVEL1, per_level1):
        each = Decimal(weight) / count
        weights = [each.quantize(Decimal("0.0001"))] * count
        weights[-1] = Decimal(weight) - sum(weights[:-1])
        for k in range(count):
            kind = k % 5
            if kind == 4:
                ind = Indicator(level1=name, level2=f"二级{k % 7}", name=f"{name}定性{k}", nature="定性",
                                target_text="有所提升", weight=weights[k], grade="达成",
                                score=weights[k].quantize(Decimal("0.01")) if k % 2 else None)
            elif kind == 3:
                ind = Indicator(level1=name, level2=f"二级{k % 7}", name=f"{name}反向{k}", nature="≤",
                                target=Decimal(10), unit="%", target_text="≤10%", weight=weights[k],
                                actual=Decimal(rng.randint(0, 250)) / 10, deviation_reason="原因" if k % 3 else "")
            else:
                ind = Indicator(level1=name, level2=f"二级{k % 7}", name=f"{name}指标{k}", nature="≥",
                                target=Decimal(90), unit="%", target_text="≥90%", weight=weights[k],
                                numerator=Decimal(rng.randint(500, 1000)), denominator=Decimal(1000),
                                deviation_reason="原因" if k % 2 else "")
            indicators.append(ind)
    return Report(
        meta=Meta(unit="大样本县医疗保障局", year=2025, fund_type="capacity"),
        incomes=incomes, expenditures=tuple(lines), indicators=tuple(indicators),
        scoring=Scoring(level1_weights=tuple((n, Decimal(w)) for n, w in LEVEL1),
                        budget_execution_weight=Decimal(10)),
        narrative=(Section("goals", "一、绩效目标分解下达情况", "正文。" * 200),),
    )
