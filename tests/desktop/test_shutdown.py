"""The desktop server's shutdown waits for what closing sessions exposes (``wait_done``), never
for threads by name: real DesktopServer on 127.0.0.1, real pages in Chromium."""
from __future__ import annotations

import threading
import time

import pytest

from webio_desktop.desktop.server import DesktopServer
from webio_desktop.server.apps import normalize_apps


class DeferredProbe:
    """An app whose ``defer_call`` function takes a while, and records when it has run."""

    def __init__(self, seconds: float = 1.5) -> None:
        self.seconds = seconds
        self.started = threading.Event()
        self.finished = threading.Event()

    def app(self) -> None:
        from webio_desktop.output import put_text
        from webio_desktop.session import defer_call

        def cleanup() -> None:
            self.started.set()
            time.sleep(self.seconds)  # slow cleanup work (saving a file, say)
            self.finished.set()

        defer_call(cleanup)
        put_text("ready")
        put_text("clicked").onclick(lambda: None)  # a callback: the session stays open


@pytest.fixture
def probe_server():
    probe = DeferredProbe()
    server = DesktopServer(normalize_apps(probe.app))
    server.start()
    yield probe, server
    if server._thread is not None and server._thread.is_alive():  # the test failed early
        server.stop()


def stop_in_thread(server: DesktopServer) -> threading.Event:
    stopped = threading.Event()
    threading.Thread(target=lambda: (server.stop(), stopped.set()), daemon=True).start()
    return stopped


def test_a_pending_close_question_does_not_delay_shutdown(probe_server, page):
    probe, server = probe_server
    page.goto(server.url_for("index"))
    page.wait_for_selector("text=ready")
    # A window's close question, still unanswered: the thread desktop/window_manager.py asks it in.
    answer = threading.Event()
    question = threading.Thread(target=answer.wait, name="webio-close-guard", daemon=True)
    question.start()
    try:
        stopped = stop_in_thread(server)
        # Shutdown used to join every thread named "webio-close-*" for up to 5 s each.
        assert stopped.wait(4), "shutdown waited for the pending close question"
        assert question.is_alive()
        assert probe.finished.is_set(), "shutdown returned before the session's defer_call ran"
    finally:
        answer.set()


def test_shutdown_waits_for_the_cleanup_of_a_window_closed_just_before(probe_server, page):
    probe, server = probe_server
    page.goto(server.url_for("index"))
    page.wait_for_selector("text=ready")
    page.close()  # the window closes: its session closes, its cleanup starts
    assert probe.started.wait(10)
    server.stop()
    assert probe.finished.is_set(), "shutdown returned before the closed session's cleanup ran"
