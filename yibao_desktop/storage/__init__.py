"""The .yibao document: one SQLite file per report (sqlite3 + sqlite-utils, no Qt)."""
