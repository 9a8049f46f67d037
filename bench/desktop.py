"""Desktop start-up and idle memory: ``webio-desktop app.py`` against a bare pywebview window.

The floor is the least any pywebview + Qt WebEngine app can cost here: one window showing a
static HTML page that already holds the marker (no server, no session, no WebSocket). Ours
runs a real app through the launcher: server thread, per-launch secret, page, session,
``put_text('BENCH-READY')``. Both run under one Xvfb, alternating, N times each.

* start-up: process spawn -> the marker painted in the window. "Painted" is the first task after
  the animation frame that showed it (rAF -> setTimeout), the same definition as bench/probe.js.
  The page records it as epoch milliseconds; the harness reads it afterwards over CDP, so
  measuring costs the window nothing.
* page: the page's navigation start -> that paint (the part of start-up the page itself takes:
  loading, the front end, the first output; prerendered pages shorten it).
* idle memory: PSS summed over the process tree (python + Qt WebEngine helpers), 2 s after the
  paint.

Run: ``.venv/bin/python bench/desktop.py [--runs 5]``. Targets: start-up <= 1.1x the floor
(issue 16), memory <= 1.3x; the page figure has no target (it shows where start-up goes).
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

PAINTED_JS = ("requestAnimationFrame(() => setTimeout(() => "
              "{ window.__benchPaintedAt = performance.timeOrigin + performance.now(); "
              "window.__benchPaintedNav = performance.now(); }))")

OUR_APP = f"""
from webio_desktop import start_server
from webio_desktop.output import put_text
from webio_desktop.session import run_js


def index():
    put_text('BENCH-READY')
    run_js({PAINTED_JS!r})  # applied in the same frame as the output, right after it


start_server(index)
"""

FLOOR_APP = f"""
import os
import webview

if os.geteuid() == 0:
    os.environ.setdefault('QTWEBENGINE_DISABLE_SANDBOX', '1')
PAGE = '''<!doctype html><html><head><meta charset="utf-8"><title>floor</title></head>
<body><p>BENCH-READY</p><script>{PAINTED_JS}</script></body></html>'''
webview.create_window('floor', html=PAGE, width=960, height=720)
webview.start(gui='qt', private_mode=True)
"""


def start_xvfb(log=subprocess.DEVNULL) -> tuple[subprocess.Popen, str]:
    """(Xvfb, its display); ``log``: a file for the X server's own messages."""
    read, write = os.pipe()
    # -noreset: by default the server resets when its last client leaves, and a start that
    # connects meanwhile is refused ("could not connect to display").
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24",
                             "-nolisten", "tcp", "-noreset"], pass_fds=(write,),
                            stdout=log, stderr=log)
    os.close(write)
    with os.fdopen(read) as f:
        return proc, f":{f.readline().strip()}"


def start_session_bus() -> subprocess.Popen:
    """A D-Bus session bus for the apps started, as every desktop session has; its address goes
    into this process's environment, which each start inherits.

    Without one, GLib (GTK, so WebKitGTK and its floors) tries to spawn ``dbus-launch`` in each
    of its processes at every start, a cost no user's desktop has. The bus lives for the whole
    run, so what it starts on demand (the accessibility bus) is started once, in the warm-up,
    as in a session that has been up for a while."""
    read, write = os.pipe()
    proc = subprocess.Popen(["dbus-daemon", "--session", "--nofork", f"--print-address={write}"],
                            pass_fds=(write,), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    os.close(write)
    with os.fdopen(read) as f:
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = f.readline().strip()
    return proc


def stop_session_bus(bus: subprocess.Popen | None) -> None:
    """The bus and what it started (the accessibility bus and registry)."""
    if bus is not None:
        os.killpg(bus.pid, signal.SIGTERM)
        bus.wait(10)
        os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)


def tree_mib(path: Path) -> float:
    """Bytes of a file, or of every file in a folder (links not followed), in MiB."""
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files if not p.is_symlink()) / 2**20


# The other engine's bindings, left out of a plain build on an engine as our builds leave them
# out: with both installed, pywebview's hook would add them (~50 MiB of GTK to a Qt build).
OTHER_BINDINGS = {"qt": ("gi", "cairo"), "system": ("PyQt6", "qtpy")}


def plain_build(script: Path, name: str, where: Path, engine: str = "qt",
                onefile: bool = False) -> tuple[Path, float]:
    """(executable, seconds) of ``script`` built with PyInstaller's defaults (``--windowed``),
    the floor of a built pywebview app on ``engine`` ("qt" or "system")."""
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
                             "--windowed", *(arg for module in OTHER_BINDINGS[engine]
                                             for arg in ("--exclude-module", module)),
                             "--name", name, "--onefile" if onefile else "--onedir", str(script)],
                            cwd=where, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"plain build of {name} failed:\n{result.stderr[-3000:]}")
    dist = where / "dist" / name
    return (dist if onefile else dist / name), time.monotonic() - started


def per_round(tops: list[dict], bottoms: list[dict], key: str) -> tuple[float, float, float]:
    """(q1, median, q3) of the ratios top / bottom of each round's two samples. The starts of a
    round are seconds apart, so a machine that slows down for a while slows both."""
    ratios = [top[key] / bottom[key] for top, bottom in zip(tops, bottoms)]
    if len(ratios) < 2:
        return ratios[0], ratios[0], ratios[0]
    q1, _, q3 = statistics.quantiles(ratios, n=4)
    return q1, statistics.median(ratios), q3


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def painted_at(cdp_port: int, pw, deadline: float) -> tuple[float, float]:
    """Epoch ms at which the marker was painted, and ms from the page's navigation start to
    that paint, read from the window over CDP."""
    while time.monotonic() < deadline:
        try:
            browser = pw.chromium.connect_over_cdp(f"http://127.0.0.1:{cdp_port}",
                                                   no_defaults=True)
        except Exception:
            time.sleep(0.2)
            continue
        try:
            for context in browser.contexts:
                for page in context.pages:
                    value = page.evaluate("[window.__benchPaintedAt || 0, "
                                          "window.__benchPaintedNav || 0]")
                    if value[0]:
                        return float(value[0]), float(value[1])
        except Exception:
            pass
        finally:
            browser.close()
        time.sleep(0.2)
    raise TimeoutError("the marker was never painted")


def tree_pss_mib(pid: int) -> float:
    root = psutil.Process(pid)
    total = 0
    for proc in [root, *root.children(recursive=True)]:
        try:
            total += proc.memory_full_info().pss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total / 2**20


def run_once(kind: str, script: Path, display: str, home: Path, pw,
             repo: Path = REPO) -> dict:
    cdp_port = free_port()
    env = {**os.environ, "DISPLAY": display, "HOME": str(home),
           "XDG_CONFIG_HOME": str(home / ".config"), "XDG_STATE_HOME": str(home / ".state"),
           "QTWEBENGINE_REMOTE_DEBUGGING": f"127.0.0.1:{cdp_port}", "BROWSER": "true",
           "PYTHONPATH": str(repo)}
    command = ([sys.executable, "-m", "webio_desktop", "--no-remember", str(script)]
               if kind != "floor" else [sys.executable, str(script)])
    started = time.time() * 1000
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        painted, in_page = painted_at(cdp_port, pw, time.monotonic() + 30)
        time.sleep(2)
        pss = tree_pss_mib(proc.pid)
    finally:
        stop(proc)
    return {"startup_ms": painted - started, "page_ms": in_page, "pss_mib": pss}


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM (the app closes its windows and exits), then its whole process group if not."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


def compile_package(repo: Path = REPO) -> None:
    """Byte-compile webio_desktop as ``pip install`` does for an installed copy. An editable
    checkout has no .pyc files, and where PYTHONDONTWRITEBYTECODE is set (as on this machine)
    every start would compile our modules again (~45 ms) while pywebview, the floor, starts from
    the .pyc files pip wrote: that would measure the checkout, not the product."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", "-x", "templates",
                    str(repo / "webio_desktop")], check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-session-bus", dest="session_bus", action="store_false",
                        help="no D-Bus session bus (as before 2026-12-03)")
    parser.add_argument("--out", default=str(HERE / "results" / "desktop.json"))
    parser.add_argument("--baseline", type=Path, default=None,
                        help="another checkout of webio-desktop (e.g. main) measured as a third "
                             "kind, alternating with the others: before/after in one run")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    compile_package()
    repos = {"floor": REPO, "ours": REPO}
    if args.baseline is not None:
        repos["baseline"] = args.baseline.resolve()
        compile_package(repos["baseline"])
    kinds = list(repos)
    xvfb, display = start_xvfb()
    bus = start_session_bus() if args.session_bus else None
    results: dict[str, list[dict]] = {kind: [] for kind in kinds}
    try:
        with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
            tmp_path = Path(tmp)
            scripts = {"ours": tmp_path / "bench_app.py", "floor": tmp_path / "floor_app.py",
                       "baseline": tmp_path / "bench_app.py"}
            scripts["ours"].write_text(OUR_APP)
            scripts["floor"].write_text(FLOOR_APP)
            for kind in kinds:  # warm-up: page cache, Qt's first start
                run_once(kind, scripts[kind], display, tmp_path, pw, repos[kind])
            for i in range(args.runs):
                for kind in kinds if i % 2 == 0 else kinds[::-1]:
                    sample = run_once(kind, scripts[kind], display, tmp_path, pw, repos[kind])
                    results[kind].append(sample)
                    print(f"{kind:8} run {i + 1}: start-up {sample['startup_ms']:.0f} ms "
                          f"(page {sample['page_ms']:.0f} ms), PSS {sample['pss_mib']:.0f} MiB",
                          file=sys.stderr, flush=True)
    finally:
        xvfb.terminate()
        stop_session_bus(bus)
        xvfb.wait(10)

    print(f"\n{'':20}{'floor':>12}{'ours':>12}{'ratio':>8}{'target':>8}"
          + (f"{'baseline':>12}{'ratio':>8}" if "baseline" in results else ""))
    summary = {}
    for metric, unit, target in (("startup_ms", "ms", 1.1), ("page_ms", "ms", None),
                                 ("pss_mib", "MiB", 1.3)):
        floor = statistics.median(s[metric] for s in results["floor"])
        ours = statistics.median(s[metric] for s in results["ours"])
        ratio = ours / floor
        summary[metric] = {"floor": floor, "ours": ours, "ratio": ratio}
        status = "" if target is None else "met" if ratio <= target else "MISSED"
        shown = "" if target is None else f"<={target}x"
        line = (f"{metric + ' (median)':20}{floor:>9.0f} {unit:<3}{ours:>8.0f} {unit:<3}"
                f"{ratio:>7.2f}x{shown:>8} {status:7}")
        if "baseline" in results:
            base = statistics.median(s[metric] for s in results["baseline"])
            summary[metric].update(baseline=base, baseline_ratio=base / floor)
            line += f"{base:>8.0f} {unit:<3}{base / floor:>7.2f}x"
        print(line)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"summary": summary, "samples": results}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
