"""Close X11 windows the way a window manager's close button does (WM_DELETE_WINDOW).

Xvfb runs no window manager, so tests send the ClientMessage themselves (ctypes + libX11).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager


class _ClientMessage(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                ("display", ctypes.c_void_p), ("window", ctypes.c_ulong),
                ("message_type", ctypes.c_ulong), ("format", ctypes.c_int),
                ("data", ctypes.c_long * 5)]


class _XEvent(ctypes.Union):
    _fields_ = [("xclient", _ClientMessage), ("pad", ctypes.c_long * 24)]


def _xdotool(display: str, *args: str) -> subprocess.CompletedProcess:
    """xdotool, again when a window vanished while it was looking (it stops on BadWindow)."""
    for _ in range(5):
        out = subprocess.run(["xdotool", *args], env={"DISPLAY": display}, capture_output=True,
                             text=True)
        if "BadWindow" not in out.stderr and "X Error" not in out.stderr:
            break
        time.sleep(0.1)
    return out


def find_windows(display: str, name: str) -> list[int]:
    """Visible top-level windows whose title matches the regex ``name`` (xdotool)."""
    out = _xdotool(display, "search", "--onlyvisible", "--name", name)
    return [int(w) for w in out.stdout.split()]


def window_names(display: str) -> list[str]:
    out = _xdotool(display, "search", "--onlyvisible", "--name", ".", "getwindowname", "%@")
    return [line for line in out.stdout.splitlines() if line.strip()]


def focused_window_name(display: str) -> str:
    """The title of the window that has the keyboard focus (XGetInputFocus, via xdotool)."""
    out = subprocess.run(["xdotool", "getwindowfocus", "getwindowname"],
                         env={"DISPLAY": display}, capture_output=True, text=True)
    return out.stdout.strip()


def close_window(display: str, window: int) -> None:
    x11 = ctypes.cdll.LoadLibrary(ctypes.util.find_library("X11") or "libX11.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XInternAtom.restype = ctypes.c_ulong
    x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x11.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long,
                               ctypes.POINTER(_XEvent)]
    x11.XFlush.argtypes = [ctypes.c_void_p]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    dpy = x11.XOpenDisplay(display.encode())
    if not dpy:
        raise RuntimeError(f"can not open display {display}")
    try:
        event = _XEvent()
        msg = event.xclient
        msg.type = 33  # ClientMessage
        msg.window = window
        msg.message_type = x11.XInternAtom(dpy, b"WM_PROTOCOLS", 0)
        msg.format = 32
        msg.data[0] = x11.XInternAtom(dpy, b"WM_DELETE_WINDOW", 0)
        msg.data[1] = 0  # CurrentTime
        x11.XSendEvent(dpy, window, 0, 0, ctypes.byref(event))
        x11.XFlush(dpy)
    finally:
        x11.XCloseDisplay(dpy)


def stacking_order(display: str) -> list[str]:
    """Titles of the mapped top-level windows, bottom to top (XQueryTree's order: with no window
    manager the app windows are the root's own children)."""
    x11 = ctypes.cdll.LoadLibrary(ctypes.util.find_library("X11") or "libX11.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XDefaultRootWindow.restype = ctypes.c_ulong
    x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    x11.XQueryTree.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong),
                               ctypes.POINTER(ctypes.c_ulong),
                               ctypes.POINTER(ctypes.POINTER(ctypes.c_ulong)),
                               ctypes.POINTER(ctypes.c_uint)]
    x11.XFetchName.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_char_p)]
    x11.XFree.argtypes = [ctypes.c_void_p]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    visible = set(find_windows(display, "."))
    dpy = x11.XOpenDisplay(display.encode())
    if not dpy:
        raise RuntimeError(f"can not open display {display}")
    try:
        root, parent = ctypes.c_ulong(), ctypes.c_ulong()
        children, count = ctypes.POINTER(ctypes.c_ulong)(), ctypes.c_uint()
        x11.XQueryTree(dpy, x11.XDefaultRootWindow(dpy), ctypes.byref(root), ctypes.byref(parent),
                       ctypes.byref(children), ctypes.byref(count))
        names = []
        for i in range(count.value):
            if children[i] not in visible:
                continue
            name = ctypes.c_char_p()
            if x11.XFetchName(dpy, children[i], ctypes.byref(name)) and name.value is not None:
                names.append(name.value.decode(errors="replace"))
                x11.XFree(name)
        if children:
            x11.XFree(children)
        return names
    finally:
        x11.XCloseDisplay(dpy)


@contextmanager
def xvfb() -> Iterator[str]:
    """A private Xvfb display (":N"), started with -displayfd so N is free; stopped after."""
    read, write = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24",
                             "-nolisten", "tcp"], pass_fds=(write,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as f:
        display = f":{f.readline().strip()}"
    try:
        yield display
    finally:
        stop(proc)


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL if it does not end within 10 s."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


_SCREEN_AREA = """
import hashlib
import sys
import gi
gi.require_version("Gdk", "3.0")
from gi.repository import Gdk
display = Gdk.Display.open(sys.argv[1])
root = display.get_default_screen().get_root_window()
x, y, w, h = map(int, sys.argv[2:6])
shot = Gdk.pixbuf_get_from_window(root, x, y, w, h)
data, stride, n = shot.get_pixels(), shot.get_rowstride(), shot.get_n_channels()
rows = [data[row * stride:row * stride + w * n] for row in range(h)]
dark = sum(1 for row in rows for col in range(0, w * n, n) if max(row[col:col + 3]) < 100)
print(dark, hashlib.md5(b"".join(rows)).hexdigest())
"""


def screen_area(display: str, x: int, y: int, width: int, height: int) -> tuple[int, str]:
    """What the X server shows in a rectangle of the screen (read back with GDK, in a process
    of its own): how many of its pixels are dark (text, on our light pages), and a digest of
    them all."""
    out = subprocess.run([sys.executable, "-c", _SCREEN_AREA, display, str(x), str(y),
                          str(width), str(height)], capture_output=True, text=True, timeout=30,
                         check=True)
    dark, digest = out.stdout.split()[-2:]
    return int(dark), digest
