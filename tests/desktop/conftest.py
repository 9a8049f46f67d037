"""Fixtures for desktop tests: an Xvfb display, launched apps on both web engines.

Windows are real windows under Xvfb, and every test that launches one runs on both engines
(the ``engine`` fixture): Qt WebEngine, read and clicked through its remote-debugging port
(Playwright ``connect_over_cdp``), and the system engine (WebKitGTK), read through the
launcher's test channel and clicked with real X input (``webkit_page.py``). Windows are closed
with the WM_DELETE_WINDOW message a window manager would send (``xwin.py``).
"""
from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import free_port, wait_until  # noqa: F401 (re-exported for the desktop tests)
from .xwin import xvfb

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
MULTI = EXAMPLES / "desktop_multi.py"  # the two-app example most window tests launch


def qt_missing() -> str | None:
    try:
        import PyQt6.QtWebEngineWidgets  # noqa: F401
        import webview  # noqa: F401
    except Exception as exc:
        return f"PyQt6 WebEngine / pywebview not importable: {exc}"
    return None


def gtk_missing() -> str | None:
    try:
        import gi

        gi.require_version("WebKit2", "4.1")
        from gi.repository import WebKit2  # noqa: F401
    except Exception as exc:
        return f"WebKitGTK / PyGObject not importable: {exc}"
    return None


ENGINES = ("qt", "system")


@pytest.fixture(params=ENGINES)
def engine(request) -> str:
    """The web engine a launched app's windows use; tests that launch run on each."""
    missing = qt_missing() if request.param == "qt" else gtk_missing()
    if missing:
        pytest.skip(missing)
    return request.param


QT_MISSING = qt_missing()
# Marks tests that open native windows (in CI a skipped test fails the run, so Qt must be there).
needs_qt = pytest.mark.skipif(QT_MISSING is not None, reason=QT_MISSING or "")


def wait_for(predicate, timeout: float = 15, what: str = "condition"):
    """``wait_until`` paced for native windows (slower to start; polling them costs more)."""
    return wait_until(predicate, timeout, interval=0.2, what=what)


@pytest.fixture(scope="session")
def xdisplay():
    """A private Xvfb display (":N"), started with -displayfd so N is free."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb)")
    with xvfb() as display:
        yield display


@pytest.fixture(scope="session")
def browser_type(browser):
    """Playwright's Chromium type, from the suite's shared ``browser`` (tests/conftest.py): one
    Playwright instance per process."""
    return browser.browser_type


class Launched:
    """A ``python -m webio_desktop`` process: its output lines, its windows over CDP."""

    def __init__(self, proc: subprocess.Popen, cdp_port: int, display: str | None,
                 home: Path, browser_type, engine: str = "qt",
                 channel_path: Path | None = None) -> None:
        self.proc = proc
        self.engine = engine
        self.channel_path = channel_path
        self._channel = None
        self.cdp_port = cdp_port
        self.display = display
        self.home = home
        self.browser_type = browser_type
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        self._browsers: list = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.proc.stdout:  # type: ignore[union-attr]
            self.lines.append(line.rstrip("\n"))
            self._queue.put(line)

    def wait_line(self, pattern: str, timeout: float = 15) -> str:
        """The first output line (seen so far or later) matching ``pattern``."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for line in self.lines[seen:]:
                if regex.search(line):
                    return line
            seen = len(self.lines)
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no output line matching {pattern!r}; got {self.lines}")
            try:
                self._queue.get(timeout=min(left, 0.2))
            except queue.Empty:
                pass

    def cdp(self):
        """A fresh CDP connection (new windows appear only on reconnect). Earlier connections
        stay open: their page objects must keep working. A built app on a loaded machine can
        take well over 20 s to open its engine's debugging port, hence the minute."""
        deadline = time.monotonic() + 60
        while True:
            try:
                browser = self.browser_type.connect_over_cdp(
                    f"http://127.0.0.1:{self.cdp_port}", no_defaults=True)
                self._browsers.append(browser)
                return browser
            except Exception:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise
                time.sleep(0.2)

    def channel(self):
        """The test channel of a system-engine app (see webkit_page.py)."""
        from .webkit_page import Channel

        if self._channel is None:
            self._channel = Channel(self.channel_path, self.proc)
        return self._channel

    def _all_pages(self) -> list:
        if self.engine == "qt":
            browser = self.cdp()
            return [p for c in browser.contexts for p in c.pages]
        from .webkit_page import WebKitPage

        pages = []
        for window in self.channel().call("windows"):
            page = WebKitPage(self.channel(), window["uid"], self.display)
            try:
                page.url
            except RuntimeError:  # closing right now
                continue
            pages.append(page)
        return pages

    def pages(self, url_part: str = "", count: int = 1, timeout: float = 20) -> list:
        """Pages whose URL contains ``url_part``; waits until there are ``count`` of them."""
        deadline = time.monotonic() + timeout
        while True:
            found = [p for p in self._all_pages()
                     if p.url.startswith("http://127.0.0.1") and url_part in p.url]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.3)

    def cookies(self, page) -> list[dict]:
        """The cookies the window's engine keeps for ``page`` (name, value, httpOnly, sameSite)."""
        if self.engine == "qt":
            return page.context.new_cdp_session(page).send("Network.getCookies")["cookies"]
        return self.channel().call("cookies", uid=page.uid)

    def page(self, url_part: str = ""):
        found = self.pages(url_part)
        assert found, f"no window showing {url_part!r}"
        return found[0]

    def wait_exit(self, timeout: float = 20) -> int:
        """The exit status; if the app has not exited in ``timeout`` s, it is aborted (its
        faulthandler writes every thread's stack to stderr.log) and the test fails showing
        its last output and those stacks, so a hang at exit says where it hung."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.send_signal(signal.SIGABRT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
            stderr = (self.home / "stderr.log").read_text(errors="replace")[-8000:]
            raise AssertionError(f"the app did not exit within {timeout} s; its last output:\n"
                                 + "\n".join(self.lines[-40:]) + f"\nits stderr:\n{stderr}")

    def stop(self) -> None:
        if self._channel is not None:
            self._channel.close()
        for browser in self._browsers:
            try:
                browser.close()
            except Exception:
                pass
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    (path / ".run").mkdir(mode=0o700)  # XDG_RUNTIME_DIR must be private
    return path


@pytest.fixture
def launch(browser_type, home: Path, engine: str):
    """``launch(script, *args, opts=(...), display=..., env={...})`` -> Launched; stopped after the test."""
    launched: list[Launched] = []

    def start(script: str | Path, *args: str, opts: tuple[str, ...] = (),
              display: str | None = None, env: dict[str, str] | None = None) -> Launched:
        cdp_port = free_port()
        channel = home / f"channel-{len(launched)}.sock"
        environ = {k: v for k, v in os.environ.items()
                   if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
        environ.update({
            "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_STATE_HOME": str(home / ".local/state"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_RUNTIME_DIR": str(home / ".run"),  # single-instance files of this test only
            "QTWEBENGINE_REMOTE_DEBUGGING": f"127.0.0.1:{cdp_port}",
            "BROWSER": "true",  # webbrowser.open must not start a real browser
            "PYTHONUNBUFFERED": "1",
            "PYTHONFAULTHANDLER": "1",  # stacks on SIGABRT (wait_exit) and on crashes
            "WEBIO_DESKTOP_TEST_CHANNEL": str(channel),  # only the system engine's tests read it
        })
        if display:
            environ["DISPLAY"] = display
        environ.update(env or {})
        proc = subprocess.Popen([sys.executable, "-m", "webio_desktop", "--engine", engine,
                                 *opts, str(script), *args],
                                cwd=ROOT, env=environ, stdout=subprocess.PIPE,
                                stderr=open(home / "stderr.log", "ab"), text=True)
        item = Launched(proc, cdp_port, display, home, browser_type, engine, channel)
        launched.append(item)
        return item

    yield start
    for item in launched:
        item.stop()


@pytest.fixture
def chromium(browser):
    """Debian's headless Chromium (the suite's shared ``browser``), a fresh context per test."""
    context = browser.new_context()
    yield context
    context.close()


def input_ready(page, timeout: float = 10) -> None:
    """Wait until the window takes mouse input: a fresh view drops the first input events for a
    moment after it shows. Clicks a blank corner until one arrives."""
    page.evaluate("window.__webioTestDown = 0;"
                  "addEventListener('mousedown', () => window.__webioTestDown++, true)")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page.mouse.click(2, 2)
        if page.evaluate("window.__webioTestDown"):
            return
        time.sleep(0.1)
    raise AssertionError("the window never took mouse input")


def shown(page, text: str, timeout: float = 15) -> object:
    """``page`` once ``text`` is on it and it takes input."""
    page.wait_for_selector(f"text={text}", timeout=timeout * 1000)
    input_ready(page)
    return page


# -- a one file's app waiting for its engine's files (onefile.py's gate) -----------------------
def blocked_reading(pid: int, fd: int) -> bool:
    """Whether a thread of ``pid`` waits in read(2) on its file descriptor ``fd``."""
    try:
        return any((task / "syscall").read_text().startswith(f"0 {fd:#x} ")
                   for task in Path(f"/proc/{pid}/task").iterdir())
    except OSError:  # the process (or a thread) has ended meanwhile
        return False


def waiting_for_engine_files(pid: int) -> bool:
    """Whether the app ``pid`` waits at its engine gate: blocked reading the ready pipe its
    environment names (not yet true while the process is still the forked parent)."""
    try:
        env = dict(item.split("=", 1) for item in
                   Path(f"/proc/{pid}/environ").read_text().split("\0") if "=" in item)
    except OSError:
        return False
    fd = env.get("WEBIO_ONEFILE_READY_FD", "")
    return fd.isdigit() and blocked_reading(pid, int(fd))
