"""Desktop services the tray and notification tests run for real: an Xvfb display with a tray
host (trayer), a private D-Bus session bus, a notification server (dunst) on that bus.

The bus is the test's own (``dbus-daemon`` with a config that starts no service on demand):
nothing from the machine's session leaks in, and with no StatusNotifierWatcher on it Qt shows
the tray icon the X11 way, embedded in trayer.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .conftest import wait_for
from .xwin import stop, xvfb  # noqa: F401 (the tests take xvfb from here)

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={folder}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

# A click on a notification runs its default action (then closes it); it stays until then.
DUNSTRC = """[global]
    monitor = 0
    follow = none
    width = 300
    height = 100
    origin = top-left
    offset = 10x10
    font = Monospace 10
    format = "%s|%b"
    mouse_left_click = do_action, close_current
    mouse_middle_click = close_current
    mouse_right_click = close_all
[urgency_low]
    timeout = 0
[urgency_normal]
    timeout = 0
[urgency_critical]
    timeout = 0
"""


def need(*programs: str) -> None:
    missing = [p for p in programs if shutil.which(p) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} needed (scripts/setup.sh installs them)")


def x(display: str, *args: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(list(args), env={**os.environ, "DISPLAY": display, **(env or {})},
                          capture_output=True, text=True, timeout=10).stdout


@contextmanager
def window_manager(display: str) -> Iterator[None]:
    """openbox managing ``display``: focus requests (GTK's present) need a window manager."""
    proc = subprocess.Popen(["openbox", "--sm-disable"], env={**os.environ, "DISPLAY": display},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: "_NET_SUPPORTING_WM_CHECK(WINDOW)" in x(display, "xprop", "-root"),
                 what="openbox to manage the display")
        yield
    finally:
        stop(proc)


@contextmanager
def private_bus(folder: Path) -> Iterator[str]:
    """A D-Bus session bus of the test's own; its address."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "bus.conf"
    config.write_text(BUS_CONFIG.format(folder=folder))
    proc = subprocess.Popen(["dbus-daemon", "--nofork", "--config-file", str(config),
                             "--print-address=1"], stdout=subprocess.PIPE, text=True)
    address = proc.stdout.readline().strip()  # type: ignore[union-attr]
    try:
        assert address.startswith("unix:"), f"dbus-daemon printed {address!r}"
        yield address
    finally:
        stop(proc)


@contextmanager
def tray_host(display: str) -> Iterator[int]:
    """trayer on ``display``: the X11 system tray (it owns _NET_SYSTEM_TRAY_S0); its panel's
    window id, where tray icons are embedded."""
    proc = subprocess.Popen(["trayer", "--edge", "top", "--align", "right", "--widthtype",
                             "request", "--height", "24", "--transparent", "false"],
                            env={**os.environ, "DISPLAY": display},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        panel = wait_for(lambda: re.findall(r"^\s*(0x[0-9a-f]+) \"panel\": \(\"panel\" \"trayer\"\)",
                                            x(display, "xwininfo", "-root", "-tree"), re.M),
                         what="trayer's panel")
        yield int(panel[0], 16)
    finally:
        stop(proc)


@contextmanager
def notification_server(display: str, bus: str, folder: Path) -> Iterator[dict[str, str]]:
    """dunst on ``display`` serving org.freedesktop.Notifications on ``bus``; the environment
    dunstctl needs."""
    folder.mkdir(parents=True, exist_ok=True)
    rc = folder / "dunstrc"
    rc.write_text(DUNSTRC)
    env = {"DBUS_SESSION_BUS_ADDRESS": bus}
    proc = subprocess.Popen(["dunst", "-config", str(rc)],
                            env={**os.environ, "DISPLAY": display, **env},
                            stdout=subprocess.DEVNULL, stderr=open(folder / "dunst.log", "ab"))
    try:
        wait_for(lambda: x(display, "dunstctl", "is-paused", env=env).strip() == "false",
                 what="dunst on the bus")
        yield env
    finally:
        stop(proc)


def windows_of(display: str, pid: int, under: int | None = None) -> list[tuple[int, str]]:
    """(id, name) of the windows of process ``pid`` (_NET_WM_PID) in the tree under ``under``
    (the root when None)."""
    args = ["xwininfo", "-tree", *(["-id", str(under)] if under else ["-root"])]
    found = []
    for wid, name in re.findall(r"^\s*(0x[0-9a-f]+) (\"[^\"]*\"|\(has no name\))",
                                x(display, *args), re.M):
        if f"= {pid}" in x(display, "xprop", "-id", wid, "_NET_WM_PID"):
            found.append((int(wid, 16), name.strip('"')))
    return found


def geometry(display: str, window: int) -> tuple[int, int, int, int, bool]:
    """(x, y, width, height, viewable) of ``window`` on the screen, from the X server."""
    out = x(display, "xwininfo", "-id", str(window))
    value = lambda label: int(re.search(label + r":\s+(-?\d+)", out).group(1))  # noqa: E731
    return (value("Absolute upper-left X"), value("Absolute upper-left Y"), value("Width"),
            value("Height"), "IsViewable" in out)


