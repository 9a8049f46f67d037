"""Single instance: a second start of a running app shows the first one's window and exits."""
from __future__ import annotations

import psutil
import pytest

from .conftest import MULTI, needs_qt, shown, wait_until
from .xwin import close_window, find_windows, focused_window_name, window_names

pytestmark = needs_qt



def test_second_start_focuses_the_running_window(launch, xdisplay, home):
    first = launch(MULTI, display=xdisplay)
    page = shown(first.page(), "Hello from the desktop")
    page.click("text=Open the counter")
    shown(first.pages("app=counter")[0], "Add how much?")
    wait_until(lambda: "Counter" in window_names(xdisplay), 15, 0.2, "the Counter window")
    assert focused_window_name(xdisplay) != "Notes"  # Xvfb has no window manager to focus it
    runtime = home / ".run" / "webio-desktop"
    assert [p.suffix for p in runtime.glob("*.instance")] == [".instance"]

    second = launch(MULTI, display=xdisplay)
    assert second.wait_exit(60) == 0
    second.wait_line(r"desktop_multi\.py is already running: showed its window")
    first.wait_line(r"another start of this app: showing its window")
    wait_until(lambda: focused_window_name(xdisplay) == "Notes", 15, 0.2,
               "the first window to get the focus back")
    # No second server or window: the first process still has its two windows, no more.
    assert sorted(window_names(xdisplay)) == ["Counter", "Notes"]
    assert len(first.pages()) == 2
    assert first.proc.poll() is None

    close_window(xdisplay, find_windows(xdisplay, "^Counter$")[0])
    notes = wait_until(lambda: find_windows(xdisplay, "^Notes$"), 10, 0.2, "the Notes window")
    close_window(xdisplay, notes[0])
    assert first.wait_exit(20) == 0
    assert not list(runtime.glob("*.instance")), "the instance file is removed at exit"


def test_new_instance_flag_and_other_scripts_start_their_own(launch, xdisplay, home):
    first = launch(MULTI, display=xdisplay)
    shown(first.page(), "Hello from the desktop")
    other = launch(MULTI, opts=("--new-instance",), display=xdisplay)
    shown(other.page(), "Hello from the desktop")
    assert other.proc.poll() is None and first.proc.poll() is None
    assert psutil.pid_exists(other.proc.pid)
