"""Session core, flows and validation, in-process (the fast layer; the browser tests in
tests/test_inputs.py, test_sessions.py, test_coroutine_sessions.py keep what only a page shows).
"""
from __future__ import annotations

import asyncio
import threading

import pytest

from webio_desktop.input import FLOAT, NUMBER, input, input_group, select
from webio_desktop.output import put_buttons, put_text, toast
from webio_desktop.session import defer_call, eval_js, hold, register_thread, run_async


@pytest.mark.parametrize("kind", ["thread", "coroutine"])
def test_number_conversion_and_messages(webio_user, kind):
    def body(n):
        put_text(f"{type(n).__name__} {n}")

    if kind == "thread":
        def app():
            body(input("Whole", type=NUMBER))
            body(input("Real", type=FLOAT))
    else:
        async def app():
            body(await input("Whole", type=NUMBER))
            body(await input("Real", type=FLOAT))

    user = webio_user(app)
    user.fill("Whole", "1.5")  # a number field keeps 1.5; the server wants a whole number
    user.submit()
    user.wait_until(lambda: user.field("Whole").message == "Please enter a whole number.",
                    "the conversion message")
    user.fill("Whole", 7)
    user.submit()
    user.should_see("int 7")
    user.fill("Real", "2.5")
    user.submit()
    user.should_see("float 2.5")


def test_group_validate_names_the_field(webio_user):
    def check(data):
        if data["a"] == data["b"]:
            return ("b", "must differ from a")
        return None

    def app():
        put_text(repr(input_group("Pair", [input("A", name="a"), input("B", name="b")],
                                  validate=check)))

    user = webio_user(app)
    user.fill("A", "x")
    user.fill("B", "x")
    user.submit()
    user.wait_until(lambda: user.field("B").message == "must differ from a", "group message")
    assert user.field("A").message == ""
    user.fill("B", "y")
    user.submit()
    user.should_see("{'a': 'x', 'b': 'y'}")


def test_validate_error_is_reported_as_an_app_error(webio_user):
    def app():
        put_text(input("X", validate=lambda v: 1 / 0))

    user = webio_user(app)
    user.fill("X", "a")  # leaving the field runs validate
    assert isinstance(user.app_error(ZeroDivisionError), ZeroDivisionError)


def test_concurrent_waits_in_threads_never_mix(webio_user):
    def app():
        def ask(label):
            put_text(f"{label} -> {input(label)}")

        worker = threading.Thread(target=ask, args=("second",))
        register_thread(worker)
        worker.start()
        ask("first")
        worker.join()
        put_text("both answered")

    user = webio_user(app)
    user.wait_until(lambda: len(user.page.forms) == 2, "two forms on the stack")
    shown = user.form.fields["data"].label  # the newest form is the one shown
    user.fill(shown, "for " + shown)
    user.submit()
    other = "first" if shown == "second" else "second"
    user.fill(other, "for " + other)
    user.submit()
    user.should_see("both answered")
    assert f"{shown} -> for {shown}" in user.text() and f"{other} -> for {other}" in user.text()


def test_coroutine_tasks_gather_and_run_async(webio_user):
    async def app():
        async def later(label):
            await asyncio.sleep(0)
            put_text(f"task {label}")

        run_async(later("a"))
        answers = await asyncio.gather(eval_js("1 + 1"), eval_js("'x'"))
        put_text(f"answers {answers}")
        await hold()

    user = webio_user(app, eval_js=lambda code, args: {"1 + 1": 2, "'x'": "x"}[code])
    user.should_see("answers [2, 'x']")
    user.should_see("task a")


def test_callbacks_keep_the_session_and_close_runs_defer_call(webio_user):
    events = []

    def app():
        defer_call(lambda: events.append("deferred"))
        put_buttons(["Go"], onclick=lambda _: toast("went"))

    user = webio_user(app)
    user.click("Go")
    user.should_see("went")
    assert not user.closed  # the app returned, its buttons still work
    user.close()
    assert user.closed and events == ["deferred"]


def test_select_values_are_python_objects(webio_user):
    def app():
        value = select("Pick", options=[("One", 1), ("Two", {"n": 2})], value={"n": 2})
        put_text(repr(value))

    user = webio_user(app)
    assert user.field("Pick").value == "Two"
    user.choose("Pick", "One")
    user.submit()
    user.should_see("1")
