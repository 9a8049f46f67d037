"""The close guard: an app asks before its window (or tab, or browser page) closes.

PyWebIO has nothing like it, and a desktop app with unsaved work needs it. The guard lives in
the page (``window.webio.closeGuard``), so it follows the session wherever it is shown: in a
native window the launcher asks with a native dialog before the window or tab closes; in a
browser the page's ``beforeunload`` prompt asks (browsers show their own wording).
"""
from __future__ import annotations

from ..session import run_js

DEFAULT_MESSAGE = "There are unsaved changes. Close anyway?"


def set_close_guard(message: str | None = DEFAULT_MESSAGE) -> None:
    """Ask the user ``message`` before this session's window closes; ``None`` removes the guard.

    Call it from app code (like any output function), e.g. when the user starts editing, and
    ``set_close_guard(None)`` once the work is saved. Closing by Ctrl+C or SIGTERM is not asked.
    """
    if message is not None and not isinstance(message, str):
        raise TypeError(f"set_close_guard() takes a message string or None, not {message!r}")
    run_js("window.webio.setCloseGuard(message)", message=message or None)


def clear_close_guard() -> None:
    """Same as ``set_close_guard(None)``."""
    set_close_guard(None)
