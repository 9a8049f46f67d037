"""The two web engines side by side: ``--engine qt`` (Qt WebEngine) against ``--engine system``
(WebKitGTK), in one run, on bench/desktop.py's app (``put_text('BENCH-READY')``).

For each engine, both as ``webio-desktop app.py`` from the checkout and as a one-folder
``webio-desktop build``:

* bundle size: bytes of every file in ``dist/NAME/``, MiB (built apps only);
* start-up: process spawn -> the marker painted (bench/desktop.py's definition). WebKitGTK has no
  DevTools protocol, so the page reports the paint time through its title
  (``document.title = 'painted <epoch ms>'``; the launcher makes it the native window's title),
  read with xdotool: the same channel for both engines, and the time is taken in the page, so the
  title's trip costs the figure nothing;
* memory: PSS summed over the process tree, 2 s after the paint;
* the floor of each engine, in the same run: a bare pywebview window on that backend showing a
  static page with the marker (no server, no framework), whose page hands its paint time to
  pywebview's JS API, which sets the window title: what any pywebview app on that engine costs;
  and the *served* floor: the same window and page, the page from a loopback HTTP server
  (``http.server``), as any app that serves its page (ours, NiceGUI, Eel...) must;
* the floor of a *built* app on each engine: that bare window built with PyInstaller's defaults
  (``--windowed``, one folder; the other engine's bindings excluded), what any pywebview app
  shipped on that engine starts in. Issue 17's target compares the system build with the Qt
  build; where even the plain system build starts slower than our Qt build, the target is below
  what the engine allows in that run, and the bench says so.

Every round starts each kind once, in alternating order; besides each kind's median, the ratios
are also given as the median of the per-round ratios (the two starts of a round are seconds
apart, so a machine that slows down for a while slows both), with their quartiles.

Runs alternate between the engines under one Xvfb and a D-Bus session bus. Run:
``.venv/bin/python bench/engines.py [--runs 5] [--no-build] [--only KINDS] [--no-session-bus]``.
Targets (issue 17): the system build <= 40 MiB, its start-up <= 1.0x the Qt build's.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from desktop import (compile_package, per_round, plain_build, start_session_bus, start_xvfb, stop,
                     stop_session_bus, tree_mib, tree_pss_mib)

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
ENGINES = ("qt", "system")

APP = """
from webio_desktop import start_server
from webio_desktop.output import put_text
from webio_desktop.session import run_js


def index():
    put_text('BENCH-READY')
    run_js("requestAnimationFrame(() => setTimeout(() => { document.title = 'painted ' +"
           " Math.round(performance.timeOrigin + performance.now()); }))")


start_server(index)
"""


# The floor: a bare pywebview window. Its page takes the paint time as ours does; pywebview's
# JS API (ready a little later: the trip does not count) puts it into the window title.
FLOOR = '''
import os
import sys
import webview

if os.geteuid() == 0:
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>floor</title></head>
<body><p>BENCH-READY</p><script>
requestAnimationFrame(() => setTimeout(() => {
  const ms = Math.round(performance.timeOrigin + performance.now());
  const send = () => window.pywebview.api.painted(ms);
  if (window.pywebview && window.pywebview.api && window.pywebview.api.painted) send();
  else window.addEventListener("pywebviewready", send);
}));
</script></body></html>"""


class Api:
    def painted(self, ms):
        window.set_title(f"painted {int(ms)}")


if sys.argv[2:] == ["served"]:  # the same page from a loopback HTTP server, as any served app
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):
            body = PAGE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    source = {"url": f"http://127.0.0.1:{server.server_port}/"}
else:
    source = {"html": PAGE}
window = webview.create_window("floor", **source, width=960, height=720, js_api=Api())
webview.start(gui=sys.argv[1], private_mode=True)
'''
GUI = {"qt": "qt", "system": "gtk"}


def painted_at(display: str, deadline: float) -> float:
    """Epoch ms of the paint, from the window title the page set."""
    while time.monotonic() < deadline:
        out = subprocess.run(["xdotool", "search", "--name", "^painted [0-9]+$",
                              "getwindowname", "%@"], env={"DISPLAY": display},
                             capture_output=True, text=True).stdout.split()
        if len(out) >= 2:
            return float(out[1])
        time.sleep(0.02)
    raise TimeoutError("the marker was never painted")


def start_once(command: list[str], display: str, home: Path, extra_env: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update({"DISPLAY": display, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
                "XDG_STATE_HOME": str(home / ".state"), "XDG_RUNTIME_DIR": str(home / ".run"),
                "BROWSER": "true", **extra_env})
    started = time.time() * 1000
    log = tempfile.TemporaryFile()  # the child's output, shown if it never paints
    proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        try:
            painted = painted_at(display, time.monotonic() + 90)
        except TimeoutError:
            log.seek(0)
            tail = log.read()[-4000:].decode(errors="replace")
            raise TimeoutError(f"{' '.join(command)}: never painted; its output:\n{tail}")
        time.sleep(2)
        return {"startup_ms": painted - started, "pss_mib": tree_pss_mib(proc.pid)}
    finally:
        stop(proc)
        log.close()


def build(engine: str, script: Path, where: Path) -> tuple[Path, float, float]:
    """(executable, seconds, MiB) of a one-folder build with ``engine``."""
    name = f"hello_{engine}"
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "webio_desktop", "build", str(script),
                             "--name", name, "--engine", engine, "--no-verify"], cwd=where,
                            env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True,
                            text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{engine} build failed:\n{result.stdout[-2000:]}"
                           f"{result.stderr[-3000:]}")
    return where / "dist" / name / name, time.monotonic() - started, tree_mib(where / "dist" / name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-build", dest="build", action="store_false",
                        help="only the checkout's launcher, no built apps")
    parser.add_argument("--no-session-bus", dest="session_bus", action="store_false",
                        help="no D-Bus session bus (as before 2026-12-03)")
    parser.add_argument("--only", help="comma-separated kinds to start (e.g. 'qt build,system "
                        "build,qt plain build,system plain build'): more rounds in the same time")
    parser.add_argument("--out", default=str(HERE / "results" / "engines.json"))
    args = parser.parse_args()

    compile_package()
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        home = tmp_path / "home"
        (home / ".run").mkdir(parents=True, mode=0o700)
        script = tmp_path / "hello.py"
        script.write_text(APP)
        floor = tmp_path / "floor.py"
        floor.write_text(FLOOR)
        commands: dict[str, tuple[list[str], dict]] = {}
        for engine in ENGINES:
            commands[f"{engine} floor"] = ([sys.executable, str(floor), GUI[engine]], {})
            commands[f"{engine} served"] = ([sys.executable, str(floor), GUI[engine], "served"],
                                            {})
            commands[f"{engine} launcher"] = (
                [sys.executable, "-m", "webio_desktop", "--engine", engine, "--no-remember",
                 "--new-instance", str(script)], {"PYTHONPATH": str(REPO)})
        if args.build:
            for engine in ENGINES:
                print(f"building {engine}...", file=sys.stderr, flush=True)
                executable, seconds, mib = build(engine, script, tmp_path)
                results[f"{engine} build"] = {"build_s": seconds, "size_mib": mib}
                commands[f"{engine} build"] = ([str(executable)], {})
                print(f"{engine} build: {seconds:.0f} s, {mib:.1f} MiB", file=sys.stderr,
                      flush=True)
                executable, seconds = plain_build(floor, f"plain_{engine}", tmp_path, engine)
                mib = tree_mib(executable.parent)
                results[f"{engine} plain build"] = {"build_s": seconds, "size_mib": mib}
                commands[f"{engine} plain build"] = ([str(executable), GUI[engine]], {})
                print(f"{engine} plain build: {seconds:.0f} s, {mib:.1f} MiB", file=sys.stderr,
                      flush=True)
        if args.only:
            wanted = [kind.strip() for kind in args.only.split(",")]
            unknown = sorted(set(wanted) - set(commands))
            if unknown:
                parser.error(f"--only: no such kind {unknown}; kinds: {', '.join(commands)}")
            commands = {kind: commands[kind] for kind in wanted}
        xlog = tempfile.TemporaryFile()
        xvfb, display = start_xvfb(xlog)
        bus = start_session_bus() if args.session_bus else None
        restarts: list[str] = []

        def measure(kind: str) -> dict:
            """One start of ``kind``; if the X server went away meanwhile, its messages are
            shown and the start is made again on a new one (counted in the results)."""
            nonlocal xvfb, display
            command, env = commands[kind]
            try:
                return start_once(command, display, home, env)
            except TimeoutError:
                xlog.seek(0)
                messages = xlog.read()[-2000:].decode(errors="replace")
                if xvfb.poll() is None:
                    print(f"the X server's messages:\n{messages}", file=sys.stderr)
                    raise
                print(f"Xvfb exited ({xvfb.returncode}) during a start of {kind}:\n{messages}",
                      file=sys.stderr)
                restarts.append(kind)
                xvfb, display = start_xvfb(xlog)
                return start_once(command, display, home, env)

        try:
            for kind in commands:  # warm-up: page cache, first starts
                measure(kind)
                results.setdefault(kind, {})["samples"] = []
            for i in range(args.runs):
                order = list(commands) if i % 2 == 0 else list(reversed(commands))
                for kind in order:
                    sample = measure(kind)
                    results[kind]["samples"].append(sample)
                    print(f"{kind:16} run {i + 1}: start-up {sample['startup_ms']:.0f} ms, "
                          f"PSS {sample['pss_mib']:.0f} MiB", file=sys.stderr, flush=True)
        finally:
            xvfb.terminate()
            stop_session_bus(bus)
            xvfb.wait(10)

    print(f"\n{'':20}{'start-up':>12}{'PSS':>10}{'size':>10}")
    if restarts:
        print(f"(the X server exited and was restarted during: {', '.join(restarts)})")
    started = {kind: result for kind, result in results.items() if result.get("samples")}
    for kind, result in started.items():
        for metric in ("startup_ms", "pss_mib"):
            result[metric] = statistics.median(s[metric] for s in result["samples"])
        size = f"{result['size_mib']:.1f} MiB" if "size_mib" in result else "-"
        print(f"{kind:20}{result['startup_ms']:>9.0f} ms{result['pss_mib']:>6.0f} MiB{size:>12}")

    def ms(kind: str) -> float:
        return started[kind]["startup_ms"]

    if all(f"{e} floor" in started for e in ENGINES):
        print(f"\nfloors: system {ms('system floor'):.0f} ms = "
              f"{ms('system floor') / ms('qt floor'):.2f}x the Qt floor's {ms('qt floor'):.0f} ms")
    for kind in [k for k in started if not k.endswith(("floor", "served", "plain build"))]:
        floor_kind = f"{kind.split()[0]} floor"
        if floor_kind in started:
            print(f"{kind:18}{ms(kind) / ms(floor_kind):.2f}x its engine's floor")
    for engine in ENGINES:
        if f"{engine} served" in started and f"{engine} floor" in started:
            print(f"{engine} served floor (the same page from a loopback HTTP server): "
                  f"{ms(f'{engine} served'):.0f} ms, "
                  f"{ms(f'{engine} served') / ms(f'{engine} floor'):.2f}x its floor")
    if "system build" in started and "qt build" in started:
        ratio = ms("system build") / ms("qt build")
        size = results["system build"]["size_mib"]
        print(f"\nsystem build: {size:.1f} MiB (target <= 40: {'met' if size <= 40 else 'MISSED'}); "
              f"start-up {ratio:.2f}x the Qt build's (target <= 1.0x: "
              f"{'met' if ratio <= 1.0 else 'MISSED'})")
    pairs = [(top, bottom) for top, bottom in (
        ("system build", "qt build"), ("system plain build", "qt build"),
        ("system plain build", "qt plain build"), ("system build", "system plain build"),
        ("qt build", "qt plain build"), ("system floor", "qt build"),
        ("system served", "qt build"), ("system launcher", "qt launcher"))
        if top in started and bottom in started]
    if pairs:
        print("\nper-round ratios, median [quartiles] (a system floor or plain build above 1.0x our "
              "Qt build means the target is below what the engine allows in this run):")
        results["paired"] = {}
        for top, bottom in pairs:
            q1, median, q3 = per_round(results[top]["samples"], results[bottom]["samples"],
                                       "startup_ms")
            results["paired"][f"{top} / {bottom}"] = [q1, median, q3]
            print(f"  {top} / {bottom}: {median:.2f}x [{q1:.2f}-{q3:.2f}]")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({**results, "x_server_restarts": restarts}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
