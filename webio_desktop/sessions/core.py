"""The session core: everything a session is, shared by thread and coroutine sessions.

A session owns an outbox of commands for its page, the interactions waiting for an answer
("flows"), the registered callbacks, the deferred calls and the close state. Subclasses only decide
how a task waits (block a thread or await a future) and where user code runs.

Interactions are written once, as *flows*: generators that send their commands, then receive the
page's events with ``event = yield`` until they ``return`` a result. ``run_flow`` drives a flow
synchronously (thread sessions) or returns an awaitable (coroutine sessions).
"""
from __future__ import annotations

import contextlib
import functools
import itertools
import logging
import secrets
import sys
import threading
import time
import traceback
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Callable, Generator, Iterator, Protocol

from .. import protocol
from ..exceptions import (SessionClosedException, SessionException, SessionNotFoundException,
                          require)
from .host import current_host
from .outbox import Outbox

logger = logging.getLogger("webio_desktop.session")

Flow = Generator[None, dict, Any]
FlowFactory = Callable[[str], Flow]


class Transport(Protocol):
    """What a session needs from the connection that carries it."""

    def notify(self) -> None:
        """Thread-safe: the outbox has commands; take them with ``session.take_frame()`` soon."""

    def close(self) -> None:
        """Thread-safe: send what is left in the outbox, then end the connection."""

    def pending_bytes(self) -> int:
        """Thread-safe, cheap: bytes of output the transport holds for the page (frames not
        acknowledged, a socket's write buffer); the session adds its outbox."""


@dataclass
class TaskContext:
    """One task of a session (the app, a callback, a registered thread, a coroutine)."""

    session: "Session"
    task_id: str
    scopes: list[str] = field(default_factory=lambda: ["ROOT"])


_current_task: ContextVar[TaskContext | None] = ContextVar("webio_task", default=None)

def current_task() -> TaskContext:
    """The calling task, or SessionNotFoundException (SessionClosedException in script mode).

    Outside any task the installed host decides (``host.py``: script mode, the launcher)."""
    ctx = _current_task.get()
    if ctx is None:
        ctx = current_host().context_for_thread()
    if ctx.session.closed:
        raise ctx.session.closed_error("the session has ended")
    return ctx


def is_introspection(name: str) -> bool:
    """Whether reading attribute ``name`` of an API proxy (``pin``, ``session.local``,
    ``session.info``) is a tool looking at the object, not an app using it.

    Dunder names always are; ``_``-names are when no task is bound to the caller (pytest's
    collector reads ``_mock_name`` of a test module's globals, for instance). Answering those with
    AttributeError keeps a mere import or test collection from starting script mode.
    """
    return name.startswith("__") or (name.startswith("_") and _current_task.get() is None)


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
    """Per-session namespace (``session.local``). Attributes: missing names read as None, names
    starting with '_' are reserved. Items (``local[key]``) behave like the underlying dict: any
    hashable key, KeyError when missing (as PyWebIO's)."""

    def __init__(self) -> None:
        object.__setattr__(self, "_dict", {})

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._dict.get(name)

    def __setattr__(self, name: str, value: Any) -> None:
        require(not name.startswith("_"), "session.local: names starting with '_' are reserved")
        self._dict[name] = value

    def __delattr__(self, name: str) -> None:
        self._dict.pop(name, None)

    def __getitem__(self, key: Any) -> Any:
        return self._dict[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        self._dict[key] = value

    def __delitem__(self, key: Any) -> None:
        del self._dict[key]

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
        if not self.done:
            self.session.note_waiting()  # its commands are queued: the page must answer now

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
    # Bytes of output the page may leave untaken (docs/limits.md); None: no limit.
    max_pending: int | None = None
    tasks_may_block = False  # a task waits in send() for the page (thread sessions)
    # Warnings about what the page sent (warn()): at most this many per session and minute.
    warnings_per_minute = 10

    def __init__(self, app: Callable, info: SessionInfo | None = None, *, debug: bool = False,
                 on_close: Callable[["Session"], None] | None = None) -> None:
        self.id = secrets.token_urlsafe(12)
        self.app = app
        self.info = info or SessionInfo()
        self.local = SessionLocal()
        self.debug = debug
        self._on_close = on_close
        self._lock = threading.Lock()
        self._outbox = Outbox()
        self._notified = False
        self._transport: Transport | None = None
        self._closed = threading.Event()
        self._done = threading.Event()  # closed, and the defer_call functions have run
        self._ids = itertools.count(1)
        self._flows: dict[str, Any] = {}  # flow id -> channel the page's answers go to
        self._callbacks: dict[str, Callback] = {}
        self._deferred: list[Callable[[], Any]] = []
        # Pin widgets (webio_desktop.pin): the newest item of each name (it converts the page's
        # raw values), the flows waiting for a change (flow id -> names) and on-change callbacks.
        self.pins: dict[str, Any] = {}
        self.pin_waiters: dict[str, set[str]] = {}
        self.pin_callbacks: dict[str, list[str]] = {}
        # Set once the app first waits for the page (a form, eval_js), returns, or the session
        # closes: what it showed until then is its first screen (server/prerender.py).
        self._waiting = False
        self._waiting_hooks: list[Callable[[], None]] = []
        self._warned = [0.0, 0, 0]  # window start, warnings logged in it, warnings suppressed

    # -- state ----------------------------------------------------------------------------------
    @property
    def closed(self) -> "CallableBool":
        """Whether the session has ended: ``session.closed`` here, ``session.closed()`` in
        PyWebIO programs (its sessions have a method); both spellings work."""
        return CallableBool(self._closed.is_set())

    def wait_done(self, timeout: float | None = None) -> bool:
        """Wait until the session has closed and its ``defer_call`` functions have run (they
        may block, so they run after ``close()`` returns); False if ``timeout`` s passed first.
        Shutdown waits on this, never on threads by name."""
        return self._done.wait(timeout)

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids)}"

    # -- to the page ----------------------------------------------------------------------------
    def send(self, command: dict) -> None:
        """Queue a command for the page; commands are flushed in batches, in order.

        With ``max_pending`` set, a session whose page has not taken that many bytes of output
        makes the sender wait (a task of a thread session) or is closed (anything that can not
        block: a coroutine, the server's loop) -- see :meth:`_over_limit`.
        """
        over = self.max_pending is not None and self.pending_bytes() > self.max_pending
        with self._lock:
            if self._closed.is_set():
                return
            self._outbox.append(command)
            notify = not self._notified and self._transport is not None
            if notify:
                self._notified = True
                transport = self._transport
        if notify:
            transport.notify()
        if self.max_pending is not None and (over or self.pending_bytes() > self.max_pending):
            self._over_limit(over)

    def pending_bytes(self) -> int:
        """Output the page has not taken: the encoded part of the outbox and what the transport
        holds (frames not acknowledged, the socket's write buffer). Cheap and approximate: the
        last CHUNK commands of the outbox are not counted."""
        transport = self._transport
        held = transport.pending_bytes() if transport is not None else 0
        return self._outbox.nbytes + held

    def _over_limit(self, before: bool) -> None:
        """More than ``max_pending`` bytes wait for the page. A task of a thread session waits
        here until the page takes output (or the session closes); a caller that must not block
        (a coroutine on the loop, the transport) closes the session when it was already over
        the limit before this command (so one command larger than the limit still goes)."""
        ctx = _current_task.get()
        if self.tasks_may_block and ctx is not None and ctx.session is self:
            while not self._closed.is_set() and self.pending_bytes() > self.max_pending:
                self._closed.wait(0.05)
            return
        if before and not self.closed:
            logger.warning("session %s: closed: %d bytes of output wait for a page that is not "
                           "taking them (max_pending_output is %d)", self.id,
                           self.pending_bytes(), self.max_pending)
            self.close()

    def take_outbox(self) -> list[dict]:
        """For a transport in this process: everything queued since the last call, as
        command objects (``take_frame`` gives the JSON text a network transport sends)."""
        with self._lock:
            box, self._outbox = self._outbox, Outbox()
            self._notified = False
        return box.commands()

    def take_frame(self) -> str | None:
        """For transports: everything queued since the last call as one frame's JSON text
        (None: nothing)."""
        with self._lock:
            box, self._outbox = self._outbox, Outbox()
            self._notified = False
        return box.frame() if box else None

    def attach(self, transport: Transport) -> None:
        """Connect the page's transport; queued commands are delivered at once."""
        with self._lock:
            self._transport = transport
            pending = bool(self._outbox)
            self._notified = pending
        if pending:
            transport.notify()

    def note_waiting(self) -> None:
        """The app waits for the page (or has nothing more to show by itself): run the hooks of
        :meth:`on_first_wait`, once."""
        with self._lock:
            if self._waiting:
                return
            self._waiting = True
            hooks, self._waiting_hooks = self._waiting_hooks, []
        for hook in hooks:
            hook()

    def on_first_wait(self, hook: Callable[[], None]) -> None:
        """Call ``hook`` (from any thread) when the app first waits for the page, returns or
        the session closes; at once if that already happened."""
        with self._lock:
            if not self._waiting:
                self._waiting_hooks.append(hook)
                return
        hook()

    # -- from the page --------------------------------------------------------------------------
    def receive(self, event: dict) -> None:
        """Route a validated event (see protocol.parse_event). Called on the transport's thread."""
        if self.closed:
            return
        if event["event"] == "callback":
            callback = self._callbacks.get(event["id"])
            if callback is None:
                self.warn("unknown callback id %s", protocol.clip(event["id"]))
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
            logger.debug("session %s: event for finished interaction %s", self.id,
                         protocol.clip(flow_id))
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
                self.notify_flow(flow_id, protocol.pin_change_event(flow_id, name, value))
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
        try:
            for func in deferred:
                try:
                    func()
                except Exception:
                    logger.exception("session %s: error in a defer_call function", self.id)
        finally:
            if self.closed:
                self._done.set()

    # -- the lifetime of user code: one rule for every kind of session ---------------------------
    @contextlib.contextmanager
    def user_code(self) -> Iterator[None]:
        """Run user code (the app, a callback, a registered thread's body) in this block: an
        error is reported to the user and the log (``report_error``), a session exception
        (the page went away) just ends the block; the task goes on either way."""
        try:
            yield
        except Exception as exc:
            self.report_error(exc)

    def after_app(self) -> Iterator[Callable[[], Any]]:
        """What the app's task does once the app function has returned, as waits.

        The caller performs each wait it is given (a thread blocks, a coroutine awaits), in
        order: first the app's other tasks (``wait_tasks``: registered threads, coroutine
        tasks, a script's page), then, while callbacks may still fire, the session's close
        (``wait_closed``). When the loop ends, the session is closed.
        """
        self.note_waiting()
        yield self.wait_tasks
        if self.has_callbacks and not self.closed:
            yield self.wait_closed
        self.close()

    # -- errors ---------------------------------------------------------------------------------
    def warn(self, message: str, *args: Any) -> None:
        """Log a warning about what the page sent (``message % args``, values already clipped
        with ``protocol.clip``), at most ``warnings_per_minute`` per session and minute: a page
        sending 10,000 bad events makes a few lines, and the next minute's first line says how
        many were left out."""
        now = time.monotonic()
        with self._lock:
            start, logged, suppressed = self._warned
            if now - start >= 60:
                start, logged, suppressed = now, 0, suppressed
                if suppressed:
                    logger.warning("session %s: %d more warnings were not logged", self.id,
                                   suppressed)
                    suppressed = 0
            if logged < self.warnings_per_minute:
                logged += 1
                logger.warning("session %s: " + message, self.id, *args)
                if logged == self.warnings_per_minute:
                    logger.warning("session %s: no more warnings this minute", self.id)
            else:
                suppressed += 1
            self._warned = [start, logged, suppressed]

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
        self.note_waiting()
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

    def wait_tasks(self) -> Any:
        """Wait (thread) or return an awaitable (coroutine) for the app's other tasks."""
        raise NotImplementedError

    def wait_closed(self) -> Any:
        """Wait (thread) or return an awaitable (coroutine) until the session has closed."""
        raise NotImplementedError

    def after_close(self) -> None:
        """Run deferred calls and release the session's threads or tasks."""
        self.run_deferred()

    # -- PyWebIO's session object API (what programs call on get_current_session()) -------------
    def defer_call(self, func: Callable[[], Any]) -> Callable[[], Any]:
        """PyWebIO's name of :meth:`defer`."""
        self.defer(func)
        return func

    @property
    def save(self) -> dict:
        """PyWebIO's name of the dict behind ``session.local``."""
        return self.local._dict

    def on_task_exception(self) -> None:
        """Report the exception being handled (call it in an ``except`` block), as PyWebIO's."""
        exc = sys.exc_info()[1]
        if exc is not None:
            self.report_error(exc)


class CallableBool(int):
    """A bool that can also be called: ``session.closed`` is read as an attribute by our code
    and called as a method (``closed()``) by PyWebIO programs."""

    def __call__(self) -> bool:
        return bool(self)

    def __repr__(self) -> str:
        return repr(bool(self))

    __str__ = __repr__
