"""Script mode: API calls in a plain script (no ``start_server``) get a page of their own.

The first call starts a server on 127.0.0.1, opens the browser (or prints the URL) and serves
one page; every thread of the script may use the API. When the script ends, the process waits
while the page can still do something (callbacks), then exits.
"""
from __future__ import annotations

import asyncio
import atexit
import logging
import os
import threading

from ..exceptions import SessionClosedException, SessionNotFoundException
from .core import SessionInfo, TaskContext, enter_task, set_fallback
from .threaded import ThreadSession

logger = logging.getLogger("webio_desktop.script_mode")

_lock = threading.Lock()
_state: dict[str, object] = {"mode": None}  # None, "script" or "server"


class ScriptSession(ThreadSession):
    """The single session of a script; any thread may use it."""

    closed_error = SessionClosedException
    kind = "script"

    def __init__(self) -> None:
        super().__init__(app=lambda: None)
        self.connected = threading.Event()

    def start(self) -> None:  # the script itself is the app
        pass

    def claim(self, info: SessionInfo) -> "ScriptSession | None":
        """The first page to connect gets the session; later ones are refused."""
        with _lock:
            if self.connected.is_set():
                return None
            self.connected.set()
        self.info = info
        return self


def enter_server_mode() -> None:
    """Called by start_server and the integrations: no script mode from now on."""
    with _lock:
        if _state["mode"] == "script":
            raise RuntimeError("start_server() can not be called after the script already used "
                               "the API in script mode")
        _state["mode"] = "server"


def _context_for_thread() -> TaskContext:
    with _lock:
        mode = _state["mode"]
        if mode == "server":
            raise SessionNotFoundException(
                "no session: in server mode only app code may use the API. A thread you start "
                "needs register_thread(thread) before thread.start() in a thread-based session; "
                "register_thread() is not available in coroutine-based (async def) sessions, "
                "so there call the API from the session's coroutines (run_async(coro), or "
                "`await loop.run_in_executor(...)` for blocking work)")
        if _in_running_loop():
            raise RuntimeError(
                "coroutine-based sessions are not available in script mode: webio functions "
                "were called from a running asyncio event loop without a server. Serve the "
                "async app with start_server(main) (or a web framework integration) instead "
                "of asyncio.run(main())")
        if mode is None:
            _state["mode"] = "script"
            _state["session"] = _start()
    session = _state["session"]
    ctx = TaskContext(session, session.new_id("t"))  # type: ignore[union-attr]
    enter_task(ctx)
    return ctx


def _in_running_loop() -> bool:
    """Whether the caller is a coroutine running on an asyncio loop (an ``async def`` app)."""
    try:
        return asyncio.current_task() is not None
    except RuntimeError:  # no running loop in this thread
        return False


def _start() -> ScriptSession:
    from ..server import run
    from ..server.apps import normalize_apps
    from ..server.tornado import HandlerOptions

    session = ScriptSession()
    ready = threading.Event()
    holder: dict[str, object] = {}

    def serve() -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        options = HandlerOptions(normalize_apps({"index": lambda: None}), cdn=False,
                                 session_factory=lambda _name, info: session.claim(info))
        application = run.make_application(options)
        env_port = os.environ.get("WEBIO_SCRIPT_MODE_PORT") or os.environ.get(
            "PYWEBIO_SCRIPT_MODE_PORT")
        sockets = run.bind(int(env_port or 0), "127.0.0.1")
        server = run.RunningServer(application, sockets, "127.0.0.1")
        holder["server"] = server
        ready.set()
        server.loop.start()
        server.loop.close()

    threading.Thread(target=serve, name="webio-script-server", daemon=True).start()
    ready.wait()
    server = holder["server"]
    print(f"webio-desktop script mode: {server.url}", flush=True)  # type: ignore[union-attr]
    if not (os.environ.get("WEBIO_SCRIPT_MODE_PORT") or os.environ.get("PYWEBIO_SCRIPT_MODE_PORT")):
        run.open_browser_soon(server.url)  # type: ignore[union-attr]
    atexit.register(_finish, session, server)
    return session


def _finish(session: ScriptSession, server) -> None:
    """At exit: let the page receive everything, keep serving callbacks, then stop."""
    if not session.closed:
        session.connected.wait()
        if session.has_callbacks:
            session.hold()
        session.close()
    done = threading.Event()
    server.stop(then=done.set)
    done.wait(5)


set_fallback(_context_for_thread)
