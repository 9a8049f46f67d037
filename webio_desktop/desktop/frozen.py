"""The entry point of a built app (``webio-desktop build``): the launcher, on the bundled script.

PyInstaller freezes a small generated script (``templates/entry.py``) that calls ``run_frozen``;
the user's app travels inside the bundle as a file and runs as ``__main__`` exactly as
``webio-desktop app.py`` runs it: native windows, a free port, a launch secret, logs in the user
log folder, one instance per user (a second start shows the running window).
"""
from __future__ import annotations

import multiprocessing
import os
import sys
from pathlib import Path

from .buildinfo import build_info
from .onefile import ONEFILE_ENV


def bundle_dir() -> Path:
    """Where the bundle's files are (PyInstaller's ``_MEIPASS``), or next to this file."""
    return Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent))


def run_frozen(app_file: str, argv: list[str] | None = None, *, engine: str = "qt") -> int:
    """Start the bundled ``app_file`` with the web engine it was built for."""
    multiprocessing.freeze_support()  # a frozen app must not re-run itself in child processes
    from .testchannel import ENV

    os.environ.pop(ENV, None)  # a built app never opens the test channel
    from .splash import close_splash_when_shown

    folder = bundle_dir()
    close_splash = close_splash_when_shown(build_info(folder).get("name") or Path(app_file).stem)
    from .cli import main

    args = list(sys.argv[1:] if argv is None else argv)
    icons = sorted(folder.glob("*.png"))  # the build's --icon, when it was a PNG
    options = ["--icon", str(icons[0])] if icons and "--icon" not in args else []
    if build_info(folder).get("debug") and "--debug" not in args:  # `build --debug`
        options.append("--debug")
    if engine == "system":
        from .engines.gtk import use_system_libraries

        use_system_libraries(str(folder))
    if "--engine" not in args:
        options += ["--engine", engine]
    # The executable names the app: a one-file build unpacks the script to a new folder (each
    # version to its own in the cache), which must not count as another app (window geometry,
    # single instance); the one file's stub names itself in WEBIO_ONEFILE.
    app_id = os.environ.pop(ONEFILE_ENV, "") or str(Path(sys.executable))
    try:
        return main([*options, str(folder / app_file), *args], app_id=app_id)
    finally:
        close_splash()
