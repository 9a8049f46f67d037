"""The native surface with Qt (``base.Native``): dialogs, window control, menu bars and the
tray for pywebview's Qt windows. ``bridge.py`` calls these from pywebview's bridge threads;
the Qt work runs on the GUI thread (``gui_call``).

We build the dialogs ourselves (titles, filters on every dialog, an OK-only message box:
pywebview's own dialogs have neither).
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

from .base import Filters, Fire
from .qt_gui import bring_to_front, fill_menu, gui_call  # gui_call: base.Native's too

def _view(window: Any) -> Any:
    """On the GUI thread: pywebview's Qt window (a QMainWindow) of ``window``."""
    from webview.platforms.qt import BrowserView

    view = BrowserView.instances.get(window.uid)
    if view is None:
        raise ValueError("the window is closed")
    return view


# -- dialogs --------------------------------------------------------------------------------------
def _qt_filter(filters: Filters) -> str:
    """Qt's name filter string: ``Text (*.txt *.md);;All (*)``."""
    return ";;".join(f"{label} ({' '.join(globs)})" for label, globs in filters)


def _dialog(window: Any, run: Callable[[Any], Any]) -> Any:
    """``run(parent)`` on the GUI thread with ``window``'s Qt widget as the dialog's parent."""
    from webview.platforms.qt import BrowserView

    return gui_call(lambda: run(BrowserView.instances.get(window.uid)))


def open_file(window: Any, title: str, filters: Filters, multiple: bool, directory: str) -> Any:
    from qtpy.QtWidgets import QFileDialog

    def run(parent: Any) -> Any:
        if multiple:
            paths, _ = QFileDialog.getOpenFileNames(parent, title, directory, _qt_filter(filters))
            return list(paths) or None
        path, _ = QFileDialog.getOpenFileName(parent, title, directory, _qt_filter(filters))
        return path or None

    return _dialog(window, run)


def save_file(window: Any, title: str, filters: Filters, name: str,
              directory: str) -> str | None:
    from qtpy.QtWidgets import QFileDialog

    start = os.path.join(directory, name) if directory else name

    def run(parent: Any) -> Any:
        # Qt asks before replacing an existing file (DontConfirmOverwrite is not set).
        path, _ = QFileDialog.getSaveFileName(parent, title, start, _qt_filter(filters))
        return path or None

    return _dialog(window, run)


def choose_folder(window: Any, title: str, directory: str) -> str | None:
    from qtpy.QtWidgets import QFileDialog

    return _dialog(window, lambda parent: QFileDialog.getExistingDirectory(
        parent, title, directory) or None)


def message_box(window: Any, title: str, message: str, kind: str) -> None:
    from qtpy.QtWidgets import QMessageBox

    show = {"info": QMessageBox.information, "warning": QMessageBox.warning,
            "error": QMessageBox.critical}[kind]
    _dialog(window, lambda parent: show(parent, title, message))


def ask_ok_cancel(window: Any, title: str, message: str) -> bool:
    from qtpy.QtWidgets import QMessageBox

    buttons = QMessageBox.StandardButton
    return bool(_dialog(window, lambda parent: QMessageBox.question(
        parent, title, message, buttons.Ok | buttons.Cancel,
        buttons.Ok) == buttons.Ok))


# -- window control -------------------------------------------------------------------------------
def window_action(window: Any, action: str, args: list) -> Any:
    return gui_call(lambda: _window_action(_view(window), action, args))


def _window_action(view: Any, action: str, args: list) -> Any:
    """One window-control action on the GUI thread; ``view`` is pywebview's Qt window."""
    from qtpy import QtCore

    Qt = QtCore.Qt
    if action == "title":
        return view.windowTitle()
    if action == "set_title":
        view.setWindowTitle(str(args[0]))
    elif action == "geometry":
        return {"x": view.x(), "y": view.y(), "width": view.width(), "height": view.height()}
    elif action == "state":
        return {"minimized": view.isMinimized(), "maximized": view.isMaximized(),
                "fullscreen": view.isFullScreen(), "visible": view.isVisible(),
                "focused": view.isActiveWindow(),
                "on_top": bool(view.windowFlags() & Qt.WindowType.WindowStaysOnTopHint)}
    elif action == "resize":
        view.resize(int(args[0]), int(args[1]))
    elif action == "move":
        view.move(int(args[0]), int(args[1]))
    elif action == "on_top":
        # pywebview's own on_top sets the widget's flags, which re-creates the native window (it
        # vanishes, comes back, and Qt's record of the active window goes stale). Changing the
        # flag on the window itself does not; the widget keeps the same record without telling
        # the window system twice.
        top = Qt.WindowType.WindowStaysOnTopHint
        flags = view.windowFlags() | top if args[0] else view.windowFlags() & ~top
        view.overrideWindowFlags(flags)
        view.windowHandle().setFlags(flags)
    elif action == "minimize":
        view.showMinimized()
    elif action == "maximize":
        view.showMaximized()
    elif action == "restore":
        view.showNormal()
    elif action == "fullscreen":
        view.showFullScreen() if args[0] else view.showNormal()
    elif action == "hide":
        view.hide()
    elif action == "show":
        view.show()
    elif action == "focus":
        bring_to_front(view)
    else:
        raise ValueError(f"no window action {action!r}")
    return None


def frame_position(window: Any) -> tuple[int, int]:
    def read() -> tuple[int, int]:
        view = _view(window)
        return view.x(), view.y()

    return gui_call(read)


def watch_focus(window: Any, send: Callable[[dict], None]) -> None:
    gui_call(lambda: _watch_focus(_view(window), send))


def _watch_focus(view: Any, send: Callable[[dict], None]) -> None:
    """On the GUI thread: report the window's activation changes."""
    from qtpy import QtCore

    class Watcher(QtCore.QObject):
        def eventFilter(self, obj: Any, event: Any) -> bool:
            kind = event.type()
            if kind == QtCore.QEvent.Type.WindowActivate:
                threading.Thread(target=send, args=({"event": "focus"},), daemon=True).start()
            elif kind == QtCore.QEvent.Type.WindowDeactivate:
                threading.Thread(target=send, args=({"event": "blur"},), daemon=True).start()
            return False

    view.installEventFilter(Watcher(view))  # a child of the window: lives as long as it


# -- menus and the tray -------------------------------------------------------------------------
def set_menu(window: Any, menus: list[dict], fire: Fire) -> None:
    gui_call(lambda: _menu_bar(_view(window), menus, fire))


def _menu_bar(view: Any, menus: list[dict], fire: Fire) -> None:
    """On the GUI thread: replace ``view``'s menu bar with ``menus`` (specs from native.py)."""
    bar = view.menuBar()
    bar.clear()
    bar.setVisible(bool(menus))
    for spec in menus:
        fill_menu(bar.addMenu(spec["label"]), spec["items"], fire)


def set_tray(manager: Any, window: Any, spec: dict | None, fire: Fire) -> None:
    # Loaded with the first tray: most apps have none, and every start would pay for it.
    from .qt_tray import set_tray as make_tray

    gui_call(lambda: make_tray(manager, window, spec, fire))
