"""Prerendering (server/prerender.py): the page request starts the app, the page carries its
first screen, the page's socket attaches to the running session. Real Chromium, real servers."""
from __future__ import annotations

import asyncio
import json
import re
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import tornado.websocket

from conftest import free_port, wait_for_port, wait_until
from webio_desktop.input import input as ask
from webio_desktop.output import put_text
from webio_desktop.session import defer_call

FIRST_FRAME = re.compile(r'<script type="application/json" id="webio-first-frame">(.*?)</script>',
                         re.S)
CONFIG = re.compile(r'<script type="application/json" id="webio-config">(.*?)</script>', re.S)


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def first_frame(html: str) -> list[dict] | None:
    match = FIRST_FRAME.search(html)
    return None if match is None else json.loads(match.group(1))


def attach_secret(html: str) -> str | None:
    return json.loads(CONFIG.search(html).group(1)).get("attach")


def texts(frame: list[dict]) -> list[str]:
    return [c["spec"]["content"] for c in frame if c["cmd"] == "output"]


RUNS: list[int] = []


def greet_app():
    RUNS.append(1)
    put_text("first screen")
    name = ask("Your name")
    put_text(f"hello {name}")


def test_first_output_is_in_the_page_and_input_works_after_attach(serve, page):
    server = serve(greet_app, prerender=True)
    RUNS.clear()
    response = page.goto(server.url)
    frame = first_frame(response.text())
    assert frame is not None and texts(frame) == ["first screen"]
    assert [c["cmd"] for c in frame][-1] == "form"  # cut where the app first waits
    page.wait_for_selector("text=first screen")
    page.fill("input[type=text]", "Ada")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=hello Ada")
    assert len(RUNS) == 1  # the socket attached to the page's session; no second one
    assert page.locator("text=first screen").count() == 1
    assert not page.js_errors


def loop_app():
    for i in range(150):
        put_text(f"line {i}")
        time.sleep(0.004)  # ~0.6 s in all: far past the prerender budget
    put_text("DONE")
    ask("again?")


def shown_lines(page) -> list[str]:
    return page.eval_on_selector_all(
        "#pywebio-scope-ROOT > *", "nodes => nodes.map(n => n.textContent)")


def test_output_across_the_cut_is_shown_once_in_order(serve, page):
    server = serve(loop_app, prerender=True)
    response = page.goto(server.url)
    embedded = texts(first_frame(response.text()))
    assert embedded and embedded[0] == "line 0" and "DONE" not in embedded  # cut mid-loop
    page.wait_for_selector("text=DONE")
    assert shown_lines(page) == [f"line {i}" for i in range(150)] + ["DONE"]


def test_a_reconnect_after_attach_counts_the_embedded_frame(serve, page):
    """The embedded frame is frame 1 on both sides: a socket dropped mid-stream comes back with
    ?ack=K and gets exactly the frames after K (one off would repeat or lose a line)."""
    server = serve(loop_app, prerender=True, reconnect_timeout=10)
    page.goto(server.url)
    page.wait_for_selector("text=line 60")
    link = next(iter(server.options.links.values()))
    server.server.loop.add_callback(lambda: link.peer.close())  # the socket drops
    page.wait_for_selector("text=DONE", timeout=20_000)
    assert shown_lines(page)[:151] == [f"line {i}" for i in range(150)] + ["DONE"]


def test_a_page_never_attached_closes_its_session_and_runs_defer_call(serve):
    deferred = threading.Event()

    def app():
        defer_call(deferred.set)
        put_text("nobody looks")
        ask("never answered")

    server = serve(app, prerender=True, attach_timeout=1)
    html = fetch(server.url)  # a prefetcher: no socket follows
    assert texts(first_frame(html)) == ["nobody looks"]
    assert deferred.wait(15), "defer_call did not run"
    wait_until(lambda: all(s.closed for s in server.options.sessions))
    assert not server.options.attaching


async def attach(url: str, secret: str) -> tuple[list, int | None]:
    """A socket attaching with ``secret``: the frames it got and its close code."""
    ws = await tornado.websocket.websocket_connect(
        url.replace("http://", "ws://") + "?resume=1")
    await ws.write_message(json.dumps({"event": "resume", "token": secret, "frames": 1}))
    frames = []
    while True:
        message = await asyncio.wait_for(ws.read_message(), 10)
        if message is None:
            return frames, ws.close_code
        frames.append(json.loads(message))


def test_a_replayed_or_made_up_attach_secret_is_refused(serve, page):
    server = serve(greet_app, prerender=True)
    response = page.goto(server.url)
    secret = attach_secret(response.text())
    page.wait_for_selector("text=first screen")
    wait_until(lambda: not server.options.attaching)  # the page's socket took it
    session = next(iter(server.options.sessions))
    assert secret and secret != session.id and session.id not in response.text()
    for forged in (secret, "made-up"):
        with ThreadPoolExecutor(1) as pool:  # (Playwright's loop runs in this thread)
            frames, code = pool.submit(asyncio.run, attach(server.url, forged)).result()
        assert code == 4410 and frames == [[{"cmd": "close"}]]
    page.fill("input[type=text]", "Bo")  # the real page is unaffected
    page.keyboard.press("Enter")
    page.wait_for_selector("text=hello Bo")


START_SERVER_APP = """
import itertools, sys
from webio_desktop import start_server
from webio_desktop.input import input
from webio_desktop.output import put_text

runs = itertools.count(1)

def index():
    put_text(f"run {{next(runs)}}")
    put_text("hello " + input("name"))

start_server(index, port=int(sys.argv[1]), host="127.0.0.1"{extra})
"""


def test_start_server_does_not_prerender_by_default(run_script, page):
    port = free_port()
    run_script(START_SERVER_APP.format(extra=""), str(port))
    wait_for_port(port)
    url = f"http://127.0.0.1:{port}/"
    html = fetch(url)
    assert first_frame(html) is None and attach_secret(html) is None
    page.goto(url)
    page.wait_for_selector("text=run 1")  # the GET above started no session


def test_start_server_prerender_opt_in(run_script, page):
    port = free_port()
    run_script(START_SERVER_APP.format(extra=", prerender=True"), str(port))
    wait_for_port(port)
    url = f"http://127.0.0.1:{port}/"
    response = page.goto(url)
    assert texts(first_frame(response.text())) == ["run 1"]
    page.wait_for_selector("text=run 1")
    page.fill("input[type=text]", "Cy")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=hello Cy")


def test_a_coroutine_app_is_prerendered_too(serve, page):
    async def app():
        put_text("async first screen")
        name = await ask("Your name")
        put_text(f"hi {name}")

    server = serve(app, prerender=True)
    response = page.goto(server.url)
    assert texts(first_frame(response.text())) == ["async first screen"]
    page.fill("input[type=text]", "Di")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=hi Di")


# Records when the page made each WebSocket and the first frame rendered with `text` in it
# (a rAF callback runs right before its frame is painted).
SOCKET_PROBE = """
window.probe = { sockets: [], shown: null, loaded: null };
const Native = window.WebSocket;
window.WebSocket = class extends Native {
  constructor(...args) { super(...args); window.probe.sockets.push(performance.now()); }
};
const watch = () => {
  if (document.getElementById('pywebio-scope-ROOT')?.textContent.includes(%s)) {
    window.probe.shown = performance.now();
  } else {
    requestAnimationFrame(watch);
  }
};
requestAnimationFrame(watch);
addEventListener('DOMContentLoaded', () => { window.probe.loaded = performance.now(); });
"""


def test_a_prerendered_page_opens_its_socket_after_its_first_screen_is_painted(serve, page):
    """Making a socket costs WebKitGTK 2-14 ms: a prerendered page shows its first screen
    first (webio.js, afterFirstPaint), then attaches."""
    server = serve(greet_app, prerender=True)
    page.add_init_script(SOCKET_PROBE % json.dumps("first screen"))
    page.goto(server.url)
    page.fill("input[type=text]", "Ada")  # the socket attached: the form works
    page.keyboard.press("Enter")
    page.wait_for_selector("text=hello Ada")
    probe = page.evaluate("window.probe")
    assert probe["shown"] is not None and len(probe["sockets"]) == 1, probe
    assert probe["sockets"][0] > probe["shown"], probe
    assert not page.js_errors


def test_a_prerendered_page_that_paints_no_frame_still_attaches(serve, page):
    """A window started hidden or minimized paints nothing; its page attaches all the same."""
    server = serve(greet_app, prerender=True)
    page.add_init_script("window.requestAnimationFrame = () => 0;")  # no frame ever comes
    page.goto(server.url)
    page.wait_for_selector("text=first screen")
    page.fill("input[type=text]", "Bo")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=hello Bo")
    assert not page.js_errors


def test_a_page_without_a_first_screen_opens_its_socket_while_it_loads(serve, page):
    """Not prerendered: the head script opens the socket before the front end has run, so
    the app starts while the page is still loading (page.py, EARLY_SOCKET)."""
    server = serve(greet_app)
    page.add_init_script(SOCKET_PROBE % json.dumps("first screen"))
    page.goto(server.url)
    page.wait_for_selector("text=first screen")
    probe = page.evaluate("window.probe")
    assert len(probe["sockets"]) == 1 and probe["loaded"] is not None, probe
    assert probe["sockets"][0] < probe["loaded"], probe
