// Shared state of the page and the outgoing event channel; every other module imports from here.

/** Page settings from `set_env`, with the protocol's defaults. */
export const env = {
  output_animation: true,
  auto_scroll_bottom: false,
  input_panel_fixed: true,
  input_auto_focus: true,
};

/** The JSON in <script id="webio-config"> (debug, ws_url). Bad JSON must not break the page. */
export const config = (() => {
  try {
    return JSON.parse(document.getElementById('webio-config')?.textContent || '{}') || {};
  } catch (err) {
    console.error('[webio] bad #webio-config', err);
    return {};
  }
})();

// `token`: the secret set_session gives a page that may reconnect (kept in memory only, never in
// a URL); `frames`: frames applied; `revealOutput`: a form was submitted, the output that
// follows is scrolled into view (webio.js).
export const session = { socket: null, ended: false, token: null, frames: 0, revealOutput: false };
const outbox = []; // events sent before the socket opened

/** Send one event object to the server. Returns false when it was dropped (session over). */
export function send(event) {
  if (session.ended) return false;
  const text = JSON.stringify(event);
  if (config.debug) console.debug('[webio] →', event);
  const ws = session.socket;
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(text);
  else if (!ws || ws.readyState === WebSocket.CONNECTING || session.token) outbox.push(text); // reconnecting
  else return false;
  return true;
}

/** Called once the socket is open: deliver what was queued, in order. */
export function flushOutbox() {
  while (outbox.length && session.socket?.readyState === WebSocket.OPEN) session.socket.send(outbox.shift());
}

/** URL of app `name` on this server: same path, `?app=name`, other query parameters dropped. */
export function appUrl(name) {
  const url = new URL(location.pathname, location.href);
  url.searchParams.set('app', name);
  return url.href;
}

/** Apps are always opened through window.webio.openApp so a desktop shell can replace it. */
export const openApp = (name, newWindow) => window.webio.openApp(name, !!newWindow);

export const reducedMotion = () => matchMedia('(prefers-reduced-motion: reduce)').matches;
