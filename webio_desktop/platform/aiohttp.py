"""Serve apps with aiohttp over WebSocket: ``webio_handler``, ``static_routes``, ``start_server``.

Needs the ``aiohttp`` extra (``pip install webio-desktop[aiohttp]``). Sessions run on aiohttp's
own event loop; the session logic is shared with the other transports (``server/link.py``).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import WSMsgType, web

from ..server import run
from ..server.apps import normalize_apps
from ..server.connect import HandlerOptions, origin_allowed, session_info
from ..server.link import page_response, run_socket
from ..server.page import STATIC_PATH
from ..sessions import script_mode
from ..sessions.core import SessionInfo
from ..utils import parse_file_size
from .tornado import handed_over

__all__ = ["webio_handler", "static_routes", "start_server"]


def webio_handler(applications: Any, cdn: bool | str = True, reconnect_timeout: int = 0,
                  allowed_origins: list[str] | None = None,
                  check_origin: Callable[[str], bool] | None = None,
                  max_payload_size: int | str = "200M",
                  websocket_settings: dict[str, Any] | None = None) -> Callable:
    """An aiohttp request handler serving the apps: the page, its WebSocket and (with
    ``cdn=True``) the front end, all on the route's own URL, e.g.
    ``app.add_routes([web.get('/tool', webio_handler(main))])``.

    ``cdn=False``: host ``STATIC_PATH`` next to the route yourself (see :func:`static_routes`).
    ``websocket_settings`` go to ``aiohttp.web.WebSocketResponse``.
    """
    script_mode.enter_server_mode()
    max_size = parse_file_size(max_payload_size)
    options = HandlerOptions(normalize_apps(applications), cdn=cdn, embedded=True,
                             reconnect_timeout=reconnect_timeout, max_message_size=max_size,
                             allowed_origins=allowed_origins, check_origin=check_origin)
    settings = {"max_msg_size": max_size or 0, "autoping": True, "heartbeat": 30,
                **(websocket_settings or {})}

    async def handler(request: web.Request) -> web.StreamResponse:
        query = dict(request.query)
        ws = web.WebSocketResponse(**settings)
        if not ws.can_prepare(request).ok:
            response = page_response(options, request.path, query)
            return web.Response(status=response.status, body=response.body,
                                headers=response.headers)
        if not origin_allowed(request.headers.get("Origin", ""), request.host, options):
            return web.Response(status=403, text="origin not allowed")
        await ws.prepare(request)

        async def receive() -> str | bytes | None:
            message = await ws.receive()
            if message.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                return message.data
            return None  # CLOSE, CLOSING, CLOSED, ERROR

        async def close(code: int, reason: str) -> None:
            await ws.close(code=code, message=reason.encode())

        await run_socket(options, query, _session_info(request), send=ws.send_str,
                         close=close, receive=receive)
        return ws

    handler.webio_options = options  # type: ignore[attr-defined]  # for embedders and tests
    return handler


def _session_info(request: web.Request) -> SessionInfo:
    return session_info(request.headers, host=request.host, user_ip=request.remote or "",
                        backend="aiohttp", protocol="websocket", request=request)


def static_routes(prefix: str = "/") -> list[web.AbstractRouteDef]:
    """Routes serving the front end (``STATIC_PATH``) at ``prefix``: what ``cdn=False`` pages
    at that level load (``app.add_routes(static_routes())``)."""
    return [web.static(prefix, STATIC_PATH)]


def start_server(applications: Any, port: int = 0, host: str = "", debug: bool = False,
                 cdn: bool | str = True, static_dir: str | None = None,
                 remote_access: bool = False, reconnect_timeout: int = 0,
                 allowed_origins: list[str] | None = None,
                 check_origin: Callable[[str], bool] | None = None,
                 auto_open_webbrowser: bool = False, max_payload_size: int | str = "200M",
                 websocket_settings: dict[str, Any] | None = None,
                 **aiohttp_settings: Any) -> None:
    """Serve the apps with aiohttp at ``/`` until stopped (``aiohttp_settings`` go to
    ``web.Application``)."""
    if handed_over(applications, debug=debug, static_dir=static_dir,
                   max_payload_size=max_payload_size):
        return  # the desktop launcher serves them (webio-desktop app.py)
    if remote_access:
        run.logger.warning("remote_access is not supported: put the server behind your own "
                           "reverse proxy.")
    max_size = parse_file_size(max_payload_size)
    app = web.Application(client_max_size=max_size, **aiohttp_settings)
    handler = webio_handler(applications, cdn=cdn, reconnect_timeout=reconnect_timeout,
                            allowed_origins=allowed_origins, check_origin=check_origin,
                            max_payload_size=max_payload_size,
                            websocket_settings=websocket_settings)
    handler.webio_options.debug = debug  # type: ignore[attr-defined]  # traceback popups
    app.add_routes([web.get("/", handler)])
    if static_dir is not None:
        app.add_routes([web.static("/static", static_dir)])
    if cdn is False:
        app.add_routes(static_routes("/"))  # after "/" itself: the page keeps its route
    sockets = run.bind(port, host)
    url = run.server_url(sockets, host)
    print(f"Serving on {url}", flush=True)
    if auto_open_webbrowser:
        run.open_browser_soon(url)
    web.run_app(app, sock=sockets, print=None)
