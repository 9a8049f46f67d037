"""Browser fallback: --browser, or no display; the printed URL (with its secret) works."""
from __future__ import annotations

import re
import signal

from .conftest import EXAMPLES


def open_printed_url(app, chromium):
    line = app.wait_line(r"webio-desktop: open http://")
    url = re.search(r"(http://\S+)", line).group(1)
    assert "webio_token=" in url
    page = chromium.new_page()
    page.goto(url)
    page.wait_for_selector("text=Hello from the desktop", timeout=15000)
    assert "webio_token" not in page.url  # swapped for a cookie, then a clean URL
    return url, page


def test_browser_flag_serves_a_working_url(launch, chromium):
    app = launch(EXAMPLES / "desktop_multi.py", opts=("--browser", "--no-open"))
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


def test_no_display_falls_back_to_the_browser(launch, chromium):
    app = launch(EXAMPLES / "desktop_multi.py", opts=("--no-open",))  # no DISPLAY given
    assert "no display" in app.wait_line(r"serving in the browser")
    open_printed_url(app, chromium)
    app.proc.send_signal(signal.SIGINT)
    assert app.wait_exit(20) == 0


def test_fixed_port_in_browser_mode(launch, chromium):
    from .conftest import free_port

    port = free_port()
    app = launch(EXAMPLES / "desktop_multi.py", opts=("--browser", "--no-open", "--port", str(port)))
    url, _ = open_printed_url(app, chromium)
    assert f"127.0.0.1:{port}/" in url
