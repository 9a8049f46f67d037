"""Coroutine sessions: ``async def`` apps on the server's event loop (more in issue 5)."""
import asyncio
import queue

from conftest import wait_until
from webio_desktop.exceptions import SessionClosedException
from webio_desktop.input import input as ask
from webio_desktop.output import put_text
from webio_desktop.session import defer_call, eval_js


def test_async_app_awaits_inputs_and_asyncio(page, serve):
    async def app():
        put_text("Hello ...")
        await asyncio.sleep(0.05)
        name, answer = await asyncio.gather(ask("Name"), eval_js("20 + 22"))
        put_text(f"{name} {answer}")

    server = serve(app)
    page.goto(server.url)
    page.get_by_text("Hello ...").wait_for()
    page.get_by_label("Name").fill("Ada")
    page.keyboard.press("Enter")
    page.get_by_text("Ada 42").wait_for()


def test_closing_the_page_throws_into_the_pending_await(page, serve):
    events: queue.Queue = queue.Queue()

    async def app():
        defer_call(lambda: events.put("deferred"))
        try:
            await ask("Waiting")
        except SessionClosedException:
            events.put("closed")

    server = serve(app)
    page.goto(server.url)
    page.get_by_label("Waiting").wait_for()
    page.close()
    assert {events.get(timeout=5), events.get(timeout=5)} == {"deferred", "closed"}
    wait_until(lambda: not server.options.sessions)
