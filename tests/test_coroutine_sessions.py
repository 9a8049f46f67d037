"""Coroutine sessions: ``async def`` apps on the server's event loop, with plain asyncio."""
import asyncio
import collections.abc
import functools
import gc
import inspect
import json
import logging
import queue
import threading
import time
import warnings
import weakref

import pytest
from websockets.sync.client import connect

from conftest import Results, _Crash, wait_until
from webio_desktop.exceptions import SessionClosedException, SessionNotFoundException
from webio_desktop.input import (actions, checkbox, file_upload, input_group, radio, select, slider,
                                 textarea)
from webio_desktop.input import input as ask
from webio_desktop.output import put_buttons, put_text
from webio_desktop.session import (defer_call, eval_js, get_current_session, hold, run_async,
                                   run_asyncio_coroutine)
from webio_desktop.sessions.coroutine import TaskHandler


def on_loop(server, func):
    """Run ``func()`` on the server's event loop and return its result."""
    async def call():
        return func()
    loop = server.server.loop.asyncio_loop
    return asyncio.run_coroutine_threadsafe(call(), loop).result(10)


def loop_tasks(server) -> int:
    """Tasks on the server's loop, not counting the one that counts."""
    return on_loop(server, lambda: len(asyncio.all_tasks()) - 1)


def async_app(results: Results, func):
    """Like ``Results.app`` for an ``async def`` app: a crash fails the test at once."""
    @functools.wraps(func)
    async def wrapper():
        try:
            await func()
        except BaseException as exc:
            results.put(_Crash(exc))
            raise
    return wrapper


def submit(page, label, text):
    page.get_by_label(label).fill(text)
    page.get_by_label(label).press("Enter")


def test_async_app_awaits_inputs_and_asyncio(page, serve):
    async def app():
        put_text("Hello ...")
        await asyncio.sleep(0.05)
        name, answer = await asyncio.gather(ask("Name"), eval_js("20 + 22"))
        put_text(f"{name} {answer}")

    server = serve(app)
    page.goto(server.url)
    page.get_by_text("Hello ...").wait_for()
    submit(page, "Name", "Ada")
    page.get_by_text("Ada 42").wait_for()


# ---- the seed's examples, verbatim but for the imports -------------------------------------

def test_seed_say_hello(page, serve):
    from webio_desktop.input import input

    async def say_hello():
        name = await input("what's your name?")
        put_text('Hello, %s' % name)

    page.goto(serve(say_hello).url)
    submit(page, "what's your name?", "Grace")
    page.get_by_text("Hello, Grace").wait_for()


def test_seed_hello_word(page, serve):
    async def hello_word():
        put_text('Hello ...')
        await asyncio.sleep(1)  # await awaitable objects in asyncio
        put_text('... World!')

    async def main():
        await hello_word()  # await coroutine
        put_text('Bye, bye')

    page.goto(serve(main).url)
    page.get_by_text("Bye, bye").wait_for()
    texts = page.locator("#pywebio-scope-ROOT").inner_text().split("\n")
    assert [t for t in texts if t] == ["Hello ...", "... World!", "Bye, bye"]


def test_seed_counter_outlives_main(page, serve):
    sessions = []

    async def counter(n):
        for i in range(n):
            put_text(i)
            await asyncio.sleep(1)

    async def main():
        sessions.append(get_current_session())
        run_async(counter(10))
        put_text('Main coroutine function exited.')

    page.goto(serve(main).url)
    page.get_by_text("Main coroutine function exited.").wait_for()
    page.get_by_text("9", exact=True).wait_for(timeout=20_000)
    texts = [t for t in page.locator("#pywebio-scope-ROOT").inner_text().split("\n") if t]
    # the new task starts at the loop's next turn, after main's own output
    assert texts == ["Main coroutine function exited.", *map(str, range(10))]
    wait_until(lambda: sessions[0].closed, 5, what="the session ends after the counter")


# ---- mixed apps, awaitables ----------------------------------------------------------------

def test_sync_and_async_apps_in_one_server(page, browser, serve):
    kinds: queue.Queue = queue.Queue()

    def plain():
        kinds.put(type(get_current_session()).__name__)
        put_text("plain says " + ask("Plain"))

    async def fancy():
        kinds.put(type(get_current_session()).__name__)
        put_text("fancy says " + await ask("Fancy"))

    server = serve({"index": plain, "fancy": fancy})
    other = browser.new_page()
    page.goto(server.url)
    other.goto(server.url + "?app=fancy")
    submit(other, "Fancy", "b")
    submit(page, "Plain", "a")
    page.get_by_text("plain says a").wait_for()
    other.get_by_text("fancy says b").wait_for()
    assert sorted([kinds.get(timeout=5), kinds.get(timeout=5)]) == ["CoroutineSession",
                                                                     "ThreadSession"]
    other.close()


def test_waiting_calls_return_asyncio_awaitables_and_outputs_are_plain(page, serve):
    results = Results()

    async def app():
        calls = {"input": ask("A"), "input_group": input_group("G", [ask("x", name="x")]),
                 "textarea": textarea("T"), "select": select("S", ["a"]),
                 "checkbox": checkbox("C", ["a"]), "radio": radio("R", ["a"]),
                 "slider": slider("Sl"), "actions": actions("Act", ["go"]),
                 "file_upload": file_upload("F"),
                 "eval_js": eval_js("1"), "hold": hold(),
                 "run_asyncio_coroutine": run_asyncio_coroutine(asyncio.sleep(0))}
        kinds = {}
        for name, call in calls.items():
            kinds[name] = (inspect.isawaitable(call) and asyncio.iscoroutine(call)
                           and isinstance(call, collections.abc.Coroutine))
            call.close()  # dropped on purpose
        results.put(kinds)
        results.put(put_text("plain") is not None and not inspect.isawaitable(put_text("x")))
        results.put(await run_asyncio_coroutine(asyncio.sleep(0.01, result="slept")))

    page.goto(serve(async_app(results, app)).url)
    assert results.get() == dict.fromkeys(
        ["input", "input_group", "textarea", "select", "checkbox", "radio", "slider", "actions",
         "file_upload", "eval_js", "hold", "run_asyncio_coroutine"], True)
    assert results.get() is True
    assert results.get() == "slept"


def test_forgotten_await_warns_with_the_callers_file_and_line(page, serve):
    results = Results()

    async def app():
        line = inspect.currentframe().f_lineno + 1
        ask("Forgotten")  # no await: must not be a silent no-op
        results.put(line)
        put_text("after " + await ask("Remembered"))

    with pytest.warns(RuntimeWarning) as record:
        page.goto(serve(async_app(results, app)).url)
        line = results.get()
        submit(page, "Remembered", "ok")
        page.get_by_text("after ok").wait_for()
    messages = [str(w.message) for w in record if "never awaited" in str(w.message)]
    assert len(messages) == 1, messages
    assert f"input() was never awaited (called at {__file__}:{line})" in messages[0]
    assert "write `await` before the call" in messages[0]
    warned = next(w for w in record if "never awaited" in str(w.message))
    assert (warned.filename, warned.lineno) == (__file__, line)
    assert page.get_by_label("Forgotten").count() == 0  # never shown


# ---- run_async, run_asyncio_coroutine, callbacks -------------------------------------------

def test_run_async_returns_a_task_handler(page, serve):
    results = Results()

    async def ticker():
        while True:
            await asyncio.sleep(0.01)

    async def app():
        handler = run_async(ticker())
        results.put((type(handler) is TaskHandler, handler.closed()))
        await asyncio.sleep(0.05)
        handler.close()
        await asyncio.sleep(0)
        results.put(handler.closed())
        quick = run_async(asyncio.sleep(0.01))
        await asyncio.sleep(0.1)
        results.put(quick.closed())
        put_text("done")

    page.goto(serve(async_app(results, app)).url)
    assert results.get() == (True, False)
    assert results.get() is True
    assert results.get() is True
    page.get_by_text("done").wait_for()


def test_plain_and_async_callbacks(page, serve):
    events: queue.Queue = queue.Queue()

    def plain(_):
        events.put(("plain", threading.current_thread().name,
                    asyncio.get_running_loop() is not None))
        put_text("plain ran")

    async def slow(tag):
        events.put(("start", tag))
        await asyncio.sleep(1.5)  # long enough for a second click to arrive meanwhile
        put_text(f"{tag} finished")
        events.put(("end", tag))

    async def app():
        put_buttons(["Plain"], onclick=plain)
        put_buttons(["Free"], onclick=lambda _: slow("free"))
        put_buttons(["Mutex"], onclick=slow, mutex_mode=True)

    server = serve(app)
    page.goto(server.url)
    page.get_by_role("button", name="Plain").click()
    assert events.get(timeout=5) == ("plain", "test-server", True)  # on the loop's thread
    page.get_by_text("plain ran").wait_for()

    def clicks(name):
        page.get_by_role("button", name=name).click()
        page.get_by_role("button", name=name).click()
        return [events.get(timeout=5)[0] for _ in range(4)]

    assert clicks("Free") == ["start", "start", "end", "end"]  # tasks run concurrently
    assert clicks("Mutex") == ["start", "end", "start", "end"]  # awaited one at a time
    page.get_by_text("Mutex finished").nth(1).wait_for()


# ---- asyncio's own tools -------------------------------------------------------------------

def test_gather_wait_for_shield_create_task_and_task_group(page, serve):
    results = Results()

    async def app():
        try:
            await asyncio.wait_for(ask("Too slow"), 3)  # long enough for a loaded machine to show it first
        except asyncio.TimeoutError:
            put_text("timed out")
        shielded = await asyncio.shield(ask("Shielded"))
        task = asyncio.create_task(ask("Tasked"))
        tasked = await task
        async with asyncio.TaskGroup() as group:
            first = group.create_task(ask("First"))
            two = group.create_task(eval_js("1 + 1"))
        a, b = await asyncio.gather(ask("Left"), ask("Right"))
        put_text(f"{shielded} {tasked} {first.result()} {two.result()} {a} {b}")

    page.goto(serve(async_app(results, app)).url)
    page.get_by_label("Too slow").wait_for()
    page.get_by_text("timed out").wait_for()
    assert page.get_by_label("Too slow").count() == 0  # the cancelled form left the page
    submit(page, "Shielded", "s")
    submit(page, "Tasked", "t")
    submit(page, "First", "f")
    page.get_by_label("Right").wait_for()
    submit(page, "Right", "r")
    submit(page, "Left", "l")
    page.get_by_text("s t f 2 l r").wait_for()


# ---- close of session ----------------------------------------------------------------------

def test_closing_the_page_throws_into_the_pending_await(page, serve):
    events: queue.Queue = queue.Queue()

    async def app():
        defer_call(lambda: events.put("deferred"))
        try:
            await ask("Waiting")
        except SessionClosedException:
            events.put("closed")
        try:
            put_text("too late")
        except SessionNotFoundException:
            events.put("later call raised SessionNotFoundException")

    server = serve(app)
    page.goto(server.url)
    page.get_by_label("Waiting").wait_for()
    page.close()
    got = {events.get(timeout=5) for _ in range(3)}
    assert got == {"deferred", "closed", "later call raised SessionNotFoundException"}
    wait_until(lambda: not server.options.sessions)


def test_closing_cancels_every_task_of_the_session(page, serve, caplog):
    events: queue.Queue = queue.Queue()

    async def forever(name):
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            events.put(f"{name} cancelled")
            raise

    async def app():
        asyncio.create_task(forever("create_task"))
        run_async(forever("run_async"))
        put_buttons(["Spawn"], onclick=lambda _: forever("callback"))
        events.put("ready")
        await hold()

    server = serve(app)
    baseline = loop_tasks(server)
    page.goto(server.url)
    assert events.get(timeout=5) == "ready"
    page.get_by_role("button", name="Spawn").click()
    wait_until(lambda: loop_tasks(server) >= baseline + 4, what="app, 2 tasks, callback")
    page.context.close()  # with its keep-alive HTTP connections (tasks of their own)
    got = {events.get(timeout=5) for _ in range(3)}
    assert got == {"create_task cancelled", "run_async cancelled", "callback cancelled"}
    wait_until(lambda: loop_tasks(server) == baseline, what="tasks back to baseline")
    gc.collect()
    assert "destroyed but it is pending" not in caplog.text


def test_thread_in_a_coroutine_session_gets_a_clear_error(page, serve):
    results = Results()

    async def app():
        def work():
            try:
                put_text("from a thread")
            except Exception as exc:  # noqa: BLE001 - report whatever it is
                results.put(f"{type(exc).__name__}: {exc}")
        thread = threading.Thread(target=work)
        thread.start()
        await asyncio.get_running_loop().run_in_executor(None, thread.join)
        put_text("main goes on")

    page.goto(serve(async_app(results, app)).url)
    message = results.get()
    assert message.startswith("SessionNotFoundException")
    assert "register_thread() is not available in coroutine-based" in message
    page.get_by_text("main goes on").wait_for()
    assert page.get_by_text("from a thread").count() == 0


def test_script_mode_refuses_coroutine_apps(run_script):
    proc = run_script(
        "import asyncio\n"
        "from webio_desktop.output import put_text\n"
        "async def main():\n"
        "    put_text('hello')\n"
        "asyncio.run(main())\n")
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode != 0
    assert "coroutine-based sessions are not available in script mode" in out
    assert "start_server(main)" in out
    assert "webio-desktop script mode" not in out  # no server was started


# ---- many sessions: nothing is left behind ---------------------------------------------------

def test_hundred_sessions_leave_no_tasks_threads_or_sessions(browser, serve, caplog):
    caplog.set_level(logging.WARNING)
    alive: weakref.WeakSet = weakref.WeakSet()

    async def background():
        await asyncio.sleep(3600)

    async def app():
        alive.add(get_current_session())
        asyncio.create_task(background())
        run_async(background())
        put_text("you said " + await ask("Say"))
        await asyncio.sleep(3600)  # only the closed page ends this

    def sync_app():  # thread sessions in the same server: their threads must end too
        alive.add(get_current_session())
        put_text("you said " + ask("Say"))
        hold()

    server = serve({"index": app, "sync": sync_app})
    baseline_tasks, baseline_threads = loop_tasks(server), threading.active_count()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i in range(100):
            url = server.url.replace("http", "ws") + ("?app=sync" if i % 4 == 0 else "")
            with connect(url) as ws:
                form = next(c for c in json.loads(ws.recv(timeout=10)) if c["cmd"] == "form")
                if i % 2:  # half answer and close, half close while the input waits
                    ws.send(json.dumps({"event": "submit", "task": form["task"],
                                        "data": {"data": f"n{i}"}}))
                    texts = []
                    while f"you said n{i}" not in texts:
                        texts += [c["spec"].get("content") for c in json.loads(ws.recv(timeout=10))
                                  if c["cmd"] == "output"]
        for i in range(10):  # real pages too
            page = browser.new_page()
            page.goto(server.url + ("?app=sync" if i % 2 else ""))
            submit(page, "Say", f"p{i}")
            page.get_by_text(f"you said p{i}").wait_for()
            page.close()
        wait_until(lambda: not server.options.sessions, 20, what="every session closed")
        wait_until(lambda: loop_tasks(server) == baseline_tasks, 20,
                   what="tasks back to baseline")
        wait_until(lambda: threading.active_count() == baseline_threads, 20,
                   what="threads back to baseline")
        deadline = time.monotonic() + 10
        while len(alive) and time.monotonic() < deadline:
            on_loop(server, gc.collect)
            time.sleep(0.1)
    assert len(alive) == 0, "session objects are still referenced after their pages closed"
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert "destroyed but it is pending" not in caplog.text
    assert "never retrieved" not in caplog.text


# ---- what a session costs: frames are compressed alone (see bench/load.py) -------------------

def test_frames_compressed_alone_decode_with_a_persistent_context():
    import zlib

    from webio_desktop.server.tornado import FrameCompressor

    compressor, inflate = FrameCompressor(), zlib.decompressobj(-zlib.MAX_WBITS)
    frames = [b"[]", b'[{"cmd":"output"}]' * 3, b'{"cmd":"output","spec":"x"}' * 20_000, b"x" * 7]
    for frame in frames:
        packed = compressor.compress(frame)
        assert inflate.decompress(packed + b"\x00\x00\xff\xff") == frame
    assert len(compressor.compress(frames[2])) < len(frames[2]) // 50


def test_a_large_burst_reaches_the_browser_compressed(page, serve):
    from webio_desktop.server.tornado import FrameCompressor

    async def app():
        for i in range(3000):
            put_text(f"line {i}")
        put_text("burst done")
        await hold()

    server = serve(app)
    page.goto(server.url)
    page.get_by_text("burst done").wait_for()
    assert page.get_by_text("line 2999", exact=True).count() == 1
    (session,) = server.options.sessions
    compressor = session._transport.peer.handler.ws_connection._compressor
    assert isinstance(compressor, FrameCompressor)  # Chromium negotiated permessage-deflate


def test_generator_apps_get_a_clear_error(page, serve, caplog):
    def legacy():
        yield

    page.goto(serve(legacy, debug=True).url)
    page.get_by_text("write the app as `async def`").wait_for()
