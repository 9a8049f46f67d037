"""The desktop shell: run PyWebIO-style apps in native windows (``webio-desktop app.py``), and
the native surface apps call (``native.py``: dialogs that return paths, message boxes;
``drop.py``: dropped files; ``tray.py``: the tray icon; ``notify.py``: desktop notifications).

``start_desktop(apps)`` is the Python API; ``cli.main`` the command line. See docs/desktop.md.
Importing this package loads neither Qt nor GTK (the windows load them when they start), nor
the launcher and the server: each public name below loads its module on first use (PEP 562), so
``cli.main`` can start the web engine before the rest is imported.
"""
from __future__ import annotations

from ..lazy_names import lazy_names as _lazy_names

# public name -> the module of this package that defines it
_HOMES = {
    "on_drop": "drop", "clear_close_guard": "guard", "set_close_guard": "guard",
    "DesktopOptions": "launcher", "Launcher": "launcher", "start_desktop": "launcher",
    "notify": "notify", "quit_app": "tray", "set_tray": "tray", "WindowOptions": "window_manager",
    **dict.fromkeys(("SEPARATOR", "WINDOW_EVENTS", "DesktopError", "DesktopUnavailable", "Menu",
                     "MenuItem", "Window", "ask_ok_cancel", "available", "choose_folder",
                     "message_box", "open_file", "open_window", "save_file", "set_menu",
                     "window", "windows"), "native"),
}

__all__ = sorted(_HOMES)
__getattr__, __dir__ = _lazy_names(__name__, globals(),
                                  {name: (f".{home}", name) for name, home in _HOMES.items()})
