"""Next year from last year's Excel: our data workbook, or an official 自评表 filled in by hand."""

import hashlib
from decimal import Decimal as D

import pytest
from openpyxl import Workbook

from yibao_desktop.cli import main
from yibao_desktop.domain.calc import compute
from yibao_desktop.domain.errors import UserError
from yibao_desktop.exchange.excel.data import export_data_workbook
from yibao_desktop.services.nextyear import next_year_report


def next_year_from_workbook(path, year=None):
    return next_year_report(path, year).report
from yibao_desktop.storage.repository import Document


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def hand_made_project_form(path):
    """The layout counties fill by hand (project form, 万元), with merged-looking blank cells."""
    wb = Workbook()
    ws = wb.active
    ws.title = "自评表"
    ws.append(["项目支出绩效自评表"])
    ws.append(["（2024年度）"])
    ws.append(["项目名称", "医疗服务与保障能力提升补助资金", None, None, "实施单位", "砀山县医疗保障局"])
    ws.append(["主管部门", "宿州市医疗保障局"])
    ws.append(["项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"])
    ws.append(["年度资金总额", None, 60.09, 19.71, 10, 0.328, 3.28])
    ws.append(["其中： 当年财政拨款", None, "60", "19.62"])
    ws.append(["上年结转资金", None, 0.09, 0.09])
    ws.append(["其他资金", None, "—", "—"])
    ws.append(["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"])
    ws.append([None, "产出指标", "质量指标", "电子医保凭证激活率", "≥60%", "44.49%", 40, 29.66, "群众使用意愿低，加强宣传"])
    ws.append([None, None, None, "医保法治建设能力", "有所提升", "达成", 10, 9, None])
    ws.append([None, "效益指标", "社会效益指标", "基金预警和风险防控能力", "有所提升", "达成", 30, 27, None])
    ws.append([None, "满意度指标", "服务对象满意度指标", "参保人员满意度", "＞85%", "0.9", 10, 10, None])
    wb.save(path)


def test_from_a_hand_made_project_form(tmp_path):
    book = tmp_path / "2024自评表.xlsx"
    hand_made_project_form(book)
    before = _digest(book)
    report = next_year_from_workbook(book)
    assert _digest(book) == before
    assert (report.meta.year, report.meta.unit, report.meta.fund_type) == (2025, "砀山县医疗保障局", "capacity")
    assert [(i.kind, i.amount) for i in report.incomes] == [("上年结转", D("403800.00"))]  # 60 − 19.62 万元
    assert "请核对资金级次" in report.incomes[0].note
    assert report.meta.previous.available == D("600900.00") and report.meta.previous.paid == D("197100.00")
    names = [i.name for i in report.indicators]
    assert names == ["电子医保凭证激活率", "医保法治建设能力", "基金预警和风险防控能力", "参保人员满意度"]
    activation = report.indicators[0]
    assert activation.baseline == D("44.49") and activation.actual is None and activation.target == D("60")
    assert report.indicators[1].baseline is None  # 定性: no baseline
    assert report.scoring.level1_weights == (("产出指标", D("50")), ("效益指标", D("30")), ("满意度指标", D("10")))
    assert report.scoring.budget_execution_weight == D("10")
    assert "群众使用意愿低" in report.narrative[-1].text
    result = compute(report)
    assert result.funds_yoy.last_progress == D("32.80")


def test_from_the_transfer_form_uses_its_levels(tmp_path, demo_report):
    from yibao_desktop.services.excel import export_forms

    book = tmp_path / "forms.xlsx"
    export_forms(demo_report, book, ("transfer",))
    report = next_year_from_workbook(book)
    levels = {i.level: i.amount for i in report.incomes}
    # 万元 as the form prints them, parts adding up to the total: 53.50 − 41.02, 23.00 − 19.65
    assert levels == {"中央": D("124800.00"), "县级": D("33500.00")}


def test_from_the_data_workbook_is_exact(tmp_path, demo_report):
    book = tmp_path / "data.xlsx"
    export_data_workbook(demo_report, book)
    report = next_year_from_workbook(book)
    assert sum(i.amount for i in report.incomes) == D("158350.00")
    assert report.meta.year == 2026 and len(report.indicators) == len(demo_report.indicators)


def test_a_workbook_without_a_funds_block_is_refused(tmp_path):
    book = tmp_path / "其他.xlsx"
    wb = Workbook()
    wb.active.append(["姓名", "电话"])
    wb.save(book)
    with pytest.raises(UserError, match="没有找到自评表的资金投入部分"):
        next_year_from_workbook(book)


def test_cli_next_year_from_excel(tmp_path, capsys):
    book = tmp_path / "2024.xlsx"
    hand_made_project_form(book)
    out = tmp_path / "2025.yibao"
    assert main(["next-year", str(book), str(out)]) == 0
    assert "结转资金 403,800.00 元" in capsys.readouterr().err
    with Document.open(out) as doc:
        assert doc.report.meta.previous.year == 2024


def test_not_an_xlsx_is_a_clear_message(tmp_path):
    fake = tmp_path / "假的.xlsx"
    fake.write_text("项目,金额\n甲,1\n", encoding="utf-8")
    with pytest.raises(UserError, match="CSV|文本|不是"):
        next_year_from_workbook(fake)
