"""The PDF report: contents as compute formats them, Chinese typesetting rules on every extracted
line of a ~30-page report, final vs draft, fonts, and a rendered first page."""

from __future__ import annotations

import io
import random
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader

from tests.factories import dangshan_report
from tests.child import child_output
from yibao_desktop import paths
from yibao_desktop.domain.calc import compute
from yibao_desktop.domain.errors import UserError
from yibao_desktop.domain.interchange import report_from_json
from yibao_desktop.domain.report import Expenditure
from yibao_desktop.exchange.pdf import report as pdf_report
from yibao_desktop.exchange.pdf.fonts import FontSet, MissingGlyphsError, font_set
from yibao_desktop.domain import formatting as fmt
from yibao_desktop.domain import rules
from yibao_desktop.domain.rules import FinalExportRefused
from yibao_desktop.exchange.pdf.report import ATTACHMENT_NAME, BLOCK_W, MARGIN_LEFT, PITCH
from yibao_desktop.exchange.pdf.report import build_pdf as _build_pdf
from yibao_desktop.services import export
from yibao_desktop.services.export import official_forms
from yibao_desktop.exchange.pdf.typeset import (
    GridParagraph,
    balance_title,
    break_lines,
    make_units,
    title_words,
)
from yibao_desktop.templates import default_title

NO_START = set("，。、；：？！）》」’”%")
NO_END = set("（《「‘“")
ISSUED = date(2025, 1, 20)

_FRAGMENTS = [
    "按照“放管服”改革要求", "对照《医疗保障基金使用监督管理条例》", "全年支出进度达到79.30%", "（含上年结转资金）",
    "DRG/DIP支付方式改革覆盖全部统筹区", "定点医药机构现场检查覆盖率为95.56%", "参保群众满意度为91.2%",
    "资金支付进度偏慢", "下一步将细化分月用款计划", "“一站式”结算", "医保电子凭证激活412350人",
    "《关于下达2025年省级医疗保障能力建设补助资金的通知》", "（示财社〔2025〕37号）", "支出606650.00元",
    "3.5天", "“互联网+医保”服务", "经办窗口“好差评”制度", "2025年12月31日", "第三方机构审核", "≥90%",
]
_PUNCT = ["，", "，", "；", "、", "。", "：", "！", "？", "……", "——"]


def _sentence(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(3, 9)):
        parts.append(rng.choice(_FRAGMENTS))
        parts.append(rng.choice(_PUNCT))
    return "".join(parts).rstrip("，；、：—…") + "。"


def long_report():
    """The demo report grown to about 30 pages: long narrative with dense punctuation, numbers and
    quotes, more payment lines and indicators (tests and benchmarks share it)."""
    demo = report_from_json(paths.demo_report_json().read_text(encoding="utf-8"))
    rng = random.Random(20250120)
    narrative = []
    for s in demo.narrative:
        paragraphs = [s.text] + ["".join(_sentence(rng) for _ in range(rng.randint(2, 4))) for _ in range(3)]
        narrative.append(replace(s, text="\n".join(paragraphs) + "\n当前支出进度为{资金.支出进度}，自评得分{评分.总分}分。"))
    lines = list(demo.expenditures)
    for i in range(40):
        lines.append(Expenditure(project=f"基层医保服务站建设项目{i + 1:02d}", direction="经办管理体系建设",
                                 econ_class="购买设备", pool="当年下达", budget=Decimal("1000.00"),
                                 paid=Decimal("500.00") + i, paid_on=date(2025, 1 + i % 12, 10)))
    indicators = list(demo.indicators)
    # Split the first indicator's weight over 24 rows, so the level-1 merge spans pages.
    first = indicators[0]
    extra = [replace(first, name=f"定点医药机构现场检查覆盖率（第{k + 1}片区）", weight=Decimal("0.25"),
                     deviation_reason="" if k % 3 else "片区机构数量少，检查力量集中于重点机构。下一步将按季度轮查。")
             for k in range(24)]
    indicators = extra + indicators[1:]
    return replace(demo, narrative=tuple(narrative), expenditures=tuple(lines), indicators=tuple(indicators))


def build_pdf(report, draft=False, issued=None, **kw):
    """The PDF the export service makes (a final refused while errors remain), as BuiltPdf."""
    result = compute(report)
    if not draft:
        rules.refuse_final_if_errors(result)
    return _build_pdf(report, result, official_forms(report, result), draft=draft, issued=issued, **kw)


def export_pdf(report, path, draft=False, progress=None):
    return export.export_pdf(report, path, "draft" if draft else "final", progress=progress)


def _pages_text(data: bytes) -> list[str]:
    return [p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages]


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def demo():
    return report_from_json(paths.demo_report_json().read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo_pdf(demo):
    return build_pdf(demo, issued=ISSUED)


@pytest.fixture(scope="module")
def long_pdf():
    report = long_report()
    return report, build_pdf(report, draft=True, issued=ISSUED)


@pytest.fixture(scope="module")
def dangshan_draft():
    report = dangshan_report()
    return report, build_pdf(report, draft=True, issued=ISSUED)


# ------------------------------------------------------------------------------------ contents


def test_demo_contains_title_headings_and_figures(demo, demo_pdf):
    text = _flat("".join(_pages_text(demo_pdf.data)))
    result = compute(demo)
    assert _flat(default_title(demo.meta)) in text
    for section in demo.narrative:
        assert _flat(section.heading) in text
    f = result.funds
    for value in (fmt.wan(f.available), fmt.wan(f.paid), fmt.wan(f.balance), fmt.pct_number(f.progress),
                  fmt.pct_number(f.progress_allocated), fmt.score(result.total_score),
                  fmt.score(result.budget_execution.score)):
        assert value in text, value
    for group in (f.by_direction, f.by_econ_class, f.by_size):
        shown, _ = fmt.parts([row.amount for row in group], f.paid)
        for row, amount in zip(group, shown):
            assert row.name in text and fmt.amount(amount) in text and fmt.pct_number(row.share) in text
    for row in result.level1:
        assert fmt.score(row.score) in text
    for ind in result.indicators:
        assert _flat(ind.name) in text
    assert _flat("设置一级指标 3 个、二级指标 8 个、三级指标 16 个（其中：定量指标 13 个、定性指标 3 个）") in text
    assert "项目支出绩效自评表" in text and "中央对地方转移支付区域绩效自评表" in text
    assert "示例县医疗保障局" in text and "2025年1月20日" in text
    assert "草稿" not in text


def test_dangshan_figures_exactly_as_compute_formats_them(dangshan_draft):
    report, built = dangshan_draft
    text = _flat("".join(_pages_text(built.data)))
    result = compute(report)
    assert "砀山县医疗保障局2024年度医疗服务与保障能力提升补助资金绩效自评报告" in text
    f = result.funds
    assert (f.available, f.paid, f.progress, f.progress_carried, f.progress_allocated) == (
        Decimal("600900.00"), Decimal("197100.00"), Decimal("32.80"), Decimal("100.00"), Decimal("32.70"))
    # 万元, as Dangshan's own report writes them: 60.09 = 0.09 + 60.00; 19.71 = 0.09 + 19.62.
    for value in ("60.09", "0.09", "60.00", "19.71", "19.62", "40.38", "32.80", "100.00", "32.70"):
        assert value in text, value
    shares = {r.name: fmt.pct_number(r.share) for r in f.by_direction}
    assert shares == {"医保信息化标准化": "49.32", "基金监管": "20.29", "经办管理体系建设": "0.56", "其他": "29.83"}
    for name, share in shares.items():
        assert name in text and share in text
    assert "49.31" not in text  # the published report's slip is not copied


def test_report_json_is_attached_and_reloads(demo, demo_pdf):
    reader = PdfReader(io.BytesIO(demo_pdf.data))
    payload = reader.attachments[ATTACHMENT_NAME][0].decode("utf-8")
    assert report_from_json(payload) == demo


def test_metadata_and_page_sizes(demo_pdf):
    reader = PdfReader(io.BytesIO(demo_pdf.data))
    assert reader.metadata.title == "示例县医疗保障局2025年度医疗服务与保障能力提升补助资金绩效自评报告"
    sizes = [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages]
    assert sizes[0] == (595, 842)
    assert (842, 595) in sizes  # the landscape annex
    assert sizes.index((842, 595)) > 0 and all(s == (842, 595) for s in sizes[sizes.index((842, 595)):])


def test_page_numbers_odd_right_even_left(demo_pdf):
    pages = _pages_text(demo_pdf.data)
    for n, text in enumerate(pages, 1):
        assert f"— {n} —" in text
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not installed")
    for n in (1, 2):
        out = subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), "-bbox", "-", "-"],
                             input=demo_pdf.data, capture_output=True, check=True).stdout.decode()
        boxes = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">' + str(n) + "<", out)
        x_min = float(boxes[0][0])
        assert (x_min > 400) if n % 2 else (x_min < 150)


def test_overrides_are_shown_with_their_reasons(demo):
    ind = replace(demo.indicators[1], score=Decimal("3.5"), override_reason="培训签到表缺失部分场次，酌情扣分")
    report = replace(demo, indicators=(demo.indicators[0], ind) + demo.indicators[2:])
    text = _flat("".join(_pages_text(build_pdf(report, issued=ISSUED).data)))
    assert "培训签到表缺失部分场次，酌情扣分" in text
    assert "3.50*" in text and "人工调整" in text


# --------------------------------------------------------------------------------- final / draft


def test_final_refused_with_error_findings_listed(tmp_path):
    report = dangshan_report()
    errors = compute(report).errors
    assert errors
    out = tmp_path / "final.pdf"
    with pytest.raises(FinalExportRefused) as info:
        export_pdf(report, out)
    assert isinstance(info.value, UserError)
    for f in errors:
        assert f.message in str(info.value)
    assert not out.exists() and not list(tmp_path.iterdir())


def test_unmet_row_without_reason_refuses_final(demo):
    ind = replace(demo.indicators[0], numerator=Decimal("100"), deviation_reason="")
    report = replace(demo, indicators=(ind,) + demo.indicators[1:])
    with pytest.raises(FinalExportRefused, match="偏差原因"):
        build_pdf(report)


def test_draft_works_and_carries_the_watermark_on_every_page(dangshan_draft, tmp_path):
    report, built = dangshan_draft
    pages = _pages_text(built.data)
    assert all("草稿" in t for t in pages)
    result = export_pdf(report, tmp_path / "draft.pdf", draft=True)
    assert result.draft and result.path.read_bytes()[:5] == b"%PDF-"
    reader = PdfReader(io.BytesIO(built.data))
    assert "draft" in reader.metadata["/Keywords"]
    assert "/AcroForm" not in reader.trailer["/Root"]  # no signature field on a draft


def test_final_has_an_empty_signature_field_over_the_closing_block(demo_pdf):
    reader = PdfReader(io.BytesIO(demo_pdf.data))
    fields = reader.get_fields()
    assert pdf_report.SIGNATURE_FIELD in fields
    spot = demo_pdf.spot
    assert spot is not None and 0 <= spot.page_index < demo_pdf.pages
    page_text = reader.pages[spot.page_index].extract_text()
    assert "示例县医疗保障局" in page_text and "2025年1月20日" in page_text


def test_progress_callback_and_atomic_write(demo, tmp_path):
    seen = []
    out = tmp_path / "r.pdf"
    export_pdf(demo, out, progress=lambda pct, msg: seen.append((pct, msg)))
    pcts = [p for p, _ in seen]
    assert pcts == sorted(pcts) and pcts[0] == 0 and pcts[-1] == 100
    assert [p.name for p in tmp_path.iterdir()] == ["r.pdf"]

    def boom(pct, msg):
        if pct >= 10:
            raise RuntimeError("cancelled")

    with pytest.raises(RuntimeError):
        export_pdf(demo, tmp_path / "cancelled.pdf", progress=boom)
    assert [p.name for p in tmp_path.iterdir()] == ["r.pdf"]


def test_unwritable_target_is_a_user_error(demo, tmp_path):
    with pytest.raises(UserError, match="无法写入"):
        export_pdf(demo, tmp_path / "missing-folder" / "r.pdf")


# ----------------------------------------------------------------------------------------- fonts


def test_missing_glyph_names_character_and_section(demo):
    sections = list(demo.narrative)
    sections[3] = replace(sections[3], text=sections[3].text + "麻将🀄牌")
    report = replace(demo, narrative=tuple(sections))
    with pytest.raises(MissingGlyphsError) as info:
        build_pdf(report, draft=True)
    assert "🀄" in str(info.value) and sections[3].heading in str(info.value)
    assert "U+1F004" in str(info.value)


def test_rare_character_falls_back_through_the_chain():
    fonts = FontSet(prefer_system=False)
    assert fonts.primary("hei").file.path.name == "NotoSansSC-Regular-subset.ttf"
    assert fonts.font_for("hei", "埇").file.path.name == "NotoSansSC-Regular.ttf"  # the full font, last
    assert fonts.font_for("song", "埇") is not None  # not in GB 2312: drawn by the full Noto Sans SC
    assert fonts.font_for("fang", "中") is fonts.primary("song")  # no free FangSong: Song stands in
    assert fonts.missing("fang", "中文🀄") == ["🀄"]


def test_system_fonts_win_when_present(tmp_path):
    bundled = paths.fonts_dir() / "NotoSerifSC-Regular-subset.ttf"
    shutil.copy(bundled, tmp_path / "simfang.ttf")
    fonts = FontSet(prefer_system=True, system_dirs=[tmp_path])
    assert fonts.primary("fang").file.path == tmp_path / "simfang.ttf"
    assert fonts.primary("fang").file.system


# ------------------------------------------------------------------------------------ typesetting


def test_line_breaking_rules_on_every_line_of_a_30_page_report(long_pdf):
    _, built = long_pdf
    assert 28 <= built.pages <= 40
    checked = 0
    for page_text in _pages_text(built.data):
        for line in page_text.split("\n"):
            line = line.strip()
            if not line or line == "草稿":
                continue
            checked += 1
            assert line[0] not in NO_START, f"line starts with {line[0]!r}: {line}"
            assert line[-1] not in NO_END, f"line ends with {line[-1]!r}: {line}"
    assert checked > 500


def test_body_lines_are_justified_except_a_paragraphs_last(long_pdf):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not installed")
    _, built = long_pdf
    xml = subprocess.run(["pdftotext", "-bbox-layout", "-f", "1", "-l", "12", "-", "-"], input=built.data,
                         capture_output=True, check=True).stdout.decode()
    left, right = MARGIN_LEFT, MARGIN_LEFT + BLOCK_W
    lines = []
    for m in re.finditer(r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</line>',
                         xml, re.S):
        x0, y0, x1, y1 = map(float, m.groups()[:4])
        if abs((y1 - y0) - 16) < 0.5 and x0 >= left - 0.5 and x1 <= right + 1:  # 3号 body text
            text = "".join(re.findall(r">([^<]*)</word>", m.group(5)))
            lines.append((x0, x1, text))
    assert len(lines) > 150
    justified = 0
    for (x0, x1, text), nxt in zip(lines, lines[1:] + [None]):
        # poppler measures a squeezed closing mark by its reduced advance: allow half a character
        slack = 8.0 if text[-1] in NO_START | set("…—") else 0.6
        if right - slack <= x1 <= right + 0.6:
            justified += 1
            continue
        # A short line ends its paragraph: the next body line starts indented (or is not body).
        assert nxt is None or nxt[0] >= left + 2 * PITCH - 0.5 or abs(nxt[0] - left) > 1, (x0, x1, nxt)
    assert justified > 100


def _units(text: str):
    return make_units([(text, "fang")], font_set(False), 16, PITCH, BLOCK_W)


def test_breaker_keeps_runs_whole_and_moves_punctuation():
    fonts = font_set(False)
    text = "甲" * 27 + "，乙乙乙" + "丙" * 20 + "123456.78%" + "丁" * 10 + "“引号”"
    units = make_units([(text, "fang")], fonts, 16, PITCH, BLOCK_W)
    assert any(u.text == "123456.78%" for u in units)
    for s, e in break_lines(units, BLOCK_W, BLOCK_W, PITCH):
        line = "".join(u.text for u in units[s:e])
        assert line[0] not in NO_START and line[-1] not in NO_END


@pytest.mark.parametrize("text", ["≥90%", "DRG/DIP", "2025-01-20", "79.30%", "500000.00"])
def test_latin_and_digit_runs_are_single_units(text):
    units = _units(f"达到{text}以上")
    assert [u.text for u in units] == ["达", "到", text, "以", "上"]


def test_grid_paragraph_lines_fill_the_measure():
    fonts = font_set(False)
    p = GridParagraph([("资金主要用于医保信息化标准化建设、基金监管、经办管理体系建设、DIP支付方式改革和医保政策宣传培训。" * 3,
                        "fang")], fonts, line_height=29, cells=28)
    p.wrap(BLOCK_W, 1000)
    lines = p._lines
    assert len(lines) >= 4
    first_run = lines[0].runs[0]
    assert abs(first_run.x - 2 * PITCH) < 1e-6  # two-character first-line indent
    for line in lines[1:]:
        assert abs(line.runs[0].x) < 1e-6


def test_title_breaks_between_whole_words():
    words = title_words("砀山县医疗保障局2024年度医疗服务与保障能力提升补助资金（医疗保障服务能力建设部分）绩效自评报告",
                        ["砀山县医疗保障局"])
    assert "砀山县医疗保障局" in words and "2024年度" in words and "绩效自评报告" in words
    assert "（医疗保障" in words and "建设部分）" in words
    parts = balance_title([22.0 * len(w) for w in words], BLOCK_W)
    assert len(parts) == 3
    widths = [sum(len(w) for w in words[s:e]) for s, e in parts]
    assert max(widths) - min(widths) <= 6


# ---------------------------------------------------------------------------------------- render


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm not installed")
def test_first_page_renders_and_is_not_blank(demo_pdf, tmp_path):
    from PIL import Image

    src = tmp_path / "r.pdf"
    src.write_bytes(demo_pdf.data)
    subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", str(src), str(tmp_path / "p")], check=True)
    png = next(tmp_path.glob("p*.png"))
    img = Image.open(png).convert("L")
    dark = sum(1 for v in img.get_flattened_data() if v < 128)
    assert dark > 0.01 * img.width * img.height


# ------------------------------------------------------------------------------ figures never break


def huaibei_size_report():
    """A city-size fund (about 9.5亿元) with 10-digit amounts in 元 and 10-digit indicator values."""
    demo = report_from_json(paths.demo_report_json().read_text(encoding="utf-8"))
    incomes = tuple(replace(i, amount=i.amount * 1241) for i in demo.incomes)
    lines = tuple(replace(e, paid=e.paid * 1241, budget=None if e.budget is None else e.budget * 1241)
                  for e in demo.expenditures)
    inds = list(demo.indicators)
    inds[1] = replace(inds[1], target_text="≥1000000000人次", nature="≥", target=Decimal("1000000000"),
                      unit="人次", actual=Decimal("1234567890"))
    return replace(demo, incomes=incomes, expenditures=lines, indicators=tuple(inds))


def test_no_figure_is_cut_inside_a_table_cell():
    report = huaibei_size_report()
    result = compute(report)
    assert result.funds.available >= Decimal("900000000")
    built = build_pdf(report, draft=True, issued=ISSUED)
    lines = [line.strip() for page in _pages_text(built.data) for line in page.splitlines()]
    forms = official_forms(report, result)
    figures = {c.display for form in forms for c in form.cells if c.numeric}
    figures |= {fmt.money(i.amount, "万元") for i in report.incomes}
    figures |= {fmt.money(p.paid, "万元") for p in result.funds.large_projects}
    assert "1234567890人次" in figures and any(len(f.replace(",", "").split(".")[0]) >= 6 for f in figures)
    tokens = set()
    for line in lines:
        for number, suffix in re.findall(r"(-?\d[\d,]*(?:\.\d+)?)(%|\*|[\u4e00-\u9fff]{1,3})?", line):
            tokens |= {number, number + suffix, number + suffix[:1], number + suffix[:2]}
    missing = sorted(f for f in figures if f not in tokens)
    assert not missing, f"figures cut across lines or missing: {missing[:10]}"
    # and no line starts with the tail of a grouped number (",710.00" or "0" left over from a cut)
    assert not [line for line in lines if re.match(r"^[,.]\d", line)]


# ------------------------------------------------------------------------- scores, profiles, limits


def test_a_report_without_scores_has_no_score_section_and_the_transfer_form_annex(demo):
    plain = replace(demo, scoring=replace(demo.scoring, scored=False))
    text = _flat("".join(_pages_text(build_pdf(plain, issued=ISSUED).data)))
    assert "中央对地方转移支付区域绩效自评表" in text and "项目支出绩效自评表" not in text
    assert "自评得分情况" not in text and "自评等级" not in text and "评分按照" not in text
    scored = _flat("".join(_pages_text(build_pdf(demo, issued=ISSUED).data)))
    assert "自评得分情况" in scored and "项目支出绩效自评表" in scored


def test_method_sentence_names_the_profile_and_its_bands(demo):
    report = replace(demo, scoring=replace(demo.scoring, profile="bands_80_50"))
    text = _flat("".join(_pages_text(build_pdf(report, draft=True, issued=ISSUED).data)))
    assert _flat(f"评分按照{rules.profile('bands_80_50').basis}") in text
    assert "“部分达成”得50%–80%、“未达成”得50%以下" in text


def test_form_text_over_its_limit_is_printed_whole_in_pdf_and_xlsx(demo, tmp_path):
    from openpyxl import load_workbook

    from yibao_desktop.exchange.excel.write import write_forms

    long_goal = "全年目标全部完成" + "并持续巩固提升服务质量" * 14 + "。"  # > 100 characters
    assert len(long_goal) > rules.TEXT_LIMITS["overall_goal"][0]
    narrative = tuple(replace(s, text=long_goal) if s.key == "overall_goal" else s for s in demo.narrative)
    report = replace(demo, narrative=narrative)
    assert "text_too_long" in {f.code for f in compute(report).findings}
    text = _flat("".join(_pages_text(build_pdf(report, draft=True, issued=ISSUED).data)))
    assert text.count(_flat(long_goal)) == 2  # both forms, never cut
    path = write_forms(official_forms(report), tmp_path / "forms.xlsx")
    cells = [c.value for ws in load_workbook(path).worksheets for r in ws.iter_rows() for c in r]
    assert cells.count(long_goal) == 2


def test_evidence_list_annex_in_pdf_and_xlsx(demo, tmp_path):
    from openpyxl import load_workbook

    from yibao_desktop.domain.report import Attachment
    from yibao_desktop.exchange.excel.write import write_forms

    photo = Attachment("定点医药机构现场检查照片.png", "ab" * 32, 356_000)
    sheet = Attachment("培训签到表.pdf", "cd" * 32, 12_400_000)
    report = replace(demo, evidence=(sheet,), indicators=(replace(demo.indicators[0], evidence=(photo,)),)
                     + demo.indicators[1:])
    pages = _pages_text(build_pdf(report, issued=ISSUED).data)
    last = _flat(pages[-1])
    assert "附件3" in last and "佐证材料清单" in last
    assert "培训签到表.pdf" in last and "11.8MB" in last and "cd" * 8 in last and "报告整体" in last
    assert "348KB" in last and "ab" * 8 in last and _flat(demo.indicators[0].name) in last
    assert "附件：" in _flat("".join(pages)) and "3.佐证材料清单" in _flat("".join(pages))
    wb = load_workbook(write_forms(official_forms(report), tmp_path / "forms.xlsx"))
    assert wb.sheetnames[-1] == "佐证材料清单"
    values = [c.value for r in wb["佐证材料清单"].iter_rows() for c in r if c.value]
    assert "培训签到表.pdf" in values and "11.8 MB" in values and "ab" * 8 in values
    assert "佐证材料清单" not in _flat("".join(_pages_text(build_pdf(demo, issued=ISSUED).data)))


def test_an_ordinary_report_never_parses_the_full_sans_font():
    """The 10 MB Noto Sans SC costs about 50 ms to parse: only a character the subsets lack loads it."""
    script = ("import sys\n"
              "from tests.exchange.pdf.test_report import build_pdf, long_report\n"
              "from yibao_desktop.exchange.pdf import fonts\n"
              "built = build_pdf(long_report(), draft=True)\n"
              "print(sorted(f.path.name for f, font in fonts._registry.items() if font is not None))\n")
    loaded = child_output(script)[-1]
    assert "NotoSansSC-Regular-subset.ttf" in loaded and "'NotoSansSC-Regular.ttf'" not in loaded


def test_reportlab_runs_with_its_c_accelerators():
    """rl_accel (a dependency) replaces ReportLab's pure-Python number formatting and encoding."""
    from reportlab.lib import rl_accel

    assert rl_accel.fp_str.__module__ == "_rl_accel" and "fp_str" in rl_accel._c_funcs


def test_cells_longer_than_a_page_run_on_to_the_next_page():
    """A 偏差原因 or an income note longer than a page no longer stops the export with a traceback
    (ReportLab's "too large" LayoutError): the row continues on the next page, and every character
    is printed (the reason on both forms)."""
    demo = report_from_json(paths.demo_report_json().read_text(encoding="utf-8"))
    reason, note = "因" * 1500, "注" * 400
    report = replace(demo, indicators=(replace(demo.indicators[0], deviation_reason=reason),) + demo.indicators[1:],
                     incomes=(replace(demo.incomes[0], note=note),) + demo.incomes[1:])
    built = build_pdf(report, draft=True, issued=ISSUED)
    text = "".join(_pages_text(built.data))
    assert text.count("因") >= 2 * len(reason)
    assert text.count("注") >= len(note)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext not installed")
def test_a_unit_name_at_the_limit_stays_inside_the_page(tmp_path):
    """200 characters (limits.UNIT_NAME_MAX, the longest a report may have) are broken over title
    lines and over several lines of the closing block, never run off the page."""
    demo = report_from_json(paths.demo_report_json().read_text(encoding="utf-8"))
    report = replace(demo, meta=replace(demo.meta, unit="某" * 200))
    src = tmp_path / "long-unit.pdf"
    src.write_bytes(build_pdf(report, draft=True, issued=ISSUED).data)
    html = subprocess.run(["pdftotext", "-bbox", str(src), "-"], capture_output=True, text=True, check=True).stdout
    seen = 0
    for page in html.split("<page ")[1:]:
        width = float(re.search(r'width="([\d.]+)"', page).group(1))
        words = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', page)
        for a, b, text in words:
            if "某" in text:
                seen += text.count("某")
                assert 0 <= float(a) and float(b) <= width, (text, a, b, width)
    assert seen >= 2 * 200  # title and closing block, whole (and the forms' 实施单位)
