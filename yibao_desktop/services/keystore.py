"""The unit's certificate, its seal image, the trust list, and verifying a signed PDF.

One trust policy for every verification (the CLI's `verify` and `verify-package`, the window's
核验 dialogs, `aggregate`): a signature is trusted when its certificate is the unit's own, one
the user added to the trust list (the `trusted/` folder of the data folder), or one given on the
command line with `--trust`. The CLI and the window therefore give the same verdict.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

from yibao_desktop import paths
from yibao_desktop.domain.errors import UserError
from yibao_desktop.fileio import os_reason, read_error, write_atomic

if TYPE_CHECKING:  # cryptography, pyHanko and ReportLab load when a certificate is first used
    from cryptography import x509

    from yibao_desktop.exchange.signing import CertificateInfo, Credentials, VerifyResult


def _signing():  # type: ignore[no-untyped-def]
    from yibao_desktop.exchange import signing

    return signing

SEAL_NAME = "seal.png"
TRUSTED_FOLDER = "trusted"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def seal_path() -> Path:
    return paths.signing_dir() / SEAL_NAME


def seal_bytes() -> bytes | None:
    """The seal image chosen in 签名设置, if any."""
    path = seal_path()
    try:
        return path.read_bytes() if path.is_file() else None
    except OSError as err:
        raise UserError(f"无法读取印章图片「{path}」：{os_reason(err)}") from None


def set_seal(src: str | os.PathLike[str]) -> Path:
    try:
        data = Path(src).read_bytes()
    except OSError as err:
        raise read_error(src, err) from None
    if not data.startswith(PNG_MAGIC):
        raise UserError(f"「{Path(src).name}」不是 PNG 图片；印章请使用带透明背景的 PNG 图片")
    target = seal_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(target, data)


def clear_seal() -> None:
    seal_path().unlink(missing_ok=True)


def unit_certificate() -> "CertificateInfo | None":
    """The unit certificate's public part (no password needed), or None when there is none."""
    from cryptography import x509

    signing = _signing()
    cer = signing.default_cer_path()
    if not signing.default_p12_path().is_file() or not cer.is_file():
        return None
    try:
        return signing.CertificateInfo.of(x509.load_der_x509_certificate(cer.read_bytes()), signing.default_p12_path())
    except (OSError, ValueError):
        return None


def unit_credentials(password: str, p12: str | os.PathLike[str] | None = None) -> "Credentials":
    """The signing key (wrong password, expired or unusable certificates are refused here)."""
    signing = _signing()
    creds = signing.load_credentials(p12, password)
    signing.check_usable(creds)
    return creds


def create_certificate(unit: str, signer: str, password: str, *, path: str | os.PathLike[str] | None = None,
                       overwrite: bool = False) -> "CertificateInfo":
    return _signing().create_certificate(unit, signer, password, path=path, overwrite=overwrite)


def import_certificate(src: str | os.PathLike[str], password: str) -> "CertificateInfo":
    return _signing().import_certificate(src, password)


def export_certificate(out: str | os.PathLike[str], *, p12: str | os.PathLike[str] | None = None,
                       password: str | None = None) -> "CertificateInfo":
    return _signing().export_certificate(out, p12=p12, password=password)


# ---------------------------------------------------------------------------------- trust


def trusted_dir() -> Path:
    return paths.user_data_dir() / TRUSTED_FOLDER


def trust_list() -> "list[tuple[x509.Certificate, Path]]":
    """The certificates the user added (readable ones; a damaged file is skipped)."""
    signing = _signing()
    folder = trusted_dir()
    out = []
    for path in sorted(folder.glob("*.cer")) if folder.is_dir() else []:
        try:
            out.append((signing.load_trusted(path), path))
        except UserError:
            continue
    return out


def add_trusted(src: str | os.PathLike[str]) -> "CertificateInfo":
    """Copy a receiving-side certificate (.cer) into the trust list."""
    signing = _signing()
    cert = signing.load_trusted(src)
    folder = trusted_dir()
    folder.mkdir(parents=True, exist_ok=True)
    from cryptography.hazmat.primitives import serialization

    target = folder / f"{signing.fingerprint(cert).replace(':', '')[:16]}.cer"
    write_atomic(target, cert.public_bytes(serialization.Encoding.DER))
    return signing.CertificateInfo.of(cert, target)


def remove_trusted(path: str | os.PathLike[str]) -> None:
    Path(path).unlink(missing_ok=True)


def trusted_certificates(extra: Iterable[str | os.PathLike[str]] = ()) -> "list[x509.Certificate]":
    """The one trust policy: the unit's own certificate, the trust list, and `extra` (--trust)."""
    from cryptography import x509

    signing = _signing()
    certs = [cert for cert, _ in trust_list()]
    own = signing.default_cer_path()
    if unit_certificate() is not None:
        try:
            certs.append(x509.load_der_x509_certificate(own.read_bytes()))
        except (OSError, ValueError):
            pass
    certs.extend(signing.load_trusted(p) for p in extra)
    return certs


def verify_pdf(path: str | os.PathLike[str], extra_trust: Sequence[str | os.PathLike[str]] = ()) -> "VerifyResult":
    return _signing().verify_pdf(path, trusted_certificates(extra_trust))
