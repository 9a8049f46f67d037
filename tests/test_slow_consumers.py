"""Slow consumers (issue 13, item 2): a page that is not taking output makes the app wait (thread
sessions) or ends the session with a logged reason (coroutine sessions); the server's memory for
that session stays under ``max_pending_output`` (docs/limits.md) however much the app outputs.

Measured as the session's pending bytes (outbox + frames kept + socket write buffer) and the
server process's RSS; the app outputs 100,000 lines to a page that stopped reading or polling.
"""
from __future__ import annotations

import base64
import logging
import os
import socket
import sys
import threading
from urllib.parse import urlsplit

import psutil
from websockets.sync.client import connect

from tests.conftest import wait_until

LINES = 100_000
LIMIT = 1 << 20  # 1 MiB: a small limit keeps the test fast; the default is bootstrap's
# What a session may hold past the limit: the commands still kept as objects (the outbox's
# last CHUNK) and the frame that crossed the limit.
SLACK = LIMIT


class Progress:
    """The app's loop: how far it got, and whether it ended."""

    def __init__(self) -> None:
        self.count = 0
        self.ended = threading.Event()
        self.thread: threading.Thread | None = None
        self.session = None

    def thread_app(self):
        from webio_desktop.output import put_text
        from webio_desktop.sessions.core import current_task

        def app():
            self.session = current_task().session
            self.thread = threading.current_thread()
            try:
                for i in range(LINES):
                    put_text(f"line {i} " + "x" * 60)
                    self.count = i + 1
            finally:
                self.ended.set()
        return app


def blocked_in_send(thread: threading.Thread | None) -> bool:
    """The app thread is waiting for the page in Session._over_limit."""
    if thread is None or thread.ident is None:
        return False
    frame = sys._current_frames().get(thread.ident)
    while frame is not None:
        if frame.f_code.co_name == "_over_limit":
            return True
        frame = frame.f_back
    return False


def silent_websocket(url: str) -> socket.socket:
    """A WebSocket client that completes the handshake and then never reads again."""
    parts = urlsplit(url)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((parts.hostname, parts.port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET /?{parts.query} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                  "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    reply = b""
    while b"\r\n\r\n" not in reply:
        reply += sock.recv(1)  # byte by byte: nothing after the headers is read
    assert reply.startswith(b"HTTP/1.1 101"), reply
    return sock


def rss() -> int:
    return psutil.Process().memory_info().rss


def session_of(server):
    return wait_until(lambda: next(iter(server.options.sessions), None), what="a session")


def test_a_socket_that_stops_reading_makes_a_thread_app_wait(serve):
    progress = Progress()
    server = serve(progress.thread_app(), max_pending_output=LIMIT)
    before = rss()
    sock = silent_websocket(server.url + "?app=index")
    try:
        session = session_of(server)
        wait_until(lambda: blocked_in_send(progress.thread), 30, what="the app waiting")
        assert progress.count < LINES
        assert session.pending_bytes() <= LIMIT + SLACK
        assert rss() - before < 40 * LIMIT  # unbounded, 100,000 lines held ~53 MB
    finally:
        sock.close()
    assert progress.ended.wait(30)  # the socket closed: the session ends, the app with it
    wait_until(lambda: session.closed, what="the session closed")


def test_a_reconnectable_page_that_never_acknowledges_makes_a_thread_app_wait(serve):
    progress = Progress()
    server = serve(progress.thread_app(), max_pending_output=LIMIT, reconnect_timeout=30)
    with connect(server.url.replace("http", "ws") + "?app=index", open_timeout=5) as ws:
        session = session_of(server)
        received = 0
        while not blocked_in_send(progress.thread):  # reads everything, acknowledges nothing
            received += len(ws.recv(timeout=10))
        assert session.pending_bytes() <= LIMIT + SLACK
        assert received <= LIMIT + SLACK  # what was sent is what is kept for a reconnect
        assert progress.count < LINES
        ws.send('{"event": "ack", "frames": 1000000}')  # the page catches up: the app goes on
        wait_until(lambda: progress.count > 0 and not blocked_in_send(progress.thread)
                   or progress.ended.is_set(), what="the app resumed")


def test_a_coroutine_app_outputting_in_a_tight_loop_to_a_silent_page_is_closed(serve, caplog):
    from webio_desktop.output import put_text

    caplog.set_level(logging.WARNING, logger="webio_desktop")
    progress = Progress()

    async def app():
        try:
            for i in range(LINES):
                put_text(f"line {i} " + "x" * 60)  # no await: the loop never gets to flush
                progress.count = i + 1
        finally:
            progress.ended.set()

    server = serve(app, max_pending_output=LIMIT)
    sock = silent_websocket(server.url + "?app=index")
    try:
        assert progress.ended.wait(30)
        session = session_of(server) if server.options.sessions else None
        assert progress.count < LINES
        assert "max_pending_output" in caplog.text and "closed" in caplog.text
        assert session is None or session.closed
    finally:
        sock.close()


def test_an_http_page_that_stops_polling_makes_the_app_wait_and_loses_nothing(caplog):
    from tests.test_http_transport import FlaskServer, commands

    progress = Progress()
    server = FlaskServer(progress.thread_app(), max_pending_output=LIMIT)
    try:
        server.start()
        wait_until(lambda: blocked_in_send(progress.thread), 30, what="the app waiting")
        session = progress.session
        assert session.pending_bytes() <= LIMIT + SLACK
        assert progress.count < LINES
        # The page polls again: every line arrives, in order, and the app ends.
        seen, ack, closed = 0, 0, False
        while not closed:
            status, reply = server.poll(ack)
            assert status == 200
            for number, _ in reply["batches"]:
                ack = number
            for command in commands(reply):
                if command["cmd"] == "output":
                    assert command["spec"]["content"].startswith(f"line {seen} ")
                    seen += 1
            closed = reply["closed"]
        assert seen == LINES
    finally:
        server.stop()



def test_an_async_framework_socket_counts_what_waits_to_be_sent():
    """aiohttp and ASGI sockets send through link.QueuedPeer: a socket whose send blocks (the
    page stopped reading) makes frames wait in its queue, and they count as pending output."""
    import asyncio

    from webio_desktop.server.link import QueuedPeer

    async def main() -> None:
        gate = asyncio.Event()
        sent: list[str] = []

        async def send(text: str) -> None:
            await gate.wait()  # the network takes nothing
            sent.append(text)

        async def close(code: int, reason: str) -> None:
            pass

        peer = QueuedPeer(send, close)
        for _ in range(100):
            peer.send_text("x" * 1000)
        await asyncio.sleep(0.05)
        assert peer.buffered == 100_000
        gate.set()  # the page reads again
        for _ in range(200):
            if not peer.buffered:
                break
            await asyncio.sleep(0.01)
        assert peer.buffered == 0 and len(sent) == 100
        await peer.finish(drain=False)

    # A loop of its own, in a thread: the session's Playwright runs one in this thread.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, main()).result(timeout=30)
