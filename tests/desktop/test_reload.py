"""Hot reload (``webio-desktop --reload``) in real windows under Xvfb and in Chromium.

Each test writes a small app into its own folder, saves changes to it and waits for the page to
show them (never a fixed sleep): the window stays the same X window with the same geometry, the
old session's ``defer_call`` ran, a broken save shows its traceback in the window and the next
good save recovers.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import psutil
import pytest

from .conftest import input_ready, qt_missing, shown, wait_for
from .xwin import find_windows, window_names

_missing = qt_missing()

APP = '''\
from pywebio import config, start_server
from pywebio.output import put_buttons, put_text
from pywebio.session import defer_call

import helper


@config(title="Reload test")
def index():
    defer_call(lambda: print(f"index ended {helper.VERSION}", flush=True))
    put_text(helper.greeting("index"))
    # A callback keeps the session open until the page goes (or a reload ends it).
    put_buttons(["Press"], onclick=lambda _: put_text(f"pressed {helper.VERSION}"))


def second():
    """Second"""
    put_text(helper.greeting("second"))


start_server({"index": index, "second": second}{debug})
'''

# Same length for every version: a save within the same second must not load a stale .pyc.
HELPER = '''\
VERSION = {v}


def greeting(app):
    return f"{{app}} version {v}"
'''


def write_app(folder: Path, version: int = 1, debug: bool = False) -> Path:
    (folder / "helper.py").write_text(HELPER.format(v=version))
    script = folder / "app.py"
    script.write_text(APP.replace("{debug}", ", debug=True" if debug else ""))
    return script


def save_helper(folder: Path, version: int) -> None:
    (folder / "helper.py").write_text(HELPER.format(v=version))


def geometry(display: str, window: int) -> dict[str, int]:
    out = subprocess.run(["xdotool", "getwindowgeometry", "--shell", str(window)],
                         env={"DISPLAY": display}, capture_output=True, text=True, check=True)
    return {k: int(v) for k, v in (line.split("=") for line in out.stdout.split())
            if k in ("X", "Y", "WIDTH", "HEIGHT")}


def place(display: str, window: int, x: int, y: int, width: int, height: int) -> None:
    subprocess.run(["xdotool", "windowmove", "--sync", str(window), str(x), str(y),
                    "windowsize", "--sync", str(window), str(width), str(height)],
                   env={"DISPLAY": display}, check=True, timeout=10)


def open_in_chromium(app, chromium):
    """Open browser mode's printed opener file (it holds the one-time token, not the line)."""
    opener = re.search(r"(file://\S+)", app.wait_line(r"webio-desktop: open file://")).group(1)
    page = chromium.new_page()
    page.goto(opener)
    page.wait_for_url("http://**")
    return page


@pytest.mark.skipif(_missing is not None, reason=_missing or "")
def test_save_reloads_the_window_in_place_and_errors_show_in_it(launch, xdisplay, tmp_path):
    script = write_app(tmp_path)
    app = launch(script, opts=("--reload",), display=xdisplay,
                 env={"PYTHONDONTWRITEBYTECODE": ""})  # .pyc files are written, as usual
    app.wait_line(r"reloading on changes to \.py files in " + re.escape(str(tmp_path)))
    page = shown(app.page(), "index version 1")
    window = wait_for(lambda: find_windows(xdisplay, "^Reload test$"), what="the window")[0]
    place(xdisplay, window, 120, 90, 700, 520)
    before = geometry(xdisplay, window)
    page.evaluate("window.oldDocument = true")

    # A helper module of the folder changed: the same window shows the new code.
    save_helper(tmp_path, 2)
    page.wait_for_selector("text=index version 2")
    app.wait_line(r"reloaded app\.py in \d+ ms")
    assert app.lines.index("index ended 1") < next(  # the old session ended first
        i for i, line in enumerate(app.lines) if "reloaded app.py" in line)
    assert page.evaluate("window.oldDocument") is None  # a new document in the same view
    assert find_windows(xdisplay, "^Reload test$") == [window]
    assert geometry(xdisplay, window) == before
    assert len(app.pages()) == 1
    input_ready(page)  # a reloaded view, like a new one, may drop its first clicks
    page.click("text=Press")  # the new session works
    page.wait_for_selector("text=pressed 2")

    # A syntax error in the script: its traceback in the window, the process goes on.
    script.write_text(script.read_text() + "\ndef broken(:\n    pass\n")
    page.wait_for_selector("text=SyntaxError")
    page.wait_for_selector("text=Save app.py to try again")  # the page's last output
    text = page.inner_text("body")
    assert 'File "' + str(script) + '", line' in text and "def broken(:" in text
    wait_for(lambda: "app.py: error" in window_names(xdisplay), what="the error page's title")
    assert app.proc.poll() is None

    # An import error (the script is fixed, its helper is not): the same.
    write_app(tmp_path, 3)
    (tmp_path / "helper.py").write_text("import not_a_module_anywhere\n")
    page.wait_for_selector("text=ModuleNotFoundError")
    page.wait_for_selector("text=Save app.py to try again")
    assert "not_a_module_anywhere" in page.inner_text("body")

    # The next good save recovers, in the same window with its title.
    save_helper(tmp_path, 4)
    page.wait_for_selector("text=index version 4")
    wait_for(lambda: "Reload test" in window_names(xdisplay), what="the app's title again")
    assert find_windows(xdisplay, "^Reload test$") == [window]
    assert geometry(xdisplay, window) == before
    assert len(app.pages()) == 1


@pytest.mark.skipif(_missing is not None, reason=_missing or "")
def test_tabs_stay_and_each_shows_the_new_code(launch, xdisplay, tmp_path):
    script = write_app(tmp_path)
    app = launch(script, opts=("--reload", "--tabs"), display=xdisplay)
    shell = app.page("tabs.html")
    frame = tab_frame(app, "index")
    frame.wait_for_selector("text=index version 1")
    shell.evaluate("window.webioTabs.open('/?app=second')")
    tab_frame(app, "second").wait_for_selector("text=second version 1")
    shell.evaluate("window.webioTabs.select(0)")
    tabs = shell.evaluate("window.webioTabs.list()")
    assert [t["title"] for t in tabs] == ["Reload test", "Second"]

    save_helper(tmp_path, 2)
    tab_frame(app, "index").wait_for_selector("text=index version 2")
    # (the tab in the background reloads too; its page is hidden)
    tab_frame(app, "second").wait_for_selector("text=second version 2", state="attached")
    shell = app.page("tabs.html")
    assert shell.evaluate("window.webioTabs.list()") == tabs  # same tabs, same one active
    assert len(app.pages()) == 1  # one native window


def tab_frame(app, name: str):
    """The tab frame of app ``name`` (each try connects afresh: Qt's DevTools reports frames
    attached later only on a new connection)."""
    def find():
        shell = app.page("tabs.html")
        return next((f for f in shell.frames
                     if f is not shell.main_frame and f"app={name}" in f.url), None)

    return wait_for(find, what=f"the tab of {name}")


@pytest.mark.skipif(_missing is not None, reason=_missing or "")
def test_reloads_leak_no_threads_tasks_or_descriptors(launch, xdisplay, tmp_path):
    """Ten reloads in a row (bench/reload.py does 50): once warm (after two), the launcher's
    threads, open files, server tasks and open sessions stay where they were, and its memory
    grows less than 12 MiB."""
    script = write_app(tmp_path)
    app = launch(script, opts=("--reload", "--debug"), display=xdisplay)
    page = shown(app.page(), "index version 1")
    proc = psutil.Process(app.proc.pid)
    shown_at = {}  # version -> (OS threads, fds, RSS) once the page shows it
    for version in range(2, 13):
        save_helper(tmp_path, version)
        page.wait_for_selector(f"text=index version {version}")
        shown_at[version] = (proc.num_threads(), proc.num_fds(), proc.memory_info().rss)
    # Reload k's debug line counts what was there before it: version k on the page.
    before = {k: reload_stats(app, k) for k in (3, 11)}
    assert before[11] == before[3], before  # Python threads, loop tasks, open sessions
    assert before[11][2] == 1, before  # the page's own session, nothing else
    (threads, fds, rss), (_, _, rss_end) = shown_at[3], shown_at[12]
    # Short-lived threads may be running when a page shows (pywebview runs each call from the
    # page on a thread of its own), and the last reload's old socket may still be closing:
    # wait for both to end.
    wait_for(lambda: proc.num_threads() <= threads, what=f"threads back to {threads} ({shown_at})")
    wait_for(lambda: proc.num_fds() <= fds, what=f"open files back to {fds} ({shown_at})")
    assert rss_end - rss < 12 * 2**20, shown_at


def reload_stats(app, number: int) -> tuple[int, int, int]:
    """(Python threads, server loop tasks, open sessions) before reload ``number`` (the
    launcher's --debug line)."""
    log = app.home / "stderr.log"
    pattern = re.compile(rf"reload {number}: before it (\d+) threads, (\d+) tasks on the "
                         rf"server's loop, (\d+) sessions open")
    match = wait_for(lambda: pattern.search(log.read_text(errors="replace")),
                     what=f"the figures of reload {number}")
    return int(match.group(1)), int(match.group(2)), int(match.group(3))


SCRIPT_MODE = '''\
from pywebio.input import input
from pywebio.output import put_text
import helper

put_text(helper.greeting("script"))
name = input("Your name?")
put_text(f"hello {name}")
'''


def test_browser_mode_reloads_a_script_mode_app(launch, chromium, tmp_path):
    (tmp_path / "helper.py").write_text(HELPER.format(v=1))
    script = tmp_path / "script.py"
    script.write_text(SCRIPT_MODE)
    app = launch(script, opts=("--reload", "--browser", "--no-open"))
    page = open_in_chromium(app, chromium)
    page.wait_for_selector("text=script version 1")
    page.fill("input", "Ada")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=hello Ada")

    save_helper(tmp_path, 2)  # the script runs again from the start, in the same tab
    page.wait_for_selector("text=script version 2")
    page.wait_for_selector("input")
    assert "hello Ada" not in page.inner_text("body")

    script.write_text("put_text(\n")  # broken
    page.wait_for_selector("text=SyntaxError")
    script.write_text(SCRIPT_MODE)
    page.wait_for_selector("text=script version 2")
    page.fill("input", "Bob")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=hello Bob")
    assert app.proc.poll() is None


def test_start_server_debug_turns_reload_on_in_the_launcher(launch, chromium, tmp_path):
    script = write_app(tmp_path, debug=True)
    app = launch(script, opts=("--browser", "--no-open"))
    page = open_in_chromium(app, chromium)
    page.wait_for_selector("text=index version 1")
    app.wait_line(r"reloading on changes to \.py files")
    save_helper(tmp_path, 2)
    page.wait_for_selector("text=index version 2")
    app.wait_line("index ended 1")


def test_a_first_run_that_fails_shows_the_error_and_waits_for_a_fix(launch, chromium, tmp_path):
    script = write_app(tmp_path)
    (tmp_path / "helper.py").write_text("VERSION = (\n")
    app = launch(script, opts=("--reload", "--browser", "--no-open"))
    page = open_in_chromium(app, chromium)
    page.wait_for_selector("text=SyntaxError")
    page.wait_for_selector("text=Save app.py to try again")
    assert "helper.py" in page.inner_text("body")
    save_helper(tmp_path, 5)
    page.wait_for_selector("text=index version 5")
