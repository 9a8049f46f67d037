"""The framework-neutral half of every WebSocket transport (Tornado, aiohttp, ASGI).

An adapter turns its framework's socket into a :class:`Peer` (send a text frame, close) and
calls :func:`open_link`, ``link.receive`` and ``link.lost``; page requests go through
:func:`page_response`. Everything else -- which session a socket belongs to, batching the outbox
into frames, reconnecting within ``reconnect_timeout`` with no output lost -- lives here once.
"""
from __future__ import annotations

import asyncio
import fnmatch
import logging
import mimetypes
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from .. import protocol
from ..sessions import new_session
from ..sessions.core import Session, SessionInfo
from .apps import AppMap, unknown_app_page
from .page import STATIC_PATH, render_page, static_version

logger = logging.getLogger("webio_desktop.server")

STATIC_PREFIX = "/_webio/static/"
# A page served by an embedded handler loads the front end from the handler's own URL with
# this query parameter (``/tool?_webio_static=v-HASH/webio.js``): no extra route to add.
ASSET_QUERY = "_webio_static"
# Close codes the page understands: the app or session it asked for does not exist (any more).
CLOSE_NO_APP = 4404
CLOSE_REFUSED = 4409
CLOSE_EXPIRED = 4410


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
    # Sessions a page may reconnect to, by id (only with reconnect_timeout).
    links: dict[str, "SessionLink"] = field(default_factory=dict)
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


def origin_allowed(origin: str, host: str, options: HandlerOptions) -> bool:
    """Same host always; else ``check_origin(origin)`` or an ``allowed_origins`` pattern."""
    if not origin:
        return True  # not a browser page: nothing cross-site to protect against
    if urlsplit(origin).netloc.lower() == host.lower():
        return True
    if options.check_origin is not None:
        return bool(options.check_origin(origin))
    return any(fnmatch.fnmatch(origin, pattern) for pattern in options.allowed_origins or ())


# -- HTTP: the page and, for embedded handlers, the front-end files ----------------------------

@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str]


def page_response(options: HandlerOptions, path: str, query: Mapping[str, str]) -> Response:
    """What a GET without Upgrade gets: a front-end file, the app's page, or the 404 page."""
    if options.embedded and ASSET_QUERY in query:
        return static_asset(query[ASSET_QUERY])
    apps = options.apps
    name = query.get("app") or "index"
    if name not in apps:
        return Response(404, unknown_app_page(name, apps).encode(),
                        {"Content-Type": "text/html; charset=utf-8"})
    client = {"debug": options.debug, "max_message": options.max_message_size}
    body = render_page(apps[name], options.static_base(path), client, options.extra_head)
    return Response(200, body.encode(), {"Content-Type": "text/html; charset=utf-8",
                                         "Cache-Control": "no-cache"})


def static_asset(spec: str) -> Response:
    """A file of STATIC_PATH named by ``spec`` (``v-HASH/name`` is cached for a year)."""
    versioned = spec.startswith("v-") and "/" in spec
    name = spec.split("/", 1)[1] if versioned else spec
    root = Path(STATIC_PATH)
    path = (root / name).resolve()
    if not name or root not in path.parents or not path.is_file():
        return Response(404, b"not found", {"Content-Type": "text/plain"})
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix == ".js":
        kind = "text/javascript"  # module scripts need a JavaScript type
    cache = "public, max-age=31536000, immutable" if versioned else "no-cache"
    return Response(200, path.read_bytes(), {"Content-Type": kind, "Cache-Control": cache})


# -- WebSocket: one session's link to its page --------------------------------------------------

class Peer(Protocol):
    """An adapter's socket, used on the server's event loop only."""

    def send_text(self, text: str) -> None:
        """Queue one text frame; never blocks."""

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Send what is queued, then close."""


class SessionLink:
    """The session's transport: frames its outbox onto the current socket.

    With ``reconnect_timeout`` the link outlives a dropped socket: commands wait in the outbox,
    frames sent but not yet acknowledged by the page are kept, and a socket that comes back with
    ``?session=ID&ack=N`` (N = frames the page has applied) gets the missing ones, in order.
    """

    def __init__(self, session: Session, options: HandlerOptions,
                 loop: asyncio.AbstractEventLoop) -> None:
        self.session = session
        self.options = options
        self.loop = loop
        self.peer: Peer | None = None
        self.keep = options.reconnect_timeout > 0
        self.sent = 0  # frames sent since the session began (the page counts them too)
        self.unacked: deque[tuple[int, str]] = deque()
        self._expiry: asyncio.TimerHandle | None = None

    # core.Transport: any thread
    def notify(self) -> None:
        self.loop.call_soon_threadsafe(self.flush)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self._flush_and_close)

    # on the loop
    def flush(self) -> None:
        if self.peer is None:
            return  # detached: commands wait in the outbox for the page to come back
        commands = self.session.take_outbox()
        if commands:
            self._send(protocol.encode_frame(commands))

    def _send(self, text: str) -> None:
        self.sent += 1
        if self.keep:
            self.unacked.append((self.sent, text))
        self.peer.send_text(text)  # type: ignore[union-attr]

    def _flush_and_close(self) -> None:
        if self.peer is None:
            return  # a page coming back within the timeout gets the last frames
        self.flush()
        self.peer.close()
        self.peer = None
        self._forget()

    def connect(self, peer: Peer, acked: int | None = None) -> None:
        """Give the link a socket: a new page, or one reconnecting after ``acked`` frames."""
        if self._expiry is not None:
            self._expiry.cancel()
            self._expiry = None
        if self.peer is not None and self.peer is not peer:
            self.peer.close(CLOSE_REFUSED, "replaced by a newer connection")
        self.peer = peer
        if acked is not None:
            self.ack(acked)
            for _, text in self.unacked:
                peer.send_text(text)
        self.flush()
        if self.session.closed:
            self._flush_and_close()

    def ack(self, frames: int) -> None:
        """The page has applied ``frames`` frames: stop keeping them."""
        while self.unacked and self.unacked[0][0] <= frames:
            self.unacked.popleft()

    def receive(self, peer: Peer, text: str | bytes) -> None:
        """One message from the page: validated, then handed to the session."""
        session = self.session
        try:
            event = protocol.parse_event(text, self.options.max_message_size)
        except protocol.ProtocolError as exc:
            logger.warning("session %s: refused a message: %s", session.id, exc)
            peer.send_text(protocol.encode_frame([protocol.error(str(exc))]))
            return
        if event["event"] == "ack":
            self.ack(event["frames"])
            return
        try:
            session.receive(event)
        except Exception:
            logger.exception("session %s: error while handling %r", session.id, event.get("event"))

    def lost(self, peer: Peer) -> None:
        """The socket ``peer`` closed: end the session, or wait for the page to come back."""
        if peer is not self.peer:
            return  # an older socket, already replaced
        self.peer = None
        if not self.keep:
            self._forget()
            self.session.close(from_page=True)
            return
        self._expiry = self.loop.call_later(self.options.reconnect_timeout, self._expire)

    def _expire(self) -> None:
        self._expiry = None
        if self.peer is None:
            logger.info("session %s: the page did not come back; closing it", self.session.id)
            self._forget()
            self.session.close(from_page=True)

    def _forget(self) -> None:
        self.options.links.pop(self.session.id, None)
        self.unacked.clear()


def open_link(options: HandlerOptions, peer: Peer, query: Mapping[str, str],
              info: SessionInfo) -> SessionLink | None:
    """Attach a new socket: resume ``?session=ID`` or start a session of ``?app=NAME``.

    A refused socket gets a close code (and, for a session that is gone, a ``close`` command so
    the page says the session ended) and None is returned.
    """
    apps = options.apps
    name = query.get("app") or "index"
    resume = query.get("session")
    if resume:
        link = options.links.get(resume)
        if link is None:
            peer.send_text(protocol.encode_frame([protocol.close()]))
            peer.close(CLOSE_EXPIRED, "the session has ended")
            return None
        try:
            acked = int(query.get("ack") or 0)
        except ValueError:
            acked = 0
        link.connect(peer, acked)
        return link
    if name not in apps:
        peer.close(CLOSE_NO_APP, f"no app named {name!r}")
        return None
    factory = options.session_factory
    if factory is not None:
        session = factory(name, info)
    else:
        session = new_session(apps[name], info, debug=options.debug,
                              on_close=options.sessions.discard)
    if session is None:
        peer.close(CLOSE_REFUSED, "this page can not be served here")
        return None
    session.max_message_size = options.max_message_size  # file_upload's default limit
    options.sessions.add(session)
    link = SessionLink(session, options, asyncio.get_running_loop())
    if link.keep:
        options.links[session.id] = link
        session.send(protocol.set_session(session.id, options.reconnect_timeout))
    link.connect(peer)
    session.attach(link)
    if factory is None:
        session.start()
    return link


# -- for async frameworks (aiohttp, ASGI): a peer that awaits its sends in order ---------------

class QueuedPeer:
    """A :class:`Peer` over async ``send``/``close`` callables: one writer task keeps order."""

    _CLOSE = object()

    def __init__(self, send: Callable[[str], Awaitable[Any]],
                 close: Callable[[int, str], Awaitable[Any]]) -> None:
        self._send = send
        self._close = close
        self._queue: asyncio.Queue = asyncio.Queue()
        self.closing = False
        self._writer = asyncio.ensure_future(self._write())

    def send_text(self, text: str) -> None:
        if not self.closing:
            self._queue.put_nowait(text)

    def close(self, code: int = 1000, reason: str = "") -> None:
        if not self.closing:
            self.closing = True
            self._queue.put_nowait((self._CLOSE, code, reason))

    async def _write(self) -> None:
        while True:
            item = await self._queue.get()
            try:
                if isinstance(item, tuple):
                    await self._close(item[1], item[2])
                    return
                await self._send(item)
            except Exception:  # the socket went away: the reader sees it and reports it lost
                self.closing = True
                return

    async def finish(self, drain: bool) -> None:
        """The reader is done. ``drain``: let queued frames and the close go out (bounded);
        else stop at once (the socket is gone, nothing queued can be sent)."""
        if drain:
            try:
                await asyncio.wait_for(asyncio.shield(self._writer), 5)
                return
            except (asyncio.TimeoutError, Exception):
                pass
        self.closing = True
        self._writer.cancel()
        try:
            await self._writer
        except (asyncio.CancelledError, Exception):
            pass


async def run_socket(options: HandlerOptions, query: Mapping[str, str], info: SessionInfo, *,
                     send: Callable[[str], Awaitable[Any]],
                     close: Callable[[int, str], Awaitable[Any]],
                     receive: Callable[[], Awaitable[str | bytes | None]]) -> None:
    """Serve one accepted socket until it closes (``receive`` returns None at the end)."""
    peer = QueuedPeer(send, close)
    link = open_link(options, peer, query, info)
    try:
        while link is not None:
            message = await receive()
            if message is None:
                break
            link.receive(peer, message)
    finally:
        if link is not None:
            link.lost(peer)
        await peer.finish(drain=peer.closing)
