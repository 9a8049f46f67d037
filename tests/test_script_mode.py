"""Script mode: a plain script with no start_server gets a page of its own."""
from conftest import free_port, wait_for_port

SCRIPT = """
from webio_desktop.input import input
from webio_desktop.output import put_text
put_text("script says hi")
name = input("Who are you?")
put_text(f"bye {name}")
"""

SCRIPT_WITH_CALLBACK = """
from webio_desktop.output import put_buttons, put_text
put_buttons(["Ping"], [lambda: put_text("pong")])
print("script body done", flush=True)
"""


def test_script_mode_serves_one_page_and_exits_when_done(page, browser, run_script):
    port = free_port()
    proc = run_script(SCRIPT, env={"WEBIO_SCRIPT_MODE_PORT": str(port)})
    wait_for_port(port)
    page.goto(f"http://127.0.0.1:{port}/")
    page.get_by_text("script says hi").wait_for()
    second = browser.new_page()  # only the first page gets the script's session
    second.goto(f"http://127.0.0.1:{port}/")
    page.get_by_label("Who are you?").fill("Grace")
    page.keyboard.press("Enter")
    page.get_by_text("bye Grace").wait_for()
    assert proc.wait(15) == 0
    assert f"127.0.0.1:{port}" in proc.stdout.read()
    assert second.locator("#pywebio-scope-ROOT").inner_text() == ""
    second.close()


def test_script_mode_waits_for_callbacks_until_the_page_closes(page, run_script):
    port = free_port()
    proc = run_script(SCRIPT_WITH_CALLBACK, env={"WEBIO_SCRIPT_MODE_PORT": str(port)})
    wait_for_port(port)
    page.goto(f"http://127.0.0.1:{port}/")
    page.get_by_role("button", name="Ping").click()
    page.get_by_text("pong").wait_for()
    page.get_by_role("button", name="Ping").click()
    page.get_by_text("pong").nth(1).wait_for()
    assert proc.poll() is None  # the script's body is done, but its button still works
    page.close()
    assert proc.wait(15) == 0


def test_reading_info_of_a_script_session_closed_before_its_page_came_raises():
    import threading

    from webio_desktop.exceptions import SessionClosedException
    from webio_desktop.sessions.script_mode import ScriptSession

    session = ScriptSession()
    outcome: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        try:
            session.info
        except BaseException as exc:  # noqa: BLE001 - the outcome is what the test checks
            outcome.append(exc)
        done.set()

    threading.Thread(target=read, daemon=True).start()
    session.close()
    assert done.wait(10), "reading session.info stayed blocked after the session closed"
    assert isinstance(outcome[0], SessionClosedException)
