"""End-to-end tests of the output functions and page-level session calls, checked in Chromium
(as PyWebIO 1.8.4 documents its conventions, `pywebio.output`, `pywebio.session`)."""
from __future__ import annotations

import base64
import functools
import io
import threading

from PIL import Image
from playwright.sync_api import expect

# `info` and `local` are used through the module: imported by name, pytest's collection probes
# them (getattr(info, "__test__")) outside any session, which starts script mode.
from conftest import Results
from webio_desktop import session as webio_session
from webio_desktop.output import (clear, get_scope, put_button, put_buttons, put_code,
                                  put_collapse, put_column, put_error, put_file, put_grid,
                                  put_html, put_image, put_info, put_link, put_loading,
                                  put_markdown, put_row, put_scope, put_scrollable, put_success,
                                  put_table, put_tabs, put_text, put_warning, remove, scroll_to,
                                  set_scope, span, toast, use_scope)
from webio_desktop.session import eval_js, run_js, set_env


def open_app(serve, page, app):
    server = serve(app)
    page.goto(server.url)
    return server


def scope(page, name):
    return page.locator(f"#pywebio-scope-{name}")


def children(page, name):
    return page.locator(f"#pywebio-scope-{name} > *")


def settle(page):
    """Wait for the outputs' entry animations to end, so boxes are where they stay."""
    page.evaluate("""() => Promise.all(document.getAnimations()
        .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
        .map(a => a.finished.catch(() => null)))""")


def box(locator):
    settle(locator.page)
    b = locator.bounding_box()
    assert b is not None, locator
    return b


def png_bytes(width=3, height=2, color=(255, 0, 0)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


def test_put_text(serve, page):
    r = Results("app done")

    @r.app
    def app():
        put_text("a", 1, None, sep="|")
        put_text("one", inline=True)
        put_text("two", inline=True)
        put_text("  two  spaces\n    and a new line")
        put_text("<b>not bold</b> &amp; <script>window.__text_ran = 1</script>")

    open_app(serve, page, app)
    assert r.get() == "app done"
    expect(page.get_by_text("a|1|None", exact=True)).to_be_visible()
    one, two = page.get_by_text("one", exact=True), page.get_by_text("two", exact=True)
    spaced = page.get_by_text("two spaces")
    assert abs(box(one)["y"] - box(two)["y"]) < 1 and box(two)["x"] > box(one)["x"]  # same line
    assert box(spaced)["y"] > box(one)["y"]  # a block text starts a new line
    assert spaced.inner_text() == "  two  spaces\n    and a new line"  # white space kept
    literal = page.get_by_text("<b>not bold</b> &amp; <script>window.__text_ran = 1</script>",
                               exact=True)
    expect(literal).to_be_visible()
    expect(scope(page, "ROOT").locator("b, script")).to_have_count(0)
    assert page.evaluate("window.__text_ran") is None
    assert page.js_errors == []


def test_a_large_markdown_document_renders_whole_in_chunks(serve, page):
    r = Results("app done")
    sections = [f"## Part {i}\n\nParagraph *{i}*.\n\n| n | twice |\n|---|---|\n| {i} | {2 * i} |\n"
                for i in range(1500)]

    @r.app
    def app():
        put_markdown("\n".join(sections))
        put_text("after the document")

    open_app(serve, page, app)
    assert r.get() == "app done"
    doc = page.locator(".webio-html.is-large")
    expect(doc).to_have_count(1)
    # Its blocks are grouped into chunks laid out only near the viewport; none is lost.
    assert doc.locator(":scope > .webio-chunk").count() > 10
    assert doc.locator(":scope > :not(.webio-chunk)").count() == 0
    expect(doc.locator("h2")).to_have_count(1500)
    expect(page.get_by_role("heading", name="Part 0", exact=True)).to_be_visible()
    last = page.get_by_role("heading", name="Part 1499", exact=True)
    last.scroll_into_view_if_needed()
    expect(last).to_be_visible()
    expect(doc.locator("table").last.get_by_role("cell")).to_have_text(["1499", "2998"])
    expect(page.get_by_text("after the document")).to_be_attached()


def test_put_markdown_renders_lstrips_and_sanitizes(serve, page):
    r = Results("app done")

    @r.app
    def app():
        put_markdown("""# Title
        Some *emphasis* here.

        | Col A | Col B |
        |-------|-------|
        | 1     | 2     |

        ```python
        def f(x):
            return x
        ```
        """)
        put_markdown('Text **safe** <img src="/nope.png" alt="evil" onerror="window.__md_onerror = 1">'
                     '\n\n<script>window.__md_script = 1</script>\n')

    open_app(serve, page, app)
    assert r.get() == "app done"
    # The indentation of lines 2..n is removed, else they would all be one code block.
    expect(page.get_by_role("heading", name="Title", level=1)).to_be_visible()
    expect(page.locator("em", has_text="emphasis")).to_be_visible()
    table = page.get_by_role("table")
    expect(table.get_by_role("columnheader")).to_have_text(["Col A", "Col B"])
    expect(table.get_by_role("cell")).to_have_text(["1", "2"])
    code = page.locator("pre", has_text="def f(x):")
    assert code.inner_text().rstrip("\n") == "def f(x):\n    return x"
    keyword = code.locator("span", has_text="def").first
    pre_color = code.evaluate("e => getComputedStyle(e).color")
    assert keyword.evaluate("e => getComputedStyle(e).color") != pre_color  # highlighted

    expect(page.locator("strong", has_text="safe")).to_be_visible()
    img = page.get_by_role("img", name="evil")
    expect(img).to_have_count(1)
    assert img.get_attribute("onerror") is None
    expect(scope(page, "ROOT").locator("script")).to_have_count(0)
    assert page.evaluate("[window.__md_script, window.__md_onerror]") == [None, None]
    assert page.js_errors == []


def test_put_html_and_put_code(serve, page):
    r = Results("app done")

    class Fancy:
        def __html__(self):
            return "<em>from dunder html</em>"

    @r.app
    def app():
        put_html('<p><i>raw</i> html</p><script>window.__html_ran = (window.__html_ran || 0) + 1'
                 '</script>')
        put_html('<u>kept</u><script>window.__sanitized_ran = 1</script>'
                 '<a href="javascript:window.__js_href = 1">bad link</a>', sanitize=True)
        put_html(Fancy())
        put_code("def add(x):\n    return x + 1  # <sum>", language="python")
        put_code("plain <text> & more")

    open_app(serve, page, app)
    assert r.get() == "app done"
    expect(page.locator("i", has_text="raw")).to_be_visible()
    page.wait_for_function("window.__html_ran === 1")  # scripts of put_html run, once
    expect(page.locator("u", has_text="kept")).to_be_visible()
    assert page.evaluate("window.__sanitized_ran") is None
    expect(scope(page, "ROOT").locator("script", has_text="__sanitized_ran")).to_have_count(0)
    href = page.get_by_text("bad link").get_attribute("href")
    assert href is None or not href.startswith("javascript:")
    expect(page.locator("em", has_text="from dunder html")).to_be_visible()

    code = page.locator("pre", has_text="def add(x):")
    assert code.inner_text().rstrip("\n") == "def add(x):\n    return x + 1  # <sum>"
    keyword = code.locator("span", has_text="def").first
    assert (keyword.evaluate("e => getComputedStyle(e).color")
            != code.evaluate("e => getComputedStyle(e).color"))
    plain = page.locator("pre", has_text="plain")
    assert plain.inner_text().rstrip("\n") == "plain <text> & more"
    assert page.js_errors == []


def test_put_link_url_and_app(serve, page):
    r = Results("app done")

    @r.app
    def index():
        put_link("Example site", url="https://example.com/path?q=1")
        put_link("Example new tab", url="https://example.com/", new_window=True)
        put_link("Go to other", app="other")

    def other():
        put_text("Welcome to other")

    server = open_app(serve, page, {"index": index, "other": other})
    assert r.get() == "app done"
    link = page.get_by_role("link", name="Example site")
    expect(link).to_have_attribute("href", "https://example.com/path?q=1")
    expect(page.get_by_role("link", name="Example new tab")).to_have_attribute("target", "_blank")
    page.get_by_role("link", name="Go to other").click()
    expect(page.get_by_text("Welcome to other")).to_be_visible()
    assert page.url == server.url.rstrip("/") + "/?app=other"
    assert page.js_errors == []


def test_put_buttons_and_put_button(serve, page):
    r = Results("app done")

    @r.app
    def app():
        put_buttons(["A", ("B label", {"b": 1}),
                     {"label": "C", "value": (3,), "color": "danger"},
                     {"label": "D", "value": 4, "disabled": True}], onclick=r.put)
        put_buttons(["X", "Y"], onclick=[lambda: r.put("x called"), lambda: r.put("y called")])
        put_button("Single", onclick=lambda: r.put("single called"), color="success")
        put_button("Off", onclick=lambda: r.put("off called"), disabled=True)

    open_app(serve, page, app)
    assert r.get() == "app done"
    page.get_by_role("button", name="B label").click()
    assert r.get() == {"b": 1}
    page.get_by_role("button", name="C").click()
    assert r.get() == (3,)
    page.get_by_role("button", name="A", exact=True).click()
    assert r.get() == "A"
    expect(page.get_by_role("button", name="D")).to_be_disabled()
    expect(page.get_by_role("button", name="Off")).to_be_disabled()
    page.get_by_role("button", name="Y").click()
    assert r.get() == "y called"
    page.get_by_role("button", name="X").click()
    assert r.get() == "x called"
    page.get_by_role("button", name="Single").click()
    assert r.get() == "single called"
    assert r.empty()
    assert page.js_errors == []


def test_put_table_forms(serve, page):
    r = Results("app done")

    @r.app
    def app():
        with use_scope("lists"):
            put_table([["Name", "Age"], ["Ada", 36], ["Bob", None]])
        with use_scope("header_arg"):
            put_table([[1, 2]], header=["H1", "H2"])
        records = [{"name": "Ada", "age": 36}, {"name": "Bob", "age": 7, "extra": "x"}]
        with use_scope("dicts"):
            put_table(records)
        with use_scope("keys"):
            put_table(records, header=["age", "name"])
        with use_scope("labels"):
            put_table([{"name": "Ada"}, {"name": "Bob", "age": 7}],
                      header=[("Years", "age"), (put_text("Who"), "name")])
        with use_scope("spans"):
            put_table([[span("Wide", col=2)], ["a", "b"], [span("Tall", row=2), "c"], ["d"]])
        with use_scope("header_span"):
            put_table([["x", "y"]], header=[span("Both", col=2)])
        with use_scope("nested"):
            put_table([["Output", "Button"],
                       [put_markdown("**bold cell**"), put_buttons(["Press"], onclick=r.put)]])

    open_app(serve, page, app)
    assert r.get() == "app done"

    def grid(name):
        return scope(page, name).get_by_role("table").evaluate(
            "t => [...t.rows].map(r => [...r.cells].map(c => c.innerText.trim()))")

    def headers(name):
        return scope(page, name).get_by_role("columnheader")

    expect(headers("lists")).to_have_text(["Name", "Age"])
    assert grid("lists") == [["Name", "Age"], ["Ada", "36"], ["Bob", "None"]]
    expect(headers("header_arg")).to_have_text(["H1", "H2"])
    assert grid("header_arg") == [["H1", "H2"], ["1", "2"]]
    expect(headers("dicts")).to_have_text(["Name", "Age"])
    assert grid("dicts") == [["Name", "Age"], ["Ada", "36"], ["Bob", "7"]]
    expect(headers("keys")).to_have_text(["age", "name"])
    assert grid("keys") == [["age", "name"], ["36", "Ada"], ["7", "Bob"]]
    expect(headers("labels")).to_have_text(["Years", "Who"])
    assert grid("labels") == [["Years", "Who"], ["", "Ada"], ["7", "Bob"]]

    wide = scope(page, "spans").get_by_role("columnheader", name="Wide")
    expect(wide).to_have_attribute("colspan", "2")
    tall = scope(page, "spans").get_by_role("cell", name="Tall")
    expect(tall).to_have_attribute("rowspan", "2")
    assert grid("spans") == [["Wide"], ["a", "b"], ["Tall", "c"], ["d"]]
    assert box(scope(page, "spans").get_by_role("cell", name="d"))["x"] == \
        box(scope(page, "spans").get_by_role("cell", name="c"))["x"]  # d sits under c

    expect(scope(page, "header_span").get_by_role("columnheader", name="Both")).to_have_attribute(
        "colspan", "2")
    assert grid("header_span") == [["Both"], ["x", "y"]]

    nested = scope(page, "nested")
    expect(nested.get_by_role("cell").locator("strong", has_text="bold cell")).to_be_visible()
    expect(page.get_by_text("bold cell")).to_have_count(1)  # embedded, not also sent alone
    expect(page.get_by_text("Who", exact=True)).to_have_count(1)
    nested.get_by_role("button", name="Press").click()
    assert r.get() == "Press"
    assert page.js_errors == []


def test_put_image(serve, page):
    r = Results("app done")
    png = png_bytes(3, 2)
    pil = Image.new("RGB", (5, 4), (0, 128, 255))

    @r.app
    def app():
        put_image(png, title="png bytes", width="40px")
        put_image(pil, title="pil default")
        put_image(pil, format="png", title="pil png", height="30px")
        put_image("https://example.com/pic.png", title="remote")

    open_app(serve, page, app)
    assert r.get() == "app done"
    raw = page.get_by_role("img", name="png bytes")
    src = raw.get_attribute("src")
    assert src.startswith("data:image/png;base64,")
    assert base64.b64decode(src.split(",", 1)[1]) == png
    page.wait_for_function("img => img.complete && img.naturalWidth === 3", arg=raw.element_handle())
    assert box(raw)["width"] == 40
    assert abs(box(raw)["height"] - 40 * 2 / 3) < 1  # width alone keeps the ratio

    jpeg = page.get_by_role("img", name="pil default")
    assert jpeg.get_attribute("src").startswith("data:image/jpeg;base64,")
    page.wait_for_function("img => img.complete && img.naturalWidth === 5", arg=jpeg.element_handle())
    pil_png = page.get_by_role("img", name="pil png")
    data = base64.b64decode(pil_png.get_attribute("src").split("data:image/png;base64,", 1)[1])
    assert Image.open(io.BytesIO(data)).size == (5, 4)
    page.wait_for_function("img => img.complete && img.naturalWidth === 5",
                           arg=pil_png.element_handle())
    assert box(pil_png)["height"] == 30
    expect(page.get_by_role("img", name="remote")).to_have_attribute(
        "src", "https://example.com/pic.png")
    assert page.js_errors == []


def test_put_file_download_gives_exact_bytes(serve, page):
    r = Results("app done")
    content = bytes(range(256)) + b"\r\n\x00end"

    @r.app
    def app():
        put_file("data.bin", content, label="Get the data")
        put_file("plain.txt", b"hello")

    open_app(serve, page, app)
    assert r.get() == "app done"
    with page.expect_download() as info:
        page.get_by_role("button", name="Get the data").click()
    download = info.value
    assert download.suggested_filename == "data.bin"
    with open(download.path(), "rb") as f:
        assert f.read() == content
    with page.expect_download() as info:
        page.get_by_role("button", name="plain.txt").click()
    assert info.value.suggested_filename == "plain.txt"
    with open(info.value.path(), "rb") as f:
        assert f.read() == b"hello"
    assert page.js_errors == []


def test_alerts_closable_and_as_context_managers(serve, page):
    r = Results("app done")

    @r.app
    def app():
        put_info("Info box")
        put_success("Success box")
        put_warning("Warning box", put_text("with a second output"))
        put_error("Error box", closable=True)
        with put_info("Context title") as name:
            put_text("inside the box")
            r.put(name)
        put_text("after the box")

    open_app(serve, page, app)
    slot = r.get()
    assert r.get() == "app done"
    kids = children(page, "ROOT")
    expect(kids).to_have_count(6)
    colors = [kids.nth(i).evaluate("e => getComputedStyle(e).backgroundColor") for i in range(4)]
    assert len(set(colors)) == 4 and "rgba(0, 0, 0, 0)" not in colors, colors
    expect(kids.nth(2)).to_contain_text("Warning box")
    expect(kids.nth(2)).to_contain_text("with a second output")

    expect(kids.nth(4)).to_contain_text("Context title")
    expect(kids.nth(4)).to_contain_text("inside the box")
    expect(children(page, slot)).to_have_text(["Context title", "inside the box"])
    expect(kids.nth(5)).to_have_text("after the box")

    for i in (0, 1, 2, 4):  # only closable alerts get a close button
        expect(kids.nth(i).get_by_role("button")).to_have_count(0)
    close = kids.nth(3).get_by_role("button")
    expect(close).to_have_text("×")
    close.click()
    expect(page.get_by_text("Error box")).to_have_count(0)
    expect(kids).to_have_count(5)
    assert page.js_errors == []


def test_scope_api(serve, page):
    r = Results("app done")

    @use_scope("deco", clear=True)
    def show(n):
        put_text(f"deco {n}")
        r.put(get_scope())

    @r.app
    def app():
        put_scope("a", [put_text("a1")])
        with use_scope("b") as name:
            r.put(name)
            put_text("b1")
            with use_scope("inner"):
                r.put((get_scope(), get_scope(-2), get_scope(0)))
        with use_scope("b"):
            put_text("b2")
        with use_scope("c"):
            put_text("c1")
        with use_scope("c", clear=True):
            put_text("c2")
        show(1)
        show(2)
        r.put(get_scope())
        set_scope("d", container_scope="a", position=0)
        put_text("d1", scope="d")
        set_scope("d", container_scope="a")  # exists: nothing happens
        set_scope("e")
        put_text("e1", scope="e")
        set_scope("e", if_exist="clear")
        put_text("e2", scope="e")
        set_scope("f")
        put_text("f1", scope="f")
        set_scope("f", if_exist="remove")
        put_text("f2", scope="f")
        put_text("lost", scope="missing")  # no such scope: nothing shown
        put_scope("h", ["h1"])
        clear("h")
        put_scope("i", ["i1"])
        remove("i")
        with use_scope("j"):
            put_text("j1")
            clear()
            put_text("j2")
        with use_scope("k"):
            put_text("k1")
            remove()
        with use_scope() as random_name:
            r.put(random_name)
            put_text("random")

    open_app(serve, page, app)
    assert r.get() == "b"
    assert r.get() == ("inner", "b", "ROOT")
    assert r.get() == "deco"
    assert r.get() == "deco"
    assert r.get() == "ROOT"
    random_name = r.get()
    assert r.get() == "app done"

    expect(children(page, "a")).to_have_text(["d1", "a1"])  # d (position 0) then a1
    expect(children(page, "d")).to_have_text(["d1"])
    expect(children(page, "b")).to_have_text(["b1", "", "b2"])  # b1, scope inner, b2
    expect(children(page, "c")).to_have_text(["c2"])
    expect(children(page, "deco")).to_have_text(["deco 2"])
    expect(children(page, "e")).to_have_text(["e2"])
    expect(children(page, "f")).to_have_text(["f2"])
    expect(page.get_by_text("lost")).to_have_count(0)
    expect(scope(page, "h")).to_have_count(1)
    expect(children(page, "h")).to_have_count(0)
    expect(scope(page, "i")).to_have_count(0)
    expect(children(page, "j")).to_have_text(["j2"])
    expect(scope(page, "k")).to_have_count(0)
    expect(children(page, random_name)).to_have_text(["random"])
    root_scopes = children(page, "ROOT").evaluate_all("ns => ns.map(n => n.id)")
    assert root_scopes == [f"pywebio-scope-{n}" for n in
                           ("a", "b", "c", "deco", "e", "f", "h", "j", random_name)]
    assert page.js_errors == []


def test_scroll_to(serve, page):
    r = Results("app done")

    @r.app
    def app():
        for where in ("top", "middle", "bottom"):
            put_button(f"Scroll far to {where}",
                       onclick=functools.partial(scroll_to, "far", position=where))
        put_html('<div style="height: 3000px"></div>')
        put_scope("far", [put_text("far away")])
        put_html('<div style="height: 3000px"></div>')

    open_app(serve, page, app)
    assert r.get() == "app done"
    assert page.evaluate("scrollY") == 0
    where_is_far = "document.getElementById('pywebio-scope-far').getBoundingClientRect()"
    page.get_by_role("button", name="Scroll far to top").click()
    page.wait_for_function(f"() => scrollY > 2000 && Math.abs({where_is_far}.top) < 2")
    page.get_by_role("button", name="Scroll far to bottom").click()
    page.wait_for_function(f"() => Math.abs({where_is_far}.bottom - innerHeight) < 2")
    page.get_by_role("button", name="Scroll far to middle").click()
    page.wait_for_function(
        f"() => {{ const r = {where_is_far}; return Math.abs(r.top + r.bottom - innerHeight) < 3; }}")
    assert page.js_errors == []


def test_positions(serve, page):
    r = Results("app done")

    @r.app
    def app():
        with use_scope("pos"):
            put_text("A")
            put_text("B")
            put_text("C")
            put_text("first", position=0)
            put_text("last", position=-1)
            put_text("before 2", position=2)
            put_text("after -2", position=-2)
            put_text("out of range", position=50)
        with use_scope("pos2"):  # a fresh frame: insert in a scope filled in the same batch
            put_text("x")
            put_text("y")
            put_text("z", position=1)
            put_text("w", position=-3)

    open_app(serve, page, app)
    assert r.get() == "app done"
    expect(children(page, "pos")).to_have_text(
        ["first", "A", "before 2", "B", "C", "after -2", "last"])
    expect(children(page, "pos2")).to_have_text(["x", "w", "z", "y"])
    assert page.js_errors == []


def test_lazy_output_objects(serve, page):
    r = Results("app done")

    @r.app
    def app():
        put_text("Styled text").style("color: rgb(255, 0, 0)").style("font-weight: 700")
        put_text("Click me").onclick(lambda: r.put("text clicked"))
        held = put_text("Explicit show")
        held.show()
        put_text("After explicit")
        del held  # already shown: not shown again
        cell = put_text("In a cell")
        put_table([["Header"], [cell]])
        del cell  # embedded: not sent alone
        pending = put_text("Sent when dropped")
        put_text("Sent first")
        del pending

    open_app(serve, page, app)
    assert r.get() == "app done"
    styled = page.get_by_text("Styled text")
    assert styled.evaluate("e => getComputedStyle(e).color") == "rgb(255, 0, 0)"
    assert styled.evaluate("e => getComputedStyle(e).fontWeight") == "700"
    expect(page.get_by_text("Explicit show")).to_have_count(1)
    expect(page.get_by_text("In a cell")).to_have_count(1)
    expect(page.get_by_role("cell", name="In a cell")).to_be_visible()
    texts = children(page, "ROOT").all_inner_texts()
    order = [t for t in texts if t in ("Explicit show", "After explicit", "Sent first",
                                        "Sent when dropped")]
    assert order == ["Explicit show", "After explicit", "Sent first", "Sent when dropped"]
    page.get_by_text("Click me").click()
    assert r.get() == "text clicked"
    assert page.js_errors == []


def test_layouts_and_containers(serve, page):
    r = Results("app done")
    release = threading.Event()

    @r.app
    def app():
        put_row([put_text("R1"), None, put_text("R2")])
        put_column([put_text("C1"), put_text("C2")])
        with put_row():
            put_text("Row ctx 1")
            put_text("Row ctx 2")
        with put_column():
            put_text("Col ctx 1")
            put_text("Col ctx 2")
        put_grid([[put_text("G1"), put_text("G2")], [put_text("G3")]], cell_width="100px")
        put_collapse("Closed section", [put_text("collapsed body")])
        put_collapse("Open section", "open body", open=True)
        with put_collapse("Ctx section", open=True):
            put_text("ctx collapse body")
        put_scrollable([put_text(f"line {i}") for i in range(60)], height=120)
        with put_scrollable(height=(50, 100)) as scroll_scope:
            put_text("ctx scroll body")
            r.put(scroll_scope)
        put_tabs([{"title": "Tab A", "content": "Alpha"},
                  {"title": "Tab B", "content": [put_text("Beta"), put_markdown("*beta md*")]}])
        with use_scope("spin"):
            put_loading(shape="grow", color="primary")
        with use_scope("busy"):
            with put_loading():
                put_text("while loading")
                r.put("loading shown")
                release.wait(10)
            put_text("loading done")

    open_app(serve, page, app)
    scroll_scope = r.get()
    assert r.get() == "loading shown"
    expect(page.get_by_text("while loading")).to_be_visible()  # the last output is in
    r1, r2 = page.get_by_text("R1", exact=True), page.get_by_text("R2", exact=True)
    assert abs(box(r1)["y"] - box(r2)["y"]) < 1
    assert box(r2)["x"] >= box(r1)["x"] + box(r1)["width"]
    c1, c2 = page.get_by_text("C1", exact=True), page.get_by_text("C2", exact=True)
    assert box(c2)["y"] >= box(c1)["y"] + box(c1)["height"] and abs(box(c2)["x"] - box(c1)["x"]) < 1
    rc1, rc2 = page.get_by_text("Row ctx 1"), page.get_by_text("Row ctx 2")
    assert abs(box(rc1)["y"] - box(rc2)["y"]) < 1 and box(rc2)["x"] > box(rc1)["x"]
    cc1, cc2 = page.get_by_text("Col ctx 1"), page.get_by_text("Col ctx 2")
    assert box(cc2)["y"] > box(cc1)["y"] and abs(box(cc2)["x"] - box(cc1)["x"]) < 1
    g1, g2, g3 = (page.get_by_text(t, exact=True) for t in ("G1", "G2", "G3"))
    assert abs(box(g1)["y"] - box(g2)["y"]) < 1 and box(g2)["x"] - box(g1)["x"] >= 100
    assert abs(box(g3)["x"] - box(g1)["x"]) < 1 and box(g3)["y"] > box(g1)["y"] + 10

    expect(page.get_by_text("collapsed body")).to_be_hidden()
    page.get_by_text("Closed section").click()
    expect(page.get_by_text("collapsed body")).to_be_visible()
    expect(page.get_by_text("open body")).to_be_visible()
    expect(page.get_by_text("ctx collapse body")).to_be_visible()

    last_line = page.get_by_text("line 59", exact=True)
    expect(last_line).to_be_attached()
    settle(page)
    # The nearest ancestor of the lines that scrolls is a box of the asked height.
    scroller = last_line.evaluate("""e => {
        let n = e.parentElement;
        while (n && !['auto', 'scroll'].includes(getComputedStyle(n).overflowY)) n = n.parentElement;
        return n && {tag: n.tagName, height: n.getBoundingClientRect().height,
                     scrolls: n.scrollHeight > n.clientHeight + 100};
    }""")
    assert scroller is not None and scroller["tag"] not in ("HTML", "BODY"), scroller
    assert 100 <= scroller["height"] <= 125 and scroller["scrolls"], scroller
    expect(scope(page, scroll_scope)).to_have_text("ctx scroll body")

    tab_b = page.get_by_role("tab", name="Tab B")
    expect(page.get_by_role("tab", name="Tab A")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_text("Alpha")).to_be_visible()
    expect(page.get_by_text("Beta", exact=True)).to_be_hidden()
    tab_b.click()
    expect(page.get_by_text("Beta", exact=True)).to_be_visible()
    expect(page.locator("em", has_text="beta md")).to_be_visible()
    expect(page.get_by_text("Alpha")).to_be_hidden()

    spinner = children(page, "spin")
    expect(spinner).to_have_count(1)
    expect(spinner).to_be_visible()
    assert box(spinner)["width"] > 0 and box(spinner)["height"] > 0

    expect(page.get_by_text("while loading")).to_be_visible()
    expect(scope(page, "busy").get_by_role("status")).to_have_count(1)
    release.set()
    assert r.get() == "app done"
    expect(page.get_by_text("while loading")).to_have_count(0)
    expect(children(page, "busy")).to_have_text(["loading done"])  # spinner gone too
    assert page.js_errors == []


def test_toast(serve, page):
    r = Results("app done")

    @r.app
    def app():
        toast("Sticky clickable", duration=0, onclick=lambda: r.put("toast clicked"))
        toast("Short lived", duration=1.5)

    open_app(serve, page, app)
    assert r.get() == "app done"
    expect(page.get_by_text("Short lived")).to_be_visible()
    expect(page.get_by_text("Short lived")).to_have_count(0, timeout=6000)
    sticky = page.get_by_text("Sticky clickable")
    expect(sticky).to_be_visible()
    sticky.click()
    assert r.get() == "toast clicked"
    expect(sticky).to_have_count(0)
    assert page.js_errors == []


def test_run_js_eval_js_set_env_info_and_local(serve, page, browser):
    r = Results("app done")

    @r.app
    def app():
        r.put(("local at start", webio_session.local.visits))
        webio_session.local.visits = 1
        run_js("window.__sum = a + b.length", a=40, b=[1, 2])
        r.put(eval_js("window.__sum"))
        r.put(eval_js("Promise.resolve({k: [1, 'two', null], n: x * 2})", x=2.5))
        r.put(eval_js("undefined"))
        set_env(title="My Title")
        user_agent = webio_session.info.user_agent
        r.put((user_agent.is_pc, user_agent.is_mobile, webio_session.info.backend,
               webio_session.info.protocol))
        put_button("Read local", onclick=lambda: r.put(("local", webio_session.local.visits)))

    open_app(serve, page, app)
    assert r.get() == ("local at start", None)
    assert r.get() == 42
    assert r.get() == {"k": [1, "two", None], "n": 5.0}
    assert r.get() is None
    assert r.get() == (True, False, "tornado", "websocket")
    assert r.get() == "app done"
    expect(page).to_have_title("My Title")
    assert page.evaluate("window.__sum") == 42
    page.get_by_role("button", name="Read local").click()  # another thread, same session
    assert r.get() == ("local", 1)

    second = page.context.new_page()  # a second session has its own local
    second.goto(page.url)
    assert r.get() == ("local at start", None)
    for _ in range(5):
        r.get()
    second.close()
    assert page.js_errors == []
