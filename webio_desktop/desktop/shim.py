"""The script a desktop window's pages get: routes navigation and downloads to the launcher.

It runs as a module script after ``webio.js`` (module scripts run in document order) and
replaces ``window.webio.openApp`` / ``download`` / ``setCloseGuard``, and reports
``document.title`` changes (``set_env(title=...)``) so the native title follows. In tabs mode
the page is a frame of the tab shell (``static/desktop/tabs.js``) and talks to the shell
instead. Calls reach Python through the window's pywebview ``js_api`` (``WindowApi``), which
knows which native window asked. Links
and ``window.open`` that would leave the app go to the system browser (http/https only) or a new
native window (our own URLs); nothing else escapes.
"""
from __future__ import annotations

import sys

SHIM_JS = r"""
// In tabs mode this page is an <iframe> of the tab shell (static/desktop/tabs.js, same origin):
// the shell owns the bridge and the tabs. In windows mode `top` is this page itself.
const tabs = (() => {
  try { return window.top !== window ? window.top.webioTabs ?? null : null; } catch { return null; }
})();
const host = tabs ? window.top : window;
const call = (method, ...args) => new Promise((resolve, reject) => {
  const go = () => host.pywebview.api[method](...args).then(resolve, reject);
  if (host.pywebview && host.pywebview.api && host.pywebview.api[method]) go();
  else host.addEventListener('pywebviewready', go, { once: true });
});
// pywebview runs each js_api call on a thread of its own, so two calls may land in either order.
// For a state the window follows (its title, its close guard) only the latest value counts: send
// it with at most one call in flight, and when that call returns send what changed meanwhile.
const follow = (method) => {
  let sent, sending = false, wanted;
  const flush = () => {
    if (sending || Object.is(wanted, sent)) return;
    sending = true;
    const value = wanted;
    call(method, value).finally(() => { sent = value; sending = false; flush(); });
  };
  return (value) => { wanted = value; flush(); };
};
const appHref = (name) => {
  const url = new URL(location.pathname, location.href);
  url.searchParams.set('app', name);
  return url.href;
};
const toBase64 = async (bytes) => {
  const blob = bytes instanceof Blob ? bytes : new Blob([bytes]);
  const data = await new Promise((resolve) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.readAsDataURL(blob);
  });
  return data.slice(data.indexOf(',') + 1);
};
/** Same origin: a new tab or native window; http(s) elsewhere: the system browser; else nothing. */
const openUrl = (href) => {
  const url = new URL(href, location.href);
  if (url.origin === location.origin) {
    return tabs ? tabs.open(url.pathname + url.search) : call('open_url', url.pathname + url.search);
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') return call('open_external', url.href);
  console.warn('[webio-desktop] blocked a link to', url.href);
};
if (window.webio) {
  window.webio.openApp = (name, newWindow) => {
    if (!newWindow) location.href = appHref(name);
    else if (tabs) openUrl(appHref(name));
    else call('open_app', String(name));
  };
  // webio_desktop.desktop (native.py): {ok: value} or {error: message}, never a rejection.
  window.webio.native = (method, args) => call('native', method, args)
    .then((value) => ({ ok: value ?? null }), (err) => ({ error: String(err?.message ?? err) }));
  dispatchEvent(new Event('webio-native'));  // native calls that came before the shim go now
  window.webio.download = async (name, bytes) => call('save_file', String(name || 'download'), await toBase64(bytes));
  // The close guard (set_close_guard): the shell or the native window asks before closing.
  const setGuard = window.webio.setCloseGuard;
  const sendGuard = follow('set_close_guard');
  window.webio.setCloseGuard = (message) => {
    setGuard(message);
    if (tabs) tabs.guard(window, window.webio.closeGuard);
    else sendGuard(window.webio.closeGuard);
  };
}
// set_env(title=...) changes document.title: the native window (or the tab) follows.
let lastTitle = null;
const sendTitle = follow('set_title');
const reportTitle = () => {
  if (document.title === lastTitle) return;
  lastTitle = document.title;
  if (tabs) tabs.title(window, lastTitle);
  else sendTitle(lastTitle);
};
// The page may already have a title its window was not created with: a prerendered first
// frame's set_env(title=...) ran before this script, a hot reload brought another. Report it.
reportTitle();
new MutationObserver(reportTitle)
  .observe(document.head, { subtree: true, childList: true, characterData: true });
window.open = (href) => { if (href) openUrl(href); return null; };
document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0) return;
  const a = e.target.closest && e.target.closest('a[href]');
  if (!a || a.hasAttribute('download') || a.getAttribute('href').startsWith('#')) return;
  const url = new URL(a.href, location.href);
  const external = url.origin !== location.origin;
  if (!external && !(a.target && a.target !== '_self')) return;  // same window, same app: fine
  e.preventDefault();
  openUrl(url.href);
});
"""

# The fonts of the page's stacks that Linux can have (webio.css's --webio-host-font/-mono): the
# same faces the whole stacks resolve to there (system-ui is first and always found), without
# WebKitGTK's ~35 ms of looking for Segoe UI, Roboto, Menlo and the rest before its first paint.
def linux_fonts(ui_font: str | None = None) -> str:
    """The page's font stacks on Linux. ``ui_font``: the desktop's interface font family, when
    the engine knows it (``Engine.ui_font``); it names the face ``system-ui`` would find."""
    family = _css_family(ui_font) if ui_font else None
    body = f"{family}, sans-serif" if family else "system-ui, sans-serif"
    return (f'<style>html {{ --webio-host-font: {body}; '
            '--webio-host-mono: "DejaVu Sans Mono", monospace; }</style>')


def _css_family(name: str) -> str | None:
    """``name`` as a quoted CSS family name; None for one that could leave its string or the
    style element (the desktop's settings are the user's, but they end up in a page)."""
    if not name.isprintable() or any(c in name for c in '"\\<>{};'):
        return None
    return f'"{name}"'


def shim_head(platform: str = sys.platform, ui_font: str | None = None) -> str:
    """What a desktop window's pages carry in ``<head>``: the shim, and on Linux its fonts.
    ``ui_font``: see ``linux_fonts``."""
    fonts = linux_fonts(ui_font) if platform.startswith("linux") else ""
    return f'{fonts}<script type="module">{SHIM_JS}</script>'
