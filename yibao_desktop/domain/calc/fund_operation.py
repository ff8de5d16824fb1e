"""Fund operation (城乡居民医保 基金运行情况): income and expense by category, execution, balance,
months of payment capacity and coverage. Typed totals are kept as typed and compared with the sum
of their lines; a disagreement is a finding, never a silent correction."""

from __future__ import annotations

from decimal import Decimal

from yibao_desktop.domain.calc.funds import yuan
from yibao_desktop.domain.money import ZERO, percent, q2, shares
from yibao_desktop.domain.report import FundOperation
from yibao_desktop.domain.result import Finding, FundOperationResult, FundOpShare, Location


def fund_operation(fo: FundOperation | None) -> tuple[FundOperationResult | None, list[Finding]]:
    if fo is None:
        return None, []
    findings: list[Finding] = []
    sides = {}
    for side, label in (("income", "收入"), ("expense", "支出")):
        lines = getattr(fo, side)
        line_sum = sum((l.actual for l in lines), ZERO)
        typed = getattr(fo, f"{side}_total")
        total = typed if typed is not None else line_sum
        if typed is not None and lines and typed != line_sum:
            findings.append(Finding(
                "parts_not_total", "error", Location("fund_operation", None, side),
                f"{label}分项合计 {yuan(line_sum)} ≠ 填报合计 {yuan(typed)}"))
        line_shares = tuple(FundOpShare(l.category, l.actual, s)
                            for l, s in zip(lines, shares([l.actual for l in lines])))
        budgets = [l.budget for l in lines if l.budget is not None]
        execution = percent(sum((l.actual for l in lines if l.budget is not None), ZERO),
                            sum(budgets, ZERO)) if budgets else None
        sides[side] = (total, line_sum, line_shares, execution)
    computed_balance = sides["income"][0] - sides["expense"][0]
    if fo.year_balance is not None and fo.year_balance != computed_balance:
        findings.append(Finding(
            "balance_mismatch", "error", Location("fund_operation", None, "year_balance"),
            f"填报当年结余 {yuan(fo.year_balance)} ≠ 收入合计减支出合计 {yuan(computed_balance)}"))
    monthly_expense = sides["expense"][0] / 12
    months_payable = (q2(fo.closing_balance / monthly_expense)
                      if fo.closing_balance is not None and monthly_expense != ZERO else None)

    def coverage(population: int | None) -> Decimal | None:
        if fo.insured_persons is None or not population:
            return None
        return percent(Decimal(fo.insured_persons), Decimal(population))

    income, expense = sides["income"], sides["expense"]
    result = FundOperationResult(
        income_total=income[0], income_lines_total=income[1], income_shares=income[2], income_execution=income[3],
        expense_total=expense[0], expense_lines_total=expense[1], expense_shares=expense[2],
        expense_execution=expense[3],
        year_balance=fo.year_balance if fo.year_balance is not None else computed_balance,
        year_balance_computed=computed_balance,
        closing_balance=fo.closing_balance,
        months_payable=months_payable,
        coverage_registered=coverage(fo.registered_population),
        coverage_resident=coverage(fo.resident_population),
    )
    return result, findings
