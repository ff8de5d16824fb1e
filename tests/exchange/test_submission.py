"""The submission package: written safely to a stick, checked at the receiving end."""

import errno
import json
import os
import subprocess
from pathlib import Path

import pytest

from yibao_desktop.cli import main
from yibao_desktop.domain.errors import UserError
from yibao_desktop.domain.rules import FinalExportRefused
from yibao_desktop.exchange import signing, submission as package
from yibao_desktop.services import submission
from yibao_desktop.storage.repository import Document


class _Capture(Exception):
    """Stops make_package at the writing step, to hand its files and manifest to the tests."""


def build_files(report, data, creds):
    captured = {}

    def capture(dest, name, files, meta, **kw):
        captured.update(files=files, meta=meta)
        raise _Capture()

    original = submission.write_package
    submission.write_package = capture
    try:
        submission.make_package(report, data, ".", creds)
    except _Capture:
        return captured["files"], captured["meta"]
    finally:
        submission.write_package = original
    raise AssertionError("make_package wrote nothing")


@pytest.fixture(scope="module")
def creds(tmp_path_factory):
    p12 = tmp_path_factory.mktemp("cert") / "unit.p12"
    signing.create_certificate("示例县医疗保障局", "张三", "secret123", path=p12)
    return signing.load_credentials(p12, "secret123")


@pytest.fixture(scope="module")
def built(creds, tmp_path_factory):
    from yibao_desktop import paths
    from yibao_desktop.domain.interchange import report_from_json

    report = report_from_json(paths.demo_report_json().read_text(encoding="utf-8"))
    path = tmp_path_factory.mktemp("doc") / "demo.yibao"
    with Document.create(path, report) as doc:
        data = doc.snapshot()
    files, meta = build_files(report, data, creds)
    return report, files, meta


def test_package_is_complete_and_verifies(built, creds, tmp_path):
    report, files, meta = built
    result = package.write_package(tmp_path, package.package_name(report), files, meta)
    assert result.folder.name == "示例县医疗保障局_2025_医疗服务与保障能力提升补助资金"
    names = sorted(p.name for p in result.folder.iterdir())
    assert names == sorted([f[1] for f in files] + ["manifest.json"])
    manifest = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["signer"]["fingerprint"] == creds.info.fingerprint
    assert {f["role"] for f in manifest["files"]} == {"report_pdf", "forms_xlsx", "document"}
    checks = package.verify_package(result.folder, [creds.cert])
    assert all(c.ok for c in checks), package.format_checks(checks)
    untrusted = package.verify_package(result.folder)
    assert [c.name for c in untrusted if not c.ok] == ["签名人可信"]


def test_tampered_file_and_swapped_document_are_caught(built, creds, tmp_path):
    report, files, meta = built
    folder = package.write_package(tmp_path, "包", files, meta).folder
    pdf = next(folder.glob("*.pdf"))
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 1
    pdf.write_bytes(bytes(data))
    failed = {c.name for c in package.verify_package(folder, [creds.cert]) if not c.ok}
    assert f"文件 {pdf.name}" in failed


def test_missing_manifest_means_incomplete(tmp_path):
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    checks = package.verify_package(tmp_path)
    assert len(checks) == 1 and not checks[0].ok and "不完整" in checks[0].message


def test_final_package_refused_with_error_findings(built, creds):
    from dataclasses import replace

    report, _, _ = built
    bad = replace(report, indicators=tuple(replace(i, deviation_reason="") for i in report.indicators))
    with pytest.raises(FinalExportRefused, match="偏差原因"):
        submission.make_package(bad, b"", ".", creds)


def _assert_nothing_claims_completeness(dest: Path):
    assert not list(dest.rglob("manifest.json"))
    assert not [p for p in dest.rglob("*") if p.is_file() and not p.name.startswith(".")]


@pytest.fixture
def small_tmpfs(tmp_path):
    """A real, nearly full filesystem (CI runs as root); elsewhere the same failure is injected."""
    mount = tmp_path / "stick"
    mount.mkdir()
    if os.geteuid() == 0 and subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(mount)],
                                            capture_output=True).returncode == 0:
        yield mount, None
        subprocess.run(["umount", str(mount)], check=False)
        return

    def full_writer(path: Path, data: bytes) -> None:
        if len(data) > 100_000:
            raise UserError(f"无法写入「{path}」：磁盘（或U盘）空间已满")
        path.write_bytes(data)

    yield mount, full_writer


def test_full_stick_leaves_no_manifest(built, small_tmpfs, monkeypatch):
    report, files, meta = built
    mount, writer = small_tmpfs
    # The free-space check alone would refuse; bypass it to hit the real ENOSPC while writing.
    monkeypatch.setattr(package, "SPACE_MARGIN", -10**9)
    with pytest.raises(UserError, match="空间已满"):
        package.write_package(mount, "包", files, meta, writer=writer)
    _assert_nothing_claims_completeness(mount)


def test_free_space_is_checked_before_writing(built, small_tmpfs, monkeypatch):
    report, files, meta = built
    mount, writer = small_tmpfs
    if writer is not None:  # no real small filesystem here: the disk reports 300 KB free
        monkeypatch.setattr(package, "_free_space", lambda p: 300_000)
    with pytest.raises(UserError, match="空间不足"):
        package.write_package(mount, "包", files, meta)
    assert not any(mount.iterdir())


def test_read_only_stick(built, tmp_path):
    report, files, meta = built
    mount = tmp_path / "ro"
    mount.mkdir()
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m,ro", "tmpfs", str(mount)], capture_output=True).returncode == 0
    try:
        if mounted:
            with pytest.raises(UserError, match="只读"):
                package.write_package(mount, "包", files, meta)
        else:
            def ro_writer(path: Path, data: bytes) -> None:
                raise OSError(errno.EROFS, "Read-only file system")

            (mount / "包").mkdir()
            with pytest.raises(UserError, match="只读"):
                package.write_package(mount, "包", files, meta, writer=ro_writer)
        assert not list(mount.rglob("manifest.json"))
    finally:
        if mounted:
            subprocess.run(["umount", str(mount)], check=False)


def test_stick_pulled_out_mid_write(built, tmp_path):
    """A fault-injecting writer: the second file is cut short and the device disappears."""
    report, files, meta = built
    calls = []

    def pulled(path: Path, data: bytes) -> None:
        calls.append(path.name)
        if len(calls) == 2:
            path.write_bytes(data[: len(data) // 3])
            raise OSError(errno.EIO, "Input/output error")
        path.write_bytes(data)

    with pytest.raises(UserError, match="无法写入"):
        package.write_package(tmp_path, "包", files, meta, writer=pulled)
    _assert_nothing_claims_completeness(tmp_path)


def test_read_back_mismatch_is_detected(built, tmp_path):
    report, files, meta = built

    def corrupting(path: Path, data: bytes) -> None:
        path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]) if path.suffix == ".xlsx" else data)

    with pytest.raises(UserError, match="读回"):
        package.write_package(tmp_path, "包", files, meta, writer=corrupting)
    _assert_nothing_claims_completeness(tmp_path)


def test_cli_package_and_verify(tmp_path, capsys, creds, monkeypatch):
    from yibao_desktop import paths

    doc = tmp_path / "demo.yibao"
    assert main(["load", str(paths.demo_report_json()), str(doc)]) == 0
    p12 = tmp_path / "u.p12"
    signing.create_certificate("示例县医疗保障局", "李四", "secret123", path=p12)
    pw = tmp_path / "pw.txt"
    pw.write_text("secret123\n", encoding="utf-8")
    stick = tmp_path / "usb"
    stick.mkdir()
    before = doc.read_bytes()
    assert main(["package", str(doc), str(stick), "--p12", str(p12), "--password-file", str(pw)]) == 0
    assert doc.read_bytes() == before
    folder = next(stick.iterdir())
    assert main(["verify-package", str(folder), "--trust", str(p12.with_suffix(".cer"))]) == 0
    assert "结论：报送包完整、未被改动，签名可信。" in capsys.readouterr().out
    assert main(["verify-package", str(folder)]) == 1
    pw.write_text("wrong-pass\n", encoding="utf-8")
    other = tmp_path / "usb2"
    other.mkdir()
    assert main(["package", str(doc), str(other), "--p12", str(p12), "--password-file", str(pw)]) == 2
    assert "密码错误" in capsys.readouterr().err
    assert not any(other.iterdir())


def test_pdf_has_yoy_tables_for_a_report_started_from_last_year(built):
    import io
    from dataclasses import replace
    from decimal import Decimal

    from pypdf import PdfReader

    from yibao_desktop.services.export import pdf_bytes
    from yibao_desktop.services.nextyear import start_from

    report, _, _ = built
    new = start_from(report)
    row = next(i for i, ind in enumerate(new.indicators) if ind.name == "电子医保凭证激活率")
    inds = list(new.indicators)
    inds[row] = replace(inds[row], numerator=Decimal("500000"), denominator=Decimal("735200"))
    pdf, _ = pdf_bytes(replace(new, indicators=tuple(inds)), "draft")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "").replace(" ", "")
    assert "资金支出同比情况" in text and "上年（2025年）" in text and "60.67" in text  # 606650 元 in 万元
    assert "绩效指标同比情况" in text and "+11.92" in text


def test_a_stick_pulled_before_the_writes_gets_nothing_written_to_the_local_disk(built, tmp_path):
    """umount -l leaves an empty mount point on the local disk: the package must not land there."""
    report, files, meta = built
    mount = tmp_path / "stick"
    mount.mkdir()
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs", str(mount)], capture_output=True).returncode == 0
    place = package.place_of(mount)  # when the user chose the folder
    if mounted:
        assert place.mount_point
        subprocess.run(["umount", "-l", str(mount)], check=True)
    else:  # no mounting here: the same change of device, stated directly
        place = package.Place(place.device + 1, True)
    with pytest.raises(UserError, match="U盘可能已拔出或更换"):
        package.write_package(mount, "包", files, meta, place=place)
    assert list(mount.iterdir()) == []


def test_a_stick_swapped_before_the_manifest_leaves_no_manifest(built, tmp_path, monkeypatch):
    report, files, meta = built
    place = package.place_of(tmp_path)
    calls = []
    real = package.place_of

    def moving(dest):
        calls.append(dest)
        here = real(dest)
        return here if len(calls) < 2 else package.Place(here.device + 1, here.mount_point)

    monkeypatch.setattr(package, "place_of", moving)
    with pytest.raises(UserError, match="报送包没有写完"):
        package.write_package(tmp_path, "包", files, meta, place=place)
    _assert_nothing_claims_completeness(tmp_path)
