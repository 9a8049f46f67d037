"""When the first window becomes visible on an X display: polls the root window's children
(libX11 over ctypes, every 5 ms) for one that is mapped and viewable, from a thread.

Used by bench/build.py for "first visible" (a splash screen or the app's window, whichever
comes first) of a built app. Xvfb runs no window manager, so top-level windows are the root's
children.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import threading
import time

IS_VIEWABLE = 2


class _Attributes(ctypes.Structure):
    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int), ("width", ctypes.c_int),
                ("height", ctypes.c_int), ("border_width", ctypes.c_int), ("depth", ctypes.c_int),
                ("visual", ctypes.c_void_p), ("root", ctypes.c_ulong), ("class_", ctypes.c_int),
                ("bit_gravity", ctypes.c_int), ("win_gravity", ctypes.c_int),
                ("backing_store", ctypes.c_int), ("backing_planes", ctypes.c_ulong),
                ("backing_pixel", ctypes.c_ulong), ("save_under", ctypes.c_int),
                ("colormap", ctypes.c_ulong), ("map_installed", ctypes.c_int),
                ("map_state", ctypes.c_int), ("all_event_masks", ctypes.c_long),
                ("your_event_mask", ctypes.c_long), ("do_not_propagate_mask", ctypes.c_long),
                ("override_redirect", ctypes.c_int), ("screen", ctypes.c_void_p)]


_ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
_ignore_errors = _ERROR_HANDLER(lambda display, event: 0)  # windows vanish while we look


class FirstVisible:
    """``start()`` just before spawning the app; ``.at`` (epoch ms) once a window is visible."""

    def __init__(self, display: str, min_size: int = 50) -> None:
        self.display = display
        self.min_size = min_size
        self.at: float | None = None
        self._stop = threading.Event()
        self._x = ctypes.cdll.LoadLibrary(ctypes.util.find_library("X11"))
        self._x.XOpenDisplay.restype = ctypes.c_void_p
        self._x.XDefaultRootWindow.restype = ctypes.c_ulong
        self._x.XSetErrorHandler(_ignore_errors)
        self._existing: set[int] = set()

    def _visible(self, dpy: int, root: int) -> set[int]:
        x = self._x
        root_ret, parent_ret = ctypes.c_ulong(), ctypes.c_ulong()
        children, count = ctypes.POINTER(ctypes.c_ulong)(), ctypes.c_uint()
        if not x.XQueryTree(ctypes.c_void_p(dpy), ctypes.c_ulong(root), ctypes.byref(root_ret),
                            ctypes.byref(parent_ret), ctypes.byref(children), ctypes.byref(count)):
            return set()
        found = set()
        attrs = _Attributes()
        for i in range(count.value):
            window = children[i]
            if x.XGetWindowAttributes(ctypes.c_void_p(dpy), ctypes.c_ulong(window),
                                      ctypes.byref(attrs)) and attrs.map_state == IS_VIEWABLE \
                    and attrs.width >= self.min_size and attrs.height >= self.min_size:
                found.add(window)
        if children:
            x.XFree(children)
        return found

    def start(self) -> "FirstVisible":
        dpy = self._x.XOpenDisplay(self.display.encode())
        if not dpy:
            raise RuntimeError(f"can not open X display {self.display}")
        root = self._x.XDefaultRootWindow(ctypes.c_void_p(dpy))
        self._existing = self._visible(dpy, root)  # left over from an earlier start

        def poll() -> None:
            try:
                while not self._stop.is_set():
                    if self._visible(dpy, root) - self._existing:
                        self.at = time.time() * 1000
                        return
                    time.sleep(0.005)
            finally:
                self._x.XCloseDisplay(ctypes.c_void_p(dpy))

        self._thread = threading.Thread(target=poll, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
