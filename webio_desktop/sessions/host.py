"""The embedding hook: one object through which a host takes part in the library's decisions.

A *host* is whatever embeds the library: script mode in a plain ``python script.py``
(``server/script.py``), the desktop launcher (``desktop/launcher.py``), a test harness. The core
and the platform layer ask the installed host three questions they can not answer themselves:

* the API was used outside any session: which task is that? (``context_for_thread``)
* ``start_server(apps)`` was called: does the host serve them itself? (``start_server``)
* ``path_deploy(folder)`` was called: does the host serve that folder itself? (``path_deploy``)

and tell it when some server is being set up (``server_starting``: script mode ends there).
Hosts stack: ``install()`` puts one on top, ``uninstall()`` takes it off again; below every
installed host is a plain ``Host``, which has no script mode and serves nothing itself.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..exceptions import SessionNotFoundException

if TYPE_CHECKING:
    from .core import TaskContext

__all__ = ["Host", "HostOnDemand", "current_host"]


class Host:
    """The default answers: no session outside app code, servers are started as asked."""

    def context_for_thread(self) -> "TaskContext":
        """API call outside any session task: bind the caller to a task and return it, or raise
        ``SessionNotFoundException``."""
        raise SessionNotFoundException("no session: call this from a webio app or callback")

    def server_starting(self) -> None:
        """``start_server``, an integration or a handler is being set up in this process."""

    def start_server(self, applications: Any, options: dict[str, Any]) -> bool:
        """``start_server(applications, **options)`` (any framework's) was called: return True
        once the host has served them itself (it may block like a server), False to let the
        framework serve them. ``options``: the settings every start_server shares (debug,
        static_dir, max_payload_size...) plus the framework's own."""
        return False

    def path_deploy(self, base: str, options: dict[str, Any]) -> bool:
        """``path_deploy(base, **options)`` was called: as ``start_server``, for a folder."""
        return False

    # -- installing -----------------------------------------------------------------------------
    def install(self) -> None:
        """Make this the host the library asks (until ``uninstall``)."""
        with _lock:
            _hosts.append(self)

    def uninstall(self) -> None:
        """Stop asking this host; the one installed before it answers again."""
        with _lock:
            if self in _hosts:
                _hosts.remove(self)


class HostOnDemand(Host):
    """A host made when it is first asked something, and answering as it from then on.

    ``import webio_desktop`` installs script mode this way: a program that never calls the API
    outside a server (the desktop launcher, a framework app) never loads script mode's server,
    and importing the package loads neither asyncio nor the session core."""

    def __init__(self, make: Callable[[], Host]) -> None:
        """:param make: builds the real host (called once, on the first question)"""
        self._make = make
        self._host: Host | None = None
        self._making = threading.Lock()

    @property
    def host(self) -> Host:
        """The real host (made now if it was not yet)."""
        with self._making:
            if self._host is None:
                self._host = self._make()
            return self._host

    def context_for_thread(self) -> "TaskContext":
        return self.host.context_for_thread()

    def server_starting(self) -> None:
        self.host.server_starting()

    def start_server(self, applications: Any, options: dict[str, Any]) -> bool:
        return self.host.start_server(applications, options)

    def path_deploy(self, base: str, options: dict[str, Any]) -> bool:
        return self.host.path_deploy(base, options)


_lock = threading.Lock()
_hosts: list[Host] = [Host()]


def current_host() -> Host:
    """The host installed last (a plain ``Host`` when none is)."""
    return _hosts[-1]
