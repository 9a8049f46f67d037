"""examples/multi_app.py: three apps linking to each other."""
from __future__ import annotations

from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "multi_app.py"


def test_links_and_go_app(webio_user):
    user = webio_user.from_script(EXAMPLE)
    assert [e.text for e in user.find(role="link")] == ["Go task 1", "Go task 2"]
    user.click("Go task 1")  # an app link opens in place
    user.should_see("task_1")
    assert user.app_name == "task_1"
    user.click("Go task 2")  # go_app() opens a new window by default
    user.wait_until(lambda: len(user.windows) == 2, "a second window")
    second = user.windows[1]
    assert second.app_name == "task_2"
    second.should_see("task_2")
    second.click("Go task 1")
    user.wait_until(lambda: len(user.windows) == 3, "a third window")
    assert [w.app_name for w in user.windows] == ["task_1", "task_2", "task_1"]
