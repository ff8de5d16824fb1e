import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from benchmarks.generate import large_report
from yibao_desktop import paths
from yibao_desktop.domain.interchange import report_from_json


@pytest.fixture(scope="session")
def demo_report():
    return report_from_json(paths.demo_report_json().read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def large():
    return large_report()
