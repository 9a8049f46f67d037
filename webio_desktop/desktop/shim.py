"""The script a desktop window's pages get: routes navigation and downloads to the launcher.

It runs as a module script after ``webio.js`` (module scripts run in document order) and
replaces ``window.webio.openApp`` / ``window.webio.download``, and reports ``document.title``
changes (``set_env(title=...)``) so the native title follows. Calls reach Python through the
window's pywebview ``js_api`` (``WindowApi``), which knows which native window asked. Links
and ``window.open`` that would leave the app go to the system browser (http/https only) or a new
native window (our own URLs); nothing else escapes.
"""
from __future__ import annotations

SHIM_JS = r"""
const call = (method, ...args) => new Promise((resolve, reject) => {
  const go = () => window.pywebview.api[method](...args).then(resolve, reject);
  if (window.pywebview && window.pywebview.api && window.pywebview.api[method]) go();
  else window.addEventListener('pywebviewready', go, { once: true });
});
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
/** Same origin: a native window; http(s) elsewhere: the system browser; anything else: nothing. */
const openUrl = (href) => {
  const url = new URL(href, location.href);
  if (url.origin === location.origin) return call('open_url', url.pathname + url.search);
  if (url.protocol === 'http:' || url.protocol === 'https:') return call('open_external', url.href);
  console.warn('[webio-desktop] blocked a link to', url.href);
};
if (window.webio) {
  window.webio.openApp = (name, newWindow) => {
    if (newWindow) call('open_app', String(name));
    else location.href = appHref(name);
  };
  window.webio.download = async (name, bytes) => call('save_file', String(name || 'download'), await toBase64(bytes));
}
// set_env(title=...) changes document.title: the native window follows.
let lastTitle = document.title;
new MutationObserver(() => {
  if (document.title !== lastTitle) call('set_title', (lastTitle = document.title));
}).observe(document.head, { subtree: true, childList: true, characterData: true });
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

SHIM_HEAD = f'<script type="module">{SHIM_JS}</script>'
