"""Shared fixtures: a real headless Chromium (Debian's) and real webio servers on 127.0.0.1."""
from __future__ import annotations

import asyncio
import functools
import queue
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from webio_desktop.server.apps import normalize_apps
from webio_desktop.server.run import RunningServer, bind, make_application
from webio_desktop.server.tornado import HandlerOptions
from webio_desktop.sessions import script_mode

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("WEBIO_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def wait_until(predicate: Callable[[], object], timeout: float = 10, interval: float = 0.02,
               what: str | None = None):
    """Poll ``predicate`` until it is truthy; fail the test with a clear message otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}")
        time.sleep(interval)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()


class ServerThread:
    """A webio server in a thread of this process, so tests can see sessions and threads."""

    def __init__(self, applications, static_dir: str | None = None, **options) -> None:
        script_mode.enter_server_mode()
        self.options = HandlerOptions(normalize_apps(applications), **options)
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(asyncio.new_event_loop())
            application = make_application(self.options, static_dir=static_dir)
            self.server = RunningServer(application, bind(0, "127.0.0.1"), "127.0.0.1")
            ready.set()
            self.server.loop.start()
            self.server.loop.close(all_fds=True)

        self.thread = threading.Thread(target=run, name="test-server", daemon=True)
        self.thread.start()
        ready.wait(10)
        self.url = self.server.url

    def stop(self) -> None:
        for session in list(self.options.sessions):
            session.close()
        self.server.stop()
        self.thread.join(10)


@pytest.fixture
def serve() -> Iterator[Callable[..., ServerThread]]:
    """``serve(apps, **HandlerOptions)`` starts a server; all are stopped after the test."""
    servers: list[ServerThread] = []

    def start(applications, **options) -> ServerThread:
        server = ServerThread(applications, **options)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def free_port() -> int:
    from webio_desktop.utils import get_free_port

    return get_free_port()


@pytest.fixture
def run_script(tmp_path):
    """Run a Python script in a child process; yields a function returning the Popen."""
    procs: list[subprocess.Popen] = []

    def start(source: str, *args: str, env: dict | None = None) -> subprocess.Popen:
        path = tmp_path / f"script_{len(procs)}.py"
        path.write_text(source)
        proc = subprocess.Popen([sys.executable, str(path), *args], cwd=tmp_path,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                env={**os.environ, "BROWSER": "true", **(env or {})})
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)


def two_part_app(go: threading.Event) -> Callable[[], None]:
    """An app that shows "one", waits for ``go``, shows "two" and stays: a session with output
    before and after a moment the test chooses (reconnect and resume tests)."""
    from webio_desktop.output import put_text
    from webio_desktop.session import hold

    def app() -> None:
        put_text("one")
        go.wait(10)
        put_text("two")
        hold()

    return app


def wait_for_port(port: int, timeout: float = 15) -> None:
    import socket

    def connectable() -> bool:
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", port)) == 0

    wait_until(connectable, timeout)


class _Crash:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


class Results:
    """What the app reports back to the test, in order; an exception in the app fails the test."""

    def __init__(self, done_marker: str | None = None) -> None:
        self.q: queue.Queue = queue.Queue()
        self.done_marker = done_marker  # put after the app returns, when given

    def put(self, value) -> None:
        self.q.put(value)

    def get(self, timeout: float = 10):
        value = self.q.get(timeout=timeout)
        if isinstance(value, _Crash):
            raise AssertionError(f"the app raised {value.exc!r}") from value.exc
        return value

    def empty(self) -> bool:
        return self.q.empty()

    def app(self, func):
        @functools.wraps(func)
        def wrapper():
            try:
                func()
            except BaseException as exc:  # report it instead of letting the test time out
                self.q.put(_Crash(exc))
                raise
            if self.done_marker is not None:
                self.q.put(self.done_marker)
        return wrapper


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI (CI=true) a skipped test is a failure: the test command installs every extra, Qt
    and Xvfb, so a skip there means a feature went untested, not that it is missing here."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if os.environ.get("CI") and skipped and exitstatus == 0:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped; every test must run here",
                            red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
