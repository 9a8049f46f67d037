"""PyInstaller hooks for apps that use webio_desktop (registered as the ``pyinstaller40``
``hook-dirs`` entry point, so a plain ``pyinstaller app.py`` finds them too)."""
from __future__ import annotations

import os


def get_hook_dirs() -> list[str]:
    return [os.path.dirname(__file__)]
