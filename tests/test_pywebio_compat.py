"""What PyWebIO programs (its demos and its own test apps) call, beyond the module map: batched pin
reads, the session object's PyWebIO methods, ``local`` items, ``from pywebio.utils import *``,
partial apps' titles and PyWebIO's image files under ``STATIC_PATH``. Real Chromium where a page
is involved (issue 18, "The API")."""
from __future__ import annotations

import functools
import queue

import pytest
from playwright.sync_api import expect

from conftest import Results, wait_until
from webio_desktop import pin as pins
from webio_desktop.output import put_image, put_text
from webio_desktop import session as webio_session  # not `local` itself: pytest probes attributes
from webio_desktop.session import get_current_session, hold
from webio_desktop.sessions.core import SessionLocal
from webio_desktop.utils import STATIC_PATH


# ---- pin.get_pin_values ------------------------------------------------------------------------

def test_get_pin_values_reads_several_widgets_in_one_round_trip(serve, page):
    r = Results()
    inbox: queue.Queue = queue.Queue()

    @r.app
    def app():
        pins.put_input("name", label="Name", value="Ada")
        pins.put_input("age", type="number", label="Age", value=36)
        pins.put_select("color", ["red", ("Green", 2)], label="Color", value=2)
        pins.put_checkbox("tags", ["a", "b"], label="Tags")
        r.put(pins.get_pin_values(["name", "age", "color", "tags", "missing"]))
        inbox.get(timeout=10)
        r.put(pins.get_pin_values(("age", "name")))
        r.put(pins.get_pin_values([]))
        try:
            pins.get_pin_values("name")
        except ValueError as exc:  # ArgumentError
            r.put(str(exc))

    server = serve(app)
    page.goto(server.url)
    # Names with no widget are left out, as PyWebIO documents; values are typed like pin.name.
    assert r.get() == {"name": "Ada", "age": 36, "color": 2, "tags": []}
    page.get_by_label("Age").fill("41")
    page.get_by_label("Name").fill("Alan")
    inbox.put("go")
    assert r.get() == {"age": 41, "name": "Alan"}
    assert r.get() == {}
    assert "list of names" in r.get()


def test_get_pin_values_is_awaitable_in_coroutine_sessions(serve, page):
    out: queue.Queue = queue.Queue()

    async def app():
        pins.put_input("a", label="A", value="one")
        pins.put_slider("level", label="Level", value=3)
        out.put(await pins.get_pin_values(["a", "level", "nope"]))
        out.put(await pins.pin.a)  # single reads take the same path

    server = serve(app)
    page.goto(server.url)
    assert out.get(timeout=10) == {"a": "one", "level": 3}
    assert out.get(timeout=10) == "one"


# ---- the session object ------------------------------------------------------------------------

def test_session_object_has_pywebios_methods(serve, page):
    """PyWebIO's gomoku demo loops on ``get_current_session().closed()``; programs also use
    ``defer_call``, ``save`` and ``on_task_exception`` on the session object."""
    r = Results()

    @r.app
    def app():
        session = get_current_session()
        r.put((session.closed(), bool(session.closed), repr(session.closed)))
        session.defer_call(lambda: r.put(("deferred", session.closed())))
        webio_session.local.score = 3
        r.put(session.save)
        try:
            1 / 0
        except ZeroDivisionError:
            session.on_task_exception()
        put_text("after the error")
        hold()

    server = serve(app)
    page.goto(server.url)
    assert r.get() == (False, False, "False")
    assert r.get() == {"score": 3}
    expect(page.get_by_text("An internal error occurred")).to_be_visible()
    expect(page.get_by_text("after the error")).to_be_visible()
    page.close()
    assert r.get() == ("deferred", True)


def test_local_items_take_any_key_like_pywebio():
    """``local[10] = '10'`` works; items behave like the dict behind ``local`` while attributes
    read missing names as None (PyWebIO's ObjectDictProxy)."""
    store = SessionLocal()
    store.name = "Wang"
    store.age = 22
    store[10] = "10"
    store[("x", 1)] = "tuple key"
    assert store[10] == "10" and store["age"] is store.age and store.foo is None
    del store["name"]
    del store.missing  # deleting a missing attribute is quiet...
    with pytest.raises(KeyError):
        store["missing"]  # ...but items raise KeyError, as a dict does
    with pytest.raises(KeyError):
        del store["missing"]
    assert store._dict == {"age": 22, 10: "10", ("x", 1): "tuple key"}
    assert 10 in store and "name" not in store and len(store) == 3
    with pytest.raises(AssertionError):
        store._private = 1  # attribute names starting with '_' stay reserved


def test_local_items_through_the_session_proxy(serve, page):
    r = Results(done_marker="done")

    @r.app
    def app():
        local = webio_session.local
        local[10] = "10"
        local.age = 22
        del local["age"]
        r.put(dict(local._dict))

    server = serve(app)
    page.goto(server.url)
    assert r.get() == {10: "10"}
    assert r.get() == "done"


# ---- pywebio.utils -----------------------------------------------------------------------------

# What PyWebIO 1.8.4's ``from pywebio.utils import *`` binds that programs use: its module has no
# __all__, so the modules it imports come along (13.misc calls time.sleep and asyncio after it).
PYWEBIO_UTILS_STAR = {
    "asyncio", "functools", "inspect", "os", "queue", "random", "socket", "string", "time",
    "OrderedDict", "closing", "abspath", "dirname", "join", "normpath",
    "STATIC_PATH", "pyinstaller_datas", "iscoroutinefunction", "isgeneratorfunction",
    "get_function_name", "get_function_doc", "get_free_port", "random_str", "run_as_function",
    "to_coroutine", "wait_host_port", "parse_file_size",
}


def test_utils_star_import_gives_what_pywebios_gives():
    namespace: dict = {}
    exec("from webio_desktop.utils import *", namespace)
    assert PYWEBIO_UTILS_STAR <= namespace.keys(), sorted(PYWEBIO_UTILS_STAR - namespace.keys())
    assert namespace["time"].sleep and namespace["asyncio"].sleep


def test_get_function_doc_looks_through_partial():
    from webio_desktop.utils import get_function_doc

    def app():
        """Title

        Description"""

    wrapped = functools.partial(functools.partial(app))
    assert get_function_doc(wrapped) == "Title\n\nDescription"
    wrapped.__doc__ = "Own doc"  # a doc set on the partial itself wins, as in PyWebIO
    assert get_function_doc(wrapped) == "Own doc"


# ---- partial apps: index link and page title ---------------------------------------------------

def test_partial_app_shows_the_wrapped_apps_doc(serve, page):
    from webio_desktop.platform import config

    def threadbased():
        """Thread app

        Runs in a thread"""
        put_text("in the thread app")

    @config(title="Configured")
    def configured():
        put_text("in the configured app")

    server = serve([functools.partial(threadbased), functools.partial(configured)])
    page.goto(server.url)
    expect(page.get_by_role("link", name="Thread app")).to_be_visible()
    expect(page.get_by_text("Runs in a thread")).to_be_visible()
    expect(page.get_by_role("link", name="Configured")).to_be_visible()
    expect(page.get_by_text("partial(func, *args, **keywords)")).to_have_count(0)
    page.goto(server.url + "?app=threadbased")
    expect(page.get_by_text("in the thread app")).to_be_visible()
    assert page.title() == "Thread app"
    page.goto(server.url + "?app=configured")
    expect(page.get_by_text("in the configured app")).to_be_visible()
    assert page.title() == "Configured"


# ---- STATIC_PATH + '/image' --------------------------------------------------------------------

@pytest.mark.parametrize("name, size", [("favicon_open_32.png", 32), ("favicon_open_16.png", 16),
                                        ("favicon_closed_32.png", 32),
                                        ("favicon_closed_16.png", 16),
                                        ("apple-touch-icon.png", 180)])
def test_static_dir_pywebio_images(serve, page, name, size):
    """PyWebIO programs serve ``static_dir=STATIC_PATH + '/image'`` and show its favicons."""
    def app():
        put_image(f"/static/{name}")

    server = serve(app, static_dir=STATIC_PATH + "/image")
    page.goto(server.url)
    image = page.locator("img")
    expect(image).to_have_count(1)
    wait_until(lambda: image.evaluate("i => i.complete && i.naturalWidth") == size,
               what=f"{name} loaded at {size} px")


# ---- script mode: session.info before the page is there ----------------------------------------

SCRIPT_READS_INFO = """
from webio_desktop import session
from webio_desktop.output import put_text
info = session.info  # the first API call of the script: the page may not have connected yet
put_text(f"backend={info.backend} request={type(info.request).__name__} "
         f"browser={info.user_agent.browser.family}")
"""


def test_script_mode_info_describes_the_page_from_the_first_call(page, run_script):
    """PyWebIO's template reads ``session.info.request`` first thing in script mode."""
    from conftest import free_port, wait_for_port

    port = free_port()
    proc = run_script(SCRIPT_READS_INFO, env={"WEBIO_SCRIPT_MODE_PORT": str(port)})
    wait_for_port(port)
    page.goto(f"http://127.0.0.1:{port}/")
    expect(page.get_by_text("backend=tornado request=HTTPServerRequest browser=")).to_be_visible()
    assert "browser=Other" not in page.locator("#pywebio-scope-ROOT").inner_text()
    assert proc.wait(15) == 0


def test_button_dicts_need_label_and_value():
    """PyWebIO's 13.misc expects ``put_buttons([{'label': ...}])`` to fail (nothing is shown)."""
    from webio_desktop.output import put_buttons

    with pytest.raises(ValueError, match="'label' and 'value'"):
        put_buttons([{"label": "must not be shown"}], onclick=[lambda: None])
    with pytest.raises(ValueError, match="'label' and 'value'"):
        put_buttons([{"value": 1}], onclick=print)
