"""Files dropped on a Qt window: the view takes the drop itself and hands the page the real paths.

Chromium would give the page ``File`` objects without paths (or, with no page handler, open the
file in the window), so a drag that carries local files never reaches it: the view accepts it,
follows it over the page (the zone under the pointer is highlighted) and, on the drop, calls the
page's ``window.webio.dropAt`` (``static/drop.js``) with the element under the pointer and the
paths; the page sends them to the zone's callback (``desktop/drop.py``). Other drags (text, links,
drags inside the page) go to Chromium as before.
"""
from __future__ import annotations

from typing import Any

from .drop_point import drop_js


def local_paths(event: Any) -> list[str]:
    """The local files (and folders) a drag carries, in order (none: not a file drag)."""
    data = event.mimeData()
    if data is None or not data.hasUrls():
        return []
    return [url.toLocalFile() for url in data.urls() if url.isLocalFile() and url.toLocalFile()]


def _tell_page(view: Any, event: Any, paths: list[str] | None, leave: bool = False) -> None:
    x = y = 0.0
    if event is not None:
        point = event.position()
        zoom = view.zoomFactor() or 1.0
        x, y = point.x() / zoom, point.y() / zoom
    view.page().runJavaScript(drop_js(x, y, paths, leave))


def install() -> None:
    """Give pywebview's Qt web view (every window, from the first) our drag handlers."""
    from webview.platforms.qt import BrowserView

    view_class = BrowserView.WebView
    if getattr(view_class, "_webio_drops", False):
        return
    chromium = view_class.__mro__[1]  # QWebEngineView: what a drag without files goes to

    def drag_enter(self: Any, event: Any) -> None:
        self._webio_file_drag = bool(local_paths(event))
        if not self._webio_file_drag:
            return chromium.dragEnterEvent(self, event)
        event.acceptProposedAction()
        _tell_page(self, event, None)

    def drag_move(self: Any, event: Any) -> None:
        if not getattr(self, "_webio_file_drag", False):
            return chromium.dragMoveEvent(self, event)
        event.acceptProposedAction()
        _tell_page(self, event, None)

    def drag_leave(self: Any, event: Any) -> None:
        if not getattr(self, "_webio_file_drag", False):
            return chromium.dragLeaveEvent(self, event)
        self._webio_file_drag = False
        _tell_page(self, None, None, leave=True)

    def drop(self: Any, event: Any) -> None:
        if not getattr(self, "_webio_file_drag", False):
            return chromium.dropEvent(self, event)
        self._webio_file_drag = False
        event.acceptProposedAction()
        _tell_page(self, event, local_paths(event))

    view_class.dragEnterEvent = drag_enter
    view_class.dragMoveEvent = drag_move
    view_class.dragLeaveEvent = drag_leave
    view_class.dropEvent = drop
    view_class._webio_drops = True
