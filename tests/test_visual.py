"""The visual check: screenshots of the example apps and of a few scenario apps at a desktop and a
phone size, light and dark, checked the way a reviewer looks at them but with numbers: nothing
leaves the window sideways, toasts, the session notice and the docked input panel cover nothing
they should not, and every visible text has 4.5:1 contrast (WCAG AA) against what is behind it.

One browser, one page per size and theme, every app loaded into it in turn. Set WEBIO_SCREENSHOTS
to a folder to keep the PNGs (docs/img/ was made that way)."""
from __future__ import annotations

import io
import os
import runpy
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
from PIL import Image

from conftest import ROOT, ServerThread
from pagecheck import install, low_contrast_texts, overlap, settle
from webio_desktop.input import NUMBER, input, input_group, textarea
from webio_desktop.output import (popup, put_buttons, put_code, put_collapse, put_datatable,
                                  put_error, put_info, put_link, put_markdown, put_progressbar,
                                  put_row, put_success, put_table, put_tabs, put_text,
                                  put_warning, toast)

HOLD = threading.Event()  # apps that must stay open while we look wait on it; set at the end
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@dataclass
class Shot:
    app: Callable
    ready: str  # a selector that is visible once the app has drawn what we look at
    action: Callable | None = None  # what a user does first (on the page), if anything


# ---- scenario apps: the states issue 18 found wrong ----

def chat_left():
    put_markdown("# Chat room")
    for i in range(12):
        put_markdown(f"**user{i % 3}**: message {i}\nwith a second line")
    toast("You have left the chat room", duration=0)


def tall_form():
    put_markdown("# Sign up")
    input_group("Profile", [input("Name", name="name", placeholder="Your name"),
                            input("Email", name="email"), input("Age", name="age", type=NUMBER),
                            input("City", name="city"), textarea("About you", name="about", rows=4)])


def popup_and_toast():
    put_text("Behind the popup")
    popup("Settings", [put_text("A long setting description. " * 12),
                       put_buttons(["Save"], onclick=lambda _: None)], size="large")
    toast("Saved", duration=0)
    toast("Could not sync", color="error", duration=0)
    HOLD.wait(30)  # keep the session (and the popup) open while we look


def outputs_tour():
    put_markdown("""
    ## Outputs
    | Name | Score |
    |------|------:|
    | Ann  | 10    |

    > a quote with `code`

    - one
    - two
    """)
    put_info("info"), put_success("success"), put_warning("warning"), put_error("error")
    put_buttons([dict(label=c, value=c, color=c) for c in
                 ("primary", "secondary", "success", "danger", "warning", "info", "light", "dark")],
                onclick=lambda _: None)
    put_buttons(["outline"], onclick=lambda _: None, outline=True)
    put_row([put_text("left"), put_text("right")])
    put_table([["Name", "Action"], ["Ann", put_buttons(["Edit"], onclick=lambda _: None)]])
    put_tabs([{"title": "First", "content": "first tab"}, {"title": "Second", "content": "second"}])
    put_collapse("More", "hidden", open=True)
    put_progressbar("bar", 0.4, label="Loading")
    put_code("def f(x):\n    # a comment\n    return 'text' + str(1)", language="python")
    put_link("a link", url="https://example.org")
    HOLD.wait(30)


def validation():
    input("Age", type=NUMBER, validate=lambda v: "Must be positive" if v <= 0 else None,
          help_text="Whole years", placeholder="e.g. 42")


def datatable():
    put_datatable([{"first_name": f"name {i}", "score": i} for i in range(30)],
                  actions=[("Delete", lambda _: None)], height=300)
    HOLD.wait(30)


def submit_invalid(page):
    field = page.get_by_label("Age")
    field.fill("-1")
    field.press("Enter")
    page.get_by_text("Must be positive").wait_for()


def select_row(page):
    page.get_by_role("gridcell", name="name 1", exact=True).click()
    page.locator("tr.is-selected").wait_for()


def example(name: str) -> dict:
    return runpy.run_path(str(ROOT / "examples" / name), run_name="example")


def shots() -> dict[str, Shot]:
    demo, multi, editor = example("demo.py"), example("multi_app.py"), example("desktop_editor.py")
    return {
        "demo": Shot(demo["index"], "text=Open the counter in a new window"),
        "demo_bmi": Shot(demo["bmi"], "text=Your measurements"),
        "demo_shopping": Shot(demo["shopping"], "text=Add an item"),
        "demo_counter": Shot(demo["counter"], "text=Count: 0"),
        "multi_app": Shot(multi["index"], ".webio-notice"),
        "multi_app_task": Shot(multi["task_1"], "text=Go task 2"),
        "editor": Shot(editor["index"], "text=Edit the note"),
        "chat_left": Shot(chat_left, ".webio-notice"),
        "tall_form": Shot(tall_form, "text=Submit"),
        "popup_toast": Shot(popup_and_toast, ".webio-toast >> text=Could not sync"),
        "outputs": Shot(outputs_tour, "text=a link"),
        "validation": Shot(validation, "text=Whole years", submit_invalid),
        "datatable": Shot(datatable, "text=name 0", select_row),
    }


SHOTS = shots()


@pytest.fixture(scope="module")
def server():
    running = ServerThread({name: shot.app for name, shot in SHOTS.items()})
    yield running
    HOLD.set()
    running.stop()


# Everything the checks read from the page, in one evaluate per app.
_MEASURE = r"""() => {
  const C = window.__check;
  const boxes = (sel) => [...document.querySelectorAll(sel)].filter(C.visible).map((e) => ({...C.box(e), sel, text: e.textContent.trim().slice(0, 30)}));
  const hitOk = (e) => { const r = e.getBoundingClientRect(); const h = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2); return !!h && (h === e || e.contains(h)); };
  const panel = document.getElementById('webio-input');
  const docked = panel && !panel.hidden && getComputedStyle(panel).position === 'fixed';
  // The last output of the page (after scrolling to the bottom): it must be above the panel and the notice.
  const outputs = [...document.querySelectorAll('#webio-output > .webio-scope > *')].filter(C.visible);
  return {
    pageWidth: document.scrollingElement.scrollWidth,
    fixed: boxes('.webio-toast, .webio-notice, dialog[open], #webio-input:not([hidden])'),
    toasts: boxes('.webio-toast'),
    notice: boxes('.webio-notice')[0] ?? null,
    panel: docked ? C.box(panel) : null,
    last: outputs.length ? {...C.box(outputs.at(-1)), text: outputs.at(-1).textContent.trim().slice(0, 30)} : null,
    coveredToasts: [...document.querySelectorAll('.webio-toast')].filter((e) => !hitOk(e)).map((e) => e.textContent.trim()),
  };
}"""


def check(page, name: str, size: dict) -> list[str]:
    """What is wrong with the page as it is now, in words (empty: nothing)."""
    problems = []
    install(page)
    settle(page)
    page.evaluate("() => window.scrollTo(0, document.scrollingElement.scrollHeight)")
    settle(page)
    m = page.evaluate(_MEASURE)
    width, height = size["width"], size["height"]
    if m["pageWidth"] > width + 1:
        problems.append(f"the page scrolls sideways ({m['pageWidth']}px in a {width}px window)")
    for b in m["fixed"]:
        if b["x"] < -1 or b["right"] > width + 1 or b["y"] < -1 or b["bottom"] > height + 1:
            problems.append(f"{b['sel']} {b['text']!r} leaves the window: {b}")
    if m["notice"]:
        for t in m["toasts"]:
            if overlap(m["notice"], t):
                problems.append(f"the notice covers the toast {t['text']!r}")
    if m["coveredToasts"]:
        problems.append(f"covered toasts: {m['coveredToasts']}")
    last = m["last"]
    if last:
        for cover, what in ((m["panel"], "input panel"), (m["notice"], "notice")):
            if cover and last["bottom"] > cover["y"] + 1 and last["y"] < cover["bottom"]:
                problems.append(f"the {what} covers the last output {last['text']!r}")
    for bad in low_contrast_texts(page):
        problems.append(f"low contrast {bad['contrast']}:1 of {bad['tag']}.{bad.get('cls', '')} {bad['text']!r}")
    return [f"{name}: {p}" for p in problems]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size_name", list(SIZES))
def test_example_and_scenario_apps_look_right(browser, server, size_name, scheme, tmp_path):
    size = SIZES[size_name]
    keep = os.environ.get("WEBIO_SCREENSHOTS")
    folder = Path(keep) if keep else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=size, color_scheme=scheme)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    problems: list[str] = []
    try:
        for name, shot in SHOTS.items():
            page.goto(f"{server.url}?app={name}")
            page.locator(shot.ready).first.wait_for()
            if shot.action:
                shot.action(page)
            problems += check(page, name, size)
            png = page.screenshot()
            (folder / f"{name}-{size_name}-{scheme}.png").write_bytes(png)
            colours = Image.open(io.BytesIO(png)).convert("RGB").getcolors(maxcolors=1 << 20)
            if colours is not None and len(colours) < 3:
                problems.append(f"{name}: the screenshot is blank")
    finally:
        context.close()
    assert not problems, "\n".join(problems)
    assert errors == []
