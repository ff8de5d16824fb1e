"""Ordered schema upgrades. `user_version` holds the schema number; a new file is built from
schema.sql at SCHEMA_VERSION; an older file is upgraded one step at a time, each step in its
own transaction (the one transaction primitive, `db.Transactions`) together with the new
user_version, after the caller has made and synced a .bak copy.

HISTORIC_SCHEMAS keeps the exact schema of every older version, so that an old file can be
compared with what that version wrote before anything runs on it (structure.py)."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:  # db imports this module for the version numbers
    from yibao_desktop.storage.db import Transactions

SCHEMA_VERSION = 4
MIN_SUPPORTED_VERSION = 1

# Version 1 as the first release wrote it (schema.sql without indicator.baseline).
HISTORIC_SCHEMAS: dict[int, str] = {1: """
CREATE TABLE kv (
    section TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT,
    PRIMARY KEY (section, key)
);
CREATE TABLE basis (
    id INTEGER PRIMARY KEY, pos INTEGER NOT NULL,
    title TEXT NOT NULL DEFAULT '', doc_no TEXT NOT NULL DEFAULT ''
);
CREATE TABLE income (
    id INTEGER PRIMARY KEY, pos INTEGER NOT NULL,
    level TEXT NOT NULL, kind TEXT NOT NULL, doc_no TEXT NOT NULL DEFAULT '', date TEXT,
    amount TEXT NOT NULL, note TEXT NOT NULL DEFAULT ''
);
CREATE TABLE expenditure (
    id INTEGER PRIMARY KEY, pos INTEGER NOT NULL,
    project TEXT NOT NULL DEFAULT '', direction TEXT NOT NULL DEFAULT '', econ_class TEXT NOT NULL DEFAULT '',
    pool TEXT NOT NULL, budget TEXT, paid TEXT NOT NULL, paid_on TEXT
);
CREATE TABLE fund_op_line (
    id INTEGER PRIMARY KEY, side TEXT NOT NULL CHECK (side IN ('income', 'expense')), pos INTEGER NOT NULL,
    category TEXT NOT NULL DEFAULT '', budget TEXT, actual TEXT NOT NULL
);
CREATE TABLE indicator (
    id INTEGER PRIMARY KEY, pos INTEGER NOT NULL,
    level1 TEXT NOT NULL DEFAULT '', level2 TEXT NOT NULL DEFAULT '', name TEXT NOT NULL DEFAULT '',
    nature TEXT, target TEXT, unit TEXT NOT NULL DEFAULT '', target_text TEXT NOT NULL DEFAULT '',
    weight TEXT NOT NULL, actual TEXT, numerator TEXT, denominator TEXT, grade TEXT, score TEXT,
    override_reason TEXT NOT NULL DEFAULT '', deviation_reason TEXT NOT NULL DEFAULT ''
);
CREATE TABLE narrative (
    id INTEGER PRIMARY KEY, pos INTEGER NOT NULL,
    key TEXT NOT NULL, heading TEXT NOT NULL DEFAULT '', text TEXT NOT NULL DEFAULT ''
);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    target TEXT NOT NULL,
    field TEXT NOT NULL,
    old TEXT,
    new TEXT
);
CREATE INDEX income_pos ON income (pos);
CREATE INDEX expenditure_pos ON expenditure (pos);
CREATE INDEX fund_op_line_pos ON fund_op_line (side, pos);
CREATE INDEX indicator_pos ON indicator (pos);
CREATE INDEX narrative_pos ON narrative (pos);
CREATE INDEX basis_pos ON basis (pos);
"""}


# Version 2 as it was written until version 3 (schema.sql before expenditure.level, income.lottery).
HISTORIC_SCHEMAS[2] = """
CREATE TABLE kv (
    section TEXT NOT NULL,          -- meta | scoring | fund_operation | document
    key TEXT NOT NULL,
    value TEXT,                     -- JSON-encoded value
    PRIMARY KEY (section, key)
);
CREATE TABLE basis (
    id INTEGER PRIMARY KEY, pos INTEGER NOT NULL,
    title TEXT NOT NULL DEFAULT '', doc_no TEXT NOT NULL DEFAULT ''
);
CREATE TABLE income (
    id INTEGER PRIMARY KEY, pos INTEGER NOT NULL,
    level TEXT NOT NULL, kind TEXT NOT NULL, doc_no TEXT NOT NULL DEFAULT '', date TEXT,
    amount TEXT NOT NULL, note TEXT NOT NULL DEFAULT ''
);
CREATE TABLE expenditure (
    id INTEGER PRIMARY KEY, pos INTEGER NOT NULL,
    project TEXT NOT NULL DEFAULT '', direction TEXT NOT NULL DEFAULT '', econ_class TEXT NOT NULL DEFAULT '',
    pool TEXT NOT NULL, budget TEXT, paid TEXT NOT NULL, paid_on TEXT
);
CREATE TABLE fund_op_line (
    id INTEGER PRIMARY KEY, side TEXT NOT NULL CHECK (side IN ('income', 'expense')), pos INTEGER NOT NULL,
    category TEXT NOT NULL DEFAULT '', budget TEXT, actual TEXT NOT NULL
);
CREATE TABLE indicator (
    id INTEGER PRIMARY KEY, pos INTEGER NOT NULL,
    level1 TEXT NOT NULL DEFAULT '', level2 TEXT NOT NULL DEFAULT '', name TEXT NOT NULL DEFAULT '',
    nature TEXT, target TEXT, unit TEXT NOT NULL DEFAULT '', target_text TEXT NOT NULL DEFAULT '',
    weight TEXT NOT NULL, actual TEXT, numerator TEXT, denominator TEXT, grade TEXT, score TEXT,
    override_reason TEXT NOT NULL DEFAULT '', deviation_reason TEXT NOT NULL DEFAULT '',
    baseline TEXT
);
CREATE TABLE narrative (
    id INTEGER PRIMARY KEY, pos INTEGER NOT NULL,
    key TEXT NOT NULL, heading TEXT NOT NULL DEFAULT '', text TEXT NOT NULL DEFAULT ''
);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,               -- local time, ISO 8601
    target TEXT NOT NULL,           -- e.g. "indicators[3]", "meta"
    field TEXT NOT NULL,            -- field name, or "插入行" / "删除行" / "移动行"
    old TEXT,
    new TEXT
);
CREATE INDEX income_pos ON income (pos);
CREATE INDEX expenditure_pos ON expenditure (pos);
CREATE INDEX fund_op_line_pos ON fund_op_line (side, pos);
CREATE INDEX indicator_pos ON indicator (pos);
CREATE INDEX narrative_pos ON narrative (pos);
CREATE INDEX basis_pos ON basis (pos);
"""


# Version 3 as it was written until version 4 (schema.sql before evidence, blobs and refunds).
HISTORIC_SCHEMAS[3] = """
CREATE TABLE kv (
    section TEXT NOT NULL,          -- meta | scoring | fund_operation | document
    key TEXT NOT NULL,
    value TEXT,                     -- JSON-encoded value
    PRIMARY KEY (section, key)
);
CREATE TABLE basis (
    id INTEGER PRIMARY KEY, pos INTEGER NOT NULL,
    title TEXT NOT NULL DEFAULT '', doc_no TEXT NOT NULL DEFAULT ''
);
CREATE TABLE income (
    id INTEGER PRIMARY KEY, pos INTEGER NOT NULL,
    level TEXT NOT NULL, kind TEXT NOT NULL, doc_no TEXT NOT NULL DEFAULT '', date TEXT,
    amount TEXT NOT NULL, note TEXT NOT NULL DEFAULT '',
    lottery INTEGER NOT NULL DEFAULT 0      -- 彩票公益金 (1) or not (0)
);
CREATE TABLE expenditure (
    id INTEGER PRIMARY KEY, pos INTEGER NOT NULL,
    project TEXT NOT NULL DEFAULT '', direction TEXT NOT NULL DEFAULT '', econ_class TEXT NOT NULL DEFAULT '',
    pool TEXT NOT NULL, budget TEXT, paid TEXT NOT NULL, paid_on TEXT,
    level TEXT                              -- the level that paid it (资金级次), NULL: not recorded
);
CREATE TABLE fund_op_line (
    id INTEGER PRIMARY KEY, side TEXT NOT NULL CHECK (side IN ('income', 'expense')), pos INTEGER NOT NULL,
    category TEXT NOT NULL DEFAULT '', budget TEXT, actual TEXT NOT NULL
);
CREATE TABLE indicator (
    id INTEGER PRIMARY KEY, pos INTEGER NOT NULL,
    level1 TEXT NOT NULL DEFAULT '', level2 TEXT NOT NULL DEFAULT '', name TEXT NOT NULL DEFAULT '',
    nature TEXT, target TEXT, unit TEXT NOT NULL DEFAULT '', target_text TEXT NOT NULL DEFAULT '',
    weight TEXT NOT NULL, actual TEXT, numerator TEXT, denominator TEXT, grade TEXT, score TEXT,
    override_reason TEXT NOT NULL DEFAULT '', deviation_reason TEXT NOT NULL DEFAULT '',
    baseline TEXT
);
CREATE TABLE narrative (
    id INTEGER PRIMARY KEY, pos INTEGER NOT NULL,
    key TEXT NOT NULL, heading TEXT NOT NULL DEFAULT '', text TEXT NOT NULL DEFAULT ''
);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,               -- local time, ISO 8601
    target TEXT NOT NULL,           -- e.g. "indicators[3]", "meta"
    field TEXT NOT NULL,            -- field name, or "插入行" / "删除行" / "移动行"
    old TEXT,
    new TEXT
);
CREATE INDEX income_pos ON income (pos);
CREATE INDEX expenditure_pos ON expenditure (pos);
CREATE INDEX fund_op_line_pos ON fund_op_line (side, pos);
CREATE INDEX indicator_pos ON indicator (pos);
CREATE INDEX narrative_pos ON narrative (pos);
CREATE INDEX basis_pos ON basis (pos);
"""


def _v1_to_v2(conn: sqlite3.Connection) -> None:
    """v2 adds the indicator baseline (last year's actual, for carry-forward and 同比)."""
    conn.execute("ALTER TABLE indicator ADD COLUMN baseline TEXT")


def _v2_to_v3(conn: sqlite3.Connection) -> None:
    """v3: the level that paid an expenditure line (exact per-level figures), 彩票公益金 incomes."""
    conn.execute("ALTER TABLE expenditure ADD COLUMN level TEXT")
    conn.execute("ALTER TABLE income ADD COLUMN lottery INTEGER NOT NULL DEFAULT 0")


def _v3_to_v4(conn: sqlite3.Connection) -> None:
    """v4: 佐证材料 (of the report, of each indicator; file contents kept once per SHA-256) and
    refund lines among the expenditures."""
    conn.execute("ALTER TABLE expenditure ADD COLUMN refund INTEGER NOT NULL DEFAULT 0")
    conn.execute("ALTER TABLE indicator ADD COLUMN evidence TEXT NOT NULL DEFAULT '[]'")
    for statement in (_EVIDENCE_TABLE, _BLOB_TABLE, _EVIDENCE_INDEX):
        conn.execute(statement)


_EVIDENCE_TABLE = """CREATE TABLE evidence (
    id INTEGER PRIMARY KEY, pos INTEGER NOT NULL,
    name TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL
)"""
_BLOB_TABLE = """CREATE TABLE blob (
    sha256 TEXT PRIMARY KEY,
    data BLOB NOT NULL
)"""
_EVIDENCE_INDEX = "CREATE INDEX evidence_pos ON evidence (pos)"

STEPS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4}


def upgrade(transactions: "Transactions", from_version: int) -> list[int]:
    """Run every step from `from_version` to SCHEMA_VERSION, each in one transaction with its
    user_version; returns the versions reached."""
    reached = []
    version = from_version
    while version < SCHEMA_VERSION:
        step = STEPS[version]
        with transactions.transaction() as conn:
            step(conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
        version += 1
        reached.append(version)
    return reached
