"""The receiving end over 30 generated county inputs (tests/packages.py): 28 signed packages on a
"stick" (one tampered, two signed by an untrusted certificate), a later package of one county (the
duplicate that wins) and one bare .yibao file given directly."""

import json
import shutil
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.packages import COUNTIES, flip_byte
from yibao_desktop.domain import formatting as fmt
from yibao_desktop.domain.aggregate import VERDICT_DUPLICATE, VERDICT_UNSIGNED, VERDICT_UNTRUSTED, Entry, Failure
from yibao_desktop.domain.calc import compute
from yibao_desktop.domain.errors import UserError
from yibao_desktop.exchange import signing
from yibao_desktop.exchange import submission as package
from yibao_desktop.services import aggregate


def test_totals_equal_the_sum_over_the_verified_reports_to_the_fen(county_packages, county_summary):
    kept = county_packages.kept_reports()
    assert len(county_summary.entries) == len(kept) == 28
    assert {e.source for e in county_summary.entries} == set(kept)
    for group in county_summary.groups:
        reports = [r for r in kept.values() if (r.meta.fund_type, r.meta.year) == (group.fund_type, group.year)]
        results = [compute(r) for r in reports]
        assert len(group.entries) == len(reports)
        available = sum((r.funds.available for r in results), D(0))
        paid = sum((r.funds.paid for r in results), D(0))
        assert group.totals.available == available and group.totals.paid == paid
        assert group.totals.balance == available - paid
        assert group.totals.progress == (paid * 100 / available).quantize(D("0.01"))
        assert available % 1 != 0  # the fixture's sums are exact to the fen, not whole yuan
    assert [(g.fund_type, g.year, len(g.entries)) for g in county_summary.groups] == [
        ("capacity", 2024, 2), ("capacity", 2025, 23), ("medical_assistance", 2025, 3)]


def test_evidence_is_counted_per_county_and_summed(county_packages, county_summary, tmp_path):
    counts = {e.unit: e.evidence for e in county_summary.entries}
    assert counts[f"{COUNTIES[0]}医疗保障局"] == 2
    assert all(n == 0 for unit, n in counts.items() if unit != f"{COUNTIES[0]}医疗保障局")
    group = next(g for g in county_summary.groups if any(e.unit == f"{COUNTIES[0]}医疗保障局" for e in g.entries))
    assert group.totals.evidence == 2


def test_a_county_whose_evidence_file_was_changed_fails_and_the_file_is_named(county_packages, tmp_path):
    source = next(Path(src) for src, rep in county_packages.reports.items() if rep.attachments())
    copy = tmp_path / source.name
    shutil.copytree(source, copy)
    photo = next(copy.glob("佐证材料_*.png"))
    flip_byte(photo, 12)
    outcome = aggregate.check_item(aggregate.Item(str(copy), aggregate.PACKAGE), [])
    assert isinstance(outcome, Failure) and f"文件 {photo.name}" in outcome.reason


def test_the_tampered_package_is_listed_with_its_reason_and_never_counted(county_packages, county_summary):
    (failure,) = county_summary.failures
    assert failure.source == county_packages.tampered
    pdf = next(Path(county_packages.tampered).glob("*.pdf")).name
    assert f"文件 {pdf}" in failure.reason and "与清单不一致" in failure.reason
    assert failure.label.startswith(COUNTIES[5])
    assert all(e.unit != f"{COUNTIES[5]}医疗保障局" for e in county_summary.entries)


def test_the_newest_duplicate_is_kept_the_other_listed(county_packages, county_summary):
    (dup,) = county_summary.duplicates
    assert dup.entry.source == county_packages.superseded and dup.kept.source == county_packages.newer
    kept = next(e for e in county_summary.entries if e.unit == f"{COUNTIES[3]}医疗保障局")
    assert kept.source == county_packages.newer
    assert compute(county_packages.reports[county_packages.newer]).funds.available == kept.available
    group = next(g for g in county_summary.groups if dup in g.superseded)
    assert dup.entry not in group.entries


def test_a_bare_yibao_is_counted_and_marked_unsigned(county_packages, county_summary):
    (bare,) = county_summary.unsigned
    assert bare.source == county_packages.bare and bare.verdict == VERDICT_UNSIGNED
    assert not bare.trusted and not bare.fingerprint and bare.modified is not None
    assert bare in county_summary.groups[1].entries


def test_untrusted_signers_are_counted_and_marked(county_packages, county_summary):
    untrusted = county_summary.untrusted
    assert {e.unit for e in untrusted} == {f"{COUNTIES[i]}医疗保障局" for i in (26, 27)}
    assert all(e.verdict == VERDICT_UNTRUSTED and e.signer == "李四" for e in untrusted)
    trusted = [e for e in county_summary.entries if e.trusted]
    assert len(trusted) == 25 and all(e.signer == "张三" and e.fingerprint.count(":") == 31 for e in trusted)
    assert all(e.created is not None for e in trusted)
    # A trusted signer is named by the trusted certificate, an untrusted one by the signature:
    # both are what the PDF's signature says.
    for e in (trusted[0], untrusted[0]):
        (signature,) = signing.verify_pdf(next(Path(e.source).glob("*.pdf"))).signatures
        assert (e.signer, e.signer_unit, e.fingerprint) == (signature.signer, signature.unit, signature.fingerprint)


def test_process_pool_gives_the_serial_result_and_reports_each_outcome(county_packages, county_summary):
    seen = []
    summary = aggregate.aggregate(county_packages.inputs, [county_packages.trusted_cer], workers=2,
                                  on_result=lambda done, total, outcome: seen.append((done, total, outcome)))
    assert summary == county_summary
    assert [d for d, _, _ in seen] == list(range(1, 31)) and {t for _, t, _ in seen} == {30}
    assert sum(isinstance(o, Failure) for _, _, o in seen) == 1
    assert sum(isinstance(o, Entry) for _, _, o in seen) == 29


class _BrokenPool:
    """A pool whose workers die at once (as a frozen build without freeze_support would)."""

    def __init__(self, *args, **kwargs):
        pass

    def submit(self, fn, *args):
        future = Future()
        future.set_exception(BrokenProcessPool("worker died"))
        return future

    def shutdown(self, wait=True, cancel_futures=False):
        pass


def test_a_pool_that_cannot_start_or_breaks_falls_back_to_this_process(county_packages, county_summary,
                                                                       monkeypatch):
    monkeypatch.setattr(aggregate, "ProcessPoolExecutor", _BrokenPool)
    assert aggregate.aggregate(county_packages.inputs, [county_packages.trusted_cer], workers=4) == county_summary

    def refuse(*args, **kwargs):
        raise OSError("no processes here")

    monkeypatch.setattr(aggregate, "ProcessPoolExecutor", refuse)
    assert aggregate.aggregate(county_packages.inputs, [county_packages.trusted_cer], workers=4) == county_summary


def test_stopping_from_the_callback_stops_the_run(county_packages):
    class Stop(Exception):
        pass

    def stop(done, total, outcome):
        if done == 3:
            raise Stop()

    with pytest.raises(Stop):
        aggregate.aggregate(county_packages.inputs, [county_packages.trusted_cer], workers=2, on_result=stop)


def test_inputs_are_found_once_each(county_packages, tmp_path):
    stick = county_packages.stick
    some = sorted(p for p in stick.iterdir() if p.is_dir())[0]
    items = aggregate.find_inputs([stick, some, some / "manifest.json", county_packages.bare])
    assert len(items) == 29
    assert sum(i.kind == aggregate.PACKAGE for i in items) == 28
    assert [i.kind for i in items if i.path == county_packages.bare] == [aggregate.DOCUMENT]
    # A folder with nothing, and a package whose manifest is missing (write cut short).
    empty = tmp_path / "空文件夹"
    empty.mkdir()
    cut = tmp_path / "stick" / "cut"
    shutil.copytree(some, cut)
    (cut / "manifest.json").unlink()
    items = aggregate.find_inputs([empty, tmp_path / "stick"])
    assert [(Path(i.path).name, i.kind) for i in items] == [("空文件夹", aggregate.EMPTY), ("cut", aggregate.INCOMPLETE)]
    outcomes = [aggregate.check_item(i, []) for i in items]
    assert "没有找到报送包" in outcomes[0].reason and "报送包不完整" in outcomes[1].reason


def test_bad_inputs_are_user_errors(tmp_path, county_packages):
    with pytest.raises(UserError, match="不存在"):
        aggregate.aggregate([tmp_path / "拔出的U盘"])
    note = tmp_path / "说明.txt"
    note.write_text("x", encoding="utf-8")
    with pytest.raises(UserError, match="既不是报送包文件夹"):
        aggregate.aggregate([note])
    (tmp_path / "空").mkdir()
    with pytest.raises(UserError, match="没有找到报送包"):
        aggregate.aggregate([tmp_path / "空"])
    with pytest.raises(UserError, match="请指定"):
        aggregate.aggregate([])


def test_a_damaged_manifest_or_document_is_a_failure_not_a_crash(county_packages, tmp_path):
    stick = tmp_path / "stick"
    folders = sorted(p for p in county_packages.stick.iterdir() if p.is_dir() and str(p) != county_packages.tampered)
    for folder in folders[:3]:
        shutil.copytree(folder, stick / folder.name)
    a, b, c = sorted(stick.iterdir())
    (a / "manifest.json").write_text("{ not json", encoding="utf-8")
    flip_byte(next(b.glob("*.yibao")), 200)
    manifest = json.loads((c / "manifest.json").read_text(encoding="utf-8"))
    manifest["report"]["sha256"] = "0" * 64  # the manifest no longer describes the signed report
    (c / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    bad = tmp_path / "坏.yibao"
    bad.write_bytes(b"not a report")
    summary = aggregate.aggregate([stick, bad], [county_packages.trusted_cer], workers=1)
    assert not summary.entries
    reasons = {Path(f.source).name: f.reason for f in summary.failures}
    assert "清单文件不是有效的 JSON" in reasons[a.name]
    assert f"文件 {next(b.glob('*.yibao')).name}：与清单不一致" in reasons[b.name]
    assert "清单中的报告摘要" in reasons[c.name] and "与签名数据不一致" in reasons[c.name]
    assert reasons["坏.yibao"]


def test_package_file_reads_only_what_the_manifest_hashes(county_packages):
    folder = Path(county_packages.tampered)
    manifest = package.read_manifest(folder)
    assert package.manifest_time(manifest).isoformat() == "2026-01-20T09:05:00+08:00"
    assert package.manifest_label(manifest).startswith(COUNTIES[5])
    assert package.package_file(folder, manifest, "document")
    with pytest.raises(package.PackageError, match="与清单不一致"):
        package.package_file(folder, manifest, "report_pdf")


# ------------------------------------------------------------------------------------ outputs


def _rows(ws):
    return list(ws.iter_rows(values_only=True))


def test_workbook_totals_match_the_service_and_the_rows_add_up(county_summary, tmp_path):
    out = aggregate.write_workbook(county_summary, tmp_path / "汇总.xlsx")
    wb = load_workbook(out)
    assert wb.sheetnames == ["汇总", "指标对比", "未通过核验", "核验明细"]
    ws = wb["汇总"]
    rows = _rows(ws)
    header = rows[2]
    assert header[:8] == ("序号", "单位名称", "资金类型", "年度", "可用资金（万元）", "已支出（万元）", "支出进度", "结余（万元）")
    assert header[-4:] == ("证书指纹", "可信", "佐证材料", "核验结果")
    totals = [i for i, r in enumerate(rows) if r[0] == "合计"]
    assert len(totals) == len(county_summary.groups)
    start = 3
    for group, t in zip(county_summary.groups, totals):
        assert rows[start][0].startswith(group.label)
        body = rows[start + 1:t]
        assert len(body) == len(group.entries)
        for col, total in ((4, group.totals.available), (5, group.totals.paid), (7, group.totals.balance)):
            shown = D(str(rows[t][col]))
            assert shown == fmt.in_unit(total, "万元")
            assert sum(D(str(r[col])) for r in body) == shown
        assert D(str(rows[t][6])) == group.totals.progress / 100
        start = t + 1 + (1 + len(group.superseded) if group.superseded else 0)
    dup_rows = [r for r in rows if r[-1] == VERDICT_DUPLICATE]
    assert len(dup_rows) == 1 and dup_rows[0][0] is None
    assert {r[-1] for r in rows if r[-3] == "否（未签名）"} == {VERDICT_UNSIGNED}
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows == "$3:$3" and ws.sheet_properties.pageSetUpPr.fitToPage
    failed = _rows(wb["未通过核验"])
    assert len(failed) == 4 and "与清单不一致" in failed[3][3]
    comparison = _rows(wb["指标对比"])
    assert any(r[2] == "参保群众医保政策知晓率" for r in comparison)
    details = _rows(wb["核验明细"])
    assert len(details) == 3 + 28 + 1
    assert all(len(r[6]) == 95 for r in details[3:] if r[4] == "通过")  # the full fingerprint


def test_summary_pdf_prints_the_table_and_the_charts(county_summary, tmp_path):
    from pypdf import PdfReader

    out = aggregate.write_pdf(county_summary, tmp_path / "汇总.pdf")
    reader = PdfReader(out)
    text = "".join(page.extract_text() for page in reader.pages)
    assert "医保转移支付资金绩效自评汇总表" in text
    for group in county_summary.groups:
        assert f"{group.label}各单位支出进度" in text
        assert fmt.money(group.totals.available, "万元") in text
    assert "未通过核验的报送包" in text
    assert all(page.mediabox.width > page.mediabox.height for page in reader.pages)  # landscape


def test_a_character_no_font_has_is_refused_before_writing(county_summary, tmp_path):
    from dataclasses import replace

    from yibao_desktop.domain.aggregate import summarize
    from yibao_desktop.exchange.pdf.fonts import MissingGlyphsError

    odd = replace(county_summary.entries[0], unit="\ue000县医疗保障局")
    with pytest.raises(MissingGlyphsError):
        aggregate.write_pdf(summarize([odd]), tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def test_output_names_are_checked(county_summary, tmp_path):
    with pytest.raises(UserError, match="是一个文件夹"):
        aggregate.save(county_summary, tmp_path)
    with pytest.raises(UserError, match="应以 .xlsx 结尾"):
        aggregate.save(county_summary, tmp_path / "汇总.pdf")
    with pytest.raises(UserError, match="应以 .pdf 结尾"):
        aggregate.save(county_summary, tmp_path / "汇总.xlsx", tmp_path / "汇总.txt")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("error, words", [(OSError(5, "Input/output error"), "无法读取：Input/output error"),
                                          (ValueError("boom"), "内部错误 ValueError：boom")])
def test_one_package_that_cannot_be_read_never_stops_the_others(county_packages, monkeypatch, error, words):
    good = sorted(p for p in county_packages.stick.iterdir() if str(p) != county_packages.tampered)[0]

    def fail(data):
        raise error

    monkeypatch.setattr(aggregate, "_report_of_copy", fail)
    outcome = aggregate.check_item(aggregate.Item(str(good), aggregate.PACKAGE), [])
    assert isinstance(outcome, Failure) and words in outcome.reason
