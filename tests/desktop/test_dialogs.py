"""webio_desktop.desktop's dialogs in real windows (answered with xdotool, as a user would type)
and their fallbacks in a real browser."""
from __future__ import annotations

import re
import subprocess
import textwrap

import pytest

from .conftest import needs_qt, shown, wait_for, wait_until
from .xwin import find_windows


@pytest.fixture
def engine() -> str:
    """The native surface is built with Qt (docs/desktop.md, "Engines"): Qt windows only."""
    return "qt"


def xdotool(display: str, *args: str) -> str:
    return subprocess.run(["xdotool", *args], env={"DISPLAY": display}, check=True,
                          capture_output=True, text=True, timeout=10).stdout


def press(display: str, window: int, keys: list[tuple[str, ...]], done) -> None:
    """Focus ``window`` and send ``keys`` (xdotool argument lists), again until ``done()``: a
    fresh dialog may drop keys until it has the keyboard."""

    def attempt() -> bool:
        try:
            xdotool(display, "windowfocus", "--sync", str(window))
            for args in keys:
                xdotool(display, *args)
        except subprocess.CalledProcessError:
            pass  # it closed meanwhile
        try:
            wait_until(done, 2, 0.1)
        except AssertionError:
            return False
        return True

    wait_for(attempt, timeout=20, what="the dialog to take the keys")


def answer(display: str, title: str, *, text: str | None = None, key: str = "Return") -> None:
    """Wait for the dialog titled ``title``, type ``text`` (replacing what is there) and press
    ``key``, until the dialog is gone."""
    name = f"^{re.escape(title)}$"
    dialog = wait_for(lambda: find_windows(display, name), what=f"the dialog {title!r}")[0]
    keys = ([("key", "ctrl+a"), ("type", "--delay", "5", text)] if text is not None else [])
    press(display, dialog, [*keys, ("key", key)], lambda: not find_windows(display, name))


def write_app(tmp_path, body: str, *, coroutine: bool = False):
    script = tmp_path / "dialog_app.py"
    header = ("from pywebio import start_server\nfrom pywebio.output import put_text\n"
              "from webio_desktop import desktop\n\n")
    script.write_text(header + ("async " if coroutine else "") + "def index():\n"
                      + textwrap.indent(textwrap.dedent(body), "    ")
                      + "\nstart_server(index)\n")
    return script


@needs_qt
def test_dialogs_return_paths_in_a_thread_session(launch, xdisplay, tmp_path):
    note = tmp_path / "a note.txt"
    note.write_text("first")
    existing = tmp_path / "out.txt"
    existing.write_text("old")
    script = write_app(tmp_path, """
        put_text('ready')
        print('available', desktop.available(), flush=True)
        print('opened', desktop.open_file('Pick a note', filters=[('Notes', '*.txt')]), flush=True)
        print('saved', desktop.save_file('out.txt', 'new text', title='Save the note'), flush=True)
        print('folder', desktop.choose_folder('Pick a folder'), flush=True)
        print('ok', desktop.ask_ok_cancel('Go on?', 'Question'), flush=True)
        desktop.message_box('All done', 'Finished')
        print('boxed', flush=True)
        put_text('finished')
    """)
    app = launch(script, opts=("--no-remember",), display=xdisplay)
    page = shown(app.page(), "ready")
    app.wait_line(r"^available True$")
    answer(xdisplay, "Pick a note", text=str(note))
    assert app.wait_line(r"^opened ") == f"opened {note}"
    # An existing file: Qt asks (a second window with the dialog's title) whether to replace it.
    name = "^Save the note$"
    dialog = wait_for(lambda: find_windows(xdisplay, name), what="the Save dialog")[0]
    press(xdisplay, dialog, [("key", "ctrl+a"), ("type", "--delay", "5", str(existing)),
                             ("key", "Return")], lambda: len(find_windows(xdisplay, name)) > 1)
    question = [w for w in find_windows(xdisplay, name) if w != dialog][0]
    press(xdisplay, question, [("key", "alt+y")], lambda: not find_windows(xdisplay, name))
    assert app.wait_line(r"^saved ") == f"saved {existing}"
    assert existing.read_text() == "new text"
    answer(xdisplay, "Pick a folder", text=str(tmp_path))
    assert app.wait_line(r"^folder ") == f"folder {tmp_path}"
    answer(xdisplay, "Question")  # Return: OK is the default button
    assert app.wait_line(r"^ok ") == "ok True"
    answer(xdisplay, "Finished")
    app.wait_line(r"^boxed$")
    page.wait_for_selector("text=finished")


@needs_qt
def test_cancel_gives_none_and_calls_are_awaitable_in_a_coroutine_session(
        launch, xdisplay, tmp_path):
    one, two = tmp_path / "one.txt", tmp_path / "two.txt"
    one.write_text("1")
    two.write_text("2")
    script = write_app(tmp_path, """
        put_text('ready')
        print('cancelled', await desktop.open_file('Open', directory='/tmp'), flush=True)
        print('several', await desktop.open_file('Open several', multiple=True,
                                                 directory=%r), flush=True)
        print('no save', await desktop.save_file('x.txt', b'data', title='Save'), flush=True)
        print('ok', await desktop.ask_ok_cancel('Go on?', 'Question'), flush=True)
    """ % str(tmp_path), coroutine=True)
    app = launch(script, opts=("--no-remember",), display=xdisplay)
    shown(app.page(), "ready")
    answer(xdisplay, "Open", key="Escape")
    assert app.wait_line(r"^cancelled ") == "cancelled None"
    answer(xdisplay, "Open several", text='"one.txt" "two.txt"')
    assert app.wait_line(r"^several ") == f"several {[str(one), str(two)]}"
    answer(xdisplay, "Save", key="Escape")
    assert app.wait_line(r"^no save ") == "no save None"
    assert not (tmp_path / "x.txt").exists()
    answer(xdisplay, "Question", key="Escape")
    assert app.wait_line(r"^ok ") == "ok False"


def test_browser_fallbacks(launch, chromium, tmp_path):
    """--browser: open_file is a file_upload form whose file comes back as a path, save_file
    downloads, the message box is a popup, choose_folder raises DesktopUnavailable (a browser
    never gives a folder's path, and uploading a whole folder is not what "choose" means)."""
    script = write_app(tmp_path, """
        put_text('ready')
        print('available', desktop.available(), flush=True)
        path = desktop.open_file('Pick a note', filters=['Notes (*.txt *.md)'])
        print('opened', path, open(path).read(), flush=True)
        desktop.save_file('copy.txt', 'saved text')
        desktop.message_box('All done', 'Finished')
        try:
            desktop.choose_folder()
        except desktop.DesktopUnavailable as exc:
            print('unavailable', exc, flush=True)
    """)
    app = launch(script, opts=("--browser", "--no-open"))
    opener = re.search(r"(file://\S+)", app.wait_line(r"webio-desktop: open file://")).group(1)
    page = chromium.new_page()
    page.goto(opener)  # the printed opener signs the browser in (see test_browser.py)
    page.wait_for_selector("text=ready")
    assert app.wait_line(r"^available ") == "available False"
    field = page.locator("input[type=file]")
    assert field.get_attribute("accept") == ".txt,.md"
    field.set_input_files({"name": "mine.txt", "mimeType": "text/plain", "buffer": b"hello"})
    with page.expect_download() as download:
        page.get_by_role("button", name="Submit", exact=True).click()
    line = app.wait_line(r"^opened ")
    path = line.split()[1]
    assert path.endswith("/mine.txt") and line.endswith(" hello")
    assert download.value.suggested_filename == "copy.txt"
    saved = tmp_path / "copy.txt"
    download.value.save_as(saved)
    assert saved.read_text() == "saved text"
    page.wait_for_selector("text=All done")
    assert "needs a native window" in app.wait_line(r"^unavailable ")


def test_ask_ok_cancel_in_a_browser_is_a_popup(launch, chromium, tmp_path):
    """--browser: the question is a popup only its OK / Cancel buttons close; the call waits for
    the click (in a coroutine session too) and returns True / False."""
    script = write_app(tmp_path, """
        put_text('ready')
        print('first', await desktop.ask_ok_cancel('Go on?', 'Question'), flush=True)
        print('second', await desktop.ask_ok_cancel('Really?'), flush=True)
        put_text('finished')
    """, coroutine=True)
    app = launch(script, opts=("--browser", "--no-open"))
    opener = re.search(r"(file://\S+)", app.wait_line(r"webio-desktop: open file://")).group(1)
    page = chromium.new_page()
    page.goto(opener)
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("Go on?").wait_for()
    assert dialog.get_by_text("Question").is_visible()
    assert dialog.get_by_role("button", name="Close").count() == 0  # only the answers close it
    dialog.get_by_role("button", name="OK", exact=True).click()
    assert app.wait_line(r"^first ") == "first True"
    page.get_by_role("dialog").get_by_text("Really?").wait_for()
    page.get_by_role("dialog").get_by_role("button", name="Cancel", exact=True).click()
    assert app.wait_line(r"^second ") == "second False"
    page.wait_for_selector("text=finished")
    assert page.get_by_role("dialog").count() == 0


@pytest.mark.parametrize("filters, accept", [
    ([("Text", "*.txt *.md")], ".txt,.md"),
    (["Images (*.png;*.jpg)", "*.csv"], ".png,.jpg,.csv"),
    ([("All", "*")], None),
])
def test_filters_become_the_upload_accept(filters, accept):
    from webio_desktop.desktop.native import _accept, normalize_filters

    assert _accept(normalize_filters(filters)) == accept


def test_a_filter_without_pattern_is_refused():
    from webio_desktop.desktop.native import normalize_filters
    from webio_desktop.exceptions import ArgumentError

    with pytest.raises(ArgumentError, match="no pattern"):
        normalize_filters([("Text", "")])
