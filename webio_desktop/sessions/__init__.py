"""Sessions: one core (``core``), two ways of waiting (``threaded``, ``coroutine``)."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # importing the package (for host.py) must not load the core and asyncio
    from .core import Session, SessionInfo


def new_session(app: Callable, info: SessionInfo, *, debug: bool = False,
                on_close: Callable[[Session], None] | None = None) -> Session:
    """A coroutine session for ``async def`` apps, a thread session for the others."""
    from ..appkind import is_coroutine_app  # (inspect: not at the package's import)

    if is_coroutine_app(app):
        from .coroutine import CoroutineSession, session_loop

        return CoroutineSession(app, info, debug=debug, on_close=on_close, loop=session_loop())
    from .threaded import ThreadSession

    return ThreadSession(app, info, debug=debug, on_close=on_close)
