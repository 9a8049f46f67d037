"""The load battery: many concurrent sessions of each kind on one webio-desktop server process.

One ``start_server`` process (127.0.0.1, Tornado, WebSocket) per session kind serves an echo
app (thread: ``input()`` in a loop; coroutine: ``await input()``); ``load.py``'s protocol
clients open N sessions at once, each answering its input ``rounds`` times and checking that
its own text comes back with the next prompt. Printed per kind: errors, memory per session
(USS and RSS of the server process, psutil), threads, echo p50/p90/p99 under load.

    python bench/load_battery.py                      # 1,000 thread + 5,000 coroutine sessions
    python bench/load_battery.py --thread 100 --coroutine 300   # what the suite runs

The suite's short version is ``tests/test_load.py`` (same code, no timing assertions).
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import load  # noqa: E402  (bench modules import each other by name)
import psutil  # noqa: E402

SERVER = '''
import resource
import sys

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # a socket per session

from webio_desktop import start_server
from webio_desktop.input import input
from webio_desktop.output import put_text


def echo():
    while True:
        put_text(input())


async def echo_async():
    while True:
        put_text(await input())


start_server(echo if sys.argv[2] == "thread" else echo_async, port=int(sys.argv[1]),
             host="127.0.0.1")
'''


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _raise_fd_limit() -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _in_thread(work):
    """``work()`` in a thread of its own: it runs an asyncio loop, and the caller may already
    have one running (a test process where Playwright's sync API ran)."""
    import threading

    box = {}

    def target():
        try:
            box["result"] = work()
        except BaseException as exc:  # noqa: BLE001  (re-raised in the caller)
            box["error"] = exc

    thread = threading.Thread(target=target, name="load-clients")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["result"]


def run_kind(kind: str, n: int, *, rounds: int = 3, concurrency: int = 100,
             echo_concurrency: int = 100, timeout: float = 120) -> dict:
    """N sessions of ``kind`` ("thread" or "coroutine") on a fresh server process: load.py's
    figures, plus the server's log tail when something failed."""
    _raise_fd_limit()
    port = _free_port()
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "server.py"
        script.write_text(SERVER)
        log_path = Path(folder) / "server.log"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(root), os.environ.get("PYTHONPATH", "")])}
        with open(log_path, "w+") as log:
            proc = subprocess.Popen([sys.executable, str(script), str(port), kind], env=env,
                                    stdout=log, stderr=subprocess.STDOUT)
            try:
                deadline = time.monotonic() + 30
                while True:
                    with socket.socket() as sock:
                        if sock.connect_ex(("127.0.0.1", port)) == 0:
                            break
                    if proc.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        raise RuntimeError(f"the server did not start: {log.read()[-2000:]}")
                    time.sleep(0.1)
                server = psutil.Process(proc.pid)
                cpu0, client0 = sum(server.cpu_times()[:2]), time.process_time()
                result = _in_thread(lambda: load.session_load(
                    "webio", port, proc.pid, n=n, concurrency=concurrency,
                    echo_concurrency=echo_concurrency, rounds=rounds, timeout=timeout))
                result["server_cpu_s"] = round(sum(server.cpu_times()[:2]) - cpu0, 1)
                result["client_cpu_s"] = round(time.process_time() - client0, 1)
            finally:
                proc.kill()
                proc.wait(10)
            log.seek(0)
            text = log.read()
    result["kind"] = kind
    result["server_tracebacks"] = text.count("Traceback")
    if result.get("open_errors") or result.get("echo_errors") or result["server_tracebacks"]:
        result["server_log_tail"] = text[-3000:]
    return result


def summary(result: dict) -> str:
    echo = result.get("echo") or {}
    errors = result.get("open_errors", 0) + result.get("echo_errors", 0)
    return (f"{result['kind']:9} {result['sessions_open']:>5}/{result['sessions_requested']:<5} "
            f"open, {errors} errors, {result['server_tracebacks']} server tracebacks; "
            f"USS {result['uss_per_session_kib']:.0f} KiB/session "
            f"({result['uss_after_echo_per_session_kib']:.0f} after echoes), "
            f"RSS {result['rss_per_session_kib']:.0f} KiB/session; threads "
            f"{result['threads_baseline']}->{result['threads_loaded']}"
            f"->{result['threads_after_close']}; open {result['open_s']} s; echo "
            f"p50 {echo.get('median', float('nan')):.1f} ms, p90 {echo.get('p90', float('nan')):.1f}"
            f" ms, p99 {echo.get('p99', float('nan')):.1f} ms over {echo.get('n', 0)} answers "
            f"({result.get('echo_s')} s); CPU: server {result.get('server_cpu_s')} s, "
            f"clients {result.get('client_cpu_s')} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--thread", type=int, default=1000, help="thread sessions (1,000)")
    parser.add_argument("--coroutine", type=int, default=5000, help="coroutine sessions (5,000)")
    parser.add_argument("--rounds", type=int, default=3, help="answers per session (3)")
    parser.add_argument("--json", help="also write the full results to this file")
    args = parser.parse_args(argv)
    results = []
    for kind, n in (("thread", args.thread), ("coroutine", args.coroutine)):
        if n:
            results.append(run_kind(kind, n, rounds=args.rounds))
            print(summary(results[-1]), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    failed = any(r.get("open_errors") or r.get("echo_errors") or r["server_tracebacks"]
                 for r in results)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
