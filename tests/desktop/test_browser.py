"""Browser fallback: --browser, or no display; the printed URL (with its secret) works."""
from __future__ import annotations

import re
import signal

import pytest

from .conftest import MULTI, ROOT, free_port


@pytest.fixture
def engine() -> str:
    """Browser mode does not depend on the web engine: these tests run once."""
    return "qt"


def open_printed_url(app, chromium):
    """Open the printed opener file (no token on the command line or in the output)."""
    line = app.wait_line(r"webio-desktop: open file://")
    opener = re.search(r"(file://\S+)", line).group(1)
    assert "webio_token" not in "\n".join(app.lines)
    page = chromium.new_page()
    page.goto(opener)
    page.wait_for_selector("text=Hello from the desktop", timeout=15000)
    assert "webio_token" not in page.url  # swapped for a cookie, then a clean URL
    return page.url, page


def test_browser_flag_serves_a_working_url(launch, chromium):
    app = launch(MULTI, opts=("--browser", "--no-open"))
    assert "--browser was given" in app.wait_line(r"serving in the browser")
    url, page = open_printed_url(app, chromium)
    page.click("text=Counter in this window")
    page.wait_for_selector("text=Add how much?", timeout=10000)
    # Another browser profile without the cookie is refused.
    other = chromium.browser.new_context().new_page()
    assert other.goto(url.split("?")[0]).status == 403
    app.proc.send_signal(signal.SIGTERM)
    assert app.wait_exit(20) == 0
    assert any("session closed" in line for line in app.lines)


@pytest.mark.parametrize("engine", ["qt", "system"])
def test_no_display_falls_back_to_the_browser(launch, chromium):
    app = launch(MULTI, opts=("--no-open",))  # no DISPLAY given
    assert "no display" in app.wait_line(r"serving in the browser")
    open_printed_url(app, chromium)
    app.proc.send_signal(signal.SIGINT)
    assert app.wait_exit(20) == 0


def test_fixed_port_in_browser_mode(launch, chromium):

    port = free_port()
    app = launch(MULTI, opts=("--browser", "--no-open", "--port", str(port)))
    url, _ = open_printed_url(app, chromium)
    assert f"127.0.0.1:{port}/" in url


@pytest.mark.parametrize("engine", ["system"])
def test_missing_webkitgtk_falls_back_with_a_one_line_reason(launch, chromium, xdisplay,
                                                             tmp_path):
    """No PyGObject (as on a machine without webio-desktop[gtk]): the browser, and why."""
    hide = tmp_path / "no_gi"
    hide.mkdir()
    # A module that fails to import the way an absent package does, first on the path.
    (hide / "gi.py").write_text("raise ModuleNotFoundError(\"No module named 'gi'\", name='gi')\n")
    app = launch(MULTI, opts=("--no-open",), display=xdisplay,
                 env={"PYTHONPATH": f"{hide}:{ROOT}"})
    line = app.wait_line(r"serving in the browser")
    assert re.search(r"WebKitGTK is not available \(ModuleNotFoundError: No module named 'gi'\); "
                     r"install .*gir1\.2-webkit2-4\.1.*webio-desktop\[gtk\]", line), line
    open_printed_url(app, chromium)
    app.proc.send_signal(signal.SIGTERM)
    assert app.wait_exit(20) == 0
