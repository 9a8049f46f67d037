"""Read and drive WebKitGTK windows in tests: the launcher's test channel plus real X input.

WebKitGTK speaks no DevTools protocol, so the system-engine tests go through the test channel
(``webio_desktop/desktop/testchannel.py``: off unless the test sets its environment variable,
never in a built app) to read the page, and through xdotool (XTEST: real pointer and key events,
as a user's) to click and type. ``WebKitPage`` offers the part of Playwright's ``Page`` and
``Frame`` API the desktop tests use, so one test body runs on both engines.

Selectors: CSS, ``text=foo`` (case-insensitive substring of the smallest element showing it),
``text="foo"`` (exact), and ``css:text-is("foo")``, as Playwright reads them.
"""
from __future__ import annotations

import fnmatch
import json
import re
import socket
import subprocess
import threading
import time
from pathlib import Path

# Finds the first visible element matching a selector (see the module docstring), in document D.
_FIND = r"""
((D, sel) => {
  const visible = (e) => { const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; };
  const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
  const byText = (candidates, test) => {
    const hits = candidates.filter((e) => visible(e) && test(norm(e.innerText)));
    return hits.find((e) => !hits.some((o) => o !== e && e.contains(o))) || null;
  };
  let m = sel.match(/^text="(.*)"$/);
  if (m) return byText([...D.body.querySelectorAll('*')], (t) => t === m[1]);
  m = sel.match(/^text=(.*)$/);
  if (m) { const want = norm(m[1]).toLowerCase();
    return byText([...D.body.querySelectorAll('*')], (t) => t.toLowerCase().includes(want)); }
  m = sel.match(/^(.*):text-is\("(.*)"\)$/);
  if (m) return byText([...D.querySelectorAll(m[1] || '*')], (t) => t === m[2]);
  m = sel.match(/^role=button\[name="(.*)"\]$/);
  if (m) return [...D.querySelectorAll('button, input[type=submit], input[type=button], [role=button]')]
    .find((e) => visible(e) && norm(e.innerText || e.value) === m[1]) || null;
  return [...D.querySelectorAll(sel)].find(visible) || null;
})
"""

_KEYS = {"Enter": "Return", "Escape": "Escape", "Tab": "Tab", "Backspace": "BackSpace"}


class Channel:
    """A connection to the launcher's test channel (a Unix socket)."""

    def __init__(self, path: Path, proc, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self._sock.connect(str(path))
                break
            except OSError:
                self._sock.close()
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise AssertionError(f"the test channel {path} never opened")
                time.sleep(0.1)
        self._stream = self._sock.makefile("rwb")
        self._lock = threading.Lock()

    def call(self, op: str, **args) -> object:
        with self._lock:
            self._stream.write(json.dumps({"op": op, **args}).encode() + b"\n")
            self._stream.flush()
            line = self._stream.readline()
        if not line:
            raise ConnectionError("the app closed the test channel")
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return answer["ok"]

    def close(self) -> None:
        self._sock.close()


class _Mouse:
    def __init__(self, page: "WebKitPage") -> None:
        self._page = page

    def click(self, x: float, y: float) -> None:
        self._page._click_at(x, y)


class _Keyboard:
    def __init__(self, page: "WebKitPage") -> None:
        self._page = page

    def press(self, key: str) -> None:
        self._page._focus_window()
        self._page._xdotool("key", _KEYS.get(key, key))


class _Locator:
    def __init__(self, page: "WebKitPage", selector: str) -> None:
        self._page = page
        self._selector = selector

    def click(self) -> None:
        self._page.click(self._selector)


class WebKitPage:
    """A window's page, or one of its same-origin frames (``frame`` = index of the iframe)."""

    def __init__(self, channel: Channel, uid: str, display: str, frame: int | None = None) -> None:
        self._channel = channel
        self.uid = uid
        self._display = display
        self._frame = frame
        self.mouse = _Mouse(self)
        self.keyboard = _Keyboard(self)

    # -- reading -----------------------------------------------------------------------------
    def _win(self) -> str:
        """JS for this page's window object (the frame's, for a frame)."""
        if self._frame is None:
            return "window"
        return f"document.querySelectorAll('iframe')[{self._frame}].contentWindow"

    def evaluate(self, expression: str) -> object:
        js = expression.strip()
        if re.match(r"^(async\s+)?(\([^)]*\)|\w+)\s*=>|^function\b", js):
            js = f"({js})()"
        if self._frame is not None:
            js = f"{self._win()}.eval({json.dumps(js)})"
        return self._channel.call("eval", uid=self.uid, js=js)

    @property
    def url(self) -> str:
        return str(self.evaluate("location.href"))

    def title(self) -> str:
        return str(self.evaluate("document.title"))

    @property
    def main_frame(self) -> "WebKitPage":
        return WebKitPage(self._channel, self.uid, self._display) if self._frame is not None else self

    @property
    def frames(self) -> list["WebKitPage"]:
        count = int(self._channel.call("eval", uid=self.uid,
                                       js="document.querySelectorAll('iframe').length"))
        return [self, *(WebKitPage(self._channel, self.uid, self._display, i)
                         for i in range(count))]

    def _query(self, selector: str, what: str) -> object:
        """``what`` (JS using ``e``, the element) for the element ``selector`` finds, or None."""
        js = (f"(() => {{ const W = {self._win()}; const e = {_FIND}(W.document, "
              f"{json.dumps(selector)}); return e ? ({what}) : null; }})()")
        return self._channel.call("eval", uid=self.uid, js=js)

    def wait_for_selector(self, selector: str, timeout: float = 30000,
                          state: str = "attached") -> None:
        """As Playwright's: ``state`` "attached" (in the document) or "visible" (laid out)."""
        check = {"attached": "true", "visible": "e.getClientRects().length > 0"}[state]
        deadline = time.monotonic() + timeout / 1000
        while not self._query(selector, check):
            if time.monotonic() > deadline:
                raise AssertionError(f"no element {selector!r} within {timeout / 1000:.0f} s "
                                     f"in {self.url}")
            time.sleep(0.1)

    def inner_text(self, selector: str) -> str:
        self.wait_for_selector(selector)
        return str(self._query(selector, "e.innerText"))

    def wait_for_url(self, pattern: str, timeout: float = 30000) -> None:
        deadline = time.monotonic() + timeout / 1000
        while not fnmatch.fnmatch(self.url, pattern.replace("**", "*")):
            if time.monotonic() > deadline:
                raise AssertionError(f"the URL never matched {pattern!r}: {self.url}")
            time.sleep(0.1)

    def get_by_role(self, role: str, name: str, exact: bool = True) -> _Locator:
        assert role == "button" and exact, "only exact button names are supported"
        return _Locator(self, f'role=button[name="{name}"]')

    # -- driving (real X input) ------------------------------------------------------------
    def _xdotool(self, *args: str) -> None:
        subprocess.run(["xdotool", *args], env={"DISPLAY": self._display}, check=True,
                       capture_output=True, timeout=10)

    def _origin(self) -> tuple[int, int, int]:
        x, y, xid = self._channel.call("origin", uid=self.uid)  # type: ignore[misc]
        return int(x), int(y), int(xid)

    def _focus_window(self) -> None:
        """Give the window the keyboard (no window manager here does it on a click)."""
        self._xdotool("windowfocus", "--sync", str(self._origin()[2]))

    def _frame_offset(self) -> tuple[float, float]:
        if self._frame is None:
            return 0.0, 0.0
        rect = self._channel.call("eval", uid=self.uid, js=(
            f"(() => {{ const r = document.querySelectorAll('iframe')[{self._frame}]"
            ".getBoundingClientRect(); return [r.left, r.top]; })()"))
        return float(rect[0]), float(rect[1])  # type: ignore[index]

    def _click_at(self, x: float, y: float) -> None:
        left, top, xid = self._origin()
        dx, dy = self._frame_offset()
        # Windows overlap (no window manager places them): this one goes on top first.
        self._xdotool("windowraise", str(xid))
        self._xdotool("mousemove", str(int(left + dx + x)), str(int(top + dy + y)),
                      "click", "1")

    def click(self, selector: str) -> None:
        self.wait_for_selector(selector)
        center = self._query(selector, (
            "(e.scrollIntoView({block: 'center', inline: 'center'}),"
            " ((r) => [r.left + r.width / 2, r.top + r.height / 2])(e.getBoundingClientRect()))"))
        assert center, f"{selector!r} went away"
        self._click_at(*center)  # type: ignore[misc]

    def _focus(self, selector: str) -> None:
        self.wait_for_selector(selector)
        self._query(selector, "(e.focus(), e.select && e.select(), true)")

    def fill(self, selector: str, text: str) -> None:
        self._focus(selector)
        self._focus_window()
        self._xdotool("key", "ctrl+a", "BackSpace")
        if text:
            self._xdotool("type", "--delay", "5", text)
        deadline = time.monotonic() + 5
        while self._query(selector, "e.value") != text:
            if time.monotonic() > deadline:
                raise AssertionError(f"typing into {selector!r} did not arrive")
            time.sleep(0.05)

    def press(self, selector: str, key: str) -> None:
        self._focus(selector)
        self.keyboard.press(key)
