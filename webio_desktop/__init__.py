"""webio-desktop: PyWebIO-style apps ("write a UI like a console script"), desktop-first.

``from webio_desktop import start_server`` and the modules ``input``, ``output``, ``pin``,
``session``, ``platform`` mirror PyWebIO's public API.

Importing the package itself is cheap: those names load on first use (PEP 562), so the desktop
launcher can start the web engine's processes before Tornado and the API modules load, and they
boot while Python imports the rest (``desktop/cli.py``).
"""
from __future__ import annotations

import logging
from typing import Any

from . import exceptions
from .exceptions import SessionClosedException, SessionException, SessionNotFoundException
from .sessions.host import HostOnDemand as _HostOnDemand
from .bokeh_hook import watch as _watch_bokeh
from .lazy_names import lazy_names as _lazy_names

__version__ = "0.1.0"
__author__ = "webio-desktop developers"
__author_email__ = ""
__license__ = "MIT"
__description__ = "PyWebIO-compatible apps in native desktop windows"
__url__ = ""

__all__ = ["start_server", "config", "STATIC_PATH", "enable_debug", "input", "output", "pin",
           "session", "platform", "exceptions", "SessionException", "SessionClosedException",
           "SessionNotFoundException"]

# name -> (module, attribute; None: the module itself), loaded on first use
__getattr__, __dir__ = _lazy_names(__name__, globals(), {
    "input": (".input", None), "output": (".output", None), "pin": (".pin", None),
    "session": (".session", None), "platform": (".platform", None),
    "start_server": (".platform.tornado", "start_server"),
    "config": (".page_config", "config"),
    "STATIC_PATH": (".utils", "STATIC_PATH"),
})


def enable_debug(level: int | None = None) -> None:
    """Log webio-desktop's and Tornado's activity to stderr (default level: DEBUG)."""
    level = logging.DEBUG if level is None else level
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in ("webio_desktop", "tornado"):
        logging.getLogger(name).setLevel(level)


def _script_server() -> Any:
    from .server.script import ScriptServer

    return ScriptServer()


# Script mode for plain scripts, made at the first API call outside a server (the launcher and
# the test harness install their own hosts on top).
_HostOnDemand(_script_server).install()
_watch_bokeh()  # output_notebook(notebook_type='pywebio') once the app imports bokeh
