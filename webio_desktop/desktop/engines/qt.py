"""Qt WebEngine through pywebview's Qt backend (PyQt6 from pip): Chromium inside the app.

Self-contained (the wheels carry Qt and Chromium), so it is the default; it costs ~330 MiB of
every bundle. Tests read its pages over Chrome's DevTools protocol
(``QTWEBENGINE_REMOTE_DEBUGGING``).
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..window_manager import WindowManager
    from .base import Native


class QtEngine:
    name = "qt"
    gui = "qt"

    @property
    def early(self) -> bool:
        """Qt loads before our modules (a built app started 738 vs 803 ms, 12 alternating
        starts), except while a one file's first start still unpacks Qt's files: then our
        modules load meanwhile."""
        from ..onefile import engine_files_pending

        return not engine_files_pending()

    def __init__(self) -> None:
        self._manager: WindowManager | None = None
        self._raiser: Any = None

    @staticmethod
    def prepare() -> None:
        """Settings Qt WebEngine must see before it loads."""
        os.environ["PYWEBVIEW_GUI"] = "qt"  # pywebview tries GTK first on Linux
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            # Chromium refuses to run as root with its sandbox on.
            os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
        from .qt_enums import limit_promotion

        limit_promotion()

    def problem(self) -> str | None:
        self.prepare()
        try:
            import webview  # noqa: F401
            from qtpy import QtWebEngineWidgets  # noqa: F401
        except Exception as exc:  # ImportError, or qtpy's "no Qt bindings"
            return (f"Qt WebEngine is not available ({type(exc).__name__}: {exc}); "
                    "install webio-desktop[desktop]")
        return None

    def prestart(self) -> None:
        """Nothing: Qt WebEngine boots Chromium in its own threads and processes once pywebview
        makes the first page, while Python still imports. Tried (2026-12-03) and not kept: the
        QApplication and a hidden off-the-record page made here, the page deleted once the first
        window had its own. No gain in alternating starts (2026-12-03; the starts it seemed to
        leave unpainted were windows keeping an older title, a race fixed in the shim)."""

    def meanwhile(self, work: Callable[[], Any]) -> None:
        """``work`` right here: Chromium's zygotes boot without Qt's loop; turning the loop
        beside it (as the GTK engine does) showed no clear gain (2026-12-03)."""
        work()

    def install(self, manager: WindowManager) -> None:
        self.prepare()
        from webview.platforms import qt

        self._manager = manager
        self._guard_navigation()
        from .qt_drop import install as take_file_drops

        take_file_drops()  # dropped files reach the app as paths, never open in the window
        # pywebview installs its Ctrl+C handler when the first window opens; ours also tells the
        # close guards not to ask.
        qt._sigint_handler = lambda *_: manager.quit()
        self._raiser = _make_raiser()

    def quit(self, manager: WindowManager) -> None:
        from webview.platforms import qt

        if getattr(qt, "_app", None) is not None:
            qt._app.quit()

    def raise_window(self, window: Any) -> None:
        if self._raiser is not None:
            self._raiser.request.emit(window.uid)

    def content_origin(self, window: Any) -> tuple[int, int, int]:
        raise NotImplementedError("Qt windows are driven over DevTools in tests")

    def ui_font(self) -> str | None:
        return None  # Qt WebEngine keeps system-ui: Chromium showed no font-matching cost there

    def native(self) -> Native:
        from . import qt_native

        return qt_native

    def _guard_navigation(self) -> None:
        """Backstop for the page shim: the main frame never leaves our server, and new-window
        requests (target=_blank, window.open) go to ``manager.route``."""
        from webview.platforms.qt import BrowserView

        engine = self
        if getattr(BrowserView.WebPage, "_webio_guarded", False):
            return

        def route(url: str) -> None:
            if engine._manager is not None:
                threading.Thread(target=engine._manager.route, args=(url,), daemon=True).start()

        def accept_main(self: Any, url: Any, nav_type: Any, is_main_frame: bool) -> bool:
            text = url.toString()
            manager = engine._manager
            if (not is_main_frame or manager is None or manager.server.is_own_url(text)
                    or text.startswith("about:")):
                return True
            route(text)
            return False

        def accept_new_window(self: Any, url: Any, nav_type: Any, is_main_frame: bool) -> bool:
            route(url.toString())
            return False

        BrowserView.WebPage.acceptNavigationRequest = accept_main
        BrowserView.NavigationHandler.acceptNavigationRequest = accept_new_window
        BrowserView.WebPage._webio_guarded = True


def _make_raiser() -> Any:
    """A QObject on the GUI thread whose signal, emitted from any thread, raises a window
    there (Qt delivers it through the GUI thread's event loop)."""
    from qtpy import QtCore

    class Raiser(QtCore.QObject):
        request = QtCore.Signal(str)

        @QtCore.Slot(str)
        def raise_window(self, uid: str) -> None:
            from webview.platforms.qt import BrowserView

            from .qt_gui import bring_to_front

            view = BrowserView.instances.get(uid)
            if view is not None:
                bring_to_front(view)

    raiser = Raiser()
    raiser.request.connect(raiser.raise_window)
    return raiser


ENGINE = QtEngine()

# -- building (webio-desktop build --engine qt) -------------------------------------------------
# Modules a Qt bundle leaves out: pywebview's GTK backend and PyGObject (with its hooks they
# would copy the system's GTK and WebKitGTK into the bundle).
BUILD_EXCLUDES = ["gi", "cairo", "webview.platforms.gtk"]
