"""start_server and the page: app selection, navigation, offline assets, caching."""
import gzip
import urllib.error
import urllib.request
from pathlib import Path

from conftest import ROOT, free_port, two_part_app, wait_for_port

SEED = (ROOT / "examples" / "multi_app.py").read_text()


def start_seed(run_script, applications_expr: str):
    port = free_port()
    source = SEED.replace("start_server([index, task_1, task_2])",
                          f"start_server({applications_expr}, port={port}, host='127.0.0.1')")
    assert source != SEED
    run_script(source)
    wait_for_port(port)
    return f"http://127.0.0.1:{port}/"


def follow_seed(page, url):
    """The seed example, as a user clicks through it."""
    page.goto(url)
    page.get_by_role("link", name="Go task 1").click()
    page.wait_for_url("**?app=task_1")
    page.get_by_text("task_1", exact=True).wait_for()
    with page.expect_popup() as popup_info:  # go_app() opens a new window by default
        page.get_by_role("button", name="Go task 2").click()
    popup = popup_info.value
    popup.get_by_text("task_2", exact=True).wait_for()
    assert "app=task_2" in popup.url
    with popup.expect_popup() as back_info:
        popup.get_by_role("button", name="Go task 1").click()
    back_info.value.get_by_text("task_1", exact=True).wait_for()


def test_seed_program_list_form(page, run_script):
    follow_seed(page, start_seed(run_script, "[index, task_1, task_2]"))
    assert page.js_errors == []


def test_seed_program_dict_form_and_app_parameter(page, run_script):
    url = start_seed(run_script, "{'index': index, 'task_1': task_1, 'task_2': task_2}")
    follow_seed(page, url)
    page.goto(url + "?app=task_2")
    page.get_by_text("task_2", exact=True).wait_for()


def test_default_index_lists_apps(page, serve):
    def report():
        """Monthly report

        Numbers of the month."""
        from webio_desktop.output import put_text
        put_text("the report")

    def settings():
        from webio_desktop.output import put_text
        put_text("the settings")

    server = serve([report, settings])
    page.goto(server.url)
    page.get_by_role("link", name="Monthly report").wait_for()
    page.get_by_text("Numbers of the month.").wait_for()
    page.get_by_role("link", name="settings").click()
    page.get_by_text("the settings").wait_for()


def test_unknown_app_gets_a_page_naming_the_apps(page, serve):
    def alpha(): pass
    def beta(): pass

    server = serve([alpha, beta])
    response = page.goto(server.url + "?app=gamma")
    assert response.status == 404
    assert "gamma" in page.title()
    for name in ("alpha", "beta", "index"):
        page.get_by_role("link", name=name, exact=True).wait_for()


def test_page_requests_nothing_from_other_hosts(page, serve):
    from webio_desktop.output import put_markdown, put_text

    def app():
        put_markdown("# Offline\n\n```python\nprint('hi')\n```")
        put_text("READY")

    for cdn in (True, False):
        server = serve(app, cdn=cdn)
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto(server.url)
        page.get_by_text("READY").wait_for()
        assert requested, "the page made no requests at all?"
        foreign = [u for u in requested if not u.startswith(server.url.rstrip("/"))
                   and not u.startswith("ws://127.0.0.1") and not u.startswith("data:")]
        assert foreign == []


def test_page_carries_the_front_end_and_assets_are_versioned_and_cacheable(serve):
    server = serve(lambda: None)
    page_html = urllib.request.urlopen(server.url).read().decode()
    # CSS and JavaScript are inline (no request before the first output) ...
    assert "<style>" in page_html and '<script type="module">' in page_html
    assert 'rel="stylesheet"' not in page_html and "modulepreload" not in page_html
    assert "// == module webio.js" in page_html
    # The page itself goes out compressed (the same bytes each time: compressed once).
    request = urllib.request.Request(server.url, headers={"Accept-Encoding": "gzip"})
    for _ in range(2):
        with urllib.request.urlopen(request) as response:
            assert response.headers["Content-Encoding"] == "gzip"
            assert gzip.decompress(response.read()).decode() == page_html
    # ... and every front-end file is still served at a content-versioned, cacheable URL.
    icon_path = page_html.split('rel="icon" href="', 1)[1].split('"')[0]
    assert icon_path.startswith("/_webio/static/v-") and icon_path.endswith("icon.svg")
    css_path = icon_path.replace("icon.svg", "webio.css")
    with urllib.request.urlopen(server.url.rstrip("/") + css_path) as response:
        assert "max-age=" in response.headers["Cache-Control"]
        assert response.headers["Etag"]
    request = urllib.request.Request(server.url.rstrip("/") + css_path,
                                     headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request) as response:
        assert response.headers["Content-Encoding"] == "gzip"


def test_cdn_string_is_a_url_base(serve):
    server = serve(lambda: None, cdn="https://assets.example.org/webio/")
    page_html = urllib.request.urlopen(server.url).read().decode()
    assert 'src="https://assets.example.org/webio/webio.js"' in page_html


def test_static_dir_is_served(serve, tmp_path: Path):
    (tmp_path / "hello.txt").write_text("static hello")
    server = serve(lambda: None, static_dir=str(tmp_path))
    assert urllib.request.urlopen(server.url + "static/hello.txt").read() == b"static hello"


def test_websocket_origins(serve):
    import json

    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    server = serve(lambda: None, allowed_origins=["http://*.good.example"])
    ws_url = server.url.replace("http", "ws")

    def first_frame(origin):
        with connect(ws_url, origin=origin, open_timeout=5) as ws:
            return json.loads(ws.recv(timeout=5))

    # The app returns at once, so an accepted connection gets the session's "close" command.
    assert first_frame("http://app.good.example") == [{"cmd": "close"}]
    assert first_frame(server.url.rstrip("/")) == [{"cmd": "close"}]
    try:
        first_frame("http://evil.example")
    except InvalidStatus as exc:
        assert exc.response.status_code == 403
    else:
        raise AssertionError("a foreign origin was let in")


def test_a_refused_message_counts_as_a_frame_so_a_reconnect_loses_nothing(serve):
    """The page counts every frame it applies, the ``error`` answer to a bad message too; the
    server must number frames the same way, or a reconnect skips a frame the page never saw."""
    import json
    import threading

    from websockets.sync.client import connect

    go = threading.Event()
    server = serve(two_part_app(go), reconnect_timeout=30)
    url = server.url.replace("http", "ws") + "?app=index"
    frames: list[list[dict]] = []
    with connect(url, open_timeout=5) as ws:
        while not any(c.get("spec", {}).get("content") == "one" for f in frames for c in f):
            frames.append(json.loads(ws.recv(timeout=10)))
        (token,) = [c["token"] for f in frames for c in f if c["cmd"] == "set_session"]
        ws.send("not json")
        assert json.loads(ws.recv(timeout=10))[0]["cmd"] == "error"
        applied = len(frames) + 1  # what the page would acknowledge: the error frame too
        go.set()
        assert "two" in ws.recv(timeout=10)  # sent, but this page dropped before applying it
    with connect(f"{url}&resume=1", open_timeout=5) as ws:
        ws.send(json.dumps({"event": "resume", "token": token, "frames": applied}))
        resent = json.loads(ws.recv(timeout=10))
    assert [c["spec"]["content"] for c in resent if c["cmd"] == "output"] == ["two"]
