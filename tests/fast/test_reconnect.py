"""Reconnecting (server/link.py), in-process: the simulated page behind the real WebSocket
link, its socket dropped and reopened (the browser side is tests/test_server.py)."""
from __future__ import annotations

import pytest

from webio_desktop.input import input
from webio_desktop.output import put_buttons, put_text
from webio_desktop.session import defer_call


@pytest.mark.parametrize("kind", ["thread", "coroutine"])
def test_output_made_while_away_arrives_in_order(webio_user, kind):
    if kind == "thread":
        def app():
            name = input("Name")
            for i in range(3):
                put_text(f"line {i} for {name}")
            put_text(f"again: {input('Again')}")
    else:
        async def app():
            name = await input("Name")
            for i in range(3):
                put_text(f"line {i} for {name}")
            put_text(f"again: {await input('Again')}")

    user = webio_user(app, reconnect_timeout=30)
    user.fill("Name", "Ann")
    user.disconnect()
    user.submit()  # typed while offline: the page queues the submit
    assert "line 0" not in user.text()
    user.reconnect()
    user.should_see("Again")
    assert user.text().splitlines()[:3] == ["line 0 for Ann", "line 1 for Ann",
                                            "line 2 for Ann"]
    user.fill("Again", "x")
    user.submit()
    user.should_see("again: x")


def test_frames_already_applied_are_not_sent_twice(webio_user):
    def app():
        put_buttons(["More"], onclick=lambda _: put_text("more"))
        put_text("start")

    user = webio_user(app, reconnect_timeout=30)
    user.should_see("start")
    user.disconnect()
    user.reconnect()
    user.click("More")
    user.should_see("more")
    assert user.text().count("start") == 1 and user.text().count("More") == 1


def test_a_page_that_does_not_come_back_ends_the_session(webio_user):
    seen = []

    def app():
        defer_call(lambda: seen.append("deferred"))
        input("Wait")

    user = webio_user(app, reconnect_timeout=0.2)
    user.should_see("Wait")
    user.disconnect()
    user.wait_until(lambda: user.session.closed, "the session to expire")
    user.wait_until(lambda: seen == ["deferred"], "defer_call")
    user.reconnect()  # too late: the server says the session has ended
    user.wait_until(lambda: user.page.ended, "the page to be told")
