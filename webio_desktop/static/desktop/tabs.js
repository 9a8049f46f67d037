// The desktop tab shell: each app session is a same-origin <iframe>; the strip switches them.
// App pages find this module's API as `window.top.webioTabs` (see desktop/shim.py): go_app and
// new-window links open tabs here, titles and close guards are reported here. The native bridge
// (pywebview's js_api) belongs to this page.

const strip = document.querySelector('.tabs-strip');
const panes = document.querySelector('.tabs-panes');
const tabs = []; // {frame, tab, label, title, guard}
let active = null;

const call = (method, ...args) => new Promise((resolve, reject) => {
  const go = () => window.pywebview.api[method](...args).then(resolve, reject);
  if (window.pywebview?.api?.[method]) go();
  else addEventListener('pywebviewready', go, { once: true });
});

const byWindow = (win) => tabs.find((t) => t.frame.contentWindow === win);

/** Open `path` (same origin, e.g. "/?app=counter") in a new tab and select it. */
function open(path) {
  const url = new URL(path, location.href);
  if (url.origin !== location.origin) throw new Error(`tabs only show this server's pages: ${path}`);
  const frame = Object.assign(document.createElement('iframe'), { src: url.pathname + url.search });
  const label = Object.assign(document.createElement('button'), {
    className: 'tabs-label', role: 'tab', textContent: url.searchParams.get('app') || 'index',
  });
  const close = Object.assign(document.createElement('button'), {
    className: 'tabs-close', textContent: '×', title: 'Close tab',
  });
  const tab = Object.assign(document.createElement('div'), { className: 'tabs-tab' });
  tab.append(label, close);
  const entry = { frame, tab, label, title: label.textContent, guard: null };
  label.addEventListener('click', () => select(entry));
  close.setAttribute('aria-label', 'Close tab');
  close.addEventListener('click', () => closeTab(entry));
  tabs.push(entry);
  strip.append(tab);
  panes.append(frame);
  select(entry);
  return entry;
}

function select(entry) {
  active = entry;
  for (const t of tabs) {
    const on = t === entry;
    t.frame.hidden = !on;
    t.label.setAttribute('aria-selected', String(on));
    t.tab.classList.toggle('tabs-active', on);
  }
  entry.frame.focus();
  showTitle();
}

/** Close one tab (its session ends with its frame); a guarded tab asks first. */
async function closeTab(entry) {
  if (entry.guard && !(await call('confirm', entry.guard))) return false;
  const index = tabs.indexOf(entry);
  if (index < 0) return false;
  tabs.splice(index, 1);
  entry.tab.remove();
  entry.frame.remove();
  reportGuard();
  if (tabs.length) select(tabs[Math.min(index, tabs.length - 1)]);
  else call('close_window');
  return true;
}

function showTitle() {
  document.title = active ? active.title : 'webio-desktop';
  call('set_title', document.title);
}

/** The window asks before closing while any tab has a guard: tell Python the first one. */
function reportGuard() {
  call('set_close_guard', tabs.find((t) => t.guard)?.guard ?? null);
}

window.webioTabs = {
  open: (path) => { open(path); },
  title(win, title) {
    const entry = byWindow(win);
    if (!entry) return;
    entry.title = title || entry.title;
    entry.label.textContent = entry.title;
    entry.label.title = entry.title;
    if (entry === active) showTitle();
  },
  guard(win, message) {
    const entry = byWindow(win);
    if (!entry) return;
    entry.guard = message || null;
    reportGuard();
  },
  /** For tests and the launcher: the open tabs, in order. */
  list: () => tabs.map((t) => ({ title: t.title, src: t.frame.getAttribute('src'), active: t === active })),
  select: (index) => { if (tabs[index]) select(tabs[index]); },
  close: (index) => (tabs[index] ? closeTab(tabs[index]) : Promise.resolve(false)),
};

// Ctrl+W closes the current tab, Ctrl+Tab / Ctrl+Shift+Tab switch (while the strip has focus).
addEventListener('keydown', (e) => {
  if (!e.ctrlKey || !active) return;
  if (e.key === 'w') { e.preventDefault(); closeTab(active); }
  if (e.key === 'Tab') {
    e.preventDefault();
    const step = e.shiftKey ? -1 : 1;
    select(tabs[(tabs.indexOf(active) + step + tabs.length) % tabs.length]);
  }
});

const first = new URLSearchParams(location.search).get('app') || 'index';
open(`/?app=${encodeURIComponent(first)}`);
