"""Regenerate the schema-version fixtures in tests/data (run by hand when a schema version is added):

    .venv/bin/python tests/data/make_fixtures.py

report-v1.yibao is the demo report in schema version 1, the first file layout, whose indicator
table had no `baseline` column; report-v2.yibao is it in version 2 (no expenditure.level, no
income.lottery, no scoring.scored/profile); report-v3.yibao is it in version 3 (no 佐证材料, no
expenditure.refund). Each is made once, when its successor version is added,
and then kept as it is (regenerating report-v1 needs the program of that time).
"""

import sqlite3
from pathlib import Path

from yibao_desktop import paths
from yibao_desktop.domain.interchange import report_from_json
from yibao_desktop.storage.repository import Document

HERE = Path(__file__).resolve().parent


def make_v1() -> Path:
    out = HERE / "report-v1.yibao"
    out.unlink(missing_ok=True)
    report = report_from_json(paths.demo_report_json().read_text(encoding="utf-8"))
    Document.create(out, report).close()
    conn = sqlite3.connect(out, isolation_level=None)
    conn.execute("DROP INDEX indicator_pos")
    conn.execute("ALTER TABLE indicator DROP COLUMN baseline")
    conn.execute("CREATE INDEX indicator_pos ON indicator (pos)")
    conn.execute("PRAGMA user_version = 1")
    conn.execute("VACUUM")
    conn.close()
    return out


def make_v2() -> Path:
    """The demo report in schema version 2: no expenditure.level, no income.lottery."""
    out = HERE / "report-v2.yibao"
    out.unlink(missing_ok=True)
    report = report_from_json(paths.demo_report_json().read_text(encoding="utf-8"))
    Document.create(out, report).close()
    conn = sqlite3.connect(out, isolation_level=None)
    conn.execute("DROP INDEX expenditure_pos")
    conn.execute("ALTER TABLE expenditure DROP COLUMN level")
    conn.execute("CREATE INDEX expenditure_pos ON expenditure (pos)")
    conn.execute("DROP INDEX income_pos")
    conn.execute("ALTER TABLE income DROP COLUMN lottery")
    conn.execute("CREATE INDEX income_pos ON income (pos)")
    conn.execute("DELETE FROM kv WHERE section = 'scoring' AND key IN ('scored', 'profile')")
    conn.execute("PRAGMA user_version = 2")
    conn.execute("VACUUM")
    conn.close()
    return out


def make_v3() -> Path:
    """The demo report in schema version 3: no evidence/blob tables, no indicator.evidence, no
    expenditure.refund."""
    out = HERE / "report-v3.yibao"
    out.unlink(missing_ok=True)
    report = report_from_json(paths.demo_report_json().read_text(encoding="utf-8"))
    Document.create(out, report).close()
    conn = sqlite3.connect(out, isolation_level=None)
    conn.execute("DROP TABLE evidence")
    conn.execute("DROP TABLE blob")
    conn.execute("DROP INDEX expenditure_pos")
    conn.execute("ALTER TABLE expenditure DROP COLUMN refund")
    conn.execute("CREATE INDEX expenditure_pos ON expenditure (pos)")
    conn.execute("DROP INDEX indicator_pos")
    conn.execute("ALTER TABLE indicator DROP COLUMN evidence")
    conn.execute("CREATE INDEX indicator_pos ON indicator (pos)")
    conn.execute("PRAGMA user_version = 3")
    conn.execute("VACUUM")
    conn.close()
    return out


if __name__ == "__main__":
    print(make_v3())
