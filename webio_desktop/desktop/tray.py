"""The tray icon (system tray / notification area) and ending the app from code.

``set_tray`` gives the app one icon with a tooltip and a menu built from the same ``MenuItem``,
``Menu`` and ``SEPARATOR`` as window menus. The tray belongs to the session that set it: its
callbacks run in that session (like ``put_buttons`` callbacks), so ``desktop.window()`` in a
callback is that session's window and ``desktop.open_window(...)`` opens another. With
``close_to_tray`` closing that window hides it instead, and the session goes on; ``quit_app()``
(e.g. the tray's Quit item) ends the app as closing the last window would: every session ends
and its ``defer_call`` functions run, the process exits with code 0.

The toolkits' side is ``engines/qt_tray.py`` (Qt) and ``engines/gtk_tray.py`` (GTK, the system
engine), with the rules they share in ``engines/tray_owner.py``. Outside a native window both
calls raise ``DesktopUnavailable``: a browser has no tray, and a page must not end a server's
process.
"""
from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..exceptions import require
from .native import (SEPARATOR, DesktopUnavailable, Menu, MenuItem, _menu_spec, _native, _run,
                     _session, available)

__all__ = ["set_tray", "quit_app"]


def set_tray(items: Sequence[Any] | None, *, tooltip: str = "", icon: str | None = None,
             close_to_tray: bool = False, on_click: Any = None) -> Any:
    """Show the app's tray icon with a menu of ``items`` (``MenuItem``, ``Menu`` for a submenu,
    ``SEPARATOR``), replacing an earlier tray; ``None`` removes it. A waiting call.

    :param tooltip: the text shown when the pointer rests on the icon.
    :param icon: an image file (PNG, SVG...); None: the window icon (``--icon``), else
        webio-desktop's own.
    :param close_to_tray: closing this session's window hides it instead (the session goes
        on, the tray stays); ``window().focus()`` or ``show()`` brings it back, ``quit_app()``
        ends the app.
    :param on_click: called with no argument when the icon itself is clicked (the menu opens
        on a right click).

    The tray is this session's: callbacks run in it, and when its window really closes
    (without ``close_to_tray``) the icon goes away. One tray per app: a later ``set_tray``
    from any session replaces it. Raises ``DesktopUnavailable`` outside a native window, and
    ``DesktopError`` when the desktop has no tray (no system tray host is running).
    """
    session = _session()
    if items is None:
        return _run(session, _native(session, "set_tray", {"spec": None}))
    entries = list(items)
    for entry in entries:
        require(entry == SEPARATOR or isinstance(entry, (Menu, MenuItem)),
                f"a tray menu holds MenuItem, Menu or SEPARATOR, not {entry!r}")
    icon_path = ""
    if icon is not None:
        path = Path(icon).expanduser()
        require(path.is_file(), f"set_tray(icon=...): no image file {icon!r}")
        icon_path = str(path.resolve())
    click = session.register_callback(lambda _data: on_click()) if on_click else None
    spec = {"items": [_menu_spec(session, e) for e in entries], "tooltip": str(tooltip),
            "icon": icon_path, "close_to_tray": bool(close_to_tray), "click": click}
    return _run(session, _native(session, "set_tray", {"spec": spec}))


def quit_app() -> Any:
    """End the app: every window closes (close guards do not ask, hidden windows too), every
    session ends and runs its ``defer_call`` functions, the process exits with code 0. Returns
    at once (the calling session ends with its window). Raises ``DesktopUnavailable``
    outside a native window.

    It asks no window: closing the windows from inside a window's call would race with that
    call's answer (pywebview then waits forever for the closed page, and the process with it).
    """
    session = _session()

    def flow(flow_id: str):
        from .window_manager import running as manager

        if not available() or manager is None:
            raise DesktopUnavailable(
                "desktop.quit_app() needs a native window (run the app with webio-desktop; "
                "in a browser test desktop.available() first)")
        threading.Thread(target=manager.close_all, name="webio-quit", daemon=True).start()
        return None
        yield  # a generator: a flow

    return _run(session, flow)
