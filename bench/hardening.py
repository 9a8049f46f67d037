"""Figures for issue 13's batteries: slow consumers and leaks (docs/limits.md).

    .venv/bin/python bench/hardening.py slow [--lines N]     # 100,000 lines to a silent page
    .venv/bin/python bench/hardening.py leaks [N]            # N (10,000) sessions of each kind

``slow`` runs each case in a fresh child process (RSS is the process's own): a WebSocket that
stops reading and an HTTP page that stops polling, with the default ``max_pending_output`` and
with no limit. Then, side by side in the same run, the same app (``lines`` in scenario_apps.py)
served by ours and by PyWebIO 1.8.4 (Tornado ``start_server``; HTTP: ``tornado_http``) to the
same silent clients, and the floor (floor.py: a bare Tornado WebSocket handler writing the same
lines), each a child server process: its idle RSS and its RSS growth.

``leaks`` opens and closes N sessions of each kind in one server process and prints threads,
asyncio tasks, file descriptors and RSS before and after; then the same open/close of N sessions
(WebSocket, thread and coroutine apps) against child servers of ours, PyWebIO 1.8.4 and the
floor (a bare Tornado WebSocket echo: N connections opened and closed), read with psutil.

JSON: ``bench/results/hardening-slow.json`` / ``hardening-leaks.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

LINES = 100_000
RESULTS = ROOT / "bench" / "results"
SIDES = (("webio", "ours"), ("pywebio", "PyWebIO"), ("floor", "floor"))
# PyWebIO keeps an HTTP session (and a thread app's thread) until it expires, 600 s later:
# 10,000 of them would be 10,000 threads on a shared machine.
HTTP_SESSIONS = 1_000
QUERY = {"webio": "?app=index", "pywebio": "?app=index&session=NEW", "floor": ""}


def slow_case(transport: str, limit: str) -> dict:
    """One case, in this process: the figures as a dict."""
    import psutil

    from tests import test_slow_consumers as sc

    from tests.conftest import ServerThread
    from tests.test_http_transport import FlaskServer

    progress = sc.Progress()
    rss0 = psutil.Process().memory_info().rss  # after the imports: their memory is not output's
    start = time.monotonic()
    if transport == "ws":
        server = ServerThread(progress.thread_app(), max_pending_output=int(limit))
        sock = sc.silent_websocket(server.url + "?app=index")
    else:
        server = FlaskServer(progress.thread_app(), max_pending_output=int(limit))
        server.start()  # and never polls
    while not (progress.ended.is_set() or sc.blocked_in_send(progress.thread)):
        time.sleep(0.05)
    figures = {"transport": transport, "limit": int(limit), "lines_output": progress.count,
               "app_waiting": not progress.ended.is_set(),
               "pending_bytes": progress.session.pending_bytes(),
               "rss_growth_mib": round((psutil.Process().memory_info().rss - rss0) / 2**20, 1),
               "seconds": round(time.monotonic() - start, 2)}
    if transport == "ws":
        sock.close()
    os._exit(print(json.dumps(figures), flush=True) or 0)  # leave blocked threads behind


def slow(lines: int) -> None:
    from webio_desktop.server.connect import pending_output_limit

    print(f"{'transport':9} {'limit':>10} {'lines out':>10} {'app waits':>9} "
          f"{'pending B':>11} {'RSS +MiB':>8}")
    for transport in ("ws", "http"):
        for limit in (1 << 20, 4 << 20, pending_output_limit(), 0):
            out = subprocess.run([sys.executable, __file__, "slow-case", transport,
                                  str(limit or 0)], capture_output=True, text=True,
                                 env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=600)
            f = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{f['transport']:9} {f['limit'] or 'none':>10} {f['lines_output']:>10} "
                  f"{str(f['app_waiting']):>9} {f['pending_bytes']:>11} "
                  f"{f['rss_growth_mib']:>8}", flush=True)
    slow_side_by_side(lines)


def mib(process) -> float:
    return process.memory_info().rss / 2**20


def http_request(url: str, method: str, **headers: str) -> bytes:
    req = urllib.request.Request(url + "?app=index", method=method, headers=headers,
                                 data=b"" if method == "POST" else None)
    with urllib.request.urlopen(req, timeout=30) as response:
        return response.read()


def silent_http(url: str, impl: str) -> str:
    """Open an HTTP-polling session the way each front end does, then never poll again; the
    session's id."""
    if impl == "webio":
        return json.loads(http_request(url, "POST", **{"Webio-Session": "new"}))["session"]
    session = uuid.uuid4().hex
    http_request(url, "GET", **{"webio-session-id": f"NEW-{session}"})
    return session


def http_open_close(url: str, impl: str) -> int:
    """One HTTP session as a page that opens it, gets the app's first output and leaves. Ours
    says so (our front end's ``Webio-Close`` on leaving); PyWebIO 1.8.4's front end sends
    nothing when its page leaves: its server ends the session when it expires (600 s).
    Returns 1 if the server answered the close with an error status (counted and printed, so a
    server bug shows in the figures instead of stopping them), else 0."""
    session = silent_http(url, impl)
    if impl == "webio":
        http_request(url, "GET", **{"Webio-Session": session, "Webio-Ack": "0"})
        try:
            http_request(url, "POST", **{"Webio-Session": session, "Webio-Close": "1"})
        except urllib.error.HTTPError:
            return 1
    return 0


def slow_child(impl: str, transport: str, lines: int) -> dict:
    """One side: a child server; idle RSS, then a silent client; until the app ended or stopped
    and the RSS held still for 2 s."""
    import psutil
    from servers import Server
    from test_slow_consumers import silent_websocket

    backend = "tornado" if transport == "ws" else "tornado_http"
    with Server(impl, "lines", n=lines, backend=backend, start_timeout=60) as server:
        proc = psutil.Process(server.pid)
        time.sleep(1)  # the first requests' imports are not idle memory: measured after a second
        idle = mib(proc)
        start = time.monotonic()
        sock = None
        if transport == "ws":
            sock = silent_websocket(server.url.replace("http", "ws") + QUERY[impl])
        else:
            silent_http(server.url, impl)
        seen, rss, still_since, moved = 0, idle, time.monotonic(), time.monotonic()
        while time.monotonic() - start < 600:
            time.sleep(0.25)
            log = "\n".join(server.log_lines())
            done = "BENCHLOG app_done" in log
            count = lines if done else max([0, *map(int, re.findall(r"BENCHLOG lines (\d+)", log))])
            now, new_rss = time.monotonic(), mib(proc)
            if count != seen:
                seen, moved = count, now
            if abs(new_rss - rss) > 0.5:
                rss, still_since = new_rss, now
            if now - still_since > 2 and (done or now - moved > 3):
                break
        figures = {"side": impl, "transport": transport, "lines_output": seen,
                   "app_waiting": not done, "idle_rss_mib": round(idle, 1),
                   "rss_growth_mib": round(mib(proc) - idle, 1),
                   "seconds": round(still_since - start, 2)}
        if sock is not None:
            sock.close()
    return figures


def ratio(ours: float, other: float, least: float = 0.5) -> str:
    if other < least:
        return "n/a"
    return f"{ours / other:.2f}x" if ours / other >= 0.1 else f"{ours / other:.2g}x"


def slow_side_by_side(lines: int) -> None:
    print(f"\nside by side: {lines} lines to a silent client, each a child server process "
          f"(ours with its default limit)")
    print(f"{'transport':9} {'side':8} {'lines out':>10} {'app waits':>9} {'idle MiB':>8} "
          f"{'RSS +MiB':>8} {'s':>6}")
    results = []
    for transport in ("ws", "http"):
        rows = {}
        for impl, label in SIDES:
            if impl == "floor" and transport == "http":
                continue  # the floor is a WebSocket handler (its idle RSS is in the ws rows)
            f = rows[impl] = slow_child(impl, transport, lines)
            results.append(f)
            print(f"{transport:9} {label:8} {f['lines_output']:>10} {str(f['app_waiting']):>9} "
                  f"{f['idle_rss_mib']:>8} {f['rss_growth_mib']:>8} {f['seconds']:>6}",
                  flush=True)
        ours = rows["webio"]
        for key, what in (("rss_growth_mib", "RSS growth"), ("idle_rss_mib", "idle RSS")):
            line = f"  {transport} {what}: ours/PyWebIO {ratio(ours[key], rows['pywebio'][key])}"
            if "floor" in rows:
                line += f", ours/floor {ratio(ours[key], rows['floor'][key])}"
            print(line)
    write_json("hardening-slow.json", {"lines": lines, "side_by_side": results})


def write_json(name: str, data: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    data["load_average"] = os.getloadavg()
    (RESULTS / name).write_text(json.dumps(data, indent=1))


def leaks(count: int, detail: bool = True) -> None:
    if detail:
        leaks_in_process(count)
    leaks_side_by_side(count)


def leaks_in_process(count: int) -> None:
    import logging

    from tests import test_leaks as tl
    from tests.conftest import ServerThread
    from tests.test_http_transport import FlaskServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log line per request
    print(f"{count} sessions of each kind, after {tl.WARM_UP} to warm up")
    for name, app in (("ws thread", tl.thread_app), ("ws coroutine", tl.coroutine_app)):
        server = ServerThread(app)
        start = time.monotonic()
        before, after = tl.measure_ws(server, count)
        print(f"{name:14} before {before}  after {after}  "
              f"({time.monotonic() - start:.0f} s)")
        server.stop()
    server = FlaskServer(tl.thread_app)
    idle = threading.active_count() + 1
    with tl.traced_heap():  # the live Python heap too, as measure_ws does
        for _ in range(tl.WARM_UP):
            http_session(server)
        tl.settle(None, idle)
        before = tl.Snapshot(None)
        start = time.monotonic()
        for _ in range(count):
            http_session(server)
        tl.settle(None, before.threads)
        after = tl.Snapshot(None)
    print(f"{'http thread':14} before {before}  after {after}  "
          f"({time.monotonic() - start:.0f} s)")
    server.stop()


def child_snapshot(proc) -> dict:
    return {"threads": proc.num_threads(), "fds": proc.num_fds(), "rss_mib": round(mib(proc), 1)}


def settle_child(proc, threads: int) -> None:
    """Until the server's threads are back to ``threads``, or have not changed for 5 s."""
    last, since = proc.num_threads(), time.monotonic()
    while last > threads and time.monotonic() - since < 5:
        time.sleep(0.1)
        now = proc.num_threads()
        if now != last:
            last, since = now, time.monotonic()
    time.sleep(0.5)


def open_close(url: str, prompt: str) -> None:
    from websockets.sync.client import connect

    with connect(url, open_timeout=10, max_size=None) as ws:
        while prompt not in ws.recv(timeout=10):  # the app waits in input() (floor: 'ready')
            pass


def leaks_child(impl: str, scenario: str, count: int, transport: str = "ws") -> dict:
    import psutil
    from servers import Server
    from test_leaks import WARM_UP

    prompt = {"webio": '"form"', "pywebio": '"input_group"', "floor": "ready"}[impl]
    backend = "tornado" if transport == "ws" else "tornado_http"
    with Server(impl, scenario, start_timeout=60, backend=backend) as server:
        url = server.url.replace("http", "ws") + QUERY[impl]

        errors = [0]

        def session() -> None:
            if transport == "ws":
                open_close(url, prompt)
            else:
                errors[0] += http_open_close(server.url, impl)

        proc = psutil.Process(server.pid)
        time.sleep(1)
        idle = proc.num_threads()
        for _ in range(WARM_UP):
            session()
        settle_child(proc, idle)
        before = child_snapshot(proc)
        start = time.monotonic()
        for _ in range(count):
            session()
        seconds = time.monotonic() - start
        settle_child(proc, before["threads"])
        return {"side": impl, "app": scenario, "transport": transport, "sessions": count,
                "before": before, "after": child_snapshot(proc), "seconds": round(seconds, 3),
                "close_errors": errors[0]}


def leaks_side_by_side(count: int) -> None:
    from servers import LOG_DIR

    print(f"\nside by side: {count} WebSocket sessions opened (until the app waits in input()) "
          f"and closed, each side a child server process; HTTP (tornado_http): "
          f"{min(count, HTTP_SESSIONS)} sessions opened, polled once and left (ours: the page's "
          f"Webio-Close; PyWebIO's page sends nothing, its sessions expire after 600 s)")
    print(f"{'app':10} {'side':8} {'threads':>9} {'fds':>9} {'RSS MiB':>13} {'ms/session':>10}")
    results = []
    http_count = min(count, HTTP_SESSIONS)
    for kind, scenario, transport, n in (("thread", "echo", "ws", count),
                                         ("coroutine", "echo_async", "ws", count),
                                         ("http", "echo", "http", http_count)):
        rows = {}
        for impl, label in SIDES:
            if impl == "floor" and kind != "thread":
                continue  # one floor: a bare WebSocket echo handler has no session kinds
            f = rows[impl] = leaks_child(impl, "echo" if impl == "floor" else scenario, n,
                                         transport)
            results.append(f)
            b, a = f["before"], f["after"]
            print(f"{kind:10} {label:8} {b['threads']:>4}>{a['threads']:<4} "
                  f"{b['fds']:>4}>{a['fds']:<4} {b['rss_mib']:>6}>{a['rss_mib']:<6} "
                  f"{f['seconds'] * 1000 / n:>10.2f}"
                  + (f"  ({f['close_errors']} closes answered with an error status: see "
                     f"{LOG_DIR})" if f["close_errors"] else ""), flush=True)
        floor = rows.get("floor") or next(r for r in results if r["side"] == "floor")
        ours = rows["webio"]
        for what, get, least in (
                ("RSS growth", lambda r: r["after"]["rss_mib"] - r["before"]["rss_mib"], 0.5),
                ("RSS after", lambda r: r["after"]["rss_mib"], 0.5),
                ("time per session", lambda r: r["seconds"] / r["sessions"], 1e-6)):
            line = f"  {kind} {what}: ours/PyWebIO {ratio(get(ours), get(rows['pywebio']), least)}"
            if transport == "ws":  # the floor is a WebSocket echo
                line += f", ours/floor {ratio(get(ours), get(floor), least)}"
            print(line)
    write_json("hardening-leaks.json", {"sessions": count, "side_by_side": results})


def http_session(server) -> None:
    server.start()
    server.poll(0)
    server.request("POST", b"", Webio_Session=server.session, Webio_Close="1")


if __name__ == "__main__":
    if sys.argv[1:2] == ["slow-case"]:
        slow_case(sys.argv[2], sys.argv[3])
        raise SystemExit(0)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["slow", "leaks"], nargs="?", default="slow")
    parser.add_argument("sessions", type=int, nargs="?", default=10_000,
                        help="leaks: sessions of each kind")
    parser.add_argument("--lines", type=int, default=LINES, help="slow: lines, side by side")
    parser.add_argument("--side-by-side-only", action="store_true",
                        help="skip ours in this process (the detailed figures)")
    args = parser.parse_args()
    if args.what == "slow":
        if args.side_by_side_only:
            slow_side_by_side(args.lines)
        else:
            slow(args.lines)
    else:
        leaks(args.sessions, detail=not args.side_by_side_only)
