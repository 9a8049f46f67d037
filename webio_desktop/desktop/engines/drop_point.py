"""Where a native drop lands in the page: the script a window runs to hand the page's
``window.webio.dropAt`` (``static/drop.js``) the element under the pointer and the dropped paths.
Shared by the engines' drop handlers (``qt_drop.py``, ``gtk_drop.py``)."""
from __future__ import annotations

import json

# The element under (x, y), looked up through same-origin frames (the tab shell's tabs), handed to
# that document's webio.dropAt. ``paths`` null: the drag is over it; ``leave``: it left the view.
_JS = """((x, y, paths, leave) => {
  const visit = (win) => {
    for (const frame of win.document.querySelectorAll('iframe')) {
      try { visit(frame.contentWindow); } catch (err) { /* another origin */ }
    }
    win.webio?.dropAt?.(null, null);
  };
  if (leave) return visit(window);
  let win = window;
  for (;;) {
    const node = win.document.elementFromPoint(x, y);
    if (node && node.tagName === 'IFRAME' && node.contentWindow) {
      const box = node.getBoundingClientRect();
      x -= box.left + node.clientLeft;
      y -= box.top + node.clientTop;
      win = node.contentWindow;
      continue;
    }
    win.webio?.dropAt?.(node, paths);
    return;
  }
})(%s, %s, %s, %s)"""


def drop_js(x: float, y: float, paths: list[str] | None, leave: bool = False) -> str:
    """The script for a drag at (x, y) in CSS pixels of the page: over it (``paths`` None),
    dropped there (``paths``), or gone (``leave``)."""
    return _JS % (json.dumps(x), json.dumps(y), json.dumps(paths), json.dumps(leave))
