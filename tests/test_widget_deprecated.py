"""put_widget templates, the deprecated style()/output(), and put_file_upload (pin), end to end
in Chromium (as PyWebIO 1.8.4 documents `pywebio.output`, `pywebio.pin`)."""
from __future__ import annotations

import queue
import warnings

import pytest
from playwright.sync_api import expect

from conftest import Results
from webio_desktop import pin as pin_module
from webio_desktop.exceptions import PyWebIOWarning
from webio_desktop.output import (output, put_button, put_markdown, put_row, put_text,
                                  put_widget, style)
from webio_desktop.pin import pin_wait_change, put_file_upload
from webio_desktop.template import TemplateError, render_template

TEMPLATE = """
<div class="card">
  <h3 class="title">{{title}}</h3>
  <p class="raw">{{& raw}} {{{raw}}}</p>
  <p class="nested">{{user.name}}</p>
  <ul>{{#items}}<li class="item">{{name}}: {{& pywebio_output_parse}}</li>{{/items}}</ul>
  <ol>{{#tags}}<li class="tag">{{.}}</li>{{/tags}}</ol>
  {{^empty}}<p class="inverted">nothing here</p>{{/empty}}
  {{#missing}}<p class="never">never</p>{{/missing}}
  {{! a comment }}
  <div class="slot">{{& button}}</div>
</div>
"""


def test_put_widget_escapes_data_and_embeds_outputs(serve, page):
    r = Results("app done")

    @r.app
    def app():
        put_widget(TEMPLATE, {
            "title": "<script>window.__widget_xss = 1</script><b>not bold</b>",
            "raw": "<i>raw</i>",
            "user": {"name": "Ada & Co"},
            "items": [{"name": "first"}, {"name": "second"}],
            "tags": ["x<y", "z"],
            "empty": [],
            "button": put_button("Press", onclick=lambda: r.put("pressed")),
        })
        # pywebio_output_parse: outputs as outputs, text as text
        put_widget('<div class="parsed">{{#contents}}<span class="part">{{& pywebio_output_parse}}'
                   '</span>{{/contents}}</div>',
                   {"contents": [put_markdown("**md**"), "<u>plain</u>"]})

    page.goto(serve(app).url)
    assert r.get() == "app done"
    title = page.locator(".card .title")
    expect(title).to_have_text("<script>window.__widget_xss = 1</script><b>not bold</b>")
    expect(title.locator("script, b")).to_have_count(0)
    assert page.evaluate("window.__widget_xss") is None
    expect(page.locator(".card .raw i")).to_have_count(2)
    expect(page.locator(".card .nested")).to_have_text("Ada & Co")
    expect(page.locator(".card .tag")).to_have_text(["x<y", "z"])
    expect(page.locator(".card .inverted")).to_have_text("nothing here")
    expect(page.locator(".card .never")).to_have_count(0)
    page.locator(".card .slot").get_by_role("button", name="Press").click()
    assert r.get() == "pressed"
    parts = page.locator(".parsed .part")
    expect(parts.nth(0).locator("strong")).to_have_text("md")
    expect(parts.nth(1)).to_have_text("<u>plain</u>")
    expect(parts.nth(1).locator("u")).to_have_count(0)
    assert page.js_errors == []


def test_template_errors_are_clear():
    with pytest.raises(TemplateError, match="never closed"):
        render_template("{{#a}}x", {}, lambda v: None)
    with pytest.raises(TemplateError, match="closes"):
        render_template("{{#a}}x{{/b}}", {}, lambda v: None)
    assert render_template("{{a.b.c}}|{{#n}}{{.}}{{/n}}", {"a": {"b": {"c": 0}}, "n": 5},
                           lambda v: None) == "0|5"


def test_style_and_output_handle(serve, page):
    r = Results()
    commands: queue.Queue = queue.Queue()

    @r.app
    def app():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            style(put_text("styled one"), "color: rgb(255, 0, 0)")
            style([put_text("first of list"), put_text("second of list")],
                  "font-style: italic")
            box = output("initial", put_text("second"))
            put_row([box, put_text("beside")])
        r.put(sorted({w.category for w in caught}, key=str))
        while True:
            commands.get()(box)
            r.put("done")

    def run(op):
        commands.put(op)
        assert r.get() == "done"

    page.goto(serve(app).url)
    assert r.get() == [PyWebIOWarning]
    expect(page.get_by_text("styled one")).to_have_css("color", "rgb(255, 0, 0)")
    listed = page.locator("p", has_text="of list")
    expect(listed).to_have_text(["first of list", "second of list"])  # in order
    expect(listed.first).to_have_css("font-style", "italic")
    handle = page.locator(".webio-row > .webio-scope").first
    expect(handle.locator("> *")).to_have_text(["initial", "second"])

    run(lambda box: box.append("third", put_text("fourth")))
    expect(handle.locator("> *")).to_have_text(["initial", "second", "third", "fourth"])
    run(lambda box: box.insert(0, "zero", "zero bis"))
    expect(handle.locator("> *")).to_have_text(
        ["zero", "zero bis", "initial", "second", "third", "fourth"])
    run(lambda box: box.insert(-1, "after last"))
    expect(handle.locator("> *").last).to_have_text("after last")
    run(lambda box: box.reset(put_text("fresh")))
    expect(handle.locator("> *")).to_have_text(["fresh"])
    expect(page.get_by_text("beside")).to_be_visible()
    assert page.js_errors == []


def test_put_file_upload_pin_value_round_trip(serve, page, tmp_path):
    one = tmp_path / "a.txt"
    one.write_bytes(b"first\x00file")
    two = tmp_path / "b.bin"
    two.write_bytes(bytes(range(200)))
    r = Results()
    go: queue.Queue = queue.Queue()

    @r.app
    def app():
        pin = pin_module.pin
        put_file_upload("doc", label="Document", accept=".txt")
        put_file_upload("many", label="Many files", multiple=True)
        r.put((pin.doc, pin.many))
        changed = pin_wait_change("doc")
        r.put((changed["name"], changed["value"]["filename"], changed["value"]["content"]))
        go.get()
        r.put(pin.doc["content"])
        r.put([(f["filename"], f["content"]) for f in pin.many])

    page.goto(serve(app).url)
    assert r.get() == (None, [])
    expect(page.get_by_label("Document")).to_have_attribute("accept", ".txt")
    page.get_by_label("Document").set_input_files(str(one))
    assert r.get() == ("doc", "a.txt", b"first\x00file")
    page.get_by_label("Many files").set_input_files([str(one), str(two)])
    go.put(True)
    assert r.get() == b"first\x00file"
    assert r.get() == [("a.txt", b"first\x00file"), ("b.bin", bytes(range(200)))]
    assert page.js_errors == []
