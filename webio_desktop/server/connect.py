"""What every transport does to connect a page: its options, the origin check, the session start.

The WebSocket handler (``server/tornado.py``) and the HTTP long-poll channel (``server/http_poll.py``)
both open sessions through :func:`open_session`, so a session starts the same way on every server.
"""
from __future__ import annotations

import fnmatch
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..sessions import new_session
from ..sessions.core import Session, SessionInfo, Transport
from .apps import AppMap
from .page import static_version

STATIC_PREFIX = "/_webio/static/"


@dataclass
class HandlerOptions:
    """Everything one webio handler needs to know; shared by the page and the socket."""

    apps: AppMap
    cdn: bool | str = True
    debug: bool = False
    allowed_origins: list[str] | None = None
    check_origin: Callable[[str], bool] | None = None
    max_message_size: int | None = None
    # Hooks for embedders (script mode, the desktop launcher): build the session for a new
    # connection (None refuses it), and see every request before it is served.
    session_factory: Callable[[str, SessionInfo], Session | None] | None = None
    # The guard runs for every route of make_application (page, socket, static); it may answer
    # the request itself (e.g. a redirect) and return True.
    request_guard: Callable[[Any], bool] | None = None
    sessions: set[Session] = field(default_factory=set)
    # HTML added at the end of every app page's <head> (the desktop shell's bridge script).
    extra_head: str = ""

    def static_base(self) -> str:
        if isinstance(self.cdn, str):
            return self.cdn.rstrip("/") + "/"
        # True and False both mean "this server": there is no public CDN for webio-desktop,
        # so pages never depend on another host.
        return f"{STATIC_PREFIX}v-{static_version()}/"


def origin_allowed(origin: str, host: str, options: HandlerOptions) -> bool:
    """Same host always; else ``check_origin(origin)`` or an ``allowed_origins`` pattern."""
    if not origin:
        return True  # not a browser page: nothing cross-site to protect against
    if urlsplit(origin).netloc.lower() == host.lower():
        return True
    if options.check_origin is not None:
        return bool(options.check_origin(origin))
    return any(fnmatch.fnmatch(origin, pattern) for pattern in options.allowed_origins or ())


def session_info(headers: Any, *, host: str, user_ip: str, backend: str, protocol: str,
                 request: Any) -> SessionInfo:
    """``session.info`` from a request's headers (any mapping with ``.get``)."""
    language = (headers.get("Accept-Language") or "").split(",")[0].split(";")[0].strip()
    return SessionInfo(user_agent=headers.get("User-Agent") or "", user_language=language,
                       server_host=host, origin=headers.get("Origin") or "", user_ip=user_ip,
                       backend=backend, protocol=protocol, request=request)


def open_session(options: HandlerOptions, name: str, info: SessionInfo,
                 make_transport: Callable[[Session], Transport]) -> Session | None:
    """Start app ``name`` (which must exist) for a page and attach the page's transport.

    None when the embedder's ``session_factory`` refuses the page. Thread-safe: integrations on
    WSGI servers call this from request threads (coroutine sessions then run on the loop of
    ``run_event_loop``).
    """
    factory = options.session_factory
    if factory is not None:
        session = factory(name, info)
    else:
        session = new_session(options.apps[name], info, debug=options.debug,
                              on_close=options.sessions.discard)
    if session is None:
        return None
    session.max_message_size = options.max_message_size  # file_upload's default limit
    options.sessions.add(session)
    session.attach(make_transport(session))
    if factory is None:
        session.start()
    return session
