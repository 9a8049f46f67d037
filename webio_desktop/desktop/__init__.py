"""The desktop shell: run PyWebIO-style apps in native windows (``webio-desktop app.py``), and
the native surface apps call (``native.py``: dialogs that return paths, message boxes;
``drop.py``: dropped files; ``tray.py``: the tray icon; ``notify.py``: desktop notifications).

``start_desktop(apps)`` is the Python API; ``cli.main`` the command line. See docs/desktop.md.
Importing this package never loads Qt or GTK (the windows load them when they start).
"""
from __future__ import annotations

from .drop import on_drop
from .guard import clear_close_guard, set_close_guard
from .launcher import DesktopOptions, Launcher, start_desktop
from .native import (SEPARATOR, WINDOW_EVENTS, DesktopError, DesktopUnavailable, Menu, MenuItem,
                     Window, ask_ok_cancel, available, choose_folder, message_box, open_file,
                     open_window, save_file, set_menu, window, windows)
from .notify import notify
from .tray import quit_app, set_tray
from .windows import WindowOptions

__all__ = ["SEPARATOR", "WINDOW_EVENTS", "Menu", "MenuItem", "set_menu", "DesktopError", "DesktopOptions", "DesktopUnavailable", "Launcher",
           "Window", "WindowOptions", "ask_ok_cancel", "available", "choose_folder",
           "clear_close_guard", "message_box", "on_drop", "open_file", "open_window", "save_file",
           "set_close_guard", "start_desktop", "window", "windows", "set_tray", "quit_app",
           "notify"]
