"""The window side of ``desktop.native``: what a page's ``window.webio.native(method, args)``
runs, in a pywebview bridge thread, for the window that page is in.

Dialogs run on the GUI thread, modal to that window. We build them with Qt ourselves (titles,
filters on every dialog, an OK-only message box: pywebview's own dialogs have neither), so they
need the Qt engine.
"""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Any

logger = logging.getLogger("webio_desktop.desktop")

Filters = list[tuple[str, list[str]]]


def _qt_filter(filters: Filters) -> str:
    """Qt's name filter string: ``Text (*.txt *.md);;All (*)``."""
    return ";;".join(f"{label} ({' '.join(globs)})" for label, globs in filters)


class Bridge:
    """The native calls of one window (``window`` is its pywebview Window)."""

    METHODS = ("open_file", "save_file", "choose_folder", "message_box", "ask_ok_cancel",
               "control", "windows", "open_window", "set_menu", "set_tray", "notify")
    ANY_ENGINE = ("notify",)  # no Qt in them: they work on the system engine too

    def __init__(self, manager: Any, window: Any) -> None:
        self.manager = manager  # the WindowManager
        self.window = window

    def call(self, method: str, args: dict) -> Any:
        if method not in self.METHODS or not isinstance(args, dict):
            raise ValueError(f"no native call {method!r}")
        engine = getattr(self.manager, "engine", None)
        if engine is not None and engine.name != "qt" and method not in self.ANY_ENGINE:
            raise RuntimeError(f"needs the Qt engine (these windows use {engine.name!r})")
        return getattr(self, method)(**args)

    # -- dialogs ------------------------------------------------------------------------------
    def open_file(self, title: str, filters: Filters, multiple: bool, directory: str) -> Any:
        from qtpy.QtWidgets import QFileDialog

        def run(parent: Any) -> Any:
            if multiple:
                paths, _ = QFileDialog.getOpenFileNames(parent, title, directory,
                                                        _qt_filter(filters))
                return list(paths) or None
            path, _ = QFileDialog.getOpenFileName(parent, title, directory, _qt_filter(filters))
            return path or None

        return self._dialog(run)

    def save_file(self, title: str, filters: Filters, name: str, directory: str) -> Any:
        import os

        from qtpy.QtWidgets import QFileDialog

        start = os.path.join(directory, name) if directory else name

        def run(parent: Any) -> Any:
            # Qt asks before replacing an existing file (DontConfirmOverwrite is not set).
            path, _ = QFileDialog.getSaveFileName(parent, title, start, _qt_filter(filters))
            return path or None

        return self._dialog(run)

    def choose_folder(self, title: str, directory: str) -> Any:
        from qtpy.QtWidgets import QFileDialog

        def run(parent: Any) -> Any:
            return QFileDialog.getExistingDirectory(parent, title, directory) or None

        return self._dialog(run)

    def message_box(self, title: str, message: str, kind: str) -> None:
        from qtpy.QtWidgets import QMessageBox

        show = {"info": QMessageBox.information, "warning": QMessageBox.warning,
                "error": QMessageBox.critical}[kind]
        self._dialog(lambda parent: show(parent, title or "Message", message))
        return None

    def ask_ok_cancel(self, title: str, message: str) -> bool:
        from qtpy.QtWidgets import QMessageBox

        buttons = QMessageBox.StandardButton
        return bool(self._dialog(lambda parent: QMessageBox.question(
            parent, title or "Question", message, buttons.Ok | buttons.Cancel,
            buttons.Ok) == buttons.Ok))

    # -- window control ---------------------------------------------------------------------------
    def windows(self) -> list[str]:
        with self.manager._lock:
            return [w.uid for w in self.manager.windows]

    def open_window(self, app: str, x: Any, y: Any, width: Any, height: Any) -> str:
        window = self.manager.open(app)
        if width is not None or height is not None:
            window.resize(int(width or window.width), int(height or window.height))
        if x is not None or y is not None:
            window.move(int(x if x is not None else window.x),
                        int(y if y is not None else window.y))
        return window.uid

    def control(self, uid: str | None, action: str, args: list) -> Any:
        """One ``Window`` method (``action``) on the window ``uid`` (None: this one)."""
        target = self.window if uid is None else self._find(uid)
        if action == "close":
            target.destroy()
            return None
        if action == "on_event":
            self._subscribe(target, str(args[0]), set(args[1]))
            return None
        from webview.platforms.qt import BrowserView

        def on_gui() -> Any:
            view = BrowserView.instances.get(target.uid)
            if view is None:
                raise ValueError("the window is closed")
            return _qt_window_action(view, action, args)

        return gui_call(on_gui)

    def set_menu(self, menus: list[dict]) -> None:
        """Build the window's menu bar; choosing an item sends its callback event to the page."""
        from webview.platforms.qt import BrowserView

        page, fire = self.window, page_callback(self.window)

        def build() -> None:
            _qt_menu_bar(BrowserView.instances[page.uid], menus, fire)

        gui_call(build)

    # -- tray and notifications (tray.py, notify.py) -------------------------------------------
    def set_tray(self, spec: dict | None) -> None:
        from .engines.qt_tray import set_tray

        fire = page_callback(self.window)
        gui_call(lambda: set_tray(self.manager, self.window, spec, fire, fill_menu=qt_fill_menu,
                                  gui_call=gui_call))

    def notify(self, title: str, body: str, icon: str, callback: str | None,
               focus: bool) -> bool:
        from .dbus_notify import SERVICE

        window, fire = self.window, page_callback(self.window)

        def clicked() -> None:
            if focus:
                self.manager.engine.raise_window(window)
            if callback:
                fire(callback, None)

        clickable = focus or callback
        return SERVICE.notify(window.title or "webio-desktop", title, body, icon,
                              clicked if clickable else None) is not None

    def _find(self, uid: str) -> Any:
        with self.manager._lock:
            for window in self.manager.windows:
                if window.uid == uid:
                    return window
        raise ValueError(f"no open window {uid!r}")

    def _subscribe(self, target: Any, callback_id: str, wanted: set[str]) -> None:
        """Forward ``target``'s events to the calling page, which hands them to its session as
        the callback ``callback_id`` (the same event a button click sends)."""
        page = self.window

        def send(data: dict) -> None:
            if data["event"] not in wanted:
                return
            event = {"event": "callback", "id": callback_id, "data": data}
            try:
                page.run_js(f"window.webio.send({json.dumps(event)})")
            except Exception:
                logger.debug("window event not delivered", exc_info=True)

        events = target.events
        events.moved += lambda x, y: send({"event": "moved", "x": x, "y": y})
        events.resized += lambda width, height: send(
            {"event": "resized", "width": width, "height": height})
        events.minimized += lambda: send({"event": "minimized"})
        events.maximized += lambda: send({"event": "maximized"})
        events.restored += lambda: send({"event": "restored"})
        events.closed += lambda: send({"event": "closed"})
        if wanted & {"focus", "blur"}:
            from webview.platforms.qt import BrowserView

            gui_call(lambda: _watch_focus(BrowserView.instances[target.uid], send))

    def _dialog(self, run: Callable[[Any], Any]) -> Any:
        """Run ``run(parent)`` on the GUI thread with this window's Qt widget as parent."""
        from webview.platforms.qt import BrowserView

        def on_gui() -> Any:
            return run(BrowserView.instances.get(self.window.uid))

        return gui_call(on_gui)


def page_callback(page: Any) -> Callable[[str, Any], None]:
    """``fire(callback_id, data)``: hand ``data`` to the callback ``callback_id`` of the session
    shown in ``page`` (a pywebview Window), as a click on a button of that page would. Returns
    at once (the page is asked from a thread of its own); a closed page drops it."""

    def send(event: dict) -> None:
        try:
            page.run_js(f"window.webio.send({json.dumps(event)})")
        except Exception:
            logger.debug("callback not delivered", exc_info=True)

    def fire(callback_id: str, data: Any) -> None:
        event = {"event": "callback", "id": callback_id, "data": data}
        threading.Thread(target=send, args=(event,), daemon=True).start()

    return fire


def frame_position(window: Any) -> tuple[int, int]:
    """Where ``window``'s frame is on the screen (what ``move`` takes; pywebview's ``x``/``y``
    are the content's corner, below the title bar)."""
    from webview.platforms.qt import BrowserView

    def read() -> tuple[int, int]:
        view = BrowserView.instances[window.uid]
        return view.x(), view.y()

    return gui_call(read)


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
    done = threading.Event()
    outcome: dict[str, Any] = {}

    def job() -> None:
        try:
            outcome["value"] = func()
        except BaseException as exc:  # handed to the calling thread
            outcome["error"] = exc
        finally:
            done.set()

    _invoker.request.emit(job)
    done.wait()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


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


def _qt_window_action(view: Any, action: str, args: list) -> Any:
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
        from .engines.qt import bring_to_front

        bring_to_front(view)
    else:
        raise ValueError(f"no window action {action!r}")
    return None


def _watch_focus(view: Any, send: Callable[[dict], None]) -> None:
    """On the GUI thread: report the window's activation changes (pywebview has no such event)."""
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


def _qt_menu_bar(view: Any, menus: list[dict], fire: Callable[[str, Any], None]) -> None:
    """On the GUI thread: replace ``view``'s menu bar with ``menus`` (specs from native.py)."""
    bar = view.menuBar()
    bar.clear()
    bar.setVisible(bool(menus))
    for spec in menus:
        qt_fill_menu(bar.addMenu(spec["label"]), spec["items"], fire)


def qt_fill_menu(menu: Any, items: list[dict], fire: Callable[[str, Any], None]) -> None:
    """On the GUI thread: add ``items`` (menu specs from native.py) to the QMenu ``menu``;
    choosing one calls ``fire(callback_id, checked or None)``."""
    from qtpy.QtCore import Qt
    from qtpy.QtGui import QAction, QKeySequence

    for item in items:
        if item["kind"] == "separator":
            menu.addSeparator()
        elif item["kind"] == "menu":
            qt_fill_menu(menu.addMenu(item["label"]), item["items"], fire)
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
