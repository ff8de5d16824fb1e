import argparse
import json
import os
import subprocess
import sys

import pytest

from tests.child import child_output
from yibao_desktop import paths
from yibao_desktop.cli import main
from yibao_desktop.domain.interchange import report_from_json
from yibao_desktop.storage.repository import Document


@pytest.fixture
def demo_file(tmp_path):
    out = tmp_path / "demo.yibao"
    assert main(["load", str(paths.demo_report_json()), str(out)]) == 0
    return out


def test_load_dump_load(demo_file, tmp_path, capsys, demo_report):
    capsys.readouterr()
    assert main(["dump", str(demo_file)]) == 0
    dumped = capsys.readouterr().out
    assert report_from_json(dumped) == demo_report
    again = tmp_path / "again.json"
    again.write_text(dumped, encoding="utf-8")
    assert main(["load", str(again), str(tmp_path / "again.yibao")]) == 0
    with Document.open(tmp_path / "again.yibao") as doc:
        assert doc.report == demo_report


def test_compute_prints_the_contract_keys(demo_file, capsys):
    capsys.readouterr()
    assert main(["compute", str(demo_file)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert {"funds", "fund_operation", "indicators", "level1", "budget_execution", "total_score", "grade",
            "counts", "findings"} <= set(result)
    assert result["total_score"] == "94.61"
    assert result["funds"]["progress"] == "79.30"


def test_check_exit_codes(demo_file, tmp_path, capsys):
    assert main(["check", str(demo_file)]) == 0
    assert "资金支出进度" in capsys.readouterr().out
    data = json.loads(paths.demo_report_json().read_text(encoding="utf-8"))
    unmet = next(i for i in data["indicators"] if i["deviation_reason"] and i["nature"] != "定性")
    unmet["deviation_reason"] = ""
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert main(["load", str(bad), str(tmp_path / "bad.yibao")]) == 0
    capsys.readouterr()
    assert main(["check", str(tmp_path / "bad.yibao")]) == 1
    out = capsys.readouterr().out
    assert "错误（1 项）" in out and "须填写偏差原因分析及改进措施" in out


def test_new_from_template(tmp_path, capsys):
    out = tmp_path / "new.yibao"
    assert main(["new", "--fund-type", "capacity", "--variant", "evaluation", "--unit", "某县医疗保障局",
                 "--year", "2026", str(out)]) == 0
    with Document.open(out) as doc:
        report = doc.report
    assert report.meta.year == 2026 and report.meta.unit == "某县医疗保障局"
    assert [n for n, _ in report.scoring.level1_weights] == ["项目决策", "过程管理", "产出指标", "满意度指标"]
    assert len(report.indicators) >= 8
    assert main(["new", "--fund-type", "capacity", "--unit", "x", "--year", "2026", str(out)]) == 2
    assert "已存在" in capsys.readouterr().err


def test_user_errors_are_chinese_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "yibao-report", "version": 1, "meta": {"unit": "x", "year": 2024, '
                   '"fund_type": "capacity"}, "scoring": {"level1_weights": {}}, '
                   '"incomes": [{"level": "中央", "kind": "当年下达", "amount": "abc"}]}', encoding="utf-8")
    assert main(["load", str(bad), str(tmp_path / "x.yibao")]) == 2
    err = capsys.readouterr().err
    assert "incomes[0].amount" in err and "无法识别的金额" in err
    assert not (tmp_path / "x.yibao").exists()
    assert main(["dump", str(bad)]) == 2
    assert "不是医保绩效自评报告文件" in capsys.readouterr().err
    assert main(["new", "--fund-type", "nope", "--unit", "x", "--year", "1", "y"]) == 2
    assert "参数错误" in capsys.readouterr().err


def test_console_script_runs_headless_without_qt(demo_file):
    code = ("import sys; from yibao_desktop.app import main; rc = main(['check', sys.argv[1]]); "
            "assert 'PySide6' not in sys.modules, 'headless commands must not import Qt'; sys.exit(rc)")
    proc = subprocess.run([sys.executable, "-c", code, str(demo_file)], capture_output=True, text=True,
                          encoding="utf-8")
    assert proc.returncode == 0, proc.stderr
    assert "合计" in proc.stdout


def test_next_year_from_an_old_schema_file_leaves_it_untouched(tmp_path, capsys, demo_report):
    import hashlib
    import shutil

    from tests.conftest import DATA

    last = tmp_path / "2025.yibao"
    shutil.copy(DATA / "report-v1.yibao", last)  # a file of the first schema version
    before = hashlib.sha256(last.read_bytes()).hexdigest()
    out = tmp_path / "2026.yibao"
    assert main(["next-year", str(last), str(out)]) == 0
    assert "结转资金 158,350.00 元" in capsys.readouterr().err
    assert hashlib.sha256(last.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2025.yibao", "2026.yibao"]
    with Document.open(out) as doc:
        assert doc.report.meta.year == 2026 and doc.report.meta.previous.year == 2025
    assert main(["next-year", str(last), str(tmp_path / "x.yibao"), "--year", "2024"]) == 2
    assert "应晚于" in capsys.readouterr().err


def test_check_lists_the_september_warning_and_unit_slips(tmp_path, capsys):
    data = json.loads(paths.demo_report_json().read_text(encoding="utf-8"))
    data["narrative"][0]["text"] += "支出进度为{资金.支出进度}%。"
    src = tmp_path / "r.json"
    src.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert main(["load", str(src), str(tmp_path / "r.yibao")]) == 0
    capsys.readouterr()
    assert main(["check", str(tmp_path / "r.yibao")]) == 0  # warnings, no errors
    out = capsys.readouterr().out
    assert "截至9月底累计支出进度 55.61%，低于 75.00% 的序时进度" in out and "schedule_lag" in out
    assert "unit_slip" in out and "百分号" in out


def test_a_word_that_is_neither_command_nor_file_is_an_error_and_opens_no_window(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "yibao_desktop", "aggregat"], capture_output=True, text=True,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "YIBAO_DATA_DIR": str(tmp_path)},
                          timeout=60)
    assert proc.returncode == 2
    assert "「aggregat」既不是命令，也不是已存在的报告文件" in proc.stderr and "export-pdf" in proc.stderr
    assert not (tmp_path / "settings.ini").exists()  # the window never started


def test_argparse_speaks_chinese(capsys):
    assert main(["export-pdf"]) == 2
    err = capsys.readouterr().err
    assert "用法：" in err and "缺少参数" in err and "usage" not in err and "required" not in err
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "选项" in out and "显示本帮助并退出" in out and "show this help" not in out


def test_the_window_starts_lean(tmp_path):
    """No CLI parser, no openpyxl, ReportLab or pyHanko before the window is shown."""
    script = (
        "import sys, os\n"
        "os.environ['YIBAO_EXIT_AFTER_SHOW'] = '1'\n"
        "from yibao_desktop.app import main\n"
        "code = main(['-platform', 'offscreen'])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('openpyxl', 'reportlab', 'pyhanko', 'cryptography')"
        " or m == 'yibao_desktop.cli.parser')\n"
        "print(code, heavy)\n")
    out = child_output(script, env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "YIBAO_DATA_DIR": str(tmp_path)})
    assert out[-1] == "0 []"


def test_a_draft_export_loads_no_signing_library_and_no_other_command(tmp_path):
    """cryptography and pyHanko cost about a tenth of a second to import: only signing needs them.
    The parser registers only the command's own group, so the other groups' services stay out."""
    from yibao_desktop import paths

    doc = tmp_path / "demo.yibao"
    assert main(["load", str(paths.demo_report_json()), str(doc)]) == 0
    script = (
        "import sys\n"
        "from yibao_desktop.cli import main\n"
        f"code = main(['export-pdf', {str(doc)!r}, {str(tmp_path / 'a.pdf')!r}, '--draft'])\n"
        "print(code, sorted(m for m in sys.modules if m.split('.')[0] in ('pyhanko', 'cryptography', 'openpyxl')\n"
        "                   or m.startswith(('yibao_desktop.cli.', 'yibao_desktop.services.'))))\n")
    assert child_output(script)[-1] == \
        "0 ['yibao_desktop.cli.parser', 'yibao_desktop.cli.pdf', 'yibao_desktop.services.export', " \
        "'yibao_desktop.services.reports']"


def test_every_command_is_found_by_the_parser_of_its_own_group(capsys):
    from yibao_desktop.cli import COMMANDS
    from yibao_desktop.cli.parser import build_parser

    for command in COMMANDS:
        sub = next(a for a in build_parser(command)._actions if isinstance(a, argparse._SubParsersAction))
        assert sub.choices.keys() & COMMANDS.keys() == {c for c, g in COMMANDS.items() if g == COMMANDS[command]}
    assert main(["export-pdf", "--help"]) == 0
    assert "--draft" in capsys.readouterr().out


def test_a_command_process_ends_with_everything_printed_and_its_exit_code(tmp_path):
    """`python -m yibao_desktop COMMAND` ends without the interpreter's teardown (app.hard_exit):
    output far larger than a pipe's buffer still arrives whole, and the exit code is the command's."""
    from benchmarks.generate import large_report

    report = large_report(50, 2000)
    doc = tmp_path / "large.yibao"
    Document.create(doc, report).close()
    proc = subprocess.run([sys.executable, "-m", "yibao_desktop", "dump", str(doc)], capture_output=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert len(proc.stdout) > 256 * 1024
    assert report_from_json(proc.stdout.decode("utf-8")) == report
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    small = subprocess.run([sys.executable, "-m", "yibao_desktop", "check", str(doc)], capture_output=True,
                           text=True, timeout=120, env=buffered)  # a few lines: in the pipe's buffer until flushed
    assert small.returncode == 1 and small.stdout.rstrip().endswith("。") and "合计：错误 26 项" in small.stdout
    missing = subprocess.run([sys.executable, "-m", "yibao_desktop", "check", str(tmp_path / "no.yibao")],
                             capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and "不存在" in missing.stderr


def test_export_pdf_final_lists_warnings_first_the_stale_figures(tmp_path, capsys):
    from dataclasses import replace

    from yibao_desktop.cli import main
    from yibao_desktop.domain.interchange import report_from_json
    from yibao_desktop.domain.report import Section
    from yibao_desktop import paths
    from yibao_desktop.storage.repository import Document

    demo = report_from_json(paths.demo_report_json().read_text(encoding="utf-8"))
    narrative = demo.narrative + (Section("other", "其他", "旧数字12.34万元。"),)
    Document.create(tmp_path / "a.yibao", replace(demo, narrative=narrative)).close()
    assert main(["export-pdf", str(tmp_path / "a.yibao"), str(tmp_path / "a.pdf")]) == 0
    err = capsys.readouterr().err
    assert "注意：正式版有" in err
    assert "12.34万元" in err.splitlines()[1]
    assert (tmp_path / "a.pdf").exists()
