"""What every transport does to connect a page: its options, the origin check, the session start.

The WebSocket handler (``server/tornado.py``) and the HTTP long-poll channel (``server/http_poll.py``)
both open sessions through :func:`open_session`, so a session starts the same way on every server.
"""
from __future__ import annotations

import fnmatch
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..sessions import new_session
from ..sessions.core import Session, SessionInfo, Transport
from .apps import AppMap
from .page import STATIC_PATH, static_version

STATIC_PREFIX = "/_webio/static/"
# A page served by an embedded handler (a route in someone else's app) finds our files at the
# handler's own URL with this query parameter (``/tool?_webio_static=v-HASH/icon.svg``).
ASSET_QUERY = "_webio_static"


@dataclass
class HandlerOptions:
    """Everything one webio handler needs to know; shared by the page and the socket."""

    apps: AppMap
    cdn: bool | str = True
    debug: bool = False
    allowed_origins: list[str] | None = None
    check_origin: Callable[[str], bool] | None = None
    max_message_size: int | None = None
    # Seconds a session outlives its dropped socket, waiting for the page to reconnect (0: none).
    reconnect_timeout: float = 0
    # Where the page finds the front end when ``cdn`` is not a URL: False = our own server's
    # /_webio/static/ routes (start_server, the desktop); True = an embedded handler (a route
    # in someone else's app): cdn=True, the handler serves it; cdn=False, the app hosts
    # STATIC_PATH next to the handler (relative URLs, as PyWebIO's docs describe).
    embedded: bool = False
    # Hooks for embedders (script mode, the desktop launcher): build the session for a new
    # connection (None refuses it), and see every request before it is served.
    session_factory: Callable[[str, SessionInfo], Session | None] | None = None
    # The guard runs for every route of make_application (page, socket, static); it may answer
    # the request itself (e.g. a redirect) and return True.
    request_guard: Callable[[Any], bool] | None = None
    sessions: set[Session] = field(default_factory=set)
    # Sessions a page may reconnect to, by id (WebSocket with reconnect_timeout; server/link.py).
    links: dict[str, Any] = field(default_factory=dict)
    # HTML added at the end of every app page's <head> (the desktop shell's bridge script).
    extra_head: str = ""

    def static_base(self, page_path: str = "/") -> str:
        """URL prefix of the front-end files for a page at ``page_path`` (ends with '/')."""
        if isinstance(self.cdn, str):
            return self.cdn.rstrip("/") + "/"
        if not self.embedded:
            # There is no public CDN for webio-desktop: pages never depend on another host.
            return f"{STATIC_PREFIX}v-{static_version()}/"
        if self.cdn is False:
            return ""  # STATIC_PATH is hosted in the page's own folder
        # Relative to the page, so a reverse proxy may mount the app at any prefix.
        last = page_path.rsplit("/", 1)[-1]
        return f"./{last}?{ASSET_QUERY}=v-{static_version()}/"

    def inline_front_end(self) -> bool:
        """Pages carry our CSS and JS inline (``bundle.py``) unless they are hosted elsewhere:
        a ``cdn`` URL base, or an embedded handler's ``cdn=False`` (the user's STATIC_PATH)."""
        return not isinstance(self.cdn, str) and not (self.embedded and self.cdn is False)


def origin_allowed(origin: str, host: str, options: HandlerOptions) -> bool:
    """Same host always; else ``check_origin(origin)`` or an ``allowed_origins`` pattern."""
    if not origin:
        return True  # not a browser page: nothing cross-site to protect against
    if urlsplit(origin).netloc.lower() == host.lower():
        return True
    if options.check_origin is not None:
        return bool(options.check_origin(origin))
    return any(fnmatch.fnmatch(origin, pattern) for pattern in options.allowed_origins or ())


def front_end_file(spec: str) -> tuple[int, bytes, dict[str, str]]:
    """(status, body, headers) of the file of STATIC_PATH that ``spec`` names, for handlers
    that serve our front end at their own URL; ``v-HASH/name`` is cached for a year."""
    versioned = spec.startswith("v-") and "/" in spec
    name = spec.split("/", 1)[1] if versioned else spec
    root = Path(STATIC_PATH).resolve()
    path = (root / name).resolve()
    if not name or root not in path.parents or not path.is_file():
        return 404, b"not found", {"Content-Type": "text/plain; charset=utf-8"}
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix == ".js":
        kind = "text/javascript"  # module scripts need a JavaScript type
    if kind.startswith("text/"):
        kind += "; charset=utf-8"
    cache = "public, max-age=31536000, immutable" if versioned else "no-cache"
    return 200, path.read_bytes(), {"Content-Type": kind, "Cache-Control": cache}


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
