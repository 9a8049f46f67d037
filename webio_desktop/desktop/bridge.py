"""The window side of ``desktop.native``: what a page's ``window.webio.native(method, args)``
runs, in a pywebview bridge thread, for the window that page is in.

Engine-neutral: the toolkit work (dialogs modal to the window, window control, menu bars, the
tray) is the engine's ``native()`` module (``engines/qt_native.py``, ``engines/gtk_native.py``),
which runs it on the GUI thread. Notifications need no toolkit (``dbus_notify.py``).
"""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from .engines.base import Filters, Native

logger = logging.getLogger("webio_desktop.desktop")


class Bridge:
    """The native calls of one window (``window`` is its pywebview Window)."""

    METHODS = ("open_file", "save_file", "choose_folder", "message_box", "ask_ok_cancel",
               "control", "windows", "open_window", "set_menu", "set_tray", "notify")

    def __init__(self, manager: Any, window: Any) -> None:
        self.manager = manager  # the WindowManager
        self.window = window

    @property
    def native(self) -> Native:
        return self.manager.engine.native()

    def call(self, method: str, args: dict) -> Any:
        if method not in self.METHODS or not isinstance(args, dict):
            raise ValueError(f"no native call {method!r}")
        return getattr(self, method)(**args)

    # -- dialogs ------------------------------------------------------------------------------
    def open_file(self, title: str, filters: Filters, multiple: bool, directory: str) -> Any:
        return self.native.open_file(self.window, title, filters, multiple, directory)

    def save_file(self, title: str, filters: Filters, name: str, directory: str) -> Any:
        return self.native.save_file(self.window, title, filters, name, directory)

    def choose_folder(self, title: str, directory: str) -> Any:
        return self.native.choose_folder(self.window, title, directory)

    def message_box(self, title: str, message: str, kind: str) -> None:
        self.native.message_box(self.window, title or "Message", message, kind)

    def ask_ok_cancel(self, title: str, message: str) -> bool:
        return bool(self.native.ask_ok_cancel(self.window, title or "Question", message))

    # -- window control ---------------------------------------------------------------------------
    def windows(self) -> list[str]:
        with self.manager._lock:
            return [w.uid for w in self.manager.windows]

    def open_window(self, app: str, x: Any, y: Any, width: Any, height: Any) -> str:
        window = self.manager.open(app)
        if width is not None or height is not None:
            window.resize(int(width or window.width), int(height or window.height))
        if x is not None or y is not None:
            window.move(int(x if x is not None else window.x),
                        int(y if y is not None else window.y))
        return window.uid

    def control(self, uid: str | None, action: str, args: list) -> Any:
        """One ``Window`` method (``action``) on the window ``uid`` (None: this one)."""
        target = self.window if uid is None else self._find(uid)
        if action == "close":
            target.destroy()
            return None
        if action == "on_event":
            self._subscribe(target, str(args[0]), set(args[1]))
            return None
        return self.native.window_action(target, action, args)

    def set_menu(self, menus: list[dict]) -> None:
        """Build the window's menu bar; choosing an item sends its callback event to the page."""
        self.native.set_menu(self.window, menus, page_callback(self.window))

    # -- tray and notifications (tray.py, notify.py) -------------------------------------------
    def set_tray(self, spec: dict | None) -> None:
        self.native.set_tray(self.manager, self.window, spec, page_callback(self.window))

    def notify(self, title: str, body: str, icon: str, callback: str | None,
               focus: bool) -> bool:
        from .dbus_notify import SERVICE

        window, fire = self.window, page_callback(self.window)

        def clicked() -> None:
            if focus:
                self.manager.engine.raise_window(window)
            if callback:
                fire(callback, None)

        clickable = focus or callback
        return SERVICE.notify(window.title or "webio-desktop", title, body, icon,
                              clicked if clickable else None) is not None

    def _find(self, uid: str) -> Any:
        with self.manager._lock:
            for window in self.manager.windows:
                if window.uid == uid:
                    return window
        raise ValueError(f"no open window {uid!r}")

    def _subscribe(self, target: Any, callback_id: str, wanted: set[str]) -> None:
        """Forward ``target``'s events to the calling page, which hands them to its session as
        the callback ``callback_id`` (the same event a button click sends)."""
        page = self.window

        def send(data: dict) -> None:
            if data["event"] not in wanted:
                return
            event = {"event": "callback", "id": callback_id, "data": data}
            try:
                page.run_js(f"window.webio.send({json.dumps(event)})")
            except Exception:
                logger.debug("window event not delivered", exc_info=True)

        native = self.native
        last: list[tuple[int, ...]] = []  # the position sent last

        def moved(_x: int, _y: int) -> None:
            # Where the frame is, as geometry() and move() have it (GTK's event gives the
            # content's corner), and only when it changed (GTK's comes with every resize too).
            try:
                where = tuple(native.frame_position(target))
            except Exception:  # closed meanwhile
                return
            if last != [where]:
                last[:] = [where]
                send({"event": "moved", "x": where[0], "y": where[1]})

        events = target.events
        events.moved += moved
        events.resized += lambda width, height: send(
            {"event": "resized", "width": width, "height": height})
        events.minimized += lambda: send({"event": "minimized"})
        events.maximized += lambda: send({"event": "maximized"})
        events.restored += lambda: send({"event": "restored"})
        events.closed += lambda: send({"event": "closed"})
        if wanted & {"focus", "blur"}:
            self.native.watch_focus(target, send)


def page_callback(page: Any) -> Callable[[str, Any], None]:
    """``fire(callback_id, data)``: hand ``data`` to the callback ``callback_id`` of the session
    shown in ``page`` (a pywebview Window), as a click on a button of that page would. Returns
    at once (the page is asked from a thread of its own); a closed page drops it."""

    def send(event: dict) -> None:
        try:
            page.run_js(f"window.webio.send({json.dumps(event)})")
        except Exception:
            logger.debug("callback not delivered", exc_info=True)

    def fire(callback_id: str, data: Any) -> None:
        event = {"event": "callback", "id": callback_id, "data": data}
        threading.Thread(target=send, args=(event,), daemon=True).start()

    return fire
