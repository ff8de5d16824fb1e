"""`Document`: one open .yibao report. It owns the connection, keeps the current `Report` in
memory, and writes every edit through in one transaction together with its audit rows.
There is no Save; Save As copies the file with SQLite's backup API."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, Callable

from yibao_desktop import __version__
from yibao_desktop.domain.edits import Edit, DeleteRow, InsertRow, MoveRow, SetField, apply_edit
from yibao_desktop.domain.errors import DocumentError
from yibao_desktop.domain.money import fmt_money, fmt_num
from yibao_desktop.domain.report import (
    Basis,
    Expenditure,
    FundOperation,
    FundOpLine,
    Income,
    Indicator,
    Meta,
    Previous,
    Report,
    Scoring,
    Section,
    get_rows,
)
from yibao_desktop.fileio import fsync_dir
from yibao_desktop.storage import db
from yibao_desktop.storage.migrations import SCHEMA_VERSION, upgrade

MONEY_FIELDS = {"amount", "budget", "paid"}  # Income/Expenditure money columns

# collection -> (table, extra where/insert columns)
TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "basis": ("basis", {}),
    "incomes": ("income", {}),
    "expenditures": ("expenditure", {}),
    "indicators": ("indicator", {}),
    "narrative": ("narrative", {}),
    "fund_operation.income": ("fund_op_line", {"side": "income"}),
    "fund_operation.expense": ("fund_op_line", {"side": "expense"}),
}
ROW_CLASSES: dict[str, type] = {
    "basis": Basis, "incomes": Income, "expenditures": Expenditure, "indicators": Indicator,
    "narrative": Section, "fund_operation.income": FundOpLine, "fund_operation.expense": FundOpLine,
}


# ------------------------------------------------------------------------------------ codecs


def _is_money(cls: type, name: str) -> bool:
    if cls is FundOpLine:
        return name in ("budget", "actual")
    return name in MONEY_FIELDS


def encode(cls: type, name: str, value: Any) -> Any:
    """Python value -> SQLite column value (TEXT for Decimal/date, never REAL)."""
    if value is None or isinstance(value, (str, int)) and not isinstance(value, bool):
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return fmt_money(value) if _is_money(cls, name) else fmt_num(value)
    if isinstance(value, date):
        return value.isoformat()
    raise db.StorageBug(f"程序内部错误：无法保存字段 {name} 的值（类型 {type(value).__name__}）")


def _decoder(annotation: str) -> Callable[[Any], Any]:
    base = annotation.replace(" | None", "").strip()
    if base == "Decimal":
        return lambda v: None if v is None else Decimal(v)
    if base == "date":
        return lambda v: None if v is None else date.fromisoformat(v)
    if base == "bool":
        return lambda v: bool(v)
    if base == "int":
        return lambda v: None if v is None else int(v)
    return lambda v: v


_DECODERS: dict[type, dict[str, Callable[[Any], Any]]] = {
    cls: {f.name: _decoder(str(f.type)) for f in fields(cls)}
    for cls in (Basis, Income, Expenditure, FundOpLine, Indicator, Section)
}


def _kv_encode(value: Any) -> str:
    if isinstance(value, Previous):
        return json.dumps({"$prev": [value.year, format(value.available, "f"), format(value.paid, "f")]})
    if isinstance(value, Decimal):
        return json.dumps({"$d": format(value, "f")})
    if isinstance(value, tuple) and value and isinstance(value[0], tuple):  # level1_weights
        return json.dumps({"$w": [[n, format(w, "f")] for n, w in value]}, ensure_ascii=False)
    if isinstance(value, tuple):
        return json.dumps(list(value), ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False)


def _kv_decode(text: str) -> Any:
    value = json.loads(text)
    if isinstance(value, dict) and "$prev" in value:
        year, available, paid = value["$prev"]
        return Previous(int(year), Decimal(available), Decimal(paid))
    if isinstance(value, dict) and "$d" in value:
        return Decimal(value["$d"])
    if isinstance(value, dict) and "$w" in value:
        return tuple((n, Decimal(w)) for n, w in value["$w"])
    if isinstance(value, list):
        return tuple(value)
    return value


# ---------------------------------------------------------------------------------- document


def _schema_sql() -> str:
    return resources.files("yibao_desktop.storage").joinpath("schema.sql").read_text(encoding="utf-8")


def _schema_statements() -> list[str]:
    """schema.sql split into statements (comments dropped), to run inside our own transaction."""
    lines = [line.split("--", 1)[0] for line in _schema_sql().splitlines()]
    return [stmt.strip() for stmt in "\n".join(lines).split(";") if stmt.strip()]


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


class Document:
    """An open report file. Use `Document.open` or `Document.create`."""

    def __init__(self, path: Path, conn: sqlite3.Connection, report: Report, read_only: bool,
                 migrated_from: int | None = None, backup_path: Path | None = None):
        self.path = path
        self.conn = conn
        self.report = report
        self.read_only = read_only
        self.migrated_from = migrated_from
        self.backup_path = backup_path
        self._tx = db.Transactions(conn, path.name)

    # -- opening and creating ---------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str], read_only: bool = False) -> "Document":
        """Open a report. Not-ours, corrupt, truncated and too-new files raise DocumentError and
        are left untouched. An older schema is upgraded after copying the file to `.bak`
        (read-only opens upgrade an in-memory copy instead)."""
        path = Path(path)
        header = db.read_header(path)
        if not read_only and not os.access(path, os.W_OK):
            read_only = True
        conn = db.connect(path, read_only=read_only)
        try:
            db.quick_check(conn, path.name)
            migrated_from = backup = None
            if header.user_version < SCHEMA_VERSION:
                migrated_from = header.user_version
                if read_only:
                    mem = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
                    conn.backup(mem)
                    conn.close()
                    conn = mem
                else:
                    backup = path.with_name(f"{path.name}.v{header.user_version}.bak")
                    try:
                        shutil.copy2(path, backup)
                    except OSError as err:
                        raise DocumentError(
                            f"升级旧版文件前无法创建备份「{backup.name}」：{err.strerror or err}。文件未作改动。"
                        ) from None
                upgrade(db.Transactions(conn, path.name), header.user_version)
            report = _load(conn)
        except BaseException:
            conn.close()
            raise
        return cls(path, conn, report, read_only, migrated_from, backup)

    @classmethod
    def create(cls, path: str | os.PathLike[str], report: Report, overwrite: bool = False) -> "Document":
        """Write `report` to a new file (built beside it under a temporary name, then renamed)."""
        path = Path(path)
        if path.exists() and not overwrite:
            raise DocumentError(f"文件「{path.name}」已存在")
        directory = path.parent if str(path.parent) else Path(".")
        try:
            fd, tmp_name = tempfile.mkstemp(prefix=".yibao-", suffix=".tmp", dir=directory)
            os.close(fd)
        except OSError as err:
            raise DocumentError(f"无法在「{directory}」创建文件：{err.strerror or err}") from None
        tmp = Path(tmp_name)
        try:
            tmp.unlink()
            conn = db.connect(tmp)
            try:
                write_new(conn, report, path.name)
            finally:
                conn.close()
            os.replace(tmp, path)
            fsync_dir(directory)
        except OSError as err:
            tmp.unlink(missing_ok=True)
            raise DocumentError(f"无法写入文件「{path.name}」：{err.strerror or err}") from None
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return cls.open(path)

    def close(self) -> None:
        try:
            self.conn.close()
        except sqlite3.Error:
            pass

    def __enter__(self) -> "Document":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- editing ----------------------------------------------------------------------------

    def apply(self, edits: list[Edit]) -> list[Edit]:
        """Apply edits in one transaction (file and memory together); returns the undo edits.
        On any failure nothing changes, neither in the file nor in memory."""
        if self.read_only:
            raise DocumentError(f"文件「{self.path.name}」以只读方式打开，不能修改")
        report = self.report
        inverses: list[Edit] = []
        stamp = _now()
        with self._tx.transaction() as conn:
            for edit in edits:
                new_report, inverse, old = apply_edit(report, edit)
                _write_edit(conn, report, new_report, edit, old, stamp)
                inverses.append(inverse)
                report = new_report
        self.report = report
        inverses.reverse()
        return inverses

    def replace_report(self, report: Report, note: str = "整体替换") -> Report:
        """Replace all content (import, reload); returns the previous report for undo."""
        if self.read_only:
            raise DocumentError(f"文件「{self.path.name}」以只读方式打开，不能修改")
        old = self.report
        with self._tx.transaction() as conn:
            for table in ("basis", "income", "expenditure", "fund_op_line", "indicator", "narrative"):
                conn.execute(f"DELETE FROM {table}")
            conn.execute("DELETE FROM kv WHERE section IN ('meta', 'scoring', 'fund_operation')")
            _write_content(conn, report)
            conn.execute("INSERT INTO audit (at, target, field, old, new) VALUES (?, ?, ?, ?, ?)",
                         (_now(), "report", note, None, None))
        self.report = report
        return old

    def save_as(self, dest: str | os.PathLike[str]) -> None:
        """Copy the document to `dest` with the backup API (temporary name, then rename) and
        continue editing the new file."""
        dest = Path(dest)
        directory = dest.parent if str(dest.parent) else Path(".")
        try:
            fd, tmp_name = tempfile.mkstemp(prefix=".yibao-", suffix=".tmp", dir=directory)
            os.close(fd)
        except OSError as err:
            raise DocumentError(f"无法在「{directory}」写入：{err.strerror or err}") from None
        tmp = Path(tmp_name)
        try:
            target = sqlite3.connect(str(tmp), isolation_level=None)
            try:
                self.conn.backup(target)
                target.execute("PRAGMA journal_mode = DELETE")
            finally:
                target.close()
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, dest)
            fsync_dir(directory)
        except sqlite3.Error as err:
            tmp.unlink(missing_ok=True)
            raise db.classify(err, dest.name) from err
        except OSError as err:
            tmp.unlink(missing_ok=True)
            raise DocumentError(f"无法写入「{dest.name}」：{err.strerror or err}") from None
        new_conn = db.connect(dest)
        self.conn.close()
        self.conn = new_conn
        self.path = dest
        self.read_only = False
        self._tx = db.Transactions(new_conn, dest.name)

    def snapshot(self) -> bytes:
        """A consistent copy of the whole file as bytes (backup API), e.g. for a submission package."""
        with tempfile.TemporaryDirectory(prefix="yibao-snapshot-") as folder:
            tmp = Path(folder) / "copy.yibao"
            target = sqlite3.connect(str(tmp), isolation_level=None)
            try:
                self.conn.backup(target)
                target.execute("PRAGMA journal_mode = DELETE")
            except sqlite3.Error as err:
                raise db.classify(err, self.path.name) from err
            finally:
                target.close()
            return tmp.read_bytes()

    def audit(self, limit: int = 1000) -> list[dict[str, Any]]:
        try:
            rows = self.conn.execute(
                "SELECT at, target, field, old, new FROM audit ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        except sqlite3.Error as err:
            raise db.classify(err, self.path.name) from err
        return [dict(zip(("at", "target", "field", "old", "new"), r)) for r in rows]


# ------------------------------------------------------------------------------ reading


def _load(conn: sqlite3.Connection) -> Report:
    try:
        kv: dict[str, dict[str, Any]] = {}
        for section, key, value in conn.execute("SELECT section, key, value FROM kv"):
            kv.setdefault(section, {})[key] = _kv_decode(value)
        rows = {name: _load_rows(conn, name) for name in TABLES}
    except sqlite3.Error as err:
        raise db.classify(err, "报告文件") from err
    except (ValueError, KeyError, TypeError) as err:
        raise DocumentError(f"报告文件内容已损坏，无法读取（{err}）") from None
    meta_kv = kv.get("meta", {})
    try:
        meta = Meta(**meta_kv, basis=rows["basis"])
        scoring = Scoring(**kv.get("scoring", {}))
        fo_kv = kv.get("fund_operation", {})
        fund_operation = None
        if fo_kv.pop("present", False):
            fund_operation = FundOperation(**fo_kv, income=rows["fund_operation.income"],
                                           expense=rows["fund_operation.expense"])
    except TypeError as err:
        raise DocumentError(f"报告文件内容已损坏，无法读取（{err}）") from None
    return Report(meta=meta, incomes=rows["incomes"], expenditures=rows["expenditures"],
                  fund_operation=fund_operation, indicators=rows["indicators"], scoring=scoring,
                  narrative=rows["narrative"])


def _load_rows(conn: sqlite3.Connection, collection: str) -> tuple[Any, ...]:
    table, extra = TABLES[collection]
    cls = ROW_CLASSES[collection]
    decoders = _DECODERS[cls]
    names = list(decoders)
    where = " AND ".join(f"{k} = ?" for k in extra)
    sql = f"SELECT {', '.join(names)} FROM {table}{' WHERE ' + where if where else ''} ORDER BY pos"
    decs = [decoders[n] for n in names]
    return tuple(cls(*[d(v) for d, v in zip(decs, row)]) for row in conn.execute(sql, tuple(extra.values())))


# ------------------------------------------------------------------------------ writing


def write_new(conn: sqlite3.Connection, report: Report, name: str = "新文件") -> None:
    """Build a fresh file's schema and content in one transaction."""
    with db.Transactions(conn, name).transaction():
        for statement in _schema_statements():
            conn.execute(statement)
        conn.execute(f"PRAGMA application_id = {db.APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.executemany("INSERT INTO kv (section, key, value) VALUES (?, ?, ?)", [
            ("document", "created_by", json.dumps(f"yibao-desktop {__version__}")),
            ("document", "created_at", json.dumps(_now())),
        ])
        _write_content(conn, report)


def _write_content(conn: sqlite3.Connection, report: Report) -> None:
    kv_rows = []
    for f in fields(Meta):
        if f.name != "basis":
            kv_rows.append(("meta", f.name, _kv_encode(getattr(report.meta, f.name))))
    for f in fields(Scoring):
        kv_rows.append(("scoring", f.name, _kv_encode(getattr(report.scoring, f.name))))
    kv_rows.extend(_fund_operation_kv(report.fund_operation))
    conn.executemany("INSERT OR REPLACE INTO kv (section, key, value) VALUES (?, ?, ?)", kv_rows)
    for collection in TABLES:
        rows = get_rows(report, collection)
        if rows:
            _insert_rows(conn, collection, enumerate(rows))


def _fund_operation_kv(fo: FundOperation | None) -> list[tuple[str, str, str]]:
    out = [("fund_operation", "present", json.dumps(fo is not None))]
    if fo is not None:
        for f in fields(FundOperation):
            if f.name not in ("income", "expense"):
                out.append(("fund_operation", f.name, _kv_encode(getattr(fo, f.name))))
    return out


def _row_values(cls: type, row: Any) -> dict[str, Any]:
    return {f.name: encode(cls, f.name, getattr(row, f.name)) for f in fields(cls)}


def _audit_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "__dataclass_fields__"):
        return json.dumps({f.name: _audit_text(getattr(value, f.name)) for f in fields(value)},
                          ensure_ascii=False)
    if isinstance(value, tuple):
        return json.dumps([_audit_text(v) if not isinstance(v, tuple) else [_audit_text(x) for x in v]
                           for v in value], ensure_ascii=False)
    return str(value)


def _write_edit(conn: sqlite3.Connection, before: Report, after: Report, edit: Edit, old: Any,
                stamp: str) -> None:
    audit = "INSERT INTO audit (at, target, field, old, new) VALUES (?, ?, ?, ?, ?)"
    kv_upsert = "INSERT OR REPLACE INTO kv (section, key, value) VALUES (?, ?, ?)"
    if isinstance(edit, SetField):
        if edit.collection == "root":  # switch the fund-operation block on/off or replace it
            conn.execute("DELETE FROM fund_op_line")
            conn.execute("DELETE FROM kv WHERE section = 'fund_operation'")
            conn.executemany(kv_upsert, _fund_operation_kv(after.fund_operation))
            fo = after.fund_operation
            if fo is not None:
                for side in ("income", "expense"):
                    _insert_rows(conn, f"fund_operation.{side}", enumerate(getattr(fo, side)))
            conn.execute(audit, (stamp, "fund_operation", "资金运行情况", _audit_text(old), _audit_text(fo)))
            return
        if edit.index is None:
            if edit.collection == "fund_operation" and before.fund_operation is None:
                conn.executemany(kv_upsert, _fund_operation_kv(after.fund_operation))
            conn.execute(kv_upsert, (edit.collection, edit.field, _kv_encode(edit.value)))
            conn.execute(audit, (stamp, edit.collection, edit.field, _audit_text(old), _audit_text(edit.value)))
            return
        table, extra = TABLES[edit.collection]
        cls = ROW_CLASSES[edit.collection]
        where = "".join(f" AND {k} = ?" for k in extra)
        conn.execute(f"UPDATE {table} SET {edit.field} = ? WHERE pos = ?{where}",
                     (encode(cls, edit.field, edit.value), edit.index, *extra.values()))
        conn.execute(audit, (stamp, f"{edit.collection}[{edit.index}]", edit.field,
                             _audit_text(old), _audit_text(edit.value)))
        return
    table, extra = TABLES[edit.collection]
    where = "".join(f" AND {k} = ?" for k in extra)
    params = tuple(extra.values())
    if isinstance(edit, InsertRow):
        conn.execute(f"UPDATE {table} SET pos = pos + 1 WHERE pos >= ?{where}", (edit.index, *params))
        _insert_rows(conn, edit.collection, [(edit.index, edit.row)])
        conn.execute(audit, (stamp, f"{edit.collection}[{edit.index}]", "插入行", None, _audit_text(edit.row)))
    elif isinstance(edit, DeleteRow):
        conn.execute(f"DELETE FROM {table} WHERE pos = ?{where}", (edit.index, *params))
        conn.execute(f"UPDATE {table} SET pos = pos - 1 WHERE pos > ?{where}", (edit.index, *params))
        conn.execute(audit, (stamp, f"{edit.collection}[{edit.index}]", "删除行", _audit_text(old), None))
    elif isinstance(edit, MoveRow):
        src, dst = edit.src, edit.dst
        if src == dst:
            return
        conn.execute(f"UPDATE {table} SET pos = -1 WHERE pos = ?{where}", (src, *params))
        if src < dst:
            conn.execute(f"UPDATE {table} SET pos = pos - 1 WHERE pos > ? AND pos <= ?{where}", (src, dst, *params))
        else:
            conn.execute(f"UPDATE {table} SET pos = pos + 1 WHERE pos >= ? AND pos < ?{where}", (dst, src, *params))
        conn.execute(f"UPDATE {table} SET pos = ? WHERE pos = -1{where}", (dst, *params))
        conn.execute(audit, (stamp, f"{edit.collection}[{src}]", "移动行", str(src), str(dst)))


def _insert_rows(conn: sqlite3.Connection, collection: str, rows: Any) -> None:
    table, extra = TABLES[collection]
    cls = ROW_CLASSES[collection]
    names = [*extra, "pos", *(f.name for f in fields(cls))]
    sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
    conn.executemany(sql, ([*extra.values(), pos, *_row_values(cls, row).values()] for pos, row in rows))
