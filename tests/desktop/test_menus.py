"""A window's menu bar (desktop.set_menu), driven by its keyboard shortcuts and mnemonics, and by
clicks on the bar and on its menu."""
from __future__ import annotations

import subprocess

import pytest

from .conftest import needs_qt, shown, wait_for, wait_until
from .services import geometry, windows_of
from .xwin import find_windows

pytestmark = needs_qt


@pytest.fixture
def engine() -> str:
    """The native surface is built with Qt (docs/desktop.md, "Engines"): Qt windows only."""
    return "qt"

APP = '''
from pywebio import config, start_server
from pywebio.output import put_text
from webio_desktop import desktop
from webio_desktop.desktop import SEPARATOR, Menu, MenuItem

def said(text):
    print(text, flush=True)
    put_text(text)

@config(title="Menu app")
def index():
    desktop.set_menu([
        Menu("&File", [
            MenuItem("&Open", lambda: said("chose open"), shortcut="Ctrl+O"),
            SEPARATOR,
            MenuItem("&Word wrap", lambda on: said(f"wrap {on}"), shortcut="Ctrl+Shift+W",
                     checkable=True),
            MenuItem("&Print", lambda: said("chose print"), shortcut="Ctrl+P", enabled=False),
            Menu("&Recent", [MenuItem("&a.txt", lambda: said("chose a.txt"))]),
        ]),
    ])
    said("menu set")

start_server(index)
'''


def keys(display: str, window: int, *names: str) -> None:
    subprocess.run(["xdotool", "windowfocus", "--sync", str(window), "key", *names],
                   env={"DISPLAY": display}, check=True, timeout=10)


def test_menu_items_run_their_callbacks_in_the_session(launch, xdisplay, tmp_path):
    script = tmp_path / "menu_app.py"
    script.write_text(APP)
    app = launch(script, opts=("--no-remember",), display=xdisplay)
    page = shown(app.page(), "menu set")
    window = wait_for(lambda: find_windows(xdisplay, "^Menu app$"), what="the window")[0]
    # A disabled item's shortcut does nothing: the next shortcut's answer comes first.
    keys(xdisplay, window, "ctrl+p", "ctrl+o")
    app.wait_line(r"^chose open$")
    page.wait_for_selector("text=chose open")  # put_text from the callback: the session's own
    keys(xdisplay, window, "ctrl+shift+w")
    app.wait_line(r"^wrap True$")
    keys(xdisplay, window, "ctrl+shift+w")
    app.wait_line(r"^wrap False$")
    # Mnemonics: Alt+F opens File, R the Recent submenu, A its item.
    # (Again if a key came before its menu was open: the first answer proves it worked.)
    def choose_recent() -> bool:
        keys(xdisplay, window, "Escape", "Escape", "alt+f", "r", "a")
        try:
            app.wait_line(r"^chose a\.txt$", timeout=3)
        except AssertionError:
            return False
        return True

    wait_for(choose_recent, timeout=30, what="File > Recent > a.txt")
    assert "chose print" not in app.lines

    # By clicks: File on the menu bar opens its menu, a click on its first item is Open.
    def menu_popup() -> int | None:
        for popup, name in windows_of(xdisplay, app.proc.pid):
            x, y, w, h, viewable = geometry(xdisplay, popup)
            if popup != window and name != "Menu app" and viewable and h > 40:
                return popup
        return None

    def click_open() -> bool:
        keys(xdisplay, window, "Escape", "Escape")
        wx, wy, _, _, _ = geometry(xdisplay, window)
        click(xdisplay, wx + 18, wy + 10)  # the bar's first title, "File"
        try:
            popup = wait_until(menu_popup, 5, 0.1, what="the File menu")
        except AssertionError:
            return False
        px, py, pw, _, _ = geometry(xdisplay, popup)
        click(xdisplay, px + pw // 2, py + 12)
        try:
            wait_until(lambda: app.lines.count("chose open") == 2, 3)
        except AssertionError:
            return False
        return True

    wait_for(click_open, timeout=30, what="File > Open by clicks")


def click(display: str, x: int, y: int) -> None:
    subprocess.run(["xdotool", "mousemove", str(x), str(y), "click", "1"],
                   env={"DISPLAY": display}, check=True, timeout=10)
