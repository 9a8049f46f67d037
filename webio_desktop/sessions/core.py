"""The session core: everything a session is, shared by thread and coroutine sessions.

A session owns an outbox of commands for its page, the interactions waiting for an answer
("flows"), the registered callbacks, the deferred calls and the close state. Subclasses only decide
how a task waits (block a thread or await a future) and where user code runs.

Interactions are written once, as *flows*: generators that send their commands, then receive the
page's events with ``event = yield`` until they ``return`` a result. ``run_flow`` drives a flow
synchronously (thread sessions) or returns an awaitable (coroutine sessions).
"""
from __future__ import annotations

import functools
import itertools
import logging
import secrets
import threading
import traceback
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Callable, Generator, Protocol

from .. import protocol
from ..exceptions import SessionClosedException, SessionException, SessionNotFoundException

logger = logging.getLogger("webio_desktop.session")

Flow = Generator[None, dict, Any]
FlowFactory = Callable[[str], Flow]


class Transport(Protocol):
    """What a session needs from the connection that carries it."""

    def notify(self) -> None:
        """Thread-safe: the outbox has commands; take them with ``session.take_outbox()`` soon."""

    def close(self) -> None:
        """Thread-safe: send what is left in the outbox, then end the connection."""


@dataclass
class TaskContext:
    """One task of a session (the app, a callback, a registered thread, a coroutine)."""

    session: "Session"
    task_id: str
    scopes: list[str] = field(default_factory=lambda: ["ROOT"])


_current_task: ContextVar[TaskContext | None] = ContextVar("webio_task", default=None)

# Called when code outside any task touches the API; script mode installs itself here.
# It returns a TaskContext or raises SessionNotFoundException.
_fallback: Callable[[], TaskContext] | None = None


def set_fallback(provider: Callable[[], TaskContext] | None) -> None:
    global _fallback
    _fallback = provider


def current_task() -> TaskContext:
    """The calling task, or SessionNotFoundException (SessionClosedException in script mode)."""
    ctx = _current_task.get()
    if ctx is None:
        if _fallback is None:
            raise SessionNotFoundException("no session: call this from a webio app or callback")
        ctx = _fallback()
    if ctx.session.closed:
        raise ctx.session.closed_error("the session has ended")
    return ctx


def enter_task(ctx: TaskContext) -> None:
    """Bind the calling thread (or asyncio task) to ``ctx``."""
    _current_task.set(ctx)


class SessionInfo:
    """Facts about the page's request (``session.info``); read-only for apps."""

    def __init__(self, *, user_agent: str = "", user_language: str = "", server_host: str = "",
                 origin: str = "", user_ip: str = "", backend: str = "", protocol: str = "",
                 request: Any = None) -> None:
        self._user_agent_string = user_agent or ""
        self.user_language = user_language
        self.server_host = server_host
        self.origin = origin
        self.user_ip = user_ip
        self.backend = backend
        self.protocol = protocol
        self.request = request

    @functools.cached_property
    def user_agent(self) -> Any:
        """The parsed User-Agent (``is_mobile``, ``browser.family``, ``os.family``...).

        Parsed on first use: the parser's first call compiles hundreds of patterns, and most
        apps never look, so sessions should not pay for it when they start.
        """
        from user_agents import parse

        return parse(self._user_agent_string)

    def __repr__(self) -> str:
        return f"<SessionInfo {self.backend}/{self.protocol} {self.user_ip}>"


class SessionLocal:
    """Per-session attribute namespace (``session.local``): missing names read as None."""

    def __init__(self) -> None:
        object.__setattr__(self, "_dict", {})

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._dict.get(name)

    def __setattr__(self, name: str, value: Any) -> None:
        assert not name.startswith("_"), "names starting with '_' are reserved"
        self._dict[name] = value

    def __delattr__(self, name: str) -> None:
        self._dict.pop(name, None)

    __getitem__ = __getattr__
    __setitem__ = __setattr__
    __delitem__ = __delattr__

    def __contains__(self, name: str) -> bool:
        return name in self._dict

    def __iter__(self):
        return iter(self._dict)

    def __len__(self) -> int:
        return len(self._dict)

    def __repr__(self) -> str:
        return f"<local {self._dict!r}>"


@dataclass
class Callback:
    func: Callable[[Any], Any]
    serial: bool = False


class FlowRun:
    """One running flow: registered under its own id, advanced one page event at a time.

    Sessions differ only in how they wait for the next event on ``channel``; everything else
    about driving a flow lives here.
    """

    def __init__(self, session: "Session", make_flow: FlowFactory, channel: Any) -> None:
        self.session = session
        self.channel = channel
        self.id = session.new_id("f")
        self.done = False
        self.result: Any = None
        session._flows[self.id] = channel
        self._flow = make_flow(self.id)

    def start(self) -> None:
        """Send the flow's first commands (a closed session fails here, before any wait)."""
        self._check_open()
        self._advance(None)

    def feed(self, event: dict | None) -> None:
        """Hand the flow the page's next event; ``None`` means the session closed."""
        if event is None:
            raise SessionClosedException("the page was closed")
        self._advance(event)

    def finish(self) -> None:
        self.session._flows.pop(self.id, None)
        self._flow.close()

    def _check_open(self) -> None:
        # Registered before this check, so a close from now on also wakes the channel.
        if self.session.closed:
            raise SessionClosedException("the page was closed")

    def _advance(self, event: dict | None) -> None:
        try:
            self._flow.send(event)
        except StopIteration as stop:
            self.done, self.result = True, stop.value


class Session:
    """State and bookkeeping common to every kind of session."""

    closed_error: type[SessionException] = SessionNotFoundException
    kind = "base"
    max_message_size: int | None = None  # the transport's limit for one message from the page

    def __init__(self, app: Callable, info: SessionInfo | None = None, *, debug: bool = False,
                 on_close: Callable[["Session"], None] | None = None) -> None:
        self.id = secrets.token_urlsafe(12)
        self.app = app
        self.info = info or SessionInfo()
        self.local = SessionLocal()
        self.debug = debug
        self._on_close = on_close
        self._lock = threading.Lock()
        self._outbox: list[dict] = []
        self._notified = False
        self._transport: Transport | None = None
        self._closed = threading.Event()
        self._ids = itertools.count(1)
        self._flows: dict[str, Any] = {}  # flow id -> channel the page's answers go to
        self._callbacks: dict[str, Callback] = {}
        self._deferred: list[Callable[[], Any]] = []
        # Pin widgets (webio_desktop.pin): the newest item of each name (it converts the page's
        # raw values), the flows waiting for a change (flow id -> names) and on-change callbacks.
        self.pins: dict[str, Any] = {}
        self.pin_waiters: dict[str, set[str]] = {}
        self.pin_callbacks: dict[str, list[str]] = {}

    # -- state ----------------------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids)}"

    # -- to the page ----------------------------------------------------------------------------
    def send(self, command: dict) -> None:
        """Queue a command for the page; commands are flushed in batches, in order."""
        with self._lock:
            if self._closed.is_set():
                return
            self._outbox.append(command)
            if self._notified or self._transport is None:
                return
            self._notified = True
            transport = self._transport
        transport.notify()

    def take_outbox(self) -> list[dict]:
        """For transports: everything queued since the last call, as one frame."""
        with self._lock:
            commands, self._outbox = self._outbox, []
            self._notified = False
        return commands

    def attach(self, transport: Transport) -> None:
        """Connect the page's transport; queued commands are delivered at once."""
        with self._lock:
            self._transport = transport
            pending = bool(self._outbox)
            self._notified = pending
        if pending:
            transport.notify()

    # -- from the page --------------------------------------------------------------------------
    def receive(self, event: dict) -> None:
        """Route a validated event (see protocol.parse_event). Called on the transport's thread."""
        if self.closed:
            return
        if event["event"] == "callback":
            callback = self._callbacks.get(event["id"])
            if callback is None:
                logger.warning("session %s: unknown callback id %r", self.id, event["id"])
                return
            self.dispatch_callback(callback, event["data"])
            return
        if event["event"] == "pin_change":
            self._pin_changed(event["name"], event["value"])
            return
        self.notify_flow(event["task"], event)

    def notify_flow(self, flow_id: str, event: dict) -> None:
        """Thread-safe: hand ``event`` to the waiting flow ``flow_id`` (gone: ignored)."""
        channel = self._flows.get(flow_id)
        if channel is None:
            logger.debug("session %s: event for finished interaction %r", self.id, flow_id)
            return
        self.deliver(channel, event)

    # -- pin widgets ----------------------------------------------------------------------------
    def pin_value(self, name: str, raw: Any) -> Any:
        """The Python value of pin widget ``name`` for the page's raw value (None if unknown)."""
        item = self.pins.get(name)
        if item is None or raw is None:
            return None
        try:
            return item.convert(raw)
        except ValueError:
            return None  # e.g. "abc" in a number field: there is no number yet

    def _pin_changed(self, name: str, raw: Any) -> None:
        """A user edit: wake the pin_wait_change flows for ``name``, run its callbacks."""
        value = self.pin_value(name, raw)
        for flow_id, names in list(self.pin_waiters.items()):
            if name in names:
                self.notify_flow(flow_id, {"event": "pin_change", "task": flow_id,
                                           "name": name, "value": value})
        for callback_id in self.pin_callbacks.get(name, ()):
            callback = self._callbacks.get(callback_id)
            if callback is not None:
                self.dispatch_callback(callback, value)

    # -- callbacks ------------------------------------------------------------------------------
    def register_callback(self, func: Callable[[Any], Any], *, serial: bool = False) -> str:
        callback_id = self.new_id("cb")
        self._callbacks[callback_id] = Callback(func, serial)
        return callback_id

    @property
    def has_callbacks(self) -> bool:
        return bool(self._callbacks)

    def defer(self, func: Callable[[], Any]) -> None:
        self._deferred.append(func)

    def run_deferred(self) -> None:
        """Run the defer_call functions once, in registration order; errors are logged."""
        deferred, self._deferred = self._deferred, []
        for func in deferred:
            try:
                func()
            except Exception:
                logger.exception("session %s: error in a defer_call function", self.id)

    # -- errors ---------------------------------------------------------------------------------
    def report_error(self, exc: BaseException) -> None:
        """Log an exception from user code and tell the user, without ending the session."""
        if isinstance(exc, SessionException):
            return
        logger.error("session %s: error in app code", self.id,
                     exc_info=(type(exc), exc, exc.__traceback__))
        if self.debug:
            from ..render import highlight_code  # markdown/pygments load only when needed

            text = "".join(traceback.format_exception(exc)).rstrip()
            code = {"type": "html", "kind": "code", "content": highlight_code(text, "pytb")}
            self.send(protocol.popup("Error in the application", [code], "large", True, True,
                                     self.new_id("popup")))
        else:
            self.send(protocol.toast("An internal error occurred in the application.",
                                     3000, "center", "#e53935", None))

    # -- close ----------------------------------------------------------------------------------
    def close(self, *, from_page: bool = False) -> None:
        """End the session (idempotent, any thread): wake waiters, run deferred calls, hang up."""
        with self._lock:
            if self._closed.is_set():
                return
            if not from_page:
                self._outbox.append(protocol.close())
            self._closed.set()
            transport = self._transport
            flows = list(self._flows.values())
        for channel in flows:
            self.deliver(channel, None)  # None = "session closed"
        if transport is not None:
            transport.close()
        self.after_close()
        if self._on_close is not None:
            self._on_close(self)

    # -- what subclasses provide ----------------------------------------------------------------
    def start(self) -> None:
        raise NotImplementedError

    def run_flow(self, make_flow: FlowFactory) -> Any:
        """Drive a flow to its result (thread) or return an awaitable of it (coroutine)."""
        raise NotImplementedError

    def deliver(self, channel: Any, event: dict | None) -> None:
        """Hand an event (None: session closed) to a waiting flow's channel."""
        raise NotImplementedError

    def dispatch_callback(self, callback: Callback, data: Any) -> None:
        raise NotImplementedError

    def register_thread(self, thread: threading.Thread) -> None:
        raise RuntimeError("register_thread() is only available in thread-based sessions")

    def run_async(self, coro: Any) -> Any:
        raise RuntimeError("run_async() is only available in coroutine-based sessions "
                           "(an async def app served by start_server), not in thread-based "
                           "sessions or script mode")

    def hold(self) -> Any:
        raise NotImplementedError

    def after_close(self) -> None:
        """Run deferred calls and release the session's threads or tasks."""
        self.run_deferred()
