"""The entry point of a built app (``webio-desktop build``): the launcher, on the bundled script.

PyInstaller freezes a small generated script (``templates/entry.py``) that calls ``run_frozen``;
the user's app travels inside the bundle as a file and runs as ``__main__`` exactly as
``webio-desktop app.py`` runs it: native windows, a free port, a launch secret, logs in the user
log folder, one instance per user (a second start shows the running window).
"""
from __future__ import annotations

import json
import multiprocessing
import sys
from pathlib import Path

BUILD_INFO = "webio_build.json"


def bundle_dir() -> Path:
    """Where the bundle's files are (PyInstaller's ``_MEIPASS``), or next to this file."""
    return Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent))


def build_info(folder: Path) -> dict:
    """The bundle's ``webio_build.json`` (name, version, app file); {} when there is none."""
    try:
        return json.loads((folder / BUILD_INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def run_frozen(app_file: str, argv: list[str] | None = None) -> int:
    multiprocessing.freeze_support()  # a frozen app must not re-run itself in child processes
    from .cli import main

    folder = bundle_dir()
    args = list(sys.argv[1:] if argv is None else argv)
    icons = sorted(folder.glob("*.png"))  # the build's --icon, when it was a PNG
    options = ["--icon", str(icons[0])] if icons and "--icon" not in args else []
    # The executable names the app: a one-file build unpacks the script to a new folder at
    # every start, which must not count as another app (window geometry, single instance).
    return main([*options, str(folder / app_file), *args], app_id=str(Path(sys.executable)))
