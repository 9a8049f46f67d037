"""PyInstaller hooks for apps that use webio_desktop (registered as the ``pyinstaller40``
``hook-dirs`` entry point, so a plain ``pyinstaller app.py`` finds them too)."""
from __future__ import annotations

import os


def get_hook_dirs() -> list[str]:
    return [os.path.dirname(__file__)]


# Our integrations with other web frameworks: each imports its framework, so the hook leaves them
# out and ``webio-desktop build`` adds the ones an app imports (build.framework_integrations).
FRAMEWORK_INTEGRATIONS = ("webio_desktop.platform.flask", "webio_desktop.platform.django",
                          "webio_desktop.platform.aiohttp", "webio_desktop.platform.fastapi")
