"""Ordered schema upgrades. `user_version` holds the schema number; a new file is built from
schema.sql at SCHEMA_VERSION; an older file is upgraded one step at a time, each step in its
own transaction together with the new user_version (after the caller has made a .bak copy)."""

from __future__ import annotations

import sqlite3
from typing import Callable

SCHEMA_VERSION = 2
MIN_SUPPORTED_VERSION = 1


def _v1_to_v2(conn: sqlite3.Connection) -> None:
    """v2 adds the indicator baseline (last year's actual, for carry-forward and 同比)."""
    conn.execute("ALTER TABLE indicator ADD COLUMN baseline TEXT")


STEPS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _v1_to_v2}


def upgrade(conn: sqlite3.Connection, from_version: int) -> list[int]:
    """Run every step from `from_version` to SCHEMA_VERSION; returns the versions reached."""
    reached = []
    version = from_version
    while version < SCHEMA_VERSION:
        step = STEPS[version]
        conn.execute("BEGIN IMMEDIATE")
        try:
            step(conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        version += 1
        reached.append(version)
    return reached
