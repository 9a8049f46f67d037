"""The web engines native windows can use, one module each behind the ``Engine`` protocol.

``qt`` (the default): pywebview's Qt backend with Qt WebEngine from pip, a whole Chromium in the
bundle. ``system``: the operating system's own engine; on Linux that is WebKitGTK through
pywebview's GTK backend (``gtk.py``). Another OS's engine (WebView2, WKWebView) would be one more
module here and one more entry in ``SYSTEM_ENGINES``.
"""
from __future__ import annotations

import importlib
import os
import sys

from .base import Engine

ENGINES = ("qt", "system")
DEFAULT_ENGINE = "qt"
# What "system" means on each platform (sys.platform prefix -> module); only engines that a test
# here runs are listed.
SYSTEM_ENGINES = {"linux": "gtk"}


def module_name(name: str) -> str:
    """The module behind engine ``name`` on this platform (``qt`` or e.g. ``gtk``)."""
    if name not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {name!r}")
    if name == "qt":
        return "qt"
    for prefix, module in SYSTEM_ENGINES.items():
        if sys.platform.startswith(prefix):
            return module
    return ""


def get_engine(name: str = DEFAULT_ENGINE) -> Engine:
    """The engine called ``name`` ("qt" or "system"); its ``problem()`` says if it can run here."""
    module = module_name(name)
    if not module:
        from .base import Unavailable

        return Unavailable(name, f"the system engine is not supported on {sys.platform} yet")
    return engine_module(name).ENGINE


def gui_problem(engine: str = DEFAULT_ENGINE) -> str | None:
    """Why native windows can't open here with ``engine`` (None when they can): no display, or
    the engine (Qt WebEngine, WebKitGTK) is missing. Loads the engine: main thread only."""
    if sys.platform.startswith("linux") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
            or os.environ.get("QT_QPA_PLATFORM")):
        return "no display (DISPLAY and WAYLAND_DISPLAY are not set)"
    return get_engine(engine).problem()


def start_engine(engine: str = DEFAULT_ENGINE) -> str | None:
    """Load ``engine`` on this (main) thread and start its processes (``Engine.prestart``); why
    native windows can't open (None when they can). The launcher calls it before it imports the
    server and the app when the engine starts something early (``Engine.early``), so the
    engine's processes boot on another core meanwhile; otherwise after them."""
    reason = gui_problem(engine)
    if reason is None:
        get_engine(engine).prestart()
    return reason


def engine_module(name: str):
    """The module of engine ``name`` (its build settings: ``BUILD_EXCLUDES``...), without
    loading the engine itself."""
    module = module_name(name)
    if not module:
        raise ValueError(f"the {name} engine is not supported on {sys.platform}")
    return importlib.import_module(f"{__name__}.{module}")


__all__ = ["engine_module", "DEFAULT_ENGINE", "ENGINES", "Engine", "get_engine", "gui_problem",
           "module_name", "start_engine"]
