"""Faults (issue 13): connections dropped mid-input, mid-upload and mid-burst; reconnects within
and after ``reconnect_timeout``; callbacks that raise or never return. Sessions that survive lose
nothing; sessions that end run their ``defer_call`` functions and free their app thread.

Real Tornado servers on 127.0.0.1; the page is a WebSocket client (websockets, or a raw socket
where a frame must be cut in half).
"""
from __future__ import annotations

import base64
import json
import os
import socket
import struct
import threading
from urllib.parse import urlsplit

from websockets.sync.client import connect

from tests.conftest import Results, wait_until

FILE = os.urandom(300_000)


def ws_url(server, query: str = "?app=index") -> str:
    return server.url.replace("http", "ws") + query


class Page:
    """A page over one socket at a time: counts the frames it applied, as the real one does."""

    def __init__(self, server) -> None:
        self.server = server
        self.frames = 0
        self.token = None
        self.commands: list[dict] = []
        self.ws = connect(ws_url(server), open_timeout=5, max_size=None).__enter__()

    def read_until(self, predicate, timeout: float = 10) -> dict:
        """Apply whole frames until one holds a command matching ``predicate``."""
        while True:
            frame = json.loads(self.ws.recv(timeout=timeout))
            self.frames += 1
            found = None
            for command in frame:
                self.commands.append(command)
                if command["cmd"] == "set_session":
                    self.token = command["token"]
                if found is None and predicate(command):
                    found = command
            if found is not None:
                return found

    def send(self, event: dict) -> None:
        self.ws.send(json.dumps(event))

    def drop(self) -> None:
        self.ws.close()

    def resume(self) -> None:
        self.ws = connect(ws_url(self.server, "?resume=1"), open_timeout=5,
                          max_size=None).__enter__()
        self.send({"event": "resume", "token": self.token, "frames": self.frames})

    def texts(self) -> list[str]:
        return [c["spec"]["content"] for c in self.commands
                if c["cmd"] == "output" and c["spec"].get("type") == "text"]


def is_form(command: dict) -> bool:
    return command["cmd"] == "form"


def test_dropped_mid_input_without_reconnect_ends_the_session(serve):
    from webio_desktop.input import input
    from webio_desktop.session import defer_call

    results = Results()

    def app():
        defer_call(lambda: results.put("deferred"))
        results.put(threading.current_thread())
        try:
            input("name")
        except BaseException as exc:
            results.put(type(exc).__name__)
            raise

    server = serve(app)
    page = Page(server)
    page.read_until(is_form)
    thread = results.get()
    page.drop()
    assert {results.get(), results.get()} == {"SessionClosedException", "deferred"}
    thread.join(10)
    assert not thread.is_alive()


def test_dropped_mid_input_and_back_in_time_loses_nothing(serve):
    from webio_desktop.input import input
    from webio_desktop.output import put_text

    def app():
        put_text("before")
        name = input("name")
        put_text(f"hello {name}")
        put_text("after")

    server = serve(app, reconnect_timeout=30)
    page = Page(server)
    form = page.read_until(is_form)
    page.drop()
    page.resume()
    page.send({"event": "submit", "task": form["task"], "data": {"data": "x"}})
    page.read_until(lambda c: c.get("spec", {}).get("content") == "after")
    assert page.texts() == ["before", "hello x", "after"]


def test_back_after_the_timeout_the_session_has_ended(serve):
    from webio_desktop.input import input
    from webio_desktop.session import defer_call

    deferred = threading.Event()

    def app():
        defer_call(deferred.set)
        input("name")

    server = serve(app, reconnect_timeout=0.5)
    page = Page(server)
    page.read_until(is_form)
    page.drop()
    assert deferred.wait(15)  # the page did not come back in time: the session closed
    page.resume()
    assert json.loads(page.ws.recv(timeout=10)) == [{"cmd": "close"}]


def test_dropped_mid_burst_every_line_arrives_once_in_order(serve):
    from webio_desktop.output import put_text
    from webio_desktop.session import hold

    lines = 20_000

    def app():
        for i in range(lines):
            put_text(f"line {i}")
        put_text("end")
        hold()

    server = serve(app, reconnect_timeout=30)
    page = Page(server)
    page.read_until(lambda c: c.get("spec", {}).get("content") == "line 100")
    page.drop()  # frames on the wire or not yet sent are kept; the page applied `frames`
    page.resume()
    page.read_until(lambda c: c.get("spec", {}).get("content") == "end", 30)
    assert page.texts() == [f"line {i}" for i in range(lines)] + ["end"]


def masked_frame(payload: bytes, opcode: int = 1) -> bytes:
    """A client's WebSocket frame (FIN set, masked)."""
    mask = os.urandom(4)
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", 0x80 | opcode, 0x80 | size)
    elif size < 65536:
        header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, size)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, size)
    return header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def raw_resume(server, token: str, frames: int) -> socket.socket:
    parts = urlsplit(server.url)
    sock = socket.create_connection((parts.hostname, parts.port), 5)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET /?resume=1 HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                  "Sec-WebSocket-Version: 13\r\n\r\n").encode())
    reply = b""
    while b"\r\n\r\n" not in reply:
        reply += sock.recv(1)
    assert reply.startswith(b"HTTP/1.1 101"), reply
    sock.sendall(masked_frame(json.dumps({"event": "resume", "token": token,
                                          "frames": frames}).encode()))
    return sock


def test_dropped_mid_upload_the_resent_upload_arrives_whole(serve):
    from webio_desktop.input import file_upload
    from webio_desktop.output import put_text

    results = Results()

    def app():
        upload = file_upload("file")
        results.put(upload["content"])
        put_text("got it")

    server = serve(app, reconnect_timeout=30)
    page = Page(server)
    form = page.read_until(is_form)
    page.drop()
    submit = json.dumps({"event": "submit", "task": form["task"], "data": {"data": [{
        "filename": "a.bin", "size": len(FILE), "mime_type": "application/octet-stream",
        "last_modified": 0, "content": base64.b64encode(FILE).decode()}]}}).encode()
    # The page comes back and starts the upload; the connection breaks half-way through it.
    sock = raw_resume(server, page.token, page.frames)
    frame = masked_frame(submit)
    sock.sendall(frame[:len(frame) // 2])
    sock.close()
    # It comes back again and sends the whole upload: the app gets every byte, once.
    page.resume()
    page.ws.send(submit.decode())
    page.read_until(lambda c: c.get("spec", {}).get("content") == "got it")
    assert results.get() == FILE
    assert results.empty()


def test_callbacks_that_raise_or_never_return_leave_the_session_working(serve, caplog):
    from webio_desktop.input import input
    from webio_desktop.output import put_buttons, put_text
    from webio_desktop.session import defer_call

    forever = threading.Event()  # never set while the session lives
    deferred = threading.Event()

    def clicked(label):
        if label == "raise":
            raise RuntimeError("boom")
        if label == "hang":
            forever.wait(60)
        put_text(f"clicked {label}")

    def app():
        defer_call(deferred.set)
        put_buttons(["raise", "hang", "ok"], onclick=clicked)
        put_text(f"name {input('name')}")

    server = serve(app)
    page = Page(server)
    form = page.read_until(is_form)
    buttons = next(c for c in page.commands if c.get("spec", {}).get("type") == "buttons")
    click = {"event": "callback", "id": buttons["spec"]["callback"]}
    for index in (0, 1, 1, 2):  # the page sends the button's index: raise, hang, hang, ok
        page.send({**click, "data": index})
    page.read_until(lambda c: c.get("spec", {}).get("content") == "clicked ok")
    if not any(c["cmd"] == "toast" for c in page.commands):  # callbacks run side by side
        page.read_until(lambda c: c["cmd"] == "toast")  # the error is shown to the user
    assert "boom" in caplog.text
    page.send({"event": "submit", "task": form["task"], "data": {"data": "x"}})
    page.read_until(lambda c: c.get("spec", {}).get("content") == "name x")
    page.drop()  # the page leaves while two callbacks still hang: the session still ends
    assert deferred.wait(10)
    forever.set()
