"""Transport hardening (issue 13): the reconnect secret (item 6), nesting (item 5), bounded
pending output (item 2), truncated and rate-limited warnings (item 4), the callback pool (13).

Real servers on 127.0.0.1 and real clients (websockets, raw sockets, urllib); no browser: what
these guarantee is on the wire and in the server's memory and log.
"""
from __future__ import annotations

import json
import logging
import threading
import time

from websockets.sync.client import connect

from tests.conftest import Results, two_part_app, wait_until

SERVER_LOGGERS = ("webio_desktop", "tornado", "werkzeug", "asyncio", "aiohttp", "uvicorn")


def server_log(caplog) -> str:
    """Everything the server's loggers wrote (the test's own clients log what they send)."""
    return "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records
                     if r.name.startswith(SERVER_LOGGERS))


def ws_url(server, query: str = "?app=index") -> str:
    return server.url.replace("http", "ws") + query


def recv_json(ws, timeout: float = 10):
    return json.loads(ws.recv(timeout=timeout))


def frames_until(ws, predicate, timeout: float = 10) -> list:
    frames = []
    while not any(predicate(c) for f in frames for c in f):
        frames.append(recv_json(ws, timeout))
    return frames


def texts(frames: list) -> list[str]:
    return [c["spec"]["content"] for f in frames for c in f
            if c["cmd"] == "output" and c["spec"].get("type") == "text"]


# -- item 6: resuming needs a secret that only the page holds -------------------------------------

def test_the_reconnect_secret_is_never_logged_and_the_logged_id_takes_nothing_over(serve, caplog):
    caplog.set_level(logging.DEBUG)
    go = threading.Event()
    server = serve(two_part_app(go), reconnect_timeout=30)
    with connect(ws_url(server), open_timeout=5) as ws:
        frames = frames_until(ws, lambda c: c.get("spec", {}).get("content") == "one")
        (token,) = [c["token"] for f in frames for c in f if c["cmd"] == "set_session"]
        applied = len(frames)  # the page applied these; "two" is sent but never applied
        go.set()
        frames_until(ws, lambda c: c.get("spec", {}).get("content") == "two")
    (session,) = server.options.sessions
    assert session.id != token
    # Someone who read the logs knows session.id: neither the old query nor a resume with it
    # reaches the session or its unacknowledged output.
    with connect(ws_url(server, f"?app=index&session={session.id}&ack=0"), open_timeout=5) as ws:
        assert "one" not in texts([recv_json(ws)])  # a new session of its own, not this one
    with connect(ws_url(server, "?resume=1"), open_timeout=5) as ws:
        ws.send(json.dumps({"event": "resume", "token": session.id, "frames": 0}))
        assert recv_json(ws) == [{"cmd": "close"}]
    # The page itself resumes with its secret, which travels in the first message only.
    with connect(ws_url(server, "?resume=1"), open_timeout=5) as ws:
        ws.send(json.dumps({"event": "resume", "token": token, "frames": applied}))
        assert texts([recv_json(ws)]) == ["two"]
    logged = server_log(caplog)
    assert "tornado.access 101 GET /?resume=1" in logged  # the access log was seen
    assert token not in logged


def test_a_resuming_socket_that_sends_garbage_or_nothing_is_refused(serve):
    server = serve(lambda: None, reconnect_timeout=30)
    with connect(ws_url(server, "?resume=1"), open_timeout=5) as ws:
        ws.send('{"event": "callback", "id": "cb1"}')
        assert recv_json(ws) == [{"cmd": "close"}]


def test_the_http_session_secret_is_a_header_and_never_logged(caplog):
    from tests.test_http_transport import FlaskServer
    from webio_desktop.output import put_text

    caplog.set_level(logging.DEBUG)
    server = FlaskServer(lambda: put_text("hello"))
    try:
        reply = server.start()
        token = reply["session"]
        status, polled = server.poll(0)
        assert status == 200 and polled["batches"]
        server.push(0, b"not json")  # a warning that names the session
        logged = server_log(caplog)
        assert "refused events" in logged
        assert "werkzeug" in logged  # the access log was seen
        assert token not in logged
    finally:
        server.stop()


# -- item 4: what a page sent is logged and echoed clipped, warnings are rate-limited -------------

def warnings_of(caplog, session_id: str) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.levelno == logging.WARNING and session_id in r.getMessage()]


def test_a_huge_unknown_callback_id_makes_a_short_log_line(serve, caplog):
    from webio_desktop.session import hold

    caplog.set_level(logging.WARNING)
    server = serve(hold)
    with connect(ws_url(server), open_timeout=5, max_size=None) as ws:
        ws.send(json.dumps({"event": "callback", "id": "x" * 4_000_000}))
        ws.send(json.dumps({"event": "y" * 4_000_000}))
        assert len(ws.recv(timeout=10)) < 1000  # the error answer echoes a clipped name
        (session,) = server.options.sessions
        wait_until(lambda: len(warnings_of(caplog, session.id)) >= 2, what="two warnings")
    lines = warnings_of(caplog, session.id)
    assert all(len(line) < 500 for line in lines), [len(line) for line in lines]
    assert "4000000 long" in lines[0] and "4000000 long" in lines[1]


def test_ten_thousand_bad_events_make_a_few_log_lines(serve, caplog):
    from webio_desktop.session import hold

    caplog.set_level(logging.WARNING)
    server = serve(hold)
    with connect(ws_url(server), open_timeout=5) as ws:
        for i in range(5_000):
            ws.send(json.dumps({"event": "callback", "id": f"nope{i}"}))
            ws.send(f"not json {i}")
        ws.send('{"event": "ack", "frames": 0}')
        answers = 0
        while answers < 5_000:  # every refused message is still answered
            answers += sum(1 for c in recv_json(ws) if c["cmd"] == "error")
        (session,) = server.options.sessions
    lines = warnings_of(caplog, session.id)
    assert 10 <= len(lines) <= 12, lines
    assert "no more warnings this minute" in lines[-1]


def test_http_refusals_are_clipped_too(caplog):
    from tests.test_http_transport import FlaskServer
    from webio_desktop.session import hold

    caplog.set_level(logging.WARNING)
    server = FlaskServer(hold)
    try:
        server.start()
        status, reply = server.push(0, [{"event": "z" * 1_000_000}])
        assert status == 400 and len(reply["error"]) < 500
        status, reply = server.push(0, [{"event": "callback", "id": "q" * 1_000_000}])
        assert status == 200
        wait_until(lambda: any("unknown callback id" in r.getMessage() for r in caplog.records))
        assert all(len(r.getMessage()) < 500 for r in caplog.records)
    finally:
        server.stop()


# -- item 13: callbacks of a thread session run on a bounded pool -------------------------------

def test_a_thousand_clicks_on_a_blocking_callback_use_a_bounded_pool_in_order(serve):
    from webio_desktop.output import put_buttons, put_text
    from webio_desktop.session import hold
    from webio_desktop.sessions.threaded import CALLBACK_THREADS

    clicks, stepped = 1000, 200
    gates = [threading.Event() for _ in range(clicks)]  # each click blocks until its gate opens
    started: list[int] = []
    started_changed = threading.Condition()

    def clicked(label):
        index = int(label)  # buttons send their value: here the label
        with started_changed:
            started.append(index)
            started_changed.notify_all()
        gates[index].wait(60)
        put_text(f"done {index}")

    def wait_started(count: int) -> None:
        with started_changed:
            assert started_changed.wait_for(lambda: len(started) >= count, 15), \
                f"{len(started)} clicks started, waited for {count}"

    def app():
        put_buttons([str(i) for i in range(clicks)], onclick=clicked)
        hold()

    server = serve(app)
    with connect(ws_url(server), open_timeout=5) as ws:
        (frame,) = frames_until(ws, lambda c: c.get("spec", {}).get("type") == "buttons")[-1:]
        before = threading.active_count()  # the app's thread and this client's are running
        (button,) = [c for c in frame if c.get("spec", {}).get("type") == "buttons"]
        for i in range(clicks):
            ws.send(json.dumps({"event": "callback", "id": button["spec"]["callback"],
                                "data": i}))
        wait_started(CALLBACK_THREADS)
        # The pool is full with the first clicks; the rest wait, and no thread is made for them.
        assert sorted(started) == list(range(CALLBACK_THREADS))
        assert threading.active_count() - before <= CALLBACK_THREADS
        # Let one click finish at a time: the thread it frees takes the next click in line.
        for finished in range(stepped):
            gates[finished].set()
            wait_started(CALLBACK_THREADS + finished + 1)
            assert started[-1] == CALLBACK_THREADS + finished, started[-5:]
            assert len(started) == CALLBACK_THREADS + finished + 1
        assert threading.active_count() - before <= CALLBACK_THREADS
        for gate in gates:
            gate.set()
        done: set[str] = set()
        deadline = time.monotonic() + 60
        while len(done) < clicks and time.monotonic() < deadline:
            done.update(t for t in texts([recv_json(ws, 60)]) if t.startswith("done"))
        assert done == {f"done {i}" for i in range(clicks)}
        assert sorted(started) == list(range(clicks))
        wait_until(lambda: threading.active_count() <= before, what="the pool's threads end")
