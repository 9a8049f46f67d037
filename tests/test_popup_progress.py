"""End to end: popup / close_popup, the debug traceback popup, and progress bars
(PyWebIO 1.8.4's `popup`, `close_popup`, `put_progressbar`, `set_progressbar`)."""
from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import expect

from conftest import Results
from webio_desktop.input import actions
from webio_desktop.output import (close_popup, popup, put_button, put_processbar,
                                  put_progressbar, put_text, set_processbar, set_progressbar)


def dialog(page):
    return page.locator("dialog.webio-popup[open]")


def handled(page, *events: str) -> Callable[[], object]:
    """Watch the open popup for ``events``; the returned function waits until it has handled
    them all. Its own listeners run first and decide at once, so a check that the popup is still
    open made after that wait comes after the decision (no fixed sleep)."""
    page.evaluate("""(names) => {
        const d = document.querySelector('dialog.webio-popup[open]');
        window.__handled = [];
        for (const n of names) d.addEventListener(n, () => window.__handled.push(n));
    }""", list(events))
    return lambda: page.wait_for_function(
        "(names) => names.every((n) => window.__handled.includes(n))", arg=list(events))


def test_popup_open_replace_and_every_way_to_close(serve, page):
    r = Results()

    @r.app
    def app():
        put_button("open", onclick=lambda: popup("Again", "again body"))
        popup("First", ["line one", put_text("line two")], size="small")
        r.put(actions(buttons=["next"]))
        popup("Second", "replaces the first", size="large")
        r.put(actions(buttons=["close it"]))
        close_popup()
        r.put("closed")

    page.goto(serve(app).url)
    d = dialog(page)
    expect(d).to_have_count(1)
    expect(d).to_have_class("webio-popup is-small")
    expect(d.get_by_role("heading", name="First")).to_be_visible()
    expect(d.get_by_text("line one")).to_be_visible()
    expect(d.get_by_text("line two")).to_be_visible()
    assert page.evaluate("document.activeElement.closest('dialog') !== null")  # focus moved in
    # the page behind is inert while the modal is open: close it by its × first
    d.get_by_role("button", name="Close dialog").click()
    expect(d).to_have_count(0)
    page.get_by_role("button", name="next").click()
    assert r.get() == "next"
    expect(d).to_have_count(1)
    expect(page.locator("dialog.webio-popup")).to_have_count(1)  # replaced, not stacked
    expect(d).to_have_class("webio-popup is-large")
    expect(d.get_by_text("replaces the first")).to_be_visible()
    page.keyboard.press("Escape")  # implicit close
    expect(d).to_have_count(0)
    page.get_by_role("button", name="open").click()
    expect(dialog(page).get_by_text("again body")).to_be_visible()
    page.mouse.click(5, 5)  # outside click on the backdrop
    expect(d).to_have_count(0)
    assert page.evaluate("document.activeElement.textContent") == "open"  # focus came back
    page.get_by_role("button", name="open").click()
    expect(dialog(page)).to_have_count(1)
    dialog(page).get_by_text("again body").click()  # a click inside keeps it open
    expect(dialog(page)).to_have_count(1)
    dialog(page).get_by_role("button", name="Close dialog").click()
    page.get_by_role("button", name="close it").click()
    assert r.get() == "close it"
    assert r.get() == "closed"
    assert page.js_errors == []


def test_popup_not_closable_and_context_manager(serve, page):
    r = Results("app done")

    @r.app
    def app():
        with popup("Busy", closable=False, implicit_close=True) as s:
            put_text("inside the block")
        put_text("also inside", scope=s)
        r.put(s)

    page.goto(serve(app).url)
    name = r.get()
    assert r.get() == "app done"
    d = dialog(page)
    expect(d.get_by_text("inside the block")).to_be_visible()
    expect(d.get_by_text("also inside")).to_be_visible()
    assert page.locator(f"#pywebio-scope-{name}").count() == 1
    expect(d.get_by_role("button", name="Close dialog")).to_have_count(0)
    done = handled(page, "cancel", "click")
    page.keyboard.press("Escape")
    page.mouse.click(5, 5)
    done()
    expect(d).to_have_count(1)  # neither Esc nor an outside click closes it


def test_popup_decorator_and_close_popup(serve, page):
    r = Results("app done")

    @r.app
    def app():
        @popup("Decorated", implicit_close=False)
        def fill(n):
            put_text(f"call {n}")

        fill(1)
        fill(2)
        put_text("outside")
        r.put("ready")

    page.goto(serve(app).url)
    assert r.get() == "ready"
    d = dialog(page)
    expect(d.get_by_text("call 1")).to_be_visible()
    expect(d.get_by_text("call 2")).to_be_visible()
    expect(d.get_by_text("outside")).to_have_count(0)
    done = handled(page, "cancel")
    page.keyboard.press("Escape")  # implicit_close=False: stays
    done()
    expect(d).to_have_count(1)


def test_close_popup_from_app(serve, page):
    r = Results("app done")

    @r.app
    def app():
        popup("Closing soon", put_button("shut", onclick=lambda: (close_popup(), r.put("shut"))),
              closable=False)

    page.goto(serve(app).url)
    assert r.get() == "app done"
    expect(dialog(page)).to_have_count(1)
    dialog(page).get_by_role("button", name="shut").click()
    assert r.get() == "shut"
    expect(dialog(page)).to_have_count(0)
    assert page.js_errors == []


def test_debug_error_shows_traceback_popup(serve, page):
    def app():
        put_button("fail", onclick=lambda: 1 / 0)
        put_text("ready")

    page.goto(serve(app, debug=True).url)
    expect(page.get_by_text("ready")).to_be_visible()
    page.get_by_role("button", name="fail").click()
    d = dialog(page)
    expect(d).to_have_class("webio-popup is-large")
    expect(d.get_by_role("heading")).to_have_text("Error in the application")
    expect(d.locator("pre")).to_contain_text("ZeroDivisionError: division by zero")
    expect(d.locator("pre")).to_contain_text("Traceback (most recent call last)")


def test_progressbar_updates_labels_and_auto_close(serve, page):
    r = Results()

    @r.app
    def app():
        put_progressbar("job", label="Working")
        put_processbar("auto", init=0.25, auto_close=True)
        r.put(actions(buttons=["step"]))
        set_progressbar("job", 0.5)
        set_processbar("auto", 0.5, label="half")
        r.put(actions(buttons=["finish"]))
        set_progressbar("job", 1, label="Done")
        set_progressbar("auto", 1)
        r.put(actions(buttons=["end"]))

    page.goto(serve(app).url)
    job, auto = page.locator("#webio-progress-job"), page.locator("#webio-progress-auto")
    expect(page.get_by_text("Working")).to_be_visible()
    assert job.evaluate("b => b.value") == 0
    assert auto.evaluate("b => b.value") == 0.25
    expect(page.get_by_text("25.0%")).to_be_visible()  # default label: the percentage
    page.get_by_role("button", name="step").click()
    assert r.get() == "step"
    expect(page.get_by_text("50.0%")).to_be_visible()
    expect(page.get_by_text("half")).to_be_visible()
    assert job.evaluate("b => b.value") == 0.5
    page.get_by_role("button", name="finish").click()
    assert r.get() == "finish"
    expect(page.get_by_text("Done")).to_be_visible()
    expect(auto).to_have_count(0)  # auto_close removed it at 1
    assert job.evaluate("b => b.value") == 1
    assert page.js_errors == []
