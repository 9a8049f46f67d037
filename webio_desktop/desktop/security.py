"""Who may talk to the launcher's server: a per-launch secret, a loopback Host, our Origin.

A localhost server is reachable by every web page the user visits (and, through DNS rebinding,
under foreign host names). So every request, page, socket and static file alike, must

* name our server in ``Host`` (127.0.0.1 / localhost / [::1], or the ``--host`` given, with our
  port): this defeats DNS rebinding;
* come from our own origin when it carries an ``Origin`` (always, for a WebSocket);
* carry the launch's secret cookie (HttpOnly, SameSite=Strict: other pages can neither read it
  nor make the browser send it).

A window gets the cookie by opening a URL with a **one-time token**; the server swaps the token
for the cookie, and the page it answers with puts the clean URL in the address bar before any
other script runs (other resources, such as the tab shell, redirect to it), so the secret is
never in a URL that lingers in history or logs. Browser mode never puts even that token on a command line (where every local
user can read it with ``ps``): the browser is given an **opener file** (``write_opener``), an
HTML page readable only by the user that sends the browser to the token URL, as Jupyter does.
Every response also forbids framing by other origins (``server/connect.py``'s
``FRAME_HEADERS``, on every server we run).
"""
from __future__ import annotations

import hmac
import html
import logging
import os
import secrets
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import tornado.httputil
import tornado.web

from ..server.connect import accepted_hosts, host_allowed

logger = logging.getLogger("webio_desktop.desktop.security")

TOKEN_PARAM = "webio_token"


class AccessGuard:
    """The ``request_guard`` of the desktop server (see ``HandlerOptions``)."""

    def __init__(self, extra_hosts: tuple[str, ...] = ()) -> None:
        self.secret = secrets.token_urlsafe(32)
        self.port: int | None = None
        self.extra_hosts = tuple(h for h in extra_hosts if h and h not in ("0.0.0.0", "::"))
        self._tokens: set[str] = set()
        self._lock = threading.Lock()

    # -- set up ---------------------------------------------------------------------------------
    def bind_port(self, port: int) -> None:
        self.port = port

    @property
    def cookie_name(self) -> str:
        # Cookies ignore the port: two launches on one host must not overwrite each other's.
        return f"webio_desktop_{self.port}"

    def host_names(self) -> list[str]:
        """The names our Host may carry (with our port): loopback, and ``--host``'s."""
        return accepted_hosts("127.0.0.1", self.extra_hosts) or []

    def allowed_hosts(self) -> set[str]:
        return {f"{name}:{self.port}" for name in self.host_names()}

    def allowed_origins(self) -> set[str]:
        return {f"http://{host}" for host in self.allowed_hosts()}

    def new_token(self) -> str:
        """A token that buys the cookie once (a window, the browser's opener file)."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens.add(token)
        return token

    def _spend(self, token: str) -> bool:
        with self._lock:
            if token in self._tokens:
                self._tokens.discard(token)
                return True
        return False

    # -- the check ------------------------------------------------------------------------------
    def __call__(self, handler: tornado.web.RequestHandler) -> bool:
        request = handler.request
        reason = self._refusal(handler)
        if reason is None:
            return True
        logger.warning("refused %s %s from %s: %s", request.method, request.path,
                       request.remote_ip, reason)
        return False

    def _refusal(self, handler: tornado.web.RequestHandler) -> str | None:
        """None when the request may go on (or was answered with a redirect), else why not."""
        request = handler.request
        host = request.headers.get("Host", "")
        if not host_allowed(host, self.host_names(), port=self.port):
            return f"Host {host[:100]!r} is not this server"
        origin = request.headers.get("Origin")
        is_socket = request.headers.get("Upgrade", "").lower() == "websocket"
        if origin is not None or is_socket:
            if (origin or "").lower() not in self.allowed_origins():
                return f"Origin {origin!r} is not this server"
        token = handler.get_query_argument(TOKEN_PARAM, None)
        if token is not None and not is_socket and request.method == "GET":
            if not self._spend(token):
                if self._has_cookie(handler):
                    handler.redirect(clean_url(request.uri or "/"))  # e.g. a reload: still ours
                    return None
                return "unknown or spent token"
            handler.set_cookie(self.cookie_name, self.secret, path="/", httponly=True,
                               samesite="Strict")
            handler.set_header("Cache-Control", "no-store")
            target = clean_url(request.uri or "/")
            if request.headers.get("Sec-Fetch-Site") == "cross-site":
                # Opened from elsewhere (the opener file): a redirect would go on with that
                # cross-site navigation, which doesn't send a SameSite=Strict cookie; a
                # navigation our own page starts does.
                handler.set_header("Content-Type", "text/html; charset=utf-8")
                handler.finish(redirect_page(target))
            elif hasattr(handler, "clean_url"):
                # An app's page: answered at once, and it shows the clean URL itself
                # (server/tornado.py): no redirect's round trip before the first paint.
                _take_token_out(request, target)
                handler.clean_url = target
            else:
                handler.redirect(target)
            return None
        if not self._has_cookie(handler):
            return "no launch secret"
        return None

    def _has_cookie(self, handler: tornado.web.RequestHandler) -> bool:
        given = handler.get_cookie(self.cookie_name) or ""
        return hmac.compare_digest(given.encode(), self.secret.encode())


def _take_token_out(request: tornado.httputil.HTTPServerRequest, clean: str) -> None:
    """Make ``request`` the request of its ``clean`` URL, so nothing downstream (the app's
    session info, its query) sees the spent token."""
    from tornado.escape import parse_qs_bytes

    request.uri = clean
    request.query = urlsplit(clean).query
    request.query_arguments = parse_qs_bytes(request.query, keep_blank_values=True)
    request.arguments = {k: list(v) for k, v in request.query_arguments.items()}


def redirect_page(url: str) -> str:
    """A page that sends the browser on to ``url`` (a link too, should refresh be off)."""
    quoted = html.escape(url, quote=True)
    return (f'<!doctype html><meta charset="utf-8"><title>webio-desktop</title>'
            f'<meta http-equiv="refresh" content="0;url={quoted}">'
            f'<p><a href="{quoted}">Open the app</a></p>')


def write_opener(url: str) -> Path:
    """The opener file of browser mode: an HTML page that sends the browser to ``url`` (which
    holds a one-time token), in a new folder only this user can enter (0700; the file 0600).
    Give the browser this file, never the URL: a command line is readable by every user.
    The caller removes the folder (``remove_opener``) when the launch ends."""
    folder = Path(tempfile.mkdtemp(prefix="webio-desktop-"))  # created 0700
    path = folder / "open.html"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(redirect_page(url))
    return path


def remove_opener(path: Path) -> None:
    path.unlink(missing_ok=True)
    try:
        path.parent.rmdir()
    except OSError:
        pass


def clean_url(uri: str) -> str:
    """``uri`` without the token parameter (path and the other query parameters kept)."""
    from urllib.parse import parse_qsl

    parts = urlsplit(uri)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != TOKEN_PARAM]
    return (parts.path or "/") + ("?" + urlencode(query) if query else "")


def log_request(handler: tornado.web.RequestHandler) -> None:
    """Tornado's access log without query strings (they may hold a one-time token)."""
    status = handler.get_status()
    log = logging.getLogger("tornado.access")
    level = logging.INFO if status < 400 else logging.WARNING
    log.log(level, "%d %s %s (%s) %.1fms", status, handler.request.method,
            handler.request.path, handler.request.remote_ip,
            1000.0 * handler.request.request_time())
