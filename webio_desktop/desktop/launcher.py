"""Run a PyWebIO-style script inside the launcher and show it in native windows.

The user's file runs as ``__main__`` in a thread of its own (the GUI needs the main thread).
Whatever it does is caught and served by one ``DesktopServer``:

* ``start_server(apps)`` (or ``path_deploy``): the launcher is the installed host
  (``sessions/host.py``), so it is handed the apps, passes them to the main thread and blocks the
  script (as a real ``start_server`` would) until the launcher ends;
* script mode (API calls with no ``start_server``): the launcher is a ``ScriptModeHost``, so the
  script's single ``ScriptSession`` is served as the ``index`` app and its outputs go to the
  first window.

Each execution of the script is a ``_Run``. With hot reload (``--reload``, or
``start_server(debug=True)``) a saved change starts a new run in a fresh ``__main__`` and the
same server and windows show what it serves (``reload``).
"""
from __future__ import annotations

import builtins
import itertools
import logging
import queue
import signal
import sys
import threading
import time
import traceback
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..exceptions import SessionException
from ..server.apps import AppMap, normalize_apps
from ..server.bootstrap import DEFAULT_PAYLOAD_SIZE
from ..server.reload import ReloadChannel
from ..sessions.core import SessionInfo
from ..sessions.host import current_host
from ..sessions.script_mode import ScriptModeHost, ScriptSession
from ..utils import parse_file_size
from . import native
from .server import DesktopServer
from .shim import shim_head
from .state import state_key_for
from .window_manager import WindowOptions

logger = logging.getLogger("webio_desktop.desktop")

# start_server() arguments that mean nothing here: the launcher always serves on loopback,
# on a free port, with its own front end and its own (stricter) origin checks.
_START_SERVER_ARGS = {"port", "host", "debug", "cdn", "static_dir", "reconnect_timeout",
                      "allowed_origins", "check_origin", "max_payload_size", "remote_access",
                      "auto_open_webbrowser", "allowed_hosts", "prerender"}


@dataclass
class DesktopOptions:
    """Launcher settings (the CLI flags; ``start_desktop`` keywords)."""

    navigation: str = "windows"  # "windows": a native window per app; "tabs": one tabbed window
    engine: str = "qt"  # the web engine of the windows: "qt" or "system" (see engines/)
    browser: bool = False  # serve to the default browser instead of native windows
    host: str = "127.0.0.1"  # browser mode only
    port: int = 0  # browser mode only; 0 = a free port
    open_browser: bool = True  # browser mode: open the URL (else only print it)
    debug: bool = False
    reload: bool = False  # run the script again when a .py file of its folder is saved
    window: WindowOptions = field(default_factory=WindowOptions)


def _script_app() -> None:
    """The script's page: the script itself produces the outputs (see ScriptSession)."""


class ScriptReloaded(BaseException):
    """Raised by ``start_server()`` in a run that a reload replaced: the script's thread ends
    (a BaseException, so an app's ``except Exception`` does not swallow it)."""


# How long a reload waits for the previous run's thread to end once its sessions are closed.
RUN_END_TIMEOUT = 3.0


@dataclass
class _Run:
    """One execution of the script (a hot reload starts another)."""

    number: int
    # What the script asked to show: ("serve", apps, options), ("script", None, {}) or, when
    # it ended, ("done", outcome, {}).
    requests: queue.Queue = field(default_factory=queue.Queue)
    released: threading.Event = field(default_factory=threading.Event)  # start_server returns
    done: threading.Event = field(default_factory=threading.Event)  # the script's code ended
    superseded: bool = False  # released by a reload: start_server raises ScriptReloaded
    serving: bool = False  # start_server() was called
    thread: threading.Thread | None = None


def _execute(path: str) -> None:
    """Run the file as ``__main__`` in a fresh module, as ``python path`` does (each run of a
    reload gets its own, so no name of the previous run's survives)."""
    with open(path, "rb") as file:
        source = file.read()
    code = compile(source, path, "exec", dont_inherit=True)
    module = types.ModuleType("__main__")
    module.__dict__.update(__file__=path, __cached__=None, __loader__=None, __package__=None,
                           __spec__=None, __builtins__=builtins)
    sys.modules["__main__"] = module
    exec(code, module.__dict__)


class Launcher(ScriptModeHost):
    """One launch: the host of the script (``install()``): it takes the script's way of serving,
    then runs windows or a browser."""

    def __init__(self, options: DesktopOptions, *, state_key: str) -> None:
        super().__init__()
        self.options = options
        self.state_key = state_key
        self._gui_reason: str | None = None  # see gui_reason
        self._gui_check_pending = False
        self.exit_code = 0  # of serve(): 3 when a verify run saw no output
        self.instance: Any = None  # SingleInstance: a later start of the app shows our window
        self.stopped = threading.Event()
        self.reloading = options.reload  # hot reload is on (serve() may turn it on: debug)
        self.reloads = 0  # reloads done
        self._lock = threading.Lock()
        self._script: tuple[str, list[str]] | None = None  # run_script's path and arguments
        self._runs = itertools.count(1)
        self._run: _Run | None = None  # the current run of the script
        self._server: DesktopServer | None = None
        self._watcher: Any = None  # reload.FolderWatcher

    # -- can windows open? ---------------------------------------------------------------------
    def check_gui(self) -> None:
        """Native windows are wanted: find out whether they can open before serving.

        The answer loads the engine and starts its processes (``engines.start_engine``; the
        ``webio-desktop`` command does that itself before it imports the launcher, and passes the
        answer as ``gui_reason``). That must happen on the main thread (Qt takes
        the thread that first loads it for its GUI thread; elsewhere native dialogs lose the
        keyboard), so ``run_script`` does it just before starting the script's thread. Not at
        the same time: CPython 3.11's import locks deadlocked here when the script imported Flask
        (which imports uuid) while this thread imported pywebview (which imports uuid too).
        """
        self._gui_check_pending = True

    def _run_gui_check(self) -> None:
        """The pending check of ``check_gui``, on the calling (main) thread."""
        if self._gui_check_pending:
            from .engines import start_engine

            self._gui_check_pending = False
            self._gui_reason = start_engine(self.options.engine)

    @property
    def gui_reason(self) -> str | None:
        """Why native windows can't be used (None when they can)."""
        self._run_gui_check()
        return self._gui_reason

    @gui_reason.setter
    def gui_reason(self, reason: str | None) -> None:
        self._gui_check_pending = False
        self._gui_reason = reason

    # -- the host's answers (sessions/host.py) ----------------------------------------------------
    def start_server(self, applications: Any, options: dict[str, Any]) -> bool:
        """start_server() in the script: serve these apps here; block like a real server."""
        return self._serve_for_script(normalize_apps(applications), options)

    def path_deploy(self, base: str, options: dict[str, Any]) -> bool:
        """path_deploy() in the script: serve that folder of apps here; block like a server."""
        return self._serve_for_script({}, {**options, "folder": str(Path(base).resolve())})

    def _serve_for_script(self, apps: AppMap, options: dict[str, Any]) -> bool:
        """Hand ``apps`` to the main thread (``run_script``), then block until the launch ends
        (or, with hot reload, until a new run replaces this one: ``ScriptReloaded``)."""
        run = self._run
        if run is None:
            raise RuntimeError("start_server() outside of the launcher's script")
        with self._lock:
            if run.serving:
                raise RuntimeError("start_server() was already called")
            run.serving = True
        run.requests.put(("serve", apps, options))
        run.released.wait()
        if run.superseded:
            raise ScriptReloaded()
        return True

    def serve_script(self, session: ScriptSession) -> None:
        """Script mode: the script's session is the first window's ``index`` app."""
        session.debug = self.options.debug
        assert self._run is not None
        self._run.requests.put(("script", None, {}))

    # -- running a script ---------------------------------------------------------------------------
    def run_script(self, path: str, args: list[str]) -> int:
        """Run ``path`` as __main__ and serve whatever it shows; the process exit code."""
        self._script = (path, args)
        sys.path.insert(0, str(Path(path).resolve().parent))
        self._run_gui_check()  # Qt loads on this thread first (see check_gui)
        run = self._start_run()
        try:
            kind, payload, kwargs = self._next_request(run)
        except KeyboardInterrupt:
            return 130
        if kind == "done" and not self.reloading:  # ended before showing anything
            return self._exit_code(payload, shown=False)
        return self.serve(**self._what_to_serve(kind, payload, kwargs))

    def _start_run(self) -> _Run:
        """A new run of the script, in a thread of its own."""
        assert self._script is not None
        path, args = self._script
        sys.argv = [path, *args]
        run = self._run = _Run(next(self._runs))
        run.thread = threading.Thread(target=self._script_main, args=(run,),
                                      name=f"webio-script-{run.number}", daemon=True)
        run.thread.start()
        return run

    def _next_request(self, run: _Run) -> tuple[str, Any, dict]:
        """What ``run`` asked to show (or its end); waits in short steps so Ctrl+C gets in."""
        while True:
            try:
                return run.requests.get(timeout=0.25)
            except queue.Empty:
                if self.stopped.is_set():
                    return "done", 0, {}

    def _what_to_serve(self, kind: str, payload: Any, kwargs: dict) -> dict[str, Any]:
        """``serve()``'s keywords for a run's request (with hot reload, a run that ended before
        showing anything shows the failure in the windows)."""
        if kind == "serve":
            return {"apps": payload, **kwargs}
        if kind == "script":
            factory = lambda _name, info: self.script_session.claim(info)  # type: ignore  # noqa: E731
            return {"apps": {"index": _script_app}, "session_factory": factory,
                    "debug": self.options.debug}
        from .reload import failure_app

        assert self._script is not None
        app = failure_app(Path(self._script[0]).name, payload, __file__)
        names = set(self._server.apps) if self._server is not None else set()
        return {"apps": {name: app for name in names | {"index"}}, "debug": self.options.debug}

    def _script_main(self, run: _Run) -> None:
        assert self._script is not None
        path = self._script[0]
        outcome: Any = 0
        try:
            _execute(path)
        except SystemExit as exc:
            outcome = exc.code
        except (SessionException, ScriptReloaded):
            pass  # the window was closed while the script was using it; or a reload
        except BaseException as exc:  # not user_code(): the exit code and log need it too
            outcome = exc
            # Before anything is shown, the exit path prints the traceback: log it to the file
            # only (with hot reload the window shows it: log it as an error).
            shown = self.mode is not None or self.reloading
            logger.log(logging.ERROR if shown else logging.INFO, "the script %s failed", path,
                       exc_info=exc)
            session = self.script_session
            if self.mode == "script" and session is not None and not session.closed:
                session.report_error(exc)  # an error toast in the window
        finally:
            run.done.set()
            run.requests.put(("done", outcome, {}))
        if run is self._run and self.mode == "script" and self.script_session is not None:
            self.script_session.finish()  # the session's lifetime rule (serve() closes it too)

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
    def _server_config(self, apps: AppMap, *, debug: bool = False,
                       static_dir: str | None = None, max_payload_size: int | str = DEFAULT_PAYLOAD_SIZE,
                       session_factory: Callable[[str, SessionInfo], Any] | None = None,
                       folder: str | None = None, index: Any = True,
                       **kwargs: Any) -> dict[str, Any]:
        """``DesktopServer.configure``'s keywords from start_server()'s (or serve()'s)."""
        settings = {k: v for k, v in kwargs.items() if k not in _START_SERVER_ARGS}
        return dict(apps=apps, debug=debug or self.options.debug, static_dir=static_dir,
                    max_payload_size=parse_file_size(max_payload_size),
                    session_factory=session_factory, tornado_settings=settings, folder=folder,
                    index=index)

    def serve(self, apps: AppMap, **what: Any) -> int:
        """Serve ``apps`` until the last window closes (or Ctrl+C / SIGTERM in browser mode).

        ``what``: start_server()'s keywords (``debug``, ``static_dir``, ``max_payload_size``,
        Tornado settings; others are ignored), ``session_factory``, or a ``folder`` of apps
        (path_deploy) and its ``index``. ``prerender``: a page request starts its app and the
        page carries its first screen (``server/prerender.py``); None: on in windows (only they
        can request a page: the per-launch secret), off in browser mode (browsers prefetch). ``debug`` in a script run by the launcher turns hot
        reload on, as Tornado's autoreload would (not in a built app).
        """
        config = self._server_config(apps, **what)
        if what.get("debug") and self._script is not None and not getattr(sys, "frozen", False):
            self.reloading = True
        desktop = not self.options.browser and self.gui_reason is None
        native.serving_windows = desktop  # desktop.available()
        server = self._server = DesktopServer(
            host="127.0.0.1" if desktop else self.options.host,
            port=0 if desktop else self.options.port,
            extra_head=self._shim_head() if desktop else "",
            reload=ReloadChannel() if self.reloading else None,
            prerender=desktop if what.get("prerender") is None else bool(what["prerender"]),
            **config)
        server.start()
        try:
            if self.reloading:
                self._watch()
            if desktop:
                self._run_windows(server)
            else:
                self._run_browser(server)
        finally:
            self.stopped.set()
            if self._watcher is not None:
                self._watcher.stop()
            if self._run is not None:
                self._run.released.set()
            if self.instance is not None:
                self.instance.release()
            if self.script_session is not None:
                self.script_session.close()
            server.stop()
        return self.exit_code

    # -- hot reload ---------------------------------------------------------------------------------
    def _watch(self) -> None:
        """Start watching the script's folder (and a path_deploy folder) for saved changes."""
        from .reload import FolderWatcher, watcher_missing

        assert self._script is not None and self._server is not None
        missing = watcher_missing()
        if missing:
            print(f"webio-desktop: no hot reload: {missing}", file=sys.stderr, flush=True)
            return
        folders = {str(Path(self._script[0]).resolve().parent)}
        if self._server.folder is not None:
            folders.add(self._server.folder)
        self._watcher = FolderWatcher(folders, self.reload)
        self._watcher.start()
        print(f"webio-desktop: reloading on changes to .py files in {', '.join(sorted(folders))}",
              flush=True)

    def reload(self, changed: list[str] | None = None) -> float | None:
        """Run the script again and show its new apps in the open windows; the seconds it took
        (None when the launch is ending). Runs on the watcher's thread.

        In order: the sessions end (their ``defer_call`` functions run), the previous run's
        ``start_server`` raises ``ScriptReloaded`` so its thread ends, the modules loaded from
        the script's folder are forgotten, a new run executes the script in a fresh
        ``__main__``, the server serves what it shows on the same socket, and the pages reload
        themselves at their own URL (``server/reload.py``): windows, tabs and their geometry
        stay as they are.
        """
        from .reload import forget_modules

        server, old = self._server, self._run
        if server is None or old is None or self._script is None or self.stopped.is_set():
            return None
        start = time.monotonic()
        if changed:
            logger.info("reloading: %s changed", ", ".join(changed))
        if logger.isEnabledFor(logging.DEBUG):  # what a leak would grow (tests/desktop)
            logger.debug("reload %d: before it %d threads, %s tasks on the server's loop, "
                         "%d sessions open", self.reloads + 1, threading.active_count(),
                         server.loop_tasks(), sum(not s.closed for s in server.options.sessions))
        if self.script_session is not None:
            self.script_session.close()  # script mode: also before any page claimed it
        server.close_sessions()
        old.superseded = True
        old.released.set()
        if old.thread is not None:
            old.thread.join(RUN_END_TIMEOUT)
            if old.thread.is_alive():
                logger.warning("the previous run of the script (thread %s) is still busy; "
                               "starting the new one anyway", old.thread.name)
        forget_modules(Path(self._script[0]).resolve().parent)
        with self._mode_lock:  # script mode may start afresh
            self.mode = None
            self.script_session = None
        run = self._start_run()
        kind, payload, kwargs = self._next_request(run)
        if self.stopped.is_set():
            return None
        what = self._what_to_serve(kind, payload, kwargs)
        server.replace(**self._server_config(**what))
        assert server.reload is not None
        server.reload.bump()
        self.reloads += 1
        elapsed = time.monotonic() - start
        failed = " (it failed: the windows show why)" if kind == "done" else ""
        print(f"webio-desktop: reloaded {Path(self._script[0]).name} in "
              f"{elapsed * 1000:.0f} ms{failed}", flush=True)
        return elapsed

    def _shim_head(self) -> str:
        """The windows' shim (``shim.py``), naming the desktop's font when the engine knows it."""
        from .engines import get_engine

        return shim_head(ui_font=get_engine(self.options.engine).ui_font())

    def _run_windows(self, server: DesktopServer) -> None:
        from .engines import get_engine
        from .state import GeometryStore
        from .window_manager import WindowManager

        manager = WindowManager(server, self.options.window, state_key=self.state_key,
                                store=GeometryStore() if self.options.window.remember else None,
                                navigation=self.options.navigation,
                                engine=get_engine(self.options.engine))
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
        from .security import remove_opener, write_opener

        reason = "--browser was given" if self.options.browser else self.gui_reason
        # The browser gets a file only this user can read, not the token URL (see security.py).
        opener = write_opener(server.url_for("index"))
        print(f"webio-desktop: serving in the browser instead of a window: {reason}", flush=True)
        print(f"webio-desktop: open {opener.as_uri()} (it signs this browser in to "
              f"{server.base_url} once)", flush=True)
        if self.options.open_browser:
            run.open_browser_soon(opener.as_uri())
        try:
            self._wait_in_browser_mode()
        finally:
            remove_opener(opener)

    def _wait_in_browser_mode(self) -> None:
        """Until SIGTERM, Ctrl+C, or the script's session ended."""
        stop = threading.Event()
        previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            while not stop.wait(0.25):
                session, run = self.script_session, self._run
                if (not self.reloading and session is not None and run is not None
                        and run.done.is_set() and session.closed):
                    break
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)


def start_desktop(applications: Any, *, navigation: str = "windows", browser: bool = False,
                  debug: bool = False, window: WindowOptions | None = None,
                  engine: str = "qt", **window_options: Any) -> None:
    """Serve ``applications`` (like ``start_server``) in native windows; returns when the last
    window closes. Inside ``webio-desktop`` the launcher's own options apply.

    ``engine``: "qt" (Qt WebEngine, the default) or "system" (the OS's engine: WebKitGTK on
    Linux). ``window_options`` are ``WindowOptions`` fields: width, height, min_size, resizable,
    fullscreen, on_top, frameless, remember, icon.
    """
    from ..sessions import script_mode
    from .engines import module_name

    module_name(engine)  # ValueError for an unknown engine, before anything changes
    script_mode.enter_server_mode()
    host = current_host()
    if isinstance(host, Launcher):  # inside ``webio-desktop``: the launcher's options apply
        host.start_server(applications, {"debug": debug})
        return
    apps = normalize_apps(applications)
    if navigation not in ("windows", "tabs"):
        raise ValueError(f"navigation must be 'windows' or 'tabs', not {navigation!r}")
    options = DesktopOptions(navigation=navigation, browser=browser, debug=debug, engine=engine,
                             window=window or WindowOptions(**window_options))
    launcher = Launcher(options, state_key=state_key_for(sys.argv[0] or "app"))
    if not browser:
        launcher.check_gui()
    launcher.serve(apps, debug=debug)


__all__ = ["DesktopOptions", "Launcher", "start_desktop"]

