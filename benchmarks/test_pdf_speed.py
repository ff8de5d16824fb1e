"""Speed goals of the signed PDF report (issue 4). Run with `make bench`; figures go in the issue note.

- build, sign and save a 30-page report: ≤ 1.5 s median (fonts already loaded: the first export of
  a session pays 0.1-0.3 s more for them)
- verify the signed report: ≤ 100 ms median
- the signed 30-page report: ≤ 400 KB (asserted)
"""

from datetime import date

import pytest

from tests.exchange.pdf.test_report import build_pdf, long_report
from yibao_desktop.exchange import signing
from yibao_desktop.services import export

MAX_SIZE = 400 * 1024


@pytest.fixture(scope="module")
def report30():
    return long_report()


@pytest.fixture(scope="module")
def creds(tmp_path_factory):
    path = tmp_path_factory.mktemp("cert") / "unit.p12"
    signing.create_certificate("示例县医疗保障局", "张三", "bench-password", path=path)
    return signing.load_credentials(path, "bench-password")


def test_build_sign_save_30_pages(benchmark, report30, creds, tmp_path):
    build_pdf(report30, draft=False, issued=date(2025, 1, 20))  # load the fonts outside the timing
    out = tmp_path / "signed.pdf"
    result = benchmark(export.export_pdf, report30, out, "signed", creds=creds, issued=date(2025, 1, 20))
    assert 28 <= result.pages <= 40
    assert result.size == out.stat().st_size <= MAX_SIZE, f"{result.size // 1024} KB"


def test_verify_signed_30_pages(benchmark, report30, creds, tmp_path):
    signed = signing.sign_bytes(build_pdf(report30, issued=date(2025, 1, 20)).data, creds)
    trust = [creds.cert]
    result = benchmark(signing.verify_bytes, signed, trust)
    assert result.exit_code == 0
