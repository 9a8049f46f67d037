"""The tray icon (desktop.set_tray) in a real X11 system tray, on both engines (Qt's
QSystemTrayIcon, GTK's StatusIcon): trayer under Xvfb, a private session bus with no
StatusNotifierWatcher (so Qt embeds an XEmbed icon), the icon's menu opened with a real right
click and driven with keys and clicks."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from .conftest import shown, wait_for, wait_until
from .services import geometry, need, private_bus, tray_host, windows_of, xvfb
from .xwin import close_window, find_windows, focused_window_name


@pytest.fixture(scope="module")
def tray_desktop(tmp_path_factory):
    """(display, trayer's panel window, the private bus address)."""
    need("Xvfb", "trayer", "dbus-daemon", "xdotool", "xwininfo", "xprop")
    with xvfb() as display, tray_host(display) as panel, \
            private_bus(tmp_path_factory.mktemp("bus")) as bus:
        yield display, panel, bus


APP = '''
from pywebio import config, start_server
from pywebio.output import put_text
from pywebio.session import defer_call
from webio_desktop import desktop
from webio_desktop.desktop import SEPARATOR, Menu, MenuItem

def said(text):
    print(text, flush=True)
    put_text(text)

def show():
    said("chose show")
    desktop.window().focus()

@config(title="Tray app")
def index():
    defer_call(lambda: print("cleanup ran", flush=True))
    desktop.set_tray([
        MenuItem("Show", show),
        MenuItem("Muted", lambda on: said(f"muted {on}"), checkable=True),
        MenuItem("Disabled", lambda: said("chose disabled"), enabled=False),
        Menu("More", [MenuItem("Other window", lambda: said(
            "opened " + str(desktop.open_window("other", width=400, height=300) is not None)))]),
        SEPARATOR,
        MenuItem("Quit", desktop.quit_app),
    ], tooltip="Tray <app>", close_to_tray=True, on_click=lambda: said("icon clicked"))
    said("tray set")

@config(title="Other")
def other():
    put_text("the other window")

start_server({"index": index, "other": other})
'''


def xdotool(display: str, *args: str) -> None:
    subprocess.run(["xdotool", *args], env={"DISPLAY": display}, check=True, timeout=10)


class TrayIcon:
    """The app's icon in trayer, clicked and its menu driven as a user would."""

    def __init__(self, app, display: str, panel: int) -> None:
        self.app, self.display, self.panel = app, display, panel
        self.window = wait_for(lambda: windows_of(display, app.proc.pid, panel),
                               what="the tray icon embedded in trayer")[0][0]

    def center(self) -> tuple[int, int]:
        x, y, w, h, _ = geometry(self.display, self.window)
        return x + w // 2, y + h // 2

    def click(self, button: int) -> None:
        x, y = self.center()
        xdotool(self.display, "mousemove", str(x), str(y), "click", str(button))

    def menu(self) -> int | None:
        """The open tray menu: a mapped top-level window of the app other than its windows."""
        for wid, name in windows_of(self.display, self.app.proc.pid):
            if name not in ("Tray app", "Other") and geometry(self.display, wid)[4] and \
                    geometry(self.display, wid)[3] > 40:
                return wid
        return None

    def choose(self, keys: list[str], line: str) -> None:
        """Open the menu with a right click, type ``keys``; again until ``line`` is printed (a
        key sent before the menu had the keyboard is lost)."""

        def attempt() -> bool:
            xdotool(self.display, "key", "Escape")
            self.click(3)
            try:
                wait_until(self.menu, 5, 0.1)
            except AssertionError:
                return False
            xdotool(self.display, "key", "--delay", "50", *keys)
            try:
                self.app.wait_line(line, timeout=3)
            except AssertionError:
                return False
            return True

        wait_for(attempt, timeout=40, what=f"the tray menu to answer {keys}")


def test_tray_menu_close_to_tray_and_quit(launch, tray_desktop, tmp_path: Path):
    display, panel, bus = tray_desktop
    script = tmp_path / "tray_app.py"
    script.write_text(APP)
    app = launch(script, opts=("--no-remember",), display=display,
                 env={"DBUS_SESSION_BUS_ADDRESS": bus})
    page = shown(app.page(), "tray set")
    icon = TrayIcon(app, display, panel)
    x, y, w, h, viewable = geometry(display, icon.window)
    assert viewable and 16 <= w <= 24 and 16 <= h <= 24, (x, y, w, h)

    # A left click on the icon: on_click, in the session (the page shows its put_text).
    icon.click(1)
    app.wait_line(r"^icon clicked$")
    page.wait_for_selector("text=icon clicked")

    # The menu by mouse: a right click opens it, a click on its first item chooses "Show".
    xdotool(display, "key", "Escape")
    icon.click(3)
    menu = wait_for(icon.menu, what="the tray menu")
    mx, my, mw, _, _ = geometry(display, menu)
    xdotool(display, "mousemove", str(mx + mw // 2), str(my + 12), "click", "1")
    app.wait_line(r"^chose show$")
    page.wait_for_selector("text=chose show")
    wait_for(lambda: not (icon.menu()), what="the menu to close")

    # By keys: the check item toggles; the disabled item is skipped; a submenu's item opens a
    # window from the tray's session.
    icon.choose(["Down", "Down", "Return"], r"^muted True$")
    icon.choose(["Down", "Down", "Return"], r"^muted False$")
    icon.choose(["Down", "Down", "Down", "Right", "Return"], r"^opened True$")
    other = wait_for(lambda: find_windows(display, "^Other$"), what="the other window")[0]
    assert "chose disabled" not in app.lines
    close_window(display, other)  # not the tray's window: it really closes
    wait_for(lambda: not find_windows(display, "^Other$"), what="the other window closed")

    # Close to tray: the window manager's close hides the window; the app lives on.
    window = find_windows(display, "^Tray app$")[0]
    close_window(display, window)
    wait_for(lambda: not find_windows(display, "^Tray app$"), what="the window hidden")
    assert app.proc.poll() is None
    assert not any(geometry(display, wid)[4] for wid, name in windows_of(display, app.proc.pid)
                   if name in ("Tray app", "Other")), "an app window is still mapped"
    assert "cleanup ran" not in app.lines
    # The tray's Show brings it back, with the keyboard focus, its page as it was.
    icon.choose(["Down", "Return"], r"^chose show$")
    wait_for(lambda: find_windows(display, "^Tray app$"), what="the window shown again")
    wait_for(lambda: focused_window_name(display) == "Tray app", what="the focus")
    assert page.evaluate("document.body.innerText").count("chose show") == 2

    # Hidden again, then the tray's Quit: the session's defer_call runs, exit code 0.
    close_window(display, find_windows(display, "^Tray app$")[0])
    wait_for(lambda: not find_windows(display, "^Tray app$"), what="hidden again")
    icon.choose(["Up", "Return"], r"^cleanup ran$")
    assert app.wait_exit(20) == 0
    wait_for(lambda: not windows_of(display, app.proc.pid, panel), what="the icon gone")


BROWSER_APP = '''
from pywebio import start_server
from pywebio.output import put_text
from webio_desktop import desktop
from webio_desktop.desktop import MenuItem

def index():
    put_text("ready")
    for call in (lambda: desktop.set_tray([MenuItem("Quit", desktop.quit_app)]),
                 desktop.quit_app):
        try:
            call()
        except desktop.DesktopUnavailable as exc:
            print("unavailable", exc, flush=True)
    put_text("still serving")

start_server(index)
'''


@pytest.mark.parametrize("engine", ["qt"])  # no window: the engine does not matter
def test_in_a_browser_tray_calls_raise_desktop_unavailable(launch, chromium, tmp_path: Path):
    """--browser: no tray to show, and a page must not end the server: DesktopUnavailable."""
    script = tmp_path / "tray_browser.py"
    script.write_text(BROWSER_APP)
    app = launch(script, opts=("--browser", "--no-open"))
    opener = re.search(r"(file://\S+)", app.wait_line(r"webio-desktop: open file://")).group(1)
    page = chromium.new_page()
    page.goto(opener)
    page.wait_for_selector("text=still serving")
    assert "desktop.set_tray() needs a native window" in app.wait_line(r"^unavailable ")
    assert app.lines.count("unavailable desktop.quit_app() needs a native window (run the app "
                           "with webio-desktop; in a browser test desktop.available() first)") == 1
    assert app.proc.poll() is None


NO_TRAY_APP = '''
from pywebio import start_server
from pywebio.output import put_text
from webio_desktop import desktop
from webio_desktop.desktop import MenuItem

def index():
    put_text("ready")
    try:
        desktop.set_tray([MenuItem("Quit", desktop.quit_app)], close_to_tray=True)
    except desktop.DesktopError as exc:
        print("error", exc, flush=True)
    put_text("still here")

start_server(index)
'''


def test_without_a_tray_host_set_tray_raises_desktop_error(launch, xdisplay, tmp_path: Path):
    """A display where nothing owns the system tray (no trayer, no StatusNotifierWatcher on
    the private bus): DesktopError, and the window still closes as usual."""
    script = tmp_path / "no_tray.py"
    script.write_text(NO_TRAY_APP)
    with private_bus(tmp_path / "bus") as bus:
        app = launch(script, opts=("--no-remember",), display=xdisplay,
                     env={"DBUS_SESSION_BUS_ADDRESS": bus})
        page = shown(app.page(), "still here")
        assert "no system tray" in app.wait_line(r"^error ")
        name = f"^{re.escape(page.title())}$"
        close_window(xdisplay, wait_for(lambda: find_windows(xdisplay, name), what="the window")[0])
        assert app.wait_exit(20) == 0
