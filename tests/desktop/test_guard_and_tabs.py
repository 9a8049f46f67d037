"""Close guards and tabs mode, in real windows under Xvfb."""
from __future__ import annotations

import signal
import subprocess

import pytest

from .conftest import EXAMPLES, MULTI, needs_qt, shown, wait_for
from .xwin import close_window, find_windows, window_names

pytestmark = needs_qt

EDITOR = EXAMPLES / "desktop_editor.py"


def answer_dialog(display: str, title: str, key: str) -> None:
    """Press ``key`` in the native question dialog titled ``title``."""
    dialog = wait_for(lambda: find_windows(display, title), what=f"a dialog {title!r}")[0]
    subprocess.run(["xdotool", "windowfocus", "--sync", str(dialog)], env={"DISPLAY": display},
                   check=True, timeout=10)
    subprocess.run(["xdotool", "key", key], env={"DISPLAY": display},
                   check=True, timeout=10)
    wait_for(lambda: not find_windows(display, title), what="the dialog to close")


def guarded_editor(launch, xdisplay):
    """The editor example with unsaved changes: (launched app, page, X window)."""
    app = launch(EDITOR, display=xdisplay)
    page = shown(app.page(), "Edit the note")
    window = wait_for(lambda: find_windows(xdisplay, "^Editor$"), what="the Editor window")[0]
    page.click("button:text-is(\"Edit\")")
    page.wait_for_selector("text=edited (unsaved)")
    wait_for(lambda: page.evaluate("window.webio.closeGuard"), what="the guard in the page")
    return app, page, window


def test_close_guard_asks_and_cancel_keeps_the_window(launch, xdisplay):
    app, page, window = guarded_editor(launch, xdisplay)
    close_window(xdisplay, window)
    answer_dialog(xdisplay, "^Close Editor\\?$", "Escape")  # Cancel
    assert app.proc.poll() is None
    assert "editor: session closed" not in app.lines
    # The session still works after the refused close.
    page.click("button:text-is(\"Save\")")
    page.wait_for_selector("text=saved")
    wait_for(lambda: page.evaluate("window.webio.closeGuard") is None, what="the guard removed")

    close_window(xdisplay, window)  # saved: closes without asking
    app.wait_line("editor: session closed")
    assert app.wait_exit(20) == 0


def test_close_guard_ok_closes(launch, xdisplay):
    app, _page, window = guarded_editor(launch, xdisplay)
    close_window(xdisplay, window)
    answer_dialog(xdisplay, "^Close Editor\\?$", "Return")  # OK
    app.wait_line("editor: session closed")
    assert app.wait_exit(20) == 0


def test_sigterm_does_not_ask(launch, xdisplay):
    app, _page, _window = guarded_editor(launch, xdisplay)
    app.proc.send_signal(signal.SIGTERM)
    assert app.wait_exit(20) == 0
    assert not find_windows(xdisplay, "^Close Editor")


def _tabs(shell) -> list[dict]:
    return shell.evaluate("window.webioTabs.list()")


def _frame(app, app_name: str):
    """The tab frame showing ``app_name``. Qt WebEngine's DevTools does not report frames
    attached after Playwright connected, so each try connects afresh."""
    def find():
        shell = app.page("tabs.html")
        frames = [f for f in shell.frames if f is not shell.main_frame]
        return next((f for f in frames if f"app={app_name}" in f.url), None)

    return wait_for(find, what=f"a frame of app {app_name}")


def test_tabs_mode_opens_apps_as_tabs_in_one_window(launch, xdisplay):
    app = launch(MULTI, opts=("--tabs",), display=xdisplay)
    shell = app.page("tabs.html")
    index = _frame(app, "index")
    index.wait_for_selector("text=Hello from the desktop")
    wait_for(lambda: "Notes" in window_names(xdisplay), what="the window titled after the tab")
    assert [t["title"] for t in _tabs(shell)] == ["Notes"]

    # go_app(new_window=True) opens a tab, not a window.
    index.click("text=Open the counter")
    wait_for(lambda: len(_tabs(shell)) == 2, what="a second tab")
    counter = _frame(app, "counter")
    counter.wait_for_selector("text=Add how much?")
    counter.fill("input", "5")
    counter.press("input", "Enter")
    counter.wait_for_selector("text=Total: 5")
    assert [t["title"] for t in _tabs(shell)] == ["Notes", "Counter"]
    assert _tabs(shell)[1]["active"]
    wait_for(lambda: "Counter" in window_names(xdisplay), what="the window title to follow")
    assert len(app.pages()) == 1  # one native window

    # A new-window app link opens a third tab.
    shell.evaluate("window.webioTabs.select(0)")
    index.click("text=Counter (link, new window)")
    wait_for(lambda: len(_tabs(shell)) == 3, what="a third tab")

    # Closing a tab ends its session; the others go on.
    shell.evaluate("window.webioTabs.close(2)")
    shell.evaluate("window.webioTabs.close(1)")
    wait_for(lambda: app.lines.count("counter: session closed") == 2, what="both counters closed")
    assert [t["title"] for t in _tabs(shell)] == ["Notes"]
    assert "index: session closed" not in app.lines

    # Closing the window ends the rest and the process.
    close_window(xdisplay, find_windows(xdisplay, "^Notes$")[0])
    app.wait_line("index: session closed")
    assert app.wait_exit(20) == 0


def test_closing_the_last_tab_closes_the_window(launch, xdisplay):
    app = launch(MULTI, opts=("--tabs",), display=xdisplay)
    shell = app.page("tabs.html")
    _frame(app, "index").wait_for_selector("text=Hello from the desktop")
    shell.evaluate("window.webioTabs.close(0)")
    app.wait_line("index: session closed")
    assert app.wait_exit(20) == 0


def test_a_guarded_tab_asks_before_it_closes(launch, xdisplay):
    app = launch(EDITOR, opts=("--tabs",), display=xdisplay)
    editor = _frame(app, "index")
    editor.wait_for_selector("text=Edit the note")
    editor.click("button:text-is(\"Edit\")")
    editor.wait_for_selector("text=edited (unsaved)")
    shell = app.page("tabs.html")
    wait_for(lambda: shell.evaluate("window.webioTabs.list().length") == 1, what="one tab")

    # What the tab's × does; not awaited: the promise settles once the question is answered.
    shell.evaluate("() => { window.webioTabs.close(0); }")
    answer_dialog(xdisplay, "^Close tab\\?$", "Escape")  # Cancel: the tab stays
    assert len(_tabs(shell)) == 1
    assert "editor: session closed" not in app.lines

    shell.evaluate("() => { window.webioTabs.close(0); }")
    answer_dialog(xdisplay, "^Close tab\\?$", "Return")  # OK: the tab, then the window, close
    app.wait_line("editor: session closed")
    assert app.wait_exit(20) == 0
