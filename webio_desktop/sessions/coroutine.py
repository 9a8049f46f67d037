"""Coroutine-based sessions: ``async def`` apps run as asyncio tasks on the server's loop.

Waiting calls (inputs, ``eval_js``, pin reads, ``hold``) return ordinary asyncio awaitables, so
they work with ``await`` and with asyncio's own tools (``gather``, ``wait_for``, ``shield``,
``create_task``, ``TaskGroup``). Every task started in a session's context belongs to the session
and is cancelled when it closes.
"""
from __future__ import annotations

import asyncio
import collections.abc
import contextvars
import inspect
import logging
import os
import sys
import threading
import time
import warnings
import weakref
from typing import Any, Callable, Coroutine

from .core import (Callback, FlowFactory, FlowRun, Session, TaskContext, _current_task,
                   enter_task)

logger = logging.getLogger("webio_desktop.session")

_PACKAGE = __name__.split(".")[0]


def _in_package(frame: Any) -> bool:
    # By module name, not file path: also right in frozen (PyInstaller) apps.
    module = frame.f_globals.get("__name__") or ""
    return module == _PACKAGE or module.startswith(_PACKAGE + ".")


def _caller() -> tuple[str, str, int]:
    """The API function the user called, and the file and line of that call.

    That is the outermost webio_desktop frame and the first frame outside the package.
    """
    frame = sys._getframe(1)
    name = ""
    while frame is not None and _in_package(frame):
        if not frame.f_code.co_name.startswith("_"):  # e.g. pin.x (a __getattr__): no name
            name = frame.f_code.co_name
        frame = frame.f_back
    what = f"{name}()" if name else "a webio call"
    if frame is None:
        return what, "<unknown>", 0
    return what, frame.f_code.co_filename, frame.f_lineno


class SessionAwaitable(collections.abc.Coroutine):
    """What a waiting call returns in a coroutine session: an ordinary coroutine object.

    Nothing happens until it is awaited (or wrapped in a task). Dropped without that, it warns
    with the file and line of the call, since a forgotten ``await`` would otherwise do nothing.
    """

    __slots__ = ("_start", "_coro", "_what", "_where")

    def __init__(self, start: Callable[[], Coroutine]) -> None:
        self._start: Callable[[], Coroutine] | None = start
        self._coro: Coroutine | None = None
        self._what, filename, lineno = _caller()
        self._where = (filename, lineno)

    def _inner(self) -> Coroutine:
        if self._coro is None:
            if self._start is None:
                raise RuntimeError(f"{self._what} was closed before it was awaited")
            self._coro, self._start = self._start(), None
        return self._coro

    def __await__(self):
        return self._inner().__await__()

    def send(self, value: Any) -> Any:
        return self._inner().send(value)

    def throw(self, *args: Any) -> Any:
        return self._inner().throw(*args)

    def close(self) -> None:
        if self._coro is not None:
            self._coro.close()
        self._start = None  # closed on purpose: no "never awaited" warning

    def __del__(self) -> None:
        if self._start is not None:
            filename, lineno = self._where
            warnings.warn_explicit(
                f"{self._what} was never awaited (called at {filename}:{lineno}): in a "
                f"coroutine-based session write `await` before the call",
                RuntimeWarning, filename, lineno, source=self)

    def __repr__(self) -> str:
        filename, lineno = self._where
        return f"<{self._what} awaitable from {os.path.basename(filename)}:{lineno}>"


class _Channel:
    """The page's events for one waiting flow: a list and a future to wake the waiter.

    asyncio.Queue would do, but it costs four deques and an Event per waiting call, and a
    waiting call is what most open sessions are doing.
    """

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: list[dict | None] = []
        self._waiter: asyncio.Future | None = None

    def put_nowait(self, item: dict | None) -> None:
        self._items.append(item)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def get(self) -> dict | None:
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.pop(0)


class TaskHandler:
    """A handle on a coroutine started with ``run_async``."""

    __slots__ = ("_task",)

    def __init__(self, task: asyncio.Task) -> None:
        self._task = task

    def close(self) -> None:
        """Stop the coroutine (cancel its task)."""
        loop = self._task.get_loop()
        if _running_loop() is loop:
            self._task.cancel()
        else:
            loop.call_soon_threadsafe(self._task.cancel)

    def closed(self) -> bool:
        """Whether the coroutine has finished (returned, raised or was closed)."""
        return self._task.done()

    def __repr__(self) -> str:
        return f"<TaskHandler {'closed' if self.closed() else 'running'}>"


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


# -- every task created in a session's context belongs to that session --------------------------

_tracked_loops: "weakref.WeakSet[asyncio.AbstractEventLoop]" = weakref.WeakSet()


def _track_session_tasks(loop: asyncio.AbstractEventLoop) -> None:
    """Install a task factory on ``loop`` (once, chained to any existing one).

    A task created inside a session (``asyncio.create_task``, ``gather``, ``TaskGroup``...) gets
    its own task context (its own scope stack) and is registered with the session, which cancels
    it when the session closes: no task outlives its page, and none is left pending.
    """
    if loop in _tracked_loops:
        return
    previous = loop.get_task_factory()

    def factory(loop: asyncio.AbstractEventLoop, coro: Coroutine, **kwargs: Any) -> asyncio.Task:
        context = kwargs.get("context")
        parent = (context.get(_current_task) if context is not None else _current_task.get())
        session = parent.session if parent is not None else None
        if isinstance(session, CoroutineSession) and context is None:
            context = contextvars.copy_context()
            context.run(enter_task, TaskContext(session, session.new_id("c"),
                                                list(parent.scopes)))
            kwargs["context"] = context
        if previous is None:
            task = asyncio.Task(coro, loop=loop, **kwargs)
        else:
            task = previous(loop, coro, **kwargs)
        if isinstance(session, CoroutineSession):
            session._adopt(task)
        return task

    loop.set_task_factory(factory)
    _tracked_loops.add(loop)


class CoroutineSession(Session):
    """All tasks of the session run on one asyncio loop: the one it was created on."""

    kind = "coroutine"

    def __init__(self, *args: Any, loop: asyncio.AbstractEventLoop | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The server's loop; integrations that create sessions on other threads pass theirs.
        self.loop = loop or asyncio.get_event_loop()
        _track_session_tasks(self.loop)
        self._tasks: set[asyncio.Task] = set()
        self._closed_future: asyncio.Future = self.loop.create_future()
        self._mutex: asyncio.Lock | None = None  # created with the first mutex_mode callback
        self._main: asyncio.Task | None = None
        self._cancelling = False

    # -- tasks ----------------------------------------------------------------------------------
    def start(self) -> None:
        if not self._on_loop_thread():  # a WSGI request thread (Flask, Django)
            self.loop.call_soon_threadsafe(self.start)
            return
        self._main = self._create_task(self._run_app())

    def _new_context(self) -> contextvars.Context:
        context = contextvars.copy_context()
        context.run(enter_task, TaskContext(self, self.new_id("c")))
        return context

    def _create_task(self, coro: Coroutine, context: contextvars.Context | None = None
                     ) -> asyncio.Task:
        task = self.loop.create_task(coro, context=context or self._new_context())
        self._adopt(task)  # the factory already did, unless someone replaced it
        task.add_done_callback(self._report)  # nobody awaits these: errors are ours to show
        return task

    def _adopt(self, task: asyncio.Task) -> None:
        if task in self._tasks:
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        if self._cancelling:  # created while the session is being torn down
            task.cancel()

    def _report(self, task: asyncio.Task) -> None:
        if not task.cancelled() and task.exception() is not None:
            self.report_error(task.exception())  # (a session exception is not reported)

    async def _run_app(self) -> None:
        with self.user_code():
            result = self.app()
            if inspect.isgenerator(result):
                result.close()
                raise TypeError("generator-based apps (PyWebIO's legacy `yield` coroutines) are "
                                "not supported: write the app as `async def` and use `await`")
            if inspect.isawaitable(result):
                await result
        for wait in self.after_app():  # the core's rule: each wait is awaited here
            await wait()

    async def wait_tasks(self) -> None:
        """The app's other tasks (run_async, create_task): the session lives on while they run."""
        me = asyncio.current_task()
        while others := [t for t in self._tasks if t is not me]:
            await asyncio.wait(others)

    async def wait_closed(self) -> None:
        await asyncio.shield(self._closed_future)

    def run_async(self, coro: Coroutine) -> TaskHandler:
        """Run ``coro`` as a new task of this session."""
        if not self._on_loop_thread():
            raise RuntimeError("run_async() must be called from the session's own coroutines")
        if not asyncio.iscoroutine(coro):
            raise TypeError(f"run_async() needs a coroutine object, got {type(coro).__name__}")
        return TaskHandler(self._create_task(coro))

    def _on_loop_thread(self) -> bool:
        return _running_loop() is self.loop

    def run_asyncio_coroutine(self, coro: Any) -> Any:
        """The session's loop is an asyncio loop: ``coro`` is awaited as it is."""
        if not inspect.isawaitable(coro):
            raise TypeError(f"run_asyncio_coroutine() needs an awaitable, got "
                            f"{type(coro).__name__}")
        return coro

    def register_thread(self, thread: Any) -> None:
        raise RuntimeError("register_thread() is not available in coroutine-based sessions: "
                           "a thread can not call webio functions here; run the work with "
                           "run_async(coro) or `await loop.run_in_executor(...)` and call the "
                           "webio functions from the session's coroutines")

    # -- waiting --------------------------------------------------------------------------------
    def run_flow(self, make_flow: FlowFactory) -> SessionAwaitable:
        if not self._on_loop_thread():
            raise RuntimeError("coroutine sessions can only be used from their own coroutines "
                               "(register_thread() is not available in coroutine sessions)")
        return SessionAwaitable(lambda: self._drive(make_flow))

    async def _drive(self, make_flow: FlowFactory) -> Any:
        run = FlowRun(self, make_flow, _Channel())
        try:
            run.start()
            while not run.done:
                run.feed(await run.channel.get())
            return run.result
        finally:
            run.finish()  # also when cancelled: the flow takes its form off the page

    def deliver(self, channel: _Channel, event: dict | None) -> None:
        if self._on_loop_thread():
            channel.put_nowait(event)
        else:
            self.loop.call_soon_threadsafe(channel.put_nowait, event)

    def hold(self) -> SessionAwaitable:
        return SessionAwaitable(self.wait_closed)

    # -- callbacks ------------------------------------------------------------------------------
    def dispatch_callback(self, callback: Callback, data: Any) -> None:
        if self._on_loop_thread():
            self._run_callback(callback, data)
        else:
            self.loop.call_soon_threadsafe(self._run_callback, callback, data)

    def _run_callback(self, callback: Callback, data: Any) -> None:
        """Plain callbacks run here, on the loop; coroutines they return become tasks."""
        if self.closed:
            return
        context = self._new_context()
        if callback.serial:  # mutex_mode: one at a time, in click order
            self._create_task(self._run_serial(callback, data), context)
            return
        result = None
        with self.user_code():
            result = context.run(callback.func, data)
        if inspect.isawaitable(result):
            self._create_task(_await(result), context)

    async def _run_serial(self, callback: Callback, data: Any) -> None:
        if self._mutex is None:
            self._mutex = asyncio.Lock()
        async with self._mutex:
            result = callback.func(data)
            if inspect.isawaitable(result):
                await result

    # -- close ----------------------------------------------------------------------------------
    def after_close(self) -> None:
        def cancel_remaining() -> None:
            self._cancelling = True
            current = asyncio.current_task()
            for task in list(self._tasks):
                if task is not current:
                    task.cancel()

        def finish() -> None:
            if not self._closed_future.done():
                self._closed_future.set_result(None)
            self.run_deferred()
            # Tasks woken by close() first see SessionClosedException at their await (their
            # steps are already queued); whatever still runs after that is cancelled.
            self.loop.call_soon(cancel_remaining)

        if self._on_loop_thread():
            finish()
        else:
            self.loop.call_soon_threadsafe(finish)


# -- the loop of coroutine sessions under WSGI servers (Flask, Django) ---------------------------

_background_loop: asyncio.AbstractEventLoop | None = None


def run_event_loop(debug: bool = False) -> None:
    """Run a new asyncio loop in this thread, forever, as the loop of coroutine sessions.

    Servers without an asyncio loop of their own (Flask, Django) run ``async def`` apps on it:
    start it in a daemon thread before serving.
    """
    global _background_loop
    loop = asyncio.new_event_loop()
    loop.set_debug(debug)
    asyncio.set_event_loop(loop)
    _background_loop = loop
    try:
        loop.run_forever()
    finally:
        if _background_loop is loop:
            _background_loop = None
        loop.close()


def session_loop() -> asyncio.AbstractEventLoop:
    """The loop a new coroutine session runs on: this thread's running loop, else the one of
    ``run_event_loop``; a clear error when there is neither."""
    running = _running_loop()
    if running is not None:
        return running
    loop = _background_loop
    if loop is not None and not loop.is_closed():
        return loop  # call_soon_threadsafe works before it runs, too
    raise RuntimeError("a coroutine-based (async def) app needs an asyncio loop: with Flask or "
                       "Django, start one first with threading.Thread(target=run_event_loop, "
                       "daemon=True).start()")


def ensure_event_loop_thread() -> None:
    """Start ``run_event_loop`` in a daemon thread unless a loop for sessions is there."""
    if _running_loop() is not None or _background_loop is not None:
        return
    threading.Thread(target=run_event_loop, name="webio-event-loop", daemon=True).start()
    deadline = time.monotonic() + 10
    while _background_loop is None:  # it is set as the thread starts its loop
        if time.monotonic() > deadline:
            raise RuntimeError("the event loop thread for async def apps did not start")
        time.sleep(0.001)


async def _await(awaitable: Any) -> Any:
    return await awaitable
