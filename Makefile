# yibao-desktop: every set-up step lives here, so a fresh Debian/Ubuntu machine needs only
# `make run` or `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Shared libraries Qt needs (offscreen and xcb), plus poppler-utils for PDF page rendering in tests,
# LibreOffice Calc/Writer (headless: xlsx checks in tests, the docx → PDF anchor in benchmarks/),
# strace for the storage crash-point and power-cut tests (fault injection, syscall recording), and
# dosfstools + fusefat for the tests on a real FAT file system (mkfs.vfat, mounted through FUSE).
SYSTEM_PACKAGES := libegl1 libgl1 libopengl0 libfontconfig1 libfreetype6 libxkbcommon0 \
	libxkbcommon-x11-0 libdbus-1-3 libglib2.0-0 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 \
	libxcb-keysyms1 libxcb-image0 libxcb-randr0 libxcb-render-util0 libxcb-shape0 \
	libxcb-xfixes0 libxcb-xinerama0 libxcb-xkb1 libxrender1 libsm6 libice6 poppler-utils \
	libreoffice-calc-nogui libreoffice-writer-nogui nsis strace dosfstools fusefat

.PHONY: run test bench lint sysdeps clean dist-linux dist-windows

run: $(STAMP)
	$(VENV)/bin/yibao-desktop --demo

test: $(STAMP)
	$(PY) -m pyflakes yibao_desktop tests benchmarks
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/lint-imports
	rm -f $(VENV)/tests-finished
	QT_QPA_PLATFORM=offscreen YIBAO_TESTS_FINISHED=$(VENV)/tests-finished $(PY) -m pytest -q
	@test -s $(VENV)/tests-finished || { echo "pytest ended before its session finished: a test ended the process"; exit 1; }

# The core's millisecond figures (compute, open, edit) run in a process of their own: measured
# after the aggregate benchmarks have filled the heap of the same process, a compute is a third
# slower, which says nothing about the window, whose process never aggregates.
BENCH_OPTS = -q -p no:randomly --benchmark-only --benchmark-columns=min,median,mean,max,rounds --benchmark-sort=name
bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest benchmarks/test_core_speed.py $(BENCH_OPTS)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest benchmarks --ignore=benchmarks/test_core_speed.py $(BENCH_OPTS)

lint: $(STAMP)
	$(VENV)/bin/lint-imports

sysdeps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	echo "Installing system packages:$$missing"; \
	if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; \
	else echo "Please install as root:$$missing" >&2; exit 1; fi; \
	$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends $$missing

$(VENV)/bin/python:
	@if ! $(PYTHON) -m venv --help >/dev/null 2>&1 || ! $(PYTHON) -c "import ensurepip" 2>/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q python3-venv; \
		else sudo apt-get update -q && sudo apt-get install -y -q python3-venv; fi; fi
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml $(VENV)/bin/python | sysdeps
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) .pytest_cache .benchmarks build/_work dist

# ------------------------------------------------------------------------------------ packaging
# docs/packaging.md. Downloads are cached in .cache/, scratch in build/_work/, results in dist/.
# Debian packages each build needs; installed (apt-get update, then install) only when missing.
DIST_LINUX_PACKAGES := binutils dpkg-dev fakeroot desktop-file-utils
DIST_WINDOWS_PACKAGES := wine wine64 nsis gcc-mingw-w64-x86-64-win32 osslsigncode unzip
define apt_ensure
	@missing=""; for p in $(1); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installing build packages:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; \
		else echo "Please install as root:$$missing" >&2; exit 1; fi; \
		$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends $$missing; \
	fi
endef

# dist/linux/yibao-desktop/ (one-dir) and dist/yibao-desktop_<version>_amd64.deb
dist-linux: $(STAMP)
	$(call apt_ensure,$(DIST_LINUX_PACKAGES))
	$(PY) build/dist_linux.py

# dist/yibao-desktop-<version>-setup.exe, built on Linux: WinPython from PyPI, PyInstaller under Wine, NSIS
dist-windows: $(STAMP)
	$(call apt_ensure,$(DIST_WINDOWS_PACKAGES))
	$(PY) build/dist_windows.py
