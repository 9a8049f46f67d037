"""Browser mode gives no command line a secret, spends its token once, and no other origin
(another port of 127.0.0.1 included) can frame the app. Real launcher, real Chromium."""
from __future__ import annotations

import http.server
import re
import stat
import threading
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import pytest

from .conftest import EXAMPLES

# What the system's browser command is given: this script records its arguments (and stays
# alive a moment, so its command line can be read like a real browser's).
FAKE_BROWSER = '''#!/bin/sh
printf '%s\\n' "$@" > "{record}"
sleep 5
'''


@pytest.fixture
def attacker():
    """A page on another port of 127.0.0.1 that frames whatever URL it is given."""
    holder: dict[str, str] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = f'<iframe id="f" src="{holder["target"]}"></iframe>'.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def frame(target: str) -> str:
        holder["target"] = target
        return f"http://127.0.0.1:{server.server_port}/"

    yield frame
    server.shutdown()


def test_browser_mode_token_is_in_no_command_line_and_spent_once(launch, chromium, browser,
                                                                 home, attacker):
    record = home / "browser-argv.txt"
    fake = home / "fake-browser.sh"
    fake.write_text(FAKE_BROWSER.format(record=record))
    fake.chmod(0o700)
    app = launch(EXAMPLES / "desktop_multi.py", opts=("--browser",), env={"BROWSER": str(fake)})
    line = app.wait_line(r"webio-desktop: open file://")
    opener = Path(urlsplit(re.search(r"(file://\S+)", line).group(1)).path)
    # The opener file and its folder are this user's only; it holds the one-time token.
    assert stat.S_IMODE(opener.stat().st_mode) == 0o600
    assert stat.S_IMODE(opener.parent.stat().st_mode) == 0o700
    token_url = re.search(r'url=([^"]+)"', opener.read_text()).group(1).replace("&amp;", "&")
    token = re.search(r"webio_token=([\w-]+)", token_url).group(1)
    # The browser was handed the file, and no process anywhere has the token in its arguments.
    from conftest import wait_until

    wait_until(record.exists, 15, what="the browser command")
    assert record.read_text().split() == [opener.as_uri()]
    for proc in psutil.process_iter(["cmdline"]):
        assert token not in " ".join(proc.info["cmdline"] or ()), proc
    assert token not in "\n".join(app.lines)
    # The user's browser opens the file: the app, at a clean URL, with the cookie.
    page = chromium.new_page()
    page.goto(opener.as_uri())
    page.wait_for_selector("text=Hello from the desktop", timeout=15000)
    assert "webio_token" not in page.url
    app_url = page.url
    # Replaying the token (or the file) elsewhere fails: it was spent.
    other = browser.new_context()
    try:
        assert other.new_page().goto(token_url).status == 403
        assert other.new_page().goto(app_url).status == 403
    finally:
        other.close()
    # With the cookie set, a page on another port of 127.0.0.1 (same site) can't frame the app.
    response = page.request.get(app_url)
    assert response.headers["content-security-policy"] == "frame-ancestors 'self'"
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    evil = chromium.new_page()
    evil.goto(attacker(app_url))
    evil.wait_for_function("() => document.getElementById('f') !== null")
    frame = evil.frame_locator("#f")
    wait_until(lambda: len(evil.frames) == 2 and evil.frames[1].url.startswith("chrome-error"),
               15, what="Chromium to block the frame")
    assert frame.locator("text=Hello from the desktop").count() == 0
