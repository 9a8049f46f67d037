"""Native windows with pywebview: one window per app session, on the chosen web engine.

This module and ``engines/`` import pywebview; what differs between engines (Qt WebEngine,
WebKitGTK) sits behind ``engines.Engine``. The GUI runs on the main thread (``WindowManager.run``);
``open()`` is thread-safe, so the pages' bridge calls (``WindowApi``, run by pywebview in
threads of their own) can open windows at any time.
"""
from __future__ import annotations

import base64
import json
import logging
import os
import threading
import webbrowser
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from ..page_config import page_settings
from .buildinfo import VERIFY_ENV
from .server import DesktopServer
from .engines import Engine, get_engine
from .state import Geometry, GeometryStore

logger = logging.getLogger("webio_desktop.desktop")



@dataclass
class WindowOptions:
    """How windows look; ``remember`` restores each app's last size and position."""

    width: int = 960
    height: int = 720
    min_size: tuple[int, int] = (320, 240)
    resizable: bool = True
    fullscreen: bool = False
    on_top: bool = False
    frameless: bool = False
    remember: bool = True
    icon: str | None = None


class WindowApi:
    """What a window's pages may ask of Python (pywebview ``js_api``; see ``shim.py``).

    Attributes start with "_" so pywebview does not expose them to the page.
    """

    def __init__(self, manager: "WindowManager") -> None:
        self._manager = manager
        self._window: Any = None

    def open_app(self, name: str) -> None:
        """go_app(new_window=True) and app links: a new native window on that app."""
        self._manager.open(str(name))

    def open_url(self, path_and_query: str) -> None:
        """A same-origin link with a target: a new native window on that URL."""
        self._manager.open_path(str(path_and_query))

    def open_external(self, url: str) -> None:
        """http(s) links to other sites go to the system browser; nothing else leaves."""
        if urlsplit(str(url)).scheme in ("http", "https"):
            webbrowser.open(str(url))
        else:
            logger.warning("blocked a link to %r", url)

    def set_title(self, title: str) -> None:
        if title and self._window is not None:
            self._window.set_title(str(title))

    def set_close_guard(self, message: str | None) -> None:
        """set_close_guard() in the page: closing this window asks ``message`` first."""
        self._manager.guards[self._window] = str(message) if message else None

    def confirm(self, message: str) -> bool:
        """A native OK/Cancel question (the tab shell asks it before closing a guarded tab)."""
        return bool(self._window.create_confirmation_dialog("Close tab?", str(message)))

    def close_window(self) -> None:
        """The tab shell closed its last tab."""
        self._window.destroy()

    def native(self, method: str, args: dict) -> Any:
        """webio_desktop.desktop's calls (dialogs, window control) for this window: bridge.py."""
        from .bridge import Bridge

        return Bridge(self._manager, self._window).call(str(method), args)

    def save_file(self, name: str, data: str) -> str | None:
        """download()/put_file: ask where with the native Save dialog, write the bytes here."""
        import webview

        safe_name = Path(str(name)).name or "download"
        result = self._window.create_file_dialog(webview.FileDialog.SAVE,
                                                 save_filename=safe_name)
        path = result if isinstance(result, str) else (result[0] if result else None)
        if not path:
            return None
        Path(path).write_bytes(base64.b64decode(data))
        logger.info("saved %s", path)
        return str(path)


running: "WindowManager | None" = None  # the manager whose GUI runs (desktop.quit_app)


class WindowManager:
    """Opens a window per app and tracks them; ``run()`` returns when the last one closes."""

    def __init__(self, server: DesktopServer, options: WindowOptions, *, state_key: str,
                 store: GeometryStore | None = None, navigation: str = "windows",
                 engine: Engine | None = None) -> None:
        self.server = server
        self.engine = engine or get_engine()
        self.options = options
        self.navigation = navigation  # "windows": a window per app; "tabs": one tab window
        self.state_key = state_key
        self.store = store if options.remember else None
        self.windows: list[Any] = []
        self.guards: dict[Any, str | None] = {}  # window -> close-guard message
        self.force_close = False  # Ctrl+C / SIGTERM: close without asking
        self.close_to_tray: Any = None  # the window closing hides (desktop.set_tray)
        self.verify_failed = False
        self._lock = threading.Lock()
        self._screens: list[tuple[int, int, int, int]] = []

    # -- opening --------------------------------------------------------------------------------
    @property
    def tabs(self) -> bool:
        return self.navigation == "tabs"

    def open(self, app: str) -> Any:
        if self.server.folder is None and app not in self.server.apps:
            logger.warning("go_app: no app named %r", app)
        if self.tabs:
            return self.open_path("/?" + urlencode({"app": app}))
        return self._create(app, self.server.url_for(app))

    def open_path(self, path_and_query: str) -> Any:
        query = parse_qs(urlsplit(path_and_query).query)
        app = (query.get("app") or ["index"])[0]
        if self.tabs:
            return self._open_tab(app, path_and_query)
        return self._create(app, self.server.url_for(path_and_query=path_and_query))

    def route(self, url: str) -> None:
        """Where a navigation that leaves the page goes (the engines' navigation guards): our
        own URLs to a new window (or tab), http(s) to the system browser, the rest nowhere."""
        if self.server.is_own_url(url):
            parts = urlsplit(url)
            self.open_path(parts.path + ("?" + parts.query if parts.query else ""))
        elif urlsplit(url).scheme in ("http", "https"):
            webbrowser.open(url)
        else:
            logger.warning("blocked navigation to %r", url)

    def _open_tab(self, app: str, path_and_query: str) -> Any:
        """Tabs mode: a new tab in the tab window (the first call opens that window)."""
        with self._lock:
            shell = self.windows[0] if self.windows else None
        if shell is None:
            shell_path = self.server.static_url("desktop/tabs.html") + "?" + urlencode({"app": app})
            return self._create(app, self.server.url_for(path_and_query=shell_path),
                                key_app="tabs")
        shell.evaluate_js(f"window.webioTabs.open({json.dumps(path_and_query)})")
        return shell

    def _create(self, app: str, url: str, *, key_app: str | None = None) -> Any:
        import webview

        opts = self.options
        target = self.server.apps.get(app)
        title = page_settings(target)["title"] if target is not None else app
        key = f"{self.state_key}::{key_app or app}"
        geometry = Geometry(opts.width, opts.height)
        if self.store is not None:
            saved = self.store.get(key)
            if saved is not None:
                geometry = saved.on_screens(self._screens)
        if geometry.x is None:
            geometry.x, geometry.y = self._cascade(geometry)
        api = WindowApi(self)
        window = webview.create_window(
            title, url, js_api=api, width=geometry.width, height=geometry.height,
            x=geometry.x, y=geometry.y, maximized=geometry.maximized,
            min_size=opts.min_size, resizable=opts.resizable, fullscreen=opts.fullscreen,
            on_top=opts.on_top, frameless=opts.frameless, text_select=True)
        api._window = window
        window.events.closing += lambda: self._closing(window)
        self._track(window, key, geometry)
        with self._lock:
            self.windows.append(window)
        logger.info("opened a window on app %r", app)
        return window

    CASCADE_STEP = 32  # px right and down from the newest window, as desktop environments do

    def _cascade(self, geometry: Geometry) -> tuple[int | None, int | None]:
        """Where a window without a remembered position opens: below and right of the newest
        open window (back to the screen's corner when it would leave the screen); the first
        window is left to the system (centred)."""
        with self._lock:
            last = self.windows[-1] if self.windows else None
        if last is None:
            return None, None
        try:
            x, y = self.engine.native().frame_position(last)
            x, y = x + self.CASCADE_STEP, y + self.CASCADE_STEP
        except Exception:  # closed meanwhile
            return None, None
        screens = self._screens or [(0, 0, 1 << 16, 1 << 16)]
        sx, sy, sw, sh = screens[0]
        if x + geometry.width > sx + sw or y + geometry.height > sy + sh:
            x, y = sx + self.CASCADE_STEP, sy + self.CASCADE_STEP
        return x, y

    def _closing(self, window: Any) -> bool:
        """pywebview's ``closing`` event, on the GUI thread: False keeps the window open.

        A guarded window is kept, and a thread asks the user; if they agree the guard is dropped
        and the window closed again. Signals (``force_close``) never ask. The tray's window
        (``close_to_tray``, see tray.py) is hidden instead, without asking: nothing is lost.
        """
        if window is self.close_to_tray and not self.force_close:
            window.hide()
            return False
        message = self.guards.get(window)
        if not message or self.force_close:
            return True

        def ask() -> None:
            if window.create_confirmation_dialog(f"Close {window.title}?", message):
                self.guards[window] = None
                window.destroy()

        threading.Thread(target=ask, name="webio-close-guard", daemon=True).start()
        return False

    def _track(self, window: Any, key: str, geometry: Geometry) -> None:
        """Follow size, position and maximized state; remember them when the window closes."""
        current = Geometry(geometry.width, geometry.height, geometry.x, geometry.y,
                           geometry.maximized)

        def resized(width: int, height: int) -> None:
            if not current.maximized:
                current.width, current.height = width, height

        def moved(x: int, y: int) -> None:
            if not current.maximized:
                current.x, current.y = x, y

        def maximized() -> None:
            current.maximized = True

        def restored() -> None:
            current.maximized = False

        def closed() -> None:
            if self.store is not None:
                self.store.put(key, current)
            self.guards.pop(window, None)
            with self._lock:
                if window in self.windows:
                    self.windows.remove(window)

        window.events.resized += resized
        window.events.moved += moved
        window.events.maximized += maximized
        window.events.restored += restored
        window.events.closed += closed

    # -- running --------------------------------------------------------------------------------
    def run(self, first_app: str = "index") -> None:
        """Main thread: open the first window and run the GUI until the last window closes."""
        import webview

        self.engine.install(self)
        from . import testchannel

        testchannel.start(self)
        try:  # the screens: remembered positions and the cascade stay on them
            self._screens = [(s.x, s.y, s.width, s.height) for s in webview.screens]
        except Exception:
            self._screens = []
        first = self.open(first_app)
        global running
        running = self
        verify = os.environ.get(VERIFY_ENV) == "1"
        # private_mode: one off-the-record profile per window (pywebview hangs at exit with
        # several persistent ones); each window buys its own cookie with a one-time token.
        webview.start(self._verify if verify else None, (first,) if verify else None,
                      gui=self.engine.gui,
                      private_mode=True, icon=self.options.icon)
        running = None
        if self.store is not None:
            self.store.save()

    def _verify(self, window: Any, timeout: float = 30) -> None:
        """WEBIO_DESKTOP_VERIFY=1 (``webio-desktop build`` checks a built app this way): wait
        for the first output in the first window, say so on stdout, close everything."""
        import time

        deadline = time.monotonic() + timeout
        text = None
        while time.monotonic() < deadline and not text:
            try:
                text = window.evaluate_js(
                    "(() => { const s = document.getElementById('pywebio-scope-ROOT');"
                    " return s && s.firstElementChild ? s.innerText.trim().slice(0, 80) : ''; })()")
            except Exception:
                text = None
            time.sleep(0.1)
        if text:
            print(f"webio-desktop: verify ok: {text.splitlines()[0]}", flush=True)
        else:
            print(f"webio-desktop: verify failed: no output within {timeout:.0f} s", flush=True)
            self.verify_failed = True
        self.close_all()

    def focus(self) -> None:
        """Thread-safe: bring the first open window to the front (a second start of the app)."""
        with self._lock:
            window = self.windows[0] if self.windows else None
        if window is not None:
            self.engine.raise_window(window)

    def close_all(self) -> None:
        """Thread-safe: close every window, without asking (SIGTERM, shutdown)."""
        import webview

        self.force_close = True
        for window in list(webview.windows):
            try:
                window.destroy()
            except Exception:
                logger.debug("window already gone", exc_info=True)

    def quit(self) -> None:
        """From a signal handler on the main thread: end the GUI loop now. Close guards do not
        ask: a signal means the user (or the system) wants out now."""
        self.force_close = True
        self.engine.quit(self)
