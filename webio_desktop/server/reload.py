"""Pages that reload themselves when the server's code changed (hot reload, ``debug=True``).

A page served with a ``ReloadChannel`` carries a small script that knows the *generation* of the
code it was rendered from and keeps a WebSocket open on ``RELOAD_PATH``. The socket tells it the
current generation: when it differs (the launcher ran the script again, or Tornado's autoreload
restarted the process under ``start_server(debug=True)``), the page reloads at its own URL and so
shows the same app, with the new code, in the same window or tab.

Why a socket of its own, not the session's: a page keeps it when its session is over (the app
returned, the window shows an error page, the server process is restarting), and tabs' frames
and browser tabs reload themselves, which Python can not do for a browser.
"""
from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Callable
from typing import Any

import tornado.web
import tornado.websocket
from tornado.ioloop import IOLoop

from .tornado import guarded

__all__ = ["RELOAD_PATH", "ReloadChannel", "reload_routes"]

RELOAD_PATH = "/_webio/reload"

# Reconnects quickly (a restarting server is back within a second), at most every 0.5 s.
_CLIENT_JS = """<script>
(() => {
  const rendered = %s;
  const url = new URL(%s, location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  let tries = 0;
  const open = () => {
    const ws = new WebSocket(url.href);
    ws.onmessage = (e) => { tries = 0; if (e.data !== rendered) location.reload(); };
    ws.onclose = () => setTimeout(open, Math.min(50 * 2 ** tries++, 500));
  };
  open();
})();
</script>"""


class ReloadChannel:
    """The code generation pages are told about; ``bump()`` makes every open page reload.

    A generation is this process's random boot id and a counter, so a restarted process (Tornado's
    autoreload) is a new generation too. Thread-safe.
    """

    def __init__(self) -> None:
        self._boot = secrets.token_hex(6)
        self._count = 0
        self._sockets: set[ReloadSocket] = set()  # touched on the server's loop only
        self._loop: IOLoop | None = None
        self._lock = threading.Lock()

    @property
    def generation(self) -> str:
        return f"{self._boot}.{self._count}"

    def head(self) -> str:
        """The script a page carries (in its ``<head>``): it reloads the page on a new
        generation."""
        return _CLIENT_JS % (json.dumps(self.generation), json.dumps(RELOAD_PATH))

    def bump(self) -> None:
        """New code is being served: open pages reload (any thread)."""
        with self._lock:
            self._count += 1
            loop = self._loop
        if loop is not None:
            loop.add_callback(self._broadcast)

    @property
    def open_pages(self) -> int:
        """Pages listening now (read on the server's loop for an exact figure)."""
        return len(self._sockets)

    def _broadcast(self) -> None:
        generation = self.generation
        for socket in list(self._sockets):
            socket.tell(generation)

    def _join(self, socket: "ReloadSocket") -> None:
        with self._lock:
            self._loop = IOLoop.current()
        self._sockets.add(socket)
        socket.tell(self.generation)

    def _leave(self, socket: "ReloadSocket") -> None:
        self._sockets.discard(socket)


class ReloadSocket(tornado.websocket.WebSocketHandler):
    """``RELOAD_PATH``: sends the current generation on open and on each ``bump()``."""

    channel: ReloadChannel

    def initialize(self, channel: ReloadChannel) -> None:
        self.channel = channel

    def open(self, *args: Any, **kwargs: Any) -> None:
        self.channel._join(self)

    def on_message(self, message: str | bytes) -> None:
        pass  # the page never talks

    def on_close(self) -> None:
        self.channel._leave(self)

    def tell(self, generation: str) -> None:
        try:
            self.write_message(generation)
        except tornado.websocket.WebSocketClosedError:
            self.channel._leave(self)


def reload_routes(channel: ReloadChannel,
                  guard: Callable[[tornado.web.RequestHandler], bool] | None = None) -> list[tuple]:
    """The Tornado route of the reload socket (behind ``guard`` when one is given)."""
    handler: type = ReloadSocket if guard is None else guarded(ReloadSocket, guard)
    return [(RELOAD_PATH, handler, {"channel": channel})]
