"""Desktop notifications: ``desktop.notify("Saved", "notes.txt")``.

In a native window the notification goes to the desktop's notification server over the D-Bus
session bus (``dbus_notify.py``); clicking it brings the window to the front and runs
``on_click`` in the calling session, like a ``put_buttons`` callback. In a browser the page
shows a toast instead (clicking it runs ``on_click``). Like every native call it is a waiting
call: it blocks in a thread session and is awaitable in a coroutine session.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..exceptions import require
from .native import _native, _run, _session

__all__ = ["notify"]


def notify(title: str, body: str = "", *, icon: str | None = None, on_click: Any = None,
           focus: bool = True) -> Any:
    """Show a desktop notification; True once it is shown, False when nothing could show it.

    :param title: the notification's summary line.
    :param body: its text (plain text: characters such as ``<`` show as themselves).
    :param icon: a path to an image file, or a freedesktop icon name such as
        ``"dialog-information"``; None: the server's default.
    :param on_click: called with no argument in this session when the user clicks the
        notification (a thread of a thread session, a task of a coroutine session).
    :param focus: clicking the notification also brings this window to the front (and shows
        it again if it was hidden, e.g. closed to the tray).

    False: no D-Bus session bus, or nothing on it shows notifications (no
    ``org.freedesktop.Notifications`` server); the reason is logged. In a browser the page
    shows a toast with the title and body for 5 s (clicking it runs ``on_click``) and the call
    returns True.
    """
    require(str(title).strip() != "", "notify() needs a title")
    session = _session()
    icon_text = ""
    if icon:
        path = Path(icon).expanduser()
        icon_text = path.resolve().as_uri() if path.exists() else str(icon)
    callback = None
    if on_click is not None:
        callback = session.register_callback(lambda _data: on_click())

    def toast(flow_id: str):
        from ..output import toast as show

        show(f"{title}: {body}" if body else str(title), duration=5, onclick=on_click)
        return True
        yield  # a generator: a flow

    return _run(session, _native(session, "notify", {
        "title": str(title), "body": str(body), "icon": icon_text, "callback": callback,
        "focus": bool(focus)}, toast))
