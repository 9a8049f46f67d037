"""webio-desktop: PyWebIO-style apps ("write a UI like a console script"), desktop-first.

``from webio_desktop import start_server`` and the modules ``input``, ``output``, ``pin``,
``session``, ``platform`` mirror PyWebIO's public API.
"""
from __future__ import annotations

import logging

from . import exceptions, input, output, pin, platform, session
from .exceptions import SessionClosedException, SessionException, SessionNotFoundException
from .platform.tornado import start_server
from .utils import STATIC_PATH
from .page_config import config
from .server.script import ScriptServer as _ScriptServer
from .bokeh_hook import watch as _watch_bokeh

__version__ = "0.1.0"
__author__ = "webio-desktop developers"
__author_email__ = ""
__license__ = "MIT"
__description__ = "PyWebIO-compatible apps in native desktop windows"
__url__ = ""

__all__ = ["start_server", "config", "STATIC_PATH", "enable_debug", "input", "output", "pin",
           "session", "platform", "exceptions", "SessionException", "SessionClosedException",
           "SessionNotFoundException"]


def enable_debug(level: int | None = None) -> None:
    """Log webio-desktop's and Tornado's activity to stderr (default level: DEBUG)."""
    level = logging.DEBUG if level is None else level
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in ("webio_desktop", "tornado"):
        logging.getLogger(name).setLevel(level)


_ScriptServer().install()  # script mode for plain scripts (the launcher installs its own)
_watch_bokeh()  # output_notebook(notebook_type='pywebio') once the app imports bokeh
