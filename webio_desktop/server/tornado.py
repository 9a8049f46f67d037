"""The Tornado transport: one handler serves an app's page and its WebSocket on one URL."""
from __future__ import annotations

import functools
import gzip
import logging
import zlib
from collections.abc import Callable
from typing import Any

import tornado.web
import tornado.websocket

from .. import protocol
from ..sessions.core import SessionInfo
from .connect import (FRAME_HEADERS, STATIC_PREFIX, HandlerOptions, host_refusal,
                      origin_allowed, page_response, session_info)
from .files import refused
from .link import Resumption, SessionLink, open_link
from .page import STATIC_PATH
from .prerender import prerendered_page

__all__ = ["HandlerOptions", "WebIOHandler", "make_handler", "route_guard", "static_routes",
           "origin_allowed"]

logger = logging.getLogger("webio_desktop.server")


GZIP_MIN_BYTES = 1024


@functools.lru_cache(maxsize=16)
def gzipped(body: bytes) -> bytes:
    """A page compressed once: an app's page is the same ~100 KB (its front end is inline) on
    every load, and compressing it took ~3.5 ms of each first output."""
    return gzip.compress(body, compresslevel=6, mtime=0)


class TornadoPeer:
    """``link.Peer`` over a Tornado WebSocket handler.

    ``buffered`` counts the frames Tornado's stream has not written to the socket yet (a page
    that stops reading fills it): each write's future says when its bytes left.
    """

    __slots__ = ("handler", "buffered")

    def __init__(self, handler: "WebIOHandler") -> None:
        self.handler = handler
        self.buffered = 0

    def send_text(self, text: str) -> None:
        if self.handler.ws_connection is not None:
            try:
                written = self.handler.write_message(text)
            except tornado.websocket.WebSocketClosedError:
                return
            size = len(text)
            self.buffered += size
            written.add_done_callback(functools.partial(self._written, size))

    def _written(self, size: int, future: Any) -> None:
        self.buffered -= size
        if not future.cancelled():
            future.exception()  # a closed socket: nothing to report, lost() follows

    def close(self, code: int = 1000, reason: str = "") -> None:
        self.handler.close(code, reason)


class WebIOHandler(tornado.websocket.WebSocketHandler):
    """GET without Upgrade: the app's page. With Upgrade: the app's session socket."""

    options: HandlerOptions  # set on the subclass made by make_handler()
    link: SessionLink | Resumption | None = None
    peer: TornadoPeer | None = None
    # A request guard that took a parameter out of this request (the desktop's one-time token)
    # sets the URL the page shows instead: the page puts it in the address bar before anything
    # else runs (``history.replaceState``), which spares the browser a redirect. Handlers
    # without this attribute (static files) get the redirect.
    clean_url: str | None = None

    def _query(self) -> dict[str, str]:
        return {key: self.get_query_argument(key) for key in self.request.query_arguments}

    async def get(self, *args: Any, **kwargs: Any) -> None:
        if self.request.headers.get("Upgrade", "").lower() == "websocket":
            await super().get(*args, **kwargs)
            return
        if self.options.prerender:  # the app starts now; its first screen is in the page
            response = await prerendered_page(self.options, self.request.path, self._query(),
                                              self._session_info(), shown_url=self.clean_url)
        else:
            response = page_response(self.options, self.request.path, self._query(),
                                     shown_url=self.clean_url)
        self.set_status(response.status)
        for name, value in response.headers.items():
            self.set_header(name, value)
        body = response.body
        if (self.settings.get("compress_response") and len(body) >= GZIP_MIN_BYTES
                and "gzip" in self.request.headers.get("Accept-Encoding", "")):
            # tornado leaves a response alone that names its encoding; a prerendered page is
            # unique (and holds a secret), so it is not cached
            body = (gzip.compress(body, compresslevel=6, mtime=0)
                    if response.headers.get("Cache-Control") == "no-store" else gzipped(body))
            self.set_header("Content-Encoding", "gzip")
        self.finish(body)

    def check_origin(self, origin: str) -> bool:
        allowed = origin_allowed(origin, self.request.host, self.options)
        if not allowed:
            logger.warning("refused a WebSocket from origin %s (host %s)", protocol.clip(origin),
                           protocol.clip(self.request.host))
        return allowed

    def get_compression_options(self) -> dict | None:
        return {}  # permessage-deflate: large output frames shrink several times

    def open(self, *args: Any, **kwargs: Any) -> None:
        self.set_nodelay(True)  # small replies must not wait for delayed ACKs
        compress_frames_alone(self.ws_connection)
        self.peer = TornadoPeer(self)
        self.link = open_link(self.options, self.peer, self._query(), self._session_info())

    def _session_info(self) -> SessionInfo:
        # (a prerendered session's request is its page's GET; its socket attaches later)
        return session_info(self.request.headers, host=self.request.host,
                            user_ip=self.request.remote_ip or "", backend="tornado",
                            protocol="websocket", request=self.request)

    def on_message(self, message: str | bytes) -> None:
        if self.link is not None:
            self.link.receive(self.peer, message)  # type: ignore[arg-type]

    def on_close(self) -> None:
        if self.link is not None:
            self.link.lost(self.peer)  # type: ignore[arg-type]


class FrameCompressor:
    """permessage-deflate for what we send: each frame alone, with a window sized to the frame.

    Tornado keeps one deflate stream per connection (zlib, ~256 KiB allocated), which was most
    of what an open session cost in memory, and a fresh full-size stream per frame is slow for
    the small frames a session mostly sends. A frame compressed alone, with a window no larger
    than itself, is still a valid continuation for a browser that keeps its context (RFC 7692
    allows a smaller window than negotiated); bursts of outputs still compress within their frame.
    """

    __slots__ = ("level",)

    def __init__(self, level: int = zlib.Z_DEFAULT_COMPRESSION) -> None:
        self.level = level

    def compress(self, data: bytes) -> bytes:
        wbits = min(15, max(9, len(data).bit_length()))
        deflate = zlib.compressobj(self.level, zlib.DEFLATED, -wbits, wbits - 7)
        data = deflate.compress(data) + deflate.flush(zlib.Z_SYNC_FLUSH)
        return data[:-4]  # the sync flush's empty block, as RFC 7692 asks


def compress_frames_alone(connection: Any) -> None:
    """Swap tornado's per-connection compressor (a private attribute) for a FrameCompressor.

    Tornado has no option for this; if its internals change, compression stays as it was.
    """
    deflate = getattr(connection, "_compressor", None)
    if deflate is not None and callable(getattr(deflate, "compress", None)):
        connection._compressor = FrameCompressor(
            getattr(deflate, "_compression_level", zlib.Z_DEFAULT_COMPRESSION))


class VersionedStaticHandler(tornado.web.StaticFileHandler):
    """Front-end files under a content-hash path: safe to cache for a year."""

    def get_cache_time(self, path: str, modified: Any, mime_type: str) -> int:
        return self.CACHE_MAX_AGE


class UserStaticHandler(tornado.web.StaticFileHandler):
    """A user's ``static_dir``: hidden names (``.env``, ``.git/``) are refused (``files.py``)."""

    def parse_url_path(self, url_path: str) -> str:
        if refused(url_path):
            raise tornado.web.HTTPError(403)
        return super().parse_url_path(url_path)


def guarded(handler_class: type[tornado.web.RequestHandler],
            guard: Callable[[tornado.web.RequestHandler], bool]) -> type:
    """``handler_class`` that runs ``guard`` first: 403 when it refuses, nothing more when it
    already answered (so static files get the same checks as the page and the socket)."""
    def prepare(self: tornado.web.RequestHandler) -> Any:
        if not guard(self):
            raise tornado.web.HTTPError(403)
        if self._finished:
            return None
        return handler_class.prepare(self)

    return type(f"Guarded{handler_class.__name__}", (handler_class,), {"prepare": prepare})


class FrameGuard(tornado.web.OutputTransform):
    """Adds ``FRAME_HEADERS`` to every response of an application (static files, errors and
    redirects too): ``application.add_transform(FrameGuard)``."""

    def transform_first_chunk(self, status_code: int, headers: Any, chunk: bytes,
                              finishing: bool) -> tuple[int, Any, bytes]:
        for name, value in FRAME_HEADERS.items():
            headers.setdefault(name, value)
        return status_code, headers, chunk


def route_guard(options: HandlerOptions) -> Callable[[tornado.web.RequestHandler], bool] | None:
    """What every route of a server we run checks first: the Host rule (``allowed_hosts``),
    then the embedder's ``request_guard``; None when there is nothing to check."""
    embedder = options.request_guard
    if options.allowed_hosts is None:
        return embedder

    def guard(handler: tornado.web.RequestHandler) -> bool:
        reason = host_refusal(handler.request.host or "", options)
        if reason is not None:
            logger.warning("refused %s %s from %s: %s", handler.request.method,
                           handler.request.path, handler.request.remote_ip, reason)
            return False
        return embedder is None or embedder(handler)

    return guard


def make_handler(options: HandlerOptions) -> type[WebIOHandler]:
    handler = type("WebIOAppHandler", (WebIOHandler,), {"options": options})
    guard = route_guard(options)
    if guard is not None:
        handler = guarded(handler, guard)
    return handler


def static_routes(static_dir: str | None = None) -> list[tuple]:
    """Routes for our front end (versioned and plain) and the user's ``static_dir``."""
    routes: list[tuple] = [
        (STATIC_PREFIX + r"v-[0-9a-f]+/(.*)", VersionedStaticHandler, {"path": STATIC_PATH}),
        (STATIC_PREFIX + r"(.*)", tornado.web.StaticFileHandler, {"path": STATIC_PATH}),
    ]
    if static_dir is not None:
        routes.append((r"/static/(.*)", UserStaticHandler, {"path": static_dir}))
    return routes
