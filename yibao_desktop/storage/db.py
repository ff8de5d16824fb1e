"""Opening, checking and transactions for .yibao files.

The file is checked from its raw header before SQLite ever opens it, so a file that is not ours
(another database, a .docx, random bytes, a truncated copy, a newer version) is never touched.
Rollback journal + synchronous=FULL: the report is one file, and a committed change survives a
crash or power cut.

Errors: `classify` turns an environment failure (locked, full, read-only, not a database, I/O)
into a Chinese DocumentError naming the file, by SQLite's error code; anything else is our own bug
and becomes StorageBug (not a UserError), logged with its traceback.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from yibao_desktop.domain.errors import DocumentError
from yibao_desktop.storage.migrations import MIN_SUPPORTED_VERSION, SCHEMA_VERSION

log = logging.getLogger(__name__)

APPLICATION_ID = 0x59424130  # "YBA0"
SQLITE_MAGIC = b"SQLite format 3\x00"
FILE_SUFFIX = ".yibao"

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


@dataclass(frozen=True)
class Header:
    page_size: int
    page_count: int
    user_version: int
    application_id: int


def read_header(path: Path) -> Header:
    """Read and check the 100-byte SQLite header; raise DocumentError with a Chinese reason."""
    name = path.name
    try:
        if not path.exists():
            raise DocumentError(f"文件「{name}」不存在（可能已被移动或U盘已拔出）")
        if path.is_dir():
            raise DocumentError(f"「{name}」是一个文件夹，不是报告文件")
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(100)
    except PermissionError:
        raise DocumentError(f"没有权限读取文件「{name}」") from None
    except OSError as err:
        raise DocumentError(f"无法读取文件「{name}」：{err.strerror or err}") from None
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
    if user_version < MIN_SUPPORTED_VERSION:
        raise DocumentError(f"「{name}」的文件格式版本 {user_version} 无效，文件可能已损坏")
    if valid_for == change_counter and page_count and size < page_size * page_count:
        raise DocumentError(
            f"文件「{name}」不完整（应为 {page_size * page_count} 字节，实际 {size} 字节），"
            f"可能复制时中断或U盘被拔出。请从原始位置重新复制。")
    return Header(page_size, page_count, user_version, application_id)


def connect(path: Path, read_only: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit, see `transaction`)."""
    try:
        if read_only:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                                   isolation_level=None, check_same_thread=False)
        else:
            conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 3000")
        if not read_only:
            conn.execute("PRAGMA journal_mode = DELETE")
            conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.Error as err:
        raise classify(err, path.name) from err
    return conn


def quick_check(conn: sqlite3.Connection, name: str) -> None:
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.Error as err:
        raise classify(err, name) from err
    if rows != [("ok",)]:
        raise DocumentError(f"文件「{name}」已损坏（数据库完整性检查未通过），无法打开")


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
