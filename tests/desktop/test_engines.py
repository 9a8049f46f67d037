"""Choosing the web engine: ``start_desktop(engine=...)``, the CLI's ``--engine``, bad names."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import psutil
import pytest

from conftest import wait_until

from .conftest import ROOT, gtk_missing, qt_missing, wait_for
from .services import geometry
from .xwin import close_window, find_windows, screen_area

HELPER_PROCESS = {"qt": "QtWebEngineProcess", "system": "WebKitWebProcess"}


@pytest.mark.parametrize("engine", ["qt", "system"])
def test_start_desktop_runs_on_the_chosen_engine(engine, tmp_path, xdisplay):
    missing = qt_missing() if engine == "qt" else gtk_missing()
    if missing:
        pytest.skip(missing)
    script = tmp_path / "plain.py"
    script.write_text(
        "from webio_desktop.desktop import start_desktop\n"
        "from webio_desktop.output import put_text\n"
        "from webio_desktop.session import set_env\n\n"
        "def main():\n    set_env(title='Engine check')\n    put_text('hello')\n\n"
        f"start_desktop(main, engine={engine!r}, remember=False)\n")
    home = tmp_path / "home"
    (home / ".run").mkdir(parents=True, mode=0o700)
    env = {**os.environ, "DISPLAY": xdisplay, "HOME": str(home), "PYTHONPATH": str(ROOT),
           "XDG_RUNTIME_DIR": str(home / ".run"), "XDG_CONFIG_HOME": str(home / ".config")}
    proc = subprocess.Popen([sys.executable, str(script)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        window = wait_until(lambda: find_windows(xdisplay, "^Engine check$"), 60, 0.2,
                            "the window titled by the app")[0]
        names = {p.name() for p in psutil.Process(proc.pid).children(recursive=True)}
        assert HELPER_PROCESS[engine] in names, names
        other = HELPER_PROCESS["qt" if engine == "system" else "system"]
        assert other not in names
        close_window(xdisplay, window)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_an_unknown_engine_is_refused_before_anything_starts(tmp_path):
    from webio_desktop.desktop import start_desktop

    with pytest.raises(ValueError, match="engine must be one of qt, system, not 'webkit'"):
        start_desktop(lambda: None, engine="webkit")
    (tmp_path / "app.py").write_text("print('ran')\n")
    result = subprocess.run([sys.executable, "-m", "webio_desktop", "--engine", "webkit",
                             str(tmp_path / "app.py")], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert result.returncode == 2
    assert "invalid choice: 'webkit'" in result.stderr and "ran" not in result.stdout


def _web_processes(engine: str, proc: subprocess.Popen) -> list[psutil.Process]:
    """The processes that run pages: WebKit's web processes; Chromium's renderers, which its
    zygote forks (their command line stays the zygote's, so they are told by their parent)."""
    found = []
    for child in psutil.Process(proc.pid).children(recursive=True):
        try:
            if child.name() != HELPER_PROCESS[engine]:
                continue
            if engine == "system" or child.parent().name() == HELPER_PROCESS[engine]:
                found.append(child)
        except (psutil.NoSuchProcess, AttributeError):  # gone, or no parent any more
            pass
    return found


@pytest.mark.parametrize("engine", ["qt", "system"])
def test_the_engine_started_early_serves_the_first_window_and_leaves_no_stray_page(
        engine, tmp_path, xdisplay):
    """``webio-desktop`` starts the engine's processes before it loads the server and the app
    (``Engine.prestart``): WebKitGTK's first window runs in the web process the hidden view
    started (one web process, not two); Qt starts with the window (one renderer)."""
    missing = qt_missing() if engine == "qt" else gtk_missing()
    if missing:
        pytest.skip(missing)
    script = tmp_path / "app.py"
    script.write_text("from webio_desktop.output import put_text\n"
                      "from webio_desktop.session import set_env\n\n"
                      "set_env(title='Early engine')\nput_text('hello')\n"
                      "import threading\nthreading.Event().wait()\n")
    home = tmp_path / "home"
    (home / ".run").mkdir(parents=True, mode=0o700)
    env = {**os.environ, "DISPLAY": xdisplay, "HOME": str(home), "PYTHONPATH": str(ROOT),
           "XDG_RUNTIME_DIR": str(home / ".run"), "XDG_CONFIG_HOME": str(home / ".config")}
    proc = subprocess.Popen([sys.executable, "-m", "webio_desktop", "--engine", engine,
                             "--new-instance", "--no-remember", str(script)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        window = wait_until(lambda: find_windows(xdisplay, "^Early engine$"), 60, 0.2,
                            "the window titled by the app")[0]
        pages = wait_until(lambda: (lambda found: found if len(found) == 1 else None)(
            _web_processes(engine, proc)), 20, 0.2, "exactly one process running pages")
        assert pages[0].is_running()
        close_window(xdisplay, window)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.mark.parametrize("engine", ["system"], indirect=True)
@pytest.mark.parametrize("renderer", [None, "0"], ids=["default", "gpu-path-kept"])
def test_system_windows_paint_without_dmabuf_and_name_the_desktops_font(
        launch, xdisplay, home, tmp_path, renderer):
    """WebKitGTK's DMA-BUF renderer is off unless the user's environment keeps it
    (``WEBKIT_DISABLE_DMABUF_RENDERER=0``), and the page paints either way. The page names
    GTK's interface font instead of asking for ``system-ui`` (engines/gtk.py)."""
    script = tmp_path / "app.py"
    script.write_text("from webio_desktop.output import put_markdown\n"
                      "from webio_desktop.session import set_env\n\n"
                      "set_env(title='Paint check')\nput_markdown('# Painted here')\n"
                      "import threading\nthreading.Event().wait()\n")
    env = {"WEBKIT_DISABLE_DMABUF_RENDERER": renderer} if renderer else None
    app = launch(script, opts=("--new-instance", "--no-remember"), display=xdisplay, env=env)
    page = app.page()
    page.wait_for_selector("text=Painted here", timeout=30_000)
    web = _web_processes("system", app.proc)
    assert len(web) == 1, web
    assert web[0].environ().get("WEBKIT_DISABLE_DMABUF_RENDERER") == (renderer or "1")

    window = wait_for(lambda: find_windows(xdisplay, "^Paint check$"), what="the window")[0]
    wx, wy, _, _, _ = geometry(xdisplay, window)
    wait_for(lambda: screen_area(xdisplay, wx, wy, 400, 160)[0] > 100,
             what="the heading's dark pixels on the screen")

    font_name = subprocess.run(  # what GTK says to a process of this display and home
        [sys.executable, "-c", "import gi; gi.require_version('Gtk', '3.0');"
         "from gi.repository import Gtk, Pango; print(Pango.FontDescription.from_string("
         "Gtk.Settings.get_default().props.gtk_font_name).get_family())"],
        env={**os.environ, "DISPLAY": xdisplay, "HOME": str(home)}, capture_output=True,
        text=True, timeout=60, check=True).stdout.strip()
    assert font_name
    body = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert body.replace('"', "") == f"{font_name}, sans-serif", body


FIRST_COMMIT_PROBE = r"""
import json, socket, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
sys.modules["cairo"] = None  # as in a built app: no pycairo, so no Python "draw" handlers
import gi
gi.require_version("Gtk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import GLib, Gtk
from webio_desktop.desktop.engines import gtk as engine

class Page(BaseHTTPRequestHandler):
    def do_GET(self):
        note(f"request {self.path}")
        time.sleep(0.4 if self.path == "/slow" else 30)  # /never: answers after the test
        body = b"<!doctype html><title>t</title><p>page</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
server.daemon_threads = True
threading.Thread(target=server.serve_forever, daemon=True).start()
base = f"http://127.0.0.1:{server.server_port}"
refused = socket.socket()
refused.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
closed_port = refused.getsockname()[1]

View = engine._first_commit_view()
events = []
def note(what):
    events.append([what, round(time.monotonic() - t0, 3)])

t0 = time.monotonic()
for name, url in [("slow", base + "/slow"), ("refused", f"http://127.0.0.1:{closed_port}/"),
                  ("never", base + "/never")]:
    window = Gtk.Window()
    view = View()
    window.add(view)
    window.resize(320, 200)
    view.connect("load-changed", lambda v, e, n=name: note(f"{n} load {int(e)}"))
    view.connect("load-failed", lambda *a, n=name: note(f"{n} failed") or False)
    view.connect("map", lambda v, n=name: note(f"{n} view mapped"))
    window.connect("map", lambda w, n=name: w.get_frame_clock().connect(
        "after-paint", lambda c: note(f"{n} window painted")))
    view.load_uri(url)
    window.show_all()
GLib.timeout_add(2500, Gtk.main_quit)
Gtk.main()
print(json.dumps(events))
"""


@pytest.mark.parametrize("engine", ["system"], indirect=True)
def test_system_views_are_drawn_once_their_first_page_commits(engine, xdisplay):
    """engines/gtk.py FirstCommitView: a view loads at once, but its window is drawn without
    it until the page commits (a draw while the navigation was under way made WebKitGTK wait
    up to 500 ms); also without pycairo, as in a built app. A failed load shows at once; a page
    that never commits shows after FIRST_COMMIT_WAIT_MS."""
    from webio_desktop.desktop.engines.gtk import FIRST_COMMIT_WAIT_MS

    result = subprocess.run([sys.executable, "-c", FIRST_COMMIT_PROBE], capture_output=True,
                            text=True, timeout=60, env={**os.environ, "DISPLAY": xdisplay,
                                                        "PYTHONPATH": str(ROOT)})
    events = json.loads(result.stdout.strip().splitlines()[-1])
    names = [name for name, _ in events]
    at = {name: t for name, t in reversed(events)}  # first time of each
    # slow: the window paints while the server takes 0.4 s to answer; the view is mapped
    # (drawn) only once its page has committed (LoadEvent 2). Our handler runs before the
    # probe's, so both can carry the same time.
    assert at["slow window painted"] < at["slow view mapped"], events
    assert at["slow load 2"] >= at["request /slow"] + 0.39, events
    assert at["slow load 2"] - 0.01 <= at["slow view mapped"] < at["slow load 2"] + 0.2, events
    # refused: shown as soon as the load failed (WebKit's error page goes on in it)
    assert abs(at["refused view mapped"] - at["refused failed"]) < 0.2, events
    assert at["refused view mapped"] < FIRST_COMMIT_WAIT_MS / 1000, events
    # never: no commit, shown after the wait, not before
    assert "never load 2" not in names, events
    wait = FIRST_COMMIT_WAIT_MS / 1000
    assert wait <= at["never view mapped"] < wait + 0.5, events
