"""A window's menu bar (desktop.set_menu), driven by its keyboard shortcuts and mnemonics, and by
clicks on the bar and on its menu, on both engines (Qt's QMenuBar, GTK's Gtk.MenuBar)."""
from __future__ import annotations

import subprocess

from .conftest import shown, wait_for, wait_until
from .services import geometry, windows_of
from .xwin import find_windows, screen_area

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
            MenuItem("&Edit menu", edit_menu, shortcut="Ctrl+E"),
        ]),
    ])
    said("menu set")

def edit_menu():  # a later set_menu replaces the bar; None removes it
    desktop.set_menu([Menu("&Edit", [
        MenuItem("&Undo", lambda: said("chose undo"), shortcut="Ctrl+Z"),
        MenuItem("&No menu", lambda: (desktop.set_menu(None), said("no menu")),
                 shortcut="Ctrl+Shift+N"),
    ])])
    said("menu replaced")

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

    def menu_popup() -> int | None:
        for popup, name in windows_of(xdisplay, app.proc.pid):
            x, y, w, h, viewable = geometry(xdisplay, popup)
            if popup != window and name != "Menu app" and viewable and h > 40:
                return popup
        return None

    # The File menu opens over the page's "menu set"; closed, the page shows there again, as
    # it was (WebKitGTK without a compositor needs telling: gtk_gui.repaint_pages_after).
    wx, wy, _, _, _ = geometry(xdisplay, window)
    area = (wx, wy, 300, 160)
    last: list = []

    def painted() -> tuple[int, str] | None:
        now = screen_area(xdisplay, *area)
        steady = now if last == [now] and now[0] > 50 else None  # the text, twice the same
        last[:] = [now]
        return steady

    page_shown = wait_for(painted, what="the page painted")

    def open_file_menu() -> int | None:
        keys(xdisplay, window, "Escape", "Escape", "alt+f")
        try:
            return wait_until(menu_popup, 3, 0.1, what="the File menu")
        except AssertionError:
            return None

    wait_for(open_file_menu, timeout=30, what="the File menu by Alt+F")
    assert screen_area(xdisplay, *area) != page_shown  # the menu covers part of it
    keys(xdisplay, window, "Escape", "Escape")
    wait_for(lambda: menu_popup() is None, what="the menu closed")
    wait_for(lambda: screen_area(xdisplay, *area) == page_shown,
             what="the page painted again where the menu was")

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

    # Replaced: the old bar's shortcuts are gone, the new one's work; removed: no bar at all
    # (the page gets its height).
    with_bar = page.evaluate("innerHeight")
    keys(xdisplay, window, "Escape", "Escape", "ctrl+e")
    app.wait_line(r"^menu replaced$")
    keys(xdisplay, window, "ctrl+o", "ctrl+z")
    app.wait_line(r"^chose undo$")
    assert app.lines.count("chose open") == 2
    keys(xdisplay, window, "ctrl+shift+n")
    app.wait_line(r"^no menu$")
    wait_for(lambda: page.evaluate("innerHeight") > with_bar, what="the page to take the bar's room")


def click(display: str, x: int, y: int) -> None:
    subprocess.run(["xdotool", "mousemove", str(x), str(y), "click", "1"],
                   env={"DISPLAY": display}, check=True, timeout=10)


SHORTCUTS = '''
import json
from gi.repository import Gtk
from webio_desktop.desktop.engines.gtk_gui import accelerator, mnemonic_label
shortcuts = ["Ctrl+O", "Ctrl+Shift+W", "F5", "Ctrl++", "Alt+Del", "Meta+Q", "ctrl+pgdown",
             "Ctrl+K, Ctrl+C", "Ctrl+Nothing"]
print(json.dumps({
    "shortcuts": [Gtk.accelerator_name(*keys) if (keys := accelerator(s)) else None
                  for s in shortcuts],
    "labels": [mnemonic_label(s) for s in ["&File", "Save && quit", "snake_case &x"]]}))
'''


def test_qt_style_shortcuts_and_labels_in_gtk_terms(xdisplay):
    """The system engine's menus take the shortcuts and labels Qt reads (native.py documents
    Qt's syntax); what GTK can't take is left out (with a warning), as Qt leaves it out."""
    import json
    import os
    import sys

    from .conftest import ROOT

    out = subprocess.run([sys.executable, "-c", SHORTCUTS], cwd=ROOT, capture_output=True,
                         text=True, timeout=60, check=True,
                         env={**os.environ, "DISPLAY": xdisplay})
    found = json.loads(out.stdout)
    assert found["shortcuts"] == ["<Primary>o", "<Primary><Shift>w", "F5", "<Primary>plus",
                                  "<Alt>Delete", "<Super>q", "<Primary>Page_Down", None, None]
    assert found["labels"] == ["_File", "Save & quit", "snake__case _x"]
    assert "menu shortcut 'Ctrl+K, Ctrl+C' ignored" in out.stderr
