"""The launcher's session server: Tornado on its own event loop in a daemon thread."""
from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from ..server import run
from ..server.apps import AppMap
from ..server.tornado import HandlerOptions
from ..sessions.core import Session, SessionInfo
from .security import TOKEN_PARAM, AccessGuard, log_request

logger = logging.getLogger("webio_desktop.desktop")


class DesktopServer:
    """Serves ``apps`` behind an ``AccessGuard``; ``start()`` returns once it listens.

    The GUI owns the main thread, so the server gets a thread and an asyncio loop of its own;
    ``stop()`` closes every session (their ``defer_call`` functions run) and ends that thread.
    """

    def __init__(self, apps: AppMap, *, host: str = "127.0.0.1", port: int = 0,
                 debug: bool = False, static_dir: str | None = None,
                 max_payload_size: int | None = None, extra_head: str = "",
                 session_factory: Callable[[str, SessionInfo], Session | None] | None = None,
                 tornado_settings: dict[str, Any] | None = None, folder: str | None = None,
                 index: Any = True) -> None:
        self.apps = apps
        self.folder = folder  # path_deploy: serve this folder of apps instead of ``apps``
        self._index = index
        self.host = host
        self.guard = AccessGuard(extra_hosts=(host,))
        self.options = HandlerOptions(apps, cdn=False, debug=debug,
                                      max_message_size=max_payload_size,
                                      session_factory=session_factory,
                                      request_guard=self.guard, extra_head=extra_head)
        self._port = port
        self._static_dir = static_dir
        self._max_body = max_payload_size
        # Loopback only: compressing responses costs more time than the bytes it saves.
        self._settings = {"compress_response": False, **(tornado_settings or {}),
                          "log_function": log_request}
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self.running: run.RunningServer | None = None

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
            if self.folder is not None:
                from ..server.folder import AppFolder, make_folder_application

                folder = AppFolder(self.folder, self.options, index=self._index)
                application = make_folder_application(folder, static_dir=self._static_dir,
                                                      **self._settings)
            else:
                application = run.make_application(self.options, static_dir=self._static_dir,
                                                   **self._settings)
            sockets = run.bind(self._port, self.host)
            self.running = run.RunningServer(application, sockets, self.host,
                                             max_body_size=self._max_body)
            self.guard.bind_port(self.running.port)
        except BaseException as exc:  # e.g. the port is taken: tell start()
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            self.running.loop.start()
        finally:
            # Let what is still pending (socket writes, pings) end quietly before closing.
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

    @property
    def port(self) -> int:
        assert self.running is not None
        return self.running.port

    @property
    def base_url(self) -> str:
        assert self.running is not None
        return self.running.url  # ends with "/"

    def url_for(self, app: str | None = "index", *, reusable: bool = False,
                path_and_query: str | None = None) -> str:
        """A URL that opens ``app`` (or a same-origin path) and buys the secret cookie."""
        token = self.guard.new_token(reusable=reusable)
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
        """Close every session and wait (up to ``wait`` s) for their deferred calls."""
        for session in list(self.options.sessions):
            try:
                session.close()
            except Exception:
                logger.exception("error while closing session %s", session.id)
        closers = [t for t in threading.enumerate() if t.name.startswith("webio-close-")
                   and t is not threading.current_thread()]
        for thread in closers:
            try:
                thread.join(wait)
            except RuntimeError:  # still starting: it will run on its own
                pass

    def stop(self, timeout: float = 5.0) -> None:
        """Close the sessions, stop the loop and wait for the server thread."""
        self.close_sessions()
        if self.running is None or self._thread is None:
            return
        done = threading.Event()
        self.running.stop(then=done.set)
        done.wait(timeout)
        self._thread.join(timeout)
