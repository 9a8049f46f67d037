"""The tray icon with GTK 3: one ``Gtk.StatusIcon`` per app (``desktop.set_tray``, ``tray.py``;
who owns it and when it goes: ``tray_owner.py``).

GTK 3's StatusIcon is an XEmbed icon in the X11 system tray (the owner of the
``_NET_SYSTEM_TRAY_S<screen>`` selection: trayer, stalonetray, xfce4-panel, MATE, LXQt...).
GTK deprecated it without a successor in GTK itself (StatusNotifierItem is a D-Bus protocol
that GTK 3 does not speak), so with this engine there is no icon on desktops that only host
StatusNotifierItems (KDE without its XEmbed proxy, GNOME's AppIndicator extension) nor on
Wayland: ``set_tray`` says so. Everything here runs on the GUI thread.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import warnings
from typing import Any

import gi

gi.require_version("Gtk", "3.0")
from gi.repository import Gdk, Gtk  # noqa: E402

from . import tray_owner  # noqa: E402
from .base import Fire  # noqa: E402
from .gtk_gui import fill_menu, gui_call, repaint_pages_after  # noqa: E402


class _Tray:
    """The shown tray: its GTK objects, kept alive here."""

    def __init__(self, icon: Gtk.StatusIcon, menu: Gtk.Menu) -> None:
        self.icon, self.menu = icon, menu

    def remove(self) -> None:
        self.icon.set_visible(False)
        self.menu.destroy()


def set_tray(manager: Any, window: Any, spec: dict | None, fire: Fire) -> None:
    """On the GUI thread: show (or replace, or with ``spec`` None remove) the app's tray icon
    for ``window``'s session; its items' callbacks go to that page through ``fire``."""
    tray_owner.replace(manager, window, spec, lambda spec, icon: _show(spec, icon, fire),
                       gui_call)


def _show(spec: dict, icon_file: str, fire: Fire) -> _Tray:
    if not tray_host():
        raise RuntimeError("this desktop has no system tray (no X11 tray host is running; "
                           "the system engine's tray icon is an XEmbed one)")
    with warnings.catch_warnings():  # deprecated in GTK 3.14, still the only GTK 3 tray icon
        warnings.simplefilter("ignore", DeprecationWarning)
        icon = Gtk.StatusIcon.new_from_file(icon_file)
    icon.set_tooltip_text(spec["tooltip"])  # plain text: shown as typed
    icon.set_title(spec["tooltip"])
    menu = Gtk.Menu()
    fill_menu(menu, spec["items"], fire)
    repaint_pages_after(menu)
    menu.show_all()

    def popup(icon: Gtk.StatusIcon, button: int, time: int) -> None:
        menu.popup(None, None, Gtk.StatusIcon.position_menu, icon, button, time)

    icon.connect("popup-menu", popup)  # a right click
    click = spec["click"]
    if click:
        icon.connect("activate", lambda _icon: fire(click, None))  # a left click
    icon.set_visible(True)
    return _Tray(icon, menu)


def tray_host() -> bool:
    """Whether an X11 system tray runs on this display (someone owns the
    ``_NET_SYSTEM_TRAY_S<screen>`` selection), as Qt asks before showing an XEmbed icon. GDK
    has no call for a selection owned by another client: Xlib on a connection of our own."""
    display = Gdk.Display.get_default()
    if display is None or type(display).__name__ != "X11Display":
        return False
    x11 = ctypes.cdll.LoadLibrary(ctypes.util.find_library("X11") or "libX11.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XDefaultScreen.argtypes = [ctypes.c_void_p]
    x11.XInternAtom.restype = ctypes.c_ulong
    x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x11.XGetSelectionOwner.restype = ctypes.c_ulong
    x11.XGetSelectionOwner.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    connection = x11.XOpenDisplay(display.get_name().encode())
    if not connection:
        return False
    try:
        name = f"_NET_SYSTEM_TRAY_S{x11.XDefaultScreen(connection)}".encode()
        return bool(x11.XGetSelectionOwner(connection, x11.XInternAtom(connection, name, 0)))
    finally:
        x11.XCloseDisplay(connection)
