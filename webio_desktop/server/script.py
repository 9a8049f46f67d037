"""Script mode in a plain ``python script.py``: the script's session gets a page on 127.0.0.1.

The first API call starts a server on 127.0.0.1, opens the browser (or prints the URL) and
serves one page. When the script ends, the process waits while the page can still do something
(callbacks: the session's ``after_app`` rule), then exits. The session side of script mode
(one session for every thread, no mixing with a server) is ``sessions/script_mode.py``.
"""
from __future__ import annotations

import asyncio
import atexit
import os
import threading

from typing import TYPE_CHECKING

from ..sessions.script_mode import ScriptModeHost, ScriptSession

if TYPE_CHECKING:
    from . import run


def _env_port() -> str | None:
    return os.environ.get("WEBIO_SCRIPT_MODE_PORT") or os.environ.get("PYWEBIO_SCRIPT_MODE_PORT")


class ScriptServer(ScriptModeHost):
    """The host of a plain script (made at the first API call outside a server: ``webio_desktop``
    installs a ``HostOnDemand`` of it when imported)."""

    def serve_script(self, session: ScriptSession) -> None:
        # Tornado loads here, at the script's first output, not when webio_desktop is imported.
        from . import run
        from .apps import normalize_apps
        from .connect import accepted_hosts
        from .tornado import HandlerOptions

        ready = threading.Event()
        holder: dict[str, run.RunningServer] = {}

        def serve() -> None:
            asyncio.set_event_loop(asyncio.new_event_loop())
            options = HandlerOptions(normalize_apps({"index": lambda: None}), cdn=False,
                                     session_factory=lambda _name, info: session.claim(info),
                                     allowed_hosts=accepted_hosts("127.0.0.1", None))
            application = run.make_application(options)
            sockets = run.bind(int(_env_port() or 0), "127.0.0.1")
            holder["server"] = server = run.RunningServer(application, sockets, "127.0.0.1")
            ready.set()
            server.loop.start()
            server.loop.close()

        threading.Thread(target=serve, name="webio-script-server", daemon=True).start()
        ready.wait()
        server = holder["server"]
        print(f"webio-desktop script mode: {server.url}", flush=True)
        if not _env_port():
            run.open_browser_soon(server.url)
        atexit.register(_finish, session, server)


def _finish(session: ScriptSession, server: run.RunningServer) -> None:
    """At exit: the session's lifetime rule (page served, callbacks kept), then stop."""
    session.finish()
    done = threading.Event()
    server.stop(then=done.set)
    done.wait(5)
