"""Ordered schema upgrades. `user_version` holds the schema number; a new file is built from
schema.sql at SCHEMA_VERSION; an older file is upgraded one step at a time, each step in its
own transaction (the one transaction primitive, `db.Transactions`) together with the new
user_version, after the caller has made a .bak copy."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:  # db imports this module for the version numbers
    from yibao_desktop.storage.db import Transactions

SCHEMA_VERSION = 2
MIN_SUPPORTED_VERSION = 1

def _v1_to_v2(conn: sqlite3.Connection) -> None:
    """v2 adds the indicator baseline (last year's actual, for carry-forward and 同比)."""
    conn.execute("ALTER TABLE indicator ADD COLUMN baseline TEXT")


STEPS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _v1_to_v2}


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
