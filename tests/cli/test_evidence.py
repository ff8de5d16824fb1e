"""The 佐证材料 commands: add, list, save, remove; bad input told in Chinese with exit 2."""

from __future__ import annotations

from yibao_desktop import paths
from yibao_desktop.cli import main
from yibao_desktop.storage.repository import Document
from tests.storage.test_evidence import PDF, png_bytes


def test_add_list_save_remove(tmp_path, capsys):
    doc = tmp_path / "demo.yibao"
    assert main(["load", str(paths.demo_report_json()), str(doc)]) == 0
    photo, sheet = tmp_path / "照片.png", tmp_path / "签到表.pdf"
    photo.write_bytes(png_bytes(4))
    sheet.write_bytes(PDF)
    assert main(["evidence-add", str(doc), str(photo), "--indicator", "2"]) == 0
    assert main(["evidence-add", str(doc), str(sheet)]) == 0
    capsys.readouterr()
    assert main(["evidence", str(doc)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split("\t")[1] for line in lines] == ["签到表.pdf", "照片.png"]
    assert lines[0].endswith("报告整体")
    with Document.open(doc, read_only=True) as d:
        assert lines[1].endswith(d.report.indicators[1].name)
    assert main(["evidence-save", str(doc), "2", str(tmp_path / "副本.png")]) == 0
    assert (tmp_path / "副本.png").read_bytes() == png_bytes(4)
    assert main(["evidence-remove", str(doc), "1"]) == 0
    with Document.open(doc, read_only=True) as d:
        assert [a.name for a, _ in d.report.attachments()] == ["照片.png"]
    capsys.readouterr()
    assert main(["evidence-remove", str(doc), "5"]) == 2
    assert "没有第 5 份佐证材料" in capsys.readouterr().err
    bad = tmp_path / "病毒.exe"
    bad.write_bytes(b"MZ")
    assert main(["evidence-add", str(doc), str(bad)]) == 2
    assert "类型不支持" in capsys.readouterr().err
