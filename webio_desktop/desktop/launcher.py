"""Run a PyWebIO-style script inside the launcher and show it in native windows.

The user's file runs as ``__main__`` in a thread of its own (the GUI needs the main thread).
Whatever it does is caught and served by one ``DesktopServer``:

* ``start_server(apps)``: the ``server_override`` hook of ``platform.tornado`` hands the apps to
  the main thread and blocks the script (as a real ``start_server`` would) until the launcher ends;
* script mode (API calls with no ``start_server``): the launcher's session fallback binds the
  calling thread to a single ``ScriptSession``, served as the ``index`` app, so the script's
  outputs go to the first window.
"""
from __future__ import annotations

import importlib
import logging
import queue
import runpy
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..exceptions import SessionException, SessionNotFoundException
from ..server.apps import AppMap, normalize_apps
from ..sessions.core import SessionInfo, TaskContext, enter_task, set_fallback
from ..utils import parse_file_size
from .server import DesktopServer
from .shim import SHIM_HEAD
from .windows import WindowOptions

logger = logging.getLogger("webio_desktop.desktop")

# start_server() arguments that mean nothing here: the launcher always serves on loopback,
# on a free port, with its own front end and its own (stricter) origin checks.
_START_SERVER_ARGS = {"port", "host", "debug", "cdn", "static_dir", "reconnect_timeout",
                      "allowed_origins", "check_origin", "max_payload_size", "remote_access",
                      "auto_open_webbrowser"}


@dataclass
class DesktopOptions:
    """Launcher settings (the CLI flags; ``start_desktop`` keywords)."""

    navigation: str = "windows"  # "windows": a native window per app; "tabs": one tabbed window
    browser: bool = False  # serve to the default browser instead of native windows
    host: str = "127.0.0.1"  # browser mode only
    port: int = 0  # browser mode only; 0 = a free port
    open_browser: bool = True  # browser mode: open the URL (else only print it)
    debug: bool = False
    window: WindowOptions = field(default_factory=WindowOptions)


def _path_deploy_module() -> Any:
    # Not ``from ..platform import path_deploy``: that name is the function (as in PyWebIO).
    return importlib.import_module("webio_desktop.platform.path_deploy")


def _script_app() -> None:
    """The script's page: the script itself produces the outputs (see ScriptSession)."""


class Launcher:
    """One launch: intercepts the script's way of serving, then runs windows or a browser."""

    def __init__(self, options: DesktopOptions, *, state_key: str) -> None:
        self.options = options
        self.state_key = state_key
        self.mode: str | None = None  # None, "server" or "script"
        self._gui_reason: str | None = None  # see gui_reason
        self._gui_check_pending = False
        self.exit_code = 0  # of serve(): 3 when a verify run saw no output
        self.instance: Any = None  # SingleInstance: a later start of the app shows our window
        self.script_session: Any = None
        self.script_done = threading.Event()
        self.stopped = threading.Event()
        self._lock = threading.Lock()
        self._requests: queue.Queue[tuple[str, Any, dict]] = queue.Queue()
        self._saved_override: Any = None

    # -- can windows open? ---------------------------------------------------------------------
    def check_gui(self) -> None:
        """Native windows are wanted: find out whether they can open before serving.

        The answer imports Qt WebEngine (~0.1 s). That must happen on the main thread (Qt takes
        the thread that first loads it for its GUI thread; elsewhere native dialogs lose the
        keyboard), so ``run_script`` does it just before starting the script's thread. Not at
        the same time: CPython 3.11's import locks deadlocked here when the script imported Flask
        (which imports uuid) while this thread imported pywebview (which imports uuid too).
        """
        self._gui_check_pending = True

    def _run_gui_check(self) -> None:
        """The pending check of ``check_gui``, on the calling (main) thread."""
        if self._gui_check_pending:
            from .windows import gui_problem

            self._gui_check_pending = False
            self._gui_reason = gui_problem()

    @property
    def gui_reason(self) -> str | None:
        """Why native windows can't be used (None when they can)."""
        self._run_gui_check()
        return self._gui_reason

    @gui_reason.setter
    def gui_reason(self, reason: str | None) -> None:
        self._gui_check_pending = False
        self._gui_reason = reason

    # -- hooks into the framework -----------------------------------------------------------------
    def install(self) -> None:
        from ..platform import tornado as platform_tornado
        from ..sessions import script_mode  # noqa: F401  (installs its fallback; ours wins)

        self._saved_override = platform_tornado.server_override
        platform_tornado.server_override = self.server_override
        _path_deploy_module().server_override = self.folder_override
        set_fallback(self._script_context)

    def uninstall(self) -> None:
        from ..platform import tornado as platform_tornado
        from ..sessions import script_mode

        platform_tornado.server_override = self._saved_override
        _path_deploy_module().server_override = None
        set_fallback(script_mode._context_for_thread)

    def server_override(self, apps: AppMap, **kwargs: Any) -> None:
        """start_server() in the script: serve these apps here; block like a real server."""
        with self._lock:
            if self.mode == "script":
                raise RuntimeError("start_server() can not be called after the script already "
                                   "used the API in script mode")
            if self.mode == "server":
                raise RuntimeError("start_server() was already called")
            self.mode = "server"
        self._requests.put(("serve", apps, kwargs))
        self.stopped.wait()

    def folder_override(self, base: str, **kwargs: Any) -> None:
        """path_deploy() in the script: serve that folder of apps here; block like a server."""
        self.server_override({}, folder=str(Path(base).resolve()), **kwargs)

    def _script_context(self) -> TaskContext:
        """API call outside any session: the script's own session (script mode)."""
        from ..sessions.script_mode import ScriptSession

        with self._lock:
            if self.mode == "server":
                raise SessionNotFoundException(
                    "no session: in server mode only app code (and register_thread threads) "
                    "may use the API")
            if self.mode is None:
                self.mode = "script"
                self.script_session = ScriptSession()
                self.script_session.debug = self.options.debug
                self._requests.put(("script", None, {}))
        ctx = TaskContext(self.script_session, self.script_session.new_id("t"))
        enter_task(ctx)
        return ctx

    # -- running a script ---------------------------------------------------------------------------
    def run_script(self, path: str, args: list[str]) -> int:
        """Run ``path`` as __main__ and serve whatever it shows; the process exit code."""
        sys.argv = [path, *args]
        sys.path.insert(0, str(Path(path).resolve().parent))
        self._run_gui_check()  # Qt loads on this thread first (see check_gui)
        thread = threading.Thread(target=self._script_main, args=(path,), name="webio-script",
                                  daemon=True)
        thread.start()
        try:
            while True:
                try:
                    kind, payload, kwargs = self._requests.get(timeout=0.25)
                    break
                except queue.Empty:
                    continue
        except KeyboardInterrupt:
            return 130
        if kind == "done":  # ended before showing anything
            return self._exit_code(payload, shown=False)
        if kind == "script":
            factory = lambda _name, info: self.script_session.claim(info)  # noqa: E731
            return self.serve({"index": _script_app}, session_factory=factory,
                              debug=self.options.debug)
        return self.serve(payload, **kwargs)

    def _script_main(self, path: str) -> None:
        outcome: Any = 0
        try:
            runpy.run_path(path, run_name="__main__")
        except SystemExit as exc:
            outcome = exc.code
        except SessionException:
            pass  # the window was closed while the script was using it
        except BaseException as exc:
            outcome = exc
            # Before anything is shown, the exit path prints the traceback: log it to the file only.
            level = logging.ERROR if self.mode is not None else logging.INFO
            logger.log(level, "the script %s failed", path, exc_info=exc)
            session = self.script_session
            if self.mode == "script" and session is not None and not session.closed:
                session.report_error(exc)  # an error toast in the window
        finally:
            self.script_done.set()
            self._requests.put(("done", outcome, {}))
        if self.mode == "script":
            self._finish_script()

    def _finish_script(self) -> None:
        """Script mode: once the page has everything, keep it while callbacks may fire."""
        session = self.script_session
        while not session.connected.wait(0.2):
            if self.stopped.is_set():
                return
        if session.has_callbacks:
            session.hold()
        session.close()

    @staticmethod
    def _exit_code(outcome: Any, *, shown: bool) -> int:
        if isinstance(outcome, BaseException):
            traceback.print_exception(outcome)
            return 1
        if outcome is None:
            outcome = 0
        if not isinstance(outcome, int):
            print(outcome, file=sys.stderr)
            return 1
        if not shown and outcome == 0:
            print("webio-desktop: the script ended without showing anything", file=sys.stderr)
        return outcome

    # -- serving ------------------------------------------------------------------------------------
    def serve(self, apps: AppMap, *, debug: bool = False, static_dir: str | None = None,
              max_payload_size: int | str = "200M",
              session_factory: Callable[[str, SessionInfo], Any] | None = None,
              folder: str | None = None, index: Any = True, **kwargs: Any) -> int:
        """Serve ``apps`` until the last window closes (or Ctrl+C / SIGTERM in browser mode)."""
        settings = {k: v for k, v in kwargs.items() if k not in _START_SERVER_ARGS}
        desktop = not self.options.browser and self.gui_reason is None
        server = DesktopServer(
            apps, host="127.0.0.1" if desktop else self.options.host,
            port=0 if desktop else self.options.port, debug=debug or self.options.debug,
            static_dir=static_dir, max_payload_size=parse_file_size(max_payload_size),
            extra_head=SHIM_HEAD if desktop else "", session_factory=session_factory,
            tornado_settings=settings, folder=folder, index=index)
        server.start()
        try:
            if desktop:
                self._run_windows(server)
            else:
                self._run_browser(server)
        finally:
            self.stopped.set()
            if self.instance is not None:
                self.instance.release()
            if self.script_session is not None:
                self.script_session.close()
            server.stop()
        return self.exit_code

    def _run_windows(self, server: DesktopServer) -> None:
        from .state import GeometryStore
        from .windows import WindowManager

        manager = WindowManager(server, self.options.window, state_key=self.state_key,
                                store=GeometryStore() if self.options.window.remember else None,
                                navigation=self.options.navigation)
        if self.instance is not None:
            self.instance.on_focus = manager.focus
        previous = signal.signal(signal.SIGTERM, lambda *_: manager.quit())
        try:
            manager.run("index")
        finally:
            signal.signal(signal.SIGTERM, previous)
        if manager.verify_failed:
            self.exit_code = 3

    def _run_browser(self, server: DesktopServer) -> None:
        from ..server import run

        reason = "--browser was given" if self.options.browser else self.gui_reason
        url = server.url_for("index", reusable=True)
        print(f"webio-desktop: serving in the browser instead of a window: {reason}", flush=True)
        print(f"webio-desktop: open {url}", flush=True)
        if self.options.open_browser:
            run.open_browser_soon(url)
        stop = threading.Event()
        previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            while not stop.wait(0.25):
                session = self.script_session
                if self.mode == "script" and self.script_done.is_set() and session.closed:
                    break
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)


def state_key_for(path: str) -> str:
    return str(Path(path).resolve())


def start_desktop(applications: Any, *, navigation: str = "windows", browser: bool = False,
                  debug: bool = False, window: WindowOptions | None = None,
                  **window_options: Any) -> None:
    """Serve ``applications`` (like ``start_server``) in native windows; returns when the last
    window closes. Inside ``webio-desktop`` the launcher's own options apply.

    ``window_options`` are ``WindowOptions`` fields: width, height, min_size, resizable,
    fullscreen, on_top, frameless, remember, icon.
    """
    from ..platform import tornado as platform_tornado
    from ..sessions import script_mode

    script_mode.enter_server_mode()
    apps = normalize_apps(applications)
    active = platform_tornado.server_override
    if isinstance(getattr(active, "__self__", None), Launcher):
        active(apps, debug=debug)
        return
    if navigation not in ("windows", "tabs"):
        raise ValueError(f"navigation must be 'windows' or 'tabs', not {navigation!r}")
    options = DesktopOptions(navigation=navigation, browser=browser, debug=debug,
                             window=window or WindowOptions(**window_options))
    launcher = Launcher(options, state_key=state_key_for(sys.argv[0] or "app"))
    if not browser:
        launcher.check_gui()
    launcher.serve(apps, debug=debug)


__all__ = ["DesktopOptions", "Launcher", "start_desktop"]

