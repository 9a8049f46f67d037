"""Leaks (issue 13): sessions of each kind opened and closed leave nothing behind.

Threads, asyncio tasks, file descriptors and RSS of this (server) process return to their
baseline within a stated tolerance after N sessions of each kind, and the live Python heap
(tracemalloc) grows less than 64 KiB in all, so a leak of a few hundred bytes a session fails
where RSS, which the C allocator keeps, cannot tell: thread and coroutine sessions
over WebSocket (the page leaves while the app waits in input()), and thread sessions over HTTP.
``bench/hardening.py`` runs the same with 10,000 sessions of each kind.
"""
from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import json
import threading
import tracemalloc
import urllib.request

import psutil
import pytest
from websockets.sync.client import connect

from tests.conftest import wait_until

SESSIONS = 200
WARM_UP = 20
RSS_TOLERANCE = 16 * 1024 * 1024  # allocator noise and caches; a leaked session is ~50-100 KB
# Live Python objects (tracemalloc) after all sessions, over before: RSS alone cannot tell a
# leak from the C allocator keeping freed pages (per-thread arenas); this can. Measured: ~30 B
# per session of transient objects; one leaked session object graph is tens of KB.
HEAP_TOLERANCE = 64 * 1024
FD_TOLERANCE = 2


def thread_app():
    from webio_desktop.input import input
    from webio_desktop.output import put_text

    put_text("ready")
    input("name")


async def coroutine_app():
    from webio_desktop.input import input
    from webio_desktop.output import put_text

    put_text("ready")
    await input("name")


class Snapshot:
    def __init__(self, loop: asyncio.AbstractEventLoop | None) -> None:
        gc.collect()
        process = psutil.Process()
        self.threads = threading.active_count()
        self.fds = process.num_fds()
        self.rss = process.memory_info().rss
        self.heap = tracemalloc.get_traced_memory()[0] if tracemalloc.is_tracing() else 0
        self.tasks = 0
        if loop is not None:
            async def count() -> int:
                return len(asyncio.all_tasks())
            self.tasks = asyncio.run_coroutine_threadsafe(count(), loop).result(10)

    def __repr__(self) -> str:
        return (f"threads={self.threads} tasks={self.tasks} fds={self.fds} "
                f"rss={self.rss / 2**20:.1f}MiB heap={self.heap / 1024:.1f}KiB")


def ws_session(url: str) -> None:
    with connect(url, open_timeout=10) as ws:
        while "form" not in ws.recv(timeout=10):  # the app is waiting in input()
            pass


def settle(sessions: set | None, threads: int) -> None:
    """Every session closed and its threads (app, deferred calls, requests) ended."""
    if sessions is not None:
        wait_until(lambda: not sessions, 30, what="every session closed")
    wait_until(lambda: threading.active_count() <= threads, 30,
               what=f"threads back to {threads} (now {threading.active_count()})")


def measure_ws(server, count: int) -> tuple[Snapshot, Snapshot]:
    url = server.url.replace("http", "ws") + "?app=index"
    loop = server.server.loop.asyncio_loop
    idle = threading.active_count()
    with traced_heap():
        for _ in range(WARM_UP):  # first-use imports and caches are not leaks
            ws_session(url)
        settle(server.options.sessions, idle)
        before = Snapshot(loop)
        for _ in range(count):
            ws_session(url)
        settle(server.options.sessions, before.threads)
        return before, Snapshot(loop)


@contextlib.contextmanager
def traced_heap():
    """Trace Python allocations meanwhile (Snapshot.heap), unless something else already does."""
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    try:
        yield
    finally:
        if started:
            tracemalloc.stop()


@pytest.mark.parametrize("app", [thread_app, coroutine_app], ids=["thread", "coroutine"])
def test_websocket_sessions_leave_nothing_behind(serve, app):
    server = serve(app)
    before, after = measure_ws(server, SESSIONS)
    assert after.threads <= before.threads, (before, after)
    assert after.tasks <= before.tasks, (before, after)
    assert after.fds <= before.fds + FD_TOLERANCE, (before, after)
    assert after.rss - before.rss < RSS_TOLERANCE, (before, after)
    assert after.heap - before.heap < HEAP_TOLERANCE, (before, after)


def test_http_sessions_leave_nothing_behind(caplog):
    from tests.test_http_transport import FlaskServer

    # Werkzeug logs each request, and pytest keeps every record: that is not the server's memory.
    caplog.set_level(logging.WARNING, logger="werkzeug")
    server = FlaskServer(thread_app)

    def one() -> None:
        server.start()
        status, reply = server.poll(0)
        assert status == 200 and reply["batches"]
        status, _ = server.request("POST", b"", Webio_Session=server.session, Webio_Close="1")
        assert status == 204

    try:
        idle = threading.active_count() + 1  # + the expiry sweeper, while sessions come and go
        with traced_heap():
            for _ in range(WARM_UP):
                one()
            settle(None, idle)
            before = Snapshot(None)
            for _ in range(SESSIONS):
                one()
            settle(None, before.threads)
            after = Snapshot(None)
    finally:
        server.stop()
    assert after.threads <= before.threads, (before, after)
    assert after.fds <= before.fds + FD_TOLERANCE, (before, after)
    assert after.rss - before.rss < RSS_TOLERANCE, (before, after)
    assert after.heap - before.heap < HEAP_TOLERANCE, (before, after)
