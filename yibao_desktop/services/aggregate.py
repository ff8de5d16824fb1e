"""The receiving end's totals (issue 12): verify many submission packages and total them.

`aggregate(paths, extra_trust)` takes package folders, folders holding packages (a USB stick's
root: packages are the sub-folders with a manifest.json, one level down, and loose .yibao files
there are read too) and .yibao files given directly. Every package goes through the one
verification (`exchange.submission.verify_package`: hashes, PDF signature, PDF data against the
.yibao copy against the manifest) under the one trust policy (`keystore.trusted_certificates`),
in parallel across the cores. A package whose only failed check is 签名人可信 is intact and is
counted, marked as not trusted; any other failed check puts it under 未通过核验, never in a
total.

A .yibao file read directly has no signature to verify. It is opened read-only, computed and
counted, marked 未签名 everywhere it appears (row verdict, a note under the table, the CLI's exit
code 1): the issue names a .yibao file as an input in its own right, and a city bureau has
reports that never travel as packages (its own, or one sent by other means). Against a signed
package of the same unit, fund and year the signed package always wins.

Parallelism: `workers` processes check at once (default `os.cpu_count()`): the calling process
and a `ProcessPoolExecutor` of `workers - 1`, started with "spawn" on every platform (safe from
the window's worker thread, and the only start method on Windows; frozen builds call
`multiprocessing.freeze_support()` first, in `__main__.py`). Each worker loads the trusted
certificates once. The caller checks items from the other end of the queue while the workers
start (about half a second) and whenever no result is waiting, so a small batch costs little
more than a serial run; whatever a pool that cannot start, or breaks, leaves undone is checked
by the caller. Fewer than `SERIAL_BELOW` inputs, or `workers=1`, run serially. As with any
"spawn" pool, a script that calls `aggregate` needs the usual `if __name__ == "__main__":`
guard (the console script and `python -m` have it).

`on_result(done, total, outcome)` is called in the calling thread as each package is checked,
so a window can show the verdicts as they come; raising from it (取消) stops the run.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import tempfile
import traceback
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence, Union

from yibao_desktop.domain.aggregate import Entry, Failure, Summary, entry_of, summarize
from yibao_desktop.domain.calc import compute
from yibao_desktop.domain.errors import UserError
from yibao_desktop.fileio import os_reason
from yibao_desktop.domain.report import Report
from yibao_desktop.exchange import submission as package
from yibao_desktop.services import keystore
from yibao_desktop.storage.db import FILE_SUFFIX
from yibao_desktop.storage.repository import Document

PACKAGE, DOCUMENT, INCOMPLETE, EMPTY = "package", "document", "incomplete", "empty"
# The one check of verify_package that may fail while the package still counts (intact, but the
# signer's certificate is not among the trusted ones): pinned by tests/exchange/test_submission.py.
TRUST_CHECK = "签名人可信"
# Below this many inputs the checks run in this process: starting workers would cost more.
SERIAL_BELOW = 6
START_METHOD = "spawn"

Outcome = Union[Entry, Failure]
OnResult = Callable[[int, int, Outcome], None]
Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class Item:
    """One thing to check: a package folder, a .yibao file, or a folder that is not usable."""

    path: str
    kind: str

    @property
    def name(self) -> str:
        return Path(self.path).name or self.path


# ------------------------------------------------------------------------------------ finding


def find_inputs(paths: Iterable[str | os.PathLike[str]]) -> list[Item]:
    """What the paths hold, each once (a package reached twice counts once). A path that does
    not exist or is neither a folder nor a .yibao file is a user error; a folder with nothing
    to check is listed as an `EMPTY` item, a sub-folder holding a .yibao file but no manifest
    as an `INCOMPLETE` package."""
    found: dict[str, Item] = {}

    def add(path: Path, kind: str) -> None:
        key = os.path.normcase(str(path.resolve()))
        found.setdefault(key, Item(str(path), kind))

    for raw in paths:
        path = Path(raw)
        if path.is_file():
            if path.name == package.MANIFEST:
                add(path.parent, PACKAGE)
            elif path.suffix.lower() == FILE_SUFFIX:
                add(path, DOCUMENT)
            else:
                raise UserError(f"「{raw}」既不是报送包文件夹、存放报送包的文件夹（如U盘根目录），也不是 {FILE_SUFFIX} 报告文件")
        elif path.is_dir():
            if (path / package.MANIFEST).is_file():
                add(path, PACKAGE)
                continue
            try:
                children = sorted(path.iterdir())
            except OSError as err:
                raise UserError(f"无法读取文件夹「{raw}」：{os_reason(err)}") from None
            before = len(found)
            for child in children:
                if child.name.startswith("."):
                    continue  # temporary files of an interrupted write, system folders
                if child.is_dir():
                    if (child / package.MANIFEST).is_file():
                        add(child, PACKAGE)
                    elif package.holds_files(child, (FILE_SUFFIX,)):
                        add(child, INCOMPLETE)
                elif child.suffix.lower() == FILE_SUFFIX and child.is_file():
                    add(child, DOCUMENT)
            if len(found) == before:
                add(path, EMPTY)
        else:
            raise UserError(f"「{raw}」不存在（U盘可能已拔出）")
    return list(found.values())


# ----------------------------------------------------------------------------------- checking

_worker_trust: list[Any] = []


def _load_trust(trusted_der: Sequence[bytes]) -> list[Any]:
    from cryptography import x509

    return [x509.load_der_x509_certificate(der) for der in trusted_der]


def _init_worker(trusted_der: Sequence[bytes]) -> None:
    global _worker_trust
    _worker_trust = _load_trust(trusted_der)


def _check_in_worker(item: Item) -> Outcome:
    return check_item(item, _worker_trust)


def _report_of_copy(data: bytes) -> Report:
    with tempfile.TemporaryDirectory(prefix="yibao-aggregate-") as tmp:
        copy = Path(tmp) / f"copy{FILE_SUFFIX}"
        copy.write_bytes(data)
        with Document.open(copy, read_only=True) as doc:
            return doc.report


def _signer(folder: Path, manifest: dict[str, Any], checks: Sequence[package.Check],
            trusted: Sequence[Any]) -> tuple[str, str, str, bool] | None:
    """(signer, unit, fingerprint, trusted) of a package whose every other check passed; None if
    the PDF changed since it was verified.

    When 签名人可信 passed, verify_package has established that the signing certificate has the
    manifest's fingerprint and is among the trusted ones: that trusted certificate names the
    signer, and the signature is not read a second time (it is most of the cost of a check).
    Otherwise the signature is read again for its certificate."""
    from yibao_desktop.exchange import signing

    fingerprint = str(manifest.get("signer", {}).get("fingerprint", ""))
    if any(c.name == TRUST_CHECK and c.ok for c in checks):
        for cert in trusted:
            if signing.fingerprint(cert) == fingerprint:
                info = signing.CertificateInfo.of(cert)
                return info.signer, info.unit, info.fingerprint, True
    signature = signing.verify_bytes(package.package_file(folder, manifest, "report_pdf"), trusted)
    if not signature.intact:
        return None
    first = signature.signatures[0]
    return first.signer, first.unit, first.fingerprint, signature.trusted


def _check_package(item: Item, trusted: Sequence[Any]) -> Outcome:
    folder = Path(item.path)
    checks = package.verify_package(folder, trusted)
    failed = [c for c in checks if not c.ok and c.name != TRUST_CHECK]
    try:
        manifest = package.read_manifest(folder)
    except package.PackageError as err:
        if not failed:
            failed = [package.Check("清单", False, str(err))]
        manifest = None
    if failed or manifest is None:
        return Failure(item.path, item.name, "\n".join(f"{c.name}：{c.message}" for c in failed),
                       package.manifest_label(manifest) if manifest else "")
    # Every check passed: read what was verified (the bytes are checked against the manifest
    # again) for the figures, and the signer's certificate.
    label = package.manifest_label(manifest)
    signer = _signer(folder, manifest, checks, trusted)
    if signer is None:  # changed between the two reads
        return Failure(item.path, item.name, "PDF签名：签名无效，PDF 已被改动", label)
    report = _report_of_copy(package.package_file(folder, manifest, "document"))
    name, unit, fingerprint, is_trusted = signer
    return entry_of(report, compute(report), source=item.path, signed=True, signer=name, signer_unit=unit,
                    fingerprint=fingerprint, trusted=is_trusted, created=package.manifest_time(manifest),
                    evidence=len(report.attachments()))


def _read_document(item: Item) -> Outcome:
    path = Path(item.path)
    with Document.open(path, read_only=True) as doc:
        report = doc.report
    try:
        modified: datetime | None = datetime.fromtimestamp(path.stat().st_mtime).astimezone()
    except OSError:
        modified = None
    return entry_of(report, compute(report), source=item.path, signed=False, modified=modified,
                    evidence=len(report.attachments()))


def check_item(item: Item, trusted: Sequence[Any]) -> Outcome:
    """One input's verdict: an Entry (counted) or a Failure with the reason in Chinese. Never
    raises: one bad package must not stop the other 999."""
    try:
        if item.kind == PACKAGE:
            return _check_package(item, trusted)
        if item.kind == DOCUMENT:
            return _read_document(item)
        if item.kind == INCOMPLETE:
            return Failure(item.path, item.name, f"清单：没有 {package.MANIFEST}：报送包不完整（可能写入中断）；"
                                                 f"如是单独的报告文件，请直接选择该 {FILE_SUFFIX} 文件")
        return Failure(item.path, item.name, f"文件夹中没有找到报送包（含 {package.MANIFEST} 的文件夹）或 "
                                             f"{FILE_SUFFIX} 报告文件")
    except UserError as err:
        return Failure(item.path, item.name, str(err))
    except OSError as err:  # the stick pulled out mid-read, an unreadable sector, a full temp folder
        return Failure(item.path, item.name, f"无法读取：{err.strerror or err}（U盘可能已拔出或已损坏）")
    except Exception as err:  # noqa: BLE001 - listed with its cause; the other packages go on
        traceback.print_exc(file=sys.stderr)
        return Failure(item.path, item.name, f"程序无法处理该报送包（内部错误 {type(err).__name__}：{err}），"
                                             f"请联系技术支持")


def default_workers() -> int:
    return os.cpu_count() or 1


def _run_in_processes(items: Sequence[Item], trusted_der: Sequence[bytes], workers: int,
                      deliver: Callable[[int, Outcome], None]) -> None:
    """Check the items in a process pool, the calling process helping: while the workers start
    (about half a second each: pyHanko, ReportLab) and whenever no result is waiting, it checks
    an item from the other end of the queue itself. So a small batch costs little more than
    checking it serially, and whatever a pool that cannot start, or breaks, leaves undone is
    checked here."""
    local = _load_trust(trusted_der)
    queue = deque(range(len(items)))
    try:
        pool: ProcessPoolExecutor | None = ProcessPoolExecutor(
            max_workers=min(workers - 1, len(items)), mp_context=multiprocessing.get_context(START_METHOD),
            initializer=_init_worker, initargs=(tuple(trusted_der),))
    except (OSError, ValueError, ImportError, NotImplementedError):
        pool = None
    usable = pool is not None
    in_flight: dict[Future[Outcome], int] = {}
    try:
        while queue or in_flight:
            while usable and queue and len(in_flight) < workers * 4:
                i = queue.popleft()
                try:
                    in_flight[pool.submit(_check_in_worker, items[i])] = i  # type: ignore[union-attr]
                except (OSError, RuntimeError, BrokenProcessPool):  # processes cannot start here
                    queue.appendleft(i)
                    usable = False
            finished = wait(in_flight, timeout=0, return_when=FIRST_COMPLETED)[0] if in_flight else set()
            for future in finished:
                i = in_flight.pop(future)
                try:
                    outcome = future.result()
                except BrokenProcessPool:  # a worker died: no more submissions, the rest run here
                    usable = False
                    queue.append(i)
                    continue
                except Exception:  # noqa: BLE001 - e.g. a result that could not be sent back
                    outcome = check_item(items[i], local)
                deliver(i, outcome)
            if finished:
                continue
            if queue:
                i = queue.pop()
                deliver(i, check_item(items[i], local))
            elif in_flight:
                wait(in_flight, return_when=FIRST_COMPLETED)
    finally:  # also when stopped early (取消): what has not started is dropped
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def run_checks(items: Sequence[Item], trusted_der: Sequence[bytes], workers: int | None = None,
               on_result: OnResult | None = None) -> list[Outcome]:
    """Every item's outcome, in the items' order; `on_result(done, total, outcome)` as each one
    is done (in the calling thread)."""
    total = len(items)
    outcomes: list[Outcome | None] = [None] * total
    done = 0

    def deliver(i: int, outcome: Outcome) -> None:
        nonlocal done
        outcomes[i] = outcome
        done += 1
        if on_result is not None:
            on_result(done, total, outcome)

    workers = default_workers() if workers is None else max(1, workers)
    if workers > 1 and total >= SERIAL_BELOW:
        _run_in_processes(items, trusted_der, workers, deliver)
    else:
        trusted = _load_trust(trusted_der)
        for i, item in enumerate(items):
            deliver(i, check_item(item, trusted))
    return [o for o in outcomes if o is not None]


def trusted_der(extra_trust: Sequence[str | os.PathLike[str]] = ()) -> tuple[bytes, ...]:
    """The one trust policy's certificates (the unit's own, the trust list, --trust), as DER."""
    from cryptography.hazmat.primitives import serialization

    return tuple(c.public_bytes(serialization.Encoding.DER) for c in keystore.trusted_certificates(extra_trust))


def aggregate(paths: Iterable[str | os.PathLike[str]], extra_trust: Sequence[str | os.PathLike[str]] = (), *,
              workers: int | None = None, on_result: OnResult | None = None,
              progress: Progress | None = None) -> Summary:
    """Verify every package the paths hold and total the verified ones."""
    paths = list(paths)
    if not paths:
        raise UserError("请指定至少一个报送包文件夹、U盘根目录或报告文件")
    items = find_inputs(paths)
    if all(item.kind == EMPTY for item in items):
        raise UserError(f"在{'、'.join(f'「{p}」' for p in paths)}中没有找到报送包（含 {package.MANIFEST} 的文件夹）"
                        f"或 {FILE_SUFFIX} 报告文件")
    der = trusted_der(extra_trust)

    def each(done: int, total: int, outcome: Outcome) -> None:
        if progress is not None:
            progress(done * 95 // total, f"已核验 {done}/{total}")
        if on_result is not None:
            on_result(done, total, outcome)

    if progress is not None:
        progress(0, f"正在核验 {len(items)} 个报送包")
    outcomes = run_checks(items, der, workers, each)
    summary = summarize([o for o in outcomes if isinstance(o, Entry)], [o for o in outcomes if isinstance(o, Failure)])
    if progress is not None:
        progress(100, "核验完成")
    return summary


# ------------------------------------------------------------------------------------ writing


def check_output(path: str | os.PathLike[str], suffix: str) -> Path:
    """An output file name with the right suffix, not an existing folder (a package folder typed
    last by mistake must never be taken for the output)."""
    out = Path(path)
    if out.is_dir():
        raise UserError(f"「{path}」是一个文件夹；请给出要保存的 {suffix} 文件名，如 汇总{suffix}")
    if out.suffix.lower() != suffix:
        raise UserError(f"输出文件「{path}」应以 {suffix} 结尾")
    if not out.parent.is_dir() and str(out.parent):
        raise UserError(f"无法写入「{path}」：文件夹不存在")
    return out


def write_workbook(summary: Summary, out: str | os.PathLike[str]) -> Path:
    """汇总, 指标对比, 未通过核验 and 核验明细 as one .xlsx, written atomically."""
    from yibao_desktop.domain.aggregate_forms import aggregate_forms
    from yibao_desktop.exchange.excel.write import forms_workbook, save_workbook

    target = check_output(out, ".xlsx")
    sheets = aggregate_forms(summary)
    return save_workbook(forms_workbook([form for _, form in sheets], sheet_names=[name for name, _ in sheets]),
                         target)


def write_pdf(summary: Summary, out: str | os.PathLike[str]) -> Path:
    """The printable city summary (the 汇总 table and progress by unit), written atomically."""
    from yibao_desktop.domain.aggregate_forms import failures_form, summary_form
    from yibao_desktop.exchange.pdf.aggregate import build_summary_pdf
    from yibao_desktop.fileio import write_atomic

    target = check_output(out, ".pdf")
    data = build_summary_pdf(summary, summary_form(summary), failures_form(summary) if summary.failures else None)
    return write_atomic(target, data)


@dataclass(frozen=True)
class Written:
    workbook: Path
    pdf: Path | None


def save(summary: Summary, workbook: str | os.PathLike[str], pdf: str | os.PathLike[str] | None = None,
         progress: Progress | None = None) -> Written:
    """The workbook and, optionally, the PDF (both names are checked before anything is written)."""
    check_output(workbook, ".xlsx")
    if pdf is not None:
        check_output(pdf, ".pdf")
    if progress is not None:
        progress(10, "正在写入汇总表（Excel）")
    book = write_workbook(summary, workbook)
    out_pdf = None
    if pdf is not None:
        if progress is not None:
            progress(50, "正在生成汇总PDF")
        out_pdf = write_pdf(summary, pdf)
    if progress is not None:
        progress(100, "汇总已保存")
    return Written(book, out_pdf)
