"""The page looks and behaves like PyWebIO's where users notice it (issue 18, "The page"), checked
in Chromium at a desktop (1280x800) and a phone (390x844) size, light and dark."""
from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect

from conftest import Results
from pagecheck import (background_contrast, in_viewport, on_top, overlap, rect, settle,
                       text_contrast)
from webio_desktop.input import NUMBER, input, input_group, textarea
from webio_desktop.output import (close_popup, popup, put_buttons, put_datatable, put_html,
                                  put_markdown, put_row, put_table, put_text, toast)
from webio_desktop.pin import put_textarea

DESKTOP = {"width": 1280, "height": 800}
NEXT_FRAMES = "() => new Promise(ok => requestAnimationFrame(() => requestAnimationFrame(() => ok(true))))"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def open_page(browser, serve):
    """open_page(app, size, scheme='light', **server options) -> a page showing the app."""
    contexts = []

    def start(app, size=DESKTOP, scheme="light", **options):
        context = browser.new_context(viewport=size, color_scheme=scheme)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.js_errors = errors  # type: ignore[attr-defined]
        page.goto(serve(app, **options).url)
        return page

    yield start
    for context in contexts:
        context.close()


def five_field_form():
    return input_group("Profile", [
        input("Name", name="name"), input("Email", name="email"),
        input("Age", name="age", type=NUMBER), input("City", name="city"),
        textarea("About you", name="about", rows=4)])


# ---- 1. tall forms keep their buttons ----

@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_tall_form_shows_its_first_field_and_its_buttons_together(open_page, size):
    r = Results()

    @r.app
    def app():
        put_markdown("# Sign up\nTell us about yourself.")
        r.put(five_field_form())

    page = open_page(app, size)
    first = page.get_by_label("Name")
    submit = page.get_by_role("button", name="Submit")
    expect(submit).to_be_visible()
    for control in (first, submit, page.get_by_role("button", name="Reset")):
        assert in_viewport(page, rect(control)), rect(control)
        assert on_top(control)
    first.fill("Ann")
    submit.click()
    assert r.get()["name"] == "Ann"


def test_every_field_of_a_form_taller_than_the_window_can_be_reached(open_page):
    r = Results()

    @r.app
    def app():
        r.put(input_group("Many", [input(f"Field {i}", name=f"f{i}") for i in range(16)]))

    page = open_page(app, PHONE)
    panel = page.locator("#webio-input")
    expect(page.get_by_label("Field 0")).to_be_focused()
    assert rect(panel)["y"] >= 0  # the panel's top (the form's title) is in the window
    submit = page.get_by_role("button", name="Submit")
    submit.scroll_into_view_if_needed()  # scrolls inside the panel
    assert in_viewport(page, rect(submit)) and on_top(submit)
    submit.click()
    assert r.get()["f15"] == ""


# ---- 2. the session-ended notice covers nothing and reads well ----

@pytest.mark.parametrize(("size", "scheme"), [(DESKTOP, "light"), (PHONE, "dark")],
                         ids=["desktop-light", "phone-dark"])
def test_the_ended_notice_covers_neither_toasts_nor_content(open_page, size, scheme):
    def app():
        put_markdown("# Chat room")
        put_text("Welcome.")
        toast("You have left the chat room", duration=0)

    page = open_page(app, size, scheme)
    notice = page.locator(".webio-notice")
    expect(notice).to_contain_text("The session has ended")
    toast_box = rect(page.locator(".webio-toast"))
    notice_box = rect(notice)
    for other in (toast_box, rect(page.get_by_role("heading", name="Chat room")),
                  rect(page.get_by_text("Welcome."))):
        assert not overlap(notice_box, other), (notice_box, other)
    assert in_viewport(page, notice_box)
    # One line across the window, not a half-width pill that wraps.
    assert notice_box["w"] >= size["width"] - 1 and notice_box["h"] < 48, notice_box
    text = notice.get_by_text("The session has ended")
    assert text_contrast(text) >= 4.5
    # The bar stands out from the page itself (it was 1.06:1 in dark mode).
    assert background_contrast(text, page.locator("#webio-output")) >= 3
    notice.get_by_role("button", name="Dismiss").click()
    expect(notice).to_have_count(0)


# ---- 3. a validation message goes when the value changes or the form is resubmitted ----

def test_a_validation_message_clears_on_change_and_on_resubmit(open_page):
    r = Results()

    def check_a(v):
        return "A must be a" if v != "a" else None

    def check_b(v):
        return "B must be b" if v != "b" else None

    @r.app
    def app():
        r.put(input_group("Two", [input("A", name="a", validate=check_a),
                                  input("B", name="b", validate=check_b)]))

    page = open_page(app)
    a, b = page.get_by_label("A", exact=True), page.get_by_label("B", exact=True)
    a.fill("x")
    a.press("Enter")
    message_a = page.get_by_text("A must be a")
    expect(message_a).to_be_visible()
    a.fill("a")  # the value changed: the message was about the old one
    expect(message_a).to_be_hidden()
    expect(a).not_to_have_attribute("aria-invalid", "true")
    a.fill("y")
    a.press("Enter")
    expect(message_a).to_be_visible()
    # Correct A without an input event (as autofill or a script would) and resubmit with Enter:
    # only B's message may remain.
    a.evaluate("el => { el.value = 'a'; }")
    b.fill("z")
    b.press("Enter")
    expect(page.get_by_text("B must be b")).to_be_visible()
    expect(message_a).to_be_hidden()
    b.fill("b")
    b.press("Enter")
    assert r.get() == {"a": "a", "b": "b"}


# ---- 4. output that follows an Enter submit is visible ----

@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_output_after_an_enter_submit_is_scrolled_into_view(open_page, size):
    def app():
        for i in range(40):
            put_text(f"history line {i}")
        while True:
            said = input("Message")
            put_text(f"you said {said}")

    page = open_page(app, size)
    field = page.get_by_label("Message")
    for word in ("hello", "again"):
        field.fill(word)
        field.press("Enter")
        said = page.get_by_text(f"you said {word}")
        expect(said).to_be_visible()
        expect(field).to_be_editable()  # the next input() is shown
        page.wait_for_function(NEXT_FRAMES)  # the scroll happens in an animation frame
        panel_top = rect(page.locator("#webio-input"))["y"]
        said_box = rect(said)
        assert said_box["bottom"] <= panel_top and said_box["y"] >= 0, (said_box, panel_top)
        assert on_top(said)


# ---- 5. toasts are above popups ----

def test_a_toast_raised_while_a_popup_is_open_is_above_it_and_clickable(open_page):
    r = Results()

    @r.app
    def app():
        popup("Settings", [put_text("popup body " * 30)])
        toast("Saved", duration=0, onclick=lambda: r.put("toast clicked"))
        toast("Red alert", color="error", duration=0)

    page = open_page(app)
    saved = page.locator(".webio-toast", has_text="Saved")
    expect(saved).to_be_visible()
    expect(page.locator("dialog[open]")).to_be_visible()
    assert on_top(saved)
    dismiss_red = page.locator(".webio-toast", has_text="Red alert").get_by_role(
        "button", name="Dismiss notification")
    assert on_top(dismiss_red)
    saved.get_by_text("Saved").click()
    assert r.get() == "toast clicked"
    dismiss_red.click()
    expect(page.locator(".webio-toast")).to_have_count(0)
    expect(page.locator("dialog[open]")).to_be_visible()  # the popup is still there


def test_toasts_go_back_to_the_page_when_the_popup_closes(open_page):
    release = threading.Event()

    def app():
        popup("Short", "body")
        toast("Still here", duration=0)
        release.wait(10)
        close_popup()
        put_text("popup closed")
        release.wait(10)

    page = open_page(app)
    expect(page.locator(".webio-toast", has_text="Still here")).to_be_visible()
    release.set()
    expect(page.get_by_text("popup closed")).to_be_visible()
    expect(page.locator("dialog")).to_have_count(0)
    toast_ = page.locator(".webio-toast", has_text="Still here")
    expect(toast_).to_be_visible()
    assert on_top(toast_)


# ---- 6. popups on phones: title and close stay in view, long content scrolls inside ----

def test_a_large_popup_on_a_phone_keeps_its_title_and_close_button_in_view(open_page):
    def app():
        popup("Terms", [put_text("\n".join(f"clause {i}" for i in range(80))),
                        put_buttons(["I agree"], onclick=lambda _: None)], size="large")

    page = open_page(app, PHONE)
    dialog = page.locator("dialog[open]")
    expect(dialog.get_by_role("button", name="I agree")).to_be_focused()  # focus went to the end
    title = dialog.get_by_role("heading", name="Terms")
    close = dialog.get_by_role("button", name="Close dialog")
    for part in (title, close, dialog.get_by_role("button", name="I agree")):
        assert in_viewport(page, rect(part)) and on_top(part), rect(part)


def test_the_traceback_popup_fits_a_phone_and_cuts_no_line(open_page):
    def fail():
        raise ValueError("x" * 3000)

    def app():
        put_buttons(["fail"], onclick=lambda _: fail())

    page = open_page(app, PHONE, debug=True)
    page.get_by_role("button", name="fail").click()
    dialog = page.locator("dialog[open]")
    pre = dialog.locator("pre")
    expect(pre).to_contain_text("ValueError")
    dialog_box = rect(dialog)
    assert in_viewport(page, dialog_box), dialog_box
    assert rect(pre)["right"] <= dialog_box["right"] + 0.5
    # Every line wraps inside the popup: nothing hides past its right edge.
    widths = pre.evaluate("""e => { const out = [];
        for (let n = e; n && n.tagName !== 'DIALOG'; n = n.parentElement)
          out.push([n.className, n.scrollWidth, n.clientWidth]);
        return out; }""")
    assert all(scroll <= client + 1 for _, scroll, client in widths), widths
    assert in_viewport(page, rect(dialog.get_by_role("button", name="Close dialog")))
    body = dialog.locator(".webio-popup-body")
    assert body.evaluate("e => e.scrollHeight > e.clientHeight")  # a long traceback scrolls in the body
    assert in_viewport(page, rect(dialog.get_by_role("heading", name="Error in the application")))


# ---- 7. markdown: tables and line breaks as in PyWebIO ----

def test_markdown_tables_have_borders_padding_and_aligned_headers(open_page):
    def app():
        put_markdown("""
        | Name | Score |
        |------|-------|
        | Ann  | 10    |
        | Bob  | 7     |

        | Centred |
        |:-------:|
        | c       |

        Alice: first line
        second line of the same message
        """)

    page = open_page(app)
    th = page.locator(".webio-markdown th", has_text="Name")
    td = page.locator(".webio-markdown td", has_text="Ann")
    expect(td).to_be_visible()
    styles = td.evaluate("""e => { const s = getComputedStyle(e);
        return {border: parseFloat(s.borderBottomWidth), left: parseFloat(s.paddingLeft),
                top: parseFloat(s.paddingTop)}; }""")
    assert styles["border"] >= 1 and styles["left"] >= 8 and styles["top"] >= 4, styles
    assert th.evaluate("e => getComputedStyle(e).textAlign") in ("left", "start")
    text_x = """e => { const r = document.createRange(); r.selectNodeContents(e);
        return r.getBoundingClientRect().x; }"""
    assert abs(th.evaluate(text_x) - td.evaluate(text_x)) < 1  # header text over its cells' text
    # A column the table centres stays centred.
    centred = page.locator(".webio-markdown th", has_text="Centred")
    assert centred.evaluate("e => getComputedStyle(e).textAlign") in ("center", "-webkit-center")
    paragraph = page.locator(".webio-markdown p", has_text="first line")
    expect(paragraph.locator("br")).to_have_count(1)
    range_y = """(e, t) => { const n = [...e.childNodes].find(c => c.textContent.includes(t));
        const r = document.createRange(); r.selectNodeContents(n); return r.getBoundingClientRect().y; }"""
    assert paragraph.evaluate(range_y, "second") > paragraph.evaluate(range_y, "first") + 10


# ---- 8. rows keep their columns on phones ----

def test_rows_keep_their_columns_on_a_phone_nested_rows_too(open_page):
    def app():
        put_row([put_text("Left"), put_text("Middle"), put_text("Right")])
        put_row([put_text("Outer"), put_row([put_text("Inner A"), put_text("Inner B")])])

    page = open_page(app, PHONE)
    names = ("Left", "Middle", "Right", "Outer", "Inner A", "Inner B")
    boxes = {t: rect(page.get_by_text(t, exact=True)) for t in names}
    assert abs(boxes["Left"]["y"] - boxes["Right"]["y"]) < 1
    assert boxes["Right"]["x"] > boxes["Middle"]["x"] > boxes["Left"]["x"]
    assert abs(boxes["Inner A"]["y"] - boxes["Inner B"]["y"]) < 1
    assert boxes["Inner B"]["x"] > boxes["Inner A"]["x"]
    assert abs(boxes["Outer"]["y"] - boxes["Inner A"]["y"]) < 1
    assert all(in_viewport(page, b) for b in boxes.values())


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_row_whose_content_cannot_fit_stacks_instead_of_scrolling_sideways(open_page, size):
    def app():
        put_row([put_html('<div style="width:240px">wide one</div>'),
                 put_html('<div style="width:240px">wide two</div>')], size="auto auto")

    page = open_page(app, size)
    one, two = rect(page.get_by_text("wide one")), rect(page.get_by_text("wide two"))
    assert page.evaluate("document.scrollingElement.scrollWidth") <= size["width"]
    if size is DESKTOP:
        assert abs(one["y"] - two["y"]) < 1  # room enough: columns
    else:
        assert two["y"] >= one["bottom"] and abs(one["x"] - two["x"]) < 1  # stacked


# ---- 9. spacing ----

@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_input_panel_is_as_wide_as_the_text_column(open_page, size):
    def app():
        put_text("A line of output")
        input("Name")

    page = open_page(app, size)
    out, field = page.get_by_text("A line of output"), page.get_by_label("Name")
    expect(field).to_be_visible()
    out_box, field_box = rect(out), rect(field)
    assert abs(out_box["x"] - field_box["x"]) < 1, (out_box, field_box)
    column = rect(page.locator("#webio-output .webio-text").first)
    assert abs(column["right"] - field_box["right"]) < 1, (column, field_box)


def test_a_heading_that_opens_a_markdown_block_keeps_its_top_margin(open_page):
    def app():
        put_text("Output above")
        put_markdown("## Section")

    page = open_page(app)
    heading = page.get_by_role("heading", name="Section")
    gap = rect(heading)["y"] - rect(page.get_by_text("Output above"))["bottom"]
    assert gap >= 20, gap


def test_buttons_in_table_cells_make_rows_as_tall_as_pywebio(open_page):
    def app():
        buttons = put_buttons(["Edit", "Delete"], onclick=lambda _: None)
        put_table([["Name", "Action"], ["Ann", buttons], ["Bob", "plain"]])

    page = open_page(app)
    rows = page.locator(".webio-table tbody tr")
    expect(rows).to_have_count(2)
    assert rect(rows.nth(0))["h"] <= 52, rect(rows.nth(0))  # PyWebIO: 51 px (it was 71)


def test_a_button_below_a_pin_textarea_does_not_touch_it(open_page):
    def app():  # PyWebIO's markdown previewer: an editor, then its Download button
        put_textarea("md", rows=4)
        put_buttons(["Download"], onclick=lambda _: None)

    page = open_page(app)
    textarea_box = rect(page.locator("textarea"))
    download = rect(page.get_by_role("button", name="Download"))
    assert download["y"] - textarea_box["bottom"] >= 8, (textarea_box, download)


# ---- 10. state signals ----

@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_toasts_are_solid_and_every_colour_reads_well(open_page, scheme):
    def app():
        for color in ("info", "error", "warn", "success", "#ffeb3b"):
            toast(f"toast {color}", color=color, duration=0)

    page = open_page(app, DESKTOP, scheme)
    surface = page.locator("#webio-output")
    for color in ("info", "error", "warn", "success", "#ffeb3b"):
        text = page.get_by_text(f"toast {color}")
        expect(text).to_be_visible()
        assert text_contrast(text) >= 4.5, color
        if not color.startswith("#"):  # a solid card in its colour, not a page-coloured card
            assert background_contrast(text, surface) >= 1.4, color
    red = page.get_by_text("toast error").evaluate(
        "e => getComputedStyle(e.closest('.webio-toast')).backgroundColor")
    assert red == "rgb(229, 57, 53)"  # PyWebIO's error colour


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_placeholders_meet_contrast(open_page, scheme):
    def app():
        input("Search", placeholder="Type a name")

    page = open_page(app, DESKTOP, scheme)
    assert text_contrast(page.get_by_label("Search"), "::placeholder") >= 4.5  # was 3.59:1


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_selected_datatable_rows_are_unmistakable(open_page, scheme):
    def app():
        put_datatable([{"first_name": "Ann", "score": 3}, {"first_name": "Bob", "score": 4}],
                      multiple_select=True, onselect=lambda ids: None, height=240)

    page = open_page(app, DESKTOP, scheme)
    cell = page.get_by_role("gridcell", name="Ann")
    cell.click()
    selected = page.locator("tr.is-selected")
    expect(selected).to_have_count(1)
    unselected = page.get_by_role("gridcell", name="Bob")
    assert text_contrast(cell) >= 4.5
    assert background_contrast(cell, unselected) >= 3  # unmistakable (was 1.13:1)


# ---- smaller: datatable headers, toolbar and selection status ----

def test_datatable_headers_toolbar_and_selection_status(open_page):
    r = Results()

    @r.app
    def app():
        put_datatable([{"first_name": "Ann", "home": {"zip_code": 1}},
                       {"first_name": "Bob", "home": {"zip_code": 2}}],
                      multiple_select=True, onselect=lambda ids: r.put(ids), height=240)
        r.put("ready")

    page = open_page(app)
    assert r.get() == "ready"
    headers = page.locator(".webio-datatable thead tr").last.locator("th").all_inner_texts()
    assert [h.strip() for h in headers] == ["First name", "Zip code"]
    expect(page.locator(".webio-dt-group[data-group=home]")).to_have_text("Home")
    toolbar = page.get_by_role("toolbar")
    expect(toolbar).to_be_hidden()  # no empty strip while nothing is selected
    expect(page.locator(".webio-dt-cellbar")).to_be_hidden()
    top = rect(page.locator(".webio-datatable"))["y"]
    assert abs(rect(page.locator(".webio-datatable thead"))["y"] - top) <= 1.5
    page.get_by_role("gridcell", name="Ann").click()
    assert r.get() == [0]
    expect(toolbar).to_contain_text("1 row selected")
    page.get_by_role("gridcell", name="Bob").click()
    assert r.get() == [0, 1]
    expect(toolbar).to_contain_text("2 rows selected")
    toolbar.get_by_role("button", name="Unselect").click()
    expect(page.locator("tr.is-selected")).to_have_count(0)
    expect(toolbar).to_be_hidden()
    assert page.js_errors == []
