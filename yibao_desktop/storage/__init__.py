"""The .yibao document: one SQLite file per report (sqlite3 only, no Qt)."""
