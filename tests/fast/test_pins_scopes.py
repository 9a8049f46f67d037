"""Pins and scopes, in-process (fast layer; tests/test_pin.py and test_layout.py keep the
browser side)."""
from __future__ import annotations

import pytest

from webio_desktop.input import input
from webio_desktop.output import (clear, popup, put_row, put_scope, put_text, remove, set_scope,
                                  use_scope)
from webio_desktop import pin as pins  # not `pin` itself: collection would read pin.pytestmark
from webio_desktop.pin import (pin_update, pin_wait_change, put_actions, put_checkbox,
                               put_file_upload, put_input, put_slider)


@pytest.mark.parametrize("kind", ["thread", "coroutine"])
def test_pin_wait_change_and_reads(webio_user, kind):
    if kind == "thread":
        def app():
            put_input("a", label="A", type="number")
            put_checkbox("c", ["x", "y"], label="C")
            change = pin_wait_change("a", "c")
            put_text(f"changed {change['name']} {change['value']!r}; c={pins.pin.c!r}")
            assert pin_wait_change("a", timeout=0.01) is None
            put_text("timed out")
    else:
        async def app():
            put_input("a", label="A", type="number")
            put_checkbox("c", ["x", "y"], label="C")
            change = await pin_wait_change("a", "c")
            put_text(f"changed {change['name']} {change['value']!r}; c={await pins.pin.c!r}")
            assert await pin_wait_change("a", timeout=0.01) is None
            put_text("timed out")

    user = webio_user(app)
    user.check("C", "y")
    user.should_see("changed c ['y']; c=['y']")
    user.should_see("timed out")


def test_pin_update_options_and_value_from_the_app(webio_user):
    def app():
        put_checkbox("c", ["x", "y"], label="C")
        put_slider("s", label="S", value=3, max_value=10)
        put_actions("go", buttons=["Start", "Stop"])
        pin_update("c", options=["p", "q", "r"], value=["r"])
        pins.pin.s = 8
        change = pin_wait_change("go")
        put_text(f"pressed {change['value']}")

    user = webio_user(app)
    user.wait_until(lambda: user.pins.get("c") == ["r"] and user.pins.get("s") == 8, "updates")
    assert user.field("C").options == ["p", "q", "r"]
    user.click("Stop")
    user.should_see("pressed Stop")


def test_a_removed_pin_reads_as_none(webio_user):
    def app():
        with use_scope("box"):
            put_input("gone", value="here")
        before = pins.pin.gone
        clear("box")
        put_text(f"{before!r} then {pins.pin.gone!r}")

    webio_user(app).should_see("'here' then None")


def test_pin_file_upload(webio_user):
    def app():
        put_file_upload("f", label="File")
        change = pin_wait_change("f")
        put_text(f"{change['value']['filename']} {change['value']['content']!r}")

    user = webio_user(app)
    user.upload("File", {"notes.txt": b"abc"})
    user.should_see("notes.txt b'abc'")


def test_scope_positions_and_if_exist(webio_user):
    def app():
        put_scope("list", [put_text("b")])
        put_text("a", scope="list", position=0)
        put_text("c", scope="list", position=-1)
        put_text("between", scope="list", position=-2)  # before the last one
        input("Next")
        set_scope("list", if_exist="clear")
        put_text("after clear", scope="list")
        set_scope("x", container_scope="list", position=0)
        put_text("in x", scope="x")
        set_scope("x", container_scope="list", if_exist="remove")
        put_text("x again", scope="x")
        put_text("done")

    user = webio_user(app)
    user.should_see("Next")
    assert user.text("list") == "a\nb\nbetween\nc"
    user.submit()
    user.should_see("done")
    assert user.text("list") == "after clear\nx again"


def test_nested_and_popup_scopes(webio_user):
    def app():
        with use_scope("outer"):
            with use_scope("inner"):
                put_text("deep")
            put_row([put_text("left"), put_text("right")])
        remove("inner")
        with popup("P") as slot:
            put_text("in the popup")
        put_text("also in it", scope=slot)

    user = webio_user(app)
    user.should_see("also in it", scope=user.popup.body.scope if user.popup else None)
    assert user.text("outer") == "left\nright"
    assert user.popup.text == "in the popup\nalso in it"


def test_get_pin_values_on_the_simulated_page(webio_user):
    """The simulated page answers the batched read like the real one: absent names left out."""
    def app():
        put_input("a", label="A", type="number")
        put_checkbox("c", ["x", "y"], label="C", value=["x"])
        pin_wait_change("a")
        put_text(f"values {pins.get_pin_values(['a', 'c', 'gone'])!r}")

    user = webio_user(app)
    user.fill("A", "7")
    user.should_see("values {'a': 7, 'c': ['x']}")
