"""DNS rebinding: a server bound to loopback serves loopback host names only (``allowed_hosts``
adds more); bound to all interfaces, any name. Real servers of every framework on 127.0.0.1,
real requests with forged ``Host`` headers (page GET, static files, WebSocket handshake).
"""
from __future__ import annotations

import http.client

import pytest

from conftest import free_port, wait_for_port

APP = '''
from webio_desktop.output import put_text


def hello():
    put_text("hello")
'''

# framework -> (module, WebSocket transport?)
FRAMEWORKS = {"tornado": True, "tornado_http": False, "aiohttp": True, "fastapi": True,
              "flask": False, "django": False}


def get(port: int, host: str, path: str = "/", headers: dict[str, str] | None = None) -> int:
    return fetch(port, host, path, headers)[0]


def fetch(port: int, host: str, path: str = "/", headers: dict[str, str] | None = None
          ) -> tuple[int, dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    conn.request("GET", path, headers={"Host": host, **(headers or {})})
    response = conn.getresponse()
    result = response.status, {k.lower(): v for k, v in response.getheaders()}
    conn.close()
    return result


def handshake(port: int, host: str) -> int:
    """Status of a WebSocket handshake naming ``host`` (101: accepted)."""
    return get(port, host, "/?app=index", {
        "Connection": "Upgrade", "Upgrade": "websocket", "Origin": f"http://{host}",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version": "13"})


def start(run_script, tmp_path, framework: str, host: str, **options: object) -> int:
    port = free_port()
    (tmp_path / "files").mkdir(exist_ok=True)
    (tmp_path / "files" / "a.txt").write_text("static")
    extra = "".join(f", {k}={v!r}" for k, v in options.items())
    run_script(APP + f'''
from webio_desktop.platform.{framework} import start_server
start_server(hello, port={port}, host={host!r}, static_dir={str(tmp_path / "files")!r}{extra})
''')
    wait_for_port(port, 30)
    return port


@pytest.mark.parametrize("framework", list(FRAMEWORKS))
def test_a_loopback_server_refuses_foreign_host_names(run_script, tmp_path, framework):
    port = start(run_script, tmp_path, framework, "127.0.0.1")
    for name in ("127.0.0.1", "localhost", "LOCALHOST", "[::1]"):
        assert get(port, f"{name}:{port}") == 200, name
    # The page forbids framing by other origins (another port of 127.0.0.1 is one).
    headers = fetch(port, f"127.0.0.1:{port}")[1]
    assert headers["content-security-policy"] == "frame-ancestors 'self'"
    assert headers["x-frame-options"] == "SAMEORIGIN"
    status, headers = fetch(port, f"127.0.0.1:{port}", "/static/a.txt")
    assert status == 200
    # So does every other response of a server we run: static files too.
    assert headers["content-security-policy"] == "frame-ancestors 'self'"
    assert headers["x-frame-options"] == "SAMEORIGIN"
    for forged in (f"evil.example:{port}", "evil.example", f"localhost.evil.example:{port}",
                   f"127.0.0.1.evil.example:{port}"):
        assert get(port, forged) in (400, 403), forged
        assert get(port, forged, "/static/a.txt") in (400, 403), forged
    if FRAMEWORKS[framework]:
        assert handshake(port, f"localhost:{port}") == 101
        assert handshake(port, f"evil.example:{port}") == 403


@pytest.mark.parametrize("framework", ["tornado", "flask"])
def test_allowed_hosts_adds_names(run_script, tmp_path, framework):
    port = start(run_script, tmp_path, framework, "127.0.0.1",
                 allowed_hosts=["myapp.test", "*.dev.test"])
    assert get(port, f"myapp.test:{port}") == 200
    assert get(port, f"a.dev.test:{port}") == 200
    assert get(port, f"localhost:{port}") == 200
    assert get(port, f"other.test:{port}") == 403
    if FRAMEWORKS[framework]:
        assert handshake(port, f"myapp.test:{port}") == 101
        assert handshake(port, f"other.test:{port}") == 403


@pytest.mark.parametrize("framework", ["tornado", "django"])
def test_all_interfaces_serve_any_host_name(run_script, tmp_path, framework):
    port = start(run_script, tmp_path, framework, "")
    assert get(port, f"example.org:{port}") == 200
    if FRAMEWORKS[framework]:
        assert handshake(port, f"example.org:{port}") == 101


def test_path_deploy_on_loopback_refuses_foreign_host_names(run_script, tmp_path):
    (tmp_path / "apps").mkdir()
    (tmp_path / "apps" / "tool.py").write_text(APP + "\nmain = hello\n")
    port = free_port()
    run_script(f'''
from webio_desktop.platform.path_deploy import path_deploy
path_deploy({str(tmp_path / "apps")!r}, port={port}, host="127.0.0.1")
''')
    wait_for_port(port, 30)
    assert get(port, f"127.0.0.1:{port}", "/tool") == 200
    assert get(port, f"evil.example:{port}", "/tool") == 403
    assert get(port, f"evil.example:{port}", "/") == 403


def test_script_mode_serves_loopback_host_names_only(run_script):
    port = free_port()
    proc = run_script("from webio_desktop.input import input\ninput('x')\n",
                      env={"WEBIO_SCRIPT_MODE_PORT": str(port)})
    wait_for_port(port, 30)
    assert get(port, f"evil.example:{port}") == 403
    assert handshake(port, f"evil.example:{port}") == 403
    assert get(port, f"localhost:{port}") == 200
    proc.kill()
