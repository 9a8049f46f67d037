"""The one-file build's splash screen, closed once the first window shows its page.

A one-file build unpacks itself before Python starts; PyInstaller's bootloader can show a
picture (Tcl/Tk) while it does, so the user sees the app starting within a fraction of a second
(``webio-desktop build --onefile`` adds it when Tk is installed). This module is the app's side:
say what happens, then close the picture when the first native window has loaded its page
(or gave up), so the splash never outlives the start-up nor hides the window.

In a one-file build made on Linux the splash belongs to the one file's stub (``onefile.py``),
which runs the unpacked app as its child: the app closes it by writing a byte to the pipe the
stub names in ``WEBIO_SPLASH_FD``.
"""
from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable

from .onefile import SPLASH_FD_ENV, bootloader_splash


class _PipeSplash:
    """The stub's splash, seen from the app: "closing" it is one byte on the stub's pipe."""

    def __init__(self, fd: int) -> None:
        self.fd: int | None = fd

    def is_alive(self) -> bool:
        return self.fd is not None

    def update_text(self, text: str) -> None:
        pass  # the stub's splash already names the app

    def close(self) -> None:
        if self.fd is not None:
            fd, self.fd = self.fd, None
            try:
                os.write(fd, b"1")
            except OSError:  # the stub is gone: nothing to close
                pass
            os.close(fd)


def _pipe_splash():
    value = os.environ.pop(SPLASH_FD_ENV, "")
    if not value.isdigit():
        return None
    fd = int(value)
    try:
        os.set_inheritable(fd, False)  # not for the web engine's processes
    except OSError:
        return None
    return _PipeSplash(fd)


def _splash():
    pipe = _pipe_splash()
    return pipe if pipe is not None else bootloader_splash()


def close_splash_when_shown(name: str, timeout: float = 60) -> Callable[[], None]:
    """Show "Starting NAME..." on the splash (if any) and close it when the first window's page
    has loaded, or after ``timeout`` seconds; returns a function that closes it now (call it
    when the app ends first). A no-op outside a build with a splash screen.

    :param name: the app's name, shown on the splash
    :param timeout: the longest the splash stays up
    """
    splash = _splash()
    if splash is None:
        return lambda: None
    lock = threading.Lock()

    def close() -> None:
        with lock:
            if splash.is_alive():
                splash.close()

    try:
        splash.update_text(f"Starting {name}...")
    except Exception:  # the splash went away meanwhile: nothing to say
        pass

    def watch() -> None:
        # pywebview is imported by the launcher on the main thread; importing it here too could
        # deadlock on the import lock, so only look at what is already there.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            webview = sys.modules.get("webview")
            windows = getattr(webview, "windows", None)
            if windows:
                windows[0].events.loaded.wait(max(0.0, deadline - time.monotonic()))
                break
            time.sleep(0.02)
        close()

    threading.Thread(target=watch, name="webio-splash", daemon=True).start()
    return close
