"""Sessions: one core (``core``), two ways of waiting (``threaded``, ``coroutine``)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .core import Session, SessionInfo


def new_session(app: Callable, info: SessionInfo, *, debug: bool = False,
                on_close: Callable[[Session], None] | None = None) -> Session:
    """A coroutine session for ``async def`` apps, a thread session for the others."""
    from ..server.apps import is_coroutine_app

    if is_coroutine_app(app):
        from .coroutine import CoroutineSession

        session_class: Any = CoroutineSession
    else:
        from .threaded import ThreadSession

        session_class = ThreadSession
    return session_class(app, info, debug=debug, on_close=on_close)
