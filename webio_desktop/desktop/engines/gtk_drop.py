"""Files dropped on a WebKitGTK window: the view hands the page the real paths at the drop point.

WebKitGTK shows a file manager's drag to the page as a link list without ``File`` objects, so
the page can't upload them. The web view's GTK signals carry the URIs: the data WebKit asks for
while the drag moves (pywebview's ``on_drag_data``, which we wrap) is kept per drag, and on the
drop (``drag-drop``) the page's ``window.webio.dropAt`` (``static/drop.js``) gets the element
under the pointer and the local paths; WebKit then goes on with the drop, which the page cancels.
"""
from __future__ import annotations

from typing import Any

from .drop_point import drop_js


def install() -> None:
    """Wrap pywebview's GTK view (every window, from the first) with our drop handling."""
    from webview.platforms.gtk import BrowserView

    if getattr(BrowserView, "_webio_drops", False):
        return
    pywebview_handler = BrowserView.on_drag_data

    def on_drag_data(self: Any, widget: Any, context: Any, x: int, y: int, data: Any,
                     info: int, time: int) -> Any:
        paths = _local_paths(data.get_uris() or [])
        if paths:
            widget._webio_drag = (context, paths)
        if not getattr(widget, "_webio_drop_watch", False):
            widget._webio_drop_watch = True
            widget.connect("drag-drop", _dropped)
        return pywebview_handler(self, widget, context, x, y, data, info, time)

    BrowserView.on_drag_data = on_drag_data  # bound when each view is built: before any is
    BrowserView._webio_drops = True


def _local_paths(uris: list[str]) -> list[str]:
    from gi.repository import GLib

    paths = []
    for uri in uris:
        if uri.startswith("file://"):
            try:
                paths.append(GLib.filename_from_uri(uri)[0])
            except Exception:  # a remote host's file: not a local path
                continue
    return paths


def _dropped(widget: Any, context: Any, x: int, y: int, time: int) -> bool:
    """``drag-drop`` on the GTK thread: give the page the paths; False lets WebKit go on."""
    kept, paths = getattr(widget, "_webio_drag", (None, []))
    widget._webio_drag = (None, [])
    if kept is context and paths:
        zoom = widget.get_zoom_level() or 1.0
        script = drop_js(x / zoom, y / zoom, paths)
        widget.evaluate_javascript(script, len(script), None, None, None, None, None)
    return False
