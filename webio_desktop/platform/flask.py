"""Serve apps from Flask over the HTTP long-poll transport: ``webio_view``, ``wsgi_app``,
``start_server`` (Flask is the ``flask`` extra: ``pip install webio-desktop[flask]``).

Coroutine (``async def``) apps need an asyncio loop in a thread: ``run_event_loop`` (re-exported
here, as in PyWebIO); ``start_server`` starts one itself when an app needs it.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, abort, request, send_from_directory

from ..server.body import BodyTooLarge, read_body
from ..server.bootstrap import DEFAULT_PAYLOAD_SIZE, http_sessions, server_apps
from ..server.connect import FRAME_HEADERS, host_refusal
from ..server.files import refused
from ..server.http_poll import HttpRequest, HttpResponse, HttpSessions, Poll
from ..sessions.coroutine import run_event_loop
from .tornado import handed_over

__all__ = ["webio_view", "wsgi_app", "start_server", "run_event_loop"]

logger = logging.getLogger("webio_desktop.server")


def _view(sessions: HttpSessions) -> Callable[[], Response]:
    limit = sessions.options.max_message_size

    def view() -> Response:
        try:  # read in bounded chunks: refused at the limit, never held whole first
            body = read_body(request.stream.read, request.content_length, limit)
        except BodyTooLarge as exc:
            return _response(exc.response)
        reply = sessions.handle(HttpRequest(
            request.method, request.headers, request.args, body, request.host,
            request.path, request.remote_addr or "", request._get_current_object()))
        if isinstance(reply, Poll):
            reply = reply.wait()
        return _response(reply)

    return view


def _response(reply: HttpResponse) -> Response:
    return Response(reply.body, reply.status, reply.headers)


def _sessions(applications: Any, **settings: Any) -> HttpSessions:
    return http_sessions(applications, backend="flask", **settings)


def webio_view(applications: Any, cdn: bool | str = True,
               session_expire_seconds: int | None = None,
               session_cleanup_interval: int | None = None,
               allowed_origins: list[str] | None = None,
               check_origin: Callable[[str], bool] | None = None,
               max_pending_output: int | str | None = None,
               max_payload_size: int | str = DEFAULT_PAYLOAD_SIZE) -> Callable[[], Response]:
    """A Flask view serving the apps; route it with ``methods=['GET', 'POST', 'OPTIONS']``.

    ``cdn=True`` (default): the view serves the front end itself (``?_webio_static=...`` on its
    own URL), so nothing else needs a route; ``cdn=False``: you host ``STATIC_PATH`` in the
    view's directory; a string: the base URL of a copy of ``STATIC_PATH``.
    ``max_payload_size``: the largest request body (an upload) the view reads, bytes or a size
    like ``"200M"``; a larger one gets 413 (a declared length before a byte is read).
    """
    return _view(_sessions(applications, cdn=cdn, allowed_origins=allowed_origins,
                           check_origin=check_origin,
                           session_expire_seconds=session_expire_seconds,
                           session_cleanup_interval=session_cleanup_interval,
                           max_pending_output=max_pending_output,
                           max_payload_size=max_payload_size, serve_front_end=False))


def wsgi_app(applications: Any, cdn: bool | str = True, static_dir: str | None = None,
             allowed_origins: list[str] | None = None,
             check_origin: Callable[[str], bool] | None = None,
             session_expire_seconds: int | None = None,
             session_cleanup_interval: int | None = None,
             max_payload_size: int | str = DEFAULT_PAYLOAD_SIZE,
             max_pending_output: int | str | None = None,
             allowed_hosts: list[str] | None = None) -> Flask:
    """A Flask app serving the apps at ``/`` (and ``static_dir`` at ``/static/``).

    ``allowed_hosts``: the only host names (besides the loopback ones; ``"*"`` wildcards)
    requests may name (others: 403); None: any.
    """
    return _flask_app(applications, cdn=cdn, static_dir=static_dir,
                      allowed_origins=allowed_origins, check_origin=check_origin,
                      session_expire_seconds=session_expire_seconds,
                      session_cleanup_interval=session_cleanup_interval,
                      max_payload_size=max_payload_size,
                      max_pending_output=max_pending_output, allowed_hosts=allowed_hosts)


def _flask_app(applications: Any, *, cdn: bool | str, static_dir: str | None,
               allowed_origins: list[str] | None, check_origin: Callable[[str], bool] | None,
               session_expire_seconds: int | None, session_cleanup_interval: int | None,
               max_payload_size: int | str, debug: bool = False,
               max_pending_output: int | str | None = None,
               allowed_hosts: list[str] | None = None, bind_host: str | None = None) -> Flask:
    """wsgi_app, plus start_server's ``debug`` (tracebacks shown in the page) and the address
    it binds (``bind_host``: loopback serves loopback host names only)."""
    sessions = _sessions(applications, cdn=cdn, debug=debug, allowed_origins=allowed_origins,
                         check_origin=check_origin,
                         session_expire_seconds=session_expire_seconds,
                         session_cleanup_interval=session_cleanup_interval,
                         max_payload_size=max_payload_size,
                         max_pending_output=max_pending_output, serve_front_end=True,
                         bind_host=bind_host, allowed_hosts=allowed_hosts)
    app = Flask(__name__, static_folder=None)  # its own /static route would hide static_dir
    app.config["MAX_CONTENT_LENGTH"] = sessions.options.max_message_size
    app.add_url_rule("/", "webio_view", _view(sessions), methods=["GET", "POST", "OPTIONS"])

    @app.after_request
    def forbid_framing(response: Response) -> Response:  # static_dir and errors too
        for name, value in FRAME_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.before_request
    def check_host() -> Response | None:  # every route, static_dir too (DNS rebinding)
        reason = host_refusal(request.host, sessions.options)
        if reason is None:
            return None
        logger.warning("refused %s %s from %s: %s", request.method, request.path,
                       request.remote_addr, reason)
        return Response(reason, 403)

    if static_dir is not None:
        app.add_url_rule("/static/<path:filename>", "webio_static_dir",
                         lambda filename: abort(403) if refused(filename)
                         else send_from_directory(static_dir, filename))
    return app


def start_server(applications: Any, port: int = 8080, host: str = "", cdn: bool | str = True,
                 static_dir: str | None = None, remote_access: bool = False,
                 allowed_origins: list[str] | None = None,
                 check_origin: Callable[[str], bool] | None = None,
                 session_expire_seconds: int | None = None,
                 session_cleanup_interval: int | None = None, debug: bool = False,
                 max_payload_size: int | str = DEFAULT_PAYLOAD_SIZE,
                 max_pending_output: int | str | None = None,
                 allowed_hosts: list[str] | None = None, **flask_options: Any) -> None:
    """Serve the apps with Flask's own (threaded) server until the process is stopped.

    ``debug``: tracebacks in the app's page (never Werkzeug's debugger; ``use_reloader=True``
    adds Flask's reloader). ``allowed_hosts``: as in ``platform.tornado.start_server`` (a
    loopback ``host`` serves loopback host names only).
    """
    if handed_over(applications, debug=debug, static_dir=static_dir,
                   max_payload_size=max_payload_size):
        return  # the desktop launcher serves them (webio-desktop app.py)
    apps = server_apps(applications, remote_access)
    app = _flask_app(apps, cdn=cdn, static_dir=static_dir, allowed_origins=allowed_origins,
                     check_origin=check_origin, session_expire_seconds=session_expire_seconds,
                     session_cleanup_interval=session_cleanup_interval,
                     max_payload_size=max_payload_size, debug=debug,
                     max_pending_output=max_pending_output,
                     allowed_hosts=allowed_hosts, bind_host=host or "0.0.0.0")
    flask_options.setdefault("threaded", True)  # every long poll holds a thread
    # debug means tracebacks in the page, as in PyWebIO: never Werkzeug's interactive debugger
    # (code execution for anyone who can cause a 500), nor its reloader unless asked for.
    if any([flask_options.pop("use_debugger", False), flask_options.pop("use_evalex", False)]):
        logger.warning("use_debugger is ignored: webio-desktop never serves Werkzeug's "
                       "interactive debugger")
    flask_options.setdefault("use_reloader", False)
    app.run(host=host or "0.0.0.0", port=port, debug=debug, use_debugger=False,
            **flask_options)
