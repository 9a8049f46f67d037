"""file_upload end to end in Chromium: bytes come back, limits are enforced in the page and
again by the server (as PyWebIO 1.8.4 documents `pywebio.input`)."""
from __future__ import annotations

import base64
import json

from playwright.sync_api import expect

from conftest import Results
from webio_desktop.input import file_upload, input_group, input as text_input


def test_single_and_multiple_files(serve, page, tmp_path):
    one = tmp_path / "notes.txt"
    one.write_bytes(b"hello\x00world")
    two = tmp_path / "data.bin"
    two.write_bytes(bytes(range(256)) * 4)
    r = Results()

    @r.app
    def app():
        r.put(file_upload("One file", accept=".txt"))
        r.put(file_upload("Many", multiple=True))
        r.put(file_upload("None chosen"))

    server = serve(app)
    page.goto(server.url)
    field = page.get_by_label("One file")
    expect(field).to_have_attribute("accept", ".txt")
    field.set_input_files(str(one))
    page.get_by_role("button", name="Submit", exact=True).click()
    got = r.get()
    assert got["filename"] == "notes.txt" and got["content"] == b"hello\x00world"
    assert got["mime_type"] == "text/plain" and got["last_modified"] > 0

    page.get_by_label("Many").set_input_files([str(one), str(two)])
    page.get_by_role("button", name="Submit", exact=True).click()
    files = r.get()
    assert [f["filename"] for f in files] == ["notes.txt", "data.bin"]
    assert files[1]["content"] == bytes(range(256)) * 4

    page.get_by_role("button", name="Submit", exact=True).click()
    assert r.get() is None


def test_limits_are_refused_in_the_page(serve, page, tmp_path):
    small, big = tmp_path / "small.txt", tmp_path / "big.txt"
    small.write_bytes(b"x" * 100)
    big.write_bytes(b"x" * 5000)
    r = Results()
    sent: list[str] = []

    @r.app
    def app():
        r.put(file_upload("Upload", max_size="1K", multiple=True, max_total_size=150))

    server = serve(app)
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
    page.goto(server.url)
    field = page.get_by_label("Upload")
    field.set_input_files(str(big))
    expect(page.get_by_text("big.txt is larger than 1 KiB.")).to_be_visible()
    expect(field).to_have_value("")  # refused at once: nothing is kept to send
    field.set_input_files([str(small), str(small)])
    expect(page.get_by_text("larger than 150 bytes together")).to_be_visible()
    assert not any("submit" in str(frame) for frame in sent)
    field.set_input_files(str(small))
    page.get_by_role("button", name="Submit", exact=True).click()
    assert [f["content"] for f in r.get()] == [b"x" * 100]


def test_the_server_checks_again(serve, page):
    """A client that skips the page's checks is refused by the server with the same message,
    the form stays usable, and file names lose their directories."""
    r = Results()
    tasks: list[str] = []

    def received(payload) -> None:
        for command in json.loads(payload):
            if command.get("cmd") == "form":
                tasks.append(command["task"])

    @r.app
    def app():
        r.put(file_upload("Upload", max_size=1000))

    server = serve(app)
    page.on("websocket", lambda ws: ws.on("framereceived", received))
    page.goto(server.url)
    expect(page.get_by_label("Upload")).to_be_visible()
    forge = """([task, name, content]) => window.webio.send({event: 'submit', task, data: {data: [
        {filename: name, size: 0, mime_type: 'text/plain', last_modified: 1, content}]}})"""
    page.evaluate(forge, [tasks[-1], "../../etc/big.txt", base64.b64encode(b"y" * 3000).decode()])
    expect(page.get_by_text("big.txt is larger than 1000 bytes.")).to_be_visible()
    page.evaluate(forge, [tasks[-1], "C:\\dir\\ok.txt", base64.b64encode(b"fine").decode()])
    got = r.get()
    assert got["filename"] == "ok.txt" and got["content"] == b"fine"


def test_sizes_above_the_server_limit_are_an_error(serve, page):
    r = Results()

    @r.app
    def app():
        try:
            file_upload("Too much", max_size="300M")
        except ValueError as exc:
            r.put(str(exc))

    server = serve(app, max_message_size=200 * 2**20)
    page.goto(server.url)
    assert "over the server's limit" in r.get()


def test_file_upload_in_a_group(serve, page, tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text("# title")
    r = Results()

    @r.app
    def app():
        r.put(input_group("Both", [text_input("Name", name="name"),
                                   file_upload("Doc", name="doc", required=True)]))

    server = serve(app)
    page.goto(server.url)
    page.get_by_label("Name").fill("x")
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_text("This field is required.")).to_be_visible()
    page.get_by_label("Doc").set_input_files(str(doc))
    page.get_by_role("button", name="Submit", exact=True).click()
    got = r.get()
    assert got["name"] == "x" and got["doc"]["content"] == b"# title"
