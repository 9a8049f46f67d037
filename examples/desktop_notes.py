"""A notes editor with native Open / Save dialogs, dropped files, window control, a tray icon
and a notification.

    webio-desktop examples/desktop_notes.py      # native dialogs, real paths
    webio-desktop --browser examples/desktop_notes.py   # upload / download instead

Open reads a file the user picks (its path is shown in the title), Save writes back to that path,
Save as asks where; dropping a file onto the window opens it; each save shows a desktop
notification (clicking it brings the window back). Closing the window keeps the app in the tray
(its Quit ends it). In a browser the same buttons upload a copy and download the text, a dropped
file is uploaded too, the notification is a toast, and there is no tray.
"""
from pathlib import Path

from pywebio import config, start_server
from pywebio.output import put_buttons, put_text, toast, use_scope
from pywebio.pin import pin, put_textarea
from webio_desktop import desktop
from webio_desktop.desktop import SEPARATOR, MenuItem

FILTERS = [("Notes", "*.txt *.md"), ("All files", "*")]


@config(title="Notes")
def notes() -> None:
    state = {"path": None}
    put_textarea("text", rows=14, placeholder="Write here, then Save")

    def show_path() -> None:
        name = state["path"] or "untitled"
        desktop.window().set_title(f"Notes — {Path(name).name}")
        with use_scope("path", clear=True):
            put_text(f"File: {name}")

    def load(path: str) -> None:
        pin.text = Path(path).read_text(errors="replace")
        state["path"] = path if desktop.available() else None  # a browser gives a copy
        show_path()
        toast(f"Opened {Path(path).name}")

    def open_note() -> None:
        path = desktop.open_file("Open a note", filters=FILTERS)
        if path:
            load(path)

    def dropped(paths: list[str]) -> None:
        if Path(paths[0]).is_file():
            load(paths[0])
        else:
            toast("Drop a text file to open it", color="warn")

    def save(ask: bool) -> None:
        if ask or state["path"] is None or not desktop.available():
            name = Path(state["path"] or "note.txt").name
            path = desktop.save_file(name, pin.text or "", title="Save the note",
                                     filters=FILTERS)
            if path:
                state["path"] = path
                show_path()
        else:
            Path(state["path"]).write_text(pin.text or "")
        desktop.notify("Saved", Path(state["path"] or "note.txt").name)

    def window_action(action: str) -> None:
        if not desktop.available():
            toast("Window control needs the desktop window")
            return
        win = desktop.window()
        {"Bigger": lambda: win.resize(1000, 760), "Smaller": lambda: win.resize(640, 480),
         "Keep on top": lambda: win.set_on_top(not win.state()["on_top"])}[action]()

    put_buttons(["Open…", "Save", "Save as…"], onclick=[
        open_note, lambda: save(False), lambda: save(True)])
    put_buttons(["Bigger", "Smaller", "Keep on top"], onclick=window_action)
    desktop.on_drop(dropped)  # anywhere on the window
    show_path()
    if desktop.available():
        try:  # closing the window hides it in the tray; the tray's Quit ends the app
            desktop.set_tray([MenuItem("Show Notes", lambda: desktop.window().focus()),
                              MenuItem("Open…", open_note), SEPARATOR,
                              MenuItem("Quit", desktop.quit_app)],
                             tooltip="Notes", close_to_tray=True,
                             on_click=lambda: desktop.window().focus())
        except desktop.DesktopError:
            put_text("No system tray here: closing the window ends the app.")


if __name__ == "__main__":
    start_server(notes)
