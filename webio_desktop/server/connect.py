"""What every transport does to connect a page: its options, the origin check, the page, the
session start.

The WebSocket transport (``server/link.py``) and the HTTP long-poll one (``server/http_poll.py``)
both answer a page load with :func:`page_response` and open sessions through :func:`open_session`,
so a page is served and a session starts the same way on every server.
"""
from __future__ import annotations

import fnmatch
import mimetypes
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlsplit

from ..sessions import new_session
from ..sessions.core import Session, SessionInfo, Transport
from ..utils import parse_file_size
from .apps import AppMap, unknown_app_page
from .page import STATIC_PATH, render_page, static_version

if TYPE_CHECKING:
    from .reload import ReloadChannel

STATIC_PREFIX = "/_webio/static/"
# A page served by an embedded handler (a route in someone else's app) finds our files at the
# handler's own URL with this query parameter (``/tool?_webio_static=v-HASH/icon.svg``).
ASSET_QUERY = "_webio_static"


# Output a session may hold for a page that is not taking it (not polling, not reading its
# socket, not acknowledging frames): past it a thread session's app waits, a coroutine session
# is closed (docs/limits.md). The environment variable overrides it for every server.
DEFAULT_PENDING_OUTPUT = "16M"
PENDING_OUTPUT_ENV = "WEBIO_MAX_PENDING_OUTPUT"


def pending_output_limit(value: int | str | None = None) -> int | None:
    """``max_pending_output`` in bytes: ``value`` (bytes or a size like ``"16M"``; None: the
    ``WEBIO_MAX_PENDING_OUTPUT`` environment variable, else DEFAULT_PENDING_OUTPUT); 0 means no
    limit (None is returned)."""
    if value is None:
        value = os.environ.get(PENDING_OUTPUT_ENV) or DEFAULT_PENDING_OUTPUT
    return parse_file_size(value) or None


@dataclass
class HandlerOptions:
    """Everything one webio handler needs to know; shared by the page and the socket."""

    apps: AppMap
    cdn: bool | str = True
    debug: bool = False
    allowed_origins: list[str] | None = None
    check_origin: Callable[[str], bool] | None = None
    max_message_size: int | None = None
    # Bytes of output a session may hold for a page not taking it (None or 0: no limit).
    max_pending_output: int | None = field(default_factory=pending_output_limit)
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
    # A page request starts its app and the page carries its first screen (server/prerender.py):
    # on for the launcher's windows, an opt-in for start_server (a page request runs app code).
    prerender: bool = False
    # Seconds a prerendered session waits for its page's socket before it is closed.
    attach_timeout: float = 10.0
    # Prerendered sessions waiting for their page's socket, by one-time attach secret.
    attaching: dict[str, Any] = field(default_factory=dict)
    # Host names (no port; '*' a wildcard) a request's Host header may name; None: any.
    # See accepted_hosts(): a server bound to loopback accepts loopback names only by default.
    allowed_hosts: list[str] | None = None
    # Hot reload (the launcher's --reload, start_server(debug=True)): pages carry the channel's
    # script and reload themselves when the code changed (server/reload.py).
    reload: "ReloadChannel | None" = None

    def page_head(self) -> str:
        """What every page of these apps adds to its ``<head>``."""
        return self.extra_head + (self.reload.head() if self.reload is not None else "")

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


LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def is_loopback(address: str) -> bool:
    """``address`` (what a server binds) reaches this machine only: 127.x, ::1, localhost."""
    address = address.strip("[]").lower()
    return address in ("localhost", "::1") or address.startswith("127.")


def accepted_hosts(bind_host: str | None, allowed_hosts: Sequence[str] | None
                   ) -> list[str] | None:
    """The host names a server's requests may name (None: any), the DNS-rebinding rule.

    A web page can make a browser send requests to a loopback server under its own host name
    (DNS rebinding), so a server bound to a loopback address (``bind_host``) accepts only
    loopback names, plus ``allowed_hosts``. Bound to other interfaces (or unknown, an embedded
    handler: ``None``), any name is accepted unless ``allowed_hosts`` lists some; ``"*"``
    accepts any.
    """
    if allowed_hosts is None and not (bind_host and is_loopback(bind_host)):
        return None
    return [*LOOPBACK_HOSTS, *(name.lower() for name in allowed_hosts or ())]


def host_allowed(host: str, allowed: Sequence[str] | None, port: int | None = None) -> bool:
    """Whether a request's ``Host`` header names this server: its name (the port removed)
    is one of ``allowed`` (names, ``*`` a wildcard as in ``*.example.com``; None allows any);
    with ``port``, the header must also name that port (the desktop's exact check)."""
    if allowed is None:
        return True
    name, given_port = split_host(host)
    if port is not None and given_port != str(port):
        return False
    return bool(name) and any(name == pattern or ("*" in pattern and fnmatch.fnmatchcase(
        name, pattern.replace("[", "[[]"))) for pattern in allowed)


def split_host(host: str) -> tuple[str, str]:
    """``(name, port)`` of a Host header, lower-cased; IPv6 names keep their brackets."""
    host = host.strip().lower()
    if host.startswith("["):
        name, bracket, rest = host.partition("]")
        return name + bracket, rest[1:] if rest.startswith(":") else ""
    if host.count(":") == 1:
        name, _, port = host.partition(":")
        return name, port
    return host, ""


def host_refusal(host: str, options: HandlerOptions) -> str | None:
    """None when ``host`` may be served under ``options``, else the reason (to log)."""
    if host_allowed(host, options.allowed_hosts):
        return None
    return f"Host {host[:100]!r} is not a name of this server (allowed_hosts)"


def origin_allowed(origin: str, host: str, options: HandlerOptions) -> bool:
    """Same host always; else ``check_origin(origin)`` or an ``allowed_origins`` pattern."""
    if not origin:
        return True  # not a browser page: nothing cross-site to protect against
    if urlsplit(origin).netloc.lower() == host.lower():
        return True
    if options.check_origin is not None:
        return bool(options.check_origin(origin))
    return any(fnmatch.fnmatch(origin, pattern) for pattern in options.allowed_origins or ())


class Response(NamedTuple):
    """A framework-neutral answer to a GET; adapters copy it into their framework's response."""

    status: int
    body: bytes
    headers: dict[str, str]


# Only our own origin may frame what we serve (a page on another port of 127.0.0.1 included):
# on every page, and on every response of the Tornado servers we run (``tornado.FrameGuard``).
FRAME_HEADERS = {"Content-Security-Policy": "frame-ancestors 'self'",
                 "X-Frame-Options": "SAMEORIGIN"}
HTML_HEADERS = {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache",
                **FRAME_HEADERS}


def page_response(options: HandlerOptions, path: str, query: Mapping[str, str],
                  transport: str = "websocket", first_frame: str | None = None,
                  attach: str | None = None, shown_url: str | None = None) -> Response:
    """What a page load (a GET that is not a socket or an API call) gets: a front-end file (an
    embedded handler's ``?_webio_static=``), the app's page, or the unknown-app page (404).

    ``path``: the URL path the page sees (relative front-end URLs start from it);
    ``transport``: ``"http"`` makes the page use the long-poll transport; ``first_frame`` and
    ``attach``: a prerendered session's first frame (applied before any socket frame) and the
    one-time secret its socket attaches with (``server/prerender.py``); ``shown_url``: the
    same-origin URL the page puts in the address bar before anything else runs (a request
    guard took a secret out of the requested one).
    """
    if options.embedded and ASSET_QUERY in query:
        return front_end_file(query[ASSET_QUERY])
    name = query.get("app") or "index"
    if name not in options.apps:
        # With hot reload this page reloads too: a saved fix may add the app.
        head = options.reload.head() if options.reload is not None else ""
        return Response(404, unknown_app_page(name, options.apps, head).encode(),
                        dict(HTML_HEADERS))
    client: dict[str, Any] = {"debug": options.debug, "max_message": options.max_message_size}
    if transport != "websocket":
        client["transport"] = transport
    headers = dict(HTML_HEADERS)
    if shown_url is not None:
        client["url"] = shown_url
        headers["Cache-Control"] = "no-store"  # it answered a URL that held a secret
    if attach is not None:
        client["attach"] = attach
        headers["Cache-Control"] = "no-store"  # the secret is good once: never keep the page
    body = render_page(options.apps[name], options.static_base(path), client, options.page_head(),
                       inline=options.inline_front_end(), first_frame=first_frame)
    return Response(200, body.encode(), headers)


def front_end_file(spec: str) -> Response:
    """The file of STATIC_PATH that ``spec`` names, for handlers that serve our front end at
    their own URL; ``v-HASH/name`` is cached for a year."""
    versioned = spec.startswith("v-") and "/" in spec
    name = spec.split("/", 1)[1] if versioned else spec
    root = Path(STATIC_PATH).resolve()
    path = (root / name).resolve()
    if not name or root not in path.parents or not path.is_file():
        return Response(404, b"not found", {"Content-Type": "text/plain; charset=utf-8"})
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix == ".js":
        kind = "text/javascript"  # module scripts need a JavaScript type
    if kind.startswith("text/"):
        kind += "; charset=utf-8"
    cache = "public, max-age=31536000, immutable" if versioned else "no-cache"
    return Response(200, path.read_bytes(), {"Content-Type": kind, "Cache-Control": cache})


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
    session.max_pending = options.max_pending_output or None  # 0: no limit
    options.sessions.add(session)
    session.attach(make_transport(session))
    if factory is None:
        session.start()
    return session
