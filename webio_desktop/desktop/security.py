"""Who may talk to the launcher's server: a per-launch secret, a loopback Host, our Origin.

A localhost server is reachable by every web page the user visits (and, through DNS rebinding,
under foreign host names). So every request, page, socket and static file alike, must

* name our server in ``Host`` (127.0.0.1 / localhost / [::1], or the ``--host`` given, with our
  port): this defeats DNS rebinding;
* come from our own origin when it carries an ``Origin`` (always, for a WebSocket);
* carry the launch's secret cookie (HttpOnly, SameSite=Strict: other pages can neither read it
  nor make the browser send it).

A window gets the cookie by opening a URL with a **one-time token**; the server swaps the token
for the cookie and redirects to the clean URL, so the secret is never in a URL that lingers in
history or logs (browser mode prints a reusable token instead: the user may open it twice).
"""
from __future__ import annotations

import hmac
import logging
import secrets
import threading
from urllib.parse import urlencode, urlsplit

import tornado.web

logger = logging.getLogger("webio_desktop.desktop.security")

TOKEN_PARAM = "webio_token"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


class AccessGuard:
    """The ``request_guard`` of the desktop server (see ``HandlerOptions``)."""

    def __init__(self, extra_hosts: tuple[str, ...] = ()) -> None:
        self.secret = secrets.token_urlsafe(32)
        self.port: int | None = None
        self.extra_hosts = tuple(h for h in extra_hosts if h and h not in ("0.0.0.0", "::"))
        self._tokens: set[str] = set()
        self._reusable: set[str] = set()
        self._lock = threading.Lock()

    # -- set up ---------------------------------------------------------------------------------
    def bind_port(self, port: int) -> None:
        self.port = port

    @property
    def cookie_name(self) -> str:
        # Cookies ignore the port: two launches on one host must not overwrite each other's.
        return f"webio_desktop_{self.port}"

    def allowed_hosts(self) -> set[str]:
        names = [*LOOPBACK_NAMES, *self.extra_hosts]
        return {f"{name}:{self.port}".lower() for name in names}

    def allowed_origins(self) -> set[str]:
        return {f"http://{host}" for host in self.allowed_hosts()}

    def new_token(self, *, reusable: bool = False) -> str:
        """A token that buys the cookie: once (a window), or for the whole launch (browser mode)."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            (self._reusable if reusable else self._tokens).add(token)
        return token

    def _spend(self, token: str) -> bool:
        with self._lock:
            if token in self._reusable:
                return True
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
        host = request.headers.get("Host", "").lower()
        if host not in self.allowed_hosts():
            return f"Host {host!r} is not this server"
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
            handler.redirect(clean_url(request.uri or "/"))
            return None
        if not self._has_cookie(handler):
            return "no launch secret"
        return None

    def _has_cookie(self, handler: tornado.web.RequestHandler) -> bool:
        given = handler.get_cookie(self.cookie_name) or ""
        return hmac.compare_digest(given.encode(), self.secret.encode())


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
