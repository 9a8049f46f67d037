"""The embedding hook (sessions/host.py): an installed host is asked, and stops being asked once
uninstalled. In-process; what a host then serves is covered by the script-mode and desktop tests."""
from __future__ import annotations

from typing import Any

import pytest

from webio_desktop import start_server
from webio_desktop.exceptions import SessionNotFoundException
from webio_desktop.output import put_text
from webio_desktop.platform import path_deploy
from webio_desktop.sessions.core import SessionInfo, TaskContext, enter_task
from webio_desktop.sessions.host import Host, current_host
from webio_desktop.sessions.threaded import ThreadSession


class RecordingHost(Host):
    """Serves nothing: records what it was handed."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any, dict]] = []
        self.session = ThreadSession(lambda: None, SessionInfo())

    def start_server(self, applications: Any, options: dict[str, Any]) -> bool:
        self.calls.append(("start_server", applications, options))
        return True

    def path_deploy(self, base: str, options: dict[str, Any]) -> bool:
        self.calls.append(("path_deploy", base, options))
        return True

    def context_for_thread(self) -> TaskContext:
        ctx = TaskContext(self.session, "t1")
        enter_task(ctx)
        return ctx


@pytest.fixture
def host():
    installed = RecordingHost()
    before = current_host()
    installed.install()
    yield installed
    installed.uninstall()
    assert current_host() is before


def test_the_installed_host_takes_start_server_and_path_deploy(host, tmp_path):
    def app() -> None:
        pass

    start_server(app, port=1234, debug=True)  # returns: the host served it
    path_deploy(str(tmp_path), debug=True)
    assert [call[0] for call in host.calls] == ["start_server", "path_deploy"]
    assert host.calls[0][1] is app and host.calls[0][2]["port"] == 1234
    assert host.calls[1][1] == str(tmp_path) and host.calls[1][2]["debug"] is True


def test_the_installed_host_gives_the_context_outside_sessions(host):
    import threading

    def outside() -> None:  # a plain thread: no session task of its own
        put_text("from a host's session")

    thread = threading.Thread(target=outside)
    thread.start()
    thread.join()
    assert [c["spec"]["content"] for c in host.session.take_outbox()] == ["from a host's session"]


def test_the_plain_host_has_no_session_outside_app_code():
    with pytest.raises(SessionNotFoundException):
        Host().context_for_thread()
