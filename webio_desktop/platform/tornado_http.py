"""Serve apps from Tornado over the HTTP long-poll transport: ``webio_handler``, ``start_server``.

For clients or proxies that can't keep a WebSocket; ``webio_desktop.platform.tornado`` is the
WebSocket version. The transport itself is ``server/http_poll.py``.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tornado.web

from ..server import run
from ..server.apps import normalize_apps
from ..server.connect import HandlerOptions
from ..server.http_poll import HttpRequest, HttpSessions, Poll
from ..sessions import script_mode
from ..utils import parse_file_size
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
        self.finish(reply.body)

    get = post = options = _serve  # type: ignore[assignment]


def _handler(sessions: HttpSessions) -> type[HttpPollHandler]:
    return type("WebIOHttpHandler", (HttpPollHandler,), {"sessions": sessions})


def webio_handler(applications: Any, cdn: bool | str = True,
                  session_expire_seconds: int | None = None,
                  session_cleanup_interval: int | None = None,
                  allowed_origins: list[str] | None = None,
                  check_origin: Callable[[str], bool] | None = None) -> type:
    """A Tornado ``RequestHandler`` class serving the apps over HTTP long-polling.

    ``cdn=True`` (default): the handler serves the front end itself (``?_webio_static=...``
    on its own URL), so nothing else needs a route; ``cdn=False``: you host ``STATIC_PATH`` at
    the handler's directory; a string: the base URL of a copy of ``STATIC_PATH``.
    """
    script_mode.enter_server_mode()
    options = HandlerOptions(normalize_apps(applications), cdn=cdn,
                             allowed_origins=allowed_origins, check_origin=check_origin,
                             max_message_size=parse_file_size("200M"))
    return _handler(HttpSessions(options, backend="tornado",
                                 session_expire_seconds=session_expire_seconds,
                                 session_cleanup_interval=session_cleanup_interval))


def start_server(applications: Any, port: int = 8080, host: str = "", debug: bool = False,
                 cdn: bool | str = True, static_dir: str | None = None,
                 allowed_origins: list[str] | None = None,
                 check_origin: Callable[[str], bool] | None = None,
                 auto_open_webbrowser: bool = False,
                 session_expire_seconds: int | None = None,
                 session_cleanup_interval: int | None = None,
                 max_payload_size: int | str = "200M", **tornado_app_settings: Any) -> None:
    """Serve the apps at ``/`` over HTTP long-polling until the process is stopped."""
    if handed_over(applications, debug=debug, static_dir=static_dir,
                   max_payload_size=max_payload_size):
        return  # the desktop launcher serves them (webio-desktop app.py)
    script_mode.enter_server_mode()
    max_size = parse_file_size(max_payload_size)
    options = HandlerOptions(normalize_apps(applications), cdn=cdn, debug=debug,
                             allowed_origins=allowed_origins, check_origin=check_origin,
                             max_message_size=max_size)
    sessions = HttpSessions(options, backend="tornado", serve_front_end=True,
                            session_expire_seconds=session_expire_seconds,
                            session_cleanup_interval=session_cleanup_interval)
    routes: list[tuple] = [(r"/", _handler(sessions))]
    if static_dir is not None:
        routes.append((r"/static/(.*)", tornado.web.StaticFileHandler, {"path": static_dir}))
    application = tornado.web.Application(routes, debug=debug, **tornado_app_settings)
    run.serve_forever(application, options.sessions, port=port, host=host,
                      max_body_size=max_size, open_browser=auto_open_webbrowser)
