"""Script mode, the session side: API calls in a plain script (no ``start_server``) share one
session, which the host shows in a page of its own.

``ScriptModeHost`` is the rule, written once: the first API call outside any session starts
script mode (one ``ScriptSession`` for every thread of the script), starting a server ends the
chance of it, and the two never mix. How the script's page is shown is the host's part:
``server/script.py`` serves it on 127.0.0.1 in a browser, the desktop launcher in a window.
"""
from __future__ import annotations

import asyncio
import threading

from ..exceptions import SessionClosedException, SessionNotFoundException
from .core import SessionInfo, TaskContext, enter_task
from .host import Host, current_host
from .threaded import ThreadSession


class ScriptSession(ThreadSession):
    """The single session of a script; any thread may use it."""

    closed_error = SessionClosedException
    kind = "script"

    def __init__(self) -> None:
        super().__init__(app=lambda: None)
        self.connected = threading.Event()
        self._lock_claim = threading.Lock()
        self._settled = threading.Event()  # connected, or closed before any page came

    def start(self) -> None:  # the script itself is the app
        pass

    @property
    def info(self) -> SessionInfo:
        """The page's facts (``session.info``). The script may run before the page connects;
        as in PyWebIO (whose first call waits for the page), reading them waits for it, or
        raises the closed error when the session ended before any page came."""
        self._settled.wait()
        if not self.connected.is_set():
            raise self.closed_error("the session ended before its page connected")
        return self._info

    @info.setter
    def info(self, value: SessionInfo) -> None:
        self._info = value

    def claim(self, info: SessionInfo) -> "ScriptSession | None":
        """The first page to connect gets the session; later ones are refused."""
        with self._lock_claim:
            if self.connected.is_set():
                return None
            self.connected.set()
        self.info = info
        self._settled.set()
        return self

    def wait_tasks(self) -> None:
        """The script has ended: its page must have received everything (or be gone)."""
        self._settled.wait()

    def after_close(self) -> None:
        self._settled.set()
        super().after_close()


class ScriptModeHost(Host):
    """A host with script mode. Subclasses say how the script's page is shown
    (``serve_script``)."""

    def __init__(self) -> None:
        self.mode: str | None = None  # None, "script" or "server"
        self.script_session: ScriptSession | None = None
        self._mode_lock = threading.Lock()

    def serve_script(self, session: ScriptSession) -> None:
        """Show ``session`` in a page (called once, as script mode starts)."""
        raise NotImplementedError

    def server_starting(self) -> None:
        with self._mode_lock:
            if self.mode == "script":
                raise RuntimeError("start_server() can not be called after the script already "
                                   "used the API in script mode")
            self.mode = "server"

    def context_for_thread(self) -> TaskContext:
        with self._mode_lock:
            if self.mode == "server":
                raise SessionNotFoundException(
                    "no session: in server mode only app code may use the API. A thread you "
                    "start needs register_thread(thread) before thread.start() in a "
                    "thread-based session; register_thread() is not available in "
                    "coroutine-based (async def) sessions, so there call the API from the "
                    "session's coroutines (run_async(coro), or `await loop.run_in_executor(...)` "
                    "for blocking work)")
            if _in_running_loop():
                raise RuntimeError(
                    "coroutine-based sessions are not available in script mode: webio functions "
                    "were called from a running asyncio event loop without a server. Serve the "
                    "async app with start_server(main) (or a web framework integration) instead "
                    "of asyncio.run(main())")
            if self.mode is None:
                self.mode = "script"
                self.script_session = ScriptSession()
                self.serve_script(self.script_session)
        session: ScriptSession = self.script_session  # type: ignore[assignment]  (set above)
        ctx = TaskContext(session, session.new_id("t"))
        enter_task(ctx)
        return ctx


def enter_server_mode() -> None:
    """Called by start_server and the integrations: no script mode from now on."""
    current_host().server_starting()


def _in_running_loop() -> bool:
    """Whether the caller is a coroutine running on an asyncio loop (an ``async def`` app)."""
    try:
        return asyncio.current_task() is not None
    except RuntimeError:  # no running loop in this thread
        return False
