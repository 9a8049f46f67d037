"""examples/desktop_notes.py outside a window (the simulated page is a browser): Open uploads a
copy, Save downloads the text. Its native dialogs are tested in tests/desktop/test_dialogs.py."""
from __future__ import annotations

from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "desktop_notes.py"


def test_open_uploads_a_copy_and_save_downloads(webio_user):
    user = webio_user.from_script(EXAMPLE)
    user.should_see("File: untitled")
    user.click("Open…")
    user.upload("Open a note", ("todo.txt", b"buy milk"))
    user.submit()
    user.should_see("Opened todo.txt")
    user.should_see("File: untitled")  # a browser's upload is a copy: no path to save back to
    assert user.pins["text"] == "buy milk"
    user.set_pin("text", "buy milk and tea")
    user.click("Save")
    user.should_see("Saved")
    assert "Saved: note.txt" in user.toasts  # desktop.notify's browser fallback
    (download,) = user.downloads
    assert download.name == "note.txt" and download.content == b"buy milk and tea"
    user.click("Keep on top")
    user.should_see("Window control needs the desktop window")
