"""Fuzzing (issue 13): hypothesis drives both transports with random, truncated, wrongly typed,
oversized, deeply nested and out-of-order messages.

Each message goes to one session (the "target"); after it the target must still answer a probe
(a button click that outputs "pong") or have been closed with a reason (a close code); a second
session opened first must answer its probe at the end; and the server's log must hold no
unhandled exception (no record with a traceback, nothing at ERROR or above).
"""
from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.request

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

MAX_MESSAGE = 64 * 1024  # small, so "oversized" is quick to send
EXAMPLES = 60  # per transport and setting: ~5-10 s each on a loaded 2-core machine
SERVER_LOGGERS = ("webio_desktop", "tornado", "werkzeug", "asyncio")
EVENTS = ["callback", "input", "submit", "cancel", "js_result", "pin_value", "pin_change", "ack",
          "resume", "pin_timeout", "close", ""]
FIELDS = ["id", "data", "task", "name", "trigger", "value", "frames", "token", "event"]


def fuzz_app():
    from webio_desktop.input import input
    from webio_desktop.output import put_buttons, put_text
    from webio_desktop.pin import put_input

    put_buttons(["probe"], onclick=lambda _: put_text("pong"))
    put_input("p", label="pin")
    while True:
        input("name")


# -- messages --------------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12)


@st.composite
def events(draw, known: dict[str, str]) -> dict:
    """An event with a real or made-up name, fields of any type, real or made-up ids."""
    event: dict = {"event": draw(st.sampled_from(EVENTS) | st.text(max_size=10))}
    for field in draw(st.lists(st.sampled_from(FIELDS), max_size=5, unique=True)):
        choices = [json_values]
        if field in ("id", "task", "name"):
            choices.append(st.sampled_from(sorted(set(known.values())) or ["x"]))
        if field == "trigger":
            choices.append(st.sampled_from(["change", "blur", "action", "hover"]))
        if field == "frames":
            choices.append(st.integers(-5, 10**12))
        event[field] = draw(st.one_of(*choices))
    return event


def nested(depth: int) -> str:
    return '{"event":"js_result","task":"f1","data":' + "[" * depth + "]" * depth + "}"


# Sent first, every run, whatever hypothesis draws: the cases that broke the server before.
CLASSICS = [nested(5000), "[" * 100_000, '{"event":"callback","id":"' + "x" * (MAX_MESSAGE + 10)
            + '"}', '{"event":"callback","id":', b"\xed\xa0\x80", '{"event":"\\ud800"}',
            '{"event":"callback","id":"\\ud800","data":"\\udfff"}', '{"event":"resume","token":"x",'
            '"frames":0}', '{"event":"ack","frames":-1}']


@st.composite
def messages(draw, known: dict[str, str]) -> str | bytes:
    kind = draw(st.sampled_from(["event", "truncated", "garbage", "bytes", "nested", "oversized",
                                 "value"]))
    if kind == "event":
        return json.dumps(draw(events(known)))
    if kind == "truncated":
        text = json.dumps(draw(events(known)))
        return text[:draw(st.integers(0, max(0, len(text) - 1)))]
    if kind == "garbage":
        return draw(st.text(max_size=50))
    if kind == "bytes":
        return draw(st.binary(max_size=50))
    if kind == "nested":
        return nested(draw(st.sampled_from([70, 1000, 5000, 50_000])))
    if kind == "oversized":
        return '{"event":"callback","id":"' + "x" * (MAX_MESSAGE + 10) + '"}'
    return json.dumps(draw(json_values))


# -- the log ---------------------------------------------------------------------------------------

class ServerLog(logging.Handler):
    """Every record of the server's loggers; ``failures`` are unhandled exceptions."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(SERVER_LOGGERS):
            self.records.append(record)

    def failures(self) -> list[str]:
        return [f"{r.name}: {r.getMessage()}" for r in self.records
                if r.exc_info or r.levelno >= logging.ERROR]


@pytest.fixture
def server_log():
    handler = ServerLog()
    root = logging.getLogger()
    old_level = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)
    root.setLevel(old_level)


# -- WebSocket -------------------------------------------------------------------------------------

class WsPage:
    """A session over WebSocket: knows its button's callback id and form's task id."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.open()

    def open(self) -> None:
        self.ws = connect(self.url, open_timeout=10, max_size=None).__enter__()
        self.known: dict[str, str] = {}
        self.closed_with: int | None = None
        self.read_until(lambda c: c["cmd"] == "form")

    def read_until(self, predicate, timeout: float = 10) -> None:
        while True:
            for command in json.loads(self.ws.recv(timeout=timeout)):
                if command["cmd"] == "output" and command["spec"].get("type") == "buttons":
                    self.known["callback"] = command["spec"]["callback"]
                if command["cmd"] == "form":
                    self.known["task"] = command["task"]
                if command["cmd"] == "set_session":
                    self.known["token"] = command["token"]
                if predicate(command):
                    return

    def probe(self) -> None:
        """The session answers a click, or it was closed with a code: then start another."""
        try:
            self.ws.send(json.dumps({"event": "callback", "id": self.known["callback"],
                                     "data": 0}))
            self.read_until(lambda c: c.get("spec", {}).get("content") == "pong")
        except ConnectionClosed as closed:
            assert closed.rcvd is not None and closed.rcvd.code >= 1000, "closed without a code"
            code = closed.rcvd.code
            self.ws.close()
            self.open()
            self.closed_with = code


@pytest.mark.parametrize("reconnect", [0, 30])
def test_websocket_fuzz(serve, server_log, reconnect):
    server = serve(fuzz_app, max_message_size=MAX_MESSAGE, reconnect_timeout=reconnect)
    url = server.url.replace("http", "ws") + "?app=index"
    bystander = WsPage(url)
    target = WsPage(url)
    codes: set[int] = set()

    def step(message: str | bytes) -> None:
        target.closed_with = None
        try:
            target.ws.send(message)
        except ConnectionClosed:
            pass
        target.probe()
        if target.closed_with:
            codes.add(target.closed_with)

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def run(data):
        step(data.draw(messages(target.known)))

    try:
        for message in CLASSICS:
            step(message)
        run()
        bystander.probe()
        assert bystander.closed_with is None
        assert 1009 in codes  # the oversized message closed its socket with "message too big"
        assert not server_log.failures(), server_log.failures()[:5]
        assert any("refused a message" in r.getMessage() for r in server_log.records)
    finally:
        bystander.ws.close()
        target.ws.close()


# -- HTTP ------------------------------------------------------------------------------------------

class HttpServer:
    """Flask's wsgi_app on werkzeug's threaded server in this process."""

    def __init__(self, app) -> None:
        from werkzeug.serving import make_server

        from webio_desktop.platform.flask import wsgi_app

        self.server = make_server("127.0.0.1", 0, wsgi_app(app, max_payload_size=MAX_MESSAGE),
                                  threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/"

    def request(self, method: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        req = urllib.request.Request(self.url, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(10)


class HttpPage:
    """A session over HTTP: polls, numbers its events, knows its ids."""

    def __init__(self, server: HttpServer) -> None:
        self.server = server
        status, body = server.request("POST", headers={"Webio-Session": "new"})
        assert status == 200, body
        self.session = json.loads(body)["session"]
        self.ack = 0
        self.seq = 0
        self.known: dict[str, str] = {}
        self.poll_until(lambda c: c["cmd"] == "form")

    def poll_until(self, predicate) -> None:
        for _ in range(50):
            status, body = self.server.request("GET", headers={
                "Webio-Session": self.session, "Webio-Ack": str(self.ack)})
            assert status == 200, (status, body)
            reply = json.loads(body)
            for number, batch in reply["batches"]:
                self.ack = number
                for command in batch:
                    if command["cmd"] == "output" and command["spec"].get("type") == "buttons":
                        self.known["callback"] = command["spec"]["callback"]
                    if command["cmd"] == "form":
                        self.known["task"] = command["task"]
                    if predicate(command):
                        return
        raise AssertionError("the session never answered")

    def post(self, body: bytes, seq: str | None = None) -> tuple[int, bytes]:
        return self.server.request("POST", body, {
            "Webio-Session": self.session, "Webio-Seq": str(self.seq) if seq is None else seq,
            "Content-Type": "application/json"})

    def probe(self) -> None:
        status, body = self.post(json.dumps([{"event": "callback", "id": self.known["callback"],
                                               "data": 0}]).encode())
        assert status == 200, (status, body)
        self.seq = json.loads(body)["ack"]
        self.poll_until(lambda c: c.get("spec", {}).get("content") == "pong")


def test_http_fuzz(server_log):
    server = HttpServer(fuzz_app)
    try:
        bystander = HttpPage(server)
        target = HttpPage(server)
        statuses: set[int] = set()

        def post(body: str, seq: str | None) -> None:
            status, reply = target.post(body.encode("utf-8", "surrogatepass"), seq)
            assert status in (200, 400, 409, 413), (status, reply)
            if status == 200:  # valid events, applied: the page's numbering moves on
                target.seq = json.loads(reply)["ack"]
            statuses.add(status)

        for message in CLASSICS:
            text = message.decode("latin-1") if isinstance(message, bytes) else message
            post(text, None)
            post("[" + text + "]", None)
            target.probe()

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(st.data())
        def run(data):
            batch = data.draw(st.lists(messages(target.known), max_size=3))
            texts = [m.decode("latin-1") if isinstance(m, bytes) else m for m in batch]
            body = data.draw(st.sampled_from(["[" + ",".join(texts) + "]", "".join(texts),
                                              texts[0] if texts else "[]"]))
            post(body, data.draw(st.none() | st.sampled_from(["-1", "x", "99999", "", "0"])))
            ack = data.draw(st.sampled_from(["x", "1.5", "0x10", "ack"]))  # a number would wait
            status, _ = server.request("GET", headers={"Webio-Session": target.session,
                                                       "Webio-Ack": ack})
            assert status == 400
            target.probe()

        run()
        bystander.probe()
        assert {400, 413} <= statuses
        assert not server_log.failures(), server_log.failures()[:5]
    finally:
        server.stop()
