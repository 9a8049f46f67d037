"""Window control from app code (webio_desktop.desktop.Window), checked against the X server,
on both engines (Qt's window calls, GTK's with the system engine).

A window manager (openbox, on an Xvfb of its own) is running: minimizing, maximizing,
fullscreen and "above" are requests a window manager carries out, and the state it records on
the window (_NET_WM_STATE, WM_STATE) is what these tests read back.
"""
from __future__ import annotations

import json
import re

import pytest

from .conftest import shown, wait_for
from .services import need, window_manager, x, xvfb
from .xwin import find_windows

APP = '''
import json
import sys
import threading
from pywebio import config, start_server
from pywebio.input import input
from pywebio.output import put_text
from webio_desktop import desktop

lock = threading.Lock()

def say(line):  # one write per line: the event callbacks print from other threads
    with lock:
        sys.stdout.write(line + "\\n")
        sys.stdout.flush()

@config(title="Control app")
def index():
    put_text("control")
    me = desktop.window()
    me.on_event(lambda e: say("event " + json.dumps(e, sort_keys=True)))
    n = 0
    while True:
        name, *args = input("command").split()
        n += 1
        if name == "open":
            x, y, w, h = map(int, args)
            result = desktop.open_window("other", x=x, y=y, width=w, height=h).uid
        elif name == "windows":
            result = [w.uid for w in desktop.windows()]
        elif name == "go":
            from pywebio.session import go_app
            result = go_app("other", new_window=True)
        else:
            result = getattr(me, name)(*map(json.loads, args))
        say(f"result{n} " + json.dumps(result, sort_keys=True))

@config(title="Other")
def other():
    put_text("the other window")


start_server({"index": index, "other": other})
'''


@pytest.fixture(scope="module")
def wm_display():
    """An Xvfb display of its own with openbox managing its windows."""
    need("Xvfb", "openbox")
    with xvfb() as display, window_manager(display):
        yield display


def client_geometry(display: str, window: int) -> tuple[int, int, int, int]:
    """(x, y, width, height) of the window's content on the screen, from the X server."""
    out = x(display, "xwininfo", "-id", str(window))
    value = lambda label: int(re.search(label + r":\s+(-?\d+)", out).group(1))  # noqa: E731
    return (value("Absolute upper-left X"), value("Absolute upper-left Y"), value("Width"),
            value("Height"))


def wm_state(display: str, window: int) -> str:
    return x(display, "xprop", "-id", str(window), "_NET_WM_STATE", "WM_STATE")


class Control:
    """Submits commands in the app's input and reads its numbered results. The page submits
    them itself: no X input, which would need (and take) the keyboard focus, so a minimized or
    hidden window still takes commands and the focus stays where the window calls put it."""

    def __init__(self, app, page) -> None:
        self.app, self.page, self.n = app, page, 0

    def __call__(self, command: str):
        self.n += 1
        field = "input:not([readonly]):not([disabled])"  # the next input(), not the answered one
        self.page.wait_for_selector(field)
        self.page.evaluate(f"() => {{ const i = document.querySelector({json.dumps(field)});"
                           f" i.value = {json.dumps(command)}; i.form.requestSubmit(); }}")
        line = self.app.wait_line(rf"^result{self.n} ", timeout=20)
        return json.loads(line.split(" ", 1)[1])


def test_window_control_reaches_the_x_server(launch, wm_display, control_app):
    app = launch(control_app, opts=("--no-remember", "--size", "700x500"), display=wm_display)
    page = shown(app.page(), "control")
    do = Control(app, page)
    window = wait_for(lambda: find_windows(wm_display, "^Control app$"), what="the window")[0]

    # title
    assert do("title") == "Control app"
    do('set_title "Renamed"')
    wait_for(lambda: find_windows(wm_display, "^Renamed$") == [window], what="the new title")
    assert do("title") == "Renamed"

    # size and position (the X server's view of the content matches geometry())
    do("resize 640 420")
    wait_for(lambda: client_geometry(wm_display, window)[2:] == (640, 420), what="the new size")
    app.wait_line(r'^event \{"event": "resized", "height": 420, "width": 640\}')
    do("move 150 110")
    geometry = wait_for(lambda: do("geometry") if do("geometry")["x"] == 150 else None,
                        what="the move")
    assert (geometry["x"], geometry["y"], geometry["width"], geometry["height"]) == (
        150, 110, 640, 420)
    cx, cy, _, _ = client_geometry(wm_display, window)
    assert 150 <= cx <= 170 and 110 <= cy <= 160  # the content sits inside openbox's frame
    app.wait_line(r'^event \{"event": "moved", "x": 150, "y": 110\}')

    # maximize, restore, fullscreen, on top: the window manager's record of the state
    do("maximize")
    wait_for(lambda: "_NET_WM_STATE_MAXIMIZED_HORZ" in wm_state(wm_display, window),
             what="maximized")
    app.wait_line(r'^event \{"event": "maximized"\}')
    assert do("state")["maximized"] is True
    do("restore")
    wait_for(lambda: "MAXIMIZED" not in wm_state(wm_display, window), what="restored")
    app.wait_line(r'^event \{"event": "restored"\}')
    wait_for(lambda: client_geometry(wm_display, window)[2:] == (640, 420), what="the old size")
    assert do("state")["maximized"] is False
    do("set_fullscreen true")
    wait_for(lambda: "_NET_WM_STATE_FULLSCREEN" in wm_state(wm_display, window),
             what="fullscreen")
    wait_for(lambda: client_geometry(wm_display, window) == (0, 0, 1280, 800),
             what="the whole screen")
    wait_for(lambda: do("state")["fullscreen"], what="state() to say fullscreen")
    do("set_fullscreen false")
    wait_for(lambda: "FULLSCREEN" not in wm_state(wm_display, window), what="not fullscreen")
    wait_for(lambda: not do("state")["fullscreen"], what="state() to say not fullscreen")
    # on top: the same X window (not re-created, so it neither flickers nor loses the focus)
    wait_for(lambda: do("state")["focused"], what="the focus before on top")
    do("set_on_top true")
    wait_for(lambda: "_NET_WM_STATE_ABOVE" in wm_state(wm_display, window), what="above")
    assert do("state")["on_top"] is True
    do("set_on_top false")
    wait_for(lambda: "ABOVE" not in wm_state(wm_display, window), what="not above")
    assert do("state")["on_top"] is False
    assert find_windows(wm_display, "^Renamed$") == [window]
    assert do("state")["focused"] is True

    # minimize: iconic; focus() brings it back
    do("minimize")
    wait_for(lambda: "Iconic" in wm_state(wm_display, window), what="minimized")
    app.wait_line(r'^event \{"event": "minimized"\}')
    wait_for(lambda: do("state")["minimized"], what="state() to say minimized")
    do("focus")
    wait_for(lambda: "Normal" in wm_state(wm_display, window), what="shown again")
    wait_for(lambda: do("state")["focused"], what="the window to have the focus")
    assert do("state")["minimized"] is False

    # hide and show
    do("hide")
    wait_for(lambda: not find_windows(wm_display, "^Renamed$"), what="hidden")
    assert do("state")["visible"] is False
    do("show")
    wait_for(lambda: find_windows(wm_display, "^Renamed$"), what="shown")
    assert do("state")["visible"] is True


def test_other_windows_open_with_geometry_and_cascade(launch, wm_display, control_app):
    app = launch(control_app, opts=("--no-remember", "--size", "600x400"), display=wm_display)
    page = shown(app.page(), "control")
    do = Control(app, page)
    first = wait_for(lambda: find_windows(wm_display, "^Control app$"), what="the window")[0]
    do("move 100 80")
    wait_for(lambda: client_geometry(wm_display, first)[0] >= 100, what="the move")
    do("focus")
    wait_for(lambda: do("state")["focused"], what="the focus")

    # go_app: the new window cascades from the newest one instead of covering it
    do("go")
    second = wait_for(lambda: find_windows(wm_display, "^Other$"), what="the go_app window")[0]
    app.wait_line(r'^event \{"event": "blur"\}')  # the new window took the focus
    fx, fy, _, _ = client_geometry(wm_display, first)
    try:
        wait_for(lambda: client_geometry(wm_display, second)[:2] == (fx + 32, fy + 32),
                 what="the cascaded position")
    except AssertionError:
        raise AssertionError(f"first at {(fx, fy)}, second at "
                             f"{client_geometry(wm_display, second)}") from None

    # open_window with a given geometry
    uid = do("open 400 300 500 350")
    assert uid in do("windows") and len(do("windows")) == 3
    third = wait_for(lambda: [w for w in find_windows(wm_display, "^Other$") if w != second],
                     what="the third window")[0]
    wait_for(lambda: client_geometry(wm_display, third)[2:] == (500, 350), what="its size")
    tx, ty, _, _ = client_geometry(wm_display, third)
    assert 400 <= tx <= 420 and 300 <= ty <= 350

    # the focus comes back to the first window: its callback hears it
    do("focus")
    app.wait_line(r'^event \{"event": "focus"\}')



@pytest.fixture
def control_app(tmp_path):
    path = tmp_path / "control_app.py"
    path.write_text(APP)
    return path
