"""Two apps in native windows: ``webio-desktop examples/desktop_multi.py``.

A plain PyWebIO script (it imports ``pywebio``; the launcher maps that to webio_desktop). The
"Open the counter" button and the link open the counter in a second native window; closing a
window ends its session (the defer_call messages are printed in the terminal).
"""
from pywebio import config, start_server
from pywebio.input import NUMBER, input
from pywebio.output import put_buttons, put_link, put_markdown, put_scope, put_text, use_scope
from pywebio.session import defer_call, download, go_app, set_env


@config(title="Notes")
def index():
    """Notes"""
    defer_call(lambda: print("index: session closed", flush=True))
    put_markdown("# Notes\nHello from the desktop.")
    put_buttons(["Open the counter"], onclick=lambda _: go_app("counter", new_window=True))
    put_buttons(["Counter in this window"], onclick=lambda _: go_app("counter", new_window=False))
    put_link("Counter (link, new window)", app="counter", new_window=True)
    put_text("")
    put_link("example.org (opens the system browser)", url="https://example.org",
             new_window=True)
    put_buttons(["Save a file"], onclick=lambda _: download("hello.txt", b"hello, desktop\n"))
    put_buttons(["Rename the window"], onclick=lambda _: set_env(title="Notes (renamed)"))
    put_buttons(["Fail"], onclick=lambda _: 1 / 0)


@config(title="Counter")
def counter():
    """Counter"""
    defer_call(lambda: print("counter: session closed", flush=True))
    put_markdown("# Counter")
    put_scope("total", "Total: 0")
    total = 0
    while True:
        total += input("Add how much?", type=NUMBER, value=1)
        with use_scope("total", clear=True):
            put_text(f"Total: {total}")


if __name__ == "__main__":
    start_server({"index": index, "counter": counter}, port=8080)
