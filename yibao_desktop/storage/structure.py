"""Only our schema opens. The file's `sqlite_master` (tables, columns, indexes, and the absence of
triggers and views) is compared with what each schema version writes, before any statement runs
on the file's data. A file with a planted trigger, view, extra table or altered column is refused,
so nothing in it can run when we later write.

The comparison is on the SQL text that SQLite itself parses for the schema, reduced to tokens
(case, whitespace, comments and identifier quotes do not matter), so `ALTER TABLE ... ADD COLUMN`
upgrades and differently formatted but identical definitions compare equal.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from importlib import resources

from yibao_desktop.domain.limits import printable
from yibao_desktop.storage.migrations import HISTORIC_SCHEMAS, SCHEMA_VERSION, STEPS

Entry = tuple[str, str, str, tuple[str, ...] | None]  # type, name, table, tokens of sql

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<comment>--[^\n]*|/\*.*?(?:\*/|\Z))
  | (?P<string>'(?:[^']|'')*')
  | (?P<quoted>"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\])
  | (?P<word>[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*)
  | (?P<other>.)
""", re.S | re.X)
KIND_LABELS = {"table": "数据表", "index": "索引", "trigger": "触发器", "view": "视图"}
TABLE_LABELS = {"kv": "设置", "basis": "依据文件", "income": "资金来源", "expenditure": "支出明细",
                "fund_op_line": "基金运行明细", "indicator": "绩效指标", "narrative": "报告文字", "audit": "修改记录",
                "evidence": "佐证材料", "blob": "佐证材料内容"}


def _name(kind: str, name: str, table: str, ours: bool) -> str:
    """How a schema object is named in a message: ours in Chinese, anything else by the name the
    file gives it."""
    if ours and kind == "table" and name in TABLE_LABELS:
        return f"「{TABLE_LABELS[name]}」数据表"
    if ours and kind == "index" and table in TABLE_LABELS:
        return f"「{TABLE_LABELS[table]}」数据表的索引"
    return f"{KIND_LABELS.get(kind, '对象')}「{printable(name)}」"


def tokens(sql: str) -> tuple[str, ...]:
    out = []
    for m in _TOKEN.finditer(sql):
        kind, text = m.lastgroup, m.group()
        if kind in ("space", "comment"):
            continue
        if kind == "quoted":
            text = text[1:-1].lower()
        elif kind == "word":
            text = text.lower()
        out.append(text)
    return tuple(out)


def schema_statements(sql: str) -> list[str]:
    """A schema script split into statements, comments dropped (our schemas have no ';' in text)."""
    lines = [line.split("--", 1)[0] for line in sql.splitlines()]
    return [stmt.strip() for stmt in "\n".join(lines).split(";") if stmt.strip()]


def current_schema_sql() -> str:
    return resources.files("yibao_desktop.storage").joinpath("schema.sql").read_text(encoding="utf-8")


def entries(conn: sqlite3.Connection) -> frozenset[Entry]:
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    return frozenset((str(t), str(n), str(tb), None if s is None else tokens(str(s))) for t, n, tb, s in rows)


def _build(version: int, from_version: int | None) -> frozenset[Entry]:
    """The schema a file of `version` has: built fresh at that version, or built at `from_version`
    and upgraded step by step."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        start = version if from_version is None else from_version
        sql = current_schema_sql() if start == SCHEMA_VERSION else HISTORIC_SCHEMAS[start]
        for statement in schema_statements(sql):
            conn.execute(statement)
        for step_from in range(start, version):
            STEPS[step_from](conn)
        return entries(conn)
    finally:
        conn.close()


@functools.lru_cache(maxsize=None)
def expected(version: int) -> tuple[frozenset[Entry], ...]:
    """Every schema a genuine file of `version` can have (fresh, or upgraded from each older one)."""
    variants = {_build(version, None)}
    for older in HISTORIC_SCHEMAS:
        if older < version:
            variants.add(_build(version, older))
    return tuple(variants)


def problem(conn: sqlite3.Connection, version: int) -> str | None:
    """None when the file's schema is one of `version`'s; else a Chinese description of the first
    difference (triggers and views first: they are what could run)."""
    actual = entries(conn)
    variants = expected(version)
    if actual in variants:
        return None
    reference = min(variants, key=lambda v: len(v ^ actual))
    by_name = {(e[0], e[1]): e for e in reference}
    extra = sorted(actual - reference, key=lambda e: (e[0] not in ("trigger", "view"), e[0], e[1]))
    for kind, name, table, _sql in extra:
        ours = (kind, name) in by_name
        if kind in ("trigger", "view"):
            return f"含有{_name(kind, name, table, ours)}"
        if ours:
            return f"{_name(kind, name, table, ours)}的定义与标准格式不同"
        return f"含有多余的{_name(kind, name, table, ours)}"
    missing = sorted(reference - actual)
    if missing:
        kind, name, table = missing[0][0], missing[0][1], missing[0][2]
        return f"缺少{_name(kind, name, table, True)}"
    return "结构与标准格式不同"  # pragma: no cover - a difference is either extra or missing
