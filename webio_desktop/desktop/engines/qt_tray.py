"""The tray icon with Qt: one ``QSystemTrayIcon`` per app (``desktop.set_tray``, ``tray.py``).

On Linux Qt 6 shows it through a StatusNotifierItem when a StatusNotifierWatcher is on the
D-Bus session bus (KDE, GNOME with the AppIndicator extension), else as an XEmbed icon in the
X11 system tray (the ``_NET_SYSTEM_TRAY_S<screen>`` selection: trayer, stalonetray, xfce4-panel,
...). Everything here runs on the GUI thread (``bridge.gui_call``).
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT_ICON = Path(__file__).resolve().parents[1] / "icons" / "icon-64.png"


class _Tray:
    """The shown tray: its Qt objects (kept alive here) and the window that set it."""

    def __init__(self, icon: Any, menu: Any, owner: Any) -> None:
        self.icon, self.menu, self.owner = icon, menu, owner

    def remove(self) -> None:
        self.icon.hide()
        self.icon.setContextMenu(None)
        self.icon.deleteLater()
        self.menu.deleteLater()


_current: _Tray | None = None


def set_tray(manager: Any, window: Any, spec: dict | None, fire: Callable[[str, Any], None], *,
             fill_menu: Callable[..., None], gui_call: Callable[[Callable[[], Any]], Any]) -> None:
    """Show (or replace, or with ``spec`` None remove) the app's tray icon, for ``window``'s
    session: its items' callbacks go to that page through ``fire``. ``fill_menu`` and
    ``gui_call`` are the bridge's (passed in: the bridge imports this module)."""
    global _current
    from qtpy.QtCore import Qt
    from qtpy.QtGui import QIcon
    from qtpy.QtWidgets import QApplication, QMenu, QSystemTrayIcon

    if _current is not None:
        _current.remove()
        _current = None
        manager.close_to_tray = None
    if spec is None:
        return
    if not QSystemTrayIcon.isSystemTrayAvailable():
        raise RuntimeError("this desktop has no system tray (no tray host is running)")
    icon_file = spec["icon"] or getattr(manager.options, "icon", None) or str(DEFAULT_ICON)
    icon = QSystemTrayIcon(QIcon(icon_file))
    tooltip = spec["tooltip"]
    # Plain text: Qt shows a tooltip that looks like HTML as HTML; escaped, it shows as typed.
    icon.setToolTip(Qt.convertFromPlainText(tooltip) if Qt.mightBeRichText(tooltip) else tooltip)
    menu = QMenu()
    fill_menu(menu, spec["items"], fire)
    icon.setContextMenu(menu)
    click = spec["click"]
    if click:
        Reason = QSystemTrayIcon.ActivationReason

        def activated(reason: Any) -> None:
            if reason in (Reason.Trigger, Reason.DoubleClick):
                fire(click, None)

        icon.activated.connect(activated)
    # Windows hidden in the tray (or the last window closed by the user while the tray lives)
    # must not end Qt's loop: pywebview ends it itself when its last window is destroyed.
    QApplication.instance().setQuitOnLastWindowClosed(False)
    icon.show()
    tray = _current = _Tray(icon, menu, window)
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
