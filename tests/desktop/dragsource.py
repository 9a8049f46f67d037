"""An X drag source for the drop tests: a small GTK 3 window that drags files (text/uri-list).

    python dragsource.py LIST_FILE

Each drag offers the files named in LIST_FILE (one path a line, read when the drop asks for the
data, so a test can change them between drags). Prints "ready", then "drag-end" after each drag.
GTK speaks XDND to the target like any file manager would.
"""
import sys
from pathlib import Path

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")
from gi.repository import Gdk, Gtk  # noqa: E402

LIST = Path(sys.argv[1])


def data_get(widget, context, data, info, time) -> None:
    paths = [line for line in LIST.read_text().splitlines() if line]
    data.set_uris([Path(p).as_uri() for p in paths])


window = Gtk.Window(title="drag source")
window.set_default_size(120, 120)
window.move(0, 0)
handle = Gtk.EventBox()
handle.add(Gtk.Label(label="drag me"))
window.add(handle)
handle.drag_source_set(Gdk.ModifierType.BUTTON1_MASK, [], Gdk.DragAction.COPY)
handle.drag_source_add_uri_targets()
handle.connect("drag-data-get", data_get)
handle.connect("drag-end", lambda *_: print("drag-end", flush=True))
window.connect("destroy", Gtk.main_quit)
window.show_all()
print("ready", flush=True)
Gtk.main()
