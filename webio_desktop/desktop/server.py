"""The launcher's session server: Tornado on its own event loop in a daemon thread."""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import tornado.web
from tornado import httputil

from ..server import run
from ..server.apps import AppMap
from ..server.page import prepare_front_end
from ..server.reload import ReloadChannel
from ..server.tornado import HandlerOptions
from ..sessions.core import Session, SessionInfo
from .security import TOKEN_PARAM, AccessGuard, log_request

logger = logging.getLogger("webio_desktop.desktop")


class SessionSet(set):
    """The desktop server's sessions (``options.sessions``). A closed session stays here until
    its ``defer_call`` functions have run (they run after ``close()`` returns), so shutdown can
    wait for those of a window closed a moment ago too."""

    def discard(self, session: Session) -> None:  # a session's on_close
        if session.wait_done(0):
            super().discard(session)

    def add(self, session: Session) -> None:
        self.difference_update([done for done in self if done.wait_done(0)])
        super().add(session)


class CurrentApplication(httputil.HTTPServerConnectionDelegate):
    """The HTTP server's delegate: each request goes to the Tornado application that is
    current when its headers arrive (``DesktopServer.replace`` swaps it).

    Handing the server the application itself would not do: on a kept-alive connection Tornado
    asks for the next request's delegate as soon as the previous request ends, so a page
    reloaded after a swap would get the old apps.
    """

    def __init__(self, application: tornado.web.Application) -> None:
        self.application = application

    def start_request(self, server_conn: object,
                      request_conn: httputil.HTTPConnection) -> httputil.HTTPMessageDelegate:
        return _ToCurrent(self, server_conn, request_conn)


class _ToCurrent(httputil.HTTPMessageDelegate):
    """One request, routed by the application current at its headers."""

    def __init__(self, current: CurrentApplication, server_conn: object,
                 request_conn: httputil.HTTPConnection) -> None:
        self._current = current
        self._conns = (server_conn, request_conn)
        self._delegate: httputil.HTTPMessageDelegate | None = None

    def headers_received(self, start_line: Any, headers: httputil.HTTPHeaders) -> Any:
        self._delegate = self._current.application.start_request(*self._conns)
        return self._delegate.headers_received(start_line, headers)

    def data_received(self, chunk: bytes) -> Any:
        assert self._delegate is not None
        return self._delegate.data_received(chunk)

    def finish(self) -> None:
        if self._delegate is not None:
            self._delegate.finish()

    def on_connection_close(self) -> None:
        if self._delegate is not None:
            self._delegate.on_connection_close()


class DesktopServer:
    """Serves ``apps`` behind an ``AccessGuard``; ``start()`` returns once it listens.

    The GUI owns the main thread, so the server gets a thread and an asyncio loop of its own;
    ``stop()`` closes every session (their ``defer_call`` functions run) and ends that thread.
    ``replace()`` serves other apps on the same socket (hot reload): open windows keep their
    URL and their cookie. ``reload``: a ``ReloadChannel`` whose script every page carries.
    """

    def __init__(self, apps: AppMap, *, host: str = "127.0.0.1", port: int = 0,
                 debug: bool = False, static_dir: str | None = None,
                 max_payload_size: int | None = None, extra_head: str = "",
                 session_factory: Callable[[str, SessionInfo], Session | None] | None = None,
                 tornado_settings: dict[str, Any] | None = None, folder: str | None = None,
                 index: Any = True, reload: ReloadChannel | None = None,
                 prerender: bool = False) -> None:
        self.host = host
        self.guard = AccessGuard(extra_hosts=(host,))
        self.reload = reload
        self.prerender = prerender  # for the whole launch (server/prerender.py)
        self._extra_head = extra_head
        self._sessions = SessionSet()  # every session of the launch, across replace()
        self._port = port
        self._max_body = max_payload_size
        self.configure(apps, debug=debug, static_dir=static_dir,
                       max_payload_size=max_payload_size, session_factory=session_factory,
                       tornado_settings=tornado_settings, folder=folder, index=index)
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self.running: run.RunningServer | None = None

    def configure(self, apps: AppMap, *, debug: bool = False, static_dir: str | None = None,
                  max_payload_size: int | None = None,
                  session_factory: Callable[[str, SessionInfo], Session | None] | None = None,
                  tornado_settings: dict[str, Any] | None = None, folder: str | None = None,
                  index: Any = True) -> None:
        """What is served: ``apps``, or the ``folder`` of apps of a ``path_deploy``."""
        self.apps = apps
        self.folder = folder  # path_deploy: serve this folder of apps instead of ``apps``
        self._index = index
        self.options = HandlerOptions(apps, cdn=False, debug=debug,
                                      max_message_size=max_payload_size,
                                      session_factory=session_factory,
                                      request_guard=self.guard, extra_head=self._extra_head,
                                      sessions=self._sessions, reload=self.reload,
                                      prerender=self.prerender)
        self._static_dir = static_dir
        # Loopback only: compressing responses costs more time than the bytes it saves.
        self._settings = {"compress_response": False, **(tornado_settings or {}),
                          "log_function": log_request}

    def _application(self) -> Any:
        if self.folder is not None:
            from ..server.folder import AppFolder, make_folder_application

            folder = AppFolder(self.folder, self.options, index=self._index)
            return make_folder_application(folder, static_dir=self._static_dir,
                                           **self._settings)
        return run.make_application(self.options, static_dir=self._static_dir,
                                    **self._settings)

    # -- life -----------------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._serve, name="webio-desktop-server",
                                        daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            raise self._error

    def _serve(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            self._current = CurrentApplication(self._application())
            sockets = run.bind(self._port, self.host)
            self.running = run.RunningServer(self._current, sockets, self.host,
                                             max_body_size=self._max_body)
            self.guard.bind_port(self.running.port)
        except BaseException as exc:  # e.g. the port is taken: tell start()
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        prepare_front_end()  # while the window starts: its page request won't wait for it
        try:
            self.running.loop.start()
        finally:
            # Let what is still pending (socket writes, pings) end quietly before closing.
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

    def replace(self, apps: AppMap, timeout: float = 5.0, **what: Any) -> bool:
        """Serve ``apps`` (and ``configure``'s other keywords) from now on, on the same socket.

        Close the sessions first (``close_sessions``). Requests already being answered finish
        with the old apps; the next ones get the new. False when the server has stopped.
        """
        self.configure(apps, **what)
        running = self.running
        if running is None:
            return False
        swapped = threading.Event()

        def swap() -> None:
            self._current.application = self._application()
            swapped.set()

        running.loop.add_callback(swap)
        return swapped.wait(timeout)

    def loop_tasks(self, timeout: float = 5.0) -> int | None:
        """How many asyncio tasks the server's loop holds (a leak check); None if stopped."""
        running = self.running
        if running is None:
            return None
        count: list[int] = []
        done = threading.Event()

        def counting() -> None:
            count.append(len(asyncio.all_tasks()))
            done.set()

        running.loop.add_callback(counting)
        return count[0] if done.wait(timeout) else None

    @property
    def port(self) -> int:
        assert self.running is not None
        return self.running.port

    @property
    def base_url(self) -> str:
        assert self.running is not None
        return self.running.url  # ends with "/"

    def url_for(self, app: str | None = "index", *, path_and_query: str | None = None) -> str:
        """A URL that opens ``app`` (or a same-origin path) and buys the secret cookie once."""
        token = self.guard.new_token()
        if path_and_query is not None:
            sep = "&" if "?" in path_and_query else "?"
            return self.base_url.rstrip("/") + path_and_query + sep + urlencode(
                {TOKEN_PARAM: token})
        query = {"app": app} if app and app != "index" else {}
        return self.base_url + "?" + urlencode({**query, TOKEN_PARAM: token})

    def static_url(self, name: str) -> str:
        """Path of a front-end file (content-versioned), e.g. the tab shell's page."""
        return self.options.static_base() + name

    def is_own_url(self, url: str) -> bool:
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        return parts.scheme == "http" and parts.netloc.lower() in self.guard.allowed_hosts()

    def close_sessions(self, wait: float = 5.0) -> None:
        """Close every session and wait (up to ``wait`` s in all) for their deferred calls."""
        sessions = list(self.options.sessions)
        for session in sessions:
            try:
                session.close()
            except Exception:
                logger.exception("error while closing session %s", session.id)
        deadline = time.monotonic() + wait
        for session in sessions:
            if not session.wait_done(max(0.0, deadline - time.monotonic())):
                logger.warning("session %s: defer_call functions still running after %.0f s",
                               session.id, wait)

    def stop(self, timeout: float = 5.0) -> None:
        """Close the sessions, stop the loop and wait for the server thread."""
        self.close_sessions()
        if self.running is None or self._thread is None:
            return
        done = threading.Event()
        self.running.stop(then=done.set)
        done.wait(timeout)
        self._thread.join(timeout)
