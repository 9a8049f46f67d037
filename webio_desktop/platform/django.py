"""Serve apps from Django over the HTTP long-poll transport: ``webio_view``, ``wsgi_app``,
``start_server`` (Django is the ``django`` extra: ``pip install webio-desktop[django]``).

Coroutine (``async def``) apps need ``run_event_loop`` running in a thread (re-exported here, as
in ``.flask``).
"""
from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest as DjangoRequest
from django.http import HttpResponse as DjangoResponse
from django.views.decorators.csrf import csrf_exempt

from ..server.body import BodyTooLarge, read_body
from ..server.bootstrap import DEFAULT_PAYLOAD_SIZE, http_sessions, server_apps
from ..server.connect import FRAME_HEADERS, host_refusal
from ..server.files import refused
from ..server.http_poll import HttpRequest, HttpResponse, HttpSessions, Poll
from ..sessions.coroutine import run_event_loop
from .tornado import handed_over

__all__ = ["webio_view", "wsgi_app", "start_server", "run_event_loop"]

logger = logging.getLogger("webio_desktop.server")

urlpatterns: list = []  # wsgi_app's routes (it makes this module the ROOT_URLCONF)


def _view(sessions: HttpSessions) -> Callable[[DjangoRequest], DjangoResponse]:
    limit = sessions.options.max_message_size

    @csrf_exempt  # the API needs a custom header, which cross-site forms can't send
    def view(request: DjangoRequest) -> DjangoResponse:
        try:  # not request.body: it is read whole before any limit but Django's own
            body = _read_body(request, limit)
        except BodyTooLarge as exc:
            return _response(exc.response)
        reply = sessions.handle(HttpRequest(
            request.method or "GET", request.headers, request.GET, body,
            request.get_host(), request.path, request.META.get("REMOTE_ADDR", ""), request))
        if isinstance(reply, Poll):
            reply = reply.wait()
        return _response(reply)

    return view


def _host_checked(view: Callable, sessions: HttpSessions) -> Callable:
    """``view`` behind the Host rule (the webio view checks it itself, in ``HttpSessions``);
    its responses forbid framing by other origins (``FRAME_HEADERS``), as the page's do."""
    def checked(request: DjangoRequest, *args: Any, **kwargs: Any) -> Any:
        reason = host_refusal(request.META.get("HTTP_HOST", ""), sessions.options)
        if reason is not None:
            logger.warning("refused %s %s: %s", request.method, request.path, reason)
            return DjangoResponse(reason, status=403)
        response = view(request, *args, **kwargs)
        for name, value in FRAME_HEADERS.items():
            response[name] = value
        return response

    return checked


def _read_body(request: DjangoRequest, limit: int | None) -> bytes:
    """The body within ``limit``. Django reads only a declared ``Content-Length``; a chunked
    body is read from the server's stream when the server says it ends it
    (``wsgi.input_terminated``, e.g. gunicorn), else it counts as empty."""
    try:
        declared: int | None = int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        declared = None
    read = request.read
    if declared is None and request.META.get("wsgi.input_terminated"):
        read = request.META["wsgi.input"].read
    return read_body(read, declared, limit)


def _response(reply: HttpResponse) -> DjangoResponse:
    return DjangoResponse(reply.body, status=reply.status, headers=reply.headers)


def _static_view(serve: Callable[..., DjangoResponse]) -> Callable[..., DjangoResponse]:
    """Django's ``serve`` for ``static_dir``, hidden names (``files.py``) refused with 403."""
    def view(request: DjangoRequest, path: str, **kwargs: Any) -> DjangoResponse:
        if refused(path):
            return DjangoResponse("Forbidden", status=403)
        return serve(request, path, **kwargs)
    return view


def _sessions(applications: Any, **settings: Any) -> HttpSessions:
    return http_sessions(applications, backend="django", **settings)


def webio_view(applications: Any, cdn: bool | str = True,
               session_expire_seconds: int | None = None,
               session_cleanup_interval: int | None = None,
               allowed_origins: list[str] | None = None,
               check_origin: Callable[[str], bool] | None = None,
               max_pending_output: int | str | None = None,
               max_payload_size: int | str = DEFAULT_PAYLOAD_SIZE
               ) -> Callable[[DjangoRequest], DjangoResponse]:
    """A Django view (CSRF-exempt) serving the apps: ``path("tool", webio_view(app))``.

    ``cdn`` and ``max_payload_size`` as in ``flask.webio_view`` (the view reads the body
    itself, so Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` does not apply to it).
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
             session_cleanup_interval: int | None = None, debug: bool = False,
             max_payload_size: int | str = DEFAULT_PAYLOAD_SIZE,
             max_pending_output: int | str | None = None,
             allowed_hosts: list[str] | None = None, **django_options: Any) -> Any:
    """A WSGI app: Django configured to serve the apps at ``/`` (``static_dir`` at ``/static/``).

    Configures Django's settings for this process (``DEBUG``, ``ALLOWED_HOSTS=['*']``, this
    module as ``ROOT_URLCONF``, a random ``SECRET_KEY``; ``django_options`` add to them).
    ``allowed_hosts``: the only host names (besides the loopback ones; ``"*"`` wildcards)
    requests may name (others: 403); None: any.
    """
    return _wsgi_app(applications, cdn=cdn, static_dir=static_dir,
                     allowed_origins=allowed_origins, check_origin=check_origin,
                     session_expire_seconds=session_expire_seconds,
                     session_cleanup_interval=session_cleanup_interval, debug=debug,
                     max_payload_size=max_payload_size, max_pending_output=max_pending_output,
                     allowed_hosts=allowed_hosts, bind_host=None, **django_options)


def _wsgi_app(applications: Any, *, cdn: bool | str, static_dir: str | None,
              allowed_origins: list[str] | None, check_origin: Callable[[str], bool] | None,
              session_expire_seconds: int | None, session_cleanup_interval: int | None,
              debug: bool, max_payload_size: int | str,
              max_pending_output: int | str | None, allowed_hosts: list[str] | None,
              bind_host: str | None, **django_options: Any) -> Any:
    """wsgi_app, with the address start_server binds (loopback: loopback host names only)."""
    import django
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.urls import path, re_path
    from django.views.static import serve

    sessions = _sessions(applications, cdn=cdn, debug=debug, allowed_origins=allowed_origins,
                         check_origin=check_origin,
                         session_expire_seconds=session_expire_seconds,
                         session_cleanup_interval=session_cleanup_interval,
                         max_payload_size=max_payload_size,
                         max_pending_output=max_pending_output, serve_front_end=True,
                         bind_host=bind_host, allowed_hosts=allowed_hosts)
    urlpatterns[:] = [path("", _view(sessions))]
    if static_dir is not None:
        urlpatterns.append(re_path(r"^static/(?P<path>.*)$",
                                   _host_checked(_static_view(serve), sessions),
                                   {"document_root": static_dir}))
    if not settings.configured:
        settings.configure(**{
            "DEBUG": debug, "ALLOWED_HOSTS": ["*"], "ROOT_URLCONF": __name__,
            "SECRET_KEY": secrets.token_urlsafe(32),
            "DATA_UPLOAD_MAX_MEMORY_SIZE": sessions.options.max_message_size,
            **django_options})
        django.setup()
    return get_wsgi_application()


def start_server(applications: Any, port: int = 8080, host: str = "", cdn: bool | str = True,
                 static_dir: str | None = None, remote_access: bool = False,
                 allowed_origins: list[str] | None = None,
                 check_origin: Callable[[str], bool] | None = None,
                 session_expire_seconds: int | None = None,
                 session_cleanup_interval: int | None = None, debug: bool = False,
                 max_payload_size: int | str = DEFAULT_PAYLOAD_SIZE,
                 max_pending_output: int | str | None = None,
                 allowed_hosts: list[str] | None = None, **django_options: Any) -> None:
    """Serve the apps with Django's threaded WSGI server until the process is stopped.

    ``allowed_hosts``: as in ``platform.tornado.start_server`` (a loopback ``host`` serves
    loopback host names only).
    """
    if handed_over(applications, debug=debug, static_dir=static_dir,
                   max_payload_size=max_payload_size):
        return  # the desktop launcher serves them (webio-desktop app.py)
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    apps = server_apps(applications, remote_access)
    app = _wsgi_app(apps, cdn=cdn, static_dir=static_dir, allowed_origins=allowed_origins,
                    check_origin=check_origin, session_expire_seconds=session_expire_seconds,
                    session_cleanup_interval=session_cleanup_interval, debug=debug,
                    max_payload_size=max_payload_size, max_pending_output=max_pending_output,
                    allowed_hosts=allowed_hosts, bind_host=host or "0.0.0.0", **django_options)
    server = ThreadedWSGIServer((host or "0.0.0.0", port), WSGIRequestHandler)
    server.set_app(app)
    shown = host if host and host not in ("0.0.0.0", "::") else "127.0.0.1"
    print(f"Serving on http://{shown}:{server.server_address[1]}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
