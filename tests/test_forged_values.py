"""Forged form values, sent over the raw WebSocket protocol as a hostile page would: each one
comes back as a validation message under its field, the app keeps waiting, takes the next good
value and runs on (nothing raises inside the app's input call)."""
from __future__ import annotations

import json

import pytest
from websockets.sync.client import connect

from conftest import Results, wait_until
from webio_desktop import pin as pins
from webio_desktop.input import (FLOAT, NUMBER, actions, checkbox, file_upload, input,
                                 input_group, radio, select, slider)
from webio_desktop.output import put_text
from webio_desktop.sessions.core import current_task

# (what the app asks, forged raw values, a good raw value, the value the app must get)
CASES = [
    (lambda: slider("Level", value=5, min_value=0, max_value=10),
     ["abc", {}, [3], True, 11, -1, "nan", "1e999"], 7, 7),
    (lambda: slider("Ratio", value=0.5, min_value=0.0, max_value=1.0),
     ["x", {"a": 1}, 1.5], 0.25, 0.25),
    (lambda: input("Age", type=NUMBER), [{}, "abc", [1], True, "1.5"], "42", 42),
    (lambda: input("Weight", type=FLOAT), ["nan", "inf", {}, "heavy"], "2.5", 2.5),
    (lambda: input("Name"), [{}, [1], 5, True], "Ada", "Ada"),
    (lambda: select("Pick", options=["a", "b"]), [5, -1, "0", [0], True, 1.5, {}], 1, "b"),
    (lambda: select("Pick many", options=["a", "b", "c"], multiple=True),
     [[9], ["x"], [0, 0], [True], "zz"], [0, 2], ["a", "c"]),
    (lambda: checkbox("Tick", options=["x", "y"]), [[7], [{}], "x", [-1]], [1], ["y"]),
    (lambda: radio("One", options=["r", "s"]), [3, [0, 1], {}, "s"], 0, "r"),
    (lambda: actions("Go", buttons=["ok", {"label": "stop", "type": "cancel", "value": "c"},
                                    {"label": "off", "value": "d", "disabled": True}]),
     [1, 2, 9, "ok", [0]], 0, "ok"),
    (lambda: file_upload("File"), ["x", [{}], [{"content": 5}], [{"content": "!!"}]],
     None, None),
]


class RawPage:
    """A page that speaks the protocol directly: whatever it sends, nothing checks it first."""

    def __init__(self, url: str) -> None:
        self.url = url.replace("http", "ws")
        self.pending: list[dict] = []

    def __enter__(self) -> RawPage:
        self.ws = connect(self.url, open_timeout=5)
        self.ws.__enter__()
        return self

    def __exit__(self, *exc_info) -> None:
        self.ws.__exit__(*exc_info)

    def command(self, predicate, timeout: float = 10) -> dict:
        while True:
            for i, command in enumerate(self.pending):
                if predicate(command):
                    return self.pending.pop(i)
            self.pending += json.loads(self.ws.recv(timeout=timeout))

    def send(self, **event) -> None:
        self.ws.send(json.dumps(event))


def test_forged_values_get_a_message_and_the_app_keeps_waiting(serve):
    r = Results("done")

    @r.app
    def app():
        for ask, *_ in CASES:
            r.put(ask())

    with RawPage(serve(app).url) as page:
        for index, (_, forged, good, expected) in enumerate(CASES):
            form = page.command(lambda c: c["cmd"] == "form")
            task = form["task"]
            for raw in forged:
                page.send(event="submit", task=task, data={"data": raw})
                update = page.command(lambda c: c["cmd"] == "form_update" and c["task"] == task)
                assert update["name"] == "data", (index, raw)
                assert update["attrs"]["valid_status"] is False, (index, raw)
                assert update["attrs"]["invalid_feedback"], (index, raw)
            page.send(event="submit", task=task, data={"data": good})
            assert r.get() == expected, index
        assert r.get() == "done"  # the app ran to its end


def test_forged_values_in_a_group_and_in_blur_and_change_events(serve):
    r = Results("done")

    @r.app
    def app():
        r.put(input_group("Both", [
            slider("Level", name="level", max_value=10, validate=lambda v: None),
            input("Count", name="count", type=NUMBER, onchange=lambda v: r.put(("change", v))),
        ]))

    with RawPage(serve(app).url) as page:
        task = page.command(lambda c: c["cmd"] == "form")["task"]
        # blur (validate) and change (onchange) events with forged values: no crash, a message
        page.send(event="input", task=task, name="level", trigger="blur", value={"x": 1})
        update = page.command(lambda c: c["cmd"] == "form_update" and c["name"] == "level")
        assert update["attrs"]["valid_status"] is False
        page.send(event="input", task=task, name="count", trigger="change", value=[1])
        page.send(event="input", task=task, name="count", trigger="change", value="3")
        assert r.get() == ("change", 3)  # the forged change was dropped, the good one ran
        page.send(event="submit", task=task, data={"level": "abc", "count": {}})
        names = {page.command(lambda c: c["cmd"] == "form_update")["name"] for _ in range(2)}
        assert names == {"level", "count"}
        page.send(event="submit", task=task, data={"level": 4, "count": "5"})
        assert r.get() == {"level": 4, "count": 5}
        assert r.get() == "done"


@pytest.mark.parametrize("forged", [{}, "abc", [1, 2], True])
def test_forged_pin_value_reads_as_none_and_the_app_goes_on(serve, forged):
    r = Results("done")

    sessions = []

    @r.app
    def app():
        sessions.append(current_task().session)
        pins.put_slider("level", value=3, max_value=10)
        r.put(pins.pin_wait_change("level"))
        r.put(pins.pin_wait_change("level"))
        put_text("still running")

    def app_waits() -> None:
        # A change that comes while nobody waits is not queued (as in PyWebIO): send once the
        # app is in pin_wait_change.
        wait_until(lambda: sessions and sessions[0].pin_waiters, what="the app waits on a pin")

    with RawPage(serve(app).url) as page:
        page.command(lambda c: c["cmd"] == "output")
        app_waits()
        page.send(event="pin_change", name="level", value=forged)
        assert r.get() == {"name": "level", "value": None}
        app_waits()
        page.send(event="pin_change", name="level", value=6)
        assert r.get() == {"name": "level", "value": 6}
        assert r.get() == "done"
