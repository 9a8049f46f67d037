"""The launcher's windows prerender by default (server/prerender.py): a real window under Xvfb
whose page arrives with the app's first screen, and whose socket attaches to that session."""
from __future__ import annotations

import pytest

from .conftest import needs_qt, shown, wait_for

pytestmark = needs_qt

APP = """
import itertools
from webio_desktop import start_server
from webio_desktop.input import input
from webio_desktop.output import put_text

runs = itertools.count(1)

def index():
    put_text(f"first screen {next(runs)}")
    put_text("hello " + input("name"))

start_server(index)
"""


@pytest.mark.parametrize("mode", ["start_server", "script"])
def test_a_window_gets_its_first_screen_in_the_page(launch, xdisplay, tmp_path, mode):
    script = tmp_path / "app.py"
    script.write_text(APP if mode == "start_server" else
                      "from webio_desktop.input import input\n"
                      "from webio_desktop.output import put_text\n"
                      "put_text('first screen 1')\n"
                      "put_text('hello ' + input('name'))\n"
                      "input('keep the window')\n")
    app = launch(script, display=xdisplay)
    page = shown(app.page(), "first screen 1")
    # The window's page had the frame embedded (the front end removes the block once applied)
    # and its socket attached to the session the page request started: run 1, not run 2.
    assert page.evaluate("document.getElementById('webio-first-frame')") is None
    assert page.evaluate("[...document.querySelectorAll('#pywebio-scope-ROOT > *')]"
                         ".filter(n => n.textContent.startsWith('first screen')).length") == 1
    page.fill("input[type=text]", "Ada")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=hello Ada")
    page.evaluate("void fetch(location.href).then(r => r.text())"
                  ".then(t => { window.__refetched = t; })")
    html = wait_for(lambda: page.evaluate("window.__refetched || ''"), what="the page's GET")
    if mode == "start_server":
        # Served to the window's cookie, a page GET carries the first screen: on by default,
        # and that GET ran the app once more.
        assert 'id="webio-first-frame"' in html and "first screen 2" in html
    else:
        # Script mode has one session, already claimed by the window: a plain page.
        assert 'id="webio-first-frame"' not in html
