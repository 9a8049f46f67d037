// webio-desktop page runtime: opens the session WebSocket and applies the server's command frames.
// Protocol: docs/protocol.md. Each frame is a JSON array of commands, applied synchronously in order.
import { el, closeButton } from './dom.js';
import { env, config, session, send, flushOutbox, appUrl, openApp, reducedMotion } from './core.js';
import { render, findScope, newScope, insertAt, runPendingScripts, dropPendingScripts, setProgress, SCOPE_PREFIX } from './outputs.js';
import { showForm, removeForm, updateForm, disableForms } from './forms.js';
import { pinValues, pinUpdate } from './pin.js';
import { showPopup, closePopup } from './popup.js';
import { showToast } from './toast.js';
import { datatableCommand } from './datatable.js';
import { HttpSocket } from './http.js';
import { dropAt } from './drop.js';

const root = document.documentElement;

// ---- frame processing ----

// Consecutive appends to the same scope are collected in one DocumentFragment (one DOM insertion).
let batch = null; // {scope, parent, fragment}
let frame = { outputs: 0, rootOutput: false, last: null, formShown: false };

function flushBatch() {
  if (!batch) return;
  batch.parent.append(batch.fragment);
  batch = null;
  runPendingScripts();
}

// A flood of outputs is shown at once: animating thousands of nodes would only cost time.
const MAX_ANIMATED_OUTPUTS = 100;

function onFrame(text) {
  let commands;
  try {
    commands = typeof text === 'string' ? JSON.parse(text) : text; // HTTP batches come parsed
  } catch (err) {
    console.error('[webio] frame is not JSON', err, text);
    return;
  }
  if (!Array.isArray(commands)) commands = [commands];
  if (config.debug) console.debug('[webio] ←', commands);
  frame = { outputs: commands.reduce((n, c) => n + (c?.cmd === 'output'), 0), rootOutput: false, last: null, formShown: false };
  for (const command of commands) {
    try {
      runCommand(command);
    } catch (err) {
      console.error('[webio] command failed', command, err); // keep going with the rest of the frame
    }
  }
  flushBatch();
  dropPendingScripts();
  // One layout read per frame at most.
  if (frame.rootOutput && env.auto_scroll_bottom) scrollToBottom();
  else if (session.revealOutput && frame.last) revealAfterSubmit(frame.last);
  if (frame.formShown) session.revealOutput = false; // the answer to the submit is complete
}

/**
 * Output that answers a submitted form must not stay hidden behind the docked input panel (PyWebIO
 * scrolls it into view too): after layout, scroll just enough to show the newest output above it.
 */
function revealAfterSubmit(node) {
  requestAnimationFrame(() => {
    if (!node.isConnected || node.closest('dialog')) return; // (a popup is above the panel anyway)
    const panel = document.getElementById('webio-input');
    const docked = panel && !panel.hidden && root.classList.contains('webio-panel-fixed');
    // The ResizeObserver may not have run yet for a new form: give the page its room now.
    if (docked) root.style.setProperty('--webio-input-height', `${Math.ceil(panel.offsetHeight)}px`);
    const box = node.getBoundingClientRect();
    if (!box.height) return; // in a closed collapse or tab
    const limit = docked ? panel.getBoundingClientRect().top : innerHeight;
    const gap = 16;
    // Just enough to show its bottom, but never past its top (a tall output shows from its start).
    const by = Math.min(box.bottom + gap - limit, Math.max(box.top - gap, 0));
    if (by > 0) scrollBy({ top: by, behavior: 'instant' });
  });
}

function runCommand(command) {
  const handler = COMMANDS[command?.cmd];
  if (!handler) {
    console.error(`[webio] unknown command "${command?.cmd}"`, command);
    return;
  }
  if (command.cmd !== 'output') flushBatch(); // everything else sees an up-to-date DOM
  handler(command);
}

function scrollToBottom() {
  const scroller = document.scrollingElement;
  scroller.scrollTop = scroller.scrollHeight;
}

// ---- commands, keyed by `cmd` ----

const COMMANDS = {
  // async: a file widget's value is read from disk first
  pin_values: async ({ names, task }) => send({ event: 'pin_values', task, data: await pinValues(names) }),
  pin_update: ({ name, attrs }) => pinUpdate(name, attrs ?? {}),
  output({ spec, scope, position }) {
    scope ??= 'ROOT'; // null and missing both mean the defaults
    position ??= -1;
    const append = position === -1;
    if (!append || batch?.scope !== scope) flushBatch();
    const node = render(spec);
    if (!node) return;
    if (env.output_animation !== false && frame.outputs <= MAX_ANIMATED_OUTPUTS) node.classList.add('webio-enter');
    if (scope === 'ROOT') frame.rootOutput = true;
    frame.last = node;
    if (append) {
      if (!batch) {
        const parent = findScope(scope);
        if (!parent) return;
        batch = { scope, parent, fragment: document.createDocumentFragment() };
      }
      batch.fragment.append(node);
    } else {
      const parent = findScope(scope);
      if (parent) insertAt(parent, node, position);
    }
  },

  set_scope({ name, container, position, if_exist: ifExist }) {
    const old = document.getElementById(SCOPE_PREFIX + name);
    if (old) {
      if (ifExist === 'clear') old.replaceChildren();
      if (ifExist !== 'remove') return;
      old.remove();
    }
    const parent = findScope(container ?? 'ROOT');
    if (parent) insertAt(parent, newScope(name), position ?? -1);
  },

  clear({ scope, keep_height: keepHeight }) {
    const node = findScope(scope);
    if (!node) return;
    if (keepHeight) node.style.minHeight = `${node.offsetHeight}px`; // avoids a jump while it refills
    node.replaceChildren();
  },

  loose({ scope }) {
    const node = findScope(scope);
    if (node) node.style.minHeight = '';
  },

  remove({ scope }) {
    if (scope === 'ROOT') {
      console.error('[webio] refusing to remove ROOT (use clear)');
      return;
    }
    findScope(scope)?.remove();
  },

  scroll_to({ scope, position = 'top' }) {
    const block = { top: 'start', middle: 'center', bottom: 'end' }[position] ?? 'start';
    findScope(scope)?.scrollIntoView({ block, behavior: reducedMotion() ? 'auto' : 'smooth' });
  },

  form: ({ task, spec }) => { frame.formShown = true; showForm(task, spec); },
  form_update: ({ task, name, attrs }) => updateForm(task, name, attrs ?? {}),
  form_remove: ({ task }) => removeForm(task),
  run_js: runJs,
  set_env: ({ env: settings }) => setEnv(settings ?? {}),
  go_app: ({ name, new_window: newWindow }) => openApp(name, newWindow),
  download: ({ name, data }) => window.webio.download(name, base64ToBytes(data ?? '')),
  toast: showToast,
  popup: showPopup,
  close_popup: closePopup,
  datatable: datatableCommand,
  set_progressbar: ({ name, value, label }) => setProgress(name, value, label),
  close: () => endSession('The session has ended.'),
  set_session: ({ token, timeout }) => { session.token = token; session.timeout = timeout; }, // may reconnect
  error: ({ message }) => console.error('[webio] the server refused a message:', message),
};

// ---- run_js ----

/** Compile `code` as an expression when it is one, else as a function body (SyntaxError fallback). */
function compile(keys, code) {
  const expression = code.trim().replace(/;+$/, ''); // "f(x);" is still an expression
  try {
    return new Function(...keys, `return (${expression}\n)`); // \n: a trailing // comment stays harmless
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    return new Function(...keys, code);
  }
}

/** Only JSON survives the trip; anything else (functions, DOM nodes, cycles) becomes null. */
function toJson(value) {
  try {
    return value === undefined ? null : JSON.parse(JSON.stringify(value)) ?? null;
  } catch {
    return null;
  }
}

async function runJs({ code = '', args, task = null }) {
  const keys = Object.keys(args ?? {});
  const values = keys.map((k) => args[k]);
  if (task == null) {
    // Runs synchronously, in frame order; a returned promise is only watched for errors.
    try {
      Promise.resolve(new Function(...keys, code)(...values)).catch((err) => console.error('[webio] run_js', err));
    } catch (err) {
      console.error('[webio] run_js', err, code);
    }
    return;
  }
  let data = null;
  try {
    data = toJson(await compile(keys, code)(...values));
  } catch (err) {
    console.error('[webio] run_js', err, code);
  }
  send({ event: 'js_result', task, data });
}

// ---- set_env ----

function setEnv(settings) {
  Object.assign(env, settings);
  if ('title' in settings) document.title = settings.title ?? '';
  if ('output_max_width' in settings) setVar('--webio-max-width', settings.output_max_width);
  if ('input_panel_min_height' in settings) setVar('--webio-input-min-height', px(settings.input_panel_min_height));
  if ('input_panel_init_height' in settings) setVar('--webio-input-max-height', px(settings.input_panel_init_height));
  root.classList.toggle('webio-panel-fixed', env.input_panel_fixed !== false);
}

const px = (v) => (v == null ? null : `${v}px`);
const setVar = (name, value) => (value == null ? root.style.removeProperty(name) : root.style.setProperty(name, value));

// ---- download / apps ----

function base64ToBytes(b64) {
  const binary = atob(b64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Save bytes (Uint8Array, ArrayBuffer, Blob or string) as a file via a temporary <a download>. */
function download(name, bytes) {
  const blob = bytes instanceof Blob ? bytes : new Blob([bytes], { type: 'application/octet-stream' });
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: name || 'download', hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000); // the download has long started by then
}

function defaultOpenApp(name, newWindow = false) {
  const url = appUrl(name);
  if (newWindow) window.open(url, '_blank');
  else location.href = url;
}

// ---- notices (session ended, reconnecting) ----

let noticeSize = null; // ResizeObserver of the notice bar shown, if any

/**
 * Show `message` in the bar at the bottom of the window (one at a time). The page makes room for it
 * (--webio-notice-height), so it covers neither content, nor the input panel, nor the toasts.
 */
function showNotice(message, dismissable) {
  for (const old of document.querySelectorAll('.webio-notice')) hideNotice(old);
  const notice = el('div', { class: 'webio-notice', role: 'status' }, message);
  if (dismissable) notice.append(closeButton('Dismiss', () => hideNotice(notice)));
  document.body.append(notice);
  const measure = () => root.style.setProperty('--webio-notice-height', `${Math.ceil(notice.getBoundingClientRect().height)}px`);
  // The observer's first call comes after the frame's layout and before its paint, so the first
  // frame with the bar already makes room for it; measuring here instead would force a layout in
  // the middle of a frame (13-16 ms in WebKitGTK, when an app that ends at once shows its output).
  if ('ResizeObserver' in window) {
    noticeSize = new ResizeObserver(measure);
    noticeSize.observe(notice);
  } else {
    measure();
  }
  return notice;
}

function hideNotice(notice) {
  noticeSize?.disconnect();
  noticeSize = null;
  notice.remove();
  root.style.removeProperty('--webio-notice-height');
}

// ---- session end ----

/** Disable every form and callback button and say why. Shown once (close, then socket close). */
function endSession(message) {
  if (session.ended) return;
  session.ended = true;
  disableForms();
  for (const control of document.querySelectorAll('button:not(.webio-local), input, select, textarea')) control.disabled = true;
  root.classList.add('webio-ended');
  showNotice(message, true);
}

// ---- connection ----

function socketUrl() {
  const url = new URL(config.ws_url || location.pathname + location.search, location.href);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  if (url.protocol === 'https:') url.protocol = 'wss:';
  return url.href;
}

let leaving = false; // navigating away closes the socket too: that is not a disconnect

// Reconnecting (the server sent set_session): retry until the server's timeout has passed.
let reconnect = null; // {deadline, notice, tries} while the socket is down
let ackTimer = 0;

/** Tell the server how many frames were applied, at most once a second (it drops its copies). */
function scheduleAck() {
  if (!session.token || ackTimer) return;
  ackTimer = setTimeout(() => {
    ackTimer = 0;
    if (session.socket?.readyState === WebSocket.OPEN) session.socket.send(JSON.stringify({ event: 'ack', frames: session.frames }));
  }, 1000);
}

/** Apply one frame of commands (a socket message, or the page's embedded first frame). */
function received(data) {
  session.frames++;
  onFrame(data);
  scheduleAck();
}

function connect() {
  const url = new URL(socketUrl());
  // A prerendered page's socket joins the session its request started (server/prerender.py)
  // with the page's one-time secret. Secrets go in the first message, not the URL (servers and
  // proxies log URLs).
  const attach = reconnect ? null : config.attach;
  if (reconnect || attach) url.searchParams.set('resume', '1');
  // Any other page's first socket was opened by its head script (server/page.py, EARLY_SOCKET)
  // while this module was still loading: take it over with the frames it has already received.
  const early = reconnect ? null : window.webioEarlySocket;
  window.webioEarlySocket = null;
  const ws = config.transport === 'http' ? new HttpSocket(location.pathname + location.search)
    : early?.ws ?? new WebSocket(url.href);
  session.socket = ws;
  const opened = () => {
    if (reconnect) {
      ws.send(JSON.stringify({ event: 'resume', token: session.token, frames: session.frames }));
      hideNotice(reconnect.notice);
    } else if (attach) {
      ws.send(JSON.stringify({ event: 'resume', token: attach, frames: 1 })); // the embedded one
    }
    reconnect = null;
    flushOutbox();
  };
  const closed = () => {
    if (leaving || session.ended) return;
    if (!session.token) return endSession('Disconnected from the server. The session has ended.');
    if (!reconnect) {
      const notice = showNotice('Connection to the server lost. Reconnecting…', false);
      reconnect = { deadline: Date.now() + session.timeout * 1000, notice, tries: 0 };
    }
    if (Date.now() > reconnect.deadline) {
      hideNotice(reconnect.notice);
      return endSession('Could not reconnect to the server. The session has ended.');
    }
    setTimeout(connect, Math.min(250 * 2 ** reconnect.tries++, 3000));
  };
  ws.addEventListener('open', opened);
  ws.addEventListener('message', (e) => received(e.data));
  ws.addEventListener('close', closed);
  if (early) {
    // All in this task: no message event can run between the replay and the new listener.
    ws.removeEventListener('message', early.keep);
    for (const data of early.frames) received(data);
    if (ws.readyState === WebSocket.OPEN) opened();
    else if (ws.readyState === WebSocket.CLOSED) closed();
  }
}

/**
 * Call `fn` once the page has painted a frame: or after `ms` at the latest, as a page that is not
 * shown (a window started hidden or minimized) paints none.
 */
function afterFirstPaint(fn, ms = 100) {
  let called = false;
  const once = () => {
    if (!called) {
      called = true;
      fn();
    }
  };
  requestAnimationFrame(() => setTimeout(once));
  setTimeout(once, ms);
}

// ---- start ----

window.webio = {
  openApp: defaultOpenApp, // a desktop shell may replace this; links and go_app look it up each time
  download,
  send,
  dropAt, // a native window's file drop (desktop/engines/qt_drop.py, gtk_drop.py)
  setProgress,
  env,
  config,
  // set_close_guard(): a message while leaving would lose work (null: leave freely). A desktop
  // shell wraps this to ask before its window or tab closes.
  closeGuard: null,
  setCloseGuard(message) { window.webio.closeGuard = message || null; },
};

// A guarded page asks before it is left (browsers show their own generic wording).
addEventListener('beforeunload', (e) => {
  if (window.webio.closeGuard && !session.ended) e.preventDefault();
});

addEventListener('pagehide', () => { leaving = true; });
addEventListener('pageshow', () => { leaving = false; });

// The docked input panel's height becomes the output area's bottom padding (no measuring loops).
const panel = document.getElementById('webio-input');
if (panel && 'ResizeObserver' in window) {
  new ResizeObserver(([entry]) => {
    root.style.setProperty('--webio-input-height', `${Math.ceil(entry.borderBoxSize?.[0]?.blockSize ?? entry.target.offsetHeight)}px`);
  }).observe(panel);
}
root.classList.add('webio-panel-fixed');
// A prerendered page (server/prerender.py) carries its session's first frame: it is applied now,
// counted like a socket frame, and the socket opens after the first paint. Opening one costs
// WebKitGTK 2-14 ms, which would otherwise come before the page's first paint.
const firstFrame = document.getElementById('webio-first-frame');
if (firstFrame) {
  firstFrame.remove();
  received(firstFrame.textContent);
}
if (config.attach) afterFirstPaint(connect);
else connect();
