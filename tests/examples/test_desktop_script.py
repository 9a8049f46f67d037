"""examples/desktop_script.py: a plain script (script mode, no start_server)."""
from __future__ import annotations

from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "desktop_script.py"


def test_greeter(webio_user):
    user = webio_user.from_script(EXAMPLE)
    user.should_see("Script mode: hello!")
    assert user.title == "Greeter"
    user.fill("Your name?", "Ann")
    user.submit()
    user.should_see("Nice to meet you, Ann.")
    user.wait_closed()  # the script ended: its session closes


def test_closing_the_page_ends_the_script(webio_user):
    user = webio_user.from_script(EXAMPLE)
    user.should_see("Your name?")
    user.close()  # the script's input() raises SessionClosedException; the script ends
    assert user.closed
