"""The launcher server's guard: secret cookie, loopback Host, own Origin; 403 + a log line."""
from __future__ import annotations

import http.client
import logging

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from webio_desktop.desktop.server import DesktopServer
from webio_desktop.desktop.state import Geometry

from .conftest import MULTI, needs_qt, shown


def hello() -> None:
    from webio_desktop.output import put_text

    put_text("hello")


@pytest.fixture
def server():
    srv = DesktopServer({"index": hello})
    srv.start()
    yield srv
    srv.stop()


def get(server: DesktopServer, path: str, headers: dict[str, str] | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("GET", path, headers={"Host": f"127.0.0.1:{server.port}", **(headers or {})})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response, body


def cookie_for(server: DesktopServer) -> str:
    token_url = server.url_for("index")
    response, _ = get(server, token_url[token_url.index("/?"):])
    assert response.status == 302
    assert response.getheader("Location") == "/"  # the clean URL: no token left
    set_cookie = response.getheader("Set-Cookie")
    assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie
    return set_cookie.split(";")[0]


def test_token_buys_a_cookie_once(server):
    token_url = server.url_for("index")
    path = token_url[token_url.index("/?"):]
    cookie = cookie_for_path(server, path)
    assert get(server, "/", {"Cookie": cookie})[0].status == 200
    assert get(server, path)[0].status == 403  # spent


def cookie_for_path(server, path):
    response, _ = get(server, path)
    assert response.status == 302
    return response.getheader("Set-Cookie").split(";")[0]


@pytest.mark.parametrize("path", ["/", "/?app=index", "/_webio/static/webio.js"])
def test_no_secret_is_refused_everywhere(server, path, caplog):
    with caplog.at_level(logging.WARNING, "webio_desktop.desktop.security"):
        assert get(server, path)[0].status == 403
    assert "no launch secret" in caplog.text


def test_static_files_with_the_cookie(server):
    cookie = cookie_for(server)
    assert get(server, "/_webio/static/webio.js", {"Cookie": cookie})[0].status == 200


def test_foreign_host_is_refused(server, caplog):
    cookie = cookie_for(server)
    with caplog.at_level(logging.WARNING, "webio_desktop.desktop.security"):
        response, _ = get(server, "/", {"Cookie": cookie, "Host": "evil.example"})
    assert response.status == 403
    assert "evil.example" in caplog.text
    response, _ = get(server, "/", {"Cookie": cookie, "Host": f"localhost:{server.port}"})
    assert response.status == 200


def test_foreign_origin_is_refused(server):
    cookie = cookie_for(server)
    response, _ = get(server, "/", {"Cookie": cookie, "Origin": "http://evil.example"})
    assert response.status == 403


def ws(server, cookie: str, origin: str):
    return connect(f"ws://127.0.0.1:{server.port}/", origin=origin,
                   additional_headers={"Cookie": cookie}, open_timeout=5)


def handshake_status(port: int, headers: dict[str, str]) -> int:
    """Status of a raw WebSocket handshake with exactly these extra headers."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", "/", headers={
        "Host": f"127.0.0.1:{port}", "Connection": "Upgrade", "Upgrade": "websocket",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version": "13",
        **headers})
    status = conn.getresponse().status
    conn.close()
    return status


def test_websocket_checks(server):
    cookie = cookie_for(server)
    own = f"http://127.0.0.1:{server.port}"
    assert handshake_status(server.port, {"Cookie": cookie, "Origin": own}) == 101
    for headers in ({"Cookie": cookie, "Origin": "http://evil.example"},
                    {"Origin": own},
                    {"Cookie": cookie},
                    {"Cookie": cookie, "Origin": own, "Host": "evil.example"},
                    {"Cookie": cookie, "Origin": "http://evil.example:80",
                     "Host": "evil.example"}):
        assert handshake_status(server.port, headers) == 403, headers
    with ws(server, cookie, own) as socket:  # the real thing works
        assert "hello" in socket.recv(timeout=5)


def test_geometry_fits_the_screens_there_are():
    screens = [(0, 0, 1280, 800)]
    assert Geometry(900, 700, 100, 50).on_screens(screens) == Geometry(900, 700, 100, 50)
    gone = Geometry(900, 700, 3000, 50).on_screens(screens)  # its monitor is gone
    assert (gone.x, gone.y) == (None, None)
    assert Geometry(4000, 3000).on_screens(screens) == Geometry(1280, 800)


@needs_qt
def test_window_keeps_working_while_others_are_refused(launch, xdisplay):
    app = launch(MULTI, display=xdisplay)
    page = shown(app.page(), "Hello from the desktop")
    port = int(page.url.split(":")[2].split("/")[0])
    cookies = app.cookies(page)
    assert cookies and all(c["httpOnly"] and c["sameSite"] == "Strict" for c in cookies)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    for headers in ({}, {"Host": "evil.example"}):
        conn.request("GET", "/", headers=headers)
        response = conn.getresponse()
        response.read()
        assert response.status == 403
    own = f"http://127.0.0.1:{port}"
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in cookies)
    with pytest.raises(InvalidStatus):
        connect(f"ws://127.0.0.1:{port}/", origin="http://evil.example",
                additional_headers={"Cookie": cookie}, open_timeout=5).close()
    # ... and the window still works.
    page.click("text=Open the counter")
    counter = app.pages("app=counter")[0]
    shown(counter, "Add how much?")
    assert own in counter.url
