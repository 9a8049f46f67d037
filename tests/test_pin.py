"""Pin widgets end to end in Chromium: values round-trip both ways, waits, callbacks, updates,
in thread and coroutine sessions (as PyWebIO 1.8.4 documents `pywebio.pin`)."""
from __future__ import annotations

import asyncio
import time

from playwright.sync_api import expect

from conftest import Results
from webio_desktop.output import put_text
from webio_desktop import pin as pin_module
from webio_desktop.pin import (pin_on_change, pin_update, pin_wait_change, put_actions,
                               put_checkbox, put_input, put_radio, put_select, put_slider,
                               put_textarea)

# ``pin`` is not bound at module level: pytest probes module attributes while collecting, and
# every attribute of ``pin`` is a read of a widget (outside a session: script mode).
from webio_desktop.session import hold


def test_every_widget_reads_typed_values_and_writes_back(serve, page):
    r = Results()

    @r.app
    def app():
        put_input("name", label="Name", value="Ada")
        put_input("age", type="number", label="Age", value=36)
        put_textarea("notes", label="Notes", value="line 1\nline 2")
        put_select("color", ["red", ("Green", 2), {"label": "Blue", "value": (0, 0, 255)}],
                   label="Color", value=2)
        put_checkbox("tags", ["a", "b", "c"], label="Tags", value=["b"])
        put_radio("size", ["S", "M", "L"], label="Size")
        put_slider("level", label="Level", value=3, max_value=10)
        put_actions("pick", label="Pick", buttons=["one", {"label": "two", "value": 2}])
        r.put({n: pin_module.pin[n] for n in ("name", "age", "notes", "color", "tags", "size", "level",
                                   "pick", "missing")})
        r.put("wait")
        r.get_from_test()
        r.put({n: getattr(pin_module.pin, n) for n in ("name", "age", "color", "tags", "size", "level",
                                            "pick")})
        pin_module.pin.name = "Grace"
        pin_module.pin["color"] = (0, 0, 255)
        pin_module.pin.tags = ["a", "c"]
        pin_module.pin.level = 7
        r.put("written")
        hold()

    r.get_from_test = lambda: r.inbox.get(timeout=10)
    import queue
    r.inbox = queue.Queue()
    server = serve(app)
    page.goto(server.url)
    assert r.get() == {"name": "Ada", "age": 36, "notes": "line 1\nline 2", "color": 2,
                       "tags": ["b"], "size": None, "level": 3, "pick": None, "missing": None}
    assert r.get() == "wait"
    page.get_by_label("Name").fill("Alan")
    page.get_by_label("Age").fill("41")
    page.get_by_label("Color").select_option(label="Blue")
    page.get_by_label("a", exact=True).check()
    page.get_by_label("L", exact=True).check()
    page.get_by_label("Level").fill("9")
    page.get_by_role("button", name="two").click()
    r.inbox.put("go")
    assert r.get() == {"name": "Alan", "age": 41, "color": (0, 0, 255), "tags": ["a", "b"],
                       "size": "L", "level": 9, "pick": 2}
    assert r.get() == "written"
    expect(page.get_by_label("Name")).to_have_value("Grace")
    expect(page.get_by_label("Color")).to_have_value(page.get_by_label("Color").evaluate(
        "s => [...s.options].find(o => o.textContent === 'Blue').value"))
    expect(page.get_by_label("a", exact=True)).to_be_checked()
    expect(page.get_by_label("b", exact=True)).not_to_be_checked()
    expect(page.get_by_label("c", exact=True)).to_be_checked()
    expect(page.get_by_label("Level")).to_have_value("7")


def test_pin_wait_change_and_timeout(serve, page):
    r = Results()

    @r.app
    def app():
        put_input("a", label="A")
        put_input("b", label="B")
        started = time.monotonic()
        r.put(pin_wait_change("a", "b", timeout=0.3))
        r.put(time.monotonic() - started)
        put_text("waiting")
        r.put(pin_wait_change(["b"]))
        pin_update("a", value="from python")  # Python-side changes wake nobody
        r.put(pin_wait_change("a", timeout=0.5))

    server = serve(app)
    page.goto(server.url)
    assert r.get() is None
    assert 0.25 < r.get() < 5
    expect(page.get_by_text("waiting")).to_be_visible()
    page.get_by_label("A").fill("ignored")  # not a name being waited for
    page.get_by_label("B").fill("x")
    assert r.get() == {"name": "b", "value": "x"}
    assert r.get() is None
    expect(page.get_by_label("A")).to_have_value("from python")


def test_pin_on_change_init_run_clear_and_update(serve, page):
    r = Results()

    @r.app
    def app():
        put_select("mode", ["fast", "slow"], label="Mode", value="slow")
        pin_on_change("mode", lambda v: r.put(("first", v)), init_run=True)
        pin_on_change("mode", lambda v: r.put(("second", v)))
        r.put("ready")
        r.inbox.get(timeout=10)
        pin_on_change("mode", lambda v: r.put(("only", v)), clear=True)
        pin_update("mode", options=["eco", "turbo"], help_text="Pick again",
                   valid_status=False, invalid_feedback="Changed")
        r.put("updated")
        hold()

    import queue
    r.inbox = queue.Queue()
    server = serve(app)
    page.goto(server.url)
    assert r.get() == ("first", "slow")
    assert r.get() == "ready"
    page.get_by_label("Mode").select_option(label="fast")
    assert sorted([r.get(), r.get()]) == [("first", "fast"), ("second", "fast")]
    r.inbox.put("go")
    assert r.get() == "updated"
    expect(page.get_by_text("Pick again")).to_be_visible()
    expect(page.get_by_text("Changed")).to_be_visible()
    page.get_by_label("Mode").select_option(label="turbo")
    assert r.get() == ("only", "turbo")
    assert r.empty()


def test_pins_in_coroutine_sessions_are_awaitable(serve, page):
    import queue
    out: queue.Queue = queue.Queue()

    async def app():
        put_input("q", label="Query", value="start")
        read = pin_module.pin.q
        assert asyncio.iscoroutine(read) or hasattr(read, "__await__")
        out.put(await read)
        got = await asyncio.wait_for(pin_wait_change("q"), timeout=10)
        out.put(got)
        out.put(await pin_wait_change("q", timeout=0.2))
        values = await asyncio.gather(pin_module.pin.q, pin_module.pin["q"])
        out.put(values)

    server = serve(app)
    page.goto(server.url)
    assert out.get(timeout=10) == "start"
    page.get_by_label("Query").fill("s")
    assert out.get(timeout=10) == {"name": "q", "value": "s"}
    assert out.get(timeout=10) is None
    assert out.get(timeout=10) == ["s", "s"]


def test_pin_names_are_checked(serve, page):
    r = Results()

    @r.app
    def app():
        try:
            put_input("bad name")
        except ValueError as exc:
            r.put(str(exc))
        pin_module.pin.use_strict()
        try:
            pin_module.pin.nothing
        except AssertionError:
            r.put("strict")
        finally:
            pin_module.Pin._strict = False  # a global switch: leave other tests alone

    server = serve(app)
    page.goto(server.url)
    assert "letters, digits" in r.get()
    assert r.get() == "strict"
