"""The native surface apps call: file dialogs that return paths, message boxes, window control.

Every call is a flow (``sessions/core.py``), like ``eval_js``: it asks the page, and the page's
desktop shim (``shim.py``) asks the window's bridge (``bridge.py``) in Python, which runs the
dialog modal to that window. So a call blocks in a thread session and is awaitable in a
coroutine session, and it always acts on the window showing the calling session.

Outside a native window (``--browser``, a web deployment) ``available()`` is False and each call
does what its docstring says: file dialogs fall back to ``file_upload``/``download``, the message
box to a popup, the rest raise ``DesktopUnavailable``. This module never imports Qt or GTK.
"""
from __future__ import annotations

import base64
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import protocol
from ..exceptions import require
from ..sessions.core import Session, current_task
from .uploads import save_uploads

__all__ = ["DesktopUnavailable", "DesktopError", "available", "open_file", "save_file",
           "choose_folder", "message_box", "ask_ok_cancel", "Window", "window", "windows",
           "open_window", "WINDOW_EVENTS", "Menu", "MenuItem", "SEPARATOR", "set_menu"]

Filters = Sequence[str | tuple[str, str]] | None

# What the page runs (only sent when the page is in a native window): the shim's bridge, once
# the shim has run (a prerendered page runs its first commands before the shim module).
_BRIDGE_JS = ("new Promise((resolve) => { const go = () => resolve(window.webio.native(method,"
              " args)); if (window.webio && window.webio.native) go();"
              " else addEventListener('webio-native', go, { once: true }); })")


serving_windows = False  # set by the launcher while it serves to native windows


class DesktopUnavailable(RuntimeError):
    """A native-only call made where there is no native window (a browser, a web deployment).
    Apps can catch it, or test ``available()`` first."""


class DesktopError(RuntimeError):
    """The window could not do what was asked (the reason is the message)."""


def available() -> bool:
    """True when this session's page is in a native window of the launcher (``webio-desktop``
    or ``start_desktop``); False in a browser (``--browser``, a web deployment). Immediate: no
    round trip to the page, so it is a plain call in coroutine sessions too."""
    return serving_windows


def _session() -> Session:
    return current_task().session


def normalize_filters(filters: Filters) -> list[tuple[str, list[str]]]:
    """``[("Text", "*.txt *.md"), "Images (*.png;*.jpg)", "*.csv"]`` -> [(label, patterns)]."""
    result = []
    for item in filters or ():
        if isinstance(item, str):
            text = item.strip()
            if text.endswith(")") and "(" in text:
                label, _, rest = text[:-1].partition("(")
                label, patterns = label.strip(), rest
            else:
                label, patterns = "", text
        else:
            require(isinstance(item, (tuple, list)) and len(item) == 2,
                    f"a file filter is 'Label (*.ext)' or ('Label', '*.ext'), not {item!r}")
            label, patterns = str(item[0]), str(item[1])
        globs = [p for p in patterns.replace(";", " ").replace(",", " ").split() if p]
        require(bool(globs), f"file filter {item!r} has no pattern")
        result.append((label or " ".join(globs), globs))
    return result


def _accept(filters: list[tuple[str, list[str]]]) -> str | None:
    """file_upload's ``accept`` for the browser fallback: the extensions of ``*.ext`` patterns
    (None, i.e. any file, when a filter matches everything)."""
    exts = []
    for _, globs in filters:
        for glob in globs:
            if glob in ("*", "*.*"):
                return None
            if glob.startswith("*.") and "*" not in glob[2:]:
                exts.append(glob[1:])
    return ",".join(dict.fromkeys(exts)) or None


def _native(session: Session, method: str, args: dict, fallback: Any = None):
    """The flow of one bridge call; ``fallback(flow_id)`` (a flow) answers outside a window."""

    def flow(flow_id: str):
        if not available():
            if fallback is None:
                raise DesktopUnavailable(
                    f"desktop.{method}() needs a native window (run the app with webio-desktop; "
                    f"in a browser test desktop.available() first)")
            return (yield from fallback(flow_id))
        session.send(protocol.run_js(_BRIDGE_JS, {"method": method, "args": args}, flow_id))
        event = yield
        while event["event"] != "js_result":
            event = yield
        answer = event["data"] if isinstance(event["data"], dict) else {}
        if "ok" in answer:
            return answer["ok"]
        if answer.get("unavailable"):
            raise DesktopUnavailable(f"desktop.{method}(): this page is not in a native window")
        raise DesktopError(f"desktop.{method}(): {answer.get('error') or 'no answer from the window'}")

    return flow


def _run(session: Session, flow: Any) -> Any:
    return session.run_flow(flow)


# ---- file dialogs ------------------------------------------------------------------------------

def open_file(title: str = "Open", *, filters: Filters = None, multiple: bool = False,
              directory: str | None = None) -> Any:
    """Ask for a file to open; its absolute path (a list of paths with ``multiple``), or None
    when the user cancels.

    :param title: the dialog's title.
    :param filters: file types the dialog offers, in order: ``"Text (*.txt *.md)"`` or
        ``("Text", "*.txt *.md")``; a bare ``"*.csv"`` too. None: any file.
    :param multiple: allow choosing several files (the result is then a list).
    :param directory: the folder the dialog starts in.

    In a browser: a ``file_upload`` form (with a Cancel button) whose files are saved into a new
    private temporary folder (removed when the session ends); their paths are returned.
    """
    session = _session()
    kinds = normalize_filters(filters)

    def upload(flow_id: str):
        from ..input import file_upload, item_flow

        item = file_upload(title, accept=_accept(kinds), name="data", multiple=multiple)
        files = yield from item_flow(session, item, cancelable=True)(flow_id)
        if not files:
            return None
        paths = save_uploads(session, files if multiple else [files], "webio-open-")
        return paths if multiple else paths[0]

    return _run(session, _native(session, "open_file", {
        "title": str(title), "filters": kinds, "multiple": bool(multiple),
        "directory": str(directory or "")}, upload))


def save_file(name: str = "", content: bytes | str | None = None, *, title: str = "Save",
              filters: Filters = None, directory: str | None = None) -> Any:
    """Ask where to save; the chosen absolute path, or None when the user cancels. The dialog
    asks before replacing an existing file.

    :param name: the suggested file name.
    :param content: when given (bytes, or str written as UTF-8), it is written to the chosen
        path before the call returns.
    :param title: the dialog's title.
    :param filters: file types offered (as for ``open_file``).
    :param directory: the folder the dialog starts in.

    In a browser: with ``content``, the page downloads it as ``name`` (the browser decides
    where; the call returns None); without ``content`` it raises ``DesktopUnavailable`` (no
    path the app could write to exists).
    """
    session = _session()
    data = content.encode() if isinstance(content, str) else content
    require(data is None or isinstance(data, (bytes, bytearray)),
            "save_file(content=...) takes bytes or str")

    def download(flow_id: str):
        if data is None:
            raise DesktopUnavailable("desktop.save_file() without content needs a native window")
        session.send(protocol.download(Path(name).name or "download",
                                       base64.b64encode(bytes(data)).decode()))
        return None
        yield  # a generator: a flow

    def flow(flow_id: str):
        path = yield from _native(session, "save_file", {
            "title": str(title), "filters": normalize_filters(filters), "name": str(name),
            "directory": str(directory or "")}, download)(flow_id)
        if path and data is not None and available():
            Path(path).write_bytes(bytes(data))
        return path

    return _run(session, flow)


def choose_folder(title: str = "Choose a folder", *, directory: str | None = None) -> Any:
    """Ask for a folder; its absolute path, or None when the user cancels.

    In a browser: raises ``DesktopUnavailable`` (a browser never reveals a folder's path).
    """
    session = _session()
    return _run(session, _native(session, "choose_folder", {
        "title": str(title), "directory": str(directory or "")}))


# ---- message boxes -------------------------------------------------------------------------------

def message_box(message: str, title: str = "", *, kind: str = "info") -> Any:
    """A native message box with an OK button, modal to this window; returns once it is closed.

    :param kind: ``"info"``, ``"warning"`` or ``"error"`` (the icon).

    In a browser: a ``popup`` with the message; the call returns at once.
    """
    require(kind in ("info", "warning", "error"),
            f"message_box(kind=...) is 'info', 'warning' or 'error', not {kind!r}")
    session = _session()

    def popup(flow_id: str):
        from ..output import popup as show, put_text

        show(title or kind.capitalize(), put_text(str(message)))
        return None
        yield  # a generator: a flow

    return _run(session, _native(session, "message_box", {
        "title": str(title), "message": str(message), "kind": kind}, popup))


def ask_ok_cancel(message: str, title: str = "") -> Any:
    """A native OK/Cancel question, modal to this window: True for OK, False for Cancel.

    In a browser: a ``popup`` with the message and OK / Cancel buttons (it can only be closed
    by them); the call waits for the click and returns the same way.
    """
    session = _session()

    def popup(flow_id: str):
        from ..output import close_popup, popup as show, put_buttons, put_text

        def answer(value: bool) -> None:
            session.notify_flow(flow_id, {"event": "answer", "task": flow_id, "data": value})

        show(title or "Question", [put_text(str(message)), put_buttons(
            [{"label": "OK", "value": True},
             {"label": "Cancel", "value": False, "color": "secondary"}], onclick=answer)],
            closable=False)
        event = yield
        while event.get("event") != "answer":
            event = yield
        close_popup()
        return bool(event["data"])

    return _run(session, _native(session, "ask_ok_cancel", {
        "title": str(title), "message": str(message)}, popup))


# ---- window control ------------------------------------------------------------------------------

WINDOW_EVENTS = ("moved", "resized", "minimized", "maximized", "restored", "focus", "blur",
                 "closed")


class Window:
    """A native window of this app: ``window()`` is the calling session's, ``windows()`` lists
    them all, ``open_window()`` opens one. Every method is a waiting call (blocks in a thread
    session, awaitable in a coroutine session) and raises ``DesktopUnavailable`` outside a
    native window, except ``set_title``, which then sets the page's title."""

    def __init__(self, uid: str | None = None) -> None:
        self.uid = uid  # pywebview's window id; None: the window showing the calling session

    def __repr__(self) -> str:
        return f"<desktop.Window {self.uid or 'this'}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Window) and other.uid == self.uid

    def __hash__(self) -> int:
        return hash(self.uid)

    def _call(self, action: str, *args: Any, fallback: Any = None) -> Any:
        session = _session()
        return _run(session, _native(session, "control", {
            "uid": self.uid, "action": action, "args": list(args)}, fallback))

    def title(self) -> Any:
        """The window's title."""
        return self._call("title")

    def set_title(self, title: str) -> Any:
        """Set the title (in a browser: the page's title, like ``set_env(title=...)``)."""

        def page_title(flow_id: str):
            _session().send(protocol.set_env({"title": str(title)}))
            return None
            yield  # a generator: a flow

        return self._call("set_title", str(title), fallback=page_title)

    def geometry(self) -> Any:
        """``{"x", "y", "width", "height"}``: the position of the window's frame on the screen
        and the size of its content, in pixels."""
        return self._call("geometry")

    def state(self) -> Any:
        """``{"minimized", "maximized", "fullscreen", "visible", "focused", "on_top"}``, booleans."""
        return self._call("state")

    def resize(self, width: int, height: int) -> Any:
        """Set the content size in pixels (the window's minimum size still applies)."""
        require(int(width) > 0 and int(height) > 0, "resize() needs a positive width and height")
        return self._call("resize", int(width), int(height))

    def move(self, x: int, y: int) -> Any:
        """Move the window's frame to (x, y) on the screen."""
        return self._call("move", int(x), int(y))

    def minimize(self) -> Any:
        return self._call("minimize")

    def maximize(self) -> Any:
        return self._call("maximize")

    def restore(self) -> Any:
        """Back to a normal window (from minimized, maximized or fullscreen)."""
        return self._call("restore")

    def set_fullscreen(self, on: bool = True) -> Any:
        return self._call("fullscreen", bool(on))

    def set_on_top(self, on: bool = True) -> Any:
        """Keep the window above the others (or not)."""
        return self._call("on_top", bool(on))

    def hide(self) -> Any:
        """Hide the window (its session goes on; ``show()`` brings it back)."""
        return self._call("hide")

    def show(self) -> Any:
        return self._call("show")

    def focus(self) -> Any:
        """Bring the window to the front and give it the keyboard."""
        return self._call("focus")

    def close(self) -> Any:
        """Close the window (its session ends as when the user closes it; no close guard asks)."""
        return self._call("close")

    def on_event(self, callback: Any, events: Sequence[str] = WINDOW_EVENTS) -> Any:
        """Call ``callback(event)`` in this session for the window's events, ``event`` a dict:
        ``{"event": "moved", "x", "y"}``, ``{"event": "resized", "width", "height"}``, or
        ``{"event": name}`` for ``minimized``, ``maximized``, ``restored``, ``focus``, ``blur``,
        ``closed``. ``events`` limits which ones. Callbacks run like ``put_buttons``'
        callbacks (a thread of the session, or a task of a coroutine session)."""
        unknown = set(events) - set(WINDOW_EVENTS)
        require(not unknown, f"on_event(): unknown event(s) {', '.join(sorted(unknown))}")
        session = _session()
        callback_id = session.register_callback(callback)
        return self._call("on_event", callback_id, list(events))


def window() -> Window:
    """The native window showing the calling session (no round trip: a handle)."""
    return Window(None)


def windows() -> Any:
    """Every open window of the app, as ``Window`` handles (a waiting call)."""
    session = _session()

    def flow(flow_id: str):
        uids = yield from _native(session, "windows", {})(flow_id)
        return [Window(uid) for uid in uids]

    return _run(session, flow)


def open_window(app: str, *, x: int | None = None, y: int | None = None,
                width: int | None = None, height: int | None = None) -> Any:
    """Open a new window on the app ``app`` (as ``go_app(app, new_window=True)`` does) with the
    given geometry (missing values: the usual size and a cascaded position); its ``Window``."""
    session = _session()

    def flow(flow_id: str):
        uid = yield from _native(session, "open_window", {
            "app": str(app), "x": x, "y": y, "width": width, "height": height})(flow_id)
        return Window(uid)

    return _run(session, flow)


# ---- menus -----------------------------------------------------------------------------------------

class MenuItem:
    """A menu entry: ``label`` runs ``action()`` (a check item: ``action(checked)``) in the
    session that set the menu, like a ``put_buttons`` callback.

    :param shortcut: e.g. ``"Ctrl+O"``, ``"Ctrl+Shift+S"`` (works while the window has focus).
    :param checkable: a check item; ``checked`` is its first state.
    :param enabled: False shows it greyed out.
    """

    def __init__(self, label: str, action: Any = None, *, shortcut: str | None = None,
                 checkable: bool = False, checked: bool = False, enabled: bool = True) -> None:
        self.label, self.action, self.shortcut = str(label), action, shortcut
        self.checkable, self.checked, self.enabled = checkable, checked, enabled


class Menu:
    """A menu (in the bar) or a submenu (inside a menu) of ``items``: ``MenuItem``, ``Menu``
    or ``SEPARATOR``."""

    def __init__(self, label: str, items: Sequence[Any]) -> None:
        self.label, self.items = str(label), list(items)


SEPARATOR = "-"


def _menu_spec(session: Session, entry: Any) -> dict:
    if entry == SEPARATOR:
        return {"kind": "separator"}
    if isinstance(entry, Menu):
        return {"kind": "menu", "label": entry.label,
                "items": [_menu_spec(session, e) for e in entry.items]}
    require(isinstance(entry, MenuItem), f"a menu holds MenuItem, Menu or SEPARATOR, not {entry!r}")
    callback = None
    if entry.action is not None:
        action, checkable = entry.action, entry.checkable
        callback = session.register_callback(
            (lambda checked: action(bool(checked))) if checkable else (lambda _: action()))
    return {"kind": "item", "label": entry.label, "shortcut": entry.shortcut,
            "checkable": bool(entry.checkable), "checked": bool(entry.checked),
            "enabled": bool(entry.enabled), "callback": callback}


def set_menu(menus: Sequence[Menu] | None) -> Any:
    """Give the calling window a menu bar of ``menus`` (replacing any earlier one; ``None`` or
    ``[]`` removes it). A waiting call; raises ``DesktopUnavailable`` outside a native window."""
    session = _session()
    specs = [_menu_spec(session, m) for m in menus or ()]
    require(all(s["kind"] == "menu" for s in specs), "set_menu() takes a list of Menu")
    return _run(session, _native(session, "set_menu", {"menus": specs}))
