"""examples/desktop_editor.py: the close guard is set while the note is unsaved."""
from __future__ import annotations

from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "desktop_editor.py"


def guards(user):
    return [call.args["message"] for call in user.js_calls if "setCloseGuard" in call.code]


def test_edit_sets_the_guard_and_save_clears_it(webio_user, capfd):
    user = webio_user.from_script(EXAMPLE)
    user.should_see("Edit the note, then save it.")
    user.click("Edit")
    user.should_see("edited (unsaved)")
    assert guards(user) == ["The note has unsaved changes. Close anyway?"]
    user.click("Save")
    user.should_see("saved")
    assert guards(user)[-1] is None
    user.close()
    assert "editor: session closed" in capfd.readouterr().out
