"""Excel subcommands (export-xlsx, import-xlsx): registered into the main parser by cli.py."""

from __future__ import annotations

import argparse


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add this module's subcommands to `sub` (none yet; the Excel issue adds them)."""
