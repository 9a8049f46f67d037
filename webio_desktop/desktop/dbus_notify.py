"""Desktop notifications over D-Bus: the freedesktop Notifications spec, spoken with jeepney.

jeepney is pure Python (no libdbus, no GLib main loop), so this works beside either web engine.
One connection to the session bus serves the whole process; it is opened on first use and
opened again after the bus went away. A notification server (the desktop's own, dunst, ...)
answers ``Notify`` with an id and later sends ``ActionInvoked(id, "default")`` when the user
clicks the notification and ``NotificationClosed(id, reason)`` when it goes; both signals are
addressed to the connection that sent the notification, which is why one connection is kept.
"""
from __future__ import annotations

import html
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

logger = logging.getLogger("webio_desktop.desktop")

BUS_NAME = "org.freedesktop.Notifications"
OBJECT_PATH = "/org/freedesktop/Notifications"
CALL_TIMEOUT = 5.0  # seconds a server may take to answer Notify


class NotificationService:
    """The process's link to the notification server.

    ``notify`` returns the server's id, or None when there is no session bus or nothing on it
    shows notifications. ``on_click`` runs (in a thread of its own) when the user clicks the
    notification; it is forgotten once the notification closes.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._router: Any = None
        self._markup = False  # the server reads <b>, <i>...: the body must be escaped
        self._clicks: dict[int, Callable[[], None]] = {}

    def notify(self, app_name: str, title: str, body: str, icon: str,
               on_click: Callable[[], None] | None) -> int | None:
        with self._lock:
            router = self._connect()
            if router is None:
                return None
            from jeepney import DBusAddress, new_method_call
            from jeepney.wrappers import DBusErrorResponse

            address = DBusAddress(OBJECT_PATH, bus_name=BUS_NAME, interface=BUS_NAME)
            text = html.escape(body, quote=False) if self._markup else body
            actions = ["default", "Open"] if on_click is not None else []
            message = new_method_call(address, "Notify", "susssasa{sv}i",
                                      (app_name, 0, icon, title, text, actions, {}, -1))
            try:
                reply = router.send_and_get_reply(message, timeout=CALL_TIMEOUT)
                (notification_id,) = _unwrap(reply)
            except (DBusErrorResponse, TimeoutError, OSError) as exc:
                logger.warning("no desktop notification: %s", exc)
                if isinstance(exc, OSError):
                    self._drop()
                return None
            if on_click is not None:
                self._clicks[int(notification_id)] = on_click
            return int(notification_id)

    def _connect(self) -> Any:
        """The router (opening it, with its signal subscription, when there is none). The
        filter stays registered on the router for as long as the router lives."""
        if self._router is not None and self._router._rcv_thread.is_alive():
            return self._router
        try:
            from jeepney import DBusAddress, MatchRule, message_bus, new_method_call
            from jeepney.io.threading import DBusRouter, open_dbus_connection
            from jeepney.wrappers import DBusErrorResponse
        except ImportError:
            logger.warning("no desktop notifications: jeepney is not installed "
                           "(pip install webio-desktop[desktop])")
            return None
        try:
            router = DBusRouter(open_dbus_connection("SESSION"))
        except (KeyError, OSError, RuntimeError, ValueError) as exc:  # no address, no bus
            logger.warning("no desktop notifications: no D-Bus session bus (%s)", exc)
            return None
        rule = MatchRule(type="signal", interface=BUS_NAME, path=OBJECT_PATH)
        signals: queue.Queue = queue.Queue()
        try:
            router.send_and_get_reply(message_bus.AddMatch(rule), timeout=CALL_TIMEOUT)
            router.filter(rule, queue=signals)
            address = DBusAddress(OBJECT_PATH, bus_name=BUS_NAME, interface=BUS_NAME)
            reply = router.send_and_get_reply(new_method_call(address, "GetCapabilities"),
                                              timeout=CALL_TIMEOUT)
            self._markup = "body-markup" in _unwrap(reply)[0]
        except (DBusErrorResponse, TimeoutError, OSError) as exc:
            logger.warning("no desktop notifications: %s", exc)
            router.close()
            router.conn.close()
            return None
        threading.Thread(target=self._listen, args=(router, signals),
                         name="webio-notifications", daemon=True).start()
        self._router = router
        return router

    def _drop(self) -> None:
        if self._router is not None:
            try:
                self._router.close()
                self._router.conn.close()
            except Exception:
                logger.debug("closing the D-Bus connection", exc_info=True)
        self._router = None

    def _listen(self, router: Any, signals: queue.Queue) -> None:
        """The server's signals: a click on a notification runs its callback. Ends with the
        connection (the next notify opens another, with a listener of its own)."""
        while router._rcv_thread.is_alive():  # jeepney's receiver: it stops when the bus goes
            try:
                message = signals.get(timeout=1)
            except queue.Empty:
                continue
            member = message.header.fields.get(3)  # HeaderFields.member
            try:
                notification_id = int(message.body[0])
            except (IndexError, TypeError, ValueError):
                continue
            with self._lock:
                if member == "ActionInvoked" and message.body[1] == "default":
                    callback = self._clicks.get(notification_id)
                elif member == "NotificationClosed":
                    self._clicks.pop(notification_id, None)
                    continue
                else:
                    continue
            if callback is not None:
                threading.Thread(target=callback, name="webio-notification-click",
                                 daemon=True).start()


def _unwrap(reply: Any) -> tuple:
    from jeepney.wrappers import unwrap_msg

    return unwrap_msg(reply)


SERVICE = NotificationService()
