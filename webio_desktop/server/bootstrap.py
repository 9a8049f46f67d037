"""What every framework does first, written once: end script mode, normalise the apps, build
the handler options (and, for the HTTP transport, its sessions).

Every ``start_server``, ``webio_handler``, ``webio_view``, ``wsgi_app``, ``asgi_app`` and
``path_deploy`` in ``platform/`` starts here, so a setting means the same on every framework and
the framework modules only translate requests.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..sessions import script_mode
from ..sessions.coroutine import ensure_event_loop_thread
from ..utils import parse_file_size
from .apps import AppMap, is_coroutine_app, normalize_apps
from .connect import DEFAULT_PENDING_OUTPUT, HandlerOptions, accepted_hosts, pending_output_limit
from .http_poll import HttpSessions

# PyWebIO's default ``max_payload_size``: the largest message (an upload) a page may send.
DEFAULT_PAYLOAD_SIZE = "200M"
def handler_options(applications: Any, *, max_payload_size: int | str | None = None,
                    max_pending_output: int | str | None = None,
                    bind_host: str | None = None, allowed_hosts: Sequence[str] | None = None,
                    **settings: Any) -> HandlerOptions:
    """The options of one handler, view or server (the API now belongs to its sessions).

    ``applications``: what ``start_server`` takes (a function, list or dict), or None for a
    template whose apps are chosen per request (``path_deploy``). ``max_payload_size``: bytes
    or a size like ``"200M"``; None leaves messages unlimited. ``max_pending_output``: see
    :func:`pending_output_limit`. ``bind_host``: the address a
    server we run binds (None: an embedded handler); with ``allowed_hosts`` it decides which
    Host headers are served (``connect.accepted_hosts``). ``settings``: the other
    :class:`HandlerOptions` fields (``cdn``, ``debug``, ``reconnect_timeout``...).
    """
    script_mode.enter_server_mode()
    apps: AppMap = {} if applications is None else normalize_apps(applications)
    size = None if max_payload_size is None else parse_file_size(max_payload_size)
    return HandlerOptions(apps, max_message_size=size,
                          max_pending_output=pending_output_limit(max_pending_output),
                          allowed_hosts=accepted_hosts(bind_host, allowed_hosts), **settings)


def http_sessions(applications: Any, *, backend: str, serve_front_end: bool,
                  session_expire_seconds: int | None = None,
                  session_cleanup_interval: int | None = None,
                  max_payload_size: int | str = DEFAULT_PAYLOAD_SIZE,
                  **settings: Any) -> HttpSessions:
    """The HTTP long-poll sessions of a view or server (Flask, Django, tornado_http).

    ``backend``: the framework's name (``session.info.backend``); ``serve_front_end``: True when
    the server is ours (``start_server``, ``wsgi_app``), so it serves our front end even with
    ``cdn=False``; the rest as in :func:`handler_options` and ``HttpSessions``.
    """
    options = handler_options(applications, max_payload_size=max_payload_size, **settings)
    return HttpSessions(options, backend=backend, serve_front_end=serve_front_end,
                        session_expire_seconds=session_expire_seconds,
                        session_cleanup_interval=session_cleanup_interval)


def server_apps(applications: Any, remote_access: bool) -> AppMap:
    """What a WSGI framework's start_server does first: the apps, with the event-loop thread of
    ``run_event_loop`` started when one of them is ``async def`` (WSGI has no loop of its own)."""
    from .run import warn_remote_access  # (run.py imports Tornado, which WSGI servers don't use)

    apps = normalize_apps(applications)
    if any(is_coroutine_app(app) for app in apps.values()):
        ensure_event_loop_thread()
    warn_remote_access(remote_access)
    return apps


__all__ = ["DEFAULT_PAYLOAD_SIZE", "DEFAULT_PENDING_OUTPUT", "handler_options", "http_sessions",
           "pending_output_limit", "server_apps"]
