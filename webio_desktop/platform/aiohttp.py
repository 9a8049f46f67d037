"""Serve apps with aiohttp over WebSocket: ``webio_handler``, ``static_routes``, ``start_server``.

Needs the ``aiohttp`` extra (``pip install webio-desktop[aiohttp]``). Sessions run on aiohttp's
own event loop; the session logic is shared with the other transports (``server/link.py``).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from aiohttp import WSMsgType, web

from ..server import run
from ..server.bootstrap import DEFAULT_PAYLOAD_SIZE, handler_options
from ..server.connect import (FRAME_HEADERS, HandlerOptions, accepted_hosts, host_refusal,
                              origin_allowed, page_response, session_info)
from ..server.files import refused
from ..server.link import run_socket
from ..server.page import STATIC_PATH
from ..sessions.core import SessionInfo
from .tornado import handed_over

__all__ = ["webio_handler", "static_routes", "start_server"]

logger = logging.getLogger("webio_desktop.server")


def webio_handler(applications: Any, cdn: bool | str = True, reconnect_timeout: int = 0,
                  allowed_origins: list[str] | None = None,
                  check_origin: Callable[[str], bool] | None = None,
                  max_payload_size: int | str = DEFAULT_PAYLOAD_SIZE,
                  websocket_settings: dict[str, Any] | None = None,
                  max_pending_output: int | str | None = None) -> Callable:
    """An aiohttp request handler serving the apps: the page, its WebSocket and (with
    ``cdn=True``) the front end, all on the route's own URL, e.g.
    ``app.add_routes([web.get('/tool', webio_handler(main))])``.

    ``cdn=False``: host ``STATIC_PATH`` next to the route yourself (see :func:`static_routes`).
    ``websocket_settings`` go to ``aiohttp.web.WebSocketResponse``.
    """
    options = handler_options(applications, cdn=cdn, embedded=True,
                              reconnect_timeout=reconnect_timeout,
                              max_payload_size=max_payload_size,
                              max_pending_output=max_pending_output,
                              allowed_origins=allowed_origins, check_origin=check_origin)
    settings = {"max_msg_size": options.max_message_size or 0, "autoping": True, "heartbeat": 30,
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


def _host_check(options: HandlerOptions) -> Callable:
    """Middleware: every route (page, socket, static files) behind the Host rule, and every
    response not yet sent forbids framing by other origins (``FRAME_HEADERS``)."""
    @web.middleware
    async def check(request: web.Request, handler: Callable) -> web.StreamResponse:
        reason = host_refusal(request.host, options)
        if reason is not None:
            logger.warning("refused %s %s from %s: %s", request.method, request.path,
                           request.remote, reason)
            return web.Response(status=403, text=reason)
        response = await handler(request)
        if not response.prepared:  # a WebSocket answer has sent its headers already
            response.headers.update(FRAME_HEADERS)
        return response

    return check


def _session_info(request: web.Request) -> SessionInfo:
    return session_info(request.headers, host=request.host, user_ip=request.remote or "",
                        backend="aiohttp", protocol="websocket", request=request)


def static_routes(prefix: str = "/") -> list[web.AbstractRouteDef]:
    """Routes serving the front end (``STATIC_PATH``) at ``prefix``: what ``cdn=False`` pages
    at that level load (``app.add_routes(static_routes())``)."""
    return [web.static(prefix, STATIC_PATH)]


@web.middleware
async def _refuse_hidden_static(request: web.Request, handler: Callable) -> web.StreamResponse:
    """``static_dir``'s hidden names (``files.py``) are 403."""
    if request.path.startswith("/static/") and refused(request.path[len("/static/"):]):
        raise web.HTTPForbidden()
    return await handler(request)


def start_server(applications: Any, port: int = 0, host: str = "", debug: bool = False,
                 cdn: bool | str = True, static_dir: str | None = None,
                 remote_access: bool = False, reconnect_timeout: int = 0,
                 allowed_origins: list[str] | None = None,
                 check_origin: Callable[[str], bool] | None = None,
                 auto_open_webbrowser: bool = False, max_payload_size: int | str = DEFAULT_PAYLOAD_SIZE,
                 websocket_settings: dict[str, Any] | None = None,
                 max_pending_output: int | str | None = None,
                 allowed_hosts: list[str] | None = None, **aiohttp_settings: Any) -> None:
    """Serve the apps with aiohttp at ``/`` until stopped (``aiohttp_settings`` go to
    ``web.Application``). ``allowed_hosts``: as in ``platform.tornado.start_server`` (a
    loopback ``host`` serves loopback host names only)."""
    if handed_over(applications, debug=debug, static_dir=static_dir,
                   max_payload_size=max_payload_size):
        return  # the desktop launcher serves them (webio-desktop app.py)
    run.warn_remote_access(remote_access)
    handler = webio_handler(applications, cdn=cdn, reconnect_timeout=reconnect_timeout,
                            allowed_origins=allowed_origins, check_origin=check_origin,
                            max_payload_size=max_payload_size,
                            websocket_settings=websocket_settings,
                            max_pending_output=max_pending_output)
    options = handler.webio_options  # type: ignore[attr-defined]
    options.debug = debug  # traceback popups
    options.allowed_hosts = accepted_hosts(host, allowed_hosts)
    middlewares = [*aiohttp_settings.pop("middlewares", ()), _host_check(options)]
    app = web.Application(client_max_size=options.max_message_size, middlewares=middlewares,
                          **aiohttp_settings)
    app.add_routes([web.get("/", handler)])
    if static_dir is not None:
        app.middlewares.append(_refuse_hidden_static)  # before web.static looks at the path
        app.add_routes([web.static("/static", static_dir)])
    if cdn is False:
        app.add_routes(static_routes("/"))  # after "/" itself: the page keeps its route
    sockets = run.bind(port, host)
    url = run.server_url(sockets, host)
    print(f"Serving on {url}", flush=True)
    if auto_open_webbrowser:
        run.open_browser_soon(url)
    web.run_app(app, sock=sockets, print=None)
