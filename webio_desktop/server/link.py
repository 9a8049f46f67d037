"""The framework-neutral half of every WebSocket transport (Tornado, aiohttp, ASGI).

An adapter turns its framework's socket into a :class:`Peer` (send a text frame, close) and
calls :func:`open_link`, ``link.receive`` and ``link.lost``; page requests go through
``connect.page_response``. Everything else -- which session a socket belongs to, batching the
outbox into frames, reconnecting within ``reconnect_timeout`` with no output lost -- lives here
once; the frames kept for a reconnect and the link's state are ``server/outbox.py``'s.
"""
from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from .. import protocol
from ..sessions.core import Session, SessionInfo
from .connect import HandlerOptions, open_session
from .outbox import AckWindow, ConnectionState, LinkState

logger = logging.getLogger("webio_desktop.server")

# Close codes the page understands: the app or session it asked for does not exist (any more).
CLOSE_NO_APP = 4404
CLOSE_REFUSED = 4409
CLOSE_EXPIRED = 4410
# Seconds a socket opened with ``?resume=1`` has to send its resume message.
RESUME_WAIT = 10.0


# -- WebSocket: one session's link to its page --------------------------------------------------

class Peer(Protocol):
    """An adapter's socket, used on the server's event loop only."""

    buffered: int  # bytes of frames queued but not yet written to the network

    def send_text(self, text: str) -> None:
        """Queue one text frame; never blocks."""

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Send what is queued, then close."""


class SessionLink:
    """The session's transport: frames its outbox onto the current socket.

    With ``reconnect_timeout`` the link outlives a dropped socket (state DETACHED): commands wait
    in the outbox, frames sent but not yet acknowledged by the page are kept (``kept``), and a
    socket that comes back (``?resume=1``, then ``{"event": "resume", "token": T, "frames": N}``
    with N = frames the page has applied) gets the missing ones, in order. ``token`` is the
    secret only the page holds: it is never logged and never in a URL (logs name
    ``session.id``, a different value). ``state.now`` is OPEN exactly while ``peer`` is a
    socket.
    """

    def __init__(self, session: Session, options: HandlerOptions,
                 loop: asyncio.AbstractEventLoop) -> None:
        self.session = session
        self.options = options
        self.loop = loop
        self.peer: Peer | None = None
        self.state = ConnectionState(f"session {session.id}")
        self.keep = options.reconnect_timeout > 0
        self.token = secrets.token_urlsafe(32) if self.keep else ""
        # Frames sent since the session began, kept until acknowledged (reconnectable links only).
        self.kept = AckWindow()
        self._expiry: asyncio.TimerHandle | None = None

    # core.Transport: any thread
    def notify(self) -> None:
        self.loop.call_soon_threadsafe(self.flush)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self._flush_and_close)

    def pending_bytes(self) -> int:
        """Frames kept until acknowledged, plus what the socket has not written yet."""
        peer = self.peer
        return self.kept.nbytes + (peer.buffered if peer is not None else 0)

    # on the loop
    def flush(self) -> None:
        if self.state.now is not LinkState.OPEN:
            return  # no page (yet, or for now): commands wait in the outbox for it
        frame = self.session.take_frame()
        if frame is not None:
            self._send(frame)

    def _send(self, text: str) -> None:
        if self.keep:
            self.kept.add(text)
        self.peer.send_text(text)  # type: ignore[union-attr]

    def _flush_and_close(self) -> None:
        if self.state.now is not LinkState.OPEN:
            return  # detached: a page coming back within the timeout gets the last frames
        self.flush()
        self.peer.close()  # type: ignore[union-attr]
        self._forget()

    def connect(self, peer: Peer, acked: int | None = None) -> None:
        """Give the link a socket: a new page, or one reconnecting after ``acked`` frames."""
        if self._expiry is not None:
            self._expiry.cancel()
            self._expiry = None
        if self.peer is not None and self.peer is not peer:
            self.peer.close(CLOSE_REFUSED, "replaced by a newer connection")
        self.state.to(LinkState.OPEN)
        self.peer = peer
        if acked is not None:
            self.kept.ack(acked)
            for _, text in self.kept:
                peer.send_text(text)
        self.flush()
        if self.session.closed:
            self._flush_and_close()

    def ack(self, frames: int) -> None:
        """The page has applied ``frames`` frames: stop keeping them."""
        self.kept.ack(frames)

    def receive(self, peer: Peer, text: str | bytes) -> None:
        """One message from the page: validated, then handed to the session."""
        session = self.session
        try:
            event = protocol.parse_event(text, self.options.max_message_size)
        except protocol.ProtocolError as exc:
            session.warn("refused a message: %s", exc)
            answer = protocol.encode_frame([protocol.error(str(exc))])
            if peer is self.peer:
                self._send(answer)  # numbered and kept: the page counts it like any frame
            else:
                peer.send_text(answer)  # an older socket, already replaced
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
        self.state.to(LinkState.DETACHED)
        self._expiry = self.loop.call_later(self.options.reconnect_timeout, self._expire)

    def _expire(self) -> None:
        self._expiry = None
        if self.state.now is LinkState.DETACHED:
            logger.info("session %s: the page did not come back; closing it", self.session.id)
            self._forget()
            self.session.close(from_page=True)

    def _forget(self) -> None:
        """GONE: no page may come back to this session; nothing more is kept."""
        self.state.to(LinkState.GONE)
        self.peer = None
        self.options.links.pop(self.token, None)
        self.kept.clear()


def new_link(session: Session, options: HandlerOptions) -> SessionLink:
    """The link of a new session, on the running loop, no socket yet; a reconnectable one is
    registered by its resume token and tells the page (``set_session``)."""
    link = SessionLink(session, options, asyncio.get_running_loop())
    if link.keep:
        options.links[link.token] = link
        session.send(protocol.set_session(link.token, options.reconnect_timeout))
    return link


class Resumption:
    """A socket opened with ``?resume=1``: its first message names the session to resume (a
    reconnect) or, with its one-time attach secret, the prerendered session it belongs to.

    The page's secret travels in that message (:func:`protocol.parse_resume`), not in the URL
    that access logs print. Until it arrives nothing is sent; after it the socket is the
    session's (``receive`` and ``lost`` go to its link), or it is refused as expired.
    """

    def __init__(self, options: HandlerOptions, peer: Peer) -> None:
        self.options = options
        self.link: SessionLink | None = None
        self._done = False
        self._timer = asyncio.get_running_loop().call_later(RESUME_WAIT, self._refuse, peer,
                                                            "no resume message in time")

    def receive(self, peer: Peer, text: str | bytes) -> None:
        if self.link is not None:
            self.link.receive(peer, text)
            return
        if self._done:
            return
        self._timer.cancel()
        try:
            token, acked = protocol.parse_resume(text)
        except protocol.ProtocolError as exc:
            self._refuse(peer, f"refused a resume message: {exc}")
            return
        # A prerendered page's first socket names its session by a one-time attach secret
        # (server/prerender.py: popped, so a replay is refused), a reconnect by its resume token.
        link = self.options.attaching.pop(token, None) or self.options.links.get(token)
        if link is None:
            self._refuse(peer, None)
            return
        self._done = True
        self.link = link
        link.connect(peer, acked)

    def _refuse(self, peer: Peer, reason: str | None) -> None:
        """The session is unknown (expired, or never was): the page says it ended."""
        if self._done:
            return
        self._done = True
        if reason:
            logger.warning("a reconnecting socket: %s", reason)
        peer.send_text(protocol.encode_frame([protocol.close()]))
        peer.close(CLOSE_EXPIRED, "the session has ended")

    def lost(self, peer: Peer) -> None:
        self._timer.cancel()
        self._done = True
        if self.link is not None:
            self.link.lost(peer)


def open_link(options: HandlerOptions, peer: Peer, query: Mapping[str, str],
              info: SessionInfo) -> SessionLink | Resumption | None:
    """Attach a new socket: start a session of ``?app=NAME``, or (``?resume=1``) wait for the
    message naming the session to resume.

    A refused socket gets a close code (and, for a session that is gone, a ``close`` command so
    the page says the session ended) and None is returned.
    """
    apps = options.apps
    name = query.get("app") or "index"
    if query.get("resume"):
        return Resumption(options, peer)
    if name not in apps:
        peer.close(CLOSE_NO_APP, f"no app named {protocol.clip(name, 60)}")
        return None
    links: list[SessionLink] = []

    def attach(session: Session) -> SessionLink:
        link = new_link(session, options)
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
        self.buffered = 0  # queued here or in the framework's send: counted until it returns
        self._writer = asyncio.ensure_future(self._write())

    def send_text(self, text: str) -> None:
        if not self.closing:
            self.buffered += len(text)
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
                self.buffered -= len(item)
            except Exception:  # the socket went away: the reader sees it and reports it lost
                self.closing = True
                self.buffered = 0  # nothing queued will be sent
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
        self.buffered = 0
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
