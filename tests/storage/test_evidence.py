"""佐证材料 inside the .yibao file: stored once by SHA-256 with the edit that lists it, undoable,
checked on open (an entry without its contents is refused), unreferenced contents dropped on the
next writable open, and every bad file refused in Chinese."""

from __future__ import annotations

import hashlib
import sqlite3
import struct
import zlib

import pytest

from yibao_desktop.domain.errors import DocumentError, UserError
from yibao_desktop.domain.interchange import report_from_json, report_to_json
from yibao_desktop.domain.report import Attachment
from yibao_desktop.services import evidence
from yibao_desktop.storage.repository import Document


def png_bytes(tag: int = 0) -> bytes:
    """A real 1×1 PNG (its colour varies with `tag`, so the hashes differ)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"\x00" + bytes([tag % 256, 0, 0])
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def doc(tmp_path, demo_report):
    d = Document.create(tmp_path / "报告.yibao", demo_report)
    yield d
    d.close()


def blob_rows(path):
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM blob").fetchone()[0]
    finally:
        conn.close()


def test_attach_to_an_indicator_and_the_report_stores_each_content_once(doc, tmp_path):
    photo = tmp_path / "现场检查照片.png"
    photo.write_bytes(png_bytes(1))
    undo = evidence.attach(doc, photo, indicator=0)
    sha = hashlib.sha256(png_bytes(1)).hexdigest()
    assert doc.report.indicators[0].evidence == (Attachment("现场检查照片.png", sha, len(png_bytes(1))),)
    evidence.attach(doc, photo, indicator=None)  # the same file on the report: one stored copy
    evidence.attach(doc, photo, indicator=1)
    assert blob_rows(doc.path) == 1
    assert doc.blob(sha) == png_bytes(1)
    with pytest.raises(UserError, match="已经附在"):
        evidence.attach(doc, photo, indicator=0)
    reopened = Document.open(doc.path, read_only=True)
    try:
        assert reopened.report == doc.report
        assert [(a.name, i) for a, i in reopened.report.attachments()] == [
            ("现场检查照片.png", None), ("现场检查照片.png", 0), ("现场检查照片.png", 1)]
    finally:
        reopened.close()
    assert undo  # the inverse of the first attach
    assert report_from_json(report_to_json(doc.report)) == doc.report  # the JSON lists them losslessly


def test_remove_and_undo_bring_the_file_back(doc, tmp_path):
    pdf = tmp_path / "培训签到表.pdf"
    pdf.write_bytes(PDF)
    evidence.attach(doc, pdf, indicator=None)
    undo = doc.apply(evidence.remove_edits(doc.report, None, 0))
    assert doc.report.evidence == ()
    doc.apply(undo)
    assert doc.report.evidence[0].name == "培训签到表.pdf"
    assert doc.blob(doc.report.evidence[0].sha256) == PDF
    out = evidence.save_copy(doc, doc.report.evidence[0], tmp_path / "副本.pdf")
    assert out.read_bytes() == PDF


def test_unreferenced_contents_are_dropped_on_the_next_writable_open(doc, tmp_path):
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(PDF)
    evidence.attach(doc, pdf)
    doc.apply(evidence.remove_edits(doc.report, None, 0))
    assert blob_rows(doc.path) == 1  # kept while this window could still undo
    path = doc.path
    doc.close()
    with Document.open(path, read_only=True):
        assert blob_rows(path) == 1  # a read-only open writes nothing
    with Document.open(path):
        pass
    assert blob_rows(path) == 0


def test_a_listed_file_without_its_contents_is_refused(doc, tmp_path):
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(PDF)
    evidence.attach(doc, pdf, indicator=2)
    path = doc.path
    doc.close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DELETE FROM blob")
    conn.close()
    with pytest.raises(DocumentError, match="缺少佐证材料「a.pdf」的文件内容"):
        Document.open(path, read_only=True)


def test_a_tampered_entry_in_the_file_is_named(doc, tmp_path):
    path = doc.path
    doc.close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("UPDATE indicator SET evidence = '[{\"name\": \"../x.pdf\", \"sha256\": \"00\", \"size\": 1}]' "
                 "WHERE pos = 0")
    conn.close()
    with pytest.raises(DocumentError) as info:
        Document.open(path, read_only=True)
    assert "绩效指标第 1 行" in str(info.value) and "佐证材料" in str(info.value)


@pytest.mark.parametrize("name, data, words", [
    ("病毒.exe", b"MZ....", "类型不支持"),
    ("假图片.png", b"MZ....", "内容不是PNG 图片"),
    ("空.pdf", b"", "空文件"),
])
def test_bad_files_are_refused_in_chinese_and_nothing_changes(doc, tmp_path, name, data, words):
    path = tmp_path / name
    path.write_bytes(data)
    before = doc.report
    with pytest.raises(UserError, match=words):
        evidence.attach(doc, path, indicator=0)
    assert doc.report == before and blob_rows(doc.path) == 0


def test_a_file_over_20_mb_is_refused_before_it_is_read(doc, tmp_path):
    big = tmp_path / "扫描件.pdf"
    with open(big, "wb") as fh:
        fh.write(PDF)
        fh.truncate(20 * 1024 * 1024 + 1)
    with pytest.raises(UserError, match="超过了单个佐证材料 20 MB 的限制"):
        evidence.attach(doc, big)


def test_a_folder_or_fifo_is_refused(doc, tmp_path):
    import os

    fifo = tmp_path / "管道.pdf"
    os.mkfifo(fifo)
    with pytest.raises(UserError, match="不是普通文件"):
        evidence.attach(doc, fifo)
