"""No debugger console, and bounded request bodies, on the WSGI integrations (Flask, Django).

Each test runs a real framework server on 127.0.0.1 in a child process and talks to it with raw
HTTP (http.client or a socket), so what is checked is what a client on the network gets.
"""
from __future__ import annotations

import http.client
import json
import socket
import threading
import time

import pytest

from conftest import free_port, wait_for_port, wait_until

pytest.importorskip("flask")
pytest.importorskip("django")

ECHO_APP = '''
from webio_desktop.input import input
from webio_desktop.output import put_text


def echo():
    while True:
        put_text("echo:" + input("Say"))
'''


def request(port: int, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None, timeout: float = 15
            ) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    result = response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    conn.close()
    return result


# -- item 1: Flask's debug=True serves no Werkzeug debugger --------------------------------------

def test_flask_debug_serves_no_interactive_console(run_script):
    """debug=True on all interfaces (the default host): a 500 shows no debugger, and the
    debugger's own URLs (console, resources, PIN) answer nothing of it."""
    port = free_port()
    proc = run_script(ECHO_APP + f'''
from webio_desktop.server import http_poll

page = http_poll.HttpSessions._page
def page_or_fail(self, request, options):  # a fault to cause a 500 inside the view
    if "boom" in request.query:
        raise ZeroDivisionError("boom-marker")
    return page(self, request, options)
http_poll.HttpSessions._page = page_or_fail

from webio_desktop.platform.flask import start_server
start_server(echo, port={port}, debug=True)
''')
    wait_for_port(port, 30)
    lines: list[str] = []  # the server's output, read as it comes
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    status, headers, body = request(port, "GET", "/?boom=1")
    assert status == 500
    text = body.decode(errors="replace")
    assert "__debugger__" not in text and "Werkzeug Debugger" not in text
    assert "console" not in text.lower() and "SECRET" not in text
    for query in ("__debugger__=yes&cmd=resource&f=debugger.js",
                  "__debugger__=yes&cmd=printpin&s=x",
                  "__debugger__=yes&cmd=pinauth&pin=1&s=x",
                  "__debugger__=yes&cmd=print(1)&frm=0&s=x"):
        status, headers, body = request(port, "GET", f"/?{query}")
        # Our view answers: the app's page, never a debugger resource or a PIN prompt.
        assert status == 200, (query, status)
        assert headers["content-type"].startswith("text/html"), (query, headers)
        assert b"Werkzeug" not in body and b"pin" not in body.lower().split(b"<script")[0]
    # The server kept serving, and the process shows no debugger PIN.
    assert request(port, "GET", "/")[0] == 200
    # The traceback goes to the log. Werkzeug writes it after it has sent the 500 (in that
    # request's thread), so it may come after the later requests' lines: wait for it.
    wait_until(lambda: "ZeroDivisionError: boom-marker" in "".join(lines), 15,
               what="the traceback in the server's output")
    proc.kill()
    proc.wait(10)
    reader.join(10)  # everything up to the end of the output
    output = "".join(lines)
    assert "Debugger PIN" not in output and "Debugger is active" not in output


# -- item 3: webio_view reads bodies within max_payload_size --------------------------------------

FLASK_VIEW = ECHO_APP + '''
from flask import Flask
from webio_desktop.platform.flask import webio_view

app = Flask(__name__)
app.add_url_rule("/tool", "webio", webio_view(echo, max_payload_size="64K"),
                 methods=["GET", "POST", "OPTIONS"])
app.run(host="127.0.0.1", port=PORT, threaded=True)
'''

DJANGO_VIEW = ECHO_APP + '''
import django
from django.conf import settings
from django.core.management import execute_from_command_line

settings.configure(DEBUG=False, ALLOWED_HOSTS=["127.0.0.1"], ROOT_URLCONF=__name__,
                   SECRET_KEY="test-only")
django.setup()
from django.urls import path
from webio_desktop.platform.django import webio_view

urlpatterns = [path("tool", webio_view(echo, max_payload_size="64K"))]
execute_from_command_line(["manage.py", "runserver", "--noreload", "127.0.0.1:PORT"])
'''

LIMIT = 64 * 1024


class Client:
    """One HTTP session of the echo app at /tool."""

    def __init__(self, port: int) -> None:
        self.port = port
        status, _, body = request(port, "POST", "/tool", headers={"Webio-Session": "new"})
        assert status == 200, body
        self.id = json.loads(body)["session"]
        self.acked = 0
        self.seq = 0
        self.seen: list[dict] = []  # every command received
        self.answered: set[str] = set()

    def commands(self) -> list[dict]:
        """Poll once; every command received so far."""
        status, _, body = request(self.port, "GET", "/tool", headers={
            "Webio-Session": self.id, "Webio-Ack": str(self.acked)}, timeout=40)
        assert status == 200, body
        batches = json.loads(body)["batches"]
        if batches:
            self.acked = batches[-1][0]
        self.seen += [command for _, batch in batches for command in batch]
        return self.seen

    def prompt(self) -> str:
        """The task of the form the app waits in (not answered yet)."""
        def form() -> str | None:
            return next((c["task"] for c in reversed(self.seen)
                         if c.get("cmd") == "form" and c["task"] not in self.answered),
                        None) or self.commands() and None
        task = wait_until(form, 30, what="the app's input form")
        self.answered.add(task)
        return task

    def say(self, task: str, text: str) -> tuple[int, bytes]:
        body = json.dumps([{"event": "submit", "task": task, "data": {"data": text}}]).encode()
        status, _, reply = request(self.port, "POST", "/tool", body=body, headers={
            "Webio-Session": self.id, "Webio-Seq": str(self.seq),
            "Content-Type": "application/json"})
        if status == 200:
            self.seq += 1
        return status, reply


def declared_oversize(port: int, session: str) -> tuple[int, float]:
    """POST headers declaring 1 GB and no body at all: the answer must come without reading."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.putrequest("POST", "/tool")
    for name, value in (("Webio-Session", session), ("Webio-Seq", "0"),
                        ("Content-Type", "application/json"), ("Content-Length", str(2**30))):
        conn.putheader(name, value)
    conn.endheaders()
    started = time.monotonic()
    status = conn.getresponse().status
    conn.close()
    return status, time.monotonic() - started


def chunked_oversize(port: int, session: str) -> int:
    """A chunked body that passes the limit and never ends: refused once past the limit."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall((f"POST /tool HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                      f"Webio-Session: {session}\r\nWebio-Seq: 0\r\n"
                      "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                      ).encode())
        chunk = b"x" * 8192
        try:
            for _ in range(2 * LIMIT // len(chunk)):
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed while we were still sending
        answer = b""
        while b"\r\n" not in answer:
            data = sock.recv(4096)
            if not data:
                break
            answer += data
    return int(answer.split(b" ", 2)[1])


@pytest.mark.parametrize("framework", ["flask", "django"])
def test_webio_view_reads_bodies_within_max_payload_size(run_script, framework):
    port = free_port()
    source = FLASK_VIEW if framework == "flask" else DJANGO_VIEW
    proc = run_script(source.replace("PORT", str(port)))
    wait_for_port(port, 30)
    client = Client(port)
    task = client.prompt()
    status, seconds = declared_oversize(port, client.id)
    assert status == 413 and seconds < 5
    status = chunked_oversize(port, client.id)
    # Werkzeug decodes a chunked body, so Flask refuses it at the limit (413); Django's server
    # doesn't, so Django reads it as empty and refuses it as no events (400).
    assert status == (413 if framework == "flask" else 400)
    status, reply = client.say(task, "x" * (LIMIT - 200))  # just under the limit
    assert status == 200, reply
    wait_until(lambda: any(c.get("cmd") == "output"
                           and c["spec"].get("content") == "echo:" + "x" * (LIMIT - 200)
                           for c in client.commands()), 20, what="the echo")
    status, reply = client.say(client.prompt(), "y" * LIMIT)  # over it by the JSON around
    assert status == 413, reply
    assert proc.poll() is None
    proc.kill()
    assert "Traceback" not in proc.communicate(timeout=10)[0]
