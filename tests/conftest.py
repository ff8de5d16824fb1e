import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from yibao_desktop import paths  # noqa: E402
from yibao_desktop.domain.interchange import report_from_json  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(autouse=True)
def _isolated_user_data(tmp_path, monkeypatch):
    """Never write into the developer's real data folder."""
    monkeypatch.setenv("YIBAO_DATA_DIR", str(tmp_path / "userdata"))


@pytest.fixture(autouse=True)
def _no_hard_exit(monkeypatch):
    """A test that runs the entry point in-process (`app.run`, `runpy` of `__main__`) gets the
    normal SystemExit: the real `hard_exit` would end pytest itself, with exit code 0. The real one
    is tested in a child process (tests/test_cli.py)."""
    from yibao_desktop import app

    def exit_normally(code: int) -> None:
        raise SystemExit(code)

    monkeypatch.setattr(app, "hard_exit", exit_normally)


def pytest_sessionfinish(session, exitstatus):
    """Leave proof that the session ran to its end (`make test` checks it): a process that ends
    in the middle of the run must not pass for a green one."""
    marker = os.environ.get("YIBAO_TESTS_FINISHED")
    if marker:
        Path(marker).write_text(f"{session.testscollected} tests, exit status {int(exitstatus)}\n", encoding="utf-8")


@pytest.fixture
def demo_report():
    return report_from_json(paths.demo_report_json().read_text(encoding="utf-8"))


@pytest.fixture
def old_demo_report(demo_report):
    """The demo as the old-version fixture files hold it (made before version 3 added the level of
    expenditure lines): upgrading them must give exactly this."""
    from dataclasses import replace

    return replace(demo_report, expenditures=tuple(replace(e, level=None) for e in demo_report.expenditures))


@pytest.fixture(scope="session")
def county_packages(tmp_path_factory):
    """30 generated county inputs for the receiving end (tests/packages.py), made once a session
    (signing costs about 0.3 s a package). Read-only: a test that changes a package copies it."""
    from tests.packages import make_county_packages

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("YIBAO_DATA_DIR", str(tmp_path_factory.mktemp("packages-userdata")))
        return make_county_packages(tmp_path_factory.mktemp("county-packages"))


@pytest.fixture(scope="session")
def county_summary(county_packages, tmp_path_factory):
    """The fixture's summary, checked serially, trusting the first certificate only."""
    from yibao_desktop.services import aggregate

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("YIBAO_DATA_DIR", str(tmp_path_factory.mktemp("summary-userdata")))
        return aggregate.aggregate(county_packages.inputs, [county_packages.trusted_cer], workers=1)
