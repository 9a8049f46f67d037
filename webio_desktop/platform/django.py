"""Serve apps from Django over the HTTP long-poll transport: ``webio_view``, ``wsgi_app``,
``start_server`` (Django is the ``django`` extra: ``pip install webio-desktop[django]``).

Coroutine (``async def``) apps need ``run_event_loop`` running in a thread (see ``.flask``).
"""
from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest as DjangoRequest
from django.http import HttpResponse as DjangoResponse
from django.views.decorators.csrf import csrf_exempt

from ..server.http_poll import HttpRequest, HttpSessions, Poll
from .tornado import handed_over

__all__ = ["webio_view", "wsgi_app", "start_server"]

logger = logging.getLogger("webio_desktop.server")

urlpatterns: list = []  # wsgi_app's routes (it makes this module the ROOT_URLCONF)


def _view(sessions: HttpSessions) -> Callable[[DjangoRequest], DjangoResponse]:
    @csrf_exempt  # the API needs a custom header, which cross-site forms can't send
    def view(request: DjangoRequest) -> DjangoResponse:
        reply = sessions.handle(HttpRequest(
            request.method or "GET", request.headers, request.GET, request.body,
            request.get_host(), request.path, request.META.get("REMOTE_ADDR", ""), request))
        if isinstance(reply, Poll):
            reply = reply.wait()
        return DjangoResponse(reply.body, status=reply.status, headers=reply.headers)

    return view


def _sessions(applications: Any, **settings: Any) -> HttpSessions:
    return HttpSessions.for_apps(applications, backend="django", **settings)


def webio_view(applications: Any, cdn: bool | str = True,
               session_expire_seconds: int | None = None,
               session_cleanup_interval: int | None = None,
               allowed_origins: list[str] | None = None,
               check_origin: Callable[[str], bool] | None = None
               ) -> Callable[[DjangoRequest], DjangoResponse]:
    """A Django view (CSRF-exempt) serving the apps: ``path("tool", webio_view(app))``.

    ``cdn`` as in ``flask.webio_view``. Large uploads also need Django's
    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` raised (2.5 MB by default).
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
             session_cleanup_interval: int | None = None, debug: bool = False,
             max_payload_size: int | str = "200M", **django_options: Any) -> Any:
    """A WSGI app: Django configured to serve the apps at ``/`` (``static_dir`` at ``/static/``).

    Configures Django's settings for this process (``DEBUG``, ``ALLOWED_HOSTS=['*']``, this
    module as ``ROOT_URLCONF``, a random ``SECRET_KEY``; ``django_options`` add to them).
    """
    import django
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.urls import path, re_path
    from django.views.static import serve

    sessions = _sessions(applications, cdn=cdn, debug=debug, allowed_origins=allowed_origins,
                         check_origin=check_origin,
                         session_expire_seconds=session_expire_seconds,
                         session_cleanup_interval=session_cleanup_interval,
                         max_payload_size=max_payload_size, serve_front_end=True)
    urlpatterns[:] = [path("", _view(sessions))]
    if static_dir is not None:
        urlpatterns.append(re_path(r"^static/(?P<path>.*)$", serve,
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
                 max_payload_size: int | str = "200M", **django_options: Any) -> None:
    """Serve the apps with Django's threaded WSGI server until the process is stopped."""
    if handed_over(applications, debug=debug, static_dir=static_dir,
                   max_payload_size=max_payload_size):
        return  # the desktop launcher serves them (webio-desktop app.py)
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    apps = HttpSessions.server_apps(applications, remote_access)
    app = wsgi_app(apps, cdn=cdn, static_dir=static_dir, allowed_origins=allowed_origins,
                   check_origin=check_origin, session_expire_seconds=session_expire_seconds,
                   session_cleanup_interval=session_cleanup_interval, debug=debug,
                   max_payload_size=max_payload_size, **django_options)
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
