"""The HTTP long-poll transport, written once for every framework (Flask, Django, tornado_http).

A framework adapter turns its request into an :class:`HttpRequest`, calls
:meth:`HttpSessions.handle` and turns the :class:`HttpResponse` back; a long poll comes back as a
:class:`Poll` to wait on (``wait()`` in a WSGI thread, ``await wait_async()`` on an event loop).
The wire rules (docs/protocol.md, "HTTP transport"):

* Command batches are numbered and kept until the page acknowledges them (``Webio-Ack`` on the
  next poll), so a poll retried after a lost reply gets the same batches again.
* Events are numbered by the page (``Webio-Seq`` = number of the first event in the body); a
  retried POST's events that were already applied are skipped, so nothing is applied twice.
* A page that sends nothing for ``session_expire_seconds`` loses its session (a sweep every
  ``session_cleanup_interval`` closes it); an unknown or expired session gets 410.

Frames are the protocol module's JSON text, embedded as they are: this module never looks inside.
"""
from __future__ import annotations

import asyncio
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import protocol
from ..sessions.core import Session
from .connect import (HandlerOptions, host_refusal, open_session, origin_allowed,
                      page_response, session_info)
from .outbox import AckWindow, ConnectionState, LinkState

logger = logging.getLogger("webio_desktop.server")

SESSION_HEADER = "Webio-Session"  # "new" to start a session, else the id it was given
ACK_HEADER = "Webio-Ack"  # poll: number of the last batch the page applied
SEQ_HEADER = "Webio-Seq"  # events: number of the first event in the body
CLOSE_HEADER = "Webio-Close"  # the page is leaving: end the session now

DEFAULT_EXPIRE_SECONDS = 600
DEFAULT_CLEANUP_INTERVAL = 300
POLL_SECONDS = 20.0  # how long a poll waits for commands before answering "nothing yet"
CLOSED_GRACE_SECONDS = 30.0  # an ended session's last batches stay this long for a retried poll


@dataclass
class HttpRequest:
    """What the transport needs of a request; adapters build it from their framework's."""

    method: str
    headers: Mapping[str, str]  # case-insensitive, as every framework's header object is
    query: Mapping[str, str]  # first value of each parameter
    body: bytes
    host: str
    path: str = "/"  # as the page sees it (its last segment names the view in relative URLs)
    remote_ip: str = ""
    native: Any = None  # the framework's request object (``session.info.request``)


@dataclass
class HttpResponse:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, text: str) -> "HttpResponse":
        return cls(status, text.encode(), {"Content-Type": "application/json",
                                           "Cache-Control": "no-store"})

    @classmethod
    def error(cls, status: int, message: str) -> "HttpResponse":
        return cls.json(status, json.dumps({"error": message}))


class HttpChannel:
    """One page's session over HTTP: the session's transport, batches and event numbering.

    State: NEW until the session is bound, OPEN while it runs, ENDED once it closed (its last
    batches wait for a poll for a grace time), GONE once the server forgot it.
    """

    def __init__(self) -> None:
        # The page's bearer secret (``Webio-Session`` header, never a URL, never logged); logs
        # name the session by ``session.id``, a different value.
        self.token = secrets.token_urlsafe(32)
        self.session: Session | None = None
        self._lock = threading.Lock()  # guards the batches, the waiters and the state
        self._events_lock = threading.Lock()  # one POST at a time applies events, in order
        self._batches = AckWindow()  # numbered batches not yet acknowledged
        self._next_event = 0
        self._waiters: list[Callable[[], None]] = []
        self._poll_generation = 0
        self.state = ConnectionState("HTTP session")
        self.last_seen = time.monotonic()
        self.active_requests = 0

    # -- the session's Transport ------------------------------------------------------------------
    def bind(self, session: Session) -> "HttpChannel":
        with self._lock:
            self.session = session
            self.state.what = f"HTTP session {session.id}"
            self.state.to(LinkState.OPEN)
        return self

    def notify(self) -> None:
        self._wake()

    def pending_bytes(self) -> int:
        """Batches not acknowledged by a poll yet (the outbox is the session's to count)."""
        return self._batches.nbytes

    def close(self) -> None:
        with self._lock:
            if self.state.now is LinkState.OPEN:  # GONE already: the server forgot it first
                self.state.to(LinkState.ENDED)
        self._wake()

    def forget(self) -> None:
        """The server drops this session (the page left, it expired, its grace time is over)."""
        with self._lock:
            if self.state.now is not LinkState.GONE:
                self.state.to(LinkState.GONE)

    @property
    def ended(self) -> bool:
        """The session closed: polls answer ``"closed": true`` after its last batches."""
        return self.state.now.over

    def _wake(self) -> None:
        with self._lock:
            waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            waiter()

    # -- requests ---------------------------------------------------------------------------------
    def touch(self, delta: int) -> None:
        """A request starts (+1) or ends (-1): the page is alive."""
        with self._lock:
            self.active_requests += delta
            self.last_seen = time.monotonic()

    def new_poll(self) -> int:
        """A new poll supersedes any older one still waiting (the page gave up on it)."""
        with self._lock:
            self._poll_generation += 1
            generation = self._poll_generation
            waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            waiter()
        return generation

    def take(self, ack: int, generation: int, waiter: Callable[[], None] | None
             ) -> HttpResponse | None:
        """The reply to a poll, or None after registering ``waiter`` for the next command."""
        with self._lock:
            self._batches.ack(ack)
            frame = self.session.take_frame() if self.session is not None else None
            if frame is not None:
                self._batches.add(frame)
            if len(self._batches) or self.ended or generation != self._poll_generation \
                    or waiter is None:
                return self._reply()
            self._waiters.append(waiter)
            return None

    def _reply(self) -> HttpResponse:
        batches = ",".join(f"[{number},{frame}]" for number, frame in self._batches)
        closed = "true" if self.ended else "false"
        return HttpResponse.json(200, f'{{"batches":[{batches}],"closed":{closed}}}')

    def push(self, seq: int, events: list[dict]) -> HttpResponse:
        """Apply the events not applied yet (a retried POST repeats some); answer the count."""
        with self._events_lock:
            if seq > self._next_event:
                return HttpResponse.json(409, json.dumps({
                    "error": f"events from {self._next_event} on are missing",
                    "ack": self._next_event}))
            fresh = events[self._next_event - seq:]
            self._next_event += len(fresh)
            for event in fresh:
                if event["event"] == "ack":
                    continue  # a WebSocket page's acknowledgement; polls acknowledge here
                try:
                    self.session.receive(event)
                except Exception:
                    logger.exception("session %s: error while handling %r", self.session.id,
                                     event.get("event"))
            return HttpResponse.json(200, json.dumps({"ack": self._next_event}))


class Poll:
    """A poll that found nothing to send yet: wait for commands, at most ``POLL_SECONDS``."""

    def __init__(self, channel: HttpChannel, ack: int, seconds: float) -> None:
        self.channel = channel
        self.ack = ack
        self.seconds = seconds
        self.generation = channel.new_poll()
        self.headers: dict[str, str] = {}  # added to the reply (CORS)

    def wait(self) -> HttpResponse:
        """Block this (WSGI) thread until there is something to answer."""
        return self._with_headers(self._wait())

    async def wait_async(self) -> HttpResponse:
        """Wait on the running event loop (tornado_http)."""
        return self._with_headers(await self._wait_async())

    def _with_headers(self, reply: HttpResponse) -> HttpResponse:
        reply.headers.update(self.headers)
        return reply

    def _wait(self) -> HttpResponse:
        deadline = time.monotonic() + self.seconds
        try:
            while True:
                woken = threading.Event()
                reply = self.channel.take(self.ack, self.generation, woken.set)
                if reply is not None:
                    return reply
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not woken.wait(remaining):
                    return self.channel.take(self.ack, self.generation, None)
        finally:
            self.channel.touch(-1)

    async def _wait_async(self) -> HttpResponse:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.seconds
        try:
            while True:
                woken = loop.create_future()

                def wake(future: asyncio.Future = woken) -> None:
                    loop.call_soon_threadsafe(
                        lambda: future.done() or future.set_result(None))

                reply = self.channel.take(self.ack, self.generation, wake)
                if reply is not None:
                    return reply
                try:
                    await asyncio.wait_for(woken, max(0.0, deadline - loop.time()))
                except asyncio.TimeoutError:
                    return self.channel.take(self.ack, self.generation, None)
        finally:
            self.channel.touch(-1)


class HttpSessions:
    """Every HTTP session of one view (or server): the page, the front end and the API."""

    def __init__(self, options: HandlerOptions, *, backend: str,
                 session_expire_seconds: float | None = None,
                 session_cleanup_interval: float | None = None,
                 serve_front_end: bool = False, poll_seconds: float = POLL_SECONDS) -> None:
        self.options = options
        self.backend = backend
        self.expire_seconds = session_expire_seconds or DEFAULT_EXPIRE_SECONDS
        self.cleanup_interval = session_cleanup_interval or DEFAULT_CLEANUP_INTERVAL
        # The view serves our front end at its own URL (``?_webio_static=``). True: this server
        # hosts it even with cdn=False (start_server, wsgi_app: "this server" either way); a view
        # added to the user's own app (webio_view) leaves cdn=False files to the user.
        options.embedded = True
        if serve_front_end and options.cdn is False:
            options.cdn = True
        self.poll_seconds = poll_seconds
        self._channels: dict[str, HttpChannel] = {}
        self._lock = threading.Lock()
        self._sweeper: threading.Thread | None = None

    # -- entry point ------------------------------------------------------------------------------
    def handle(self, request: HttpRequest, options: HandlerOptions | None = None
               ) -> HttpResponse | Poll:
        """Answer a request to the view's URL (``options``: the apps of this URL, path_deploy)."""
        options = options or self.options
        refusal = host_refusal(request.host, options)
        if refusal is not None:  # DNS rebinding (connect.accepted_hosts)
            logger.warning("refused an HTTP request: %s", refusal)
            return HttpResponse.error(403, refusal)
        origin = request.headers.get("Origin") or ""
        if not origin_allowed(origin, request.host, options):
            logger.warning("refused an HTTP request from origin %s (host %s)",
                           protocol.clip(origin), protocol.clip(request.host))
            return HttpResponse.error(403, f"origin {protocol.clip(origin)} is not allowed")
        response = self._route(request, options)
        if origin:
            response.headers.update(cors_headers(origin))
        return response

    def _route(self, request: HttpRequest, options: HandlerOptions) -> HttpResponse | Poll:
        if request.method == "OPTIONS":
            return HttpResponse(204, headers={
                "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                "Access-Control-Allow-Headers": ", ".join(
                    (SESSION_HEADER, ACK_HEADER, SEQ_HEADER, CLOSE_HEADER, "Content-Type")),
                "Access-Control-Max-Age": "600"})
        session_id = request.headers.get(SESSION_HEADER)
        if not session_id:
            if request.method != "GET":
                return HttpResponse.error(400, f"an API request needs a {SESSION_HEADER} header")
            return self._page(request, options)
        if session_id == "new":
            if request.method != "POST":
                return HttpResponse.error(405, "sessions are started with POST")
            return self._start(request, options)
        with self._lock:
            channel = self._channels.get(session_id)
        if channel is None:
            return HttpResponse.error(410, "no such session: it ended or expired")
        channel.touch(+1)
        try:
            if request.method == "GET":
                poll = self._poll(request, channel)
                if isinstance(poll, Poll):
                    channel.touch(+1)  # the poll's wait ends it
                return poll
            if request.method == "POST":
                return self._post(request, channel, options)
            return HttpResponse.error(405, f"method {request.method} is not used here")
        finally:
            channel.touch(-1)

    # -- page and front end -----------------------------------------------------------------------
    def _page(self, request: HttpRequest, options: HandlerOptions) -> HttpResponse:
        """The page (``transport: http``), a front-end file or the unknown-app page."""
        return HttpResponse(*page_response(options, request.path, request.query, "http"))

    # -- API --------------------------------------------------------------------------------------
    def _start(self, request: HttpRequest, options: HandlerOptions) -> HttpResponse:
        name = request.query.get("app") or "index"
        if name not in options.apps:
            return HttpResponse.error(404, f"no app named {protocol.clip(name)}")
        channel = HttpChannel()
        info = session_info(request.headers, host=request.host, user_ip=request.remote_ip,
                            backend=self.backend, protocol="http", request=request.native)
        try:
            session = open_session(options, name, info, channel.bind)
        except RuntimeError as exc:  # e.g. an async app without run_event_loop()
            logger.error("can not start app %s: %s", protocol.clip(name), exc)
            return HttpResponse.error(500, str(exc))
        if session is None:
            return HttpResponse.error(409, "this page can not be served here")
        with self._lock:
            self._channels[channel.token] = channel
            if self._sweeper is None:
                self._sweeper = threading.Thread(target=self._sweep_while_busy, daemon=True,
                                                 name=f"webio-http-sweep-{self.backend}")
                self._sweeper.start()
        return HttpResponse.json(200, json.dumps({"session": channel.token}))

    def _poll(self, request: HttpRequest, channel: HttpChannel) -> HttpResponse | Poll:
        try:
            ack = int(request.headers.get(ACK_HEADER) or 0)
        except ValueError:
            return HttpResponse.error(400, f"{ACK_HEADER} must be a batch number")
        return Poll(channel, ack, self.poll_seconds)

    def _post(self, request: HttpRequest, channel: HttpChannel,
              options: HandlerOptions) -> HttpResponse:
        if request.headers.get(CLOSE_HEADER):
            self._forget(channel)
            if channel.session is not None:
                channel.session.close(from_page=True)
            return HttpResponse(204)
        try:
            seq = int(request.headers.get(SEQ_HEADER) or "")
            if seq < 0:
                raise ValueError
        except ValueError:
            return HttpResponse.error(400, f"{SEQ_HEADER} must be the number of the first event")
        limit = options.max_message_size
        if limit is not None and len(request.body) > limit:
            return HttpResponse.error(413, f"{len(request.body)} bytes is over the limit of "
                                           f"{limit}")
        try:
            events = protocol.parse_events(request.body)
        except protocol.ProtocolError as exc:
            if channel.session is not None:
                channel.session.warn("refused events: %s", exc)
            return HttpResponse.error(400, str(exc))
        return channel.push(seq, events)

    # -- expiry -----------------------------------------------------------------------------------
    def _forget(self, channel: HttpChannel) -> None:
        with self._lock:
            self._channels.pop(channel.token, None)
        channel.forget()

    def sweep(self) -> None:
        """Close sessions whose page went quiet; drop ended ones whose last reply is old."""
        now = time.monotonic()
        with self._lock:
            channels = list(self._channels.values())
        for channel in channels:
            if channel.active_requests > 0:
                continue
            idle = now - channel.last_seen
            if channel.state.now is LinkState.ENDED \
                    and idle > min(CLOSED_GRACE_SECONDS, self.expire_seconds):
                self._forget(channel)
            elif idle > self.expire_seconds:
                self._forget(channel)
                logger.info("session %s expired after %.0f s without requests",
                            getattr(channel.session, "id", "?"), idle)
                if channel.session is not None:
                    channel.session.close()

    def _sweep_while_busy(self) -> None:
        """The sweeper thread: runs while there are sessions, then ends (a new one restarts it)."""
        while True:
            time.sleep(self.cleanup_interval)
            self.sweep()
            with self._lock:
                if not self._channels:
                    self._sweeper = None
                    return

    def close_all(self) -> None:
        """Close every session (server shutdown)."""
        with self._lock:
            channels, self._channels = list(self._channels.values()), {}
        for channel in channels:
            channel.forget()
            if channel.session is not None:
                channel.session.close()


def cors_headers(origin: str) -> dict[str, str]:
    """Sent with every answer to a page (the origin was checked before)."""
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
