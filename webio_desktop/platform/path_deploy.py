"""``path_deploy``: serve every ``.py`` file with a ``main`` under a folder as an app at its path.

``/a/b`` runs ``main`` of ``<base>/a/b.py`` (see ``server/folder.py`` for the rules), over the
WebSocket transport (``path_deploy_http``: HTTP long-polling). The ``webio-path-deploy``
command is ``main()`` below.
"""
from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from typing import Any

from ..server import run
from ..server.bootstrap import DEFAULT_PAYLOAD_SIZE, handler_options
from ..server.folder import AppFolder, Index, make_folder_application
from ..server.tornado import HandlerOptions
from ..sessions import script_mode
from ..sessions.host import current_host

__all__ = ["path_deploy", "path_deploy_http"]

logger = logging.getLogger("webio_desktop.server")


def path_deploy(base: str, port: int = 0, host: str = "", index: Index = True,
                static_dir: str | None = None, reconnect_timeout: int = 0,
                cdn: bool | str = True, debug: bool = False,
                allowed_origins: list[str] | None = None,
                check_origin: Callable[[str], bool] | None = None,
                max_payload_size: int | str = DEFAULT_PAYLOAD_SIZE,
                allowed_hosts: list[str] | None = None, **tornado_app_settings: Any) -> None:
    """Serve the apps of folder ``base`` until the process is stopped.

    ``allowed_hosts``: as in ``start_server`` (a loopback ``host`` serves loopback names only).
    """
    script_mode.enter_server_mode()
    if current_host().path_deploy(base, dict(index=index, debug=debug, static_dir=static_dir,
                                             max_payload_size=max_payload_size,
                                             **tornado_app_settings)):
        return  # the host (the desktop launcher) served the folder
    template = handler_options(None, cdn=cdn, debug=debug, allowed_origins=allowed_origins,
                               check_origin=check_origin, max_payload_size=max_payload_size,
                               reconnect_timeout=reconnect_timeout, bind_host=host,
                               allowed_hosts=allowed_hosts)
    folder = AppFolder(base, template, index=index)
    application = make_folder_application(folder, static_dir=static_dir, **tornado_app_settings)
    run.serve_forever(application, template.sessions, port=port, host=host,
                      max_body_size=template.max_message_size, what=str(folder.base))


def path_deploy_http(base: str, port: int = 0, host: str = "", index: Index = True,
                     static_dir: str | None = None, cdn: bool | str = True, debug: bool = False,
                     allowed_origins: list[str] | None = None,
                     check_origin: Callable[[str], bool] | None = None,
                     session_expire_seconds: int | None = None,
                     session_cleanup_interval: int | None = None,
                     max_payload_size: int | str = DEFAULT_PAYLOAD_SIZE,
                     allowed_hosts: list[str] | None = None, **tornado_app_settings: Any) -> None:
    """``path_deploy`` over the HTTP long-poll transport (``tornado_http``'s handler)."""
    from ..server.folder import options_for_request
    from ..server.http_poll import HttpSessions
    from .tornado_http import HttpPollHandler

    script_mode.enter_server_mode()
    if current_host().path_deploy(base, dict(index=index, debug=debug, static_dir=static_dir,
                                             max_payload_size=max_payload_size)):
        return  # the host (the desktop launcher) served the folder
    template = handler_options(None, cdn=cdn, debug=debug, allowed_origins=allowed_origins,
                               check_origin=check_origin, max_payload_size=max_payload_size,
                               bind_host=host, allowed_hosts=allowed_hosts)
    folder = AppFolder(base, template, index=index)
    sessions = HttpSessions(template, backend="tornado", serve_front_end=True,
                            session_expire_seconds=session_expire_seconds,
                            session_cleanup_interval=session_cleanup_interval)

    class FolderHttpHandler(HttpPollHandler):
        def options_for_request(self) -> HandlerOptions | None:
            return options_for_request(folder, self)

    FolderHttpHandler.sessions = sessions
    application = make_folder_application(folder, static_dir=static_dir,
                                          handler_class=FolderHttpHandler,
                                          **tornado_app_settings)
    run.serve_forever(application, template.sessions, port=port, host=host,
                      max_body_size=template.max_message_size, what=str(folder.base))


def main(argv: list[str] | None = None) -> int:
    """``webio-path-deploy PATH``: the command-line face of ``path_deploy``."""
    parser = argparse.ArgumentParser(prog="webio-path-deploy", add_help=False,
                                     description="Serve every .py file with a main under PATH "
                                                 "as an app at its path.")
    parser.add_argument("--help", action="help", help="show this help and exit")
    parser.add_argument("path", help="the folder of apps")
    parser.add_argument("-p", "--port", type=int, default=8080)
    parser.add_argument("-h", "--host", default="", help="interface (default: all)")
    parser.add_argument("--no-index", dest="index", action="store_false",
                        help="no listing of folders without index.py (403 instead)")
    parser.add_argument("--static-dir", help="a folder served under /static/")
    parser.add_argument("--no-cdn", dest="cdn", action="store_false",
                        help="accepted for compatibility (the front end is always local)")
    parser.add_argument("-d", "--debug", action="store_true")
    parser.add_argument("--http", action="store_true",
                        help="HTTP long-polling instead of WebSocket (path_deploy_http)")
    parser.add_argument("--session-expire-seconds", type=int,
                        help="--http: end a session after this long without requests (600)")
    parser.add_argument("--session-cleanup-interval", type=int,
                        help="--http: look for expired sessions this often (300)")
    parser.add_argument("--websocket-max-message-size", default=DEFAULT_PAYLOAD_SIZE)
    parser.add_argument("--websocket-ping-interval", type=int)
    parser.add_argument("--websocket-ping-timeout", type=int)
    args = parser.parse_args(argv)
    settings = {key: value for key, value in (
        ("websocket_ping_interval", args.websocket_ping_interval),
        ("websocket_ping_timeout", args.websocket_ping_timeout)) if value is not None}
    common = dict(port=args.port, host=args.host, index=args.index, static_dir=args.static_dir,
                  cdn=args.cdn, debug=args.debug,
                  max_payload_size=args.websocket_max_message_size)
    if args.http:
        path_deploy_http(args.path, session_expire_seconds=args.session_expire_seconds,
                         session_cleanup_interval=args.session_cleanup_interval, **common)
    else:
        path_deploy(args.path, **common, **settings)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
