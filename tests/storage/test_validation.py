"""Every stored value is validated on load; a bad one names its table, row and field in Chinese
(the CLI answers with exit code 2, never a traceback). Values a file must not hold are refused
on the way in too, so a file never holds what it could not open again."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from yibao_desktop.cli import main as cli_main
from yibao_desktop.domain.edits import InsertRow, SetField
from yibao_desktop.domain.errors import DocumentError
from yibao_desktop.domain.report import Expenditure, FundOperation, FundOpLine, Indicator
from yibao_desktop.storage.repository import Document

ENGLISH = re.compile(r"[A-Za-z]{4,}")


@pytest.fixture
def path(tmp_path, demo_report):
    p = tmp_path / "报告.yibao"
    fund_operation = FundOperation(income=(FundOpLine("个人缴费", None, Decimal("5.00")),), insured_persons=100)
    Document.create(p, replace(demo_report, fund_operation=fund_operation)).close()
    return p


def _set(path: Path, sql: str, *params) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    assert conn.execute(sql, params).rowcount >= 1
    conn.close()


def _kv(key_section: str, key: str, value: str) -> tuple[str, tuple]:
    return "UPDATE kv SET value = ? WHERE section = ? AND key = ?", (value, key_section, key)


CASES = [
    ("UPDATE income SET amount = 'abc' WHERE pos = 1", (), "资金来源第 2 行「金额」", "abc"),
    ("UPDATE income SET amount = 'NaN' WHERE pos = 0", (), "资金来源第 1 行「金额」", "NaN"),
    ("UPDATE expenditure SET paid = '1e999999' WHERE pos = 2", (), "支出明细第 3 行「已支付」", "1e999999"),
    ("UPDATE expenditure SET paid = '10000000000000.00' WHERE pos = 0", (), "支出明细第 1 行「已支付」", "超出"),
    ("UPDATE expenditure SET budget = '1.005' WHERE pos = 0", (), "支出明细第 1 行「预算」", "两位小数"),
    ("UPDATE expenditure SET paid = x'3132' WHERE pos = 0", (), "支出明细第 1 行「已支付」", "二进制"),
    ("UPDATE expenditure SET paid_on = '2025-02-30' WHERE pos = 1", (), "支出明细第 2 行「支付日期」", "不存在"),
    ("UPDATE expenditure SET paid_on = '20250301' WHERE pos = 1", (), "支出明细第 2 行「支付日期」", "日期"),
    ("UPDATE expenditure SET pool = '明年' WHERE pos = 0", (), "支出明细第 1 行「资金来源」", "可选"),
    ("UPDATE income SET level = '乡级' WHERE pos = 0", (), "资金来源第 1 行「级次」", "乡级"),
    ("UPDATE indicator SET weight = '150' WHERE pos = 3", (), "绩效指标第 4 行「分值」", "0 到 100"),
    ("UPDATE indicator SET numerator = ? WHERE pos = 0", ("1" * 60,), "绩效指标第 1 行「分子」", "超出"),
    ("UPDATE indicator SET denominator = '1e16' WHERE pos = 0", (), "绩效指标第 1 行「分母」", "1e16"),
    ("UPDATE indicator SET score = '1E+50' WHERE pos = 0", (), "绩效指标第 1 行「人工得分」", "数值"),
    ("UPDATE indicator SET name = x'00ff' WHERE pos = 0", (), "绩效指标第 1 行「三级指标」", "文本"),
    ("UPDATE indicator SET nature = '约等于' WHERE pos = 0", (), "绩效指标第 1 行「性质」", "约等于"),
    ("UPDATE narrative SET text = x'e4b8ad' WHERE pos = 0", (), "报告文字第 1 行「内容」", "文本"),
    ("UPDATE fund_op_line SET actual = '-Infinity'", (), "基金运行收入第 1 行「实际数」", "Infinity"),
    ("UPDATE income SET pos = 7 WHERE pos = 0", (), "资金来源的行序号", None),
    (*_kv("meta", "year", '"2025"'), "报告信息「年度」", "整数"),
    (*_kv("meta", "year", "1999"), "报告信息「年度」", "2000"),
    (*_kv("meta", "year", "9" * 5000), "报告信息「年度」", "位数过多"),
    (*_kv("meta", "fund_type", '"lottery"'), "报告信息「资金类型」", "lottery"),
    (*_kv("scoring", "budget_execution_weight", '{"$d": "abc"}'), "评分设置「预算执行率分值」", "abc"),
    (*_kv("scoring", "level1_weights", '{"$w": [["产出指标", "1e400"]]}'), "评分设置「一级指标权重」", "1e400"),
    (*_kv("scoring", "level1_weights", '{"$w": [["产出指标", "101"]]}'), "评分设置「一级指标权重」", "100"),
    (*_kv("scoring", "execution_cap", "1.5"), "评分设置「预算执行率封顶」", "浮点数"),
    (*_kv("scoring", "reverse_rule", "[" * 5000 + "]" * 5000), "评分设置「反向指标计分规则」", "嵌套"),
    (*_kv("fund_operation", "insured_persons", "-5"), "基金运行情况「参保人数」", "人数"),
    ("UPDATE kv SET key = 'colour' WHERE section = 'meta' AND key = 'title'", (), "报告信息「colour」", "colour"),
]


@pytest.mark.parametrize("sql, params, place, detail", CASES)
def test_a_bad_stored_value_names_table_row_and_field(path, sql, params, place, detail, capsys):
    _set(path, sql, *params)
    for read_only in (False, True):
        with pytest.raises(DocumentError) as info:
            Document.open(path, read_only=read_only)
        message = str(info.value)
        assert place in message and "报告.yibao" in message, message
        if detail:
            assert detail in message, message
        # No raw English: only the file name and the bad value itself may carry Latin letters.
        assert not ENGLISH.findall(message.replace("报告.yibao", "").replace(detail or "", "")), message
    assert cli_main(["dump", str(path)]) == 2
    assert place in capsys.readouterr().err


def test_values_a_file_must_not_hold_are_refused_on_the_way_in(path, demo_report):
    with Document.open(path) as doc:
        before = doc.report
        for edit, words in [
            (SetField("incomes", 0, "amount", Decimal("1E+13")), "资金来源第 1 行「金额」"),
            (SetField("indicators", 1, "weight", Decimal("100.5")), "绩效指标第 2 行「分值」"),
            (SetField("meta", None, "year", 1900), "报告信息「年度」"),
            (SetField("indicators", 0, "numerator", Decimal("NaN")), "有限"),
            (SetField("incomes", 0, "note", "\ud800"), "代理字符"),
            (InsertRow("expenditures", 0, Expenditure(project="x", paid=Decimal("0.001"))), "两位小数"),
            (SetField("root", None, "fund_operation", FundOperation(insured_persons=-1)), "基金运行情况「参保人数」"),
        ]:
            with pytest.raises(DocumentError, match=words):
                doc.apply([edit])
            assert doc.report == before
        with pytest.raises(DocumentError, match="分值"):
            doc.replace_report(replace(demo_report, indicators=(Indicator(weight=Decimal(101)),)))
    with Document.open(path) as doc:
        assert doc.report == before


def test_create_refuses_a_report_it_could_not_open_again(tmp_path, demo_report):
    bad = replace(demo_report, incomes=(replace(demo_report.incomes[0], amount=Decimal("12345678901234567.89")),))
    with pytest.raises(DocumentError, match="资金来源第 1 行「金额」"):
        Document.create(tmp_path / "x.yibao", bad)
    assert list(tmp_path.iterdir()) == []
