"""Unit certificate, PAdES signature with visible stamp, verification, and the CLI around them."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pypdf import PdfReader

from yibao_desktop import cli, paths
from yibao_desktop.domain.interchange import report_from_json
from yibao_desktop.exchange import signing
from yibao_desktop.exchange.pdf.report import SIGNATURE_FIELD
from yibao_desktop.services import export, keystore

PASSWORD = "mima-2025"


@pytest.fixture(scope="module")
def demo():
    return report_from_json(paths.demo_report_json().read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def final_pdf(demo):
    return export.pdf_bytes(demo, "final", issued=date(2025, 1, 20))[0]


@pytest.fixture(scope="module")
def draft_pdf(demo):
    return export.pdf_bytes(demo, "draft", issued=date(2025, 1, 20))[0]


@pytest.fixture
def cert(tmp_path):
    info = signing.create_certificate("示例县医疗保障局", "张三", PASSWORD)
    return info


@pytest.fixture
def creds(cert):
    return signing.load_credentials(None, PASSWORD)


def _seal_png() -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (200, 200), (0, 0, 0, 0))
    ImageDraw.Draw(img).ellipse((5, 5, 195, 195), outline=(220, 0, 0, 255), width=8)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _expired_p12(path, password: str) -> None:
    key = rsa.generate_private_key(65537, 2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "李四"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "过期县医疗保障局")])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=800))
            .not_valid_after(now - timedelta(days=1)).sign(key, hashes.SHA256()))
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"x", key, cert, None, serialization.BestAvailableEncryption(password.encode())))


# ---------------------------------------------------------------------------------- certificates


def test_new_certificate_is_stored_in_the_data_folder(cert):
    assert cert.path == paths.user_data_dir() / "signing" / "unit-certificate.p12"
    assert cert.path.is_file() and cert.path.with_suffix(".cer").is_file()
    c = x509.load_der_x509_certificate(cert.path.with_suffix(".cer").read_bytes())
    assert c.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "张三"
    assert c.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "示例县医疗保障局"
    usage = c.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    assert cert.fingerprint == signing.fingerprint(c) and len(cert.fingerprint) == 95
    with pytest.raises(signing.SigningError, match="已存在"):
        signing.create_certificate("示例县医疗保障局", "张三", PASSWORD)


def test_short_password_refused(tmp_path):
    with pytest.raises(signing.SigningError, match="至少"):
        signing.create_certificate("单位", "人", "123", path=tmp_path / "c.p12")
    assert not (tmp_path / "c.p12").exists()


def test_wrong_password_and_corrupt_file_are_told_apart(cert, tmp_path):
    with pytest.raises(signing.SigningError, match="密码错误"):
        signing.load_credentials(None, "wrong-password")
    bad = tmp_path / "bad.p12"
    bad.write_bytes(b"not a certificate at all" * 10)
    with pytest.raises(signing.SigningError, match="损坏"):
        signing.load_credentials(bad, PASSWORD)
    with pytest.raises(signing.SigningError, match="找不到"):
        signing.load_credentials(tmp_path / "missing.p12", PASSWORD)


def test_import_and_export(cert, tmp_path):
    elsewhere = tmp_path / "copy.pfx"
    elsewhere.write_bytes(cert.path.read_bytes())
    target = tmp_path / "imported" / "unit.p12"
    info = signing.import_certificate(elsewhere, PASSWORD, path=target)
    assert info.fingerprint == cert.fingerprint and target.is_file()
    out = tmp_path / "unit.cer"
    exported = signing.export_certificate(out)
    assert exported.fingerprint == cert.fingerprint
    assert signing.load_trusted(out).fingerprint(hashes.SHA256()).hex().upper() == cert.fingerprint.replace(":", "")
    with pytest.raises(signing.SigningError, match="密码错误"):
        signing.import_certificate(elsewhere, "nope-nope")


def test_expired_certificate_refused_and_nothing_written(tmp_path, final_pdf):
    p12 = tmp_path / "old.p12"
    _expired_p12(p12, PASSWORD)
    src, out = tmp_path / "in.pdf", tmp_path / "out.pdf"
    src.write_bytes(final_pdf)
    creds = signing.load_credentials(p12, PASSWORD)
    with pytest.raises(signing.SigningError, match="过期"):
        signing.sign_pdf(src, out, creds)
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["in.pdf", "old.p12"]
    with pytest.raises(signing.SigningError, match="过期"):
        signing.import_certificate(p12, PASSWORD, path=tmp_path / "x.p12")


# -------------------------------------------------------------------------------------- signing


def test_signed_pdf_verifies_and_flipped_byte_is_altered(creds, cert, final_pdf):
    signed = signing.sign_bytes(final_pdf, creds, seal_png=_seal_png())
    trust = [signing.load_trusted(cert.path.with_suffix(".cer"))]
    ok = signing.verify_bytes(signed, trust)
    assert ok.exit_code == 0 and ok.intact and ok.trusted
    s = ok.signatures[0]
    assert (s.signer, s.unit, s.fingerprint) == ("张三", "示例县医疗保障局", cert.fingerprint)
    assert s.signing_time is not None and s.covers_whole_file
    text = signing.format_verification(ok)
    assert "完好" in text and "张三" in text and cert.fingerprint in text and "签名人电脑的时钟" in text
    time_line = next(line for line in text.splitlines() if line.startswith("签名时间："))
    assert re.match(r"签名时间：\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}（", time_line)  # local time, no ISO/UTC

    untrusted = signing.verify_bytes(signed)
    assert untrusted.exit_code == 2 and "未经确认" in signing.format_verification(untrusted)

    flipped = bytearray(signed)
    pos = len(final_pdf) // 2  # inside the signed byte range, in the report's own content
    flipped[pos] ^= 0x01
    altered = signing.verify_bytes(bytes(flipped), trust)
    assert altered.exit_code == 1 and "已被改动" in signing.format_verification(altered)


def test_other_certificate_is_untrusted(creds, final_pdf, tmp_path):
    signed = signing.sign_bytes(final_pdf, creds)
    other = signing.create_certificate("别的县医疗保障局", "王五", PASSWORD, path=tmp_path / "other.p12")
    result = signing.verify_bytes(signed, [signing.load_trusted(other.path.with_suffix(".cer"))])
    assert result.intact and not result.trusted and result.exit_code == 2
    assert "不符" in signing.format_verification(result)


def test_stamp_fills_the_closing_field_and_json_survives(creds, demo, final_pdf):
    signed = signing.sign_bytes(final_pdf, creds, seal_png=_seal_png())
    reader = PdfReader(io.BytesIO(signed))
    field = reader.get_fields()[SIGNATURE_FIELD]
    assert field.get("/V") is not None
    widget = [a.get_object() for p in reader.pages for a in (p.get("/Annots") or [])
              if a.get_object().get("/T") == SIGNATURE_FIELD]
    assert widget and "/AP" in widget[0]
    assert report_from_json(signing.embedded_report_json(signed)) == demo
    assert len(signed) - len(final_pdf) < 60_000


def test_draft_and_already_signed_are_refused(creds, draft_pdf, final_pdf):
    with pytest.raises(signing.SigningError, match="草稿"):
        signing.sign_bytes(draft_pdf, creds)
    signed = signing.sign_bytes(final_pdf, creds)
    with pytest.raises(signing.SigningError, match="已经签名"):
        signing.sign_bytes(signed, creds)


def test_unsigned_and_garbage_files_are_not_intact(final_pdf):
    assert signing.verify_bytes(final_pdf).exit_code == 1
    assert "没有数字签名" in signing.format_verification(signing.verify_bytes(final_pdf))
    assert signing.verify_bytes(b"%PDF-1.4 garbage").exit_code == 1


def test_export_signed_pdf_in_one_go(creds, demo, tmp_path):
    out = tmp_path / "signed.pdf"
    steps = []
    result = export.export_pdf(demo, out, "signed", creds=creds, progress=lambda p, m: steps.append(p))
    assert result.path == out and steps[-1] == 100 and result.mode == "signed"
    assert signing.verify_pdf(out).intact


# ------------------------------------------------------------------------------------------- CLI


def test_cli_round_trip(tmp_path, demo, capsys):
    from yibao_desktop.storage.repository import Document

    yibao = tmp_path / "r.yibao"
    Document.create(yibao, demo).close()
    pw = tmp_path / "pw.txt"
    pw.write_text(PASSWORD + "\n", encoding="utf-8")
    assert cli.main(["cert-new", "--unit", "示例县医疗保障局", "--signer", "张三", "--password-file", str(pw)]) == 0
    p12 = paths.user_data_dir() / "signing" / "unit-certificate.p12"
    assert cli.main(["cert-export", str(tmp_path / "unit.cer")]) == 0
    assert cli.main(["export-pdf", str(yibao), str(tmp_path / "r.pdf"), "--date", "2025-01-20"]) == 0
    assert cli.main(["sign", str(tmp_path / "r.pdf"), str(tmp_path / "s.pdf"), "--p12", str(p12),
                     "--password-file", str(pw)]) == 0
    capsys.readouterr()
    assert cli.main(["verify", str(tmp_path / "s.pdf"), "--trust", str(tmp_path / "unit.cer")]) == 0
    out = capsys.readouterr().out
    assert "文件完好，签名人可信" in out and "张三" in out
    # One trust policy: the unit's own certificate is trusted without --trust, as in the window.
    assert cli.main(["verify", str(tmp_path / "s.pdf")]) == 0
    assert keystore.verify_pdf(tmp_path / "s.pdf").exit_code == 0
    (paths.user_data_dir() / "signing" / "unit-certificate.cer").unlink()  # another PC: no own certificate
    assert cli.main(["verify", str(tmp_path / "s.pdf")]) == 2
    keystore.add_trusted(tmp_path / "unit.cer")  # the receiving bureau adds it to its trust list
    assert cli.main(["verify", str(tmp_path / "s.pdf")]) == 0
    data = bytearray((tmp_path / "s.pdf").read_bytes())
    data[len(data) // 3] ^= 0x01
    (tmp_path / "t.pdf").write_bytes(bytes(data))
    assert cli.main(["verify", str(tmp_path / "t.pdf"), "--trust", str(tmp_path / "unit.cer")]) == 1


def test_cli_wrong_password_writes_nothing(tmp_path, final_pdf, cert, capsys):
    (tmp_path / "in.pdf").write_bytes(final_pdf)
    pw = tmp_path / "pw.txt"
    pw.write_text("definitely-wrong", encoding="utf-8")
    code = cli.main(["sign", str(tmp_path / "in.pdf"), str(tmp_path / "out.pdf"), "--p12", str(cert.path),
                     "--password-file", str(pw)])
    assert code == 2 and "密码错误" in capsys.readouterr().err
    assert not (tmp_path / "out.pdf").exists()


def test_cli_final_refused_then_draft(tmp_path, capsys):
    from tests.factories import dangshan_report
    from yibao_desktop.storage.repository import Document

    yibao = tmp_path / "d.yibao"
    Document.create(yibao, dangshan_report()).close()
    assert cli.main(["export-pdf", str(yibao), str(tmp_path / "d.pdf")]) == 2
    assert "不能导出正式版" in capsys.readouterr().err and not (tmp_path / "d.pdf").exists()
    assert cli.main(["export-pdf", str(yibao), str(tmp_path / "d.pdf"), "--draft"]) == 0
    assert (tmp_path / "d.pdf").is_file()
