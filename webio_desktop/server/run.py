"""Build, bind and run a Tornado server for a set of apps (what ``start_server`` does)."""
from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
import webbrowser
from collections.abc import Callable
from typing import Any

import tornado.httpserver
import tornado.httputil
import tornado.netutil
import tornado.web
from tornado.ioloop import IOLoop

from .reload import reload_routes
from .tornado import (FrameGuard, HandlerOptions, guarded, make_handler, route_guard,
                      static_routes)

logger = logging.getLogger("webio_desktop.server")

# Tornado's autoreload (debug=True) restarts the process with exec: a server started on a free
# port finds the one it had here.
AUTORELOAD_PORT_ENV = "WEBIO_DESKTOP_AUTORELOAD_PORT"


def warn_remote_access(remote_access: bool) -> None:
    """PyWebIO's remote_access opened a tunnel through a public relay; we never do that."""
    if remote_access:
        logger.warning("remote_access is not supported: webio-desktop sends no traffic to "
                       "third-party relays. Put the server behind your own reverse proxy.")


def make_application(options: HandlerOptions, *, static_dir: str | None = None,
                     **tornado_settings: Any) -> tornado.web.Application:
    """A Tornado application serving the apps at ``/`` and the front end under ``/_webio/``
    (and the pages' reload socket, with hot reload on)."""
    settings = {"compress_response": True, "websocket_ping_interval": 30, **tornado_settings}
    if options.max_message_size is not None:
        settings.setdefault("websocket_max_message_size", options.max_message_size)
    routes = [(r"/", make_handler(options)), *static_routes(static_dir)]
    guard = route_guard(options)
    if guard is not None:  # make_handler already guards the page and socket
        routes[1:] = [(pattern, guarded(handler, guard), *rest)
                      for pattern, handler, *rest in routes[1:]]
    if options.reload is not None:
        routes += reload_routes(options.reload, guard)
    application = tornado.web.Application(routes, **settings)
    application.add_transform(FrameGuard)
    return application


def bind(port: int, host: str) -> list[socket.socket]:
    """Listening sockets; ``port=0`` picks a free port, ``host=''`` means every interface."""
    return tornado.netutil.bind_sockets(port, host or None)


def server_url(sockets: list[socket.socket], host: str) -> str:
    port = sockets[0].getsockname()[1]
    shown = host if host and host not in ("0.0.0.0", "::") else "127.0.0.1"
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def open_browser_soon(url: str) -> None:
    """Open ``url`` in the default browser without blocking; print it when none can open."""
    def worker() -> None:
        try:
            opened = webbrowser.open(url)
        except Exception:
            opened = False
        if not opened:
            print(f"Open {url} in your browser.", flush=True)

    threading.Thread(target=worker, name="webio-browser", daemon=True).start()


class RunningServer:
    """A bound HTTP server and the loop that runs it (for embedding and tests)."""

    def __init__(self, application: tornado.httputil.HTTPServerConnectionDelegate,
                 sockets: list[socket.socket],
                 host: str, max_body_size: int | None = None) -> None:
        self.http = tornado.httpserver.HTTPServer(application, max_body_size=max_body_size)
        self.http.add_sockets(sockets)
        self.url = server_url(sockets, host)
        self.port = sockets[0].getsockname()[1]
        self.loop = IOLoop.current()

    def stop(self, then: Callable[[], None] | None = None) -> None:
        """Thread-safe: stop accepting, then stop the loop."""
        async def shutdown() -> None:
            self.http.stop()
            if then is not None:
                then()
            await asyncio.sleep(0.05)  # let queued frames and closing handshakes go out
            self.loop.stop()

        self.loop.add_callback(shutdown)


def serve_forever(application: tornado.web.Application, sessions: set, *, port: int, host: str,
                  max_body_size: int | None, what: str = "",
                  open_browser: bool = False) -> None:
    """Bind, print the URL, run until Ctrl+C, then close every session (``start_server``,
    ``path_deploy``)."""
    autoreload = bool(application.settings.get("autoreload"))
    if autoreload and port == 0:  # a restart keeps the port its pages know
        port = int(os.environ.get(AUTORELOAD_PORT_ENV) or 0)
    server = RunningServer(application, bind(port, host), host, max_body_size=max_body_size)
    if autoreload:
        os.environ[AUTORELOAD_PORT_ENV] = str(server.port)  # autoreload's exec keeps the env
    print(f"Serving {what + ' ' if what else ''}on {server.url}", flush=True)
    if open_browser:
        open_browser_soon(server.url)
    try:
        server.loop.start()
    except KeyboardInterrupt:
        pass
    finally:
        for session in list(sessions):
            session.close()

