"""Hot reload: save -> new content painted, and what 50 reloads in a row leave behind.

``webio-desktop --reload --debug app.py`` runs a small app (a text from a helper module of its
folder and a button) in a native window under Xvfb. The harness saves a new version of the
helper N times; each time it waits for the page to show it (over CDP) and reads when it was
painted: the app ends with the same rAF -> setTimeout marker as bench/desktop.py, recorded in
the page as epoch milliseconds, so "save -> painted" is wall clock from just before the write to
the first task after the frame that showed the new text.

After every reload it also records the launcher process's OS threads, open file descriptors
and RSS, the process tree's PSS, and (from the launcher's --debug line) its Python threads,
the server loop's asyncio tasks and the open sessions.

Side by side, in the same run and before the native window, in headless Chromium (Playwright,
/usr/bin/chromium), alternating save by save (``--browser-reloads``, 20):

* PyWebIO 1.8.4: the same app under ``start_server(debug=True)``: Tornado's autoreload checks
  the imported modules' files every 0.5 s and re-executes the process. PyWebIO's page does not
  reload itself: the harness waits until the server accepts connections again, then reloads the
  page at once, as the user would by hand (the best case: a user is slower);
* ours: ``webio-desktop --reload --browser`` (the page reloads itself);
* the floor: a static page holding the text (no server restart), re-navigated by the harness
  right after the save.

Run: ``.venv/bin/python bench/reload.py [--reloads 50] [--browser-reloads 20] [--no-window]``.
Target: median save -> painted under 1 s; after warm-up (2 reloads) no growth in threads, tasks
or descriptors. JSON: ``bench/results/reload.json``.
"""
from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from desktop import (  # noqa: E402  (bench/desktop.py: same Xvfb, CDP and PSS helpers)
    REPO, compile_package, free_port, start_xvfb, stop, tree_pss_mib)

APP = """
from webio_desktop import start_server
from webio_desktop.output import put_buttons, put_text
from webio_desktop.session import run_js

import helper

PAINTED_JS = ("requestAnimationFrame(() => setTimeout(() => "
              "{ window.__benchPaintedAt = performance.timeOrigin + performance.now(); }))")


def index():
    put_text(helper.TEXT)
    put_buttons(["Press"], onclick=lambda _: put_text("pressed"))  # keeps the session open
    run_js(PAINTED_JS)


start_server(index)
"""

# The same app for PyWebIO 1.8.4: its start_server(debug=True) is its reload.
PYWEBIO_APP = """
from pywebio import start_server
from pywebio.output import put_buttons, put_text
from pywebio.session import run_js

import helper

PAINTED_JS = ("requestAnimationFrame(() => setTimeout(() => "
              "{ window.__benchPaintedAt = performance.timeOrigin + performance.now(); }))")


def index():
    put_text(helper.TEXT)
    put_buttons(["Press"], onclick=lambda _: put_text("pressed"))
    run_js(PAINTED_JS)


start_server(index, port=PORT, host="127.0.0.1", cdn=False, debug=True)
"""

# The floor: the same text and paint marker in a static page.
FLOOR_PAGE = """<!doctype html><meta charset="utf-8"><p>version {v:04d}</p><button>Press</button>
<script>requestAnimationFrame(() => setTimeout(() =>
  {{ window.__benchPaintedAt = performance.timeOrigin + performance.now(); }}))</script>
"""

HELPER = "TEXT = 'version {v:04d}'\n"
STATS = re.compile(r"reload (\d+): before it (\d+) threads, (\d+) tasks on the server's loop, "
                   r"(\d+) sessions open")


def accepting(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def app_folder(folder: Path, app: str) -> Path:
    """A new folder holding ``app.py`` and version 0 of its helper module."""
    folder.mkdir()
    (folder / "app.py").write_text(app)
    (folder / "helper.py").write_text(HELPER.format(v=0))
    return folder


def first_page(browser, url: str):
    """A new tab on ``url``, once it shows version 0."""
    page = browser.new_page()
    page.goto(url)
    page.wait_for_selector("text=version 0000", timeout=30_000)
    return page


def renavigate(page, v: int) -> float:
    """Reload the page (as a user would by hand); when version ``v`` was painted (epoch ms)."""
    page.reload(wait_until="commit")
    page.wait_for_selector(f"text=version {v:04d}", timeout=30_000)
    return wait_painted(page)


def isolated_env(home: Path) -> dict[str, str]:
    """An environment whose home, config, state and runtime folders are the bench's own."""
    (home / ".run").mkdir(parents=True, mode=0o700, exist_ok=True)
    return {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_STATE_HOME": str(home / ".state"), "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_RUNTIME_DIR": str(home / ".run"), "BROWSER": "true",
            "PYTHONPATH": str(REPO)}


class PyWebIOSide:
    """PyWebIO 1.8.4 under start_server(debug=True); the harness reloads the page."""
    label = "PyWebIO 1.8.4, debug=True"

    def __init__(self, work: Path, browser) -> None:
        from servers import _child_setup, python_for

        self.port = free_port()
        self.folder = app_folder(work / "pywebio", PYWEBIO_APP.replace("PORT", str(self.port)))
        self.proc = subprocess.Popen(
            [python_for("pywebio"), "app.py"], cwd=self.folder, preexec_fn=_child_setup,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},  # no stale .pyc in one second
            stdout=subprocess.DEVNULL, stderr=open(work / "pywebio.log", "wb"))
        deadline = time.monotonic() + 60
        while not accepting(self.port):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError(f"PyWebIO did not start: {(work / 'pywebio.log').read_text()}")
            time.sleep(0.05)
        self.page = first_page(browser, f"http://127.0.0.1:{self.port}/")

    def reload(self, v: int) -> dict:
        saved = time.time() * 1000
        (self.folder / "helper.py").write_text(HELPER.format(v=v))
        deadline = time.monotonic() + 30
        while accepting(self.port):  # the old process, until autoreload execs
            if time.monotonic() > deadline:
                raise RuntimeError("PyWebIO never restarted")
            time.sleep(0.005)
        while not accepting(self.port):
            if time.monotonic() > deadline:
                raise RuntimeError("PyWebIO never accepted again")
            time.sleep(0.005)
        accepted = time.time() * 1000
        by_itself = f"version {v:04d}" in self.page.inner_text("body")
        return {"ms": renavigate(self.page, v) - saved, "accepting_ms": accepted - saved,
                "page_updated_itself": by_itself}

    def close(self) -> None:
        stop(self.proc)


class OursBrowserSide:
    """webio-desktop --reload --browser: the page reloads itself."""
    label = "ours, --reload --browser"

    def __init__(self, work: Path, browser) -> None:
        self.folder = app_folder(work / "ours-browser", APP)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "webio_desktop", "--reload", "--browser", "--no-open",
             "--no-remember", str(self.folder / "app.py")],
            env=isolated_env(work / "home-browser"), cwd=REPO, text=True,
            stdout=subprocess.PIPE, stderr=open(work / "ours-browser.log", "wb"))
        for line in self.proc.stdout:  # the opener file signs this browser in once
            found = re.search(r"webio-desktop: open (file://\S+)", line)
            if found:
                break
        else:
            raise RuntimeError("webio-desktop --browser printed no opener")
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()  # keep it drained
        self.page = first_page(browser, found.group(1))

    def reload(self, v: int) -> dict:
        saved = time.time() * 1000
        (self.folder / "helper.py").write_text(HELPER.format(v=v))
        self.page.wait_for_selector(f"text=version {v:04d}", timeout=30_000)
        return {"ms": wait_painted(self.page) - saved}

    def close(self) -> None:
        stop(self.proc)


class FloorSide:
    """A static page re-navigated right after the save (no server restart)."""
    label = "floor: static page, re-navigated"

    def __init__(self, work: Path, browser) -> None:
        self.folder = work / "floor"
        self.folder.mkdir()
        (self.folder / "index.html").write_text(FLOOR_PAGE.format(v=0))

        class NoStore(http.server.SimpleHTTPRequestHandler):
            def end_headers(self) -> None:
                self.send_header("Cache-Control", "no-store")
                super().end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(NoStore, directory=str(self.folder)))
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.page = first_page(browser, f"http://127.0.0.1:{self.server.server_address[1]}/")

    def reload(self, v: int) -> dict:
        saved = time.time() * 1000
        (self.folder / "index.html").write_text(FLOOR_PAGE.format(v=v))
        return {"ms": renavigate(self.page, v) - saved}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def browser_sides(reloads: int, work: Path) -> dict[str, list[dict]]:
    """The three sides in one Chromium, save by save in turn."""
    from playwright.sync_api import sync_playwright

    from browser import launch

    rows: dict[str, list[dict]] = {}
    with sync_playwright() as pw:
        browser = launch(pw)
        sides = []
        try:
            for kind, side in (("pywebio", PyWebIOSide), ("ours_browser", OursBrowserSide),
                               ("floor", FloorSide)):
                sides.append((kind, side(work, browser)))
                rows[kind] = []
            for v in range(1, reloads + 1):
                for kind, side in sides:
                    rows[kind].append(side.reload(v))
                print(f"browser reload {v:3d}: " + ", ".join(
                    f"{kind} {rows[kind][-1]['ms']:.0f} ms" for kind, _ in sides),
                    file=sys.stderr, flush=True)
        finally:
            for _, side in sides:
                side.close()
            browser.close()
    return rows


def side_by_side(rows: dict[str, list[dict]], window: list[dict]) -> dict:
    labels = {"pywebio": PyWebIOSide.label, "ours_browser": OursBrowserSide.label,
              "floor": FloorSide.label, "ours_window": "ours, --reload in a window"}
    if window:
        rows = {**rows, "ours_window": window}
    median = {kind: statistics.median(r["ms"] for r in kind_rows)
              for kind, kind_rows in rows.items()}
    print(f"\nsave -> new content painted, {len(rows['floor'])} saves a side in Chromium"
          + (f", {len(window)} in the window" if window else "") + " (ms)")
    print(f"{'':36}{'median':>8}{'p90':>8}{'max':>8}{'save->accepting':>17}")
    for kind, kind_rows in rows.items():
        times = sorted(r["ms"] for r in kind_rows)
        accept = [r["accepting_ms"] for r in kind_rows if "accepting_ms" in r]
        print(f"{labels[kind]:36}{median[kind]:>8.0f}{times[int(len(times) * 0.9) - 1]:>8.0f}"
              f"{times[-1]:>8.0f}"
              + (f"{statistics.median(accept):>17.0f}" if accept else ""))
    itself = sum(r["page_updated_itself"] for r in rows["pywebio"])
    print(f"  PyWebIO's page showed the new text by itself before the harness reloaded it: "
          f"{itself} of {len(rows['pywebio'])} times")
    for kind in ("ours_browser", "ours_window"):
        if kind in median:
            print(f"  {labels[kind]}: ours/PyWebIO {median[kind] / median['pywebio']:.2f}x, "
                  f"ours/floor {median[kind] / median['floor']:.2f}x")
    return {"median_ms": median, "rows": rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reloads", type=int, default=50)
    parser.add_argument("--browser-reloads", type=int, default=20)
    parser.add_argument("--no-window", action="store_true",
                        help="only the Chromium sides (no Xvfb, no native window)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    compile_package()
    browser_rows = browser_sides(args.browser_reloads,
                                 Path(tempfile.mkdtemp(prefix="webio-reload-bench-browser-")))
    rows = [] if args.no_window else window_reloads(args.reloads, sync_playwright)
    summary = side_by_side(browser_rows, rows)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    summary["load_average"] = os.getloadavg()
    (out / "reload.json").write_text(json.dumps(summary, indent=1))
    return 0


def window_reloads(reloads: int, sync_playwright) -> list[dict]:
    """The native window (Qt WebEngine under Xvfb), with the launcher's threads, descriptors
    and memory after each reload; prints its report and returns its rows."""
    xvfb, display = start_xvfb()
    work = Path(tempfile.mkdtemp(prefix="webio-reload-bench-"))
    folder, home = app_folder(work / "app", APP), work / "home"
    cdp_port = free_port()
    env = {**isolated_env(home), "DISPLAY": display,
           "QTWEBENGINE_REMOTE_DEBUGGING": f"127.0.0.1:{cdp_port}"}
    stderr = open(work / "stderr.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "webio_desktop", "--reload", "--debug",
                             "--no-remember", str(folder / "app.py")],
                            env=env, stdout=subprocess.DEVNULL, stderr=stderr, cwd=REPO)
    rows = []
    breakdown: dict[int, dict[str, float]] = {}
    try:
        with sync_playwright() as pw:
            page = connect(pw, cdp_port)
            page.wait_for_selector("text=version 0000", timeout=30_000)
            launcher = psutil.Process(proc.pid)
            for v in range(1, reloads + 1):
                saved = time.time() * 1000
                (folder / "helper.py").write_text(HELPER.format(v=v))
                page.wait_for_selector(f"text=version {v:04d}", timeout=30_000)
                painted = wait_painted(page)
                if v in (2, reloads):
                    breakdown[v] = pss_by_process(proc.pid)
                rows.append({"reload": v, "ms": painted - saved,
                             "threads": launcher.num_threads(), "fds": launcher.num_fds(),
                             "rss": launcher.memory_info().rss / 2**20,
                             "pss": tree_pss_mib(proc.pid)})
                print(f"reload {v:3d}: {painted - saved:6.0f} ms", file=sys.stderr, flush=True)
    finally:
        stop(proc)
        xvfb.terminate()
    stats = {int(m.group(1)): tuple(map(int, m.group(2, 3, 4)))
             for m in STATS.finditer((work / "stderr.log").read_text(errors="replace"))}
    report(rows, stats)
    for v, parts in breakdown.items():
        print(f"  PSS MiB after {v}: " + ", ".join(f"{k} {m:.0f}" for k, m in sorted(parts.items())))
    return rows


def pss_by_process(pid: int) -> dict[str, float]:
    """PSS per process of the tree (Qt WebEngine's helpers by their --type)."""
    root = psutil.Process(pid)
    parts: dict[str, float] = {}
    for proc in [root, *root.children(recursive=True)]:
        try:
            kind = next((a.split("=", 1)[1] for a in proc.cmdline() if a.startswith("--type=")),
                        "launcher" if proc.pid == pid else proc.name())
            parts[kind] = parts.get(kind, 0) + proc.memory_full_info().pss / 2**20
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return parts


def connect(pw, cdp_port: int):
    deadline = time.monotonic() + 30
    while True:
        try:
            browser = pw.chromium.connect_over_cdp(f"http://127.0.0.1:{cdp_port}",
                                                   no_defaults=True)
            pages = [p for c in browser.contexts for p in c.pages
                     if p.url.startswith("http://127.0.0.1")]
            if pages:
                return pages[0]
            browser.close()
        except Exception:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


def wait_painted(page) -> float:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        value = page.evaluate("window.__benchPaintedAt || 0")
        if value:
            return value
        time.sleep(0.02)
    raise RuntimeError("the page never recorded its paint")


def report(rows: list[dict], stats: dict[int, tuple[int, int, int]]) -> None:
    times = [r["ms"] for r in rows]
    warm, last = rows[1], rows[-1]  # after 2 reloads / after all of them
    print(f"hot reload, {len(rows)} reloads of a small app in a native window (Qt WebEngine)")
    print(f"  save -> painted: median {statistics.median(times):.0f} ms, "
          f"p90 {sorted(times)[int(len(times) * 0.9) - 1]:.0f} ms, max {max(times):.0f} ms")
    print(f"  {'':24} {'after 2':>9} {'after ' + str(len(rows)):>9}")
    for key, label in (("threads", "OS threads (launcher)"), ("fds", "open descriptors"),
                       ("rss", "RSS MiB (launcher)"), ("pss", "PSS MiB (process tree)")):
        print(f"  {label:24} {warm[key]:9.0f} {last[key]:9.0f}")
    # Reload k's line counts what was there before it, i.e. after reload k - 1.
    first, final = stats.get(3), stats.get(len(rows))
    if first and final:
        for i, label in enumerate(("Python threads", "server loop tasks", "open sessions")):
            print(f"  {label:24} {first[i]:9d} {final[i]:9d}")


if __name__ == "__main__":
    raise SystemExit(main())
