"""Package forgery: every file of a package is covered by the unit's signature (the PDF carries
the list of the other files and the report summary), so each forgery below fails verify-package
with a Chinese reason; malformed manifests and names that point outside the package are refused
without reading anything else."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from tests.storage.test_evidence import PDF, png_bytes
from yibao_desktop import paths
from yibao_desktop.domain.interchange import report_from_json
from yibao_desktop.exchange import signing
from yibao_desktop.exchange import submission as package
from yibao_desktop.services import evidence, submission
from yibao_desktop.storage.repository import Document


@pytest.fixture(scope="module")
def creds(tmp_path_factory):
    p12 = tmp_path_factory.mktemp("cert") / "unit.p12"
    signing.create_certificate("示例县医疗保障局", "张三", "secret123", path=p12)
    return signing.load_credentials(p12, "secret123")


def _package(folder: Path, report, creds, files=()) -> Path:
    path = folder / "doc.yibao"
    with Document.create(path, report) as doc:
        for name, data, indicator in files:
            source = folder / name
            source.write_bytes(data)
            evidence.attach(doc, source, indicator)
        snapshot = doc.snapshot()
        current = doc.report
    stick = folder / "stick"
    stick.mkdir()
    return submission.make_package(current, snapshot, stick, creds).folder


@pytest.fixture(scope="module")
def packages(creds, tmp_path_factory):
    demo = report_from_json(paths.demo_report_json().read_text(encoding="utf-8"))
    first = _package(tmp_path_factory.mktemp("a"), demo, creds,
                     [("现场检查照片.png", png_bytes(9), 0), ("培训签到表.pdf", PDF, None)])
    other = replace(demo, indicators=(replace(demo.indicators[0], actual=Decimal("99")),) + demo.indicators[1:])
    second = _package(tmp_path_factory.mktemp("b"), other, creds)
    return first, second


@pytest.fixture
def pkg(packages, tmp_path):
    copy = tmp_path / packages[0].name
    shutil.copytree(packages[0], copy)
    return copy


def failed(folder: Path, creds) -> dict[str, str]:
    return {c.name: c.message for c in package.verify_package(folder, [creds.cert]) if not c.ok}


def manifest(folder: Path) -> dict:
    return json.loads((folder / package.MANIFEST).read_text(encoding="utf-8"))


def rewrite(folder: Path, data: dict) -> None:
    (folder / package.MANIFEST).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def rehash(folder: Path, name: str) -> None:
    """What a forger does after changing a file: put its new hash in the manifest."""
    data = manifest(folder)
    content = (folder / name).read_bytes()
    for entry in data["files"]:
        if entry["name"] == name:
            entry["sha256"], entry["size"] = hashlib.sha256(content).hexdigest(), len(content)
    rewrite(folder, data)


def by_role(folder: Path, role: str) -> str:
    return next(e["name"] for e in manifest(folder)["files"] if e["role"] == role)


def test_the_genuine_package_with_evidence_verifies(pkg, creds):
    assert failed(pkg, creds) == {}
    data = manifest(pkg)
    assert data["version"] == 2
    names = [e["name"] for e in data["files"] if e["role"] == "evidence"]
    assert names == ["佐证材料_01_培训签到表.pdf", "佐证材料_02_现场检查照片.png"]
    assert (pkg / names[1]).read_bytes() == png_bytes(9)


def test_editing_the_manifest_summary_is_caught(pkg, creds):
    for key, value in (("total_score", "99.99"), ("paid", "1.00"), ("unit", "别的县医疗保障局"), ("year", 2024)):
        data = manifest(pkg)
        original = data["report"][key]
        data["report"][key] = value
        rewrite(pkg, data)
        assert "清单摘要" in failed(pkg, creds), key
        data["report"][key] = original
        rewrite(pkg, data)
    assert failed(pkg, creds) == {}


def test_an_edited_xlsx_with_its_hash_updated_is_caught(pkg, creds):
    name = by_role(pkg, "forms_xlsx")
    data = bytearray((pkg / name).read_bytes())
    data[-30] ^= 1
    (pkg / name).write_bytes(bytes(data))
    rehash(pkg, name)
    reasons = failed(pkg, creds)
    assert name in reasons["签名覆盖"] and "签名后被改动或替换" in reasons["签名覆盖"]


def test_a_wiped_audit_trail_in_the_yibao_copy_is_caught(pkg, creds):
    name = by_role(pkg, "document")
    conn = sqlite3.connect(pkg / name, isolation_level=None)
    conn.execute("DELETE FROM audit")
    conn.execute("VACUUM")
    conn.close()
    rehash(pkg, name)
    assert name in failed(pkg, creds)["签名覆盖"]


def test_another_report_swapped_in_under_the_same_certificate_is_caught(pkg, packages, creds):
    other = packages[1]
    data = manifest(pkg)
    swapped = {e["role"]: e for e in manifest(other)["files"]}
    for role in ("report_pdf", "forms_xlsx", "document"):
        old = by_role(pkg, role)
        (pkg / old).unlink()
        shutil.copy(other / swapped[role]["name"], pkg / old)
        rehash_data = (pkg / old).read_bytes()
        for entry in data["files"]:
            if entry["name"] == old:
                entry["sha256"], entry["size"] = hashlib.sha256(rehash_data).hexdigest(), len(rehash_data)
    rewrite(pkg, data)  # the manifest keeps the first report's score
    reasons = failed(pkg, creds)
    assert "清单摘要" in reasons and "签名覆盖" in reasons  # the evidence files are not in the other's list


def test_a_changed_evidence_file_fails_and_is_named(pkg, creds):
    name = next(e["name"] for e in manifest(pkg)["files"] if e["name"].endswith(".png"))
    data = bytearray((pkg / name).read_bytes())
    data[20] ^= 1
    (pkg / name).write_bytes(bytes(data))
    reasons = failed(pkg, creds)
    assert f"文件 {name}" in reasons and "与清单不一致" in reasons[f"文件 {name}"]
    rehash(pkg, name)
    reasons = failed(pkg, creds)
    assert name in reasons["签名覆盖"]
    assert "佐证材料 现场检查照片.png" in reasons


def test_a_name_pointing_outside_the_package_is_never_read(pkg, creds, tmp_path):
    outside = tmp_path / "x.yibao"
    outside.write_bytes(b"secret")
    data = manifest(pkg)
    data["files"][1]["name"] = "../x.yibao"
    rewrite(pkg, data)
    checks = package.verify_package(pkg, [creds.cert])
    assert len(checks) == 1 and not checks[0].ok
    assert "不是报送包文件夹中的文件名" in checks[0].message


@pytest.mark.parametrize("text, words", [
    ("[1, 2, 3]", "不是报送包清单"),
    ("{\"format\": \"yibao-package\", \"version\": 2, \"files\": {}}", "缺少文件列表"),
    ("{\"format\": \"yibao-package\", \"version\": \"2\"}", "版本不正确"),
    ("{\"format\": \"yibao-package\", \"version\": 9}", "高于本程序支持的版本"),
    ("not json", "不是有效的 JSON"),
    ("[" * 100000, "不是有效的 JSON"),
])
def test_malformed_manifests_get_a_clear_chinese_reason(pkg, creds, text, words):
    (pkg / package.MANIFEST).write_text(text, encoding="utf-8")
    checks = package.verify_package(pkg, [creds.cert])
    assert len(checks) == 1 and not checks[0].ok and words in checks[0].message, checks[0].message


def test_a_file_slipped_into_the_package_is_reported(pkg, creds):
    (pkg / "说明.docx").write_bytes(b"PK\x03\x04 forged")
    (pkg / "Thumbs.db").write_bytes(b"windows")  # the system's own files are no concern
    reasons = failed(pkg, creds)
    assert list(reasons) == ["多余文件"] and "说明.docx" in reasons["多余文件"]


def test_a_pdf_without_the_signed_list_is_refused(pkg, creds, tmp_path):
    """A package whose PDF does not carry the signed list (an older program's) cannot prove its
    other files: it fails with that reason."""
    from yibao_desktop.services.export import pdf_bytes

    demo = report_from_json(paths.demo_report_json().read_text(encoding="utf-8"))
    pdf, _ = pdf_bytes(demo, "signed", creds=creds)
    name = by_role(pkg, "report_pdf")
    (pkg / name).write_bytes(pdf)
    rehash(pkg, name)
    assert "签名覆盖的文件清单" in failed(pkg, creds)["签名覆盖"]
