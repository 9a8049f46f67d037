"""webio_desktop.testing itself: starting apps, reading the page, acting, waiting, failing well."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import unittest

import pytest

from webio_desktop import config
from webio_desktop.input import FLOAT, NUMBER, actions, checkbox, file_upload, input, input_group, \
    radio, select, slider, textarea
from webio_desktop.output import (popup, put_buttons, put_collapse, put_html, put_link,
                                  put_markdown, put_scope, put_table, put_tabs, put_text, toast,
                                  use_scope)
from webio_desktop import session
from webio_desktop.session import defer_call, download, eval_js, go_app, run_js, set_env
from webio_desktop.exceptions import SessionClosedException
from webio_desktop.testing import ActionError, AppError, User



def bmi():
    height = input("Your height (cm)", type=FLOAT)
    weight = input("Your weight (kg)", type=FLOAT)
    put_text(f"BMI: {weight / (height / 100) ** 2:.1f}")


async def async_bmi():
    height = await input("Your height (cm)", type=FLOAT)
    weight = await input("Your weight (kg)", type=FLOAT)
    put_text(f"BMI: {weight / (height / 100) ** 2:.1f}")


@pytest.mark.parametrize("app", [bmi, async_bmi], ids=["thread", "coroutine"])
def test_bmi_thread_and_coroutine(webio_user, app):
    user = webio_user(app)
    user.fill("Your height (cm)", 180)
    user.submit()
    user.fill("Your weight (kg)", 75)
    user.submit()
    user.should_see("BMI: 23.1")
    user.wait_closed()  # the app returned: the session ends
    assert user.form is None


def test_start_like_start_server_list_dict_and_app_choice(webio_user):
    def one():
        put_text("app one")

    def two():
        put_text("app two")

    assert "app two" in webio_user([one, two], "two").text()
    assert "app one" in webio_user({"index": one, "x": two}).text()
    index = webio_user([one, two])  # no index: the generated one links to every app
    index.should_see("one", role="link")
    with pytest.raises(LookupError, match="no app named 'nope'"):
        webio_user([one, two], "nope")


def test_session_info_is_the_tests(webio_user):
    def app():
        info = session.info
        put_text(f"{info.user_language} mobile={info.user_agent.is_mobile} {info.user_ip}")

    phone = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
             "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")
    webio_user(app, user_agent=phone, language="de-DE",
               info={"user_ip": "10.0.0.7"}).should_see("de-DE mobile=True 10.0.0.7")


def test_should_see_times_out_with_the_page_as_text(webio_user):
    def app():
        put_markdown("# Hello")
        input("Name")

    user = webio_user(app, timeout=0.2)
    with pytest.raises(AssertionError) as failure:
        user.should_see("Goodbye")
    message = str(failure.value)
    assert "timed out after 0.2s waiting for text 'Goodbye'" in message
    assert "--- page ---\nHello" in message and "Name (text) = ''" in message


def test_app_errors_fail_with_the_apps_traceback(webio_user):
    def app():
        put_buttons(["Divide"], onclick=lambda _: 1 / 0)
        put_text("ready")

    user = webio_user(app)
    user.should_see("ready")
    with pytest.raises(AppError, match="ZeroDivisionError") as failure:
        user.click("Divide")
        user.should_see("never")
    assert "lambda _: 1 / 0" in str(failure.value)  # the app's own line
    assert isinstance(failure.value.__cause__, ZeroDivisionError)


def test_an_expected_app_error_can_be_taken(webio_user):
    def app():
        put_buttons(["Fail"], onclick=lambda _: {}["missing"])

    user = webio_user(app)
    user.click("Fail")
    assert isinstance(user.app_error(KeyError), KeyError)
    user.should_see("Fail")  # nothing left to report


def test_form_fields_values_options_and_validation(webio_user):
    def app():
        data = input_group("Order", [
            input("Name", name="name", required=True),
            input("Count", name="count", type=NUMBER, value=1,
                  validate=lambda n: "at most 10" if n > 10 else None),
            select("Shop", name="shop", options=["Market", "Bakery"]),
            radio("Size", name="size", options=["S", "M", "L"], value="M"),
            checkbox("Extras", name="extras", options=["Bag", "Receipt"]),
            slider("Tip", name="tip", value=5, max_value=20),
            textarea("Note", name="note"),
        ], cancelable=True)
        put_text(repr(data))

    user = webio_user(app)
    form = user.form
    assert form.label == "Order"
    assert [f.label for f in form.fields.values()] == ["Name", "Count", "Shop", "Size",
                                                      "Extras", "Tip", "Note"]
    assert user.field("Shop").value == "Market" and user.field("Shop").options == ["Market",
                                                                                 "Bakery"]
    assert user.field("Size").value == "M" and user.field("Count").value == "1"
    assert [b.label for b in form.buttons] == ["Submit", "Reset", "Cancel"]
    user.fill("Count", 11)  # validate runs when the field is left (onblur)
    user.wait_until(lambda: user.field("Count").message == "at most 10", "the message")
    user.submit()
    user.wait_until(lambda: user.field("Name").message == "This field is required.",
                    "the required message")
    user.fill("Name", "Ann")
    assert user.field("Name").message == ""  # the page drops a message once the value changes
    user.fill("Count", 3)
    user.choose("Shop", "Bakery")
    user.choose("Size", "L")
    user.check("Extras", "Bag", "Receipt")
    user.uncheck("Receipt")
    user.fill("Tip", 7)
    user.fill("Note", "two\nlines")
    user.submit()
    user.should_see("{'name': 'Ann', 'count': 3, 'shop': 'Bakery', 'size': 'L', "
                    "'extras': ['Bag'], 'tip': 7, 'note': 'two\\nlines'}")


def test_reset_cancel_and_actions_buttons(webio_user):
    def app():
        first = input_group("Form", [input("A", name="a", value="start")], cancelable=True)
        put_text(f"cancelled: {first is None}")
        choice = actions("Next?", ["Go", {"label": "Stop", "value": "stop", "type": "cancel"}])
        put_text(f"choice: {choice}")

    user = webio_user(app)
    user.fill("A", "changed")
    user.reset()
    assert user.field("A").value == "start"
    user.cancel()
    user.should_see("cancelled: True")
    user.click("Stop")
    user.should_see("choice: None")


def test_onchange_and_input_action(webio_user):
    from webio_desktop.input import input_update

    def app():
        def pick(set_value):
            set_value("picked")

        data = input_group("", [
            select("Kind", name="kind", options=["a", "b"],
                   onchange=lambda v: input_update("detail", options=[f"{v}1", f"{v}2"])),
            select("Detail", name="detail", options=["a1", "a2"]),
            input("Code", name="code", action=("Pick", pick)),
        ])
        put_text(repr(data))

    user = webio_user(app)
    user.choose("Kind", "b")
    user.wait_until(lambda: user.field("Detail").options == ["b1", "b2"], "new options")
    user.click("Pick")
    user.wait_until(lambda: user.field("Code").value == "picked", "the action's value")
    user.submit()
    user.should_see("{'kind': 'b', 'detail': 'b1', 'code': 'picked'}")


def test_file_upload_as_bytes_with_the_pages_limits(webio_user):
    def app():
        f = file_upload("Picture", max_size=10)
        put_text(f"{f['filename']}: {f['content']!r}")

    user = webio_user(app)
    user.upload("Picture", ("big.png", b"x" * 11))
    assert user.field("Picture").message == "big.png is larger than 10 bytes."
    user.upload("Picture", ("../a.png", b"hello"))
    user.submit()
    user.should_see("a.png: b'hello'")


def test_outputs_by_text_role_and_scope(webio_user):
    def app():
        put_markdown("# Title\nSome *text* and [a link](https://example.org).")
        put_table([["Ann", 3], ["Bob", 5]], header=["Name", "Count"])
        with use_scope("side"):
            put_text("in the side")
        put_collapse("More", [put_text("hidden detail")])
        put_tabs([{"title": "One", "content": "first tab"},
                  {"title": "Two", "content": "second tab"}])
        put_html("<ul><li>x</li><li>y</li></ul>")

    user = webio_user(app)
    user.should_see("Title", role="heading")
    assert user.find("a link", role="link")[0].node.data["href"] == "https://example.org"
    assert user.table() == [["Name", "Count"], ["Ann", "3"], ["Bob", "5"]]
    assert user.text("side") == "in the side"
    user.should_see("in the side", scope="side")
    assert [e.text for e in user.find(role="listitem")] == ["x", "y"]
    assert "hidden detail" not in user.text() and "second tab" not in user.text()
    user.click("More")
    user.click("Two")
    user.should_see("hidden detail")
    assert "second tab" in user.text() and "first tab" not in user.text()


def test_scopes_positions_clear_and_remove(webio_user):
    def app():
        put_scope("a", [put_text("a1")])
        put_text("top", scope="a", position=0)
        put_text("between", scope="a", position=1)
        set_done = input("Go")
        with use_scope("a", clear=True):
            put_text("fresh")
        put_scope("b", [put_text("bee")])
        from webio_desktop.output import remove
        remove("b")
        put_text(f"done {set_done}")

    user = webio_user(app)
    assert user.text("a") == "top\nbetween\na1"
    user.fill("Go", "x")
    user.submit()
    user.should_see("done x")
    assert user.text("a") == "fresh" and "bee" not in user.text()


def test_buttons_links_toasts_popup(webio_user):
    def app():
        put_buttons(["Open"], onclick=lambda _: popup("Dialog", [put_text("inside"),
                                                                 put_buttons(["Hi"], onclick=lambda _: toast("hi!", onclick=lambda: put_text("toast clicked")))]))
        put_text("clickable").onclick(lambda: put_text("was clicked"))

    user = webio_user(app)
    user.click("clickable")
    user.should_see("was clicked")
    user.click("Open")
    user.wait_until(lambda: user.popup is not None, "the popup")
    assert user.popup.title == "Dialog" and user.popup.text.startswith("inside")
    with pytest.raises(ActionError, match="the popup 'Dialog' is open"):
        user.click("clickable")
    user.click("Hi")
    user.should_see("hi!")
    assert user.toasts == ["hi!"]
    user.close_popup()
    assert user.popup is None
    user.click_toast("hi!")
    user.should_see("toast clicked")


def test_pins(webio_user):
    from webio_desktop.pin import pin_on_change, pin_wait_change, put_input, put_select
    from webio_desktop.pin import pin

    def app():
        put_input("who", label="Who")
        put_select("color", ["red", "blue"], label="Color")
        pin_on_change("color", lambda v: put_text(f"color now {v}"))
        changed = pin_wait_change("who")
        put_text(f"{changed['name']} = {changed['value']}; read {pin.who}")
        pin.who = "set by app"

    user = webio_user(app)
    assert user.pins == {"who": "", "color": "red"}
    user.choose("Color", "blue")
    user.should_see("color now blue")
    user.fill("Who", "Ann")
    user.should_see("who = Ann; read Ann")
    user.wait_until(lambda: user.pins["who"] == "set by app", "pin update")


def test_title_run_js_eval_js_download(webio_user):
    @config(title="Configured")
    def app():
        run_js("console.log(x)", x=1)
        answer = eval_js("navigator.language")
        set_env(title=f"lang {answer}")
        download("a.txt", b"content")

    user = webio_user(app, eval_js=lambda code, args: "fr-FR" if "language" in code else None)
    user.wait_until(lambda: user.downloads, "the download")
    assert user.title == "lang fr-FR"
    assert [(c.code, c.args) for c in user.js_calls][0] == ("console.log(x)", {"x": 1})
    assert (user.downloads[0].name, user.downloads[0].content) == ("a.txt", b"content")



def test_title_comes_from_config_then_set_env(webio_user):
    @config(title="Configured")
    def app():
        input("Rename")
        set_env(title="Renamed")

    user = webio_user(app)
    user.should_see("Rename")
    assert user.title == "Configured"
    user.submit()
    user.wait_until(lambda: user.title == "Renamed", "the new title")


def test_close_page_the_app_sees_session_closed_and_defer_call_runs(webio_user):
    seen = []

    def app():
        defer_call(lambda: seen.append("deferred"))
        try:
            input("Wait")
        except SessionClosedException:
            seen.append("closed")
            raise

    user = webio_user(app)
    user.should_see("Wait")
    user.close()  # waits for the defer_call functions
    assert "deferred" in seen
    user.wait_until(lambda: "closed" in seen, "the app to see the page closed")


def test_go_app_and_app_links_in_place_and_new_windows(webio_user):
    def index():
        put_link("Counter", app="counter", new_window=True)
        put_buttons(["Here"], onclick=lambda _: go_app("counter", new_window=False))

    def counter():
        put_text("the counter")

    user = webio_user([index, counter])
    user.click("Counter")  # a link: the page opens the window itself, at once
    assert [w.app_name for w in user.windows] == ["index", "counter"]
    user.windows[1].should_see("the counter")
    first_session = user.session
    user.click("Here")
    user.should_see("the counter")
    assert user.app_name == "counter" and first_session.closed
    assert [(o.name, o.new_window) for o in user.windows[0].page.opened] == []


def test_unittest_use_without_pytest():
    class Case(unittest.TestCase):
        def test_it(self):
            with User(bmi) as user:
                user.fill("Your height (cm)", 200)
                user.submit()
                user.fill("Your weight (kg)", 80)
                user.submit()
                user.should_see("BMI: 20.0")

    result = unittest.TextTestRunner(stream=open("/dev/null", "w")).run(
        unittest.defaultTestLoader.loadTestsFromTestCase(Case))
    assert result.wasSuccessful(), result.failures + result.errors


def test_start_server_in_a_script_is_captured(tmp_path, webio_user):
    script = tmp_path / "app.py"
    script.write_text(textwrap.dedent("""
        from webio_desktop import start_server
        from webio_desktop.output import put_text

        def main():
            put_text("from the script")

        start_server(main, port=8080)
        raise SystemExit("start_server must not return under test")
    """))
    webio_user.from_script(script).should_see("from the script")


def test_api_outside_a_session_fails_clearly_under_the_harness(webio_user):
    webio_user(bmi)
    errors = []

    def stray():
        try:
            put_text("stray")
        except Exception as exc:
            errors.append(exc)

    thread = threading.Thread(target=stray)
    thread.start()
    thread.join()
    assert "no session" in str(errors[0])


def test_plugin_is_registered_by_entry_point(tmp_path):
    """``pip install webio-desktop`` gives the fixture: no conftest, no ``-p``."""
    (tmp_path / "test_x.py").write_text(textwrap.dedent("""
        from webio_desktop.output import put_text

        def app():
            put_text("plugin works")

        def test_it(webio_user):
            webio_user(app).should_see("plugin works")
    """))
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          str(tmp_path / "test_x.py")], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout


def test_datatable_rows_selection_and_actions(webio_user):
    from webio_desktop.output import datatable_insert, put_datatable

    def app():
        rows = [{"name": "Ann", "age": 3}, {"name": "Bob", "age": 5}]
        put_datatable(rows, onselect=lambda i: put_text(f"selected {i}"),
                      actions=[("Greet", lambda i: put_text(f"hello {rows[i]['name']}"))],
                      instance_id="people")
        input("Add")
        datatable_insert("people", {"name": "Cy", "age": 7})

    user = webio_user(app)
    assert user.table() == [["Name", "Age"], ["Ann", "3"], ["Bob", "5"]]
    assert not user.find("Greet", role="button")  # the action bar shows with a selection
    user.click("Bob")
    user.should_see("selected 1")
    user.should_see("1 row selected")
    user.click("Greet")
    user.should_see("hello Bob")
    user.click("Unselect")
    assert not user.find("Greet", role="button")
    user.submit()
    user.wait_until(lambda: len(user.table()) == 4, "the inserted row")
    assert user.table()[-1] == ["Cy", "7"]


def test_a_user_that_fails_to_open_leaves_nothing_installed():
    from webio_desktop.sessions.host import current_host

    before = current_host()
    with pytest.raises(LookupError):
        User(bmi, "nope")
    assert current_host() is before
    with User(bmi) as user:
        assert current_host() is not before
        user.should_see("Your height (cm)")
    assert current_host() is before


def test_should_see_text_across_outputs(webio_user):
    """Text that spans two outputs (and no single run of text) is found too."""
    def app():
        put_text("first half")
        put_text("second half", inline=True)
        put_text("done")

    user = webio_user(app)
    user.should_see("done")
    user.should_see("first half second half")
    user.should_not_see("half first")
