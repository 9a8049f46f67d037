"""A test-only channel into the windows, for engines without a DevTools protocol (WebKitGTK).

Off unless the environment names a Unix socket in ``WEBIO_DESKTOP_TEST_CHANNEL``, and never in a
built app (``frozen.py`` drops the variable, and ``start`` refuses when frozen): a product that
evaluates whatever a socket sends would be a hole, a test run from a checkout is not. The socket
is created with mode 0600 inside the test's own folder.

One JSON request per line, one JSON answer per line (``{"ok": ...}`` or ``{"error": "..."}``):

* ``{"op": "windows"}``: the open windows, ``[{"uid", "title"}]``;
* ``{"op": "eval", "uid", "js"}``: ``js`` evaluated in that window's page (pywebview's
  ``evaluate_js``: the value of the last expression, JSON-serialized);
* ``{"op": "cookies", "uid"}``: the cookies the engine holds for that window's page,
  ``[{"name", "value", "httpOnly", "sameSite"}]``;
* ``{"op": "origin", "uid"}``: ``[x, y, xid]``, where the page's top-left corner is on the
  screen and the window's X11 id, so a test can send real clicks and keys (xdotool).
"""
from __future__ import annotations

import json
import logging
import os
import socket
import sys
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .window_manager import WindowManager

ENV = "WEBIO_DESKTOP_TEST_CHANNEL"
logger = logging.getLogger("webio_desktop.desktop")


def start(manager: WindowManager) -> bool:
    """Serve the channel for ``manager``'s windows if the environment asks (and we are not a
    built app); True when it listens."""
    path = os.environ.get(ENV)
    if not path or getattr(sys, "frozen", False):
        return False
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    try:
        server.bind(path)
    finally:
        os.umask(old)
    server.listen()
    threading.Thread(target=_accept, args=(server, manager), name="webio-test-channel",
                     daemon=True).start()
    logger.warning("test channel open on %s (%s is set)", path, ENV)
    return True


def _accept(server: socket.socket, manager: WindowManager) -> None:
    while True:
        conn, _ = server.accept()
        threading.Thread(target=_serve, args=(conn, manager), daemon=True).start()


def _serve(conn: socket.socket, manager: WindowManager) -> None:
    with conn, conn.makefile("rwb") as stream:
        for line in stream:
            try:
                answer = {"ok": _handle(json.loads(line), manager)}
            except Exception as exc:  # the test sees why, the app goes on
                answer = {"error": f"{type(exc).__name__}: {exc}"}
            stream.write(json.dumps(answer).encode() + b"\n")
            stream.flush()


def _window(manager: WindowManager, uid: str) -> Any:
    with manager._lock:
        for window in manager.windows:
            if window.uid == uid:
                return window
    raise LookupError(f"no window {uid!r}")


def _handle(request: dict, manager: WindowManager) -> Any:
    op = request.get("op")
    if op == "windows":
        with manager._lock:
            windows = list(manager.windows)
        return [{"uid": w.uid, "title": w.title} for w in windows
                if w.events.loaded.is_set()]
    if op == "eval":
        return _window(manager, request["uid"]).evaluate_js(request["js"])
    if op == "cookies":
        found = []
        for jar in _window(manager, request["uid"]).get_cookies():
            for name, morsel in jar.items():
                found.append({"name": name, "value": morsel.value,
                              "httpOnly": bool(morsel["httponly"]),
                              "sameSite": morsel["samesite"] or None})
        return found
    if op == "origin":
        return list(manager.engine.content_origin(_window(manager, request["uid"])))
    raise ValueError(f"unknown op {op!r}")
