"""Serve apps with Tornado over WebSocket: ``start_server`` and ``webio_handler``."""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ..server import run
from ..server.apps import normalize_apps
from ..server.bootstrap import DEFAULT_PAYLOAD_SIZE, handler_options
from ..server.reload import ReloadChannel
from ..server.tornado import make_handler
from ..sessions import script_mode
from ..sessions.host import current_host

__all__ = ["start_server", "webio_handler"]

logger = logging.getLogger("webio_desktop.server")


def handed_over(applications: Any, **options: Any) -> bool:
    """Give the apps to the installed host (``sessions/host.py``; e.g. the desktop launcher) if
    it serves them itself, and return True once it is done with them.

    Every framework's ``start_server`` asks this first, so ``webio-desktop app.py`` shows a
    script written for Flask, Django, aiohttp or FastAPI in windows, as it does a Tornado one.
    ``options``: the settings all start_servers share (debug, static_dir, max_payload_size...).
    """
    script_mode.enter_server_mode()
    return current_host().start_server(applications, options)


def webio_handler(applications: Any, cdn: bool | str = True, reconnect_timeout: int = 0,
                  allowed_origins: list[str] | None = None,
                  check_origin: Callable[[str], bool] | None = None,
                  max_pending_output: int | str | None = None) -> type:
    """A Tornado ``RequestHandler`` class serving the apps (page and WebSocket on one URL).

    Add it to your own ``tornado.web.Application`` at any path. ``cdn=True`` (default): the
    handler also serves the front end (``?_webio_static=`` on its own URL), so nothing else
    is needed; ``cdn=False``: you host ``STATIC_PATH`` in the handler's folder; a string: the
    base URL of your copy. ``reconnect_timeout``: seconds a session waits for its page to
    reconnect after the socket drops, with no output lost. ``max_pending_output``: bytes of
    output a session may hold for a page that is not taking it (None: the environment variable
    ``WEBIO_MAX_PENDING_OUTPUT``, else 16M; 0: no limit; docs/limits.md).
    """
    return make_handler(handler_options(applications, cdn=cdn, embedded=True,
                                        reconnect_timeout=reconnect_timeout,
                                        allowed_origins=allowed_origins,
                                        check_origin=check_origin,
                                        max_pending_output=max_pending_output))


def start_server(applications: Any, port: int = 0, host: str = "", debug: bool = False,
                 cdn: bool | str = True, static_dir: str | None = None,
                 remote_access: bool = False, reconnect_timeout: int = 0,
                 allowed_origins: list[str] | None = None,
                 check_origin: Callable[[str], bool] | None = None,
                 auto_open_webbrowser: bool = False, max_payload_size: int | str = DEFAULT_PAYLOAD_SIZE,
                 max_pending_output: int | str | None = None,
                 allowed_hosts: list[str] | None = None,
                 prerender: bool | None = None, **tornado_app_settings: Any) -> None:
    """Serve the apps until the process is stopped (``?app=NAME`` picks one; default ``index``).

    ``debug``: tracebacks in the page, and Tornado's autoreload: a saved change of a module the
    process imported restarts it (on the same port, also with ``port=0``) and open pages reload.

    ``cdn``: True or False serve our front end from this server (there is no public CDN for
    webio-desktop, so pages work offline either way); a string is a base URL where you host a
    copy of ``STATIC_PATH``. ``max_pending_output``: as in :func:`webio_handler`.
    ``allowed_hosts``: host names (``"*"`` wildcards) requests may name besides the loopback
    ones; bound to a loopback ``host``, only loopback names are served by default (403 for
    others: DNS rebinding), bound to all interfaces any name is unless this lists some.
    ``prerender=True``: a page request starts its app and the page carries what the app shows
    first (``server/prerender.py``; content sooner, but every GET of a page, a prefetcher's or a
    link preview's too, runs app code; a session whose page never attaches is closed after
    10 s). Off by default here (None); on by default in the launcher's windows.
    """
    if handed_over(applications, port=port, host=host, debug=debug, cdn=cdn,
                   static_dir=static_dir, reconnect_timeout=reconnect_timeout,
                   allowed_origins=allowed_origins, check_origin=check_origin,
                   max_payload_size=max_payload_size, allowed_hosts=allowed_hosts,
                   prerender=prerender,
                   **tornado_app_settings):
        return
    options = handler_options(applications, cdn=cdn, debug=debug,
                              allowed_origins=allowed_origins, check_origin=check_origin,
                              max_payload_size=max_payload_size,
                              max_pending_output=max_pending_output, bind_host=host,
                              allowed_hosts=allowed_hosts,
                              reconnect_timeout=reconnect_timeout, prerender=bool(prerender))
    if debug:
        # PyWebIO's debug: Tornado's debug mode, whose autoreload restarts the process when a
        # module changes; the pages reload themselves once it is back (server/reload.py).
        tornado_app_settings.setdefault("debug", True)
        options.reload = ReloadChannel()
    run.warn_remote_access(remote_access)
    application = run.make_application(options, static_dir=static_dir, **tornado_app_settings)
    run.serve_forever(application, options.sessions, port=port, host=host,
                      max_body_size=options.max_message_size, open_browser=auto_open_webbrowser)
