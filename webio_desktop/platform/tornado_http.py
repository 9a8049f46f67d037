"""Serve apps from Tornado over the HTTP long-poll transport: ``webio_handler``, ``start_server``.

For clients or proxies that can't keep a WebSocket; ``webio_desktop.platform.tornado`` is the
WebSocket version. The transport itself is ``server/http_poll.py``.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tornado.web

from ..server import run
from ..server.bootstrap import DEFAULT_PAYLOAD_SIZE, http_sessions
from ..server.connect import HandlerOptions
from ..server.http_poll import HttpRequest, HttpSessions, Poll
from ..server.tornado import FrameGuard, UserStaticHandler, guarded, route_guard
from .tornado import handed_over

__all__ = ["start_server", "webio_handler"]


class HttpPollHandler(tornado.web.RequestHandler):
    """The page, its front end and its HTTP API on one URL (GET, POST, OPTIONS)."""

    sessions: HttpSessions  # set on the subclass made by webio_handler()

    def check_xsrf_cookie(self) -> None:
        pass  # the API needs a custom header, which cross-site forms can't send

    def options_for_request(self) -> HandlerOptions | None:
        return self.sessions.options

    async def _serve(self, *args: Any) -> None:
        options = self.options_for_request()
        if options is None:  # already answered (path_deploy's listings)
            return
        request = self.request
        query = {name: self.get_query_argument(name) for name in request.query_arguments}
        reply = self.sessions.handle(HttpRequest(
            request.method, request.headers, query, request.body, request.host, request.path,
            request.remote_ip or "", request), options)
        if isinstance(reply, Poll):
            reply = await reply.wait_async()
        self.set_status(reply.status)
        for name, value in reply.headers.items():
            self.set_header(name, value)
        # No body at all for 204 (Tornado refuses even an empty one: a close answered 500).
        self.finish(reply.body or None)

    get = post = options = _serve  # type: ignore[assignment]


def _handler(sessions: HttpSessions) -> type[HttpPollHandler]:
    return type("WebIOHttpHandler", (HttpPollHandler,), {"sessions": sessions})


def webio_handler(applications: Any, cdn: bool | str = True,
                  session_expire_seconds: int | None = None,
                  session_cleanup_interval: int | None = None,
                  allowed_origins: list[str] | None = None,
                  check_origin: Callable[[str], bool] | None = None,
                  max_pending_output: int | str | None = None) -> type:
    """A Tornado ``RequestHandler`` class serving the apps over HTTP long-polling.

    ``cdn=True`` (default): the handler serves the front end itself (``?_webio_static=...``
    on its own URL), so nothing else needs a route; ``cdn=False``: you host ``STATIC_PATH`` at
    the handler's directory; a string: the base URL of a copy of ``STATIC_PATH``.
    """
    return _handler(http_sessions(applications, backend="tornado", serve_front_end=False,
                                  cdn=cdn, allowed_origins=allowed_origins,
                                  check_origin=check_origin,
                                  session_expire_seconds=session_expire_seconds,
                                  session_cleanup_interval=session_cleanup_interval,
                                  max_pending_output=max_pending_output))


def start_server(applications: Any, port: int = 8080, host: str = "", debug: bool = False,
                 cdn: bool | str = True, static_dir: str | None = None,
                 allowed_origins: list[str] | None = None,
                 check_origin: Callable[[str], bool] | None = None,
                 auto_open_webbrowser: bool = False,
                 session_expire_seconds: int | None = None,
                 session_cleanup_interval: int | None = None,
                 max_payload_size: int | str = DEFAULT_PAYLOAD_SIZE,
                 max_pending_output: int | str | None = None,
                 allowed_hosts: list[str] | None = None, **tornado_app_settings: Any) -> None:
    """Serve the apps at ``/`` over HTTP long-polling until the process is stopped.

    ``allowed_hosts``: host names (``"*"`` wildcards) requests may name besides the loopback
    ones; bound to a loopback ``host``, only loopback names are served by default (403 for
    others: DNS rebinding), bound to all interfaces any name is unless this lists some.
    """
    if handed_over(applications, debug=debug, static_dir=static_dir,
                   max_payload_size=max_payload_size):
        return  # the desktop launcher serves them (webio-desktop app.py)
    sessions = http_sessions(applications, backend="tornado", serve_front_end=True, cdn=cdn,
                             debug=debug, allowed_origins=allowed_origins,
                             check_origin=check_origin, max_payload_size=max_payload_size,
                             max_pending_output=max_pending_output,
                             session_expire_seconds=session_expire_seconds,
                             session_cleanup_interval=session_cleanup_interval,
                             bind_host=host, allowed_hosts=allowed_hosts)
    routes: list[tuple] = [(r"/", _handler(sessions))]
    if static_dir is not None:
        routes.append((r"/static/(.*)", UserStaticHandler, {"path": static_dir}))
    guard = route_guard(sessions.options)
    if guard is not None:
        routes = [(pattern, guarded(handler, guard), *rest) for pattern, handler, *rest in routes]
    application = tornado.web.Application(routes, debug=debug, **tornado_app_settings)
    application.add_transform(FrameGuard)
    run.serve_forever(application, sessions.options.sessions, port=port, host=host,
                      max_body_size=sessions.options.max_message_size,
                      open_browser=auto_open_webbrowser)
