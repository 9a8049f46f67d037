"""Files dropped on a window, or on a scope the app marks as a drop zone, reach a callback of
the app's session as **paths**.

``on_drop`` marks the zone in the page (``data-webio-drop`` = a callback id; the front end's
``static/drop.js`` keeps every other drop from navigating). In a Qt window the view takes the
drop itself and gives the page the real paths (``engines/qt_drop.py``; WebKitGTK's view the
same way, ``engines/gtk_drop.py``); in a browser the page uploads the dropped files, which are
saved to temporary paths as ``open_file``'s browser fallback does (``uploads.py``).
"""
from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from typing import Any

from .. import protocol
from ..exceptions import require
from ..input import decode_upload
from ..output import _check_scope_name
from ..sessions.core import Session, current_task
from .native import available
from .uploads import save_uploads

__all__ = ["on_drop"]

# Marks (or unmarks, id null) the zone's element: the scope's, or the whole page.
_MARK_JS = """
const node = name === null ? document.documentElement
  : document.getElementById('pywebio-scope-' + name);
if (!node) { console.error('[webio] on_drop: no scope', name); return; }
if (id === null) { delete node.dataset.webioDrop; delete node.dataset.webioDropMax; return; }
node.dataset.webioDrop = id;
node.dataset.webioDropMax = String(max || 0);
"""


def on_drop(callback: Callable[[list[str]], Any] | None, scope: str | None = None) -> None:
    """Call ``callback(paths)`` in this session when files are dropped on the window (``scope``
    None) or on the output scope ``scope``; ``paths`` is a list of absolute paths, in the order
    the files were dragged. The innermost zone under the pointer gets the drop; a drop outside
    every zone does nothing. ``callback`` None removes the zone. A plain call (no waiting).

    :param callback: runs like a ``put_buttons`` callback (a thread of the session, or a task of
        a coroutine session when it is ``async def``).
    :param scope: the name of an existing scope (``put_scope``/``use_scope``); the zone goes
        with its element (removing the scope removes the zone; clearing it keeps it).

    In a native window (either engine) the paths are the user's own files (and folders). In a
    browser the dropped files are uploaded (within the server's message size) and saved to a
    new private temporary folder (``webio-drop-*``, removed when the session ends): the paths
    are of copies, and folders are refused.
    """
    require(callback is None or callable(callback), "on_drop(callback) takes a function or None")
    if scope is not None:
        _check_scope_name(scope)
    session = current_task().session
    callback_id = None
    if callback is not None:
        callback_id = session.register_callback(
            lambda data: _deliver(session, callback, data))
    session.send(protocol.run_js(_MARK_JS, {"name": scope, "id": callback_id,
                                            "max": session.max_message_size or 0}))


def _deliver(session: Session, callback: Callable[[list[str]], Any], data: Any) -> Any:
    """The zone's callback event -> ``callback(paths)``. Real paths are taken only where a
    native window sent them (a page in a browser could name any file of the server)."""
    paths = dropped_paths(session, data)
    if not paths:
        return None
    result = callback(paths)
    return result if inspect.isawaitable(result) else None


def dropped_paths(session: Session, data: Any) -> list[str]:
    """The paths a drop event carries: ``{"paths": [...]}`` from a native window (existing
    absolute paths only), ``{"files": [...]}`` uploaded by a page (saved to temp paths)."""
    if not isinstance(data, dict):
        return []
    if "paths" in data:
        if not available():
            session.warn("a page sent dropped paths, but it is not in a native window")
            return []
        raw = data["paths"] if isinstance(data["paths"], list) else []
        return [p for p in raw if isinstance(p, str) and os.path.isabs(p) and os.path.exists(p)]
    try:
        files = [decode_upload(entry) for entry in data.get("files") or []]
    except ValueError as exc:
        session.warn("dropped files not understood: %s", exc)
        return []
    return save_uploads(session, files, "webio-drop-") if files else []
