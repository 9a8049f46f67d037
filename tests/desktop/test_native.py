"""What crosses from a window to the desktop: the native file picker, external links, and
window geometry kept when the launcher is stopped by a signal."""
from __future__ import annotations

import json
import signal
import subprocess

import pytest

from .conftest import MULTI, needs_qt, shown, wait_for, wait_until
from .xwin import find_windows, window_names

pytestmark = needs_qt



def xdotool(display: str, *args: str) -> str:
    return subprocess.run(["xdotool", *args], env={"DISPLAY": display}, check=True,
                          capture_output=True, text=True, timeout=10).stdout


def test_file_upload_uses_the_native_picker(launch, xdisplay, tmp_path):
    """file_upload's field opens Qt's native file dialog; the picked file reaches the app."""
    picked = tmp_path / "report.csv"
    picked.write_bytes(b"a,b\n1,2\n")
    script = tmp_path / "upload_app.py"
    script.write_text(
        "from pywebio import start_server\nfrom pywebio.input import file_upload\n"
        "from pywebio.output import put_text\n\n"
        "def index():\n"
        "    f = file_upload('Report')\n"
        "    print('got', f['filename'], len(f['content']), flush=True)\n"
        "    put_text('received ' + f['filename'])\n\n"
        "start_server(index)\n")
    app = launch(script, display=xdisplay)
    page = shown(app.page(), "Report")
    before = set(window_names(xdisplay))
    page.click("input[type=file]")
    dialog_name = wait_for(lambda: [n for n in window_names(xdisplay) if n not in before],
                           what="the native file dialog")[0]
    dialog = find_windows(xdisplay, f"^{dialog_name}$")[0]

    def pick() -> bool:
        # A fresh dialog may drop keys until it has the keyboard; an empty name ignores Return.
        if find_windows(xdisplay, f"^{dialog_name}$"):
            xdotool(xdisplay, "windowfocus", "--sync", str(dialog))
            xdotool(xdisplay, "key", "ctrl+a")
            xdotool(xdisplay, "type", "--delay", "5", str(picked))
            xdotool(xdisplay, "key", "Return")
        try:
            wait_until(lambda: page.evaluate(
                "document.querySelector('input[type=file]').files.length"), 2, 0.1)
        except AssertionError:
            return False
        return True

    wait_for(pick, timeout=20, what="the dialog to take the typed path")
    page.get_by_role("button", name="Submit", exact=True).click()
    app.wait_line(r"got report\.csv 8")
    page.wait_for_selector("text=received report.csv")


def test_external_links_open_the_system_browser(launch, xdisplay, tmp_path):
    record = tmp_path / "opened.txt"
    fake_browser = tmp_path / "browser.sh"
    fake_browser.write_text(f'#!/bin/sh\necho "$1" >> {record}\n')
    fake_browser.chmod(0o755)
    app = launch(MULTI, display=xdisplay, env={"BROWSER": f"{fake_browser} %s"})
    page = shown(app.page(), "Hello from the desktop")
    page.click("text=example.org (opens the system browser)")
    wait_for(lambda: record.exists() and record.read_text().strip() == "https://example.org/",
             what="the system browser called with the link")
    # window.open to another site goes the same way; other schemes go nowhere. The shim decides
    # each call at once, in order: the warnings come back with the call, and once the later
    # https call reached the browser the file: one had been refused before it.
    warnings = page.evaluate("""() => {
        const seen = [], warn = console.warn;
        console.warn = (...args) => { seen.push(args.join(' ')); warn(...args); };
        try { window.open('file:///etc/passwd'); window.open('https://example.com/x'); }
        finally { console.warn = warn; }
        return seen;
    }""")
    assert any("blocked a link to file:///etc/passwd" in w for w in warnings), warnings
    wait_for(lambda: "https://example.com/x" in record.read_text(), what="window.open routed")
    assert "passwd" not in record.read_text()
    assert len(app.pages()) == 1  # nothing opened a window or left the app
    assert "Hello from the desktop" in page.inner_text("body")


def test_geometry_is_saved_when_stopped_by_a_signal(launch, xdisplay, home):
    app = launch(MULTI, opts=("--size", "700x500"), display=xdisplay)
    page = shown(app.page(), "Hello from the desktop")
    window = wait_for(lambda: find_windows(xdisplay, "^Notes$"), what="the window")[0]
    xdotool(xdisplay, "windowsize", str(window), "660", "470")
    wait_for(lambda: page.evaluate("window.innerWidth") == 660, what="the page to take the new size")
    app.proc.send_signal(signal.SIGINT)  # Ctrl+C in the terminal
    assert app.wait_exit(20) == 0
    saved = json.loads((home / ".config" / "webio-desktop" / "windows.json").read_text())
    (geometry,) = [g for key, g in saved.items() if key.endswith("::index")]
    assert (geometry["width"], geometry["height"]) == (660, 470)
