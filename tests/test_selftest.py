"""`yibao-desktop --self-test`: every step passes from source, and a failure is never a pass."""

import sys

import pytest

from yibao_desktop import app, selftest
from yibao_desktop.selftest import STEPS, Context, Step, StepFailed, parse_platform, run_steps


def _lines(capsys) -> list[str]:
    return capsys.readouterr().out.splitlines()


def test_self_test_passes_end_to_end_from_source(capsys, tmp_path, monkeypatch):
    data = tmp_path / "userdata"
    monkeypatch.setenv("YIBAO_DATA_DIR", str(data))
    assert selftest.main(["--self-test", "-platform", "offscreen"]) == 0
    lines = _lines(capsys)
    assert lines[0].startswith("医保绩效自评助手")
    steps = lines[1:-1]
    assert len(steps) == len(STEPS)  # one line per step
    assert all(line.startswith("[通过]") for line in steps), "\n".join(steps)
    for title in ("打开示例报告", "计算", "导出自评表（Excel）", "导出PDF（正式版）", "PDF签名", "核验PDF签名",
                  "生成并核验报送包", "主窗口"):
        assert any(title in line for line in steps), title
    assert lines[-1].startswith("自检通过")
    # the user's data folder is neither used nor changed, and the setting is put back
    assert not data.exists()
    assert selftest.os.environ["YIBAO_DATA_DIR"] == str(data)


def test_app_dispatches_self_test_before_anything_else(monkeypatch):
    seen = []
    monkeypatch.setattr(selftest, "main", lambda args: seen.append(args) or 7)
    assert app.main(["--self-test", "-platform", "offscreen"]) == 7
    assert seen == [["--self-test", "-platform", "offscreen"]]


def test_failed_step_fails_the_run_and_dependants_are_skipped(capsys):
    def boom(ctx):
        raise StepFailed("坏了")

    steps = (Step("a", "甲", lambda ctx: "好"), Step("b", "乙", boom, ("a",)), Step("c", "丙", lambda ctx: "好", ("b",)))
    assert selftest.main([], steps=steps) == 1
    lines = _lines(capsys)
    assert lines[1].startswith("[通过] 甲：好")
    assert lines[2].startswith("[失败] 乙：坏了")
    assert lines[3].startswith("[跳过] 丙：因「乙」未通过而未运行")
    assert lines[-1].startswith("自检未通过：2 项失败或未运行（共 3 项）")


def test_unexpected_error_is_reported_with_its_place(tmp_path):
    def bug(ctx):
        return {}["missing"]

    out: list[str] = []
    outcomes = run_steps((Step("x", "甲", bug),), Context(tmp_path, "offscreen"), out.append)
    assert [o.status for o in outcomes] == ["fail"]
    assert "KeyError: 'missing'" in out[0] and "test_selftest.py:" in out[0]


@pytest.mark.parametrize("module, key, message", [
    ("yibao_desktop.services.submission", "package", "缺少报送包模块"),
    ("yibao_desktop.services.excel", "xlsx", "缺少 Excel 导出模块"),
])
def test_a_missing_feature_module_fails_its_step(monkeypatch, tmp_path, module, key, message):
    monkeypatch.setitem(sys.modules, module, None)  # import raises ImportError
    wanted = {"env", "open", "compute", "cert", key}
    out: list[str] = []
    outcomes = run_steps([s for s in STEPS if s.key in wanted], Context(tmp_path, "offscreen"), out.append)
    result = {o.key: o for o in outcomes}
    assert result[key].status == "fail"
    assert message in result[key].detail
    assert all(o.ok for k, o in result.items() if k != key)


def test_missing_resource_is_named(monkeypatch, tmp_path):
    monkeypatch.setattr(selftest, "REQUIRED_RESOURCES", selftest.REQUIRED_RESOURCES + (("fonts", "nope.ttf"),))
    out: list[str] = []
    outcomes = run_steps([STEPS[0]], Context(tmp_path, "offscreen"), out.append)
    assert outcomes[0].status == "fail" and "fonts/nope.ttf" in out[0]


@pytest.mark.parametrize("argv, expected", [
    ([], "offscreen"),
    (["--self-test"], "offscreen"),
    (["--self-test", "-platform", "xcb"], "xcb"),
    (["-platform", "windows", "--self-test"], "windows"),
    (["--self-test", "-platform"], "offscreen"),
])
def test_platform_option(argv, expected):
    assert parse_platform(argv) == expected
