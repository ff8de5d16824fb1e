"""Reports as files: open, create, new from a template, JSON in and out, compute and check, and
the bundled demo."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Sequence

from yibao_desktop import paths
from yibao_desktop import fileio
from yibao_desktop.domain import formatting as fmt
from yibao_desktop.domain.calc import compute
from yibao_desktop.domain.errors import UserError
from yibao_desktop.domain.interchange import report_from_json, report_to_json, result_to_json
from yibao_desktop.domain.report import Report
from yibao_desktop.domain.result import SEVERITY_LABELS, Finding, Result
from yibao_desktop.storage.db import FILE_SUFFIX
from yibao_desktop.storage.repository import Document
from yibao_desktop.templates import load_template, new_report

DEMO_NAME = "示例县医疗保障局-2025-能力提升资金（示例）.yibao"


def with_suffix(path: str | os.PathLike[str]) -> Path:
    """A report file name always ends in .yibao."""
    p = Path(path)
    return p if p.name.lower().endswith(FILE_SUFFIX) else p.with_name(p.name + FILE_SUFFIX)


def open_document(path: str | os.PathLike[str], read_only: bool = False) -> Document:
    return Document.open(path, read_only=read_only)


def read_report(path: str | os.PathLike[str]) -> Report:
    """The report held in a file, opened read-only (the file is never modified)."""
    with Document.open(path, read_only=True) as doc:
        return doc.report


def create_document(path: str | os.PathLike[str], report: Report, overwrite: bool = False) -> Document:
    return Document.create(path, report, overwrite=overwrite)


def new_document(path: str | os.PathLike[str], fund_type: str, unit: str, year: int, variant: str | None = None,
                 overwrite: bool = False) -> Document:
    """A new report from the fund type's template: starter indicators, outline and scoring."""
    return Document.create(path, new_report(fund_type, unit, year, variant), overwrite=overwrite)


def template_label(fund_type: str) -> str:
    return load_template(fund_type).label


def load_json(json_path: str | os.PathLike[str], out: str | os.PathLike[str], overwrite: bool = False) -> Report:
    """Build a report file from interchange JSON."""
    try:
        text = fileio.read_regular(json_path).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(f"「{json_path}」不是 UTF-8 编码的文本文件") from None
    report = report_from_json(text)
    Document.create(out, report, overwrite=overwrite).close()
    return report


def dump_json(path: str | os.PathLike[str]) -> str:
    return report_to_json(read_report(path))


def compute_json(path: str | os.PathLike[str]) -> str:
    """What `yibao-desktop compute` prints: INTERCHANGE.md's compute keys, indented."""
    return json.dumps(result_to_json(compute(read_report(path))), ensure_ascii=False, indent=2) + "\n"


def check(path: str | os.PathLike[str]) -> Result:
    return compute(read_report(path))


def format_findings(findings: Sequence[Finding]) -> str:
    """A readable Chinese list, grouped by severity."""
    if not findings:
        return "未发现问题。"
    lines = []
    for severity, label in SEVERITY_LABELS.items():
        group = [f for f in findings if f.severity == severity]
        if not group:
            continue
        lines.append(f"{label}（{len(group)} 项）：")
        for n, f in enumerate(group, 1):
            lines.append(f"  {n}. {f.message}  〔{f.where}｜{f.code}〕")
    return "\n".join(lines)


def check_summary(result: Result) -> str:
    counts = result.severity_counts()
    return (f"合计：错误 {counts['error']} 项，警告 {counts['warning']} 项，提示 {counts['info']} 项。"
            f"总分 {fmt.score(result.total_score)}，等级「{fmt.label(result.grade)}」。")


# ---------------------------------------------------------------------------------- demo


def demo_report() -> Report:
    return report_from_json(paths.demo_report_json().read_text(encoding="utf-8"))


def demo_path() -> Path:
    return paths.user_data_dir() / DEMO_NAME


def open_demo() -> Document:
    """A fresh copy of the bundled demo report: edits to it never carry into the next opening."""
    path = demo_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return Document.create(path, demo_report(), overwrite=True)


def result_json(result: Result) -> dict[str, Any]:
    return result_to_json(result)
