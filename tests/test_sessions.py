"""Thread sessions: lifetime, closing, threads, errors and bad messages."""
import json
import queue
import threading

from websockets.sync.client import connect

from conftest import wait_until
from webio_desktop.exceptions import SessionClosedException, SessionNotFoundException
from webio_desktop.input import input as ask
from webio_desktop.output import put_buttons, put_text
from webio_desktop.session import (defer_call, eval_js, get_current_session, hold,
                                   register_thread)


def test_closing_the_page_ends_the_session(page, serve):
    events: queue.Queue = queue.Queue()

    def app():
        defer_call(lambda: events.put("deferred"))
        put_text("waiting for you")
        try:
            ask("Your name")
        except SessionClosedException:
            events.put("input raised SessionClosedException")
        try:
            put_text("too late")
        except SessionNotFoundException:
            events.put("later call raised SessionNotFoundException")

    server = serve(app)
    baseline = threading.active_count()
    page.goto(server.url)
    page.get_by_label("Your name").wait_for()
    assert threading.active_count() > baseline
    page.close()
    got = {events.get(timeout=10) for _ in range(3)}
    assert got == {"deferred", "input raised SessionClosedException",
                   "later call raised SessionNotFoundException"}
    wait_until(lambda: not server.options.sessions)
    wait_until(lambda: threading.active_count() == baseline)


def test_app_with_callbacks_lives_until_page_closes(page, serve):
    clicks: queue.Queue = queue.Queue()

    def app():
        put_buttons(["A", "B"], onclick=lambda value: clicks.put(value))

    server = serve(app)
    baseline = threading.active_count()
    page.goto(server.url)
    page.get_by_role("button", name="B").click()
    page.get_by_role("button", name="A").click()
    assert [clicks.get(timeout=5), clicks.get(timeout=5)] == ["B", "A"]
    session = next(iter(server.options.sessions))
    assert not session.closed
    page.close()
    wait_until(lambda: session.closed)
    wait_until(lambda: threading.active_count() == baseline)


def test_register_thread_and_hold(page, serve):
    def app():
        def worker():
            for i in range(3):
                put_text(f"from thread {i}")

        thread = threading.Thread(target=worker)
        register_thread(thread)
        thread.start()
        thread.join()
        put_text("answer: " + str(eval_js("6 * 7")))

    server = serve(app)
    page.goto(server.url)
    for i in range(3):
        page.get_by_text(f"from thread {i}").wait_for()
    page.get_by_text("answer: 42").wait_for()


def test_unregistered_thread_gets_session_not_found(serve, page):
    result: queue.Queue = queue.Queue()

    def app():
        def worker():
            try:
                put_text("nope")
            except SessionNotFoundException:
                result.put("SessionNotFoundException")

        threading.Thread(target=worker).start()
        hold()

    server = serve(app)
    page.goto(server.url)
    assert result.get(timeout=5) == "SessionNotFoundException"


def test_errors_in_app_code_are_shown_and_others_keep_working(page, browser, serve):
    def app():
        put_buttons(["Break"], [lambda: 1 / 0])
        put_text("alive")
        name = ask("Name")
        put_text(f"hi {name}")

    server = serve(app)
    page.goto(server.url)
    page.get_by_role("button", name="Break").click()
    page.get_by_text("internal error").wait_for()
    page.get_by_label("Name").fill("Ada")
    page.keyboard.press("Enter")
    page.get_by_text("hi Ada").wait_for()
    other = browser.new_page()
    other.goto(server.url)
    other.get_by_text("alive").wait_for()
    other.close()


def test_malformed_messages_are_answered_and_the_session_goes_on(serve):
    def app():
        put_text("you said " + ask("Say"))

    server = serve(app)
    with connect(server.url.replace("http", "ws")) as ws:
        form = next(c for c in json.loads(ws.recv(timeout=5)) if c["cmd"] == "form")
        for junk in ("{not json", json.dumps({"event": "explode"}), json.dumps([1, 2]),
                     json.dumps({"event": "submit", "task": 7, "data": {}})):
            ws.send(junk)
            reply = json.loads(ws.recv(timeout=5))
            assert reply[0]["cmd"] == "error" and reply[0]["message"]
        ws.send(json.dumps({"event": "callback", "id": "no-such-callback"}))
        ws.send(json.dumps({"event": "submit", "task": form["task"], "data": {"data": "hi"}}))
        commands = []
        while not any(c["cmd"] == "close" for c in commands):
            commands += json.loads(ws.recv(timeout=5))
        texts = [c["spec"]["content"] for c in commands if c["cmd"] == "output"]
        assert texts == ["you said hi"]


def test_session_objects(serve, page):
    seen: queue.Queue = queue.Queue()

    def app():
        session = get_current_session()
        seen.put((session.closed, type(session).__name__))

    server = serve(app)
    page.goto(server.url)
    assert seen.get(timeout=5) == (False, "ThreadSession")


def test_serial_mode_callbacks_run_one_at_a_time_in_order(page, serve):
    calls: queue.Queue = queue.Queue()
    running = threading.Lock()

    def on_click(value):
        assert running.acquire(blocking=False), "two serial callbacks overlapped"
        try:
            calls.put((value, threading.current_thread().name))
            threading.Event().wait(0.2)  # slow enough that the next click queues behind it
        finally:
            running.release()

    def app():
        put_buttons(["one", "two", "three"], onclick=on_click, serial_mode=True)

    server = serve(app)
    page.goto(server.url)
    for name in ("one", "two", "three"):
        page.get_by_role("button", name=name).click()
    got = [calls.get(timeout=5) for _ in range(3)]
    assert [value for value, _ in got] == ["one", "two", "three"]
    assert len({thread for _, thread in got}) == 1  # the session's one serial worker
