"""End-to-end tests of the input functions: a user fills the forms in Chromium, the app gets typed
Python values back (as PyWebIO 1.8.4 documents `pywebio.input`)."""
from __future__ import annotations


from playwright.sync_api import expect

from conftest import Results
from webio_desktop.input import (COLOR, DATE, DATETIME_LOCAL, FLOAT, NUMBER, PASSWORD, TIME, URL,
                                 actions, checkbox, input, input_group, input_update, radio,
                                 select, slider, textarea)


def assert_typed(value, expected) -> None:
    assert value == expected, (value, expected)
    assert type(value) is type(expected), (type(value), type(expected))


def open_app(serve, page, app):
    server = serve(app)
    page.goto(server.url)
    return server


def submit_button(page):
    return page.get_by_role("button", name="Submit", exact=True)


def test_input_types_return_typed_values(serve, page):
    r = Results()

    @r.app
    def app():
        r.put(input("Text"))
        r.put(input("Number", type=NUMBER))
        r.put(input("Float", type=FLOAT))
        r.put(input("Empty number", type=NUMBER))
        r.put(input("Empty float", type=FLOAT))
        r.put(input("Password", type=PASSWORD))
        r.put(input("Url", type=URL))
        r.put(input("Date", type=DATE))
        r.put(input("Time", type=TIME))
        r.put(input("Color", type=COLOR))
        r.put(input("When", type=DATETIME_LOCAL))
        r.put(input("Preset number", type=NUMBER, value=5))

    open_app(serve, page, app)

    def answer(label, text, *, enter=True):
        field = page.get_by_label(label, exact=True)
        expect(field).to_be_focused()  # a new form focuses its first field
        if text is not None:
            field.fill(text)
        if enter:
            field.press("Enter")  # Enter in a single-line field submits
        else:
            submit_button(page).click()

    answer("Text", "  hello <world>  ")
    assert_typed(r.get(), "  hello <world>  ")
    answer("Number", "42")
    assert_typed(r.get(), 42)
    answer("Float", "3.25")
    assert_typed(r.get(), 3.25)
    answer("Empty number", None, enter=False)
    assert r.get() is None
    answer("Empty float", None)
    assert r.get() is None
    expect(page.get_by_label("Password", exact=True)).to_have_attribute("type", "password")
    answer("Password", "s3cret pass")
    assert_typed(r.get(), "s3cret pass")
    expect(page.get_by_label("Url", exact=True)).to_have_attribute("type", "url")
    answer("Url", "https://example.com/a?b=1")
    assert_typed(r.get(), "https://example.com/a?b=1")
    answer("Date", "2024-02-29", enter=False)
    assert_typed(r.get(), "2024-02-29")
    answer("Time", "13:45:30", enter=False)
    assert_typed(r.get(), "13:45:30")
    answer("Color", "#12abef", enter=False)
    assert_typed(r.get(), "#12abef")
    answer("When", "2024-02-29T13:45", enter=False)
    assert_typed(r.get(), "2024-02-29T13:45")
    expect(page.get_by_label("Preset number")).to_have_value("5")
    answer("Preset number", None)
    assert_typed(r.get(), 5)
    assert page.js_errors == []


def test_textarea_keeps_newlines_and_enter_does_not_submit(serve, page):
    r = Results()

    @r.app
    def app():
        r.put(textarea("Notes", rows=4))

    open_app(serve, page, app)
    notes = page.get_by_label("Notes")
    expect(notes).to_be_focused()
    expect(notes).to_have_attribute("rows", "4")
    notes.fill("first")
    notes.press("Enter")  # a new line, not a submit
    notes.press_sequentially("  second")
    submit_button(page).click()
    assert_typed(r.get(), "first\n  second")
    assert page.js_errors == []


def test_select_single_multiple_and_presets(serve, page):
    r = Results()

    @r.app
    def app():
        r.put(select("Single", options=[("Dict", {"k": [1, 2]}), ("Tuple", (1, "a")), "plain"]))
        r.put(select("Preset", options=[("One", 1), ("Two", 2), ("Three", 3)], value=2))
        r.put(select("Many", options=[{"label": "X", "value": ("x",)},
                                      {"label": "Y", "value": {"y": None}},
                                      {"label": "Z", "value": 3.5}], multiple=True, value=[3.5]))
        r.put(select("Flagged", options=[("a", "a"), ("b", {"b": 1}, True)]))

    open_app(serve, page, app)
    single = page.get_by_label("Single")
    expect(single).to_be_focused()
    expect(single.locator("option")).to_have_text(["Dict", "Tuple", "plain"])
    single.select_option(label="Tuple")
    submit_button(page).click()
    assert_typed(r.get(), (1, "a"))

    preset = page.get_by_label("Preset")
    assert preset.evaluate("s => [...s.selectedOptions].map(o => o.text)") == ["Two"]
    submit_button(page).click()
    assert_typed(r.get(), 2)

    many = page.get_by_label("Many")
    assert many.evaluate("s => [...s.selectedOptions].map(o => o.text)") == ["Z"]
    many.select_option(label=["X", "Z"])
    submit_button(page).click()
    assert_typed(r.get(), [("x",), 3.5])

    expect(page.get_by_label("Flagged")).to_be_visible()
    submit_button(page).click()
    assert_typed(r.get(), {"b": 1})
    assert page.js_errors == []


def test_checkbox_and_radio(serve, page):
    r = Results()

    @r.app
    def app():
        r.put(checkbox("Toppings", options=["ham", ("Cheese", {"c": 1}),
                                            {"label": "Olives", "value": ("o", 2)}], value=["ham"]))
        r.put(checkbox("Nothing", options=["n1", "n2"]))
        r.put(radio("Size", options=[("Small", 1), ("Large", 2.5)]))
        r.put(radio("Drink", options=["tea", ("Coffee", {"hot": True})], value="tea"))

    open_app(serve, page, app)
    toppings = page.get_by_role("group", name="Toppings")
    expect(toppings.get_by_label("ham")).to_be_checked()
    expect(toppings.get_by_label("Cheese")).not_to_be_checked()
    toppings.get_by_label("ham").uncheck()
    toppings.get_by_label("Cheese").check()
    toppings.get_by_label("Olives").check()
    submit_button(page).click()
    assert_typed(r.get(), [{"c": 1}, ("o", 2)])

    expect(page.get_by_role("group", name="Nothing")).to_be_visible()
    submit_button(page).click()
    assert_typed(r.get(), [])

    size = page.get_by_role("group", name="Size")
    expect(size.get_by_label("Small")).not_to_be_checked()
    expect(size.get_by_label("Large")).not_to_be_checked()
    submit_button(page).click()
    assert r.get() is None

    drink = page.get_by_role("group", name="Drink")
    expect(drink.get_by_label("tea")).to_be_checked()
    drink.get_by_label("Coffee").check()
    expect(drink.get_by_label("tea")).not_to_be_checked()
    submit_button(page).click()
    assert_typed(r.get(), {"hot": True})
    assert page.js_errors == []


def test_actions_submit_cancel_and_disabled(serve, page):
    r = Results()
    buttons = [{"label": "Save", "value": {"saved": True}},
               {"label": "Locked", "value": 2, "disabled": True},
               ("Skip", ("skip",)),
               {"label": "Abort", "type": "cancel"}]

    @r.app
    def app():
        for _ in range(3):
            r.put(actions("Next step", buttons=buttons))

    open_app(serve, page, app)
    locked = page.get_by_role("button", name="Locked")
    expect(locked).to_be_disabled()
    locked.click(force=True)  # a disabled button does nothing...
    page.get_by_role("button", name="Skip").click()  # ...so this click decides the answer
    assert_typed(r.get(), ("skip",))
    expect(page.get_by_role("button", name="Submit", exact=True)).to_have_count(0)  # own buttons

    page.get_by_role("button", name="Save").click()
    assert_typed(r.get(), {"saved": True})

    page.get_by_role("button", name="Abort").click()
    assert r.get() is None
    assert page.js_errors == []


def test_slider_int_and_float(serve, page):
    r = Results()

    @r.app
    def app():
        r.put(slider("Volume", value=30))
        r.put(slider("Ratio", value=0.5, min_value=0.0, max_value=1.0))
        r.put(slider("Untouched", value=3, max_value=10.0))

    open_app(serve, page, app)
    volume = page.get_by_role("slider", name="Volume")
    expect(volume).to_have_value("30")
    volume.fill("70")
    submit_button(page).click()
    assert_typed(r.get(), 70)

    ratio = page.get_by_role("slider", name="Ratio")
    expect(ratio).to_have_value("0.5")
    ratio.fill("0.25")
    submit_button(page).click()
    assert_typed(r.get(), 0.25)

    expect(page.get_by_role("slider", name="Untouched")).to_have_value("3")
    submit_button(page).click()
    assert_typed(r.get(), 3.0)
    assert page.js_errors == []


def test_input_group_validate_cancel_and_duplicates(serve, page):
    r = Results()

    def check(data):
        return ("age", "Too young") if data["age"] < 18 else None

    @r.app
    def app():
        r.put(input_group("Profile", [
            input("Name", name="name"),
            input("Age", name="age", type=NUMBER),
            select("Color", ["red", "green"], name="color"),
        ], validate=check))
        r.put(input_group("Optional", [input("Nickname", name="nick")], cancelable=True))
        try:
            input_group("Dup", [input("A", name="x"), input("B", name="x")])
        except ValueError as exc:
            r.put(("ValueError", str(exc)))
        else:
            r.put("no error")

    open_app(serve, page, app)
    name = page.get_by_label("Name")
    expect(name).to_be_focused()
    name.fill("Ada")
    age = page.get_by_label("Age")
    age.fill("10")
    page.get_by_label("Color").select_option(label="green")
    submit_button(page).click()
    expect(page.get_by_text("Too young")).to_be_visible()
    expect(age).to_have_accessible_description("Too young")  # the message belongs to that field
    expect(age).to_be_editable()  # the form is still there, usable
    expect(name).to_have_value("Ada")
    assert r.empty()
    age.fill("36")
    submit_button(page).click()
    assert_typed(r.get(), {"name": "Ada", "age": 36, "color": "green"})

    page.get_by_label("Nickname").fill("ignored")
    page.get_by_role("button", name="Cancel").click()
    assert r.get() is None

    kind, message = r.get()
    assert kind == "ValueError" and "x" in message
    assert page.js_errors == []


def test_actions_as_last_group_item_replace_the_submit_bar(serve, page):
    r = Results()

    @r.app
    def app():
        r.put(input_group("Post", [
            input("Title", name="title"),
            actions("", [("Publish", "pub"), ("Draft", {"draft": 1}), ("Clear", None, "reset")],
                    name="act"),
        ]))

    open_app(serve, page, app)
    title = page.get_by_label("Title")
    title.fill("typo")
    page.get_by_role("button", name="Clear").click()  # a reset button empties the form
    expect(title).to_have_value("")
    assert r.empty()
    title.fill("Hello")
    expect(page.get_by_role("button", name="Submit", exact=True)).to_have_count(0)
    page.get_by_role("button", name="Draft").click()
    assert_typed(r.get(), {"title": "Hello", "act": {"draft": 1}})
    assert page.js_errors == []


def test_validate_on_blur_and_on_submit(serve, page):
    r = Results()
    checked = []

    def even(value):
        checked.append(value)
        return None if value % 2 == 0 else f"{value} is odd"

    @r.app
    def app():
        r.put(input("Even number", type=NUMBER, validate=even))
        r.put(list(checked))

    open_app(serve, page, app)
    field = page.get_by_label("Even number")
    field.fill("3")
    field.press("Tab")  # leaving the field validates it
    expect(page.get_by_text("3 is odd")).to_be_visible()
    expect(field).to_have_accessible_description("3 is odd")
    field.fill("6")
    field.press("Tab")  # a valid value clears the message
    expect(page.get_by_text("3 is odd")).to_have_count(0)
    expect(field).to_have_accessible_description("")
    field.fill("5")
    field.press("Enter")  # submitting validates too and keeps the form
    expect(page.get_by_text("5 is odd")).to_be_visible()
    expect(field).to_be_editable()
    assert r.empty()
    field.fill("8")
    field.press("Enter")
    assert_typed(r.get(), 8)
    assert r.get() == [3, 6, 5, 8]  # blur (non-empty), blur, submit, submit
    assert page.js_errors == []


def test_required_field(serve, page):
    r = Results()

    @r.app
    def app():
        r.put(input("Required field", required=True))

    open_app(serve, page, app)
    field = page.get_by_label("Required field")
    expect(field).to_have_js_property("required", True)
    submit_button(page).click()
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_be_editable()
    assert r.empty()
    field.fill("ok")
    field.press("Enter")
    assert_typed(r.get(), "ok")
    assert page.js_errors == []


def test_placeholder_help_value_readonly_datalist_and_html_attrs(serve, page):
    r = Results()

    @r.app
    def app():
        r.put(input_group("Details", [
            input("Nick", name="nick", placeholder="e.g. ada99"),
            input("Email", name="email", value="a@b.c", help_text="We never share it"),
            input("Ident", name="ident", value="ID-7", readonly=True),
            input("Fruit", name="fruit", datalist=["apple", "banana"]),
            textarea("Bio", name="bio", value="line1\nline2", rows=3),
            input("Zip", name="zip", maxlength=5),
        ]))

    open_app(serve, page, app)
    nick = page.get_by_placeholder("e.g. ada99")
    expect(nick).to_be_focused()
    expect(page.get_by_label("Nick")).to_have_attribute("placeholder", "e.g. ada99")
    email = page.get_by_label("Email")
    expect(email).to_have_value("a@b.c")
    expect(page.get_by_text("We never share it")).to_be_visible()
    expect(email).to_have_accessible_description("We never share it")
    ident = page.get_by_label("Ident")
    expect(ident).to_have_value("ID-7")
    expect(ident).not_to_be_editable()
    fruit = page.get_by_label("Fruit")
    assert fruit.evaluate("f => f.list && f.list.tagName") == "DATALIST"
    assert fruit.evaluate("f => [...f.list.options].map(o => o.value)") == ["apple", "banana"]
    expect(page.get_by_label("Bio")).to_have_value("line1\nline2")
    expect(page.get_by_label("Zip")).to_have_attribute("maxlength", "5")

    nick.fill("ada")
    fruit.fill("banana")
    submit_button(page).click()
    assert_typed(r.get(), {"nick": "ada", "email": "a@b.c", "ident": "ID-7", "fruit": "banana",
                           "bio": "line1\nline2", "zip": ""})
    assert page.js_errors == []


def test_action_button_set_value(serve, page):
    r = Results()

    @r.app
    def app():
        r.put(input("Code", action=("Generate", lambda set_value: set_value("XJ-42"))))
        r.put(input("Owner", action=("Pick user", lambda set_value: set_value({"id": 7}, "User seven"))))

    open_app(serve, page, app)
    page.get_by_role("button", name="Generate").click()
    code = page.get_by_label("Code")
    expect(code).to_have_value("XJ-42")
    code.press("Enter")
    assert_typed(r.get(), "XJ-42")

    page.get_by_role("button", name="Pick user").click()
    owner = page.get_by_label("Owner")
    expect(owner).to_have_value("User seven")
    expect(owner).not_to_be_editable()
    submit_button(page).click()
    assert_typed(r.get(), {"id": 7})
    assert page.js_errors == []


def test_onchange_and_input_update(serve, page):
    r = Results()
    cities = {"France": [("Paris", {"city": "paris"}), ("Lyon", {"city": "lyon"})],
              "Japan": [("Tokyo", {"city": "tokyo"}), ("Osaka", {"city": "osaka"})]}
    typed = []

    def on_name(value):
        typed.append(value)
        input_update(help_text=f"{len(value)} characters")  # name defaults to the firing item

    @r.app
    def app():
        r.put(input_group("Trip", [
            input("Traveller", name="name", onchange=on_name),
            select("Country", ["France", "Japan"], name="country",
                   onchange=lambda c: input_update("city", options=cities[c])),
            select("City", cities["France"], name="city"),
        ]))
        r.put(list(typed))

    open_app(serve, page, app)
    traveller = page.get_by_label("Traveller")
    traveller.press_sequentially("Bo")
    expect(traveller).to_have_accessible_description("2 characters")
    city = page.get_by_label("City")
    expect(city.locator("option")).to_have_text(["Paris", "Lyon"])
    page.get_by_label("Country").select_option(label="Japan")
    expect(city.locator("option")).to_have_text(["Tokyo", "Osaka"])
    city.select_option(label="Osaka")
    submit_button(page).click()
    assert_typed(r.get(), {"name": "Bo", "country": "Japan", "city": {"city": "osaka"}})
    assert r.get() == ["B", "Bo"]
    assert page.js_errors == []


def test_input_update_value_of_option_items(serve, page):
    r = Results()

    def on_code(value):
        if value == "two":
            input_update("choice", value={"id": 2})
            input_update("tags", value=[("t", 3)])

    @r.app
    def app():
        r.put(input_group("Codes", [
            input("Code", name="code", onchange=on_code),
            radio("Choice", [("One", {"id": 1}), ("Two", {"id": 2})], name="choice"),
            checkbox("Tags", [("T1", ("t", 1)), ("T3", ("t", 3))], name="tags", value=[("t", 1)]),
        ]))

    open_app(serve, page, app)
    choice = page.get_by_role("group", name="Choice")
    tags = page.get_by_role("group", name="Tags")
    expect(tags.get_by_label("T1")).to_be_checked()
    page.get_by_label("Code").press_sequentially("two")
    expect(choice.get_by_label("Two")).to_be_checked()
    expect(tags.get_by_label("T3")).to_be_checked()
    expect(tags.get_by_label("T1")).not_to_be_checked()
    submit_button(page).click()
    assert_typed(r.get(), {"code": "two", "choice": {"id": 2}, "tags": [("t", 3)]})
    assert page.js_errors == []
