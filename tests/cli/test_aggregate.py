"""`yibao-desktop aggregate PATH... OUT.xlsx [--trust CERT ...] [--pdf OUT.pdf]` and its exit codes:
0 written and everything verified, signed and trusted; 1 written, but a package failed or is
unsigned or untrusted; 2 a user error, nothing written."""

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from yibao_desktop import app
from yibao_desktop.cli import COMMANDS, main


def test_writes_workbook_and_pdf_and_exits_1_when_something_needs_a_look(county_packages, tmp_path, capsys):
    out, pdf = tmp_path / "汇总.xlsx", tmp_path / "汇总.pdf"
    code = main(["aggregate", *map(str, county_packages.inputs), str(out), "--trust",
                 str(county_packages.trusted_cer), "--pdf", str(pdf), "--workers", "1"])
    assert code == 1
    printed = capsys.readouterr().out
    assert "共核验 30 个：计入汇总 28 个（其中未签名 1 个、签名人未确认 2 个），重复 1 个，未通过核验 1 个。" in printed
    assert "未通过核验（不计入汇总）：" in printed and "与清单不一致" in printed
    assert "重复报送（保留较新的报送包）：" in printed
    assert f"汇总表已写入：{out}" in printed and f"汇总PDF已写入：{pdf}" in printed
    assert load_workbook(out).sheetnames == ["汇总", "指标对比", "未通过核验", "核验明细"]
    assert pdf.read_bytes().startswith(b"%PDF")


def test_exits_0_when_every_package_is_verified_and_trusted(county_packages, tmp_path, capsys):
    good = sorted(p for p in county_packages.stick.iterdir() if p.is_dir())[:4]
    good = [p for p in good if str(p) not in (county_packages.tampered, county_packages.superseded)]
    out = tmp_path / "汇总.xlsx"
    assert main(["aggregate", *map(str, good), str(out), "--trust", str(county_packages.trusted_cer)]) == 0
    assert f"计入汇总 {len(good)} 个，重复 0 个，未通过核验 0 个" in capsys.readouterr().out
    # Without the county's certificate the same packages are counted but not trusted: 1.
    assert main(["aggregate", *map(str, good), str(out)]) == 1
    assert "不在受信任证书之中" in capsys.readouterr().out


@pytest.mark.parametrize("case", ["missing", "folder_out", "suffix", "pdf_suffix", "bad_trust", "workers"])
def test_user_errors_exit_2_and_write_nothing(county_packages, tmp_path, capsys, case):
    stick, out = str(county_packages.stick), str(tmp_path / "汇总.xlsx")
    args = {
        "missing": [str(tmp_path / "拔出的U盘"), out],
        "folder_out": [stick, str(county_packages.late)],  # a package folder typed last by mistake
        "suffix": [stick, str(tmp_path / "汇总.csv")],
        "pdf_suffix": [stick, out, "--pdf", str(tmp_path / "汇总.doc")],
        "bad_trust": [stick, out, "--trust", str(tmp_path / "没有.cer")],
        "workers": [stick, out, "--workers", "0"],
    }[case]
    assert main(["aggregate", *args]) == 2
    assert capsys.readouterr().err.startswith("错误：")
    assert not list(tmp_path.iterdir())


def test_aggregate_is_a_command_not_a_file_name(county_packages, tmp_path, capsys):
    assert COMMANDS["aggregate"] == "aggregate"
    out = tmp_path / "汇总.xlsx"
    assert app.main(["aggregate", str(county_packages.late), str(out), "--trust", str(county_packages.trusted_cer)]) == 0
    assert out.is_file()
    assert app.main(["aggregate"]) == 2  # usage error, never the window
    assert "缺少参数" in capsys.readouterr().err


def test_as_a_process_with_the_pool(county_packages, tmp_path):
    """The installed command, with worker processes (spawn re-imports no script)."""
    out = tmp_path / "汇总.xlsx"
    env = dict(os.environ, YIBAO_DATA_DIR=str(tmp_path / "userdata"))
    exe = Path(sys.executable).with_name("yibao-desktop")
    proc = subprocess.run([str(exe), "aggregate", str(county_packages.stick), str(out), "--workers", "2"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert "共核验 28 个：计入汇总 27 个" in proc.stdout and out.is_file()


def test_frozen_entry_point_calls_freeze_support_first(monkeypatch, capsys):
    import multiprocessing

    calls = []
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(multiprocessing, "freeze_support", lambda: calls.append("freeze_support"))
    monkeypatch.setattr(sys, "argv", ["yibao-desktop", "--version"])
    with pytest.raises(SystemExit) as exit_:
        runpy.run_module("yibao_desktop.__main__", run_name="__main__")
    assert exit_.value.code == 0 and calls == ["freeze_support"]
    assert "yibao-desktop" in capsys.readouterr().out
