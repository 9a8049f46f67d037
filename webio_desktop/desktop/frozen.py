"""The entry point of a built app (``webio-desktop build``): the launcher, on the bundled script.

PyInstaller freezes a small generated script that calls ``run_frozen``; the user's app travels
inside the bundle as a file and runs as ``__main__`` exactly as ``webio-desktop app.py`` runs it.
"""
from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path


def bundle_dir() -> Path:
    """Where the bundle's files are (PyInstaller's ``_MEIPASS``), or next to this file."""
    return Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent))


def run_frozen(app_file: str, argv: list[str] | None = None) -> int:
    multiprocessing.freeze_support()  # a frozen app must not re-run itself in child processes
    from .cli import main

    script = bundle_dir() / app_file
    return main([str(script), *(sys.argv[1:] if argv is None else argv)])
