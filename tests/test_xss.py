"""XSS battery: classic payloads through every plain-text path of the API, in Chromium.

Every payload tries to set ``window.__xss``, call ``alert`` or log ``XSS-TRAP``; the test
installs a dialog handler and a console trap, waits until each payload is on the page (its
marker is visible, or its attribute / title is set) and only then checks that no trap fired and
that nothing in the DOM can still run script (event attributes, ``javascript:`` URLs, script
elements, frames, inline styles from a payload). Links are clicked, fields focused.
"""
from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect

from conftest import Results
from webio_desktop import pin as pins
from webio_desktop.input import (checkbox, file_upload, input, input_group, radio, select,
                                 textarea)
from webio_desktop.output import (popup, put_buttons, put_code, put_collapse, put_datatable,
                                  put_error, put_file, put_html, put_image, put_info, put_link,
                                  put_markdown, put_progressbar, put_row, put_scope, put_table,
                                  put_tabs, put_text, put_widget, toast, use_scope)
from webio_desktop.session import set_env

PAYLOADS = [
    "<script>window.__xss='script'</script>",
    "<img src=x onerror=\"window.__xss='img'\">",
    "<img src=x onerror=alert('XSS')>",
    "<img src=x onerror=console.log('XSS-TRAP')>",
    "<svg onload=\"window.__xss='svg'\"><script>window.__xss='svgscript'</script></svg>",
    "\"><img src=x onerror=window.__xss='attr'>",
    "'><script>window.__xss='quote'</script>",
    "<a href=\"javascript:window.__xss='href'\" id=xss-link>click me</a>",
    "<iframe srcdoc=\"<script>parent.__xss='iframe'</script>\"></iframe>",
    "<details open ontoggle=\"window.__xss='toggle'\">d</details>",
    "<input autofocus onfocus=\"window.__xss='focus'\">",
    "{{constructor.constructor('window.__xss=1')()}} ${window.__xss='tpl'} {{{x}}}",
    "<table><tr><td style=\"position:fixed;inset:0;z-index:99999;background:red\">cover</td>"
    "</tr></table>",
    "<math><mtext><table><mglyph><style><img src=x onerror=\"window.__xss='mxss'\">",
    "javascript:window.__xss='plain'",
]
EVIL = " ".join(PAYLOADS)
JS_URL = "javascript:window.__xss='url'"
MD = (f"[md link](javascript:window.__xss='md') [md2](JAVA\tSCRIPT:window.__xss='md2') "
      f"![img](javascript:window.__xss='mdimg') <https://example.org/ok>\n\n{EVIL}")


def evil(marker: str) -> str:
    """A payload string that shows ``marker`` when rendered (as text, or as sanitized HTML)."""
    return f"{marker} {EVIL}"


# What no page may hold after the payloads: found by walking the whole DOM (shadow roots too).
DOM_CHECK = r"""() => {
  const bad = [];
  const urlAttrs = ['href', 'src', 'xlink:href', 'action', 'formaction', 'data', 'poster'];
  const walk = (root) => {
    for (const e of root.querySelectorAll('*')) {
      if (e.shadowRoot) walk(e.shadowRoot);
      const tag = e.tagName.toLowerCase();
      if (['iframe', 'object', 'embed', 'frame'].includes(tag)) bad.push(tag);
      if (tag === 'script' && e.closest('body')) bad.push('script in body: ' + e.outerHTML.slice(0, 60));
      for (const a of e.attributes) {
        const name = a.name.toLowerCase();
        const value = a.value.replace(/[\u0000-\u0020]/g, '').toLowerCase();
        if (name.startsWith('on')) bad.push(`${tag}[${name}]`);
        if (urlAttrs.includes(name) && /^(javascript|vbscript|data:text)/.test(value)) bad.push(`${tag}[${name}=${value.slice(0, 30)}]`);
        if (name === 'srcdoc') bad.push(`${tag}[srcdoc]`);
        if (name === 'style' && value.includes('99999')) bad.push(`${tag}[style=${value.slice(0, 30)}]`);
      }
    }
  };
  walk(document);
  return bad;
}"""


@pytest.fixture
def trapped(page):
    """The page with its traps: dialogs and XSS-TRAP console lines are recorded."""
    page.fired = []  # type: ignore[attr-defined]
    page.on("dialog", lambda d: (page.fired.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("console", lambda m: page.fired.append(f"console: {m.text}")
            if "XSS-TRAP" in m.text else None)
    return page


def visible_text(page, marker: str) -> None:
    page.wait_for_function("(m) => document.body.innerText.includes(m)", arg=marker)


def assert_nothing_ran(page) -> None:
    assert page.evaluate("window.__xss") is None
    assert page.fired == []
    assert page.evaluate(DOM_CHECK) == []
    assert page.js_errors == []


def test_outputs_toasts_titles_and_links(serve, trapped):
    page = trapped
    r = Results()
    go_on = threading.Event()
    texts = ["T-text", "T-cell", "T-head", "T-button", "T-tab", "T-tabbody", "T-collapse",
             "T-collapsebody", "T-code", "T-info", "T-error", "T-row", "T-widget", "T-grid",
             "T-file", "T-link", "T-applink", "T-progress", "T-md", "T-html", "T-toast",
             "T-pinlabel", "T-pinhelp", "T-pinoption", "T-scoped"]

    @r.app
    def app():
        set_env(title=evil("T-title"))
        put_text(evil("T-text"))
        put_table([[evil("T-cell"), put_text(evil("T-cell"))]], header=[evil("T-head"), "b"])
        put_buttons([evil("T-button")], onclick=lambda _: None)
        put_tabs([{"title": evil("T-tab"), "content": evil("T-tabbody")}])
        put_collapse(evil("T-collapse"), evil("T-collapsebody"), open=True)
        put_code(evil("T-code"), language="html")
        put_info(evil("T-info"))
        put_error(evil("T-error"))
        put_row([put_text(evil("T-row"))])
        put_widget("<div class='w'>{{x}} <b>{{y.z}}</b></div>",
                   {"x": evil("T-widget"), "y": {"z": EVIL}})
        put_datatable([{"name": evil("T-grid"), "other": EVIL}], height=200)
        put_file(evil("T-file"), b"content")
        put_link(evil("T-link"), url=JS_URL)
        put_link(evil("T-applink"), app=evil("app"))
        put_image(JS_URL, title=evil("T-image"))
        put_image("data:text/html,<script>parent.__xss='img'</script>", title="dataimg")
        put_progressbar("bar", 0.3, label=evil("T-progress"))
        put_markdown("T-md " + MD)
        put_html("T-html " + MD.replace("\n", " ") + " <a href='javascript:window.__xss=2'>h</a>",
                 sanitize=True)
        pins.put_input("p", label=evil("T-pinlabel"), placeholder=evil("T-pinph"),
                       help_text=evil("T-pinhelp"), value=evil("T-pinvalue"))
        pins.put_select("s", options=[evil("T-pinoption"), EVIL], label="sel")
        for bad in (evil("scope"), "<img src=x onerror=alert(1)>", "a\"b"):
            for make in (lambda n: put_scope(n), lambda n: use_scope(n).__enter__()):
                try:
                    make(bad)
                except ValueError:
                    r.put("refused")
        with use_scope("plain"):
            put_text(evil("T-scoped"))
        toast(evil("T-toast"), duration=0)
        r.put("outputs")
        go_on.wait(30)
        popup(evil("T-popup"), [put_text(evil("T-popupbody")), put_html(EVIL, sanitize=True)])
        r.put("popup")

    page.goto(serve(app).url)
    assert r.get() == "refused" and r.get() == "refused"  # scope names are checked...
    for _ in range(4):
        assert r.get() == "refused"  # ...for every payload, by put_scope and use_scope
    assert r.get() == "outputs"
    for marker in texts:
        visible_text(page, marker)
    page.wait_for_function("document.title.includes('T-title')")
    expect(page.locator("[placeholder*='T-pinph']")).to_have_count(1)
    expect(page.locator("input[name], input").filter(has_text="")).not_to_have_count(0)
    assert "T-pinvalue" in page.evaluate(
        "[...document.querySelectorAll('input')].map((i) => i.value).join(' ')")
    expect(page.locator("img[alt*='T-image']")).to_have_count(1)
    assert page.locator("a.webio-link", has_text="T-link").get_attribute("href") is None

    # Click every link and button a payload could have turned into script, and focus fields.
    # (The app link goes to this server, its name in the query: not clicked, it would leave.)
    app_link = page.locator("a.webio-link", has_text="T-applink")
    assert app_link.get_attribute("href").startswith(page.url.split("?")[0] + "?app=")
    for link in page.locator("#webio-output a").all():
        href = link.get_attribute("href") or ""
        if link.is_visible() and not href.startswith(("http", page.url.split("?")[0])):
            link.click()
    page.wait_for_function("document.title.includes('T-title')")  # still on the app's page
    for field in page.locator("#webio-output input").all():
        field.focus()
    go_on.set()
    assert r.get() == "popup"  # the app outputs the popup only after the clicks were sent
    visible_text(page, "T-popup")
    visible_text(page, "T-popupbody")
    assert_nothing_ran(page)
    # The markdown table cell's inline style was removed: nothing covers the window.
    assert page.evaluate("getComputedStyle(document.querySelector('td')).position") != "fixed"


def test_form_labels_options_placeholders_and_file_names(serve, trapped, tmp_path):
    page = trapped
    r = Results()

    @r.app
    def app():
        data = input_group(evil("F-group"), [
            input(evil("F-label"), name="a", placeholder=evil("F-ph"), help_text=evil("F-help"),
                  value=evil("F-value"), datalist=[evil("F-datalist")]),
            textarea(evil("F-ta"), name="t", value=evil("F-tavalue"), placeholder="ta"),
            select(evil("F-select"), options=[evil("F-option"), ("x", EVIL)], name="s"),
            checkbox(evil("F-check"), options=[evil("F-checkopt")], name="c"),
            radio(evil("F-radio"), options=[evil("F-radioopt")], name="r"),
            file_upload(evil("F-upload"), name="f", placeholder=evil("F-fileph")),
        ])
        put_text("F-uploaded " + data["f"]["filename"])
        r.put("done")

    page.goto(serve(app).url)
    for marker in ("F-group", "F-label", "F-help", "F-ta", "F-select", "F-option", "F-check",
                   "F-checkopt", "F-radio", "F-radioopt", "F-upload"):
        visible_text(page, marker)
    expect(page.locator("[placeholder*='F-ph']")).to_have_count(1)
    for field in page.locator("#webio-input input, #webio-input textarea, #webio-input select"
                              ).all():
        if field.is_visible():
            field.focus()
    name = "F-name \"><img src=x onerror=\"window.__xss='file'\">.txt"
    page.locator("#webio-input input[type=file]").set_input_files(
        files=[{"name": name, "mimeType": "text/plain", "buffer": b"hello"}])
    page.get_by_role("button", name="Submit").click()
    assert r.get() == "done"
    visible_text(page, "F-uploaded")
    assert page.get_by_text("F-uploaded").inner_text().startswith("F-uploaded F-name \"><img")
    assert_nothing_ran(page)


def test_javascript_links_do_nothing_and_sanitized_html_keeps_no_inline_style(serve, trapped):
    """Issue 13 item 12: a javascript: link is clicked, then a round trip to the server proves
    the click was handled; sanitized markdown / put_html lose inline style (no cell covers
    the window)."""
    page = trapped
    r = Results()

    @r.app
    def app():
        put_link("js link", url="javascript:window.__xss='clicked'")
        put_link("js link 2", url=" JaVaScRiPt:window.__xss='clicked2'", new_window=True)
        put_link("ok link", url="#frag")
        put_markdown("| a |\n|---|\n| <span style='position:fixed;inset:0;z-index:99999;"
                     "background:red'>md cover</span> |\n\n[md js](javascript:window.__xss=1)")
        put_html("<div style='position:fixed;inset:0;z-index:99999'>html cover</div>",
                 sanitize=True)
        put_buttons(["done"], onclick=lambda _: r.put("clicked"))

    page.goto(serve(app).url)
    for name in ("js link", "js link 2", "md js"):
        page.get_by_text(name, exact=True).click()
    page.get_by_text("ok link", exact=True).click()
    page.get_by_role("button", name="done").click()
    assert r.get() == "clicked"  # every earlier click reached the page's handlers first
    page.wait_for_function("location.hash === '#frag'")  # a fragment link still works
    assert page.evaluate("window.__xss") is None
    for text in ("md cover", "html cover"):
        assert page.get_by_text(text).evaluate("(e) => getComputedStyle(e).position") != "fixed"
    assert page.evaluate(DOM_CHECK) == []
    assert page.fired == []
