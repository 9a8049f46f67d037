"""The Tornado transport: one handler serves an app's page and its WebSocket on one URL."""
from __future__ import annotations

import logging
import zlib
from collections.abc import Callable
from typing import Any

import tornado.web
import tornado.websocket
from tornado.ioloop import IOLoop

from .. import protocol
from ..sessions.core import Session, SessionInfo
from .apps import unknown_app_page
from .connect import (STATIC_PREFIX, HandlerOptions, open_session, origin_allowed,
                      session_info)
from .page import STATIC_PATH, render_page

logger = logging.getLogger("webio_desktop.server")


class TornadoTransport:
    """Moves a session's commands to its socket in batches, on the server's event loop."""

    def __init__(self, handler: "WebIOHandler", session: Session) -> None:
        self.handler = handler
        self.session = session
        self.loop = IOLoop.current()

    def notify(self) -> None:
        self.loop.add_callback(self._flush)

    def close(self) -> None:
        self.loop.add_callback(self._flush_and_close)

    def _flush(self) -> None:
        commands = self.session.take_outbox()
        if commands and self.handler.ws_connection is not None:
            try:
                self.handler.write_message(protocol.encode_frame(commands))
            except tornado.websocket.WebSocketClosedError:
                pass

    def _flush_and_close(self) -> None:
        self._flush()
        self.handler.close()


class WebIOHandler(tornado.websocket.WebSocketHandler):
    """GET without Upgrade: the app's page. With Upgrade: the app's session socket."""

    options: HandlerOptions  # set on the subclass made by make_handler()
    session: Session | None = None

    @property
    def app_name(self) -> str:
        return self.get_query_argument("app", "index") or "index"

    async def get(self, *args: Any, **kwargs: Any) -> None:
        if self.request.headers.get("Upgrade", "").lower() == "websocket":
            await super().get(*args, **kwargs)
            return
        apps = self.options.apps
        name = self.app_name
        if name not in apps:
            self.set_status(404)
            self.finish(unknown_app_page(name, apps))
            return
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-cache")
        client = {"debug": self.options.debug, "max_message": self.options.max_message_size}
        self.finish(render_page(apps[name], self.options.static_base(), client,
                                self.options.extra_head,
                                inline=not isinstance(self.options.cdn, str)))

    def check_origin(self, origin: str) -> bool:
        allowed = origin_allowed(origin, self.request.host, self.options)
        if not allowed:
            logger.warning("refused a WebSocket from origin %r (host %r)", origin,
                           self.request.host)
        return allowed

    def get_compression_options(self) -> dict | None:
        return {}  # permessage-deflate: large output frames shrink several times

    def open(self, *args: Any, **kwargs: Any) -> None:
        apps = self.options.apps
        name = self.app_name
        if name not in apps:
            self.close(4404, f"no app named {name!r}")
            return
        self.set_nodelay(True)  # small replies must not wait for delayed ACKs
        compress_frames_alone(self.ws_connection)
        session = open_session(self.options, name, self._session_info(),
                               lambda session: TornadoTransport(self, session))
        if session is None:
            self.close(4409, "this page can not be served here")
            return
        self.session = session

    def _session_info(self) -> SessionInfo:
        return session_info(self.request.headers, host=self.request.host,
                            user_ip=self.request.remote_ip or "", backend="tornado",
                            protocol="websocket", request=self.request)

    def on_message(self, message: str | bytes) -> None:
        if self.session is None:
            return
        try:
            event = protocol.parse_event(message, self.options.max_message_size)
        except protocol.ProtocolError as exc:
            logger.warning("session %s: refused a message: %s", self.session.id, exc)
            self.write_message(protocol.encode_frame([protocol.error(str(exc))]))
            return
        try:
            self.session.receive(event)
        except Exception:
            logger.exception("session %s: error while handling %r", self.session.id,
                             event.get("event"))

    def on_close(self) -> None:
        if self.session is not None:
            self.session.close(from_page=True)


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


def make_handler(options: HandlerOptions) -> type[WebIOHandler]:
    handler = type("WebIOAppHandler", (WebIOHandler,), {"options": options})
    if options.request_guard is not None:
        handler = guarded(handler, options.request_guard)
    return handler


def static_routes(static_dir: str | None = None) -> list[tuple]:
    """Routes for our front end (versioned and plain) and the user's ``static_dir``."""
    routes: list[tuple] = [
        (STATIC_PREFIX + r"v-[0-9a-f]+/(.*)", VersionedStaticHandler, {"path": STATIC_PATH}),
        (STATIC_PREFIX + r"(.*)", tornado.web.StaticFileHandler, {"path": STATIC_PATH}),
    ]
    if static_dir is not None:
        routes.append((r"/static/(.*)", tornado.web.StaticFileHandler, {"path": static_dir}))
    return routes
