"""Opening, checking and transactions for .yibao files.

Opening order: recovery first, judgement second.
1. Before SQLite touches the file, only what a crash can never change is checked from the raw
   header: a regular file, the SQLite magic, our application_id, not from a newer version. A file
   that is not ours is never touched.
2. SQLite opens the file and rolls back a hot journal left by a crash. A read-only open (read-only
   medium, or a read-only command) cannot roll back in place: it recovers a private copy in a
   temporary folder and reads that (`Opened.recovered`). WAL-mode files (never written by us) are
   read the same way, so no -wal/-shm file appears beside them.
3. Only then are size, version, schema (structure.py) and integrity judged.

Durability: rollback journal, `synchronous=EXTRA`. With a DELETE journal the commit point is the
journal's removal; EXTRA syncs the folder after it, so a change reported as saved survives a power
cut (FULL does not sync the folder, and the journal can come back and undo the commit).

Errors: `classify` turns an environment failure (locked, full, read-only, not a database, I/O)
into a Chinese DocumentError naming the file, by SQLite's error code; anything else is our own bug
and becomes StorageBug (not a UserError), logged with its traceback.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sqlite3
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from yibao_desktop.domain.errors import DocumentError
from yibao_desktop.fileio import regular_file_problem
from yibao_desktop.storage import structure
from yibao_desktop.storage.migrations import MIN_SUPPORTED_VERSION, SCHEMA_VERSION

log = logging.getLogger(__name__)

APPLICATION_ID = 0x59424130  # "YBA0"
SQLITE_MAGIC = b"SQLite format 3\x00"
JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")
FILE_SUFFIX = ".yibao"
SYNCHRONOUS = "EXTRA"  # module-level so the power-cut test can show that FULL would lose saves

# SQLite primary result codes (sqlite3.h).
SQLITE_PERM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_NOMEM, SQLITE_READONLY = 3, 5, 6, 7, 8
SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_PROTOCOL = 10, 11, 13, 14, 15
SQLITE_TOOBIG, SQLITE_NOLFS, SQLITE_NOTADB = 18, 22, 26
SQLITE_READONLY_ROLLBACK = SQLITE_READONLY | (3 << 8)  # a hot journal seen by a read-only connection

_ENVIRONMENT_MESSAGES = {
    SQLITE_BUSY: "文件「{name}」正被其他程序使用，请关闭其他程序后重试",
    SQLITE_LOCKED: "文件「{name}」正被其他程序使用，请关闭其他程序后重试",
    SQLITE_FULL: "磁盘空间已满，对「{name}」的修改未能保存。请清理磁盘空间后重试。",
    SQLITE_READONLY: "文件「{name}」是只读的（或所在U盘写保护），修改未能保存",
    SQLITE_PERM: "没有权限读写文件「{name}」",
    SQLITE_CORRUPT: "文件「{name}」已损坏，无法打开",
    SQLITE_NOTADB: "文件「{name}」已损坏（不是有效的数据库文件），无法打开",
    SQLITE_IOERR: "无法读写文件「{name}」（磁盘错误或U盘已拔出）",
    SQLITE_CANTOPEN: "无法打开文件「{name}」（文件或所在文件夹不可访问，或U盘已拔出）",
    SQLITE_PROTOCOL: "无法读写文件「{name}」（文件锁定失败，可能位于不支持的网络共享上）",
    SQLITE_NOLFS: "无法读写文件「{name}」（文件过大，所在磁盘不支持）",
    SQLITE_NOMEM: "内存不足，无法处理文件「{name}」。请关闭其他程序后重试。",
    SQLITE_TOOBIG: "内容过大，无法保存到文件「{name}」",
}


class StorageBug(RuntimeError):
    """A SQLite failure that is the program's own fault (bad SQL, misuse of the API). It is not a
    UserError: the window shows it as an internal error with its traceback."""

    def __init__(self, message: str, error: BaseException | None = None):
        super().__init__(message)
        self.error = error


def error_code(err: BaseException) -> int | None:
    code = getattr(err, "sqlite_errorcode", None)
    return code if isinstance(code, int) else None


def is_environment(err: BaseException) -> bool:
    """True for failures of the disk, the file or other programs; False for our own mistakes."""
    code = error_code(err)
    return code is not None and (code & 0xFF) in _ENVIRONMENT_MESSAGES


def classify(err: sqlite3.Error, name: str) -> DocumentError | StorageBug:
    """An environment failure as a Chinese DocumentError about file `name`; anything else as a
    StorageBug, logged with its traceback. Raise the result `from err`."""
    code = error_code(err)
    if code is not None and (code & 0xFF) in _ENVIRONMENT_MESSAGES:
        return DocumentError(_ENVIRONMENT_MESSAGES[code & 0xFF].format(name=name))
    label = getattr(err, "sqlite_errorname", None) or type(err).__name__
    log.error("SQLite error on %s (%s), a program error", name, label,
              exc_info=(type(err), err, err.__traceback__))
    return StorageBug(f"程序内部错误：读写「{name}」时数据库操作出错（{label}）。"
                      f"文件没有被改动，请把此问题告诉开发人员。", err)


translate = classify  # the name callers used before the classification by error code


# ------------------------------------------------------------------------------------ header


@dataclass(frozen=True)
class Header:
    page_size: int
    page_count: int
    user_version: int
    application_id: int
    change_counter: int = 0
    valid_for: int = 0
    wal: bool = False
    size: int = 0


def _read_head(path: Path, name: str) -> tuple[bytes, int]:
    problem = regular_file_problem(path)
    if problem:
        raise DocumentError(problem)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        try:
            size = os.fstat(fd).st_size
            head = os.read(fd, 100)
        finally:
            os.close(fd)
    except PermissionError:
        raise DocumentError(f"没有权限读取文件「{name}」") from None
    except OSError:
        raise DocumentError(f"无法读取文件「{name}」（磁盘错误或U盘已拔出）") from None
    return head, size


def read_header(path: Path, name: str | None = None) -> Header:
    """Read and check the 100-byte SQLite header for what no crash can change (magic, our
    application_id, not newer than us); raise DocumentError with a Chinese reason. Nothing is
    written and no SQLite connection is made, so a file that is not ours stays untouched."""
    name = name or path.name
    head, size = _read_head(path, name)
    if size == 0:
        raise DocumentError(f"文件「{name}」是空文件，不是报告文件")
    if not head.startswith(SQLITE_MAGIC):
        if head.startswith(b"PK\x03\x04"):
            kind = "Word／Excel 等 Office 文档或压缩包"
        elif head.startswith(b"%PDF"):
            kind = "PDF 文件"
        elif head.startswith(b"\xd0\xcf\x11\xe0"):
            kind = "旧版 Office 文档（.doc／.xls）"
        else:
            kind = "其他类型的文件"
        raise DocumentError(f"「{name}」是{kind}，不是医保绩效自评报告文件（.yibao）")
    if len(head) < 100:
        raise DocumentError(f"文件「{name}」不完整（可能复制时中断），无法打开")
    page_size = struct.unpack(">H", head[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    wal = head[18] == 2 or head[19] == 2
    change_counter, page_count = struct.unpack(">II", head[24:32])
    user_version = struct.unpack(">i", head[60:64])[0]
    application_id = struct.unpack(">i", head[68:72])[0]
    valid_for = struct.unpack(">I", head[92:96])[0]
    if application_id != APPLICATION_ID:
        raise DocumentError(f"「{name}」是一个 SQLite 数据库，但不是医保绩效自评报告文件（.yibao）")
    if user_version > SCHEMA_VERSION:
        raise DocumentError(
            f"「{name}」由更新版本的医保绩效自评助手创建（文件格式版本 {user_version}，"
            f"本程序最高支持版本 {SCHEMA_VERSION}）。为避免损坏文件，本程序不会打开它，请升级程序后再打开。")
    return Header(page_size, page_count, user_version, application_id, change_counter, valid_for, wal, size)


def check_complete(file: Path, name: str) -> Header:
    """After recovery: the file is as long as its header says, and its version is one we read."""
    header = read_header(file, name)
    if header.valid_for == header.change_counter and header.page_count \
            and header.size < header.page_size * header.page_count:
        raise DocumentError(
            f"文件「{name}」不完整（应为 {header.page_size * header.page_count} 字节，实际 {header.size} 字节），"
            f"可能复制时中断或U盘被拔出。请从原始位置重新复制。")
    if header.user_version < MIN_SUPPORTED_VERSION:
        raise DocumentError(f"「{name}」的文件格式版本 {header.user_version} 无效，文件可能已损坏")
    return header


# ------------------------------------------------------------------------------- connections


def connect(path: Path, read_only: bool = False, name: str | None = None, create: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit, see `Transactions`). The file
    must exist unless `create`. Schema code never runs with side effects (trusted_schema=OFF)."""
    name = name or path.name
    mode = "ro" if read_only else ("rwc" if create else "rw")
    try:
        conn = sqlite3.connect(f"{Path(os.path.abspath(path)).as_uri()}?mode={mode}", uri=True,
                               isolation_level=None, check_same_thread=False)
    except sqlite3.Error as err:
        raise classify(err, name) from err
    try:
        conn.execute("PRAGMA trusted_schema = OFF")
        conn.execute("PRAGMA cell_size_check = ON")
        conn.execute("PRAGMA busy_timeout = 3000")
        conn.execute("PRAGMA foreign_keys = ON")
        if not read_only:
            conn.execute("PRAGMA journal_mode = DELETE")  # reads the file: a hot journal is rolled back
            conn.execute(f"PRAGMA synchronous = {SYNCHRONOUS}")
    except sqlite3.Error as err:
        conn.close()
        raise classify(err, name) from err
    return conn


@dataclass
class Opened:
    """A connection to a checked-for-recovery file: the document itself, or a private copy."""

    conn: sqlite3.Connection
    file: Path                     # what the connection reads
    recovered: bool = False        # a crashed change was rolled back
    private_dir: Path | None = None  # temporary folder of a private copy; remove when done


def _first_read(conn: sqlite3.Connection) -> None:
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()


def _journal_is_hot_candidate(journal: Path) -> bool:
    try:
        with open(journal, "rb") as fh:
            return fh.read(8) == JOURNAL_MAGIC
    except OSError:
        return False


def _open_error(err: sqlite3.Error, file: Path, name: str) -> Exception:
    """A failure of the first read: 'incomplete' says more than 'corrupt' when it applies."""
    if is_environment(err):
        check_complete(file, name)
    return classify(err, name)


def open_database(path: Path, header: Header, read_only: bool) -> Opened:
    """Connect, letting SQLite roll back a hot journal first (see the module docstring)."""
    name = path.name
    if header.wal:
        return _private_copy(path, name, "-wal")
    journal = Path(f"{path}-journal")
    if not read_only:
        had_journal = _journal_is_hot_candidate(journal)
        try:
            conn = connect(path, name=name)
        except DocumentError:
            check_complete(path, name)
            raise
        try:
            _first_read(conn)
            recovered = had_journal and not _journal_is_hot_candidate(journal)
            if os.path.lexists(journal):
                _remove_dead_journal(conn, journal, name)
        except sqlite3.Error as err:
            conn.close()
            raise _open_error(err, path, name) from err
        except BaseException:
            conn.close()
            raise
        return Opened(conn, path, recovered=recovered)
    conn = connect(path, read_only=True, name=name)
    try:
        _first_read(conn)
    except sqlite3.Error as err:
        conn.close()
        # SQLITE_READONLY_ROLLBACK is SQLite's word for "a hot journal I may not roll back";
        # any other failure with a valid journal beside the file gets the same private recovery.
        if error_code(err) != SQLITE_READONLY_ROLLBACK and not _journal_is_hot_candidate(journal):
            raise _open_error(err, path, name) from err
    else:
        return Opened(conn, path)
    return _private_copy(path, name, "-journal")


def _remove_dead_journal(conn: sqlite3.Connection, journal: Path, name: str) -> None:
    """A journal that survived the first read is not hot (a crash before its header was valid):
    SQLite ignores it but never removes it. Holding SQLite's write lock proves that nobody is
    writing through it, so it is removed."""
    with Transactions(conn, name).transaction():
        try:
            journal.unlink()
        except FileNotFoundError:
            pass
        except OSError:
            return  # harmless: SQLite keeps ignoring it


def _identity(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


class _Changed(Exception):
    pass


def _private_copy(path: Path, name: str, sidecar: str) -> Opened:
    """Copy the file and its journal (or WAL) into a private temporary folder, let SQLite recover
    the copy there, and open the copy read-only. The original and its folder are not touched."""
    source_side = Path(f"{path}{sidecar}")
    for _attempt in range(5):
        folder = Path(tempfile.mkdtemp(prefix="yibao-recovered-"))
        copy = folder / "copy.yibao"
        try:
            before = _identity(source_side)
            shutil.copyfile(path, copy)
            if before is not None:
                shutil.copyfile(source_side, Path(f"{copy}{sidecar}"))
            if _identity(source_side) != before:
                raise _Changed  # another process recovered or committed meanwhile: copy again
            conn = connect(copy, name=name)  # rolls back the journal / checkpoints the WAL, in the copy
            try:
                _first_read(conn)
            finally:
                conn.close()
            conn = connect(copy, read_only=True, name=name)
            _first_read(conn)
        except _Changed:
            shutil.rmtree(folder, ignore_errors=True)
            continue
        except FileNotFoundError:
            shutil.rmtree(folder, ignore_errors=True)
            continue
        except OSError:
            shutil.rmtree(folder, ignore_errors=True)
            raise DocumentError(f"无法读取文件「{name}」（磁盘错误，或临时文件夹空间不足）") from None
        except sqlite3.Error as err:
            shutil.rmtree(folder, ignore_errors=True)
            raise _open_error(err, copy, name) from err
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return Opened(conn, copy, recovered=sidecar == "-journal", private_dir=folder)
    raise DocumentError(f"文件「{name}」正被其他程序不断修改，暂时无法读取，请稍后再试")


def check_schema(conn: sqlite3.Connection, name: str, version: int) -> None:
    """Refuse a file whose tables, columns or indexes are not exactly those of `version`, or that
    holds triggers or views (they could run code on our next write)."""
    try:
        problem = structure.problem(conn, version)
    except sqlite3.Error as err:
        raise classify(err, name) from err
    if problem:
        raise DocumentError(
            f"文件「{name}」的内部结构与医保绩效自评报告（格式版本 {version}）不符：{problem}。"
            f"文件可能被其他程序改动过，为安全起见，本程序不会打开它。")


def quick_check(conn: sqlite3.Connection, name: str) -> None:
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.Error as err:
        raise classify(err, name) from err
    if rows != [("ok",)]:
        raise DocumentError(f"文件「{name}」已损坏（数据库完整性检查未通过），无法打开")


# ------------------------------------------------------------------------------ transactions


class Transactions:
    """The one transaction primitive (STYLE.md §9): nested calls become savepoints. Edits,
    migrations and building a new file all go through it; nothing else begins, commits or rolls
    back. SQLite errors leave it classified (`classify`)."""

    def __init__(self, conn: sqlite3.Connection, name: str):
        self.conn = conn
        self.name = name
        self.depth = 0

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self.conn
        if self.depth:
            savepoint = f"sp{self.depth}"
            conn.execute(f"SAVEPOINT {savepoint}")
            self.depth += 1
            try:
                yield conn
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute(f"ROLLBACK TO {savepoint}")
                    conn.execute(f"RELEASE {savepoint}")
                raise
            else:
                conn.execute(f"RELEASE {savepoint}")
            finally:
                self.depth -= 1
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as err:
            raise classify(err, self.name) from err
        self.depth = 1
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise classify(exc, self.name) from exc
            raise
        finally:
            self.depth = 0
