"""A close guard: ``webio-desktop examples/desktop_editor.py``.

While the note has unsaved changes, closing the window asks first (a native OK/Cancel
question); after "Save" it closes at once. In a browser the page's leave prompt asks instead.
"""
from webio_desktop import start_server
from webio_desktop.desktop import set_close_guard
from webio_desktop.output import put_buttons, put_markdown, put_text
from webio_desktop.session import defer_call


def index():
    """Editor"""
    defer_call(lambda: print("editor: session closed", flush=True))
    put_markdown("# Editor\nEdit the note, then save it.")

    def edit(_):
        set_close_guard("The note has unsaved changes. Close anyway?")
        put_text("edited (unsaved)")

    def save(_):
        set_close_guard(None)
        put_text("saved")

    put_buttons(["Edit"], onclick=edit)
    put_buttons(["Save"], onclick=save)


if __name__ == "__main__":
    start_server(index)
