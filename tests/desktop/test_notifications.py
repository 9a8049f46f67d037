"""Desktop notifications (desktop.notify) shown by a real notification server: dunst on the
Xvfb display, on a private D-Bus session bus; clicked with xdotool. On both engines (notify has
no Qt in it), and what notify does with no server, and in a browser."""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from .conftest import shown, wait_for
from .services import (geometry, need, notification_server, private_bus, window_manager, x,
                       xvfb)
from .xwin import find_windows, focused_window_name


@pytest.fixture(scope="module")
def notify_desktop(tmp_path_factory):
    """(display, bus address, dunstctl's environment); openbox manages the display."""
    need("Xvfb", "openbox", "dbus-daemon", "dunst", "dunstctl", "xdotool", "xwininfo")
    folder = tmp_path_factory.mktemp("notify")
    with xvfb() as display, window_manager(display), private_bus(folder / "bus") as bus, \
            notification_server(display, bus, folder) as env:
        yield display, bus, env


APP = '''
import sys
from pywebio import config, start_server
from pywebio.output import put_buttons, put_text
from pywebio.session import go_app
from webio_desktop import desktop

def said(text):
    print(text, flush=True)
    put_text(text)

def send():
    shown = desktop.notify("Saved", "notes.txt <b>& more</b>", on_click=lambda: said("clicked"))
    said(f"notified {shown}")
    if shown and desktop.available() and sys.argv[1:] == ["hide"]:
        desktop.window().hide()  # a click on the notification must bring it back
    elif shown and desktop.available():
        go_app("other", new_window=True)  # it takes the focus; the click must give it back

@config(title="Notify app")
def index():
    put_buttons(["Notify"], onclick=[send])
    said("ready")

@config(title="Other")
def other():
    put_text("the other window")

start_server({"index": index, "other": other})
'''

COROUTINE_APP = '''
from pywebio import start_server
from pywebio.output import put_text
from webio_desktop import desktop

async def index():
    put_text("ready")
    print("notified", await desktop.notify("Nobody listens"), flush=True)

start_server(index)
'''


def dunst_window(display: str) -> tuple[int, int, int, int, bool] | None:
    """dunst's window while it shows a notification (it keeps a 1 px high one otherwise)."""
    for wid in re.findall(r"^\s*(0x[0-9a-f]+) \"Dunst\"", x(display, "xwininfo", "-root",
                                                            "-children"), re.M):
        found = geometry(display, int(wid, 16))
        if found[4] and found[3] > 10:
            return found
    return None


def history(display: str, env: dict[str, str]) -> list[dict]:
    data = json.loads(x(display, "dunstctl", "history", env=env))["data"][0]
    return [{key: value["data"] for key, value in item.items()} for item in data]


@pytest.mark.parametrize("how", ["hide", "other"])
def test_a_notification_shows_and_a_click_runs_the_callback_and_focuses(
        launch, notify_desktop, tmp_path: Path, how: str):
    """"hide": the window is hidden, the click shows it again; "other": another window has
    the focus, the click gives it back."""
    display, bus, env = notify_desktop
    script = tmp_path / "notify_app.py"
    script.write_text(APP)
    hide = how == "hide"
    app = launch(script, how, opts=("--no-remember",), display=display,
                 env={"DBUS_SESSION_BUS_ADDRESS": bus})
    page = shown(app.page(), "ready")
    page.get_by_role("button", name="Notify").click()
    app.wait_line(r"^notified True$")
    nx, ny, nw, nh, _ = wait_for(lambda: dunst_window(display), what="dunst's notification")
    assert x(display, "dunstctl", "count", "displayed", env=env).strip() == "1"
    if hide:
        wait_for(lambda: not find_windows(display, "^Notify app$"), what="the window hidden")
    else:
        other = wait_for(lambda: find_windows(display, "^Other$"), what="the other window")[0]
        subprocess.run(["xdotool", "windowfocus", "--sync", str(other)],
                       env={"DISPLAY": display}, check=True, timeout=10)
        assert focused_window_name(display) == "Other"

    subprocess.run(["xdotool", "mousemove", str(nx + nw // 2), str(ny + nh // 2), "click", "1"],
                   env={"DISPLAY": display}, check=True, timeout=10)
    app.wait_line(r"^clicked$")
    page.wait_for_selector("text=clicked")  # put_text from the callback: the session's own
    wait_for(lambda: find_windows(display, "^Notify app$"), what="the window shown again")
    wait_for(lambda: focused_window_name(display) == "Notify app", what="the focus")
    # What dunst was given (its history, once the click closed it): the app's title as the
    # sender; the body escaped for a server that reads markup, so it shows as typed.
    item = wait_for(lambda: history(display, env), what="dunst's history")[0]
    assert (item["appname"], item["summary"]) == ("Notify app", "Saved")
    assert item["body"] == "notes.txt &lt;b&gt;&amp; more&lt;/b&gt;"
    assert item["default_action_name"] == "default"


@pytest.mark.parametrize("engine", ["qt"])
@pytest.mark.parametrize("bus_kind", ["no server", "no bus"])
def test_without_a_notification_server_notify_returns_false(
        launch, notify_desktop, tmp_path: Path, bus_kind: str):
    display, _, _ = notify_desktop
    script = tmp_path / "nobody_app.py"
    script.write_text(COROUTINE_APP)
    with private_bus(tmp_path / "empty-bus") as empty:
        # "no bus": an address nothing listens on (a session whose bus is gone).
        address = empty if bus_kind == "no server" else f"unix:path={tmp_path}/nothing"
        app = launch(script, opts=("--no-remember",), display=display,
                     env={"DBUS_SESSION_BUS_ADDRESS": address})
        shown(app.page(), "ready")
        assert app.wait_line(r"^notified ", timeout=20) == "notified False"
        log = (app.home / "stderr.log").read_text()
        assert "no desktop notification" in log


@pytest.mark.parametrize("engine", ["qt"])  # no window: the engine does not matter
def test_in_a_browser_notify_is_a_toast(launch, chromium, tmp_path: Path):
    """--browser: the notification is a toast in the page; clicking it runs on_click."""
    script = tmp_path / "notify_app.py"
    script.write_text(APP)
    app = launch(script, opts=("--browser", "--no-open"))
    opener = re.search(r"(file://\S+)", app.wait_line(r"webio-desktop: open file://")).group(1)
    page = chromium.new_page()
    page.goto(opener)
    page.wait_for_selector("text=ready")
    page.get_by_role("button", name="Notify").click()
    app.wait_line(r"^notified True$")
    toast = page.get_by_text("Saved: notes.txt <b>& more</b>", exact=True)
    toast.wait_for()
    toast.click()
    app.wait_line(r"^clicked$")
    page.wait_for_selector("text=clicked")
