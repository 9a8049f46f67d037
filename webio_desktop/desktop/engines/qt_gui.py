"""Qt's GUI thread, menus and raising a window, shared by ``qt_native.py`` (menu bars) and ``qt_tray.py`` (the
tray's menu): ``gui_call`` runs work there from any thread, ``fill_menu`` builds a QMenu from
native.py's menu specs.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from .base import Fire, wait_for_gui

_invoker: Any = None
_invoker_lock = threading.Lock()


def gui_call(func: Callable[[], Any]) -> Any:
    """Run ``func`` on Qt's GUI thread and return its result (or raise its error) here."""
    from qtpy.QtCore import QThread
    from qtpy.QtWidgets import QApplication

    if QThread.currentThread() == QApplication.instance().thread():
        return func()
    global _invoker
    with _invoker_lock:
        if _invoker is None:
            _invoker = _make_invoker()
    return wait_for_gui(_invoker.request.emit, func)


def _make_invoker() -> Any:
    """A QObject living on the GUI thread: a job emitted from any thread runs there (Qt queues
    a signal across threads)."""
    from qtpy import QtCore
    from qtpy.QtWidgets import QApplication

    class Invoker(QtCore.QObject):
        request = QtCore.Signal(object)

        @QtCore.Slot(object)
        def run(self, job: Callable[[], None]) -> None:
            job()

    invoker = Invoker()
    invoker.moveToThread(QApplication.instance().thread())
    invoker.request.connect(invoker.run)
    return invoker


def fill_menu(menu: Any, items: list[dict], fire: Fire) -> None:
    """On the GUI thread: add ``items`` (menu specs from native.py) to the QMenu ``menu``;
    choosing one calls ``fire(callback_id, checked or None)``."""
    from qtpy.QtCore import Qt
    from qtpy.QtGui import QAction, QKeySequence

    for item in items:
        if item["kind"] == "separator":
            menu.addSeparator()
        elif item["kind"] == "menu":
            fill_menu(menu.addMenu(item["label"]), item["items"], fire)
        else:
            action = QAction(item["label"], menu)
            action.setCheckable(item["checkable"])
            action.setChecked(item["checked"])
            action.setEnabled(item["enabled"])
            if item["shortcut"]:
                action.setShortcut(QKeySequence(item["shortcut"]))
                action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            if item["callback"]:
                callback_id, checkable = item["callback"], item["checkable"]
                action.triggered.connect(lambda checked=False, c=callback_id, k=checkable:
                                         fire(c, bool(checked) if k else None))
            menu.addAction(action)


def bring_to_front(view: Any) -> None:
    """On the GUI thread: un-minimize, show, raise and activate pywebview's Qt window ``view``."""
    from qtpy import QtCore

    state = view.windowState() & ~QtCore.Qt.WindowState.WindowMinimized
    view.setWindowState(state | QtCore.Qt.WindowState.WindowActive)
    view.show()
    view.raise_()
    view.activateWindow()
