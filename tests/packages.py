"""Generated county submission packages for the receiving end (issue 12): the tests' fixture and
the aggregate benchmarks' seed.

`county_report(i)` varies the demo report per county (unit name, amounts to the fen, dropped
payment lines, indicator actuals) so that no two counties have the same figures and none has an
error finding (a package is only made from a report without errors). `make_county_packages`
signs real packages with `services.submission.make_package` (about 0.3 s each).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from yibao_desktop.domain.calc import compute
from yibao_desktop.domain.money import CENT
from yibao_desktop.domain.report import Report
from yibao_desktop.services import keystore, submission
from yibao_desktop.services.evidence import attach
from yibao_desktop.services.reports import demo_report
from yibao_desktop.storage.repository import Document

COUNTIES = (
    "砀山县", "萧县", "灵璧县", "泗县", "埇桥区", "濉溪县", "烈山区", "杜集区", "相山区", "蒙城县",
    "涡阳县", "利辛县", "谯城区", "颍上县", "阜南县", "临泉县", "太和县", "界首市", "颍州区", "颍东区",
    "颍泉区", "寿县", "霍邱县", "舒城县", "金寨县", "霍山县", "裕安区", "金安区", "叶集区", "凤台县",
)
PASSWORD = "county-secret"
BASE_TIME = datetime(2026, 1, 20, 9, 0, tzinfo=timezone(timedelta(hours=8)))


def unit_name(i: int) -> str:
    return f"{COUNTIES[i % len(COUNTIES)]}医疗保障局" + (f"{i // len(COUNTIES)}" if i >= len(COUNTIES) else "")


def _shift_year(d: date | None, years: int) -> date | None:
    return None if d is None else d.replace(year=d.year + years)


def county_report(i: int, *, fund_type: str = "capacity", year: int = 2025, variant: int = 0,
                  base: Report | None = None) -> Report:
    """County `i`'s report. `variant` changes the figures of the same unit, fund and year (a
    package sent again)."""
    base = base or demo_report()
    k = i + 7 * variant
    # Factors of two decimals keep every scaled whole-yuan amount exact (no rounding, so the
    # carried pool's payments still add up to the carried income).
    factor = Decimal(60 + (k * 37) % 90) / 100
    incomes = [replace(inc, amount=(inc.amount * factor).quantize(CENT)) for inc in base.incomes]
    odd = Decimal((k * 1301) % 10000) / 100  # fen that make the sums exact to the fen, not the yuan
    incomes[2] = replace(incomes[2], amount=incomes[2].amount + odd)
    kept = base.expenditures[: len(base.expenditures) - k % 5]
    expenditures = [replace(e, paid=(e.paid * factor).quantize(CENT),
                            budget=None if e.budget is None else (e.budget * factor).quantize(CENT)) for e in kept]
    indicators = []
    for ind in base.indicators:
        if ind.name == "参保群众医保政策知晓率":
            ind = replace(ind, actual=Decimal(78 + k % 14) + Decimal("0.5"),
                          deviation_reason="农村地区宣传覆盖不足，下一年度加强入户宣传。")
        elif ind.name == "医保经办人员业务培训":
            ind = replace(ind, actual=Decimal(170 + (k * 11) % 80), deviation_reason="部分培训因故延期，已纳入下年计划。")
        indicators.append(ind)
    meta = replace(base.meta, unit=unit_name(i), fund_type=fund_type, year=year)
    shift = year - base.meta.year
    if shift:
        incomes = [replace(inc, date=_shift_year(inc.date, shift)) for inc in incomes]
        expenditures = [replace(e, paid_on=_shift_year(e.paid_on, shift)) for e in expenditures]
    report = replace(base, meta=meta, incomes=tuple(incomes), expenditures=tuple(expenditures),
                     indicators=tuple(indicators))
    errors = compute(report).errors
    assert not errors, [f.message for f in errors]
    return report


def make_certificate(folder: Path, unit: str, signer: str):  # type: ignore[no-untyped-def]
    p12 = folder / f"{signer}.p12"
    keystore.create_certificate(unit, signer, PASSWORD, path=p12)
    return keystore.unit_credentials(PASSWORD, p12), p12.with_suffix(".cer")


def write_package(report: Report, dest: Path, creds, created: datetime | None = None,  # type: ignore[no-untyped-def]
                  evidence: tuple[tuple[str, bytes, int | None], ...] = ()) -> Path:
    """A signed package of `report` in `dest`; `created` rewrites the manifest's time (it is not
    covered by the signature, so tests can set who is newer). `evidence`: (file name, contents,
    indicator row or None) attached before the package is made."""
    dest.mkdir(parents=True, exist_ok=True)
    work = dest.parent / f".{dest.name}-docs"
    work.mkdir(exist_ok=True)
    doc_path = work / f"{report.meta.unit}-{report.meta.year}-{report.meta.fund_type}.yibao"
    with Document.create(doc_path, report, overwrite=True) as doc:
        for name, data, indicator in evidence:
            (work / name).write_bytes(data)
            attach(doc, work / name, indicator)
            (work / name).unlink()
        snapshot = doc.snapshot()
        report = doc.report
    folder = submission.make_package(report, snapshot, dest, creds).folder
    if created is not None:
        manifest_path = folder / "manifest.json"
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        manifest["created"] = created.isoformat(timespec="seconds")
        manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return folder


# County 0 sends two 佐证材料 (a photo for its first indicator, a sign-in sheet for the report).
EVIDENCE = (("现场检查照片.png", b"\x89PNG\r\n\x1a\n" + b"county-0-photo", 0),
            ("培训签到表.pdf", b"%PDF-1.4 county-0 sign-in sheet", None))


def _with_evidence(report: Report, files) -> Report:  # type: ignore[no-untyped-def]
    from yibao_desktop.services.evidence import attach_edits, from_bytes
    from yibao_desktop.domain.edits import apply_edits

    for name, data, indicator in files:
        report = apply_edits(report, attach_edits(report, from_bytes(name, data).attachment, indicator))[0]
    return report


def flip_byte(path: Path, offset: int | None = None) -> None:
    data = bytearray(path.read_bytes())
    at = len(data) // 2 if offset is None else offset
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


@dataclass
class CountyPackages:
    """The fixture's layout:

    stick/    28 signed packages (counties 0–27): 0–19 capacity 2025, 20–22 medical assistance 2025,
              23–24 capacity 2024; 26–27 signed with a second certificate that is not trusted;
              county 5's PDF has one byte flipped (tampered)
    late/     county 3 again, other figures, a later manifest time (the duplicate that wins)
    direct/   county 28's report as a bare .yibao file (given directly)
    """

    root: Path
    stick: Path
    late: Path
    direct: Path
    trusted_cer: Path
    other_cer: Path
    reports: dict[str, Report] = field(default_factory=dict)  # source path -> report
    tampered: str = ""
    superseded: str = ""
    newer: str = ""
    bare: str = ""

    @property
    def inputs(self) -> list[Path]:
        """The stick's root, the folder of the late package, and the .yibao file itself."""
        return [self.stick, self.late, Path(self.bare)]

    def kept_reports(self) -> dict[str, Report]:
        return {src: rep for src, rep in self.reports.items() if src not in (self.tampered, self.superseded)}


def group_of(i: int) -> tuple[str, int]:
    if 20 <= i <= 22:
        return "medical_assistance", 2025
    if 23 <= i <= 24:
        return "capacity", 2024
    return "capacity", 2025


def make_county_packages(root: Path) -> CountyPackages:
    root.mkdir(parents=True, exist_ok=True)
    certs = root / "certs"
    certs.mkdir()
    trusted, trusted_cer = make_certificate(certs, "各县医疗保障局", "张三")
    other, other_cer = make_certificate(certs, "未登记单位", "李四")
    out = CountyPackages(root, root / "stick", root / "late", root / "direct", trusted_cer, other_cer)
    base = demo_report()
    for i in range(28):
        fund_type, year = group_of(i)
        report = county_report(i, fund_type=fund_type, year=year, base=base)
        files = EVIDENCE if i == 0 else ()
        folder = write_package(report, out.stick, other if i in (26, 27) else trusted,
                               BASE_TIME + timedelta(minutes=i), files)
        out.reports[str(folder)] = report if not files else _with_evidence(report, files)
        if i == 5:
            flip_byte(next(folder.glob("*.pdf")))
            out.tampered = str(folder)
        if i == 3:
            out.superseded = str(folder)
    again = county_report(3, variant=1, base=base)
    folder = write_package(again, out.late, trusted, BASE_TIME + timedelta(days=1))
    out.reports[str(folder)] = again
    out.newer = str(folder)
    out.direct.mkdir()
    bare = county_report(28, base=base)
    path = out.direct / f"{bare.meta.unit}.yibao"
    Document.create(path, bare).close()
    out.reports[str(path)] = bare
    out.bare = str(path)
    for work in root.glob(".*-docs"):
        for f in work.iterdir():
            f.unlink()
        work.rmdir()
    return out
