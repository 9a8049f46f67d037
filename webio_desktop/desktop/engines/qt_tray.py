"""The tray icon with Qt: one ``QSystemTrayIcon`` per app (``desktop.set_tray``, ``tray.py``;
who owns it and when it goes: ``tray_owner.py``).

On Linux Qt 6 shows it through a StatusNotifierItem when a StatusNotifierWatcher is on the
D-Bus session bus (KDE, GNOME with the AppIndicator extension), else as an XEmbed icon in the
X11 system tray (the ``_NET_SYSTEM_TRAY_S<screen>`` selection: trayer, stalonetray, xfce4-panel,
...). Everything here runs on the GUI thread (``qt_gui.gui_call``).
"""
from __future__ import annotations

from typing import Any

from . import tray_owner
from .base import Fire
from .qt_gui import fill_menu, gui_call


class _Tray:
    """The shown tray: its Qt objects, kept alive here."""

    def __init__(self, icon: Any, menu: Any) -> None:
        self.icon, self.menu = icon, menu

    def remove(self) -> None:
        self.icon.hide()
        self.icon.setContextMenu(None)
        self.icon.deleteLater()
        self.menu.deleteLater()


def set_tray(manager: Any, window: Any, spec: dict | None, fire: Fire) -> None:
    """On the GUI thread: show (or replace, or with ``spec`` None remove) the app's tray icon
    for ``window``'s session; its items' callbacks go to that page through ``fire``."""
    tray_owner.replace(manager, window, spec, lambda spec, icon: _show(spec, icon, fire),
                       gui_call)


def _show(spec: dict, icon_file: str, fire: Fire) -> _Tray:
    from qtpy.QtCore import Qt
    from qtpy.QtGui import QIcon
    from qtpy.QtWidgets import QApplication, QMenu, QSystemTrayIcon

    if not QSystemTrayIcon.isSystemTrayAvailable():
        raise RuntimeError("this desktop has no system tray (no tray host is running)")
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
    return _Tray(icon, menu)
