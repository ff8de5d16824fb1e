"""compute keeps caches (funds blocks, indicator rows, stale figures) so an edit recomputes little.
Whatever sequence of edits, the result must equal a cold compute of the same report."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from tests import strategies as gen
from yibao_desktop.domain.calc import clear_caches, compute
from yibao_desktop.domain.edits import DeleteRow, InsertRow, MoveRow, SetField, apply_edit
from yibao_desktop.domain.interchange import result_to_json
from yibao_desktop.services.reports import demo_report


class ComputeAfterEdits(RuleBasedStateMachine):
    @initialize()
    def start(self):
        self.report = demo_report()
        compute(self.report)

    def _apply(self, edit):
        self.report = apply_edit(self.report, edit)[0]

    @rule(data=st.data())
    def edit_expenditure(self, data):
        rows = self.report.expenditures
        if not rows:
            return
        i = data.draw(st.integers(0, len(rows) - 1))
        field, value = data.draw(st.sampled_from([
            ("paid", data.draw(gen.positive_money)), ("direction", data.draw(gen.cjk)),
            ("pool", data.draw(st.sampled_from(["上年结转", "当年下达"]))), ("paid_on", data.draw(st.none() | gen.dates)),
            ("project", data.draw(gen.text))]))
        self._apply(SetField("expenditures", i, field, value))

    @rule(data=st.data())
    def insert_or_delete_expenditure(self, data):
        n = len(self.report.expenditures)
        if n and data.draw(st.booleans()):
            self._apply(DeleteRow("expenditures", data.draw(st.integers(0, n - 1))))
        else:
            self._apply(InsertRow("expenditures", data.draw(st.integers(0, n)), data.draw(gen.expenditures)))

    @rule(data=st.data())
    def move_expenditure(self, data):
        n = len(self.report.expenditures)
        if n > 1:
            self._apply(MoveRow("expenditures", data.draw(st.integers(0, n - 1)), data.draw(st.integers(0, n - 1))))

    @rule(data=st.data())
    def edit_indicator(self, data):
        rows = self.report.indicators
        i = data.draw(st.integers(0, len(rows) - 1))
        field, value = data.draw(st.sampled_from([
            ("actual", data.draw(st.none() | gen.number)), ("weight", data.draw(gen.weight)),
            ("deviation_reason", data.draw(gen.text)), ("target_text", data.draw(st.sampled_from(["≥90%", "≤5天", "有所提升", "x"]))),
            ("score", data.draw(st.none() | gen.weight))]))
        self._apply(SetField("indicators", i, field, value))

    @rule(data=st.data())
    def edit_income_or_scoring(self, data):
        if data.draw(st.booleans()) and self.report.incomes:
            i = data.draw(st.integers(0, len(self.report.incomes) - 1))
            self._apply(SetField("incomes", i, "amount", data.draw(gen.money)))
        else:
            self._apply(SetField("scoring", None, "overachieve_penalty", data.draw(st.booleans())))

    @rule(text=gen.text)
    def edit_narrative(self, text):
        self._apply(SetField("narrative", 0, "text", text + "12.5万元"))

    @invariant()
    def equals_a_cold_compute(self):
        warm = compute(self.report)
        clear_caches()
        cold = compute(replace(self.report))
        assert warm == cold
        assert result_to_json(warm) == result_to_json(cold)  # explanations too
        compute(self.report)  # warm the caches again for the next step


ComputeAfterEdits.TestCase.settings = settings(max_examples=40, stateful_step_count=25, deadline=None,
                                               suppress_health_check=[HealthCheck.too_slow])
TestComputeAfterEdits = ComputeAfterEdits.TestCase


def test_block_cache_survives_a_one_line_edit_exactly():
    report = demo_report()
    before = compute(report)
    lines = list(report.expenditures)
    lines[3] = replace(lines[3], paid=lines[3].paid + Decimal("0.01"))
    after = compute(replace(report, expenditures=tuple(lines)))
    assert after.funds.paid == before.funds.paid + Decimal("0.01")
