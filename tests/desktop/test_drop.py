"""Dropped files (desktop.on_drop): a real X drag from a GTK drag source onto a Qt window under
Xvfb, and real drags of files in Chromium (the DevTools protocol's drag input) for the browser."""
from __future__ import annotations

import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from .conftest import gtk_missing, needs_qt, shown, wait_for
from .xwin import find_windows

HERE = Path(__file__).resolve().parent

APP = '''
from pywebio import config, start_server
from pywebio.output import put_buttons, put_scope, put_text
from webio_desktop import desktop

def said(where, paths):
    print(where, paths, flush=True)
    put_text(f"{where} got {len(paths)}")

def add_zones():
    put_scope("zone", [put_text("Drop notes here")]).style("height: 240px; background: #eef")
    desktop.on_drop(lambda paths: said("zone", paths), scope="zone")
    desktop.on_drop(lambda paths: said("window", paths))
    put_text("zones set")

@config(title="Drop app")
def index():
    put_text("no zone yet")
    put_buttons(["Add zones"], onclick=[add_zones])

start_server(index)
'''


@pytest.fixture
def engine() -> str:
    """The native surface is built with Qt (docs/desktop.md, "Engines"): Qt windows only."""
    return "qt"


class DragSource:
    """tests/desktop/dragsource.py on the display: drags whatever ``offer`` names last."""

    def __init__(self, display: str, folder: Path) -> None:
        self.display = display
        self.list = folder / "drag-list.txt"
        self.list.write_text("")
        self.proc = subprocess.Popen([sys.executable, str(HERE / "dragsource.py"), str(self.list)],
                                     env={"DISPLAY": display, "PATH": "/usr/bin:/bin"},
                                     stdout=subprocess.PIPE, stderr=open(folder / "drag.log", "w"),
                                     text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        try:
            assert self.lines.get(timeout=20) == "ready"
        except queue.Empty:
            self.proc.kill()
            pytest.fail("the X drag source did not start (it needs PyGObject and GTK 3: "
                        f"scripts/setup.sh installs them): {(folder / 'drag.log').read_text()}")
        window = wait_for(lambda: find_windows(display, "^drag source$"), what="the drag source")[0]
        geometry = xdotool(display, "getwindowgeometry", "--shell", str(window))
        values = dict(line.split("=") for line in geometry.split())
        self.x = int(values["X"]) + int(values["WIDTH"]) // 2
        self.y = int(values["Y"]) + int(values["HEIGHT"]) // 2

    def _pump(self) -> None:
        for line in self.proc.stdout:  # type: ignore[union-attr]
            self.lines.put(line.strip())

    def drag_to(self, paths: list[Path], x: int, y: int) -> None:
        """Press on the source, move to (x, y) on the screen, release; returns once the source
        saw the drag end (the target has answered the drop)."""
        self.list.write_text("".join(f"{p}\n" for p in paths))
        xdotool(self.display, "mousemove", str(self.x), str(self.y), "mousedown", "1")
        steps = 8  # a drag starts after a few pixels of motion; the target follows the motion
        for i in range(1, steps + 1):
            xdotool(self.display, "mousemove", str(self.x + (x - self.x) * i // steps),
                    str(self.y + (y - self.y) * i // steps))
            time.sleep(0.05)
        xdotool(self.display, "mouseup", "1")
        assert self.lines.get(timeout=20) == "drag-end"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def xdotool(display: str, *args: str) -> str:
    return subprocess.run(["xdotool", *args], env={"DISPLAY": display}, check=True,
                          capture_output=True, text=True, timeout=10).stdout


@pytest.fixture
def drag_source(xdisplay, tmp_path):
    source = DragSource(xdisplay, tmp_path)
    yield source
    source.stop()


def screen_point(display: str, page, selector: str, dy: int = 0,
                 title: str = "^Drop app$") -> tuple[int, int]:
    """Where the middle of ``selector`` is on the screen (the bare Xvfb has no window frames:
    the window's corner is its page's corner)."""
    window = wait_for(lambda: find_windows(display, title), what="the window")[0]
    values = dict(line.split("=") for line in
                  xdotool(display, "getwindowgeometry", "--shell", str(window)).split())
    box = page.locator(selector).bounding_box()
    return (int(values["X"]) + int(box["x"] + box["width"] / 2),
            int(values["Y"]) + int(box["y"] + box["height"] / 2) + dy)


@needs_qt
def test_files_dropped_on_a_qt_window_arrive_as_real_paths(launch, xdisplay, tmp_path,
                                                           drag_source):
    first = tmp_path / "ignored.txt"
    note, other = tmp_path / "a note – é.txt", tmp_path / "data.csv"
    folder = tmp_path / "a folder"
    for path in (first, note, other):
        path.write_text(path.name)
    folder.mkdir()
    script = tmp_path / "drop_app.py"
    script.write_text(APP)
    app = launch(script, opts=("--no-remember",), display=xdisplay)
    page = shown(app.page(), "no zone yet")
    start_url = page.url
    page.evaluate("window.__stay = 'same page'")
    # No zone yet: the drop does nothing (Chromium alone would open the file in the window).
    drag_source.drag_to([first], *screen_point(xdisplay, page, "text=no zone yet"))
    page.get_by_role("button", name="Add zones").click()
    page.wait_for_selector("text=zones set")
    drag_source.drag_to([note, other], *screen_point(xdisplay, page, "#pywebio-scope-zone"))
    assert app.wait_line(r"^(zone|window) ") == f"zone {[str(note), str(other)]}"
    page.wait_for_selector("text=zone got 2")  # put_text from the callback: the session's own
    # Outside the zone, the whole window's zone takes it (a folder is a path like any other).
    drag_source.drag_to([folder], *screen_point(xdisplay, page, "text=zones set", dy=40))
    assert app.wait_line(r"^window ") == f"window {[str(folder)]}"
    page.wait_for_selector("text=window got 1")
    assert page.url == start_url and page.evaluate("window.__stay") == "same page"
    assert not any(str(first) in line for line in app.lines)


@needs_qt
def test_the_notes_example_opens_a_dropped_file(launch, xdisplay, tmp_path, drag_source):
    note = tmp_path / "shopping.txt"
    note.write_text("buy milk")
    app = launch(HERE.parents[1] / "examples" / "desktop_notes.py", opts=("--no-remember",),
                 display=xdisplay)
    page = shown(app.page(), "File: untitled")
    drag_source.drag_to([note], *screen_point(xdisplay, page, "textarea", title="^Notes"))
    page.wait_for_selector(f"text=File: {note}")  # the real path: Save writes back to it
    assert page.locator("textarea").input_value() == "buy milk"


BROWSER_APP = '''
from pywebio import start_server
from pywebio.output import put_scope, put_text
from webio_desktop import desktop

async def index():
    put_text("top of the page")
    put_scope("zone", [put_text("Drop notes here")]).style("height: 200px; background: #eef")

    async def got(paths):
        for path in paths:
            print("zone", path, open(path).read(), flush=True)
        put_text(f"zone got {len(paths)}")
        if len(paths) > 1:  # a zone can be given up
            desktop.on_drop(None, scope="zone")
            put_text("zone removed")

    desktop.on_drop(got, scope="zone")
    put_text("zone set")

start_server(index)
'''


def browser_drag(page, x: float, y: float, files: list[Path]) -> None:
    """A real drag of local files onto the page at (x, y), as the OS would bring one in
    (DevTools' Input.dispatchDragEvent): unhandled, Chromium opens the file in the tab."""
    cdp = page.context.new_cdp_session(page)
    data = {"items": [], "files": [str(f) for f in files], "dragOperationsMask": 1}
    for kind in ("dragEnter", "dragOver", "drop"):
        cdp.send("Input.dispatchDragEvent", {"type": kind, "x": x, "y": y, "data": data})
    cdp.detach()


def middle(page, selector: str) -> tuple[float, float]:
    box = page.locator(selector).bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_files_dropped_in_a_browser_are_uploaded_to_temp_paths(launch, chromium, tmp_path):
    """--browser: a drop on the zone uploads the files (the callback gets paths of copies); a drop
    anywhere else leaves the page where it is, its session alive."""
    outside, one, two = tmp_path / "outside.txt", tmp_path / "one.txt", tmp_path / "two.md"
    for path in (outside, one, two):
        path.write_text(f"text of {path.name}")
    script = tmp_path / "drop_app.py"
    script.write_text(BROWSER_APP)
    app = launch(script, opts=("--browser", "--no-open"))
    opener = re.search(r"(file://\S+)", app.wait_line(r"webio-desktop: open file://")).group(1)
    page = chromium.new_page()
    page.goto(opener)  # the printed opener signs the browser in (see test_browser.py)
    page.wait_for_selector("text=zone set")
    start_url = page.url
    # Seen after the page's own handlers: whether each drag event's default (letting the drop
    # open the file in the tab) was cancelled, and the drop effect the page chose.
    page.evaluate("""window.__stay = 'same page'; window.__drags = [];
        for (const kind of ['dragover', 'drop']) addEventListener(kind, (e) => __drags.push(
          [e.type, e.defaultPrevented, e.dataTransfer.dropEffect]))""")
    browser_drag(page, *middle(page, "text=top of the page"), [outside])
    # A page can not hand the app paths of the server's files: only a native window may.
    page.evaluate("window.webio.send({event: 'callback', data: {paths: ['/etc/hostname']},"
                  " id: document.getElementById('pywebio-scope-zone').dataset.webioDrop})")
    browser_drag(page, *middle(page, "#pywebio-scope-zone"), [one, two])
    first = app.wait_line(r"^zone ")
    assert re.fullmatch(r"zone /\S+/webio-drop-\w+/one\.txt text of one\.txt", first)
    second = app.wait_line(r"^zone \S+two\.md")
    assert second.endswith(" text of two.md") and str(tmp_path) not in second
    page.wait_for_selector("text=zone got 2")  # the session is alive and answered
    assert page.url == start_url and page.evaluate("window.__stay") == "same page"
    # Outside the zone the drop is refused ("none": no drop event); on it, taken ("copy").
    page.wait_for_selector("text=zone removed")
    browser_drag(page, *middle(page, "#pywebio-scope-zone"), [outside])  # no zone any more
    seen = list(dict.fromkeys(tuple(e) for e in page.evaluate("window.__drags")))
    assert seen == [("dragover", True, "none"), ("dragover", True, "copy"), ("drop", True, "copy")]
    assert page.evaluate("window.__drags")[-1] == ["dragover", True, "none"]
    assert not any("outside" in line for line in app.lines)


@needs_qt
def test_a_drop_reaches_the_zone_of_a_tab(launch, xdisplay, tmp_path, drag_source):
    """--tabs: the app's page is a frame of the tab window; the drop finds the zone inside it
    (and an async def callback runs as a task of the coroutine session)."""
    note = tmp_path / "tabbed.txt"
    note.write_text("in a tab")
    script = tmp_path / "drop_app.py"
    script.write_text(BROWSER_APP)
    app = launch(script, opts=("--tabs", "--no-remember"), display=xdisplay)

    def frame():
        shell = app.page("tabs.html")
        return next((f for f in shell.frames if f is not shell.main_frame), None)

    zone = wait_for(frame, what="the tab's frame")
    zone.wait_for_selector("text=zone set")
    source = find_windows(xdisplay, "^drag source$")
    window = next(w for w in find_windows(xdisplay, ".") if w not in source)
    title = xdotool(xdisplay, "getwindowname", str(window)).strip()
    drag_source.drag_to([note], *screen_point(xdisplay, zone, "#pywebio-scope-zone",
                                              title=f"^{re.escape(title)}$"))
    assert app.wait_line(r"^zone ") == f"zone {note} in a tab"
    zone.wait_for_selector("text=zone got 1")


@pytest.mark.parametrize("engine", ["system"])
def test_files_dropped_on_a_webkitgtk_window_arrive_as_real_paths(launch, xdisplay, tmp_path,
                                                                  drag_source, engine):
    """The system engine: WebKitGTK shows the page a file drag without files; the view's GTK
    signals bring the real paths (engines/gtk_drop.py). The page stays where it is."""
    missing = gtk_missing()
    if missing:
        pytest.fail(missing)
    outside, note = tmp_path / "outside.txt", tmp_path / "a webkit note.txt"
    for path in (outside, note):
        path.write_text("from a file manager")
    script = tmp_path / "drop_app.py"
    script.write_text(BROWSER_APP)
    app = launch(script, opts=("--no-remember",), display=xdisplay)
    page = app.page()
    page.wait_for_selector("text=zone set")
    start_url = page.url
    page.evaluate("() => { window.__stay = 'same page'; return 1; }")
    left, top, xid = page._origin()

    def point(element: str) -> tuple[int, int]:
        x, y = page.evaluate(f"() => {{ const r = {element}.getBoundingClientRect();"
                             " return [r.left + r.width / 2, r.top + r.height / 2]; }")
        return int(left + x), int(top + y)

    xdotool(xdisplay, "windowraise", str(xid))
    drag_source.drag_to([outside], *point("document.querySelector('p')"))  # not a zone
    drag_source.drag_to([note], *point("document.getElementById('pywebio-scope-zone')"))
    assert app.wait_line(r"^zone ") == f"zone {note} from a file manager"
    page.wait_for_selector("text=zone got 1")
    assert page.url == start_url and page.evaluate("() => window.__stay") == "same page"
