"""The launcher server's guard: secret cookie, loopback Host, own Origin; 403 + a log line."""
from __future__ import annotations

import http.client
import json
import logging
import re

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


def page_config(body: bytes) -> dict:
    found = re.search(rb'id="webio-config">(.*?)</script>', body)
    assert found is not None, body[:300]
    return json.loads(found.group(1))


def cookie_for(server: DesktopServer, app: str = "index") -> str:
    token_url = server.url_for(app)
    token = token_url.rsplit("=", 1)[1]
    response, body = get(server, token_url[token_url.index("/?"):])
    # The page itself, at once (no redirect's round trip): it shows the clean URL before any
    # other script runs, and the spent token is nowhere in it.
    assert response.status == 200
    assert response.getheader("Cache-Control") == "no-store"
    assert page_config(body)["url"] == ("/" if app == "index" else f"/?app={app}")
    assert token.encode() not in body
    set_cookie = response.getheader("Set-Cookie")
    assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie
    return set_cookie.split(";")[0]


def test_token_buys_a_cookie_once(server):
    token_url = server.url_for("index")
    path = token_url[token_url.index("/?"):]
    response, _ = get(server, path)
    assert response.status == 200
    cookie = response.getheader("Set-Cookie").split(";")[0]
    assert get(server, "/", {"Cookie": cookie})[0].status == 200
    assert get(server, path)[0].status == 403  # spent


def test_the_page_of_a_token_url_shows_the_clean_url_with_the_other_parameters():
    def shown_query() -> None:
        from webio_desktop.output import put_text
        from webio_desktop.session import info

        put_text(f"query={info.request.query!r} uri={info.request.uri!r}")

    srv = DesktopServer({"index": hello, "other": shown_query}, prerender=True)
    srv.start()
    try:
        cookie_for(srv, "other")
        token_url = srv.url_for("other")
        _, body = get(srv, token_url[token_url.index("/?"):])
        assert b"webio_token" not in body  # the app's request info never saw the token
        assert b"query='app=other'" in body
    finally:
        srv.stop()


def test_other_token_urls_redirect_to_the_clean_url(server):
    """A front-end file (the tab shell's page) can't rewrite its URL: it is redirected."""
    token_url = server.url_for(path_and_query=server.static_url("desktop/tabs.html") + "?app=x")
    response, _ = get(server, token_url[token_url.index("/", 8):])
    assert response.status == 302
    assert "webio_token" not in response.getheader("Location")
    assert response.getheader("Location").endswith("desktop/tabs.html?app=x")
    assert "HttpOnly" in response.getheader("Set-Cookie")


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
