"""What the window manager needs from a web engine: the small interface each engine implements.

Everything else (which app opens where, titles, close guards, geometry, downloads through the
Save dialog, the security checks) is engine-independent and lives in ``windows.py``,
``server.py`` and ``security.py``; pywebview's own ``Window`` API covers the rest.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..windows import WindowManager


class Engine(Protocol):
    """One web engine, driven through one pywebview backend."""

    name: str  # what --engine calls it: "qt" or "system"
    gui: str  # pywebview's backend name: "qt", "gtk", ...

    def problem(self) -> str | None:
        """Why the engine can't open windows here (one line), or None. Loads the engine on
        the calling thread, which becomes the GUI thread: call it on the main thread."""

    def install(self, manager: WindowManager) -> None:
        """Before the GUI starts: route every navigation that would leave our server through
        ``manager.route`` (new windows, the system browser, or nowhere), and make Ctrl+C end
        the GUI through ``manager.quit``."""

    def quit(self, manager: WindowManager) -> None:
        """On the main thread (a signal handler): end the GUI loop now."""

    def raise_window(self, window: Any) -> None:
        """Thread-safe: bring ``window`` (a pywebview Window) to the front."""

    def content_origin(self, window: Any) -> tuple[int, int, int]:
        """Thread-safe: (x, y) on the screen of the page's top-left corner, and the native
        window's X11 id (0 when there is none). The test channel uses it to aim real clicks."""


class Unavailable:
    """An engine that can't run on this platform; its ``problem()`` says why."""

    gui = ""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self._reason = reason

    def problem(self) -> str | None:
        return self._reason

    def install(self, manager: WindowManager) -> None:  # pragma: no cover - never started
        raise RuntimeError(self._reason)

    def quit(self, manager: WindowManager) -> None:  # pragma: no cover
        raise RuntimeError(self._reason)

    def raise_window(self, window: Any) -> None:  # pragma: no cover
        raise RuntimeError(self._reason)

    def content_origin(self, window: Any) -> tuple[int, int, int]:  # pragma: no cover
        raise RuntimeError(self._reason)
