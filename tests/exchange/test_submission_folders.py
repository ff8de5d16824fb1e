"""核验报送包 on a stick's root: every package in it is verified (not "incomplete"), times are told
as people write them, and a package about to be overwritten is described first."""

import json
import re

import pytest

from tests.exchange.test_submission import build_files
from yibao_desktop.cli import main
from yibao_desktop.exchange import signing, submission as package
from yibao_desktop.services import submission
from yibao_desktop.storage.repository import Document

TIME = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}")


@pytest.fixture(scope="module")
def stick(tmp_path_factory):
    """A stick's root with two complete packages, one cut short (no manifest) and a stray file."""
    from yibao_desktop import paths
    from yibao_desktop.domain.interchange import report_from_json

    cert = tmp_path_factory.mktemp("cert") / "unit.p12"
    signing.create_certificate("示例县医疗保障局", "张三", "secret123", path=cert)
    creds = signing.load_credentials(cert, "secret123")
    report = report_from_json(paths.demo_report_json().read_text(encoding="utf-8"))
    with Document.create(tmp_path_factory.mktemp("doc") / "demo.yibao", report) as doc:
        data = doc.snapshot()
    files, meta = build_files(report, data, creds)
    root = tmp_path_factory.mktemp("usb")
    package.write_package(root, "甲县_2025_能力提升资金", files, meta)
    package.write_package(root, "乙县_2025_能力提升资金", files, meta)
    cut = root / "丙县_2025_能力提升资金"
    cut.mkdir()
    (cut / "丙县.yibao").write_bytes(data)
    (root / "说明.txt").write_text("U盘上的其他文件", encoding="utf-8")
    (root / "照片").mkdir()
    return root, cert.with_suffix(".cer")


def test_a_sticks_root_verifies_each_package(stick):
    root, cer = stick
    assert [p.name for p in package.find_packages(root)] == [
        "丙县_2025_能力提升资金", "乙县_2025_能力提升资金", "甲县_2025_能力提升资金"]
    results = submission.verify_folder(root, [cer])
    text = package.format_many(results)
    assert "【报送包 1/3】丙县_2025_能力提升资金" in text and "【报送包 3/3】甲县_2025_能力提升资金" in text
    assert text.startswith("共核验 3 个报送包：2 个通过，1 个未通过（丙县_2025_能力提升资金）。\n")
    passed = [folder.name for folder, checks in results if all(c.ok for c in checks)]
    assert passed == ["乙县_2025_能力提升资金", "甲县_2025_能力提升资金"]


def test_one_package_folder_is_verified_alone_and_times_are_local_chinese(stick):
    root, cer = stick
    results = submission.verify_folder(root / "甲县_2025_能力提升资金", [cer])
    assert len(results) == 1
    text = package.format_many(results)
    assert "【报送包" not in text and "签名可信" in text
    line = next(line for line in text.splitlines() if "清单完整" in line)
    assert TIME.search(line) and "T" not in line.split("于", 1)[1]


def test_a_folder_without_any_package_says_so(tmp_path):
    (tmp_path / "别的文件夹").mkdir()
    results = submission.verify_folder(tmp_path)
    (_folder, (check,)), = results
    assert not check.ok and "没有找到报送包" in check.message and "不完整" not in check.message


def test_cli_verify_package_takes_a_sticks_root(stick, capsys):
    root, cer = stick
    assert main(["verify-package", str(root), "--trust", str(cer)]) == 1
    assert "共核验 3 个报送包：2 个通过，1 个未通过" in capsys.readouterr().out
    assert main(["verify-package", str(root / "乙县_2025_能力提升资金"), "--trust", str(cer)]) == 0


def test_existing_package_is_described_before_it_is_overwritten(stick, tmp_path):
    root, _cer = stick
    said = package.existing_package(root, "甲县_2025_能力提升资金")
    assert said.startswith(f"「{root / '甲县_2025_能力提升资金'}」中已有一份报送包（") and TIME.search(said)
    assert "不完整" in package.existing_package(root, "丙县_2025_能力提升资金")
    assert package.existing_package(root, "丁县_2025_能力提升资金") is None
    (tmp_path / "空").mkdir()
    assert package.existing_package(tmp_path, "空") is None
    manifest = json.loads((root / "甲县_2025_能力提升资金" / "manifest.json").read_text(encoding="utf-8"))
    assert "T" in manifest["created"]  # stored as ISO; told as 2026年11月29日 16:00
