"""The three Excel subcommands: export-xlsx, export-data, import-xlsx."""

import hashlib
import json

import pytest
from openpyxl import Workbook, load_workbook

from yibao_desktop import paths
from yibao_desktop.cli import main
from yibao_desktop.domain.interchange import report_from_json
from yibao_desktop.storage.repository import Document


@pytest.fixture
def demo_file(tmp_path):
    out = tmp_path / "demo.yibao"
    assert main(["load", str(paths.demo_report_json()), str(out)]) == 0
    return out


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sheet(path, rows, title="支出"):
    wb = Workbook()
    wb.active.title = title
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


@pytest.mark.parametrize("form, sheets", [
    ([], ["项目支出绩效自评表", "中央对地方转移支付区域绩效自评表"]),
    (["--form", "both"], ["项目支出绩效自评表", "中央对地方转移支付区域绩效自评表"]),
    (["--form", "project"], ["项目支出绩效自评表"]),
    (["--form", "transfer"], ["中央对地方转移支付区域绩效自评表"]),
])
def test_export_xlsx(demo_file, tmp_path, capsys, form, sheets):
    out = tmp_path / "forms.xlsx"
    assert main(["export-xlsx", str(demo_file), str(out), *form]) == 0
    assert load_workbook(out).sheetnames == sheets
    assert "已导出" in capsys.readouterr().err


def test_export_xlsx_warns_about_errors_and_rejects_bad_form(demo_file, tmp_path, capsys):
    data = json.loads(paths.demo_report_json().read_text(encoding="utf-8"))
    unmet = next(i for i in data["indicators"] if i["deviation_reason"] and i["nature"] != "定性")
    unmet["deviation_reason"] = ""
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    main(["load", str(bad), str(tmp_path / "bad.yibao")])
    capsys.readouterr()
    assert main(["export-xlsx", str(tmp_path / "bad.yibao"), str(tmp_path / "o.xlsx")]) == 0
    assert "报告还有 1 个错误" in capsys.readouterr().err
    assert main(["export-xlsx", str(demo_file), str(tmp_path / "o.xlsx"), "--form", "annual"]) == 2
    assert "参数错误" in capsys.readouterr().err


def test_export_data_then_import_round_trip(demo_file, tmp_path, capsys, demo_report):
    book = tmp_path / "data.xlsx"
    assert main(["export-data", str(demo_file), str(book)]) == 0
    wb = load_workbook(book)
    wb["支出明细"]["G2"] = 16000  # edit one payment in "Excel"
    wb.save(book)
    target = tmp_path / "copy.yibao"
    assert main(["load", str(paths.demo_report_json()), str(target)]) == 0
    before = _sha(target)
    capsys.readouterr()
    assert main(["import-xlsx", str(target), str(book), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "数据工作簿（整体替换）" in out and "支出明细：修改 1 行" in out and "试运行" in out
    assert _sha(target) == before
    assert main(["import-xlsx", str(target), str(book)]) == 0
    capsys.readouterr()
    assert main(["dump", str(target)]) == 0
    dumped = report_from_json(capsys.readouterr().out)
    assert dumped.expenditures[0].paid == 16000
    assert dumped.expenditures[1:] == demo_report.expenditures[1:] and dumped.indicators == demo_report.indicators


def test_import_lists_every_problem_and_changes_nothing(demo_file, tmp_path, capsys):
    book = _sheet(tmp_path / "e.xlsx", [["项目名称", "支付金额", "支付日期"], ["a", "12a", "2024-03-01"],
                                        ["b", 5, "2024年13月1日"], ["c", None, None]])
    before = _sha(demo_file), _sha(book)
    assert main(["import-xlsx", str(demo_file), str(book)]) == 2
    err = capsys.readouterr().err
    assert "有 3 个问题，未导入任何数据（报告未作改动）" in err
    assert "工作表「支出」第 2 行 B 列（支付金额），值「12a」：无法识别的金额「12a」" in err
    assert "工作表「支出」第 3 行 C 列（支付日期），值「2024年13月1日」" in err
    assert "工作表「支出」第 4 行 B 列（支付金额）：「支付金额（元）」不能为空" in err
    assert (_sha(demo_file), _sha(book)) == before


def test_import_expenditures_with_sheet_and_mode(demo_file, tmp_path, capsys):
    book = _sheet(tmp_path / "e.xlsx", [["项目名称", "支付金额（万元）", "支付日期"], ["新项目", 1.5, "2025年6月1日"]])
    assert main(["import-xlsx", str(demo_file), str(book), "--sheet", "支出", "--mode", "append"]) == 0
    out = capsys.readouterr().out
    assert "支出明细（追加）" in out and "新增 1 行" in out and "按「万元」读取" in out
    with Document.open(demo_file) as doc:
        assert doc.report.expenditures[-1].paid == 15000
        assert doc.report.expenditures[-1].project == "新项目"


def test_import_user_errors_exit_2(demo_file, tmp_path, capsys):
    book = _sheet(tmp_path / "e.xlsx", [["项目名称", "支付金额"], ["a", 1]])
    assert main(["import-xlsx", str(demo_file), str(book), "--sheet", "预算"]) == 2
    assert "没有名为「预算」的工作表" in capsys.readouterr().err
    csv = tmp_path / "list.xlsx"
    csv.write_text("项目名称,支付金额\na,1\n", encoding="utf-8")
    assert main(["import-xlsx", str(demo_file), str(csv)]) == 2
    assert "CSV" in capsys.readouterr().err
    assert main(["import-xlsx", str(demo_file), str(book), "--mode", "merge"]) == 2
    assert "只适用于绩效指标表" in capsys.readouterr().err
