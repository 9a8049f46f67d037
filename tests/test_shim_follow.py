"""The desktop shim (desktop/shim.py) keeps the native window's title and close guard on the
page's latest value although pywebview may answer its js_api calls in any order (each runs on a
thread of its own): at most one call of each is in flight, and what changed meanwhile is sent
when it returns. In Chromium, with a stand-in ``pywebview.api`` that answers slowly, in random
order."""
from __future__ import annotations

from webio_desktop.desktop.shim import shim_head

STAND_IN_BRIDGE = """<script>
window.bridge = { calls: [], inFlight: 0, mostInFlight: 0 };
const slow = (method) => (value) => {
  const b = window.bridge;
  b.calls.push([method, value]);
  b.inFlight += 1;
  b.mostInFlight = Math.max(b.mostInFlight, b.inFlight);
  return new Promise((resolve) => setTimeout(() => { b.inFlight -= 1; resolve(); },
                                             5 + Math.random() * 25));
};
window.pywebview = { api: { set_title: slow('set_title'), set_close_guard: slow('set_close_guard') } };
window.webio = { closeGuard: null,
                 setCloseGuard(message) { window.webio.closeGuard = message || null; } };
</script>"""


def load_shim(page) -> None:
    page.set_content(f"<!doctype html><html><head><title>first</title>{STAND_IN_BRIDGE}"
                     f"{shim_head('linux')}</head><body>page</body></html>")
    page.wait_for_function("window.bridge.calls.length > 0")  # the shim reported 'first'


def test_quick_title_changes_end_on_the_last_with_one_call_in_flight(page):
    load_shim(page)
    page.evaluate("""() => new Promise((done) => {
        const c = new MessageChannel(); let i = 0;  // each change in a task of its own
        c.port1.onmessage = () => {
            document.title = 'Title ' + i;
            if (++i < 50) c.port2.postMessage(0); else done();
        };
        c.port2.postMessage(0);
    })""")
    page.wait_for_function("window.bridge.inFlight === 0 && "
                           "window.bridge.calls.at(-1)[1] === 'Title 49'", timeout=10000)
    bridge = page.evaluate("window.bridge")
    titles = [value for method, value in bridge["calls"] if method == "set_title"]
    assert bridge["mostInFlight"] == 1
    assert titles[0] == "first" and titles[-1] == "Title 49"
    assert len(titles) < 50  # changes made while a call was out were folded into one


def test_the_close_guard_follows_its_last_setting(page):
    load_shim(page)
    page.evaluate("""() => {
        for (let i = 0; i < 10; i++) window.webio.setCloseGuard(i % 2 ? null : 'Unsaved ' + i);
        window.webio.setCloseGuard('Unsaved work');
    }""")
    page.wait_for_function("window.bridge.inFlight === 0 && "
                           "window.bridge.calls.at(-1)[1] === 'Unsaved work'", timeout=10000)
    guards = [value for method, value in page.evaluate("window.bridge.calls")
              if method == "set_close_guard"]
    assert guards[-1] == "Unsaved work" and len(guards) <= 3
