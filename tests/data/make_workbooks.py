"""Regenerate the workbook fixtures in tests/data/workbooks (run by hand; needs LibreOffice Calc,
which `make test` installs as libreoffice-calc-nogui):

    .venv/bin/python tests/data/make_workbooks.py

One county-style workbook is written with openpyxl, then saved by LibreOffice three times: as
.xlsx, as Excel 97-2003 .xls and as .ods. LibreOffice computes the formulas and stores their
results, so the three files hold the same values, formats and formula errors, written by a
program other than ours. tests/exchange/excel/test_formats.py imports them and compares.

- 支出台账: a title, the caption 单位：元, a 支付金额 column in the custom format 0.00"万元"
  (the cells hold 万元 figures), dates as date cells, as an Excel serial number in a General
  cell and as text, a 合计 row and a note below the table;
- 绩效指标: actual values stored as 0.956 in cells formatted 0.00% (read as 95.6), a target
  typed as the number 0.9 formatted 0% (read as 90%), a qualitative row, weights;
- 资金来源: an income whose 金额 is a formula error (=1/0 -> #DIV/0!), a located problem.

forms.xlsx / forms.xls: the demo report's official 自评表 as this program exports them, saved
by LibreOffice as .xlsx and .xls (last year's form, as next-year reads it).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent / "workbooks"
NAME = "county"


def source(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "支出台账"
    ws.append(["2025年医疗保障服务能力建设资金支出台账"])
    ws.append(["单位：元"])
    ws.append(["序号", "项目名称", "资金类别", "预算金额", "支付金额", "支付日期", "经济科目"])
    lines = [
        ("医保信息系统运维", "当年下达", 120000, 11.5, date(2025, 3, 1)),
        ("基金监管专项检查", "上年结转", 50000, 4.25, 45748),  # 2025-04-01 as a serial number
        ("政策宣传", "当年下达", 8000.5, 0.6, "2025年5月20日"),
        ("经办人员培训", "当年下达", None, 1.2345, date(2025, 6, 30)),
    ]
    for n, (project, pool, budget, paid, day) in enumerate(lines, 1):
        ws.append([n, project, pool, budget, paid, day, "购买服务"])
        ws.cell(ws.max_row, 5).number_format = '0.00"万元"'
        if isinstance(day, date):
            ws.cell(ws.max_row, 6).number_format = "yyyy-mm-dd"
    ws.append([None, "合计", None, None, "=SUM(E4:E7)"])
    ws.append([])
    ws.append(["注：数据来源于财务系统"])

    ws = wb.create_sheet("绩效指标")
    ws.append(["一级指标", "二级指标", "三级指标", "年度指标值", "分值", "实际完成值", "偏差原因分析及改进措施"])
    rows = [
        ("产出指标", "数量指标", "定点医药机构现场检查覆盖率", "≥95%", 20, 0.956, None),
        (None, "质量指标", "医保电子凭证激活率", 0.9, 20, 0.815, "宣传不到位，下一步加强宣传"),
        ("效益指标", "社会效益指标", "群众满意度", "≥90%", 30, "达成", None),
        ("满意度指标", "服务对象满意度指标", "参保群众满意度", "≥85%", 20, 91.2, None),
    ]
    for row in rows:
        ws.append(list(row))
    ws["F2"].number_format = ws["F3"].number_format = "0.00%"
    ws["D3"].number_format = "0%"

    ws = wb.create_sheet("资金来源")
    ws.append(["级次", "类别", "文号", "下达日期", "金额"])
    ws.append(["中央", "当年下达", "财社〔2025〕1号", date(2025, 2, 1), 300000])
    ws.append(["省级", "当年下达", "财社〔2025〕9号", date(2025, 3, 1), "=1/0"])
    for cell in ws["D"][1:]:
        cell.number_format = "yyyy-mm-dd"
    wb.save(path)
    return path


def convert(src: Path, suffix: str, out_dir: Path) -> Path:
    """`src` saved by LibreOffice as `suffix` (xlsx, xls or ods) into `out_dir`."""
    filters = {"xlsx": "xlsx:Calc MS Excel 2007 XML", "xls": "xls:MS Excel 97", "ods": "ods"}
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) is needed: make test installs libreoffice-calc-nogui")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                        filters[suffix], "--outdir", str(out_dir), str(src)], check=True, capture_output=True,
                       timeout=180)
    return out_dir / f"{src.stem}.{suffix}"


def forms(path: Path) -> Path:
    from yibao_desktop import paths
    from yibao_desktop.domain.interchange import report_from_json
    from yibao_desktop.services.excel import export_forms

    return export_forms(report_from_json(paths.demo_report_json().read_text(encoding="utf-8")), path)


def main() -> None:
    HERE.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for src, suffixes in ((source(Path(tmp) / f"{NAME}.xlsx"), ("xlsx", "xls", "ods")),
                              (forms(Path(tmp) / "forms.xlsx"), ("xlsx", "xls"))):
            for suffix in suffixes:
                out = Path(tmp) / f"{src.stem}-{suffix}"
                out.mkdir()
                shutil.copyfile(convert(src, suffix, out), HERE / f"{src.stem}.{suffix}")
                print(HERE / f"{src.stem}.{suffix}")


if __name__ == "__main__":
    main()
