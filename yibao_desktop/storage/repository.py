"""`Document`: one open .yibao report. It owns the connection, keeps the current `Report` in
memory, and writes every edit through in one transaction together with its audit rows.
There is no Save; Save As copies the file with SQLite's backup API.

A writable Document holds the file's lock (lock.py) until it is closed; a second writable open of
the same file, in this process or another, becomes read-only and says who holds it (`locked_by`,
`read_only_reason`). `recovered` tells that a change interrupted by a crash was rolled back.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import weakref
from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Mapping

from yibao_desktop import __version__, fileio
from yibao_desktop.domain import limits
from yibao_desktop.domain.edits import DeleteRow, Edit, InsertRow, MoveRow, SetField, apply_edit
from yibao_desktop.domain.errors import DocumentError, UserError
from yibao_desktop.domain.money import fmt_money, fmt_num
from yibao_desktop.domain.report import Attachment, FundOperation, Meta, Report, Scoring, get_rows, with_rows
from yibao_desktop.storage import db
from yibao_desktop.storage.load import (
    COLLECTION_LABELS,
    ROW_CLASSES,
    SINGLETONS,
    TABLES,
    attachments_encode,
    field_label,
    is_money,
    kv_encode,
    load_report,
    report_problem,
)
from yibao_desktop.storage.lock import DocumentLock, LockedError, LockHolder
from yibao_desktop.storage.migrations import SCHEMA_VERSION, upgrade
from yibao_desktop.storage.structure import current_schema_sql, schema_statements

LOCKED_MESSAGE = "此文件已在另一个窗口中打开"


# ------------------------------------------------------------------------------------ codecs


def encode(cls: type, name: str, value: Any) -> Any:
    """Python value -> SQLite column value (TEXT for Decimal/date, never REAL)."""
    if value is None or isinstance(value, (str, int)) and not isinstance(value, bool):
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return fmt_money(value) if is_money(cls, name) else fmt_num(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple) and all(isinstance(v, Attachment) for v in value):
        return attachments_encode(value)
    raise db.StorageBug(f"程序内部错误：无法保存字段 {name} 的值（类型 {type(value).__name__}）")


def _schema_statements() -> list[str]:
    """schema.sql split into statements (comments dropped), to run inside our own transaction."""
    return schema_statements(current_schema_sql())


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


def _folder(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


class _Resources:
    """What a Document must give back when closed or garbage-collected: its lock and the
    temporary folder of a privately recovered copy."""

    def __init__(self, lock: DocumentLock | None = None, private_dir: Path | None = None):
        self.lock = lock
        self.private_dir = private_dir

    def release(self) -> None:
        lock, self.lock = self.lock, None
        folder, self.private_dir = self.private_dir, None
        if lock is not None:
            lock.release()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def _release(resources: _Resources) -> None:
    resources.release()


def _lock_for_writing(path: Path) -> tuple[DocumentLock | None, str | None, LockHolder | None]:
    """The lock, or why the file opens read-only (and who holds it)."""
    if not os.access(path, os.W_OK):
        return None, f"文件「{path.name}」不可写（只读文件或U盘写保护），本次只能查看，不能修改。", None
    try:
        return DocumentLock.acquire(path), None, None
    except LockedError as err:
        who = err.holder.describe()
        return None, f"{LOCKED_MESSAGE}{f'：{who}' if who else ''}。本次只能查看，不能修改。", err.holder
    except OSError:
        return None, f"文件「{path.name}」所在的文件夹不可写（U盘写保护？），本次只能查看，不能修改。", None


def _lock_target(path: Path) -> DocumentLock:
    """The lock of a file about to be (over)written by create or save_as."""
    try:
        return DocumentLock.acquire(path)
    except LockedError as err:
        who = err.holder.describe()
        raise DocumentError(f"「{path.name}」{LOCKED_MESSAGE}{f'：{who}' if who else ''}。不能覆盖它，"
                            f"请先在那个窗口中关闭它，或换一个文件名。") from None
    except OSError as err:
        raise DocumentError(str(fileio.write_error(path, err))) from None


class Document:
    """An open report file. Use `Document.open` or `Document.create`.

    Attributes besides the report: `path`, `read_only` (with `read_only_reason`, Chinese, when the
    caller asked for a writable document), `locked_by` (who has it open for writing, when that
    made it read-only), `recovered` (a change interrupted by a crash was rolled back on open),
    `migrated_from` and `backup_path` (an older file was upgraded after this backup)."""

    def __init__(self, path: Path, conn: sqlite3.Connection, report: Report, read_only: bool,
                 migrated_from: int | None = None, backup_path: Path | None = None, *,
                 recovered: bool = False, locked_by: LockHolder | None = None,
                 read_only_reason: str | None = None, lock: DocumentLock | None = None,
                 private_dir: Path | None = None):
        self.path = path
        self.conn = conn
        self.report = report
        self.read_only = read_only
        self.migrated_from = migrated_from
        self.backup_path = backup_path
        self.recovered = recovered
        self.locked_by = locked_by
        self.read_only_reason = read_only_reason
        self._tx = db.Transactions(conn, path.name)
        self._resources = _Resources(lock, private_dir)
        self._finalizer = weakref.finalize(self, _release, self._resources)

    # -- opening and creating ---------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str], read_only: bool = False) -> "Document":
        """Open a report. Not-ours, corrupt, truncated, too-new and foreign-schema files raise
        DocumentError and are left untouched. A crash's hot journal is rolled back first (in a
        private copy when read-only). An older schema is upgraded after a synced `.vN.bak` copy
        (read-only opens upgrade an in-memory copy instead). A writable open of a file that is
        open for writing elsewhere, or cannot be written, comes back read-only with the reason."""
        return cls._open(Path(path), read_only)

    @classmethod
    def _open(cls, path: Path, read_only: bool, lock: DocumentLock | None = None) -> "Document":
        name = path.name
        reason = holder = None
        opened = None
        try:
            header = db.read_header(path)
            if not read_only and lock is None:
                lock, reason, holder = _lock_for_writing(path)
                read_only = lock is None
            if header.wal and not read_only:
                reason = (f"文件「{name}」被其他程序改成了 WAL 日志模式，本程序只能查看它。"
                          f"如需修改，请“另存为”一个新文件后在新文件中修改。")
                read_only = True
            if read_only and lock is not None:
                lock.release()
                lock = None
            opened = db.open_database(path, header, read_only)
            return cls._finish_open(path, opened, read_only, lock, reason, holder)
        except BaseException:
            if opened is not None:
                opened.conn.close()
                if opened.private_dir is not None:
                    shutil.rmtree(opened.private_dir, ignore_errors=True)
            if lock is not None:
                lock.release()
            raise

    @classmethod
    def _finish_open(cls, path: Path, opened: db.Opened, read_only: bool, lock: DocumentLock | None,
                     reason: str | None, holder: LockHolder | None) -> "Document":
        name = path.name
        conn = opened.conn
        version = db.check_complete(opened.file, name).user_version
        db.check_schema(conn, name, version)
        db.quick_check(conn, name)
        migrated_from = backup = None
        if version < SCHEMA_VERSION:
            # Upgrade and read an in-memory copy first: a file whose content we would refuse is
            # neither backed up nor upgraded. Read-only opens keep working on that copy.
            migrated_from = version
            mem = _upgraded_copy(conn, name, version)
            try:
                report = _load(mem, name)
            except BaseException:
                mem.close()
                raise
            if read_only:
                conn.close()
                opened.conn = conn = mem
            else:
                mem.close()
                backup = _write_backup(path, version)
                upgrade(db.Transactions(conn, name), version)
                db.check_schema(conn, name, SCHEMA_VERSION)
        report = _load(conn, name)
        try:
            _check_blobs(conn, report, name)
            if not read_only:
                _drop_unreferenced_blobs(conn, report, name)
        except sqlite3.Error as err:
            raise db.classify(err, name) from err
        if not read_only:
            fileio.remove_stale_temporaries(_folder(path))
        return cls(path, conn, report, read_only, migrated_from, backup, recovered=opened.recovered,
                   locked_by=holder, read_only_reason=reason, lock=lock, private_dir=opened.private_dir)

    @classmethod
    def create(cls, path: str | os.PathLike[str], report: Report, overwrite: bool = False,
               blobs: Mapping[str, bytes] | None = None) -> "Document":
        """Write `report` to a new file (built beside it under a temporary name, synced, then
        renamed) and open it for writing. `blobs` hold the contents of its 佐证材料 by SHA-256."""
        path = Path(path)
        problem = report_problem(report)
        if problem:
            raise DocumentError(f"无法创建「{path.name}」：{problem}")
        if os.path.lexists(path):
            if not overwrite:
                raise DocumentError(f"文件「{path.name}」已存在")
            if not path.is_file():
                raise DocumentError(f"「{path.name}」不是普通文件，不能覆盖")
        directory = _folder(path)
        fileio.remove_stale_temporaries(directory)
        lock = _lock_target(path)
        tmp: Path | None = None
        try:
            try:
                fd, tmp_name = tempfile.mkstemp(prefix=".yibao-", suffix=".tmp", dir=directory)
            except OSError as err:
                raise DocumentError(str(fileio.write_error(path, err))) from None
            tmp = Path(tmp_name)
            try:
                fileio.mark_in_use(fd)  # closed only after SQLite is done with the file
                conn = db.connect(tmp, name=path.name, create=True)
                try:
                    write_new(conn, report, path.name, blobs)
                finally:
                    conn.close()
                fileio.chmod_quietly(tmp, fileio.FILE_MODE)
            finally:
                os.close(fd)
            os.replace(tmp, path)
            tmp = None
            fileio.fsync_dir(directory)
        except OSError as err:
            lock.release()
            raise DocumentError(str(fileio.write_error(path, err))) from None
        except BaseException:
            lock.release()
            raise
        finally:
            if tmp is not None:
                tmp.unlink(missing_ok=True)
                Path(f"{tmp}-journal").unlink(missing_ok=True)
        return cls._open(path, read_only=False, lock=lock)

    def close(self) -> None:
        try:
            self.conn.close()
        except sqlite3.Error:
            pass
        self._finalizer()

    def __enter__(self) -> "Document":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- editing ----------------------------------------------------------------------------

    def _refuse_read_only(self) -> None:
        if self.read_only:
            why = f"（{self.read_only_reason.rstrip('。')}）" if self.read_only_reason else ""
            raise DocumentError(f"文件「{self.path.name}」以只读方式打开，不能修改{why}")

    def apply(self, edits: list[Edit], blobs: Mapping[str, bytes] | None = None) -> list[Edit]:
        """Apply edits in one transaction (file and memory together); returns the undo edits.
        On any failure nothing changes, neither in the file nor in memory. A value that a file
        must not hold (limits.py) is refused with a Chinese reason. `blobs` are the contents of
        files the edits attach (佐证材料), by SHA-256, stored in the same transaction."""
        self._refuse_read_only()
        report = self.report
        inverses: list[Edit] = []
        stamp = _now()
        with self._tx.transaction() as conn:
            _store_blobs(conn, blobs or {})
            i = 0
            while i < len(edits):
                run = _row_run(edits, i)
                if len(run) >= BULK_INSERTS:  # an import's new rows, or its undo: linear, not a shift per row
                    if isinstance(run[0], InsertRow):
                        report = _apply_insert_run(conn, report, run, stamp, inverses)  # type: ignore[arg-type]
                    else:
                        report = _apply_delete_run(conn, report, run, stamp, inverses)  # type: ignore[arg-type]
                    i += len(run)
                    continue
                edit = edits[i]
                new_report, inverse, old = apply_edit(report, edit)
                problem = _edit_problem(edit)
                if problem:
                    raise DocumentError(f"{problem}，修改未能保存")
                _write_edit(conn, report, new_report, edit, old, stamp)
                inverses.append(inverse)
                report = new_report
                i += 1
            if any(_touches_evidence(edit) for edit in edits):
                _check_blobs(conn, report, self.path.name)
        self.report = report
        inverses.reverse()
        return inverses

    def replace_report(self, report: Report, note: str = "整体替换") -> Report:
        """Replace all content (import, reload); returns the previous report for undo."""
        self._refuse_read_only()
        problem = report_problem(report)
        if problem:
            raise DocumentError(f"{problem}，修改未能保存")
        old = self.report
        with self._tx.transaction() as conn:
            for table in ("basis", "income", "expenditure", "fund_op_line", "indicator", "narrative", "evidence"):
                conn.execute(f"DELETE FROM {table}")
            conn.execute("DELETE FROM kv WHERE section IN ('meta', 'scoring', 'fund_operation')")
            _write_content(conn, report)
            _check_blobs(conn, report, self.path.name)
            conn.execute("INSERT INTO audit (at, target, field, old, new) VALUES (?, ?, ?, ?, ?)",
                         (_now(), "report", note, None, None))
        self.report = report
        return old

    def save_as(self, dest: str | os.PathLike[str]) -> None:
        """Copy the document to `dest` with the backup API (temporary name, synced, then renamed)
        and continue editing the new file (writable, even if this one was read-only)."""
        dest = Path(dest)
        directory = _folder(dest)
        current = self._resources.lock
        same = current is not None and _same_place(dest, self.path)
        new_lock = current if same else _lock_target(dest)
        tmp: Path | None = None
        try:
            fileio.remove_stale_temporaries(directory)
            fd, tmp_name = tempfile.mkstemp(prefix=".yibao-", suffix=".tmp", dir=directory)
            tmp = Path(tmp_name)
            try:
                fileio.mark_in_use(fd)
                target = db.connect(tmp, name=dest.name, create=True)
                try:
                    self.conn.backup(target)
                finally:
                    target.close()
                os.fsync(fd)
                fileio.chmod_quietly(tmp, fileio.FILE_MODE)
            finally:
                os.close(fd)
            os.replace(tmp, dest)
            tmp = None
            fileio.fsync_dir(directory)
            new_conn = db.connect(dest)
        except sqlite3.Error as err:
            if not same:
                new_lock.release()  # type: ignore[union-attr]
            raise db.classify(err, dest.name) from err
        except OSError as err:
            if not same:
                new_lock.release()  # type: ignore[union-attr]
            raise DocumentError(str(fileio.write_error(dest, err))) from None
        except BaseException:
            if not same:
                new_lock.release()  # type: ignore[union-attr]
            raise
        finally:
            if tmp is not None:
                tmp.unlink(missing_ok=True)
                Path(f"{tmp}-journal").unlink(missing_ok=True)
        self.conn.close()
        if not same:
            self._resources.release()
        self._resources.lock = new_lock
        self.conn = new_conn
        self.path = dest
        self.read_only = False
        self.read_only_reason = None
        self.locked_by = None
        self.recovered = False
        self._tx = db.Transactions(new_conn, dest.name)

    def blob(self, sha256: str) -> bytes:
        """The contents of an attached file (佐证材料)."""
        try:
            row = self.conn.execute("SELECT data FROM blob WHERE sha256 = ?", (sha256,)).fetchone()
        except sqlite3.Error as err:
            raise db.classify(err, self.path.name) from err
        if row is None:
            raise DocumentError(f"文件「{self.path.name}」中没有这份佐证材料的内容")
        return bytes(row[0])

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


def _same_place(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))


def _load(conn: sqlite3.Connection, name: str) -> Report:
    try:
        return load_report(conn, name)
    except sqlite3.Error as err:
        raise db.classify(err, name) from err


def _upgraded_copy(conn: sqlite3.Connection, name: str, version: int) -> sqlite3.Connection:
    """An in-memory copy of an older file, upgraded to SCHEMA_VERSION and checked."""
    mem = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    try:
        mem.execute("PRAGMA trusted_schema = OFF")
        conn.backup(mem)
        upgrade(db.Transactions(mem, name), version)
        db.check_schema(mem, name, SCHEMA_VERSION)
    except sqlite3.Error as err:
        mem.close()
        raise db.classify(err, name) from err
    except BaseException:
        mem.close()
        raise
    return mem


def _write_backup(path: Path, version: int) -> Path:
    """The `.vN.bak` copy of a file about to be upgraded, synced (file and folder) before the
    upgrade relies on it."""
    backup = path.with_name(f"{path.name}.v{version}.bak")
    try:
        data = fileio.read_regular(path)
        fileio.write_atomic(backup, data)
    except UserError as err:
        raise DocumentError(f"升级旧版文件前无法创建备份「{backup.name}」（{err}）。文件「{path.name}」未作改动。") from None
    return backup


def _edit_problem(edit: Edit) -> str | None:
    """A value that a file must not hold, with its place in Chinese; None when fine."""
    if isinstance(edit, SetField):
        if edit.collection == "root":
            return report_problem(Report(fund_operation=edit.value)) if edit.value is not None else None
        if edit.index is None:
            cls = SINGLETONS.get(edit.collection)
            problem = limits.field_problem(cls, edit.field, edit.value) if cls else None
            return problem and f"{COLLECTION_LABELS[edit.collection]}「{field_label(cls, edit.field)}」{problem}"
        cls = ROW_CLASSES[edit.collection]
        problem = limits.field_problem(cls, edit.field, edit.value)
        return problem and (f"{COLLECTION_LABELS[edit.collection]}第 {edit.index + 1} 行"
                            f"「{field_label(cls, edit.field)}」{problem}")
    if isinstance(edit, InsertRow):
        cls = ROW_CLASSES[edit.collection]
        if type(edit.row) is not cls:
            return f"{COLLECTION_LABELS[edit.collection]}：行的类型不正确"
        for name, problem in limits.row_problems(edit.row):
            return (f"{COLLECTION_LABELS[edit.collection]}第 {edit.index + 1} 行"
                    f"「{field_label(cls, name)}」{problem}")
    return None


# ------------------------------------------------------------------------------ writing


def write_new(conn: sqlite3.Connection, report: Report, name: str = "新文件",
              blobs: Mapping[str, bytes] | None = None) -> None:
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
        _store_blobs(conn, {sha: data for sha, data in (blobs or {}).items()
                            if sha in {a.sha256 for a, _ in report.attachments()}})
        _check_blobs(conn, report, name)


def _store_blobs(conn: sqlite3.Connection, blobs: Mapping[str, bytes]) -> None:
    for sha, data in blobs.items():
        if hashlib.sha256(data).hexdigest() != sha:
            raise db.StorageBug("程序内部错误：佐证材料的内容与校验值不符")
        conn.execute("INSERT OR IGNORE INTO blob (sha256, data) VALUES (?, ?)", (sha, sqlite3.Binary(data)))


def _touches_evidence(edit: Edit) -> bool:
    if isinstance(edit, SetField):
        return edit.field == "evidence"
    return edit.collection in ("evidence", "indicators")


def _check_blobs(conn: sqlite3.Connection, report: Report, name: str) -> None:
    """Every attached file's contents must be in the file (a list entry without its file is how a
    stripped or half-copied document would look)."""
    wanted = {a.sha256: a.name for a, _ in report.attachments()}
    if not wanted:
        return
    have = {row[0] for row in conn.execute("SELECT sha256 FROM blob")}
    missing = [n for sha, n in wanted.items() if sha not in have]
    if missing:
        raise DocumentError(f"文件「{name}」缺少佐证材料「{missing[0]}」的文件内容")


def _drop_unreferenced_blobs(conn: sqlite3.Connection, report: Report, name: str) -> None:
    """Contents no entry refers to any more (removed last session; undo does not outlive the
    window) are dropped on the next writable open. Nothing is written when there are none."""
    wanted = {a.sha256 for a, _ in report.attachments()}
    stale = [row[0] for row in conn.execute("SELECT sha256 FROM blob") if row[0] not in wanted]
    if stale:
        with db.Transactions(conn, name).transaction():
            conn.executemany("DELETE FROM blob WHERE sha256 = ?", [(sha,) for sha in stale])


def _write_content(conn: sqlite3.Connection, report: Report) -> None:
    kv_rows = []
    for f in fields(Meta):
        if f.name != "basis":
            kv_rows.append(("meta", f.name, kv_encode(getattr(report.meta, f.name))))
    for f in fields(Scoring):
        kv_rows.append(("scoring", f.name, kv_encode(getattr(report.scoring, f.name))))
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
                out.append(("fund_operation", f.name, kv_encode(getattr(fo, f.name))))
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
            conn.execute(kv_upsert, (edit.collection, edit.field, kv_encode(edit.value)))
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


# Consecutive row insertions at ascending positions (or deletions at descending positions, their
# undo) into one collection, from this many on, are applied in one pass: each one alone copies
# the collection and shifts the positions after it, which made a 60,000-row import quadratic.
BULK_INSERTS = 32


def _row_run(edits: list[Edit], start: int) -> list[Edit]:
    """From `start` on: InsertRows into one collection at strictly ascending positions, or
    DeleteRows from one collection at strictly descending positions."""
    first = edits[start]
    if not isinstance(first, (InsertRow, DeleteRow)):
        return []
    sign = 1 if isinstance(first, InsertRow) else -1
    run: list[Edit] = [first]
    for edit in edits[start + 1:]:
        if (type(edit) is not type(first) or edit.collection != first.collection  # type: ignore[attr-defined]
                or sign * (edit.index - run[-1].index) <= 0):  # type: ignore[attr-defined]
            break
        run.append(edit)
    return run


def _apply_insert_run(conn: sqlite3.Connection, report: Report, run: list[InsertRow], stamp: str,
                      inverses: list[Edit]) -> Report:
    """Apply `run` as if one edit after the other (same rows, positions, audit and undo edits), in
    time linear in the collection and the run."""
    collection = run[0].collection
    old = get_rows(report, collection)
    rows: list[Any] = []
    taken = 0
    for k, edit in enumerate(run):
        problem = _edit_problem(edit)
        if problem:
            raise DocumentError(f"{problem}，修改未能保存")
        if not 0 <= edit.index <= len(old) + k:
            raise UserError(f"内部错误：插入位置 {edit.index} 超出范围")
        more = edit.index - len(rows)
        rows.extend(old[taken: taken + more])
        taken += more
        rows.append(edit.row)
    rows.extend(old[taken:])
    table, extra = TABLES[collection]
    where = "".join(f" AND {k} = ?" for k in extra)
    params = tuple(extra.values())
    # Old rows between the k-th and the next insertion move down by k + 1; from the last block up,
    # so that no row is moved twice.
    bounds = [edit.index - k for k, edit in enumerate(run)] + [None]
    for k in range(len(run) - 1, -1, -1):
        lo, hi = bounds[k], bounds[k + 1]
        if hi is None:
            conn.execute(f"UPDATE {table} SET pos = pos + ? WHERE pos >= ?{where}", (k + 1, lo, *params))
        elif lo < hi:
            conn.execute(f"UPDATE {table} SET pos = pos + ? WHERE pos >= ? AND pos < ?{where}",
                         (k + 1, lo, hi, *params))
    _insert_rows(conn, collection, [(edit.index, edit.row) for edit in run])
    conn.executemany("INSERT INTO audit (at, target, field, old, new) VALUES (?, ?, ?, ?, ?)",
                     [(stamp, f"{collection}[{edit.index}]", "插入行", None, _audit_text(edit.row)) for edit in run])
    inverses.extend(DeleteRow(collection, edit.index) for edit in run)
    return with_rows(report, collection, tuple(rows))


def _apply_delete_run(conn: sqlite3.Connection, report: Report, run: list[DeleteRow], stamp: str,
                      inverses: list[Edit]) -> Report:
    """Apply `run` (descending positions) as if one edit after the other, in linear time."""
    collection = run[0].collection
    old = get_rows(report, collection)
    gone = [edit.index for edit in run]
    if not (0 <= gone[-1] and gone[0] < len(old)):
        raise UserError(f"内部错误：删除位置 {gone[0]} 超出范围")
    dropped = set(gone)
    rows = tuple(row for k, row in enumerate(old) if k not in dropped)
    table, extra = TABLES[collection]
    where = "".join(f" AND {k} = ?" for k in extra)
    params = tuple(extra.values())
    conn.executemany(f"DELETE FROM {table} WHERE pos = ?{where}", [(k, *params) for k in gone])
    # Rows between the j-th and the next deleted position (ascending) move up by j + 1; from the
    # first block down, so that no row is moved twice.
    ascending = gone[::-1] + [None]
    for j in range(len(gone)):
        lo, hi = ascending[j], ascending[j + 1]
        if hi is None:
            conn.execute(f"UPDATE {table} SET pos = pos - ? WHERE pos > ?{where}", (j + 1, lo, *params))
        elif hi - lo > 1:
            conn.execute(f"UPDATE {table} SET pos = pos - ? WHERE pos > ? AND pos < ?{where}", (j + 1, lo, hi, *params))
    conn.executemany("INSERT INTO audit (at, target, field, old, new) VALUES (?, ?, ?, ?, ?)",
                     [(stamp, f"{collection}[{k}]", "删除行", _audit_text(old[k]), None) for k in gone])
    inverses.extend(InsertRow(collection, k, old[k]) for k in gone)
    return with_rows(report, collection, rows)


def _insert_rows(conn: sqlite3.Connection, collection: str, rows: Any) -> None:
    table, extra = TABLES[collection]
    cls = ROW_CLASSES[collection]
    names = [*extra, "pos", *(f.name for f in fields(cls))]
    sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
    conn.executemany(sql, ([*extra.values(), pos, *_row_values(cls, row).values()] for pos, row in rows))
