"""Serve apps with FastAPI / Starlette (ASGI) over WebSocket: ``webio_routes``, ``asgi_app``,
``start_server`` (uvicorn).

Needs the ``fastapi`` extra (``pip install webio-desktop[fastapi]``: Starlette and uvicorn;
plain Starlette apps need nothing from FastAPI itself). Sessions run on the ASGI server's event
loop; the session logic is shared with the other transports (``server/link.py``).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from ..server import run
from ..server.bootstrap import DEFAULT_PAYLOAD_SIZE, handler_options
from ..server.connect import (FRAME_HEADERS, HandlerOptions, host_refusal, origin_allowed,
                              page_response, session_info)
from ..server.files import refused
from ..server.link import run_socket
from ..server.page import STATIC_PATH
from ..sessions.core import SessionInfo
from ..utils import parse_file_size
from .tornado import handed_over

__all__ = ["webio_routes", "asgi_app", "start_server"]

logger = logging.getLogger("webio_desktop.server")

# Where asgi_app(cdn=False) serves the front end, relative to the app's root.
STATIC_MOUNT = "pywebio_static"


def webio_routes(applications: Any, cdn: bool | str = True, reconnect_timeout: int = 0,
                 allowed_origins: list[str] | None = None,
                 check_origin: Callable[[str], bool] | None = None,
                 max_pending_output: int | str | None = None) -> list[BaseRoute]:
    """``[Route('/'), WebSocketRoute('/')]`` serving the apps: mount them anywhere, e.g.
    ``Mount('/tool', routes=webio_routes(main))``. ``cdn=True`` (default): the page loads the
    front end from the route's own URL; ``cdn=False``: host ``STATIC_PATH`` in the same
    folder yourself; a string: the base URL of your copy."""
    return _routes(_options(applications, cdn, reconnect_timeout, allowed_origins,
                            check_origin, max_pending_output=max_pending_output))


def _options(applications: Any, cdn: bool | str, reconnect_timeout: float,
             allowed_origins: list[str] | None, check_origin: Callable[[str], bool] | None,
             **more: Any) -> HandlerOptions:
    return handler_options(applications, cdn=cdn, embedded=True,
                           reconnect_timeout=reconnect_timeout, allowed_origins=allowed_origins,
                           check_origin=check_origin, **more)


def _routes(options: HandlerOptions) -> list[BaseRoute]:
    async def page(request: Request) -> Response:
        response = page_response(options, request.url.path, dict(request.query_params))
        return Response(response.body, response.status, response.headers)

    async def socket(websocket: WebSocket) -> None:
        headers = websocket.headers
        host = headers.get("host", "")
        if not origin_allowed(headers.get("origin", ""), host, options):
            await websocket.close(code=1008)  # before accept: the handshake gets a 403
            return
        await websocket.accept()

        async def receive() -> str | bytes | None:
            try:
                message = await websocket.receive()
            except (WebSocketDisconnect, RuntimeError):
                return None
            if message["type"] != "websocket.receive":
                return None
            return message.get("text") if message.get("text") is not None else message.get("bytes")

        async def close(code: int, reason: str) -> None:
            await websocket.close(code, reason)

        await run_socket(options, dict(websocket.query_params), _session_info(websocket),
                         send=websocket.send_text, close=close, receive=receive)

    return [Route("/", page, methods=["GET"]), WebSocketRoute("/", socket)]


def _session_info(websocket: WebSocket) -> SessionInfo:
    return session_info(websocket.headers, host=websocket.headers.get("host", ""),
                        user_ip=websocket.client.host if websocket.client else "",
                        backend="starlette", protocol="websocket", request=websocket)


class UserStaticFiles(StaticFiles):
    """A user's ``static_dir``: hidden names (``files.py``) are 403."""

    async def get_response(self, path: str, scope: Any) -> Response:
        if refused(path):
            return Response("Forbidden", status_code=403)
        return await super().get_response(path, scope)


def asgi_app(applications: Any, cdn: bool | str = True, reconnect_timeout: int = 0,
             static_dir: str | None = None, debug: bool = False,
             allowed_origins: list[str] | None = None,
             check_origin: Callable[[str], bool] | None = None,
             max_pending_output: int | str | None = None,
             allowed_hosts: list[str] | None = None) -> Starlette:
    """A Starlette ASGI app serving the apps at ``/`` (run it with any ASGI server, e.g.
    ``uvicorn module:app --workers 2``); ``static_dir`` at ``/static``; with ``cdn=False``
    the front end at ``/pywebio_static``. ``allowed_hosts``: the only host names (besides the
    loopback ones; ``"*"`` wildcards) requests may name; None: any."""
    return _asgi_app(applications, cdn, reconnect_timeout, static_dir, debug, allowed_origins,
                     check_origin, allowed_hosts, bind_host=None,
                     max_pending_output=max_pending_output)


def _asgi_app(applications: Any, cdn: bool | str, reconnect_timeout: int,
              static_dir: str | None, debug: bool, allowed_origins: list[str] | None,
              check_origin: Callable[[str], bool] | None, allowed_hosts: list[str] | None,
              bind_host: str | None, max_pending_output: int | str | None = None) -> Starlette:
    if cdn is False:
        cdn = STATIC_MOUNT  # relative: the app may itself be mounted under a prefix
    options = _options(applications, cdn, reconnect_timeout, allowed_origins, check_origin,
                       debug=debug, max_pending_output=max_pending_output,
                       bind_host=bind_host, allowed_hosts=allowed_hosts)
    routes = _routes(options)
    if static_dir is not None:
        routes.append(Mount("/static", app=UserStaticFiles(directory=static_dir), name="static"))
    routes.append(Mount(f"/{STATIC_MOUNT}", app=StaticFiles(directory=STATIC_PATH),
                        name="webio_static"))
    middleware = [] if options.allowed_hosts is None else [Middleware(HostCheck, options=options)]
    return Starlette(routes=routes, debug=debug, middleware=middleware)


class HostCheck:
    """ASGI middleware: every route (page, socket, static files) behind the Host rule, and every
    HTTP response forbids framing by other origins (``FRAME_HEADERS``)."""

    def __init__(self, app: Any, options: HandlerOptions) -> None:
        self.app = app
        self.options = options

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] in ("http", "websocket"):
            host = dict(scope.get("headers") or ()).get(b"host", b"").decode("latin-1")
            reason = host_refusal(host, self.options)
            if reason is not None:
                logger.warning("refused %s from %s: %s", scope.get("path"),
                               (scope.get("client") or ("?",))[0], reason)
                if scope["type"] == "websocket":  # closed before accept: a 403 handshake
                    await send({"type": "websocket.close", "code": 1008})
                else:
                    await Response(reason, 403)(scope, receive, send)
                return
        if scope["type"] == "http":
            send = _with_frame_headers(send)
        await self.app(scope, receive, send)


_FRAME_HEADER_LIST = [(k.lower().encode("latin-1"), v.encode("latin-1"))
                      for k, v in FRAME_HEADERS.items()]


def _with_frame_headers(send: Callable) -> Callable:
    """``send`` that adds ``FRAME_HEADERS`` to the response's start (where a route set none)."""
    async def sending(message: dict) -> None:
        if message["type"] == "http.response.start":
            present = {name.lower() for name, _ in message.get("headers") or ()}
            extra = [pair for pair in _FRAME_HEADER_LIST if pair[0] not in present]
            message = {**message, "headers": [*(message.get("headers") or ()), *extra]}
        await send(message)

    return sending


def start_server(applications: Any, port: int = 0, host: str = "", cdn: bool | str = True,
                 reconnect_timeout: int = 0, static_dir: str | None = None,
                 remote_access: bool = False, debug: bool = False,
                 allowed_origins: list[str] | None = None,
                 check_origin: Callable[[str], bool] | None = None,
                 auto_open_webbrowser: bool = False, max_payload_size: int | str = DEFAULT_PAYLOAD_SIZE,
                 max_pending_output: int | str | None = None,
                 allowed_hosts: list[str] | None = None, **uvicorn_settings: Any) -> None:
    """Serve the apps with uvicorn until stopped (``uvicorn_settings`` go to ``uvicorn.run``).
    ``allowed_hosts``: as in ``platform.tornado.start_server`` (a loopback ``host`` serves
    loopback host names only)."""
    if handed_over(applications, debug=debug, static_dir=static_dir,
                   max_payload_size=max_payload_size):
        return  # the desktop launcher serves them (webio-desktop app.py)
    import uvicorn

    run.warn_remote_access(remote_access)
    app = _asgi_app(applications, cdn, reconnect_timeout, static_dir, debug, allowed_origins,
                    check_origin, allowed_hosts, bind_host=host,
                    max_pending_output=max_pending_output)
    max_size = parse_file_size(max_payload_size)
    sockets = run.bind(port, host)  # bound here, so port=0 prints (and opens) the real port
    url = run.server_url(sockets, host)
    print(f"Serving on {url}", flush=True)
    if auto_open_webbrowser:
        run.open_browser_soon(url)
    settings = {"ws_max_size": max_size, "log_level": "debug" if debug else "warning",
                **uvicorn_settings}
    server = uvicorn.Server(uvicorn.Config(app, **settings))
    server.run(sockets=sockets)
