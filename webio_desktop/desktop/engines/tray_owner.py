"""One tray icon per app, owned by the session that set it: the rules every toolkit's tray
follows (``desktop.set_tray``, ``tray.py``). The toolkits only show an icon (``qt_tray.py``,
``gtk_tray.py``); replacing it, close to tray and its end with the owner's window are here.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

DEFAULT_ICON = Path(__file__).resolve().parents[1] / "icons" / "icon-64.png"


class Shown(Protocol):
    """A toolkit's tray icon on the screen."""

    def remove(self) -> None:
        """On the GUI thread: take the icon (and its menu) away."""


_current: Shown | None = None


def icon_file(manager: Any, spec: dict) -> str:
    """The image the icon shows: ``set_tray(icon=...)``, else the window icon, else ours."""
    return spec["icon"] or getattr(manager.options, "icon", None) or str(DEFAULT_ICON)


def replace(manager: Any, window: Any, spec: dict | None, show: Callable[[dict, str], Shown],
            gui_call: Callable[[Callable[[], Any]], Any]) -> None:
    """On the GUI thread: remove the app's tray, then (unless ``spec`` is None) show
    ``show(spec, icon_file)`` for ``window``'s session. ``show`` raises RuntimeError when the
    desktop has no tray. With ``close_to_tray`` the window manager hides ``window`` instead of
    closing it; when ``window`` really closes, its icon goes."""
    global _current
    if _current is not None:
        _current.remove()
        _current = None
        manager.close_to_tray = None
    if spec is None:
        return
    tray = _current = show(spec, icon_file(manager, spec))
    if spec["close_to_tray"]:
        manager.close_to_tray = window

    def owner_closed() -> None:
        """The owner's session is over: its tray goes with it."""

        def drop() -> None:
            global _current
            if _current is tray:
                tray.remove()
                _current = None

        threading.Thread(target=gui_call, args=(drop,), name="webio-tray-remove",
                         daemon=True).start()

    window.events.closed += owner_closed
