"""`make dist-linux`: the frozen one-dir app and a .deb for x86-64 UOS / Kylin desktops.

    python build/dist_linux.py            build dist/linux/yibao-desktop/ and dist/yibao-desktop_<v>_amd64.deb
    python build/dist_linux.py smoke      run the frozen --self-test, then unpack the .deb into a
                                          scratch root and run the self-test from /opt there

The build runs PyInstaller (pinned in build/requirements-build.txt) from its own venv,
build/_work/venv-linux, with the app's dependencies from pyproject.toml, so the bundle never
picks up test tools from .venv. The .deb installs to /opt/yibao-desktop, adds a command
`yibao-desktop`, a .desktop entry, the icon and the MIME type application/x-yibao for *.yibao;
its Depends are computed by dpkg-shlibdeps from every ELF file in the bundle, so they name exactly
the system libraries (X11/xcb, GL/EGL, fontconfig, glib, D-Bus, glibc) that the bundle expects.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from buildlib import (  # noqa: E402
    APP, APP_ZH, BUILD, DIST, ROOT, WORK, Timer, dir_size, fresh_dir, log, mb, python_for_venv, run,
    runtime_requirements, stamp_ok, version, write_stamp,
)

VENV = WORK / "venv-linux"
BUNDLE = DIST / "linux" / APP
PREFIX = Path("/opt") / APP
MIME = "application/x-yibao"

DESKTOP_ENTRY = f"""[Desktop Entry]
Type=Application
Name={APP_ZH}
Name[zh_CN]={APP_ZH}
GenericName=Medical insurance performance self-evaluation
GenericName[zh_CN]=医保资金绩效自评
Comment=Offline performance self-evaluation reports for county medical security bureaus
Comment[zh_CN]=县级医疗保障局转移支付资金绩效自评报告（离线使用）
Exec={PREFIX}/{APP} %f
Icon={APP}
Terminal=false
Categories=Office;Finance;
MimeType={MIME};
Keywords=医保;绩效;自评;report;
"""

MIME_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">
  <mime-type type="{MIME}">
    <comment>Medical insurance self-evaluation report</comment>
    <comment xml:lang="zh_CN">医保绩效自评报告</comment>
    <sub-class-of type="application/vnd.sqlite3"/>
    <generic-icon name="{APP}"/>
    <glob pattern="*.yibao" weight="90"/>
    <magic priority="80">
      <match type="string" offset="0" value="SQLite format 3">
        <match type="big32" offset="68" value="0x59424130"/>
      </match>
    </magic>
  </mime-type>
</mime-info>
"""

CONTROL = """Package: {package}
Version: {version}
Architecture: amd64
Maintainer: {zh} <noreply@localhost>
Installed-Size: {size_kb}
Depends: {depends}
Section: misc
Priority: optional
Homepage: https://localhost/
Description: {zh}: offline self-evaluation reports for county medical security bureaus
 医保绩效自评助手 helps a county Medical Security Bureau record the income and spending of each
 transfer-payment fund, fill in the performance indicators, compute completion rates and scores,
 and export the signed self-evaluation report (PDF, Excel) and the submission package.
 .
 Fully offline: it never opens a network connection. Installs to /opt/{package}.
"""


def ensure_venv(timer: Timer) -> Path:
    reqs = (BUILD / "requirements-build.txt").read_text(encoding="utf-8")
    inputs = [reqs, *runtime_requirements(), sys.version]
    stamp = VENV / ".yibao-stamp"
    python = VENV / "bin" / "python"
    if python.exists() and stamp_ok(stamp, inputs):
        return python
    with timer.step("build venv (PyInstaller + runtime dependencies)"):
        if VENV.exists():
            shutil.rmtree(VENV)
        run([python_for_venv(), "-m", "venv", VENV])
        run([python, "-m", "pip", "install", "-q", "--upgrade", "pip"])
        run([python, "-m", "pip", "install", "-q", "-r", BUILD / "requirements-build.txt", *runtime_requirements()])
        write_stamp(stamp, inputs)
    return python


def freeze(python: Path, timer: Timer) -> None:
    with timer.step("PyInstaller (one-dir, Linux)"):
        run([python, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
             "--workpath", WORK / "pyi-linux", "--distpath", DIST / "linux", ROOT / "installer.spec"])


def elf_files(root: Path) -> list[Path]:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as f:
                if f.read(4) == b"\x7fELF":
                    found.append(path)
    return sorted(found)


def shlib_depends(bundle: Path) -> str:
    """Depends of the bundle's ELF files on system libraries, by dpkg-shlibdeps."""
    elves = elf_files(bundle)
    private_dirs = sorted({str(p.parent) for p in elves})
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "debian").mkdir()
        (Path(tmp) / "debian" / "control").write_text(f"Source: {APP}\n\nPackage: {APP}\nArchitecture: amd64\n")
        out = Path(tmp) / "substvars"
        cmd = ["dpkg-shlibdeps", f"-T{out}", "--ignore-missing-info", "-xlibc-bin",
               *(f"-l{d}" for d in private_dirs), *map(str, elves)]
        proc = subprocess.run(cmd, cwd=tmp, text=True, capture_output=True)
        if proc.returncode != 0:
            raise SystemExit(f"dpkg-shlibdeps failed:\n{proc.stderr}")
        text = out.read_text(encoding="utf-8")
    match = re.search(r"^shlibs:Depends=(.*)$", text, re.M)
    if not match:
        raise SystemExit("dpkg-shlibdeps found no dependencies")
    bundled = bundled_system_packages(bundle)
    kept = [d for d in match.group(1).split(", ") if d.split(" ", 1)[0] not in bundled]
    return ", ".join(kept)


def bundled_system_packages(bundle: Path) -> set[str]:
    """Debian packages whose libraries the bundle carries itself (installer.spec's
    BUNDLED_SYSTEM_LIBS), so they are not Depends: dpkg-shlibdeps resolves them on this system."""
    cache = subprocess.run(["ldconfig", "-p"], text=True, capture_output=True, check=True).stdout
    where = {}
    for line in cache.splitlines():
        m = re.match(r"^\s+(\S+) \(libc6,x86-64[^)]*\) => (\S+)$", line)
        if m:
            where.setdefault(m.group(1), m.group(2))
    packages = set()
    for lib in (bundle / "_internal").glob("lib*.so*"):
        path = where.get(lib.name)
        if not path:
            continue
        owner = subprocess.run(["dpkg", "-S", os.path.realpath(path)], text=True, capture_output=True)
        if owner.returncode != 0:
            owner = subprocess.run(["dpkg", "-S", path], text=True, capture_output=True)
        if owner.returncode == 0:
            packages.add(owner.stdout.split(":", 1)[0])
    return packages


# Libraries Qt opens with dlopen() rather than linking (dpkg-shlibdeps cannot see them), and the
# fonts fontconfig needs to show any Chinese text in the window.
EXTRA_DEPENDS = ["libxcb-cursor0", "libegl1", "libgl1", "fontconfig", "shared-mime-info", "desktop-file-utils"]


def build_deb(timer: Timer) -> Path:
    ver = version()
    with timer.step(".deb (dpkg-deb)"):
        stage = fresh_dir(WORK / "deb" / f"{APP}_{ver}_amd64")
        opt = stage / PREFIX.relative_to("/")
        shutil.copytree(BUNDLE, opt, symlinks=True)
        bindir = stage / "usr" / "bin"
        bindir.mkdir(parents=True)
        (bindir / APP).symlink_to(PREFIX / APP)
        apps = stage / "usr" / "share" / "applications"
        apps.mkdir(parents=True)
        (apps / f"{APP}.desktop").write_text(DESKTOP_ENTRY, encoding="utf-8")
        mime = stage / "usr" / "share" / "mime" / "packages"
        mime.mkdir(parents=True)
        (mime / f"{APP}.xml").write_text(MIME_XML, encoding="utf-8")
        icons = WORK / "icon"
        for png in sorted(icons.glob(f"{APP}-*.png")):
            size = png.stem.rsplit("-", 1)[1]
            target = stage / "usr" / "share" / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP}.png"
            target.parent.mkdir(parents=True)
            shutil.copy2(png, target)
        docs = stage / "usr" / "share" / "doc" / APP
        docs.mkdir(parents=True)
        shutil.copy2(ROOT / "resources" / "help" / "licenses.md", docs / "licenses.md")
        depends = shlib_depends(opt)
        extra = [d for d in EXTRA_DEPENDS if not re.search(rf"(^|, ){re.escape(d)}( |,|$)", depends)]
        debian = stage / "DEBIAN"
        debian.mkdir()
        (debian / "control").write_text(CONTROL.format(
            package=APP, version=ver, zh=APP_ZH, size_kb=dir_size(stage) // 1024,
            depends=", ".join([depends, *extra])), encoding="utf-8")
        for path in stage.rglob("*"):
            if not path.is_symlink():
                path.chmod(0o755 if path.is_dir() or os.access(path, os.X_OK) else 0o644)
        out = DIST / f"{APP}_{ver}_amd64.deb"
        run(["dpkg-deb", "--root-owner-group", "-Zxz", "-z6", "--build", stage, out])
    return out


def build() -> int:
    timer = Timer()
    python = ensure_venv(timer)
    freeze(python, timer)
    deb = build_deb(timer)
    log(f"one-dir: {BUNDLE} ({mb(dir_size(BUNDLE))})")
    log(f".deb:    {deb} ({mb(deb.stat().st_size)})")
    print(timer.report(), flush=True)
    return 0


def smoke() -> int:
    """The frozen self-test, from dist/ and from the .deb unpacked into a scratch root."""
    exe = BUNDLE / APP
    env = {"QT_QPA_PLATFORM": "offscreen"}
    start = time.perf_counter()
    run([exe, "--self-test"], env=env)
    log(f"frozen --self-test: {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    run([exe, "--version"])
    log(f"frozen --version (cold start of the CLI): {time.perf_counter() - start:.2f} s")
    deb = DIST / f"{APP}_{version()}_amd64.deb"
    with tempfile.TemporaryDirectory(prefix="yibao-deb-") as tmp:
        root = Path(tmp)
        run(["dpkg-deb", "--info", deb])
        run(["dpkg-deb", "-x", deb, root])
        for rel in (f"opt/{APP}/{APP}", f"usr/share/applications/{APP}.desktop",
                    f"usr/share/mime/packages/{APP}.xml", f"usr/share/icons/hicolor/256x256/apps/{APP}.png"):
            if not (root / rel).exists():
                raise SystemExit(f".deb lacks {rel}")
        if shutil.which("desktop-file-validate"):
            run(["desktop-file-validate", root / f"usr/share/applications/{APP}.desktop"])
        run([root / "opt" / APP / APP, "--self-test"], env=env)
    return 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "build"
    raise SystemExit({"build": build, "smoke": smoke}[command]())
