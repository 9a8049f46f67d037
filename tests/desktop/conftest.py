"""Fixtures for desktop tests: an Xvfb display, launched apps, Playwright over CDP.

Windows are real Qt WebEngine windows under Xvfb; tests read and click them through Qt
WebEngine's remote-debugging port (Playwright ``connect_over_cdp``), and close them with the
WM_DELETE_WINDOW message a window manager would send (``xwin.py``).
"""
from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def qt_missing() -> str | None:
    try:
        import PyQt6.QtWebEngineWidgets  # noqa: F401
        import webview  # noqa: F401
    except Exception as exc:
        return f"PyQt6 WebEngine / pywebview not importable: {exc}"
    return None


@pytest.fixture(scope="session")
def xdisplay():
    """A private Xvfb display (":N"), started with -displayfd so N is free."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb)")
    read, write = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24",
                             "-nolisten", "tcp"], pass_fds=(write,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as f:
        number = f.readline().strip()
    yield f":{number}"
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="session")
def browser_type(browser):
    """Playwright's Chromium type, from the suite's shared ``browser`` (tests/conftest.py): one
    Playwright instance per process."""
    return browser.browser_type


class Launched:
    """A ``python -m webio_desktop`` process: its output lines, its windows over CDP."""

    def __init__(self, proc: subprocess.Popen, cdp_port: int, display: str | None,
                 home: Path, browser_type) -> None:
        self.proc = proc
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
        stay open: their page objects must keep working."""
        deadline = time.monotonic() + 20
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

    def pages(self, url_part: str = "", count: int = 1, timeout: float = 20) -> list:
        """Pages whose URL contains ``url_part``; waits until there are ``count`` of them."""
        deadline = time.monotonic() + timeout
        while True:
            browser = self.cdp()
            found = [p for c in browser.contexts for p in c.pages
                     if p.url.startswith("http://127.0.0.1") and url_part in p.url]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.3)

    def page(self, url_part: str = ""):
        found = self.pages(url_part)
        assert found, f"no window showing {url_part!r}"
        return found[0]

    def wait_exit(self, timeout: float = 20) -> int:
        return self.proc.wait(timeout)

    def stop(self) -> None:
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
def launch(browser_type, home: Path):
    """``launch(script, *args, opts=(...), display=..., env={...})`` -> Launched; stopped after the test."""
    launched: list[Launched] = []

    def start(script: str | Path, *args: str, opts: tuple[str, ...] = (),
              display: str | None = None, env: dict[str, str] | None = None) -> Launched:
        cdp_port = free_port()
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
        })
        if display:
            environ["DISPLAY"] = display
        environ.update(env or {})
        proc = subprocess.Popen([sys.executable, "-m", "webio_desktop", *opts, str(script),
                                 *args],
                                cwd=ROOT, env=environ, stdout=subprocess.PIPE,
                                stderr=open(home / "stderr.log", "ab"), text=True)
        item = Launched(proc, cdp_port, display, home, browser_type)
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
    """Wait until the window takes mouse input: a fresh Qt WebEngine view drops the first
    input events for a moment after it shows. Clicks a blank corner until one arrives."""
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
