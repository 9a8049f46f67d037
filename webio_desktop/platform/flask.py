"""Serve apps from Flask over the HTTP long-poll transport: ``webio_view``, ``wsgi_app``,
``start_server`` (Flask is the ``flask`` extra: ``pip install webio-desktop[flask]``).

Coroutine (``async def``) apps need an asyncio loop in a thread: ``run_event_loop`` (re-exported
here, as in PyWebIO); ``start_server`` starts one itself when an app needs it.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, request, send_from_directory

from ..server.http_poll import HttpRequest, HttpSessions, Poll
from ..sessions.coroutine import run_event_loop
from .tornado import handed_over

__all__ = ["webio_view", "wsgi_app", "start_server", "run_event_loop"]

logger = logging.getLogger("webio_desktop.server")


def _view(sessions: HttpSessions) -> Callable[[], Response]:
    def view() -> Response:
        reply = sessions.handle(HttpRequest(
            request.method, request.headers, request.args, request.get_data(), request.host,
            request.path, request.remote_addr or "", request._get_current_object()))
        if isinstance(reply, Poll):
            reply = reply.wait()
        return Response(reply.body, reply.status, reply.headers)

    return view


def _sessions(applications: Any, **settings: Any) -> HttpSessions:
    return HttpSessions.for_apps(applications, backend="flask", **settings)


def webio_view(applications: Any, cdn: bool | str = True,
               session_expire_seconds: int | None = None,
               session_cleanup_interval: int | None = None,
               allowed_origins: list[str] | None = None,
               check_origin: Callable[[str], bool] | None = None) -> Callable[[], Response]:
    """A Flask view serving the apps; route it with ``methods=['GET', 'POST', 'OPTIONS']``.

    ``cdn=True`` (default): the view serves the front end itself (``?_webio_static=...`` on its
    own URL), so nothing else needs a route; ``cdn=False``: you host ``STATIC_PATH`` in the
    view's directory; a string: the base URL of a copy of ``STATIC_PATH``.
    """
    return _view(_sessions(applications, cdn=cdn, allowed_origins=allowed_origins,
                           check_origin=check_origin,
                           session_expire_seconds=session_expire_seconds,
                           session_cleanup_interval=session_cleanup_interval,
                           max_payload_size="200M", serve_front_end=False))


def wsgi_app(applications: Any, cdn: bool | str = True, static_dir: str | None = None,
             allowed_origins: list[str] | None = None,
             check_origin: Callable[[str], bool] | None = None,
             session_expire_seconds: int | None = None,
             session_cleanup_interval: int | None = None,
             max_payload_size: int | str = "200M") -> Flask:
    """A Flask app serving the apps at ``/`` (and ``static_dir`` at ``/static/``)."""
    return _flask_app(applications, cdn=cdn, static_dir=static_dir,
                      allowed_origins=allowed_origins, check_origin=check_origin,
                      session_expire_seconds=session_expire_seconds,
                      session_cleanup_interval=session_cleanup_interval,
                      max_payload_size=max_payload_size)


def _flask_app(applications: Any, *, cdn: bool | str, static_dir: str | None,
               allowed_origins: list[str] | None, check_origin: Callable[[str], bool] | None,
               session_expire_seconds: int | None, session_cleanup_interval: int | None,
               max_payload_size: int | str, debug: bool = False) -> Flask:
    """wsgi_app, plus start_server's ``debug`` (tracebacks shown in the page)."""
    sessions = _sessions(applications, cdn=cdn, debug=debug, allowed_origins=allowed_origins,
                         check_origin=check_origin,
                         session_expire_seconds=session_expire_seconds,
                         session_cleanup_interval=session_cleanup_interval,
                         max_payload_size=max_payload_size, serve_front_end=True)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = sessions.options.max_message_size
    app.add_url_rule("/", "webio_view", _view(sessions), methods=["GET", "POST", "OPTIONS"])
    if static_dir is not None:
        app.add_url_rule("/static/<path:filename>", "webio_static_dir",
                         lambda filename: send_from_directory(static_dir, filename))
    return app


def start_server(applications: Any, port: int = 8080, host: str = "", cdn: bool | str = True,
                 static_dir: str | None = None, remote_access: bool = False,
                 allowed_origins: list[str] | None = None,
                 check_origin: Callable[[str], bool] | None = None,
                 session_expire_seconds: int | None = None,
                 session_cleanup_interval: int | None = None, debug: bool = False,
                 max_payload_size: int | str = "200M", **flask_options: Any) -> None:
    """Serve the apps with Flask's own (threaded) server until the process is stopped."""
    if handed_over(applications, debug=debug, static_dir=static_dir,
                   max_payload_size=max_payload_size):
        return  # the desktop launcher serves them (webio-desktop app.py)
    apps = HttpSessions.server_apps(applications, remote_access)
    app = _flask_app(apps, cdn=cdn, static_dir=static_dir, allowed_origins=allowed_origins,
                     check_origin=check_origin, session_expire_seconds=session_expire_seconds,
                     session_cleanup_interval=session_cleanup_interval,
                     max_payload_size=max_payload_size, debug=debug)
    flask_options.setdefault("threaded", True)  # every long poll holds a thread
    app.run(host=host or "0.0.0.0", port=port, debug=debug, **flask_options)
