"""webio_desktop.desktop's dialogs in real windows on both engines (Qt's dialogs, GTK's with the
system engine; answered with xdotool, as a user would type) and their fallbacks in a real
browser."""
from __future__ import annotations

import re
import subprocess
import textwrap

import pytest

from .conftest import wait_for, wait_until
from .services import x
from .xwin import find_windows


def xdotool(display: str, *args: str) -> str:
    return subprocess.run(["xdotool", *args], env={"DISPLAY": display}, check=True,
                          capture_output=True, text=True, timeout=10).stdout


def press(display: str, window: int, keys: list[tuple[str, ...]], done, app=None) -> None:
    """Focus ``window`` and send ``keys`` (xdotool argument lists), again until ``done()``: a
    fresh dialog may drop keys until it has the keyboard. With ``app``: a Return that found a
    completion popup of a typed path open (GTK's) only closed it, so it is pressed again."""

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
            if app is None or keys[-1] != ("key", "Return") or not popups(display, app):
                return False
            xdotool(display, "key", "Return")
            try:
                wait_until(done, 2, 0.1)
            except AssertionError:
                return False
        return True

    wait_for(attempt, timeout=20, what="the dialog to take the keys")


def answer(display: str, app, title: str, *, text: str | None = None,
           keys: tuple[str, ...] = ("Return",)) -> None:
    """Wait for the dialog titled ``title``, type ``text`` (replacing what is there) and press
    ``keys``, until the dialog is gone."""
    name = f"^{re.escape(title)}$"
    dialog = wait_for(lambda: find_windows(display, name), what=f"the dialog {title!r}")[0]
    typed = ([("key", "ctrl+a"), ("type", "--delay", "5", text)] if text is not None else [])
    press(display, dialog, [*typed, *(("key", key) for key in keys)],
          lambda: not find_windows(display, name), app)


def app_windows(display: str, app) -> list[int]:
    """The app's visible top-level windows (its dialogs too: a question may have no title),
    and its popups (menus, completions)."""
    out = subprocess.run(["xdotool", "search", "--onlyvisible", "--pid", str(app.proc.pid)],
                         env={"DISPLAY": display}, capture_output=True, text=True, timeout=10)
    return [int(w) for w in out.stdout.split()]


def popups(display: str, app) -> list[int]:
    """The app's visible popups: windows the window manager would not manage."""
    return [w for w in app_windows(display, app) if "Override Redirect State: yes" in
            x(display, "xwininfo", "-id", str(w))]


def dialogs(display: str, app) -> set[int]:
    return set(app_windows(display, app)) - set(popups(display, app))


def write_app(tmp_path, body: str, *, coroutine: bool = False):
    script = tmp_path / "dialog_app.py"
    header = ("from pywebio import start_server\nfrom pywebio.output import put_text\n"
              "from webio_desktop import desktop\n\n")
    script.write_text(header + ("async " if coroutine else "") + "def index():\n"
                      + textwrap.indent(textwrap.dedent(body), "    ")
                      + "\nstart_server(index)\n")
    return script


def test_dialogs_return_paths_in_a_thread_session(launch, xdisplay, tmp_path, engine):
    note = tmp_path / "a note.txt"
    note.write_text("first")
    existing = tmp_path / "out.txt"
    existing.write_text("old")
    script = write_app(tmp_path, """
        put_text('ready')
        print('available', desktop.available(), flush=True)
        print('opened', desktop.open_file('Pick a note', filters=[('Notes', '*.txt')]), flush=True)
        print('saved', desktop.save_file('out.txt', 'new text', title='Save the note',
                                         directory=%r), flush=True)
        print('folder', desktop.choose_folder('Pick a folder', directory=%r), flush=True)
        print('ok', desktop.ask_ok_cancel('Go on?', 'Question'), flush=True)
        desktop.message_box('All done', 'Finished')
        print('boxed', flush=True)
        put_text('finished')
    """ % (str(tmp_path), str(tmp_path)))
    app = launch(script, opts=("--no-remember",), display=xdisplay)
    page = app.page()  # not shown(): the modal dialog takes the window's input at once
    page.wait_for_selector("text=ready")
    app.wait_line(r"^available True$")
    answer(xdisplay, app, "Pick a note", text=str(note))
    assert app.wait_line(r"^opened ") == f"opened {note}"
    # The suggested name in the given folder is an existing file: Return, and the dialog asks
    # (a window of its own) whether to replace it: Qt's "Yes", GTK's "Replace".
    name = "^Save the note$"
    dialog = wait_for(lambda: find_windows(xdisplay, name), what="the Save dialog")[0]
    others = dialogs(xdisplay, app) - {dialog}
    press(xdisplay, dialog, [("key", "Return")], lambda: dialogs(xdisplay, app) - others - {dialog})
    assert existing.read_text() == "old"  # not yet: the question waits
    question = (dialogs(xdisplay, app) - others - {dialog}).pop()
    press(xdisplay, question, [("key", "alt+y" if engine == "qt" else "alt+r")],
          lambda: not find_windows(xdisplay, name))
    assert app.wait_line(r"^saved ") == f"saved {existing}"
    assert existing.read_text() == "new text"
    answer(xdisplay, app, "Pick a folder")  # Return: the folder it shows
    assert app.wait_line(r"^folder ") == f"folder {tmp_path}"
    answer(xdisplay, app, "Question")  # Return: OK is the default button
    assert app.wait_line(r"^ok ") == "ok True"
    answer(xdisplay, app, "Finished")
    app.wait_line(r"^boxed$")
    page.wait_for_selector("text=finished")


def test_cancel_gives_none_and_calls_are_awaitable_in_a_coroutine_session(
        launch, xdisplay, tmp_path, engine):
    picks = tmp_path / "picks"
    picks.mkdir()
    one, two = picks / "one.txt", picks / "two.txt"
    one.write_text("1")
    two.write_text("2")
    script = write_app(tmp_path, """
        put_text('ready')
        print('cancelled', await desktop.open_file('Open', directory='/tmp'), flush=True)
        print('several', await desktop.open_file('Open several', multiple=True,
                                                 directory=%r), flush=True)
        print('no save', await desktop.save_file('x.txt', b'data', title='Save'), flush=True)
        print('ok', await desktop.ask_ok_cancel('Go on?', 'Question'), flush=True)
    """ % str(picks), coroutine=True)
    app = launch(script, opts=("--no-remember",), display=xdisplay)
    app.page().wait_for_selector("text=ready")
    answer(xdisplay, app, "Open", keys=("Escape",))
    assert app.wait_line(r"^cancelled ") == "cancelled None"
    # Several files: Qt's name field takes quoted names; GTK's takes one path, so (as a user
    # would) the file list, which has the keyboard, selects all its files.
    if engine == "qt":
        answer(xdisplay, app, "Open several", text='"one.txt" "two.txt"')
    else:
        answer(xdisplay, app, "Open several", keys=("ctrl+a", "Return"))
    assert app.wait_line(r"^several ") == f"several {[str(one), str(two)]}"
    answer(xdisplay, app, "Save", keys=("Escape",))
    assert app.wait_line(r"^no save ") == "no save None"
    assert not (tmp_path / "x.txt").exists()
    answer(xdisplay, app, "Question", keys=("Escape",))
    assert app.wait_line(r"^ok ") == "ok False"


@pytest.mark.parametrize("engine", ["qt"])  # no window: the engine does not matter
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


@pytest.mark.parametrize("engine", ["qt"])  # no window: the engine does not matter
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
