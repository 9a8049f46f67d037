"""The desktop shell: run PyWebIO-style apps in native windows (``webio-desktop app.py``).

``start_desktop(apps)`` is the Python API; ``cli.main`` the command line. See docs/desktop.md.
"""
from __future__ import annotations

from .guard import clear_close_guard, set_close_guard
from .launcher import DesktopOptions, Launcher, start_desktop
from .windows import WindowOptions

__all__ = ["DesktopOptions", "Launcher", "WindowOptions", "clear_close_guard",
           "set_close_guard", "start_desktop"]
