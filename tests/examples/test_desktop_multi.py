"""examples/desktop_multi.py: a PyWebIO script (``import pywebio``) with two apps."""
from __future__ import annotations

from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "desktop_multi.py"


def test_notes(webio_user):
    user = webio_user.from_script(EXAMPLE)
    assert user.title == "Notes"
    user.should_see("Hello from the desktop.")
    user.click("Save a file")
    user.wait_until(lambda: user.downloads, "the download")
    assert (user.downloads[0].name, user.downloads[0].content) == ("hello.txt",
                                                                   b"hello, desktop\n")
    user.click("Rename the window")
    user.wait_until(lambda: user.title == "Notes (renamed)", "the new title")
    user.click("example.org (opens the system browser)")
    assert user.visited_urls == ["https://example.org"] and not user.closed
    user.click("Fail")
    assert isinstance(user.app_error(ZeroDivisionError), ZeroDivisionError)
    user.click("Open the counter")
    user.click("Counter (link, new window)")
    user.wait_until(lambda: len(user.windows) == 3, "two counter windows")
    assert [w.app_name for w in user.windows] == ["index", "counter", "counter"]
    user.click("Counter in this window")
    user.should_see("Total: 0")
    assert user.app_name == "counter"


def test_counter_adds(webio_user):
    user = webio_user.from_script(EXAMPLE, "counter")
    assert user.field("Add how much?").value == "1"
    user.submit()
    user.should_see("Total: 1")
    user.fill("Add how much?", 41)
    user.submit()
    user.should_see("Total: 42")
    assert user.text("total") == "Total: 42"
