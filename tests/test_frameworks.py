"""webio_handler / webio_routes embedded in real Tornado, aiohttp, FastAPI and Starlette servers.

Each framework runs the seed's integration sample (imports changed to webio_desktop, port
changed) in a child process on 127.0.0.1, plus a few more routes: a coroutine app, the
``cdn=False`` and string ``cdn`` ways of hosting the front end, and reconnectable apps.
Headless Chromium drives the pages; reconnects go through a relay the test cuts.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import ROOT, free_port, wait_for_port, wait_until
from deploy import Relay

pytestmark = pytest.mark.timeout(120)

APPS = '''
import asyncio, os, sys, time
from webio_desktop import STATIC_PATH
from webio_desktop.input import input
from webio_desktop.output import put_text
from webio_desktop.session import info

PORT = int(sys.argv[1])

def task_func():
    put_text("thread app on", info.backend, "pid", os.getpid())
    name = input("Your name")
    put_text("Hello", name)

async def async_func():
    put_text("coroutine app on", info.backend, "pid", os.getpid())
    name = await input("Your name")
    await asyncio.sleep(0.01)
    put_text("Hi", name)

def reconnect_app():
    put_text("session started")
    input("Name")
    for i in range(20):
        put_text(f"tick {i}")
        time.sleep(0.1)
    put_text("again:", input("Again"))

async def reconnect_coro():
    put_text("session started")
    await input("Name")
    for i in range(20):
        put_text(f"tick {i}")
        await asyncio.sleep(0.1)
    put_text("again:", await input("Again"))
'''

# The seed's samples, verbatim but for imports (pywebio -> webio_desktop) and host/port; the
# extra routes come after them.
SERVERS = {
    "tornado": '''
import tornado.ioloop
import tornado.web
from webio_desktop.platform.tornado import webio_handler

class MainHandler(tornado.web.RequestHandler):
    def get(self):
        self.write("Hello, world")

if __name__ == "__main__":
    application = tornado.web.Application([
        (r"/", MainHandler),
        (r"/tool", webio_handler(task_func)),  # `task_func` is PyWebIO task function
    ])
    application.add_handlers(r".*", [
        (r"/coro", webio_handler(async_func)),
        (r"/offline/tool", webio_handler(task_func, cdn=False)),
        (r"/offline/(.*)", tornado.web.StaticFileHandler, {"path": STATIC_PATH}),
        (r"/strcdn", webio_handler(task_func, cdn="/assets/")),
        (r"/assets/(.*)", tornado.web.StaticFileHandler, {"path": STATIC_PATH}),
        (r"/re", webio_handler(reconnect_app, reconnect_timeout=30)),
        (r"/recoro", webio_handler(reconnect_coro, reconnect_timeout=30)),
    ])
    application.listen(port=PORT, address='127.0.0.1')
    tornado.ioloop.IOLoop.current().start()
''',
    "aiohttp": '''
from aiohttp import web
from webio_desktop.platform.aiohttp import webio_handler, static_routes

app = web.Application()
# `task_func` is PyWebIO task function
app.add_routes([web.get('/tool', webio_handler(task_func))])
app.add_routes([web.get('/', lambda request: web.Response(text="Hello, world"))])
app.add_routes([web.get('/coro', webio_handler(async_func))])
app.add_routes([web.get('/offline/tool', webio_handler(task_func, cdn=False))])
app.add_routes(static_routes('/offline/'))
app.add_routes([web.get('/strcdn', webio_handler(task_func, cdn='/assets/'))])
app.add_routes([web.static('/assets', STATIC_PATH)])
app.add_routes([web.get('/re', webio_handler(reconnect_app, reconnect_timeout=30))])
app.add_routes([web.get('/recoro', webio_handler(reconnect_coro, reconnect_timeout=30))])
web.run_app(app, host='127.0.0.1', port=PORT)
''',
    "fastapi": '''
from fastapi import FastAPI
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from webio_desktop.platform.fastapi import webio_routes

app = FastAPI()

@app.get("/")
def read_main():
    return {"message": "Hello World from main app"}

# `task_func` is PyWebIO task function
app.mount("/tool", FastAPI(routes=webio_routes(task_func)))
app.mount("/coro", FastAPI(routes=webio_routes(async_func)))
app.mount("/offline/tool", FastAPI(routes=webio_routes(task_func, cdn=False)
                                   + [Mount("/", StaticFiles(directory=STATIC_PATH))]))
app.mount("/strcdn", FastAPI(routes=webio_routes(task_func, cdn="/assets/")))
app.mount("/assets", StaticFiles(directory=STATIC_PATH))
app.mount("/re", FastAPI(routes=webio_routes(reconnect_app, reconnect_timeout=30)))
app.mount("/recoro", FastAPI(routes=webio_routes(reconnect_coro, reconnect_timeout=30)))

import uvicorn
uvicorn.run(app, host="127.0.0.1", port=PORT, log_level="warning")
''',
    "starlette": '''
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route, Mount
from starlette.staticfiles import StaticFiles
from webio_desktop.platform.fastapi import webio_routes

async def homepage(request):
    return JSONResponse({'hello': 'world'})

app = Starlette(routes=[
    Route('/', homepage),
    Mount('/tool', routes=webio_routes(task_func)),  # `task_func` is PyWebIO task function
    Mount('/coro', routes=webio_routes(async_func)),
    Mount('/offline/tool', routes=webio_routes(task_func, cdn=False)
          + [Mount('/', StaticFiles(directory=STATIC_PATH))]),
    Mount('/strcdn', routes=webio_routes(task_func, cdn='/assets/')),
    Mount('/assets', StaticFiles(directory=STATIC_PATH)),
    Mount('/re', routes=webio_routes(reconnect_app, reconnect_timeout=30)),
    Mount('/recoro', routes=webio_routes(reconnect_coro, reconnect_timeout=30)),
])

import uvicorn
uvicorn.run(app, host="127.0.0.1", port=PORT, log_level="warning")
''',
}
BACKEND = {"tornado": "tornado", "aiohttp": "aiohttp", "fastapi": "starlette",
           "starlette": "starlette"}


class FrameworkServer:
    def __init__(self, name: str, tmp) -> None:
        self.name = name
        self.port = free_port()
        script = tmp / f"{name}_server.py"
        script.write_text(textwrap.dedent(APPS) + textwrap.dedent(SERVERS[name]))
        self.log = open(tmp / f"{name}.log", "w+")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen([sys.executable, str(script), str(self.port)], cwd=tmp,
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env)
        wait_for_port(self.port, 30)

    def url(self, path: str) -> str:
        """Mounted ASGI apps live under ``path/`` (Starlette redirects ``path`` there)."""
        slash = "/" if self.name in ("fastapi", "starlette") and path != "/" else ""
        return f"http://127.0.0.1:{self.port}{path}{slash}"

    def stop(self) -> str:
        self.proc.kill()
        self.proc.wait(10)
        self.log.seek(0)
        return self.log.read()


@pytest.fixture(scope="module", params=list(SERVERS))
def fw(request, tmp_path_factory):
    server = FrameworkServer(request.param, tmp_path_factory.mktemp(request.param))
    yield server
    output = server.stop()
    assert "Traceback" not in output, output


def asset_requests(page) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url) if r.resource_type in
            ("script", "stylesheet") else None)
    return seen


def submit(page, value: str) -> None:
    field = page.locator("#webio-input input:not([disabled])").last
    field.fill(value)
    field.press("Enter")


def test_seed_sample_serves_its_own_route_and_the_app(fw, page):
    import urllib.request

    home = urllib.request.urlopen(fw.url("/")).read().decode()
    assert "Hello" in home or "hello" in home
    assets = asset_requests(page)
    page.goto(fw.url("/tool"))
    page.get_by_text(f"thread app on {BACKEND[fw.name]} pid").wait_for()
    submit(page, "Ada")
    page.get_by_text("Hello Ada").wait_for()
    # The page carried the front end inline: no script or style to fetch, no route to add.
    assert assets == [], assets
    assert not page.js_errors


def test_coroutine_app_runs_on_the_frameworks_loop(fw, page):
    page.goto(fw.url("/coro"))
    page.get_by_text(f"coroutine app on {BACKEND[fw.name]} pid").wait_for()
    submit(page, "Bo")
    page.get_by_text("Hi Bo").wait_for()
    assert not page.js_errors


def test_cdn_false_loads_the_front_end_hosted_next_to_the_handler(fw, page):
    assets = asset_requests(page)
    page.goto(fw.url("/offline/tool"))
    page.get_by_text("thread app on").wait_for()
    submit(page, "Cy")
    page.get_by_text("Hello Cy").wait_for()
    folder = fw.url("/offline/tool").rsplit("/", 1)[0] + "/"
    assert f"{folder}webio.js" in assets, assets
    assert all(url.startswith(folder) and "_webio_static" not in url for url in assets)


def test_cdn_string_is_the_front_end_base_url(fw, page):
    assets = asset_requests(page)
    page.goto(fw.url("/strcdn"))
    page.get_by_text("thread app on").wait_for()
    submit(page, "Di")
    page.get_by_text("Hello Di").wait_for()
    base = f"http://127.0.0.1:{fw.port}/assets/"
    assert f"{base}webio.js" in assets and all(url.startswith(base) for url in assets), assets


@pytest.mark.parametrize("path", ["/re", "/recoro"])
def test_a_dropped_socket_reconnects_and_no_output_is_lost(fw, page, path):
    relay = Relay(fw.port)
    try:
        page.goto(relay.url + fw.url(path).split(str(fw.port), 1)[1])
        page.get_by_text("session started").wait_for()
        submit(page, "go")
        page.get_by_text("tick 3", exact=True).wait_for()
        connections = relay.accepted
        relay.blackhole()  # frames the server sends now never arrive...
        time.sleep(0.5)  # (a few ticks' worth; not a timing assertion)
        relay.cut()  # ...then the socket drops, while the app keeps producing output
        page.get_by_text("tick 19", exact=True).wait_for(timeout=20_000)
        submit(page, "still here")
        page.get_by_text("again: still here").wait_for()
        ticks = [t for t in page.locator("#pywebio-scope-ROOT > *").all_inner_texts()
                 if t.startswith("tick")]
        assert ticks == [f"tick {i}" for i in range(20)]  # each once, in order
        assert page.get_by_text("session started").count() == 1  # the same session went on
        assert relay.accepted > connections  # it really came back over a new connection
        assert page.get_by_text("Reconnecting").count() == 0  # the notice went away
        assert not page.js_errors
    finally:
        relay.close()


def ws_url(fw, path: str, query: str) -> str:
    return fw.url(path).replace("http://", "ws://") + query


def test_socket_refuses_foreign_origins_and_unknown_sessions(fw):
    import asyncio

    import websockets

    async def check() -> None:
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with websockets.connect(ws_url(fw, "/tool", "?app=index"),
                                          origin="http://evil.example"):
                pass
        assert refused.value.response.status_code == 403
        # A page coming back to a session the server no longer has is told it ended.
        async with websockets.connect(ws_url(fw, "/re", "?app=index&resume=1")) as ws:
            await ws.send('{"event": "resume", "token": "gone", "frames": 3}')
            assert await ws.recv() == '[{"cmd":"close"}]'
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.recv()
            assert closed.value.rcvd.code == 4410

    # Playwright's sync API keeps an event loop in this thread: run the client in another one.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, check()).result(30)


def test_importing_webio_desktop_imports_no_framework():
    code = ("import sys, webio_desktop, webio_desktop.platform, webio_desktop.output, "
            "webio_desktop.input, webio_desktop.session, webio_desktop.pin\n"
            "print(sorted(m for m in ('aiohttp', 'fastapi', 'starlette', 'uvicorn', 'flask', "
            "'django') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True).stdout
    assert out.strip() == "[]"


def test_a_session_whose_page_does_not_come_back_closes_after_the_timeout(serve, page):
    import threading

    from webio_desktop.output import put_text
    from webio_desktop.session import defer_call, hold

    deferred = threading.Event()

    def app():
        defer_call(deferred.set)
        put_text("waiting")
        hold()

    server = serve(app, reconnect_timeout=1)
    relay = Relay(server.server.port)
    page.goto(relay.url + "/")
    page.get_by_text("waiting").wait_for()
    (session,) = server.options.sessions
    relay.close()  # the page can neither keep nor reopen its socket
    page.get_by_text("Reconnecting").wait_for()
    assert not deferred.is_set()  # the session waits for its page first...
    wait_until(deferred.is_set, 15, what="defer_call after reconnect_timeout")
    assert session.closed and not server.options.links  # ...then closes and is forgotten
    page.get_by_text("Could not reconnect").wait_for(timeout=15_000)
