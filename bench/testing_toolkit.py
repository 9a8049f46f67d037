"""How fast webio_desktop.testing runs app tests (issue 14's targets: >= 200 user steps per
second; a test of the README's BMI app in < 50 ms).

    .venv/bin/python bench/testing_toolkit.py [--steps 500] [--runs 50]

A *user step* is one action and the wait for what it shows: ``click('+1')`` then
``should_see('Count: N')``, or ``fill`` + ``submit`` then ``should_see`` for a form (two
actions, counted as one step; the answer replaces the last one, and a variant appends it, so
the page grows to ``--steps`` lines and ``should_see`` reads more text each step). The BMI
figure is a whole test: open the app, two fields and two submits, ``should_see`` the result,
close the page (the session ends, threads finish). Medians, with the first (cold) run apart.

PyWebIO has no testing toolkit: a PyWebIO author drives the app in a real browser. So the same
run then drives the same steps (click '+1', wait for 'Count: N') and the same BMI test with
Playwright in headless Chromium (/usr/bin/chromium), against the same apps (scenario_apps.py
``counter`` and ``bmi``) served by PyWebIO 1.8.4 and by ours (Tornado ``start_server`` child
processes), and against the floor: a static page (``set_content``, no server) whose button or
forms do the same in a few lines of JavaScript. ``--browser-steps`` / ``--browser-runs`` size
it; ``--no-browser`` skips it. JSON: ``bench/results/testing_toolkit.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]

import webio_desktop.compat  # noqa: E402
from webio_desktop.input import NUMBER, input  # noqa: E402
from webio_desktop.output import put_text, use_scope  # noqa: E402
from webio_desktop.testing import User  # noqa: E402

# The BMI and counter apps are the ones the browser side serves (scenario_apps.py, written
# against pywebio.*): here ``pywebio`` is our alias, so they run on webio_desktop.
webio_desktop.compat.install_pywebio_alias()
import scenario_apps  # noqa: E402

bmi = scenario_apps.make_bmi_app()
counter = scenario_apps.make_counter_app()
async_counter = scenario_apps.make_counter_async_app()


def echo():
    while True:
        number = input("Number", type=NUMBER)
        with use_scope("out", clear=True):
            put_text(f"got {number}")


async def async_echo():
    while True:
        number = await input("Number", type=NUMBER)
        with use_scope("out", clear=True):
            put_text(f"got {number}")


def growing_echo():
    while True:
        put_text(f"got {input('Number', type=NUMBER)}")


def bmi_test() -> float:
    start = time.perf_counter()
    with User(bmi) as user:
        user.fill("Your height (cm)", 180)
        user.submit()
        user.fill("Your weight (kg)", 75)
        user.submit()
        user.should_see("BMI: 23.1")
    return time.perf_counter() - start


def click_steps(app, steps: int) -> float:
    with User(app) as user:
        user.should_see("Count: 0")
        start = time.perf_counter()
        for i in range(1, steps + 1):
            user.click("+1")
            user.should_see(f"Count: {i}", scope="value")
        elapsed = time.perf_counter() - start
    return steps / elapsed


def form_steps(app, steps: int) -> float:
    with User(app) as user:
        start = time.perf_counter()
        for i in range(steps):
            user.fill("Number", i)
            user.submit()
            user.should_see(f"got {i}")
        elapsed = time.perf_counter() - start
    return steps / elapsed


# --- the same steps in a real browser --------------------------------------------------------

FLOOR_COUNTER = """<!doctype html><meta charset="utf-8"><p id="v">Count: 0</p><button>+1</button>
<script>let n = 0; document.querySelector('button').onclick =
  () => { document.getElementById('v').textContent = `Count: ${++n}`; };</script>"""

FLOOR_BMI = """<!doctype html><meta charset="utf-8"><main id="out"></main>
<form><label for="f">Your height (cm)</label><input id="f" name="data" autofocus></form>
<script>const form = document.forms[0], box = form.elements[0], label = form.querySelector('label');
let height = null;
form.onsubmit = (e) => {
  e.preventDefault();
  if (height === null) { height = +box.value; box.value = ''; label.textContent = 'Your weight (kg)'; return; }
  const p = document.createElement('p');
  p.textContent = `BMI: ${(+box.value / (height / 100) ** 2).toFixed(1)}`;
  form.remove(); document.getElementById('out').append(p);
};</script>"""


def open_page(page, url: str | None, html: str) -> None:
    if url:
        page.goto(url)
    else:
        page.set_content(html)


def browser_click_steps(browser, url: str | None, steps: int) -> float:
    """Steps/s of click('+1') then 'Count: N' on the page, with Playwright's locators."""
    context = browser.new_context()
    try:
        page = context.new_page()
        open_page(page, url, FLOOR_COUNTER)
        page.get_by_text("Count: 0", exact=True).wait_for()
        button = page.get_by_role("button", name="+1", exact=True)
        start = time.perf_counter()
        for i in range(1, steps + 1):
            button.click()
            page.get_by_text(f"Count: {i}", exact=True).wait_for()
        return steps / (time.perf_counter() - start)
    finally:
        context.close()


def browser_bmi_test(browser, url: str | None) -> float:
    """Seconds: a new browser context, open the app, two fields with Enter, the result, close."""
    start = time.perf_counter()
    context = browser.new_context()
    page = context.new_page()
    open_page(page, url, FLOOR_BMI)
    for label, value in (("Your height (cm)", "180"), ("Your weight (kg)", "75")):
        # PyWebIO 1.8.4 shows a single input's label as the form card's header, with no <label>
        # element: wait for the text, then fill the newest enabled box (every side names it data)
        page.get_by_text(label, exact=True).wait_for()
        box = page.locator("input[name=data]:enabled:visible").last
        box.fill(value)
        box.press("Enter")
    page.get_by_text("BMI: 23.1", exact=True).wait_for()
    context.close()
    return time.perf_counter() - start


def browser_figures(steps: int, runs: int) -> dict:
    """{side: {"steps_per_s": [...], "bmi_s": [cold, ...]}} for PyWebIO, ours and the floor."""
    from playwright.sync_api import sync_playwright

    from browser import launch
    from servers import Server

    figures: dict[str, dict] = {}
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            for side, label in (("pywebio", "PyWebIO 1.8.4"), ("webio", "ours"),
                                ("floor", "floor")):
                print(f"browser: {label} ...", file=sys.stderr, flush=True)
                if side == "floor":
                    rates = [browser_click_steps(browser, None, steps) for _ in range(3)]
                    bmis = [browser_bmi_test(browser, None) for _ in range(runs + 1)]
                else:
                    with Server(side, "counter", start_timeout=60) as server:
                        rates = [browser_click_steps(browser, server.url, steps)
                                 for _ in range(3)]
                    with Server(side, "bmi", start_timeout=60) as server:
                        bmis = [browser_bmi_test(browser, server.url) for _ in range(runs + 1)]
                figures[side] = {"steps_per_s": rates, "bmi_s": bmis}
        finally:
            browser.close()
    return figures


def ratio(a: float, b: float) -> str:
    return f"{a / b:.3g}x" if b else "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--browser-steps", type=int, default=100,
                        help="click steps per browser run (3 runs a side)")
    parser.add_argument("--browser-runs", type=int, default=10,
                        help="BMI tests a side in the browser (after a cold one)")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()

    times = [bmi_test() for _ in range(args.runs + 1)]
    cold, warm = times[0], times[1:]
    print(f"BMI app test (open, 2 fields, 2 submits, should_see, close): "
          f"cold {cold * 1000:.1f} ms, median {statistics.median(warm) * 1000:.1f} ms, "
          f"max {max(warm) * 1000:.1f} ms over {len(warm)} runs (target < 50 ms)")
    results: dict = {"toolkit": {"bmi_s": times}}
    for name, measure, app in [("click + should_see, thread app", click_steps, counter),
                               ("click + should_see, coroutine app", click_steps, async_counter),
                               ("fill + submit + should_see, thread app", form_steps, echo),
                               ("fill + submit + should_see, coroutine app", form_steps,
                                async_echo),
                               ("fill + submit + should_see, thread app, growing page",
                                form_steps, growing_echo)]:
        rates = [measure(app, args.steps) for _ in range(3)]
        results["toolkit"][name] = rates
        print(f"{name}: median {statistics.median(rates):.0f} steps/s "
              f"(min {min(rates):.0f}; {args.steps} steps x 3; target >= 200)")
    if not args.no_browser:
        results["browser"] = browser = browser_figures(args.browser_steps, args.browser_runs)
        side_by_side(results["toolkit"], browser)
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    results["load_average"] = os.getloadavg()
    (out / "testing_toolkit.json").write_text(json.dumps(results, indent=1))


def side_by_side(toolkit: dict, browser: dict) -> None:
    """The table: the toolkit, a browser on PyWebIO, a browser on ours, the floor; both ratios
    (ours = the toolkit, then ours in the browser)."""
    rate = {"toolkit": statistics.median(toolkit["click + should_see, thread app"]),
            **{side: statistics.median(f["steps_per_s"]) for side, f in browser.items()}}
    bmi = {"toolkit": statistics.median(toolkit["bmi_s"][1:]) * 1000,
           **{side: statistics.median(f["bmi_s"][1:]) * 1000 for side, f in browser.items()}}
    cold = {"toolkit": toolkit["bmi_s"][0] * 1000,
            **{side: f["bmi_s"][0] * 1000 for side, f in browser.items()}}
    print("\nside by side (thread apps; browser = Playwright + headless Chromium):")
    print(f"{'':36}{'click+see steps/s':>18}{'BMI test ms':>12}{'cold':>8}")
    for side, label in (("toolkit", "ours: webio_desktop.testing"),
                        ("pywebio", "PyWebIO 1.8.4 in the browser"),
                        ("webio", "ours in the browser"), ("floor", "floor: static page")):
        print(f"{label:36}{rate[side]:>18.0f}{bmi[side]:>12.1f}{cold[side]:>8.0f}")
    for side, label in (("toolkit", "toolkit"), ("webio", "ours in the browser")):
        print(f"  {label}: steps/s ours/PyWebIO {ratio(rate[side], rate['pywebio'])}, "
              f"ours/floor {ratio(rate[side], rate['floor'])} (higher is faster); "
              f"BMI time ours/PyWebIO {ratio(bmi[side], bmi['pywebio'])}, "
              f"ours/floor {ratio(bmi[side], bmi['floor'])} (lower is faster)")


if __name__ == "__main__":
    main()
