"""Serve apps with Tornado over WebSocket: ``start_server`` and ``webio_handler``."""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ..server import run
from ..server.apps import normalize_apps
from ..server.tornado import HandlerOptions, make_handler
from ..sessions import script_mode
from ..utils import parse_file_size

__all__ = ["start_server", "webio_handler"]

logger = logging.getLogger("webio_desktop.server")

# Set by an embedder (the desktop launcher) to take over ``start_server``: called with the
# normalised apps and start_server's keyword arguments instead of serving them here.
server_override: Callable[..., Any] | None = None


def handed_over(applications: Any, **options: Any) -> bool:
    """Give the apps to the embedder that took over ``start_server`` (the desktop launcher), if
    any, and return True once it is done with them.

    Every framework's ``start_server`` asks this first, so ``webio-desktop app.py`` shows a
    script written for Flask, Django, aiohttp or FastAPI in windows, as it does a Tornado one.
    ``options``: the settings all start_servers share (debug, static_dir, max_payload_size...).
    """
    if server_override is None:
        return False
    script_mode.enter_server_mode()
    server_override(normalize_apps(applications), **options)
    return True


def webio_handler(applications: Any, cdn: bool | str = True, reconnect_timeout: int = 0,
                  allowed_origins: list[str] | None = None,
                  check_origin: Callable[[str], bool] | None = None) -> type:
    """A Tornado ``RequestHandler`` class serving the apps (page and WebSocket on one URL).

    Add it to your own ``tornado.web.Application`` at any path. ``cdn=True`` (default): the
    handler also serves the front end (``?_webio_static=`` on its own URL), so nothing else
    is needed; ``cdn=False``: you host ``STATIC_PATH`` in the handler's folder; a string: the
    base URL of your copy. ``reconnect_timeout``: seconds a session waits for its page to
    reconnect after the socket drops, with no output lost.
    """
    script_mode.enter_server_mode()
    options = HandlerOptions(normalize_apps(applications), cdn=cdn, embedded=True,
                             reconnect_timeout=reconnect_timeout,
                             allowed_origins=allowed_origins, check_origin=check_origin)
    return make_handler(options)


def start_server(applications: Any, port: int = 0, host: str = "", debug: bool = False,
                 cdn: bool | str = True, static_dir: str | None = None,
                 remote_access: bool = False, reconnect_timeout: int = 0,
                 allowed_origins: list[str] | None = None,
                 check_origin: Callable[[str], bool] | None = None,
                 auto_open_webbrowser: bool = False, max_payload_size: int | str = "200M",
                 **tornado_app_settings: Any) -> None:
    """Serve the apps until the process is stopped (``?app=NAME`` picks one; default ``index``).

    ``cdn``: True or False serve our front end from this server (there is no public CDN for
    webio-desktop, so pages work offline either way); a string is a base URL where you host a
    copy of ``STATIC_PATH``.
    """
    if handed_over(applications, port=port, host=host, debug=debug, cdn=cdn,
                   static_dir=static_dir, reconnect_timeout=reconnect_timeout,
                   allowed_origins=allowed_origins, check_origin=check_origin,
                   max_payload_size=max_payload_size, **tornado_app_settings):
        return
    script_mode.enter_server_mode()
    apps = normalize_apps(applications)
    if remote_access:
        logger.warning("remote_access is not supported: webio-desktop sends no traffic to "
                       "third-party relays. Put the server behind your own reverse proxy.")
    max_size = parse_file_size(max_payload_size)
    options = HandlerOptions(apps, cdn=cdn, debug=debug, allowed_origins=allowed_origins,
                             check_origin=check_origin, max_message_size=max_size,
                             reconnect_timeout=reconnect_timeout)
    application = run.make_application(options, static_dir=static_dir, **tornado_app_settings)
    run.serve_forever(application, options.sessions, port=port, host=host, max_body_size=max_size,
                      open_browser=auto_open_webbrowser)
