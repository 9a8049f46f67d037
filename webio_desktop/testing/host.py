"""Where the test harness attaches to the library: its embedding host (``sessions/host.py``).

While a simulated user is open, API calls outside any session fail with a clear error (instead
of starting script mode's real server and a browser). A script under test runs in a thread of
its own, as under the desktop launcher: its ``start_server`` hands the apps to the harness
instead of serving them, and a plain script (script mode) gets its one session shown on the
simulated page.
"""
from __future__ import annotations

import runpy
import sys
import threading
from pathlib import Path
from typing import Any

from ..compat import install_pywebio_alias, uninstall_pywebio_alias
from ..exceptions import SessionException
from ..server.apps import AppMap, normalize_apps
from ..sessions.script_mode import ScriptModeHost, ScriptSession


class _Served(BaseException):
    """Raised inside a script's ``start_server`` to stop the script there (it would block)."""


class HarnessHost(ScriptModeHost):
    """The harness as the library's embedder. ``script=False``: server mode from the start
    (API calls outside a session are refused); ``script=True``: a script runs, and either
    serves apps or uses script mode."""

    def __init__(self, *, script: bool = False) -> None:
        super().__init__()
        if not script:
            self.mode = "server"
        self.apps: AppMap | None = None
        self.error: BaseException | None = None
        self.ready = threading.Event()  # apps captured, script mode started, or the script ended
        self.script_done = threading.Event()

    def start_server(self, applications: Any, options: dict[str, Any]) -> bool:
        self.apps = normalize_apps(applications)
        self.ready.set()
        raise _Served()

    def path_deploy(self, base: str, options: dict[str, Any]) -> bool:
        raise NotImplementedError("path_deploy() is not supported under webio_desktop.testing: "
                                  "test the folder's apps one by one with User.from_script()")

    def serve_script(self, session: ScriptSession) -> None:
        self.ready.set()

    def run_script(self, path: Path, timeout: float) -> None:
        """Run the script as ``__main__`` in a thread; return once it served apps, started
        script mode or ended (its error is raised here)."""
        thread = threading.Thread(target=self._main, args=(path,), daemon=True,
                                  name=f"webio-testing-script-{path.name}")
        thread.start()
        if not self.ready.wait(timeout):
            raise AssertionError(f"{path} neither called start_server() nor used the API "
                                 f"within {timeout:g}s")
        if self.error is not None:
            raise self.error
        if self.apps is None and self.script_session is None:
            raise ValueError(f"{path} ended without start_server() or any output: nothing "
                             f"to test")

    def _main(self, path: Path) -> None:
        sys.path.insert(0, str(path.parent))
        install_pywebio_alias()  # `import pywebio` loads webio_desktop, as under the launcher
        try:
            runpy.run_path(str(path), run_name="__main__")
        except (_Served, SessionException):
            pass
        except BaseException as exc:  # reported by run_script, or as an app error
            self.error = exc
            session = self.script_session
            if session is not None and not session.closed:
                session.report_error(exc)
        finally:
            uninstall_pywebio_alias()
            sys.path.remove(str(path.parent))
            self.script_done.set()
            self.ready.set()
        if self.mode == "script" and self.script_session is not None:
            self.script_session.finish()  # the session's lifetime rule, as the launcher does


def load_apps(path: str | Path, timeout: float = 10) -> AppMap:
    """Run the script at ``path`` as ``__main__`` and return the apps it passes to
    ``start_server`` (a function, list or dict, normalised to ``{name: app}``)."""
    host = HarnessHost(script=True)
    host.install()
    try:
        host.run_script(Path(path).resolve(), timeout)
    finally:
        host.uninstall()
    if host.apps is None:
        raise ValueError(f"{path} uses script mode (no start_server): open it with "
                         f"User.from_script()")
    return host.apps
