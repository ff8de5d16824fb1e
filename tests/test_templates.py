from decimal import Decimal as D

import pytest

from yibao_desktop.domain.calc import compute
from yibao_desktop.domain.report import FUND_TYPES
from yibao_desktop.templates import default_title, load_template, new_report

OUTLINE_KEYS = ["goals", "analysis", "funds_input", "fund_management", "overall_goal", "indicator_analysis",
                "deviation", "application", "other"]


@pytest.mark.parametrize("fund_type", FUND_TYPES)
def test_every_template_variant_is_consistent(fund_type):
    template = load_template(fund_type)
    assert [s.key for s in template.narrative][: len(OUTLINE_KEYS)] == OUTLINE_KEYS
    for key in template.variants:
        report = new_report(fund_type, "某县医疗保障局", 2025, key)
        assert len(report.indicators) >= 8
        assert len({i.level2 for i in report.indicators}) >= 3
        result = compute(report)
        weight_codes = {"level3_weights_mismatch", "total_weight_not_100", "target_unparsed", "target_missing"}
        assert not weight_codes & {f.code for f in result.findings}
        total = sum((w for _, w in report.scoring.level1_weights), D(0)) + report.scoring.budget_execution_weight
        assert total == D(100)
        assert any(i.qualitative for i in report.indicators)
        assert any(i.nature in ("≤", "<") for i in report.indicators)


def test_capacity_has_the_evaluation_framework_variant():
    weights = dict(load_template("capacity").variant("evaluation").scoring["level1_weights"])
    assert weights == {"项目决策": "18", "过程管理": "22", "产出指标": "50", "满意度指标": "10"}


def test_resident_insurance_starts_with_fund_operation_block():
    assert new_report("resident_insurance", "x", 2025).fund_operation is not None
    assert new_report("capacity", "x", 2025).fund_operation is None


def test_default_title():
    report = new_report("capacity", "砀山县医疗保障局", 2024)
    assert default_title(report.meta) == "砀山县医疗保障局2024年度医疗服务与保障能力提升补助资金绩效自评报告"


@pytest.mark.parametrize("fund_type", FUND_TYPES)
def test_every_scoring_profile_is_a_template_variant(fund_type):
    """Profiles are chosen by templates too: each template offers its default rows under every
    profile, with the profile's weights and the level-3 weights rescaled to add up exactly."""
    from yibao_desktop.domain import rules

    template = load_template(fund_type)
    for key, preset in rules.PROFILES.items():
        if key == rules.DEFAULT_PROFILE:
            continue
        report = new_report(fund_type, "某县医疗保障局", 2025, key)
        assert report.scoring.profile == key
        assert report.scoring.level1_weights == preset.weights
        assert report.scoring.budget_execution_weight == preset.budget_weight
        for level1, total in preset.weights:
            assert sum((i.weight for i in report.indicators if i.level1 == level1), D(0)) == total
        assert all(i.weight == i.weight.quantize(D("0.01")) for i in report.indicators)
        assert preset.label in template.variants[key].label


@pytest.mark.parametrize("fund_type", FUND_TYPES)
def test_transfer_only_variant_has_no_scores(fund_type):
    report = new_report(fund_type, "某县医疗保障局", 2025, "transfer_only")
    assert report.scoring.scored is False
    result = compute(report)
    assert result.total_score is None and result.grade is None
