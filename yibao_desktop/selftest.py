"""`yibao-desktop --self-test`: an end-to-end check of an installed (frozen) or source build.

Runs headless and offline in a temporary folder, one printed line per step, and exits 0 only if
every step passed. It never touches the user's reports, settings or signing certificate: the data
folder is pointed at the temporary folder for the duration of the run.

Steps: the bundled resources are there; the demo report is opened (JSON → a new .yibao file →
reopened); compute; the official xlsx is exported and read back; the final PDF is exported,
signed with a throwaway certificate and verified (a tampered copy must fail); a submission
package is written and verified; and the window is built offscreen on the demo report, which
proves the bundled Qt plugins, fonts, Qt's Chinese translation and UI modules load
(`-platform NAME` picks another Qt platform plugin; Wine does not pass QT_* variables, so it is
a command-line option).

A step whose module is missing (a feature not yet in this build) fails with a message saying so;
a step that depends on an earlier failed step is reported as skipped, which also fails the run.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import platform
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence, TextIO

from yibao_desktop import __version__, paths

PASSWORD = "selftest-only"  # the throwaway certificate lives and dies in the temporary folder
UNIT = "示例县医疗保障局"
SIGNER = "自检"
REQUIRED_RESOURCES = (
    ("templates", "capacity.json"),
    ("templates", "resident_insurance.json"),
    ("templates", "medical_assistance.json"),
    ("templates", "custom.json"),
    ("demo", "demo-2025-capacity.json"),
    ("fonts", "NotoSansSC-Regular.ttf"),
    ("fonts", "NotoSansSC-Regular-subset.ttf"),
    ("help", "guide.md"),
    ("help", "licenses.md"),
)


class StepFailed(Exception):
    """A check inside a step did not hold; the message says which (Chinese)."""


@dataclass
class Context:
    """What the steps hand to each other."""

    folder: Path
    platform: str
    report: Any = None
    document_path: Path | None = None
    result: dict[str, Any] | None = None
    pdf_path: Path | None = None
    signed_path: Path | None = None
    creds: Any = None
    cer_path: Path | None = None


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    run: Callable[[Context], str]
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    key: str
    title: str
    status: str  # "ok", "fail", "skip"
    detail: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def line(self) -> str:
        label = {"ok": "通过", "fail": "失败", "skip": "跳过"}[self.status]
        return f"[{label}] {self.title}：{self.detail}（{self.seconds:.2f} 秒）"


# ------------------------------------------------------------------------------------ the steps


def step_environment(ctx: Context) -> str:
    root = paths.resources_dir()
    missing = ["/".join(parts) for parts in REQUIRED_RESOURCES if not paths.resource(*parts).is_file()]
    if missing:
        raise StepFailed(f"资源文件夹 {root} 中缺少：{'、'.join(missing)}")
    fonts = sorted(p.name for p in paths.fonts_dir().glob("*.ttf"))
    frozen = "安装版" if getattr(sys, "frozen", False) else "源码运行"
    return (f"yibao-desktop {__version__}（{frozen}），Python {platform.python_version()}，"
            f"{platform.system()} {platform.release()} {platform.machine()}；资源 {root}；字体 {len(fonts)} 个")


def step_open_demo(ctx: Context) -> str:
    from yibao_desktop.domain.interchange import report_to_json
    from yibao_desktop.services import reports

    report = reports.demo_report()
    path = ctx.folder / "示例报告.yibao"
    reports.create_document(path, report).close()
    reopened = reports.read_report(path)
    if report_to_json(reopened) != report_to_json(report):
        raise StepFailed("重新打开的 .yibao 文件与示例报告不一致")
    ctx.report, ctx.document_path = reopened, path
    meta = reopened.meta
    return f"{meta.unit} {meta.year} 年度，写入并重新打开 {path.name}（{path.stat().st_size // 1024} KB）"


def step_compute(ctx: Context) -> str:
    from yibao_desktop.domain import formatting as fmt
    from yibao_desktop.domain.calc import compute

    result = compute(ctx.report)
    if result.errors:
        raise StepFailed(f"示例报告有 {len(result.errors)} 项错误，例如：{result.errors[0].message}")
    ctx.result = result
    return (f"总分 {fmt.score(result.total_score)}，等级「{fmt.label(result.grade)}」，"
            f"提示与警告 {len(result.findings)} 项，错误 0 项")


def step_export_xlsx(ctx: Context) -> str:
    try:
        excel = importlib.import_module("yibao_desktop.services.excel")
        forms = importlib.import_module("yibao_desktop.domain.forms")
        form_titles, export_forms = forms.FORM_TITLES, excel.export_forms
    except (ImportError, AttributeError) as err:
        raise StepFailed(f"本版本缺少 Excel 导出模块（{err}）") from None
    from openpyxl import load_workbook

    out = ctx.folder / "自评表.xlsx"
    export_forms(ctx.report, out)
    wb = load_workbook(out, read_only=True)
    try:
        sheets = list(wb.sheetnames)
        cells = sum(1 for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    finally:
        wb.close()
    if not sheets or cells == 0:
        raise StepFailed("导出的自评表是空的")
    titles = "、".join(form_titles.values())
    return f"{titles}：{len(sheets)} 张工作表，{cells} 个非空单元格（{out.stat().st_size // 1024} KB）"


def step_import_excel(ctx: Context) -> str:
    """The data workbook written and read back through the import reader (python-calamine, a
    compiled module: this proves the frozen build carries it)."""
    try:
        excel = importlib.import_module("yibao_desktop.services.excel")
    except ImportError as err:
        raise StepFailed(f"本版本缺少 Excel 导入模块（{err}）") from None
    out = ctx.folder / "数据工作簿.xlsx"
    excel.export_data(ctx.report, out)
    plan = excel.plan_import(ctx.report, out)
    if plan.problems:
        raise StepFailed(f"读回数据工作簿时发现 {len(plan.problems)} 个问题，例如：{plan.problems[0]}")
    if plan.edits:
        raise StepFailed(f"读回的数据与报告不一致（{plan.summary()}）")
    rows = sum(len(t.rows) for t in plan.result.tables)
    return f"数据工作簿写出并读回，{len(plan.result.tables)} 张表 {rows} 行，与报告一致"


def step_export_pdf(ctx: Context) -> str:
    from yibao_desktop.domain.interchange import report_from_json, report_to_json
    from yibao_desktop.exchange.signing import embedded_report_json
    from yibao_desktop.services.export import export_pdf

    out = ctx.folder / "自评报告.pdf"
    result = export_pdf(ctx.report, out, "final")
    data = out.read_bytes()
    if not data.startswith(b"%PDF-") or result.pages < 1:
        raise StepFailed("导出的文件不是 PDF")
    attached = embedded_report_json(data)
    if attached is None or report_to_json(report_from_json(attached)) != report_to_json(ctx.report):
        raise StepFailed("PDF 中附带的报告数据与报告不一致")
    ctx.pdf_path = out
    return f"正式版 {result.pages} 页（{result.size // 1024} KB），附带的报告数据一致"


def step_certificate(ctx: Context) -> str:
    from yibao_desktop.services import keystore

    p12 = ctx.folder / "证书" / "selftest.p12"
    info = keystore.create_certificate(UNIT, SIGNER, PASSWORD, path=p12)
    ctx.creds = keystore.unit_credentials(PASSWORD, p12)
    ctx.cer_path = p12.with_suffix(".cer")
    return f"临时证书（仅用于自检，用后删除）：{info.signer}（{info.unit}），指纹 {info.fingerprint[:16]}…"


def step_sign(ctx: Context) -> str:
    from yibao_desktop.services import export

    assert ctx.pdf_path is not None
    out = ctx.folder / "自评报告（已签名）.pdf"
    export.sign_pdf(ctx.pdf_path, out, ctx.creds)
    ctx.signed_path = out
    return f"已签名 {out.name}（{out.stat().st_size // 1024} KB）"


def step_verify(ctx: Context) -> str:
    from yibao_desktop.exchange import signing
    from yibao_desktop.services import keystore

    assert ctx.signed_path is not None and ctx.cer_path is not None
    trusted = [ctx.cer_path]
    result = keystore.verify_pdf(ctx.signed_path, trusted)
    if result.exit_code != 0:
        raise StepFailed(f"签名核验未通过：{signing.format_verification(result)}")
    untrusted = keystore.verify_pdf(ctx.signed_path)  # the throwaway certificate is not the unit's own
    if untrusted.exit_code != 2:
        raise StepFailed("未提供受信任证书时，核验结果应为“完好但签名人未确认”")
    data = bytearray(ctx.signed_path.read_bytes())
    at = data.index(b"/Type /Page") if b"/Type /Page" in data else len(data) // 3
    data[at + 1] = ord("X")  # alter the signed content
    tampered = ctx.folder / "被改动.pdf"
    tampered.write_bytes(bytes(data))
    if keystore.verify_pdf(tampered, trusted).exit_code != 1:
        raise StepFailed("改动过的 PDF 没有被识别出来")
    sig = result.signatures[0]
    return f"签名完好且可信（{sig.signer}，{sig.unit}）；改动一个字节后核验不通过，符合预期"


def step_package(ctx: Context) -> str:
    try:
        submission = importlib.import_module("yibao_desktop.services.submission")
    except ImportError as err:
        raise StepFailed(f"本版本缺少报送包模块（{err}）") from None
    from yibao_desktop.services import reports

    assert ctx.document_path is not None and ctx.cer_path is not None
    with reports.open_document(ctx.document_path, read_only=True) as doc:
        report, data = doc.report, doc.snapshot()
    dest = ctx.folder / "U盘"
    dest.mkdir()
    made = submission.make_package(report, data, dest, ctx.creds)
    checks = submission.verify_package(made.folder, [ctx.cer_path])
    failed = [c for c in checks if not c.ok]
    if failed or not checks:
        raise StepFailed("报送包核验未通过：" + "；".join(f"{c.name}：{c.message}" for c in failed))
    return f"{made.folder.name}/：{len(made.files)} 个文件和清单，{len(checks)} 项核验全部通过"


def step_window(ctx: Context) -> str:
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from yibao_desktop.ui import errors

    def qt_message(mode: Any, context: Any, message: str) -> None:
        if "propagateSizeHints" not in message and sys.stderr is not None:  # offscreen's known notice
            sys.stderr.write(message + "\n")

    messages: list[str] = []
    previous_hook = errors.show_hook
    errors.show_hook = lambda kind, title, message: messages.append(f"{title}：{message}")
    previous_handler = qInstallMessageHandler(qt_message)
    try:
        argv0 = sys.argv[0] if sys.argv else "yibao-desktop"
        app = QApplication.instance() or QApplication([argv0, "-platform", ctx.platform])
        font_note = _check_ui_font(app)
        _check_translations(app)
        detail = _show_window(app, ctx, messages)
    finally:
        errors.show_hook = previous_hook
        qInstallMessageHandler(previous_handler)
    return f"Qt {pyside_version}（{app.platformName()}），{detail}{font_note}"


def _check_translations(app: Any) -> None:
    """Qt's own texts must be Chinese: the bundle keeps qtbase_zh_CN.qm (installer.spec) and the
    window finds it (Qt's file dialog says 查找范围, not "Look in:")."""
    from PySide6.QtCore import QCoreApplication

    from yibao_desktop.ui.fonts import install_chinese_translations, translation_folders

    translator = install_chinese_translations(app)
    if translator is None:
        raise StepFailed("找不到 Qt 的中文翻译 qtbase_zh_CN.qm（查找了：" +
                         "；".join(str(f) for f in translation_folders()) + "）")
    if QCoreApplication.translate("QFileDialog", "&Look in:") == "&Look in:":
        raise StepFailed(f"Qt 的中文翻译未生效（{translator.filePath()}）")


def _check_ui_font(app: Any) -> str:
    """The bundled UI font must load where it is the UI font (not Windows, which uses its own)."""
    from PySide6.QtCore import QByteArray
    from PySide6.QtGui import QFontDatabase

    from yibao_desktop.ui.fonts import register_fonts

    if register_fonts(app) is not None:
        return ""
    font = paths.fonts_dir() / "NotoSansSC-Regular.ttf"
    by_data = QFontDatabase.addApplicationFontFromData(QByteArray(font.read_bytes())) >= 0
    if sys.platform != "win32" or not by_data:
        raise StepFailed(f"无法加载内置界面字体 {font}（按数据加载{'成功' if by_data else '也失败'}）")
    # Seen under Wine with the offscreen plugin, whose FreeType font database cannot open a path with
    # Chinese characters (the default install folder); the windows plugin's font database can.
    return "；注意：Qt 无法按路径（含中文）打开内置字体，按数据可以；Windows 界面用系统字体，不受影响"


def _show_window(app: Any, ctx: Context, messages: list[str]) -> str:
    from yibao_desktop.ui.main_window import MainWindow

    assert ctx.document_path is not None
    copy = ctx.folder / "界面自检.yibao"
    copy.write_bytes(ctx.document_path.read_bytes())
    window = MainWindow()
    try:
        opened = window.open_path(copy)
        window.resize(1366, 768)
        window.show()
        app.processEvents()
        image = window.grab().toImage()
        if messages or not opened:
            raise StepFailed("；".join(messages) or "窗口未能打开示例报告")
        if image.isNull() or image.width() < 100:
            raise StepFailed("窗口没有画出来")
        return f"窗口「{window.windowTitle()}」{image.width()}×{image.height()}"
    finally:
        window.close()
        window.deleteLater()
        app.processEvents()


STEPS: tuple[Step, ...] = (
    Step("env", "运行环境与资源文件", step_environment),
    Step("open", "打开示例报告", step_open_demo, ("env",)),
    Step("compute", "计算", step_compute, ("open",)),
    Step("xlsx", "导出自评表（Excel）", step_export_xlsx, ("compute",)),
    Step("import", "导入Excel（数据工作簿读回）", step_import_excel, ("open",)),
    Step("pdf", "导出PDF（正式版）", step_export_pdf, ("compute",)),
    Step("cert", "创建临时签名证书", step_certificate),
    Step("sign", "PDF签名", step_sign, ("pdf", "cert")),
    Step("verify", "核验PDF签名", step_verify, ("sign",)),
    Step("package", "生成并核验报送包", step_package, ("compute", "cert")),
    Step("window", "主窗口（无显示器方式）", step_window, ("open",)),
)


# ------------------------------------------------------------------------------------- running


def run_steps(steps: Sequence[Step], ctx: Context, emit: Callable[[str], None]) -> list[Outcome]:
    outcomes: dict[str, Outcome] = {}
    for step in steps:
        blocked = [outcomes[k].title for k in step.needs if k in outcomes and not outcomes[k].ok]
        if blocked:
            outcome = Outcome(step.key, step.title, "skip", f"因「{'、'.join(blocked)}」未通过而未运行", 0.0)
        else:
            start = time.perf_counter()
            try:
                detail, status = step.run(ctx), "ok"
            except StepFailed as err:
                detail, status = str(err), "fail"
            except Exception as err:  # a bug or a broken bundle: say what and where
                where = traceback.extract_tb(err.__traceback__)[-1]
                detail = f"{type(err).__name__}: {err}（{Path(where.filename).name}:{where.lineno}）"
                status = "fail"
            outcome = Outcome(step.key, step.title, status, detail, time.perf_counter() - start)
        outcomes[step.key] = outcome
        emit(outcome.line())
    return list(outcomes.values())


def parse_platform(argv: Sequence[str]) -> str:
    args = list(argv)
    for flag in ("-platform", "--platform"):
        if flag in args and args.index(flag) + 1 < len(args):
            return args[args.index(flag) + 1]
    return "offscreen"


def _console_stream() -> TextIO | None:
    """A windowed Windows build has no sys.stdout: write to the console of the command prompt
    that started us (when there is one), in its code page."""
    if sys.stdout is not None:
        return sys.stdout
    if sys.platform != "win32":
        return None
    try:
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        if not kernel32.AttachConsole(-1):  # ATTACH_PARENT_PROCESS
            return None
        return open("CONOUT$", "w", encoding=f"cp{kernel32.GetConsoleOutputCP()}", errors="replace")
    except (OSError, AttributeError, LookupError):
        return None


@contextlib.contextmanager
def _data_dir(folder: Path):  # type: ignore[no-untyped-def]
    """Point the app's data folder at `folder` for the run, then put it back."""
    old = os.environ.get("YIBAO_DATA_DIR")
    os.environ["YIBAO_DATA_DIR"] = str(folder)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("YIBAO_DATA_DIR", None)
        else:
            os.environ["YIBAO_DATA_DIR"] = old


def main(argv: Sequence[str] | None = None, steps: Sequence[Step] = STEPS) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    stream = _console_stream()
    log_lines: list[str] = []
    if stream is not None and stream is sys.stdout:
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(encoding="utf-8", errors="replace")  # type: ignore[union-attr]

    def emit(line: str) -> None:
        log_lines.append(line)
        if stream is not None:
            stream.write(line + "\n")
            stream.flush()

    start = time.perf_counter()
    emit(f"医保绩效自评助手 {__version__} 自检开始")
    # ignore_cleanup_errors: on Windows a scanner may still hold a file; that is no failed check
    with tempfile.TemporaryDirectory(prefix="yibao-selftest-", ignore_cleanup_errors=True) as tmp:
        folder = Path(tmp)
        with _data_dir(folder / "数据文件夹"):
            outcomes = run_steps(steps, Context(folder, parse_platform(args)), emit)
    passed = sum(o.ok for o in outcomes)
    elapsed = time.perf_counter() - start
    if passed == len(outcomes):
        emit(f"自检通过：{passed}/{len(outcomes)} 项，用时 {elapsed:.1f} 秒")
    else:
        emit(f"自检未通过：{len(outcomes) - passed} 项失败或未运行（共 {len(outcomes)} 项），用时 {elapsed:.1f} 秒")
    if stream is None:  # no console at all (e.g. started from a shortcut): leave the result in a file
        with contextlib.suppress(OSError):
            Path(tempfile.gettempdir(), "yibao-desktop-selftest.txt").write_text("\n".join(log_lines) + "\n",
                                                                                 encoding="utf-8")
    return 0 if passed == len(outcomes) else 1
