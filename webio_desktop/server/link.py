"""The framework-neutral half of every WebSocket transport (Tornado, aiohttp, ASGI).

An adapter turns its framework's socket into a :class:`Peer` (send a text frame, close) and
calls :func:`open_link`, ``link.receive`` and ``link.lost``; page requests go through
:func:`page_response`. Everything else -- which session a socket belongs to, batching the outbox
into frames, reconnecting within ``reconnect_timeout`` with no output lost -- lives here once.
"""
from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from .. import protocol
from ..sessions.core import Session, SessionInfo
from .apps import unknown_app_page
from .connect import ASSET_QUERY, HandlerOptions, front_end_file, open_session
from .page import render_page

logger = logging.getLogger("webio_desktop.server")

# Close codes the page understands: the app or session it asked for does not exist (any more).
CLOSE_NO_APP = 4404
CLOSE_REFUSED = 4409
CLOSE_EXPIRED = 4410


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
    body = render_page(apps[name], options.static_base(path), client, options.extra_head,
                       inline=options.inline_front_end())
    return Response(200, body.encode(), {"Content-Type": "text/html; charset=utf-8",
                                         "Cache-Control": "no-cache"})


def static_asset(spec: str) -> Response:
    return Response(*front_end_file(spec))


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
    links: list[SessionLink] = []

    def attach(session: Session) -> SessionLink:
        link = SessionLink(session, options, asyncio.get_running_loop())
        if link.keep:
            options.links[session.id] = link
            session.send(protocol.set_session(session.id, options.reconnect_timeout))
        link.connect(peer)
        links.append(link)
        return link

    if open_session(options, name, info, attach) is None:
        peer.close(CLOSE_REFUSED, "this page can not be served here")
        return None
    return links[0]


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
