"""Signing the PDF report (pyHanko, PAdES B-B, offline) and verifying it.

- The unit certificate is self-signed (RSA-2048; subject CN = signer, O = unit; key usage
  digitalSignature + nonRepudiation), kept as a password-protected PKCS#12 file in the user's
  data folder, beside its public `.cer` (DER) that the unit gives to the receiving bureau.
- `sign_pdf` fills the empty signature field that a final export placed over the closing unit
  name and date (or adds one on the last page of another PDF). The visible stamp is drawn with
  ReportLab in a CJK font and imported as the field's appearance; an optional seal PNG is laid
  over the date (multiply blend, so a white background does not hide the text).
- Offline there is no timestamp authority: the signing time is the signer's own clock, and
  `verify_pdf` says so.
- Every output is written to a temp file and renamed: a failure leaves no file behind.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import logging
import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator, Sequence

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from yibao_desktop import paths
from yibao_desktop.domain import formatting as fmt
from yibao_desktop.domain.errors import UserError
from yibao_desktop.exchange.pdf.fonts import CoverageCheck, font_set
from yibao_desktop.exchange.pdf.report import (
    ATTACHMENT_NAME,
    BLOCK_W,
    KEYWORD_DRAFT,
    LINE,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    SEAL_DIAMETER,
    SEAL_KEY,
    SIGNATURE_FIELD,
)
from yibao_desktop.fileio import write_atomic, os_reason

P12_NAME = "unit-certificate.p12"
CER_NAME = "unit-certificate.cer"
MIN_PASSWORD = 6
CERT_YEARS = 10
STAMP_RED = (0.75, 0.05, 0.05)
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
CLOCK_NOTE = "签名时间取自签名人电脑的时钟，未经可信时间戳服务认证"

log = logging.getLogger(__name__)


class SigningError(UserError):
    """A certificate or signing problem with a Chinese message (wrong password, expired, …)."""


# ---------------------------------------------------------------------------------- certificates


def default_p12_path() -> Path:
    return paths.signing_dir() / P12_NAME


def default_cer_path() -> Path:
    return paths.signing_dir() / CER_NAME


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 of the DER certificate, as AB:CD:…"""
    return ":".join(f"{b:02X}" for b in cert.fingerprint(hashes.SHA256()))


def _name_part(name: x509.Name, oid) -> str:
    attrs = name.get_attributes_for_oid(oid)
    return str(attrs[0].value) if attrs else ""


@dataclass(frozen=True)
class CertificateInfo:
    unit: str
    signer: str
    fingerprint: str
    not_before: datetime
    not_after: datetime
    path: Path | None = None

    @classmethod
    def of(cls, cert: x509.Certificate, path: Path | None = None) -> "CertificateInfo":
        return cls(_name_part(cert.subject, NameOID.ORGANIZATION_NAME), _name_part(cert.subject, NameOID.COMMON_NAME),
                   fingerprint(cert), cert.not_valid_before_utc, cert.not_valid_after_utc, path)

    def describe(self) -> str:
        return (f"单位：{self.unit}\n签名人：{self.signer}\n有效期：{_local(self.not_before)} 至 {_local(self.not_after)}\n"
                f"证书指纹（SHA-256）：{self.fingerprint}")


@dataclass(frozen=True)
class Credentials:
    key: Any
    cert: x509.Certificate
    extra: tuple[x509.Certificate, ...] = ()

    @property
    def info(self) -> CertificateInfo:
        return CertificateInfo.of(self.cert)


def _local(dt: datetime) -> str:
    """A certificate or signing time (UTC) for people: '2026年11月29日 16:00', local time."""
    return fmt.timestamp(dt)


def _password_bytes(password: str | bytes) -> bytes:
    return password.encode("utf-8") if isinstance(password, str) else password


def create_certificate(unit: str, signer: str, password: str | bytes, *, path: str | os.PathLike[str] | None = None,
                       years: int = CERT_YEARS, key_type: str = "rsa", overwrite: bool = False) -> CertificateInfo:
    """A new self-signed unit certificate stored as PKCS#12 (and its .cer beside it)."""
    unit, signer = unit.strip(), signer.strip()
    if not unit or not signer:
        raise SigningError("请填写单位名称和签名人姓名")
    pw = _password_bytes(password)
    if len(pw) < MIN_PASSWORD:
        raise SigningError(f"证书密码至少 {MIN_PASSWORD} 位")
    target = Path(path) if path is not None else default_p12_path()
    if target.exists() and not overwrite:
        raise SigningError(f"「{target}」已存在；如需替换，请先备份原证书")
    key: Any = ec.generate_private_key(ec.SECP256R1()) if key_type == "ecdsa" else rsa.generate_private_key(65537, 2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, signer),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, unit)])
    now = datetime.now(timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    data = pkcs12.serialize_key_and_certificates(signer.encode("utf-8"), key, cert, None,
                                                 serialization.BestAvailableEncryption(pw))
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, data, private=True)
    write_atomic(target.with_suffix(".cer"), cert.public_bytes(serialization.Encoding.DER))
    return CertificateInfo.of(cert, target)


def load_credentials(path: str | os.PathLike[str] | None, password: str | bytes) -> Credentials:
    """Read a .p12/.pfx; wrong password, damaged file and a file without a key are told apart."""
    p = Path(path) if path is not None else default_p12_path()
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise SigningError(f"找不到证书文件「{p}」；请先创建或导入单位证书") from None
    except OSError as err:
        raise SigningError(f"无法读取证书文件「{p}」：{os_reason(err)}") from None
    # The program's own key file is "the unit certificate" to the user, not an internal file name.
    label = "单位证书" if path is None else p.name
    return parse_credentials(data, password, label)


def parse_credentials(data: bytes, password: str | bytes, label: str = "证书文件") -> Credentials:
    from asn1crypto import pkcs12 as asn1_pkcs12

    try:
        asn1_pkcs12.Pfx.load(data).native  # structure only: tells a damaged file from a wrong password
    except Exception:
        raise SigningError(f"「{label}」不是有效的 PKCS#12（.p12/.pfx）证书文件，可能已损坏") from None
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, _password_bytes(password))
    except ValueError:
        raise SigningError(f"证书密码错误，无法打开「{label}」") from None
    if key is None or cert is None:
        raise SigningError(f"「{label}」中没有私钥或证书，不能用于签名")
    return Credentials(key, cert, tuple(extra or ()))


def check_usable(creds: Credentials, now: datetime | None = None) -> None:
    """Refuse an expired or not-yet-valid certificate, or one without a signing key usage."""
    now = now or datetime.now(timezone.utc)
    cert = creds.cert
    if now > cert.not_valid_after_utc:
        raise SigningError(f"签名证书已于 {_local(cert.not_valid_after_utc)} 过期，请重新创建或导入有效的证书")
    if now < cert.not_valid_before_utc:
        raise SigningError(f"签名证书要到 {_local(cert.not_valid_before_utc)} 才生效，请检查电脑时钟")
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not (usage.digital_signature or usage.content_commitment):
        raise SigningError("该证书的用途不包括数字签名，不能用于签名")


def import_certificate(src: str | os.PathLike[str], password: str | bytes, *,
                       path: str | os.PathLike[str] | None = None, overwrite: bool = True) -> CertificateInfo:
    """Check an existing .p12/.pfx (password, key, validity) and copy it into the data folder."""
    src_path = Path(src)
    creds = load_credentials(src_path, password)
    check_usable(creds)
    target = Path(path) if path is not None else default_p12_path()
    if target.exists() and not overwrite:
        raise SigningError(f"「{target}」已存在")
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, src_path.read_bytes(), private=True)
    write_atomic(target.with_suffix(".cer"), creds.cert.public_bytes(serialization.Encoding.DER))
    return CertificateInfo.of(creds.cert, target)


def export_certificate(out: str | os.PathLike[str], *, p12: str | os.PathLike[str] | None = None,
                       password: str | bytes | None = None) -> CertificateInfo:
    """Write the public certificate (.cer, DER) for the receiving bureau."""
    p12_path = Path(p12) if p12 is not None else default_p12_path()
    cer = p12_path.with_suffix(".cer")
    cert = None
    if password is None and cer.is_file():
        try:
            cert = x509.load_der_x509_certificate(cer.read_bytes())
        except ValueError:
            cert = None
    if cert is None:
        if password is None:
            raise SigningError("需要证书密码才能导出公钥证书")
        cert = load_credentials(p12_path, password).cert
    write_atomic(out, cert.public_bytes(serialization.Encoding.DER))
    return CertificateInfo.of(cert, Path(out))


def load_trusted(path: str | os.PathLike[str]) -> x509.Certificate:
    """A receiver's trusted certificate (.cer/.crt, DER or PEM)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as err:
        raise UserError(f"无法读取证书文件「{p}」：{os_reason(err)}") from None
    for loader in (x509.load_der_x509_certificate, x509.load_pem_x509_certificate):
        try:
            return loader(data)
        except ValueError:
            continue
    raise UserError(f"「{p}」不是有效的证书文件（.cer）")


# ------------------------------------------------------------------------------------- signing


def _stamp_pdf(width: float, height: float, seal_centre: tuple[float, float] | None, unit: str, signer: str,
               when: str, short_fp: str, seal_png: bytes | None) -> bytes:
    """The visible stamp as a one-page PDF of the field's size (drawn with ReportLab)."""
    from reportlab.lib.colors import Color
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    fonts = font_set()
    check = CoverageCheck(fonts)
    lines = [f"电子签名：{unit}　签名人：{signer}", f"签名时间：{when}（签名人电脑时钟）　证书指纹：{short_fp}"]
    for text in lines:
        check.add("签名外观", "song", text)
    check.raise_if_missing()
    font = fonts.primary("song")
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(width, height), pageCompression=1)
    if seal_png is not None and seal_centre is not None:
        try:
            img = ImageReader(io.BytesIO(seal_png))
            iw, ih = img.getSize()
        except Exception:
            raise SigningError("印章图片无法读取，请使用 PNG 格式的图片") from None
        scale = SEAL_DIAMETER / max(iw, ih)
        w, h = iw * scale, ih * scale
        c.saveState()
        c.setBlendMode("Multiply")
        c.drawImage(img, seal_centre[0] - w / 2, seal_centre[1] - h / 2, w, h, mask="auto")
        c.restoreState()
    size = 8.5
    red = Color(*STAMP_RED)
    text_w = max(font.width(t, size) for t in lines)
    box_w, box_h = text_w + 12, 2 * size * 1.45 + 6
    x0 = max(0.0, width - box_w)
    y0 = max(0.0, (LINE - box_h) / 2) if height >= LINE else 0.0
    c.setStrokeColor(red)
    c.setFillColor(red)
    c.setLineWidth(0.8)
    c.roundRect(x0, y0, box_w, box_h, 3, stroke=1, fill=0)
    for k, text in enumerate(lines):
        c.setFont(font.name, size)
        c.drawString(x0 + 6, y0 + box_h - 3 - size * 1.45 * (k + 1) + size * 0.3, text)
    c.showPage()
    c.save()
    return buf.getvalue()


def _stamp_style(unit: str, signer: str, short_fp: str, seal_png: bytes | None, seal_centre):
    from pyhanko.pdf_utils import content, layout
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.stamp.base import BaseStamp
    from pyhanko.stamp.text import TextStampStyle

    class _MemoryPage(content.ImportedPdfPage):
        def __init__(self, data: bytes):
            super().__init__("<memory>")
            self.data = data

        def render(self) -> bytes:
            writer = self._ensure_writer
            xobj = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(self.data)), page_ix=0)
            name = "/Stamp" + uuid.uuid4().hex
            self.resources.xobject[name] = xobj
            x1, y1, x2, y2 = xobj.get_object()["/BBox"]
            self.box = layout.BoxConstraints(width=abs(x2 - x1), height=abs(y2 - y1))
            return name.encode("ascii") + b" Do"

    class _Stamp(BaseStamp):
        def _render_inner_content(self):
            return []

    @dataclasses.dataclass(frozen=True)
    class _Style(TextStampStyle):
        def create_stamp(self, writer, box, text_params):
            when = text_params.get("ts", "")
            data = _stamp_pdf(box.width, box.height, seal_centre, unit, signer, when, short_fp, seal_png)
            style = dataclasses.replace(self, background=_MemoryPage(data))
            return _Stamp(writer=writer, style=style, box=box)

    return _Style(
        border_width=0, background_opacity=1.0, timestamp_format=TIME_FORMAT,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN, y_align=layout.AxisAlignment.ALIGN_MIN,
            margins=layout.Margins(0, 0, 0, 0), inner_content_scaling=layout.InnerScaling.NO_SCALING),
    )


def _signature_target(reader) -> tuple[str, int | None, tuple[float, float, float, float] | None, Any]:
    """(field name, page, box, seal centre): our empty field when there is one, else a new one."""
    from pyhanko.sign import fields

    for name, value, ref in fields.enumerate_sig_fields(reader):
        if name == SIGNATURE_FIELD:
            if value is not None:
                raise SigningError("该 PDF 已经签名；如需重新签名，请重新导出正式版后再签")
            obj = ref.get_object()
            centre = obj.get(SEAL_KEY)
            return name, None, None, (float(centre[0]), float(centre[1])) if centre is not None else None
    # Another PDF: a stamp at the foot of the last page's text block.
    pages = int(reader.root["/Pages"]["/Count"])
    box = (MARGIN_LEFT, MARGIN_BOTTOM - LINE * 0.9, MARGIN_LEFT + BLOCK_W, MARGIN_BOTTOM + LINE * 0.1)
    existing = sum(1 for _ in fields.enumerate_sig_fields(reader))
    return f"{SIGNATURE_FIELD}{existing + 1}", pages - 1, box, None


def sign_bytes(data: bytes, creds: Credentials, *, seal_png: bytes | None = None) -> bytes:
    """Sign PDF bytes (PAdES B-B, SHA-256) and return the signed bytes."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    check_usable(creds)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    except (PdfError, ValueError, KeyError, IndexError):
        raise SigningError("文件不是有效的 PDF（可能已损坏），无法签名") from None
    if writer.prev.encrypted:
        raise SigningError("PDF 已加密，无法签名")
    try:
        keywords = str(writer.prev.trailer_view["/Info"].get_object().get("/Keywords", ""))
    except (KeyError, AttributeError):
        keywords = ""
    if KEYWORD_DRAFT in keywords:
        raise SigningError("这是草稿版 PDF，不能签名；请导出正式版后再签名")
    name, page, box, seal_centre = _signature_target(writer.prev)
    cert_info = creds.info
    short_fp = cert_info.fingerprint.replace(":", "")[:16]
    style = _stamp_style(cert_info.unit, cert_info.signer, short_fp, seal_png, seal_centre)
    der_key = creds.key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(creds.cert.public_bytes(serialization.Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
        cert_registry=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in creds.extra]),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=name, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
        reason="绩效自评报告定稿", location=cert_info.unit or None, name=cert_info.signer or None)
    spec = fields.SigFieldSpec(sig_field_name=name, on_page=page, box=box) if box is not None else None
    pdf_signer = signers.PdfSigner(meta, signer=signer, stamp_style=style, new_field_spec=spec)
    out = io.BytesIO()
    pdf_signer.sign_pdf(writer, output=out)
    return out.getvalue()


def sign_pdf(src: str | os.PathLike[str], out: str | os.PathLike[str], creds: Credentials, *,
             seal_png: bytes | None = None) -> Path:
    """Sign the PDF at `src` into `out` (atomically)."""
    try:
        data = Path(src).read_bytes()
    except OSError as err:
        raise UserError(f"无法读取「{src}」：{os_reason(err)}") from None
    return write_atomic(out, sign_bytes(data, creds, seal_png=seal_png))


# ---------------------------------------------------------------------------------- verification


@dataclass(frozen=True)
class SignatureReport:
    field: str
    intact: bool
    trusted: bool
    signer: str
    unit: str
    fingerprint: str
    signing_time: datetime | None
    covers_whole_file: bool
    problem: str = ""


@dataclass(frozen=True)
class VerifyResult:
    signatures: tuple[SignatureReport, ...]
    problem: str = ""  # the file could not be read, or carries no signature

    @property
    def intact(self) -> bool:
        return bool(self.signatures) and not self.problem and all(s.intact for s in self.signatures)

    @property
    def trusted(self) -> bool:
        return self.intact and all(s.trusted for s in self.signatures)

    @property
    def exit_code(self) -> int:
        """0 intact and trusted, 1 altered (or unsigned, unreadable), 2 intact but untrusted."""
        if not self.intact:
            return 1
        return 0 if self.trusted else 2


@contextlib.contextmanager
def _quiet_pyhanko() -> Iterator[None]:
    """pyHanko logs validation failures with tracebacks; the result says it all."""
    loggers = [logging.getLogger(n) for n in ("pyhanko", "pyhanko_certvalidator")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


def verify_bytes(data: bytes, trusted: Sequence[x509.Certificate] = ()) -> VerifyResult:
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    roots = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in trusted]
    with _quiet_pyhanko():
        try:
            reader = PdfFileReader(io.BytesIO(data), strict=False)
            sigs = reader.embedded_signatures
        except Exception:
            return VerifyResult((), "文件已损坏或被篡改，无法读取其中的签名")
        if not sigs:
            return VerifyResult((), "文件中没有数字签名")
        out = []
        for sig in sigs:
            vc = ValidationContext(trust_roots=roots, allow_fetching=False)
            try:
                st = validate_pdf_signature(sig, vc)
            except (SignatureValidationError, ValueError, KeyError, TypeError):
                out.append(SignatureReport(sig.field_name, False, False, "", "", "", None, False,
                                           "签名无法校验（签名数据不完整或已被改动）"))
                continue
            except Exception:  # a damaged signature container
                out.append(SignatureReport(sig.field_name, False, False, "", "", "", None, False,
                                           "签名数据已损坏"))
                continue
            cert = x509.load_der_x509_certificate(st.signing_cert.dump())
            whole = st.coverage == SignatureCoverageLevel.ENTIRE_FILE
            later_ok = st.coverage == SignatureCoverageLevel.ENTIRE_REVISION and st.docmdp_ok is not False and (
                st.modification_level is not None and st.modification_level.name in ("LTA_UPDATES", "FORM_FILLING"))
            intact = bool(st.intact and st.valid and (whole or later_ok))
            problem = ""
            if not (st.intact and st.valid):
                problem = "签名后文件内容被改动"
            elif not (whole or later_ok):
                problem = "签名后文件被追加修改"
            trusted_ok = bool(st.trusted) and intact
            if intact and not trusted_ok:
                now = datetime.now(timezone.utc)
                if now > cert.not_valid_after_utc:
                    problem = f"签名证书已于 {_local(cert.not_valid_after_utc)} 过期"
                elif not roots:
                    problem = "未提供对方单位的证书（--trust），无法确认签名人身份"
                else:
                    problem = "签名证书与提供的受信任证书不符"
            info = CertificateInfo.of(cert)
            out.append(SignatureReport(sig.field_name, intact, trusted_ok, info.signer, info.unit, info.fingerprint,
                                       st.signer_reported_dt, whole, problem))
        return VerifyResult(tuple(out))


def verify_pdf(path: str | os.PathLike[str], trusted: Sequence[x509.Certificate] = ()) -> VerifyResult:
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        return VerifyResult((), f"无法读取「{path}」：{os_reason(err)}")
    return verify_bytes(data, trusted)


def format_verification(result: VerifyResult) -> str:
    """Chinese lines for the CLI and the window."""
    if result.problem:
        return f"结论：无法确认文件完整（{result.problem}）"
    lines = []
    for n, s in enumerate(result.signatures, 1):
        if len(result.signatures) > 1:
            lines.append(f"签名 {n}：")
        lines.append(f"文件完整性：{'完好，签名后未被改动' if s.intact else '已被改动（' + (s.problem or '签名无效') + '）'}")
        if s.signer or s.unit:
            lines.append(f"签名人：{s.signer}（{s.unit}）")
        if s.fingerprint:
            lines.append(f"证书指纹（SHA-256）：{s.fingerprint}")
        if s.intact:
            lines.append(f"签名人是否可信：{'可信（与受信任证书一致）' if s.trusted else '不可信（' + s.problem + '）'}")
        if s.signing_time is not None:
            lines.append(f"签名时间：{_local(s.signing_time)}（{CLOCK_NOTE}）")
    if not result.intact:
        lines.append("结论：文件已被改动，不能作为原件使用")
    elif result.trusted:
        lines.append("结论：文件完好，签名人可信")
    else:
        lines.append("结论：文件完好，但签名人未经确认（请向报送单位索取其公钥证书 .cer 并用 --trust 核验）")
    return "\n".join(lines)


def embedded_file(data: bytes, name: str) -> bytes | None:
    """An embedded file of a PDF made by this program (None if absent or unreadable)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
        for i in range(0, len(names) - 1, 2):
            if str(names[i]) == name:
                spec = names[i + 1].get_object()
                return bytes(spec["/EF"]["/F"].get_object().data)
    except Exception:
        return None
    return None


def embedded_report_json(data: bytes) -> str | None:
    """The report JSON attached to a PDF made by this program (None if absent)."""
    payload = embedded_file(data, ATTACHMENT_NAME)
    try:
        return None if payload is None else payload.decode("utf-8")
    except UnicodeDecodeError:
        return None


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
