"""Real native windows under Xvfb: content, go_app windows, titles, close, exit, errors."""
from __future__ import annotations

import signal

import psutil
import pytest

from .conftest import EXAMPLES, MULTI, needs_qt, shown, wait_for
from .xwin import close_window, find_windows, window_names

pytestmark = needs_qt



def helpers(app) -> list[psutil.Process]:
    return psutil.Process(app.proc.pid).children(recursive=True)


def test_go_app_opens_a_second_window_and_closing_ends_sessions(launch, xdisplay):
    app = launch(MULTI, display=xdisplay)
    page = shown(app.page(), "Hello from the desktop")
    assert "webio_token" not in page.url  # the one-time token was swapped for a cookie
    wait_for(lambda: "Notes" in window_names(xdisplay), what="a window titled Notes")

    page.click("text=Open the counter")
    counter = wait_for(lambda: app.pages("app=counter"), what="the counter window")[0]
    shown(counter, "Add how much?")
    wait_for(lambda: "Counter" in window_names(xdisplay), what="a native Counter window")
    assert len(app.pages()) == 2

    # The counter works in its own window.
    counter.fill("input", "5")
    counter.keyboard.press("Enter")
    counter.wait_for_selector("text=Total: 5", timeout=10000)

    # set_env(title=...) becomes the native title.
    page.click("text=Rename the window")
    wait_for(lambda: "Notes (renamed)" in window_names(xdisplay), what="the renamed title")

    children = helpers(app)
    assert children, "Qt WebEngine helper processes expected"
    close_window(xdisplay, find_windows(xdisplay, "^Counter$")[0])
    app.wait_line(r"counter: session closed")
    assert app.proc.poll() is None  # one window is still open
    close_window(xdisplay, find_windows(xdisplay, r"^Notes \(renamed\)$")[0])
    app.wait_line(r"index: session closed")
    assert app.wait_exit(20) == 0
    _, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, f"processes left behind: {alive}"


def test_in_place_navigation_and_app_link(launch, xdisplay):
    app = launch(MULTI, display=xdisplay)
    page = shown(app.page(), "Hello from the desktop")
    page.click("text=Counter (link, new window)")
    wait_for(lambda: app.pages("app=counter"), what="a window from the app link")
    page = [p for p in app.pages() if "app=counter" not in p.url][0]
    page.click("text=Counter in this window")
    page.wait_for_url("**/?app=counter", timeout=10000)
    page.wait_for_selector("text=Add how much?", timeout=10000)
    assert len(app.pages()) == 2  # in place: no third window
    app.wait_line(r"index: session closed")  # leaving the page ended its session


def test_script_mode_in_a_window(launch, xdisplay):
    app = launch(EXAMPLES / "desktop_script.py", display=xdisplay)
    page = shown(app.page(), "Script mode: hello!")
    wait_for(lambda: "Greeter" in window_names(xdisplay), what="the title from set_env")
    page.fill("input", "Bob")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Nice to meet you, Bob.", timeout=10000)
    close_window(xdisplay, find_windows(xdisplay, "^Greeter$")[0])
    assert app.wait_exit(20) == 0


def test_app_error_is_shown_and_logged(launch, xdisplay, home):
    app = launch(MULTI, display=xdisplay)
    page = shown(app.page(), "Hello from the desktop")
    page.click("text=Fail")
    page.wait_for_selector("text=An internal error occurred", timeout=10000)
    log = home / ".local/state/webio-desktop/log/desktop_multi.log"
    wait_for(lambda: log.exists() and "ZeroDivisionError" in log.read_text(),
             what="the traceback in the log file")


def test_sigterm_closes_cleanly(launch, xdisplay):
    app = launch(MULTI, display=xdisplay)
    shown(app.page(), "Hello from the desktop")
    app.proc.send_signal(signal.SIGTERM)
    assert app.wait_exit(20) == 0
    assert any("index: session closed" in line for line in app.lines)


def test_geometry_is_remembered(launch, xdisplay):
    import subprocess

    app = launch(MULTI, opts=("--size", "700x500"), display=xdisplay)
    page = shown(app.page(), "Hello from the desktop")
    window = wait_for(lambda: find_windows(xdisplay, "^Notes$"), what="the window")[0]
    subprocess.run(["xdotool", "windowsize", str(window), "640", "480"],
                   env={"DISPLAY": xdisplay}, check=True)
    subprocess.run(["xdotool", "windowmove", str(window), "100", "80"],
                   env={"DISPLAY": xdisplay}, check=True)
    wait_for(lambda: page.evaluate("[innerWidth, innerHeight, screenX, screenY]") == [640, 480, 100, 80],
             what="the page to take the new size and place")
    close_window(xdisplay, window)
    assert app.wait_exit(20) == 0

    again = launch(MULTI, opts=("--size", "700x500"), display=xdisplay)
    shown(again.page(), "Hello from the desktop")
    window = wait_for(lambda: find_windows(xdisplay, "^Notes$"), what="the window")[0]
    out = subprocess.run(["xdotool", "getwindowgeometry", str(window)],
                         env={"DISPLAY": xdisplay}, capture_output=True, text=True).stdout
    assert "640x480" in out, out
    assert "100,80" in out, out


def test_download_goes_through_the_save_dialog(launch, xdisplay, tmp_path):
    import subprocess

    app = launch(MULTI, display=xdisplay)
    page = shown(app.page(), "Hello from the desktop")
    page.click("text=Save a file")
    names = wait_for(lambda: [n for n in window_names(xdisplay) if "save" in n.lower()],
                     what="the Save dialog")
    dialog = find_windows(xdisplay, f"^{names[0]}$")[0]
    target = tmp_path / "saved.txt"
    env = {"DISPLAY": xdisplay}
    subprocess.run(["xdotool", "windowfocus", "--sync", str(dialog)], env=env, check=True)
    subprocess.run(["xdotool", "key", "ctrl+a"], env=env, check=True)
    subprocess.run(["xdotool", "type", "--delay", "5", str(target)], env=env, check=True)
    subprocess.run(["xdotool", "key", "Return"], env=env, check=True)
    wait_for(lambda: target.exists() and target.read_bytes() == b"hello, desktop\n",
             what="the saved file")


def test_the_native_title_ends_as_the_page_title_after_quick_changes(launch, xdisplay, tmp_path):
    """pywebview runs each call of the page's js_api on a thread of its own: a hundred title changes,
    each in a task of its own, must not leave the window showing an older one (the shim sends
    the latest title with one call in flight)."""
    script = tmp_path / "titles.py"
    script.write_text(
        "from webio_desktop.output import put_text\n"
        "from webio_desktop.session import hold, run_js\n\n"
        "put_text('titles')\n"
        # Each change in a task of its own (a MessageChannel does not clamp like setTimeout),
        # so each is reported; at the page's start most come before pywebview's bridge is ready.
        "run_js(\"const c = new MessageChannel(); let i = 0; c.port1.onmessage = () => { \"\n"
        "       \"document.title = 'Title ' + i; if (++i < 100) c.port2.postMessage(0); }; \"\n"
        "       \"c.port2.postMessage(0);\")\n"
        "hold()\n")
    app = launch(script, display=xdisplay)
    wait_for(lambda: "Title 99" in window_names(xdisplay), 30, what="the last title")
    # The calls before it were answered first (one in flight), so none can land after it.
    assert not [n for n in window_names(xdisplay) if n.startswith("Title ") and n != "Title 99"]
    close_window(xdisplay, find_windows(xdisplay, "^Title 99$")[0])
    assert app.wait_exit(20) == 0
