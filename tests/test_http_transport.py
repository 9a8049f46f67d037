"""The HTTP long-poll transport and the Flask, Django and tornado_http integrations.

Browser tests run each real framework server on 127.0.0.1 in a child process (Flask's own
threaded werkzeug server, Django's runserver, Tornado) and drive the pages in Chromium; protocol
tests talk to an in-process Flask server with a plain HTTP client (urllib).
"""
from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from conftest import ROOT, Results, free_port, wait_for_port, wait_until

pytest.importorskip("flask")
pytest.importorskip("django")

# The app the browser tests drive: an input, an output and a button callback round trip.
TASK_FUNC = '''
from webio_desktop.input import input
from webio_desktop.output import put_buttons, put_text


def task_func():
    name = input("Your name")
    put_text("Hello, " + name)
    put_buttons(["Again"], onclick=lambda _: put_text("clicked " + name))
'''


def round_trip(page, url: str) -> list[str]:
    """Fill the form, see the answer, click the callback button twice; the URLs requested."""
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(url)
    field = page.get_by_label("Your name", exact=True)
    field.fill("Ada")
    field.press("Enter")
    expect(page.get_by_text("Hello, Ada")).to_be_visible()
    again = page.get_by_role("button", name="Again")
    again.click()
    expect(page.get_by_text("clicked Ada")).to_have_count(1)
    again.click()
    expect(page.get_by_text("clicked Ada")).to_have_count(2)
    assert page.js_errors == []
    return requested


# -- Flask ---------------------------------------------------------------------------------------

def test_flask_seed_example_default_serves_its_own_front_end(run_script, page):
    port = free_port()
    # The seed's Flask sample, verbatim but for the import and the port.
    run_script(TASK_FUNC + f'''
from webio_desktop.platform.flask import webio_view
from flask import Flask

app = Flask(__name__)

# `task_func` is PyWebIO task function
app.add_url_rule('/tool', 'webio_view', webio_view(task_func),
            methods=['GET', 'POST', 'OPTIONS'])  # need GET,POST and OPTIONS methods

app.run(host='localhost', port={port})
''')
    wait_for_port(port)
    requested = round_trip(page, f"http://localhost:{port}/tool")
    # The page carries the front end inline: no script or style to fetch, and everything
    # else (the API, the icon) goes to the view's own URL, with no route added by the user.
    assert not [u for u in requested if u.endswith((".js", ".css"))], requested
    assert requested and all(u.startswith(f"http://localhost:{port}/tool") for u in requested)


def test_flask_cdn_false_uses_the_static_path_the_app_hosts(run_script, page):
    port = free_port()
    run_script(TASK_FUNC + f'''
from flask import Flask, send_from_directory
from webio_desktop import STATIC_PATH
from webio_desktop.platform.flask import webio_view

app = Flask(__name__)
app.add_url_rule('/tool', 'webio_view', webio_view(task_func, cdn=False),
                 methods=['GET', 'POST', 'OPTIONS'])

@app.route('/<path:filename>')
def static_files(filename):
    return send_from_directory(STATIC_PATH, filename)

app.run(host='127.0.0.1', port={port}, threaded=True)
''')
    wait_for_port(port)
    requested = round_trip(page, f"http://127.0.0.1:{port}/tool")
    assert f"http://127.0.0.1:{port}/webio.js" in requested
    assert f"http://127.0.0.1:{port}/http.js" in requested
    assert not [u for u in requested if "_webio_static" in u]


def test_flask_cdn_string_is_a_url_base(run_script, page):
    port = free_port()
    run_script(TASK_FUNC + f'''
from flask import Flask, send_from_directory
from webio_desktop import STATIC_PATH
from webio_desktop.platform.flask import webio_view

app = Flask(__name__)
app.add_url_rule('/tool', 'webio_view', webio_view(task_func, cdn='/assets'),
                 methods=['GET', 'POST', 'OPTIONS'])

@app.route('/assets/<path:filename>')
def assets(filename):
    return send_from_directory(STATIC_PATH, filename)

app.run(host='127.0.0.1', port={port}, threaded=True)
''')
    wait_for_port(port)
    requested = round_trip(page, f"http://127.0.0.1:{port}/tool")
    assert f"http://127.0.0.1:{port}/assets/webio.js" in requested
    assert not [u for u in requested if "_webio_static" in u]


def test_flask_coroutine_app_with_run_event_loop(run_script, page):
    port = free_port()
    # The seed's coroutine-under-Flask sample (imports and port changed), plus an async app
    # with an input and a callback.
    run_script(f'''
import asyncio
import threading
from flask import Flask, send_from_directory
from webio_desktop import STATIC_PATH
from webio_desktop.output import *
from webio_desktop.platform.flask import webio_view
from webio_desktop.platform import run_event_loop
from webio_desktop.session import run_asyncio_coroutine

async def hello_word():
    put_text('Hello ...')
    await run_asyncio_coroutine(asyncio.sleep(1))  # can't just "await asyncio.sleep(1)"
    put_text('... World!')

from webio_desktop.input import input

async def ask():
    name = await input("Your name")
    await run_asyncio_coroutine(asyncio.sleep(0.01))
    put_text("Hello, " + name)
    put_buttons(["Again"], onclick=lambda _: put_text("clicked " + name))

app = Flask(__name__)
app.add_url_rule('/hello', 'webio_view', webio_view(hello_word),
                 methods=['GET', 'POST', 'OPTIONS'])
app.add_url_rule('/ask', 'ask_view', webio_view(ask), methods=['GET', 'POST', 'OPTIONS'])

# thread to run event loop
threading.Thread(target=run_event_loop, daemon=True).start()

app.run(host='localhost', port={port})
''')
    wait_for_port(port)
    page.goto(f"http://localhost:{port}/hello")
    expect(page.get_by_text("Hello ...")).to_be_visible()
    expect(page.get_by_text("... World!")).to_be_visible()
    assert page.get_by_text("Hello ...").locator("xpath=following::*").filter(
        has_text="... World!").count() >= 1  # in order
    round_trip(page, f"http://localhost:{port}/ask")


def test_flask_start_server_runs_async_apps_without_help(run_script, page):
    port = free_port()
    run_script(f'''
from webio_desktop.input import input
from webio_desktop.output import put_text
from webio_desktop.platform.flask import start_server

async def index():
    put_text("Hello, " + await input("Your name"))

start_server(index, port={port}, host="127.0.0.1")
''')
    wait_for_port(port)
    page.goto(f"http://127.0.0.1:{port}/")
    page.get_by_label("Your name", exact=True).fill("Bo")
    page.get_by_label("Your name", exact=True).press("Enter")
    expect(page.get_by_text("Hello, Bo")).to_be_visible()


# -- Django --------------------------------------------------------------------------------------

def test_django_seed_example_under_runserver(run_script, page, tmp_path):
    port = free_port()
    # urls.py: the seed's Django sample, verbatim but for the import.
    (tmp_path / "urls.py").write_text(TASK_FUNC + '''
# urls.py
from django.urls import path
from webio_desktop.platform.django import webio_view

# `task_func` is PyWebIO task function
webio_view_func = webio_view(task_func)

urlpatterns = [
    path(r"tool", webio_view_func),
]
''')
    run_script(f'''
import django
from django.conf import settings
from django.core.management import execute_from_command_line

settings.configure(DEBUG=False, ALLOWED_HOSTS=["127.0.0.1"], ROOT_URLCONF="urls",
                   SECRET_KEY="test-only", MIDDLEWARE=[
                       "django.middleware.common.CommonMiddleware",
                       "django.middleware.csrf.CsrfViewMiddleware"])
django.setup()
execute_from_command_line(["manage.py", "runserver", "--noreload", "127.0.0.1:{port}"])
''')
    wait_for_port(port)
    round_trip(page, f"http://127.0.0.1:{port}/tool")


@pytest.mark.parametrize("cdn, base", [(False, "/"), ("/assets", "/assets/")])
def test_django_cdn_false_and_url_base_use_the_files_the_project_hosts(run_script, page,
                                                                        tmp_path, cdn, base):
    port = free_port()
    (tmp_path / "urls.py").write_text(TASK_FUNC + f'''
from django.urls import path, re_path
from django.views.static import serve
from webio_desktop import STATIC_PATH
from webio_desktop.platform.django import webio_view

urlpatterns = [
    path("tool", webio_view(task_func, cdn={cdn!r})),
    re_path(r"^{base[1:]}(?P<path>.*\\.(?:js|css|svg))$", serve, {{"document_root": STATIC_PATH}}),
]
''')
    run_script(f'''
import django
from django.conf import settings
from django.core.management import execute_from_command_line

settings.configure(DEBUG=False, ALLOWED_HOSTS=["127.0.0.1"], ROOT_URLCONF="urls",
                   SECRET_KEY="test-only")
django.setup()
execute_from_command_line(["manage.py", "runserver", "--noreload", "127.0.0.1:PORT"])
'''.replace("PORT", str(port)))
    wait_for_port(port)
    requested = round_trip(page, f"http://127.0.0.1:{port}/tool")
    # The page loads the front end from where the project hosts STATIC_PATH, not inline.
    assert f"http://127.0.0.1:{port}{base}webio.js" in requested, requested
    assert f"http://127.0.0.1:{port}{base}webio.css" in requested, requested
    assert not [u for u in requested if "_webio_static" in u]


def test_django_coroutine_app_with_run_event_loop(run_script, page, tmp_path):
    port = free_port()
    (tmp_path / "urls.py").write_text('''
import asyncio
from django.urls import path
from webio_desktop.input import input
from webio_desktop.output import put_buttons, put_text
from webio_desktop.platform.django import webio_view
from webio_desktop.session import run_asyncio_coroutine

async def task_func():
    name = await input("Your name")
    await run_asyncio_coroutine(asyncio.sleep(0.01))
    put_text("Hello, " + name)
    put_buttons(["Again"], onclick=lambda _: put_text("clicked " + name))

urlpatterns = [path("tool", webio_view(task_func))]
''')
    run_script('''
import threading
import django
from django.conf import settings
from django.core.management import execute_from_command_line
from webio_desktop.platform import run_event_loop

settings.configure(DEBUG=False, ALLOWED_HOSTS=["127.0.0.1"], ROOT_URLCONF="urls",
                   SECRET_KEY="test-only")
django.setup()
threading.Thread(target=run_event_loop, daemon=True).start()  # as the seed does for Flask
execute_from_command_line(["manage.py", "runserver", "--noreload", "127.0.0.1:PORT"])
'''.replace("PORT", str(port)))
    wait_for_port(port)
    round_trip(page, f"http://127.0.0.1:{port}/tool")


def test_django_start_server(run_script, page):
    port = free_port()
    run_script(TASK_FUNC + f'''
from webio_desktop.platform.django import start_server
start_server(task_func, port={port}, host="127.0.0.1")
''')
    wait_for_port(port)
    round_trip(page, f"http://127.0.0.1:{port}/")


# -- tornado_http and path_deploy_http -------------------------------------------------------------

def test_tornado_http_handler_in_a_tornado_app(run_script, page):
    port = free_port()
    run_script(TASK_FUNC + f'''
import tornado.ioloop
import tornado.web
from webio_desktop.platform.tornado_http import webio_handler

class MainHandler(tornado.web.RequestHandler):
    def get(self):
        self.write("Hello, world")

application = tornado.web.Application([
    (r"/", MainHandler),
    (r"/tool", webio_handler(task_func)),
])
application.listen(port={port}, address='127.0.0.1')
tornado.ioloop.IOLoop.current().start()
''')
    wait_for_port(port)
    round_trip(page, f"http://127.0.0.1:{port}/tool")


def test_tornado_http_start_server_coroutine_app(run_script, page):
    port = free_port()
    run_script(f'''
import asyncio
from webio_desktop.input import input
from webio_desktop.output import put_buttons, put_text
from webio_desktop.platform.tornado_http import start_server

async def task_func():
    name = await input("Your name")
    await asyncio.sleep(0.01)
    put_text("Hello, " + name)
    put_buttons(["Again"], onclick=lambda _: put_text("clicked " + name))

start_server(task_func, port={port}, host="127.0.0.1")
''')
    wait_for_port(port)
    round_trip(page, f"http://127.0.0.1:{port}/")


@pytest.mark.parametrize("how", ["function", "command"])
def test_path_deploy_http_serves_a_folder(run_script, page, tmp_path, how):
    from test_path_deploy import APPS

    base = tmp_path / "apps"
    for name, text in APPS.items():
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (base / "ask.py").write_text(TASK_FUNC + "\nmain = task_func\n")
    port = free_port()
    if how == "command":
        run_script(f"import sys; sys.argv = ['webio-path-deploy', '--http', {str(base)!r}, "
                   f"'-p', '{port}', '-h', '127.0.0.1']\n"
                   "from webio_desktop.platform.path_deploy import main\nmain()")
    else:
        run_script("from webio_desktop.platform import path_deploy_http\n"
                   f"path_deploy_http({str(base)!r}, port={port}, host='127.0.0.1')")
    wait_for_port(port)
    url = f"http://127.0.0.1:{port}"
    page.goto(url + "/")
    assert "hello — Hello app" in page.inner_text("body")
    page.goto(url + "/sub/deep")
    expect(page.get_by_text("deep below")).to_be_visible()
    page.goto(url + "/multi?app=other")
    expect(page.get_by_text("multi: other")).to_be_visible()
    round_trip(page, url + "/ask")
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(url + "/hello?reload")
    expect(page.get_by_text("hello from the hello app")).to_be_visible()
    assert any("_webio_static" in u for u in requested)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url + "/_private")
    assert refused.value.code == 403


# -- protocol ------------------------------------------------------------------------------------

class FlaskServer:
    """A Flask app with one webio_view at /app, on werkzeug's threaded server in this process."""

    def __init__(self, app, **view_options) -> None:
        from flask import Flask
        from werkzeug.serving import make_server

        from webio_desktop.platform.flask import webio_view

        flask_app = Flask("protocol-test")
        flask_app.add_url_rule("/app", "webio", webio_view(app, **view_options),
                               methods=["GET", "POST", "OPTIONS"])
        self.server = make_server("127.0.0.1", 0, flask_app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/app"
        self.session = ""

    def request(self, method: str, body: bytes | None = None, **headers: str
                ) -> tuple[int, dict]:
        headers = {name.replace("_", "-"): value for name, value in headers.items()}
        req = urllib.request.Request(self.url, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                status, text = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read()
        return status, (json.loads(text) if text else {})

    def start(self) -> dict:
        status, reply = self.request("POST", Webio_Session="new")
        assert status == 200, reply
        self.session = reply["session"]
        return reply

    def poll(self, ack: int) -> tuple[int, dict]:
        return self.request("GET", Webio_Session=self.session, Webio_Ack=str(ack))

    def push(self, seq: int, events: list | bytes) -> tuple[int, dict]:
        body = events if isinstance(events, bytes) else json.dumps(events).encode()
        return self.request("POST", body, Webio_Session=self.session, Webio_Seq=str(seq),
                            Content_Type="application/json")

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(10)


class TornadoHttpServer(FlaskServer):
    """The same client on ``platform.tornado_http``'s handler, in a Tornado loop of its own
    thread."""

    def __init__(self, app, **handler_options) -> None:
        import asyncio

        import tornado.httpserver
        import tornado.netutil
        import tornado.web

        from webio_desktop.platform.tornado_http import webio_handler

        (sock,) = tornado.netutil.bind_sockets(0, "127.0.0.1")
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}/app"
        self.session = ""
        self.loop = asyncio.new_event_loop()

        def serve() -> None:
            asyncio.set_event_loop(self.loop)
            tornado_app = tornado.web.Application([(r"/app", webio_handler(app, **handler_options))])
            tornado.httpserver.HTTPServer(tornado_app).add_sockets([sock])
            self.loop.run_forever()

        self.thread = threading.Thread(target=serve, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.mark.parametrize("server_class", [FlaskServer, TornadoHttpServer],
                         ids=["flask", "tornado_http"])
def test_a_close_and_a_preflight_get_204_with_no_body(server_class):
    def app():
        from webio_desktop.input import input

        input("name")

    server = server_class(app)
    try:
        server.start()
        origin = server.url.rsplit("/", 1)[0]
        status, reply = server.request("OPTIONS", Origin=origin,
                                       Access_Control_Request_Method="POST")
        assert (status, reply) == (204, {})
        status, reply = server.request("POST", b"", Webio_Session=server.session,
                                       Webio_Close="1")
        assert (status, reply) == (204, {})
        assert server.poll(0)[0] == 410  # the close was taken: the session is gone
    finally:
        server.stop()


@pytest.fixture
def flask_server():
    servers: list[FlaskServer] = []

    def start(app, **options) -> FlaskServer:
        servers.append(FlaskServer(app, **options))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def commands(reply: dict) -> list[dict]:
    return [command for _, batch in reply["batches"] for command in batch]


def test_a_retried_poll_gets_the_same_batches_again(flask_server):
    from webio_desktop.input import input
    from webio_desktop.output import put_text

    def app():
        put_text("one")
        put_text("two " + input("name"))

    server = flask_server(app)
    server.start()
    status, first = server.poll(0)
    assert status == 200 and first["batches"] and not first["closed"]
    status, again = server.poll(0)  # the reply to the first poll was "lost"
    assert again == first
    form = next(c for c in commands(first) if c["cmd"] == "form")
    assert server.push(0, [{"event": "submit", "task": form["task"],
                            "data": {"data": "x"}}]) == (200, {"ack": 1})
    last = first["batches"][-1][0]
    status, second = server.poll(last)
    assert [n for n, _ in second["batches"]] == [last + 1]
    assert any(c.get("spec", {}).get("content") == "two x" for c in commands(second))
    assert second["closed"] is True
    assert server.poll(last) == (200, second)  # lost again: still there, in full


def test_a_retried_post_is_applied_once(flask_server):
    from webio_desktop.output import put_buttons

    results = Results()

    def app():
        put_buttons(["click", "done"], onclick=lambda i: results.put(i), serial_mode=True)

    server = flask_server(app)
    server.start()
    button = next(c for c in commands(server.poll(0)[1]) if c["cmd"] == "output")
    click = {"event": "callback", "id": button["spec"]["callback"], "data": 0}
    assert server.push(0, [click]) == (200, {"ack": 1})
    assert server.push(0, [click]) == (200, {"ack": 1})  # retried: nothing new
    assert server.push(0, [click, click]) == (200, {"ack": 2})  # one old, one new
    status, gap = server.push(5, [click])
    assert status == 409 and gap["ack"] == 2
    assert server.push(2, [dict(click, data=1)]) == (200, {"ack": 3})
    assert [results.get(), results.get(), results.get()] == ["click", "click", "done"]


def test_malformed_bodies_get_400_and_the_session_goes_on(flask_server):
    from webio_desktop.output import put_buttons

    results = Results()

    def app():
        put_buttons(["click"], onclick=lambda i: results.put(i))

    server = flask_server(app)
    server.start()
    button = next(c for c in commands(server.poll(0)[1]) if c["cmd"] == "output")
    for body in (b"not json", b'{"event": "callback"}', b'[{"event": "nope"}]',
                 b'[{"event": "callback", "id": 3}]'):
        status, reply = server.push(0, body)
        assert status == 400 and reply["error"], (body, reply)
    status, reply = server.request("POST", b"[]", Webio_Session=server.session, Webio_Seq="x")
    assert status == 400 and "Webio-Seq" in reply["error"]
    status, reply = server.request("GET", Webio_Session=server.session, Webio_Ack="many")
    assert status == 400
    click = {"event": "callback", "id": button["spec"]["callback"], "data": 0}
    assert server.push(0, [click]) == (200, {"ack": 1})  # the refused bodies took no numbers
    assert results.get() == "click"


def test_unknown_sessions_and_wrong_requests(flask_server):
    server = flask_server(lambda: None)
    status, reply = server.request("GET", Webio_Session="no-such-session", Webio_Ack="0")
    assert status == 410 and "expired" in reply["error"]
    status, reply = server.request("POST", b"[]", Webio_Session="no-such-session",
                                   Webio_Seq="0")
    assert status == 410
    assert server.request("GET", Webio_Session="new")[0] == 405  # sessions start with POST
    assert server.request("POST", b"[]")[0] == 400  # no session header
    status, reply = server.request("POST", Webio_Session="new", Origin="http://evil.example")
    assert status == 403
    assert server.request("OPTIONS", Origin="http://evil.example")[0] == 403


def test_a_closed_page_ends_its_session(flask_server):
    from webio_desktop.input import input
    from webio_desktop.session import defer_call

    results = Results()

    def app():
        defer_call(lambda: results.put("deferred"))
        results.put(threading.current_thread())
        input("name")

    server = flask_server(app)
    server.start()
    thread = results.get()
    status, _ = server.request("POST", b"", Webio_Session=server.session, Webio_Close="1")
    assert status == 204
    assert results.get() == "deferred"
    thread.join(10)
    assert not thread.is_alive()
    assert server.poll(0)[0] == 410


def test_an_idle_session_expires(flask_server):
    from webio_desktop.exceptions import SessionClosedException
    from webio_desktop.input import input
    from webio_desktop.session import defer_call

    results = Results()

    def app():
        defer_call(lambda: results.put("deferred"))
        results.put(threading.current_thread())
        try:
            input("name")
        except SessionClosedException:
            results.put("closed")

    server = flask_server(app, session_expire_seconds=1, session_cleanup_interval=0.2)
    server.start()
    thread = results.get()
    assert server.poll(0)[0] == 200  # the page's last sign of life
    assert sorted([results.get(), results.get()]) == ["closed", "deferred"]
    thread.join(10)
    assert not thread.is_alive()
    status, reply = server.poll(1)
    assert status == 410 and "expired" in reply["error"]


def test_a_page_answers_its_polls_while_alive(flask_server, page):
    """A page that keeps polling is never expired, however short the expiry."""
    from webio_desktop.input import input
    from webio_desktop.output import put_text

    def app():
        put_text("Hello, " + input("Your name"))

    server = flask_server(app, session_expire_seconds=1, session_cleanup_interval=0.2)
    page.goto(server.url)
    field = page.get_by_label("Your name", exact=True)
    expect(field).to_be_visible()
    # Several sweeps pass while the page waits in its long poll.
    page.wait_for_timeout(2500)
    field.fill("Cy")
    field.press("Enter")
    expect(page.get_by_text("Hello, Cy")).to_be_visible()


def test_importing_webio_desktop_imports_no_framework():
    code = ("import sys, webio_desktop, webio_desktop.platform, webio_desktop.output\n"
            "print(sorted(m for m in ('flask', 'django', 'werkzeug') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout.strip()
    assert out == "[]"


def test_session_info_names_the_backend(flask_server):
    results = Results()

    def app():
        from webio_desktop.session import info
        results.put((info.backend, info.protocol, info.user_ip, type(info.request).__name__))

    server = flask_server(app)
    server.start()
    assert results.get() == ("flask", "http", "127.0.0.1", "Request")
    wait_until(lambda: server.poll(0)[1].get("closed"), what="the session to end")


# -- deployment: several processes behind nginx ----------------------------------------------------

def test_sticky_routing_behind_nginx_keeps_http_sessions(run_script, page):
    """Two tornado_http processes behind Debian's nginx: with ip_hash every request of a page
    reaches the process holding its session; with round robin the session is lost (410)."""
    from deploy import Nginx

    ports = [free_port(), free_port()]
    for port in ports:
        run_script(TASK_FUNC + f'''
import os
from webio_desktop.output import put_text
from webio_desktop.platform.tornado_http import start_server

def index():
    put_text("process " + str(os.getpid()))
    task_func()

start_server(index, port={port}, host="127.0.0.1")
''')
    for port in ports:
        wait_for_port(port)
    with Nginx(ports, balance="ip_hash") as proxy:
        round_trip(page, proxy.url)
        expect(page.get_by_text("process ")).to_have_count(1)
    with Nginx(ports) as proxy:  # round robin: the next request goes to the other process
        request = urllib.request.Request(proxy.url, method="POST",
                                         headers={"Webio-Session": "new"})
        with urllib.request.urlopen(request, timeout=10) as response:
            session = json.loads(response.read())["session"]
        statuses = []
        for _ in range(2):
            poll = urllib.request.Request(proxy.url, headers={"Webio-Session": session,
                                                              "Webio-Ack": "0"})
            try:
                with urllib.request.urlopen(poll, timeout=30) as response:
                    statuses.append(response.status)
            except urllib.error.HTTPError as exc:
                statuses.append(exc.code)
        assert 410 in statuses, statuses
