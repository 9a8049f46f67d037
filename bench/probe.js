// In-page timing probe. Injected before any page script (add_init_script).
// Knows nothing about either front end's DOM: it looks for marker TEXT in
// inserted nodes, and finds input boxes by generic selectors only.
// All times are performance.now() = ms since navigation start.
(() => {
  if (window.__bench) return;
  const now = () => performance.now();
  const B = window.__bench = {
    marks: {},            // text -> {dom, visible, painted, opaque, relocated}
    watching: new Set(['BENCH-READY', 'BENCH-DONE']),
    lastEnter: null,      // time of the last Enter keydown
    enters: 0,
    ws: {created: null, open: null, first: null, last: null, count: 0, chars: 0},
    next: null,           // next-input tracking, see arm()
  };
  const elems = new Map(); // text -> element holding it (not serialisable)

  // ---- helpers -----------------------------------------------------------
  function visible(el) {
    if (!el || !el.isConnected) return false;
    if (el.checkVisibility && !el.checkVisibility()) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 || r.height > 0;
  }
  function opaque(el) {
    let o = 1;
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      o *= parseFloat(getComputedStyle(e).opacity);
      if (o < 0.99) return false;
    }
    return true;
  }
  // after the current frame's style/layout/paint: rAF -> MessageChannel task
  function afterPaint(cb) {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => { ch.port1.close(); cb(now()); };
    ch.port2.postMessage(0);
  }
  function locate(root, text) {
    if (root.nodeType === 3) return root.data.includes(text) ? root.parentElement : null;
    const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = w.nextNode(); n; n = w.nextNode()) {
      if (n.data.includes(text)) return n.parentElement;
    }
    return root.nodeType === 1 ? root : root.parentElement; // text split over nodes
  }

  // ---- marker detection --------------------------------------------------
  function track(text, el) {
    const m = B.marks[text];
    elems.set(text, el);
    const tick = () => {
      let e = elems.get(text);
      if (!e || !e.isConnected) {   // re-rendered: find it again
        e = document.body && document.body.textContent.includes(text) ? locate(document.body, text) : null;
        if (e) { elems.set(text, e); m.relocated = (m.relocated || 0) + 1; }
      }
      const t = now();
      if (m.visible == null && visible(e)) {
        m.visible = t;
        afterPaint(tp => { m.painted = tp; });
      }
      if (m.visible != null && m.opaque == null && e && opaque(e)) m.opaque = t;
      if (m.opaque == null && t - m.dom < 15000) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }
  function check(node) {
    const tc = node.nodeType === 3 ? node.data : (node.nodeType === 1 ? node.textContent : '');
    if (!tc) return;
    for (const text of B.watching) {
      if (tc.includes(text)) {
        B.watching.delete(text);
        B.marks[text] = {dom: now()};
        track(text, locate(node, text));
      }
    }
  }
  const mo = new MutationObserver(records => {
    if (!B.watching.size) return;
    for (const r of records) {
      if (r.type === 'characterData') check(r.target);
      else for (const n of r.addedNodes) { check(n); if (!B.watching.size) return; }
    }
  });
  mo.observe(document, {childList: true, subtree: true, characterData: true});
  B.watch = text => { B.watching.add(text); };

  // ---- keyboard ----------------------------------------------------------
  window.addEventListener('keydown', e => {
    if (e.key !== 'Enter') return;
    B.lastEnter = now();
    B.enters++;
    if (B.next && B.next.armed && B.next.enter == null) { B.next.enter = B.lastEnter; requestAnimationFrame(nextTick); }
  }, true);

  // ---- input boxes (generic) ---------------------------------------------
  function usable(el) {
    return visible(el) && !el.matches(':disabled') && !el.readOnly && !el.closest('[inert]');
  }
  B.candidate = () => {
    for (const el of document.querySelectorAll('form input[type=text], form input:not([type])')) {
      if (usable(el)) return el;
    }
    return null;
  };
  // arm(text): watch the echo text and remember the current box as "old";
  // after the next Enter, poll every frame until a usable box that is not
  // the old one is shown and the old one is gone/hidden (or, as a fallback,
  // the old box was disabled and is usable again).
  let oldBox = null;
  B.arm = text => {
    if (text) B.watch(text);
    oldBox = B.candidate();
    B.next = {armed: true, enter: null, ready: null, painted: null, opaque: null, stable: null, reused: false,
              oldDisabledSeen: false, hadOld: !!oldBox};
  };
  let newBox = null;
  function nextTick() {
    const s = B.next;
    if (!s) return;
    const t = now();
    if (s.ready == null) {
      if (oldBox && oldBox.isConnected && oldBox.matches(':disabled')) s.oldDisabledSeen = true;
      const oldGone = !oldBox || !visible(oldBox);
      const c = B.candidate();
      if (c && c !== oldBox && oldGone) { newBox = c; s.ready = t; }
      else if (c && c === oldBox && s.oldDisabledSeen && c.value === '') { newBox = c; s.ready = t; s.reused = true; }
      if (s.ready != null) afterPaint(tp => { s.painted = tp; });
    }
    if (s.ready != null && s.opaque == null && newBox && opaque(newBox)) s.opaque = t;
    if (s.ready != null && s.stable == null && newBox) {  // same box rect in two consecutive frames
      const r = newBox.getBoundingClientRect(), k = [r.x, r.y, r.width, r.height].join();
      if (k === s._rect) s.stable = t; else s._rect = k;
    }
    if ((s.ready == null || s.opaque == null || s.stable == null) && t - s.enter < 15000) requestAnimationFrame(nextTick);
  }

  // ---- WebSocket ---------------------------------------------------------
  const WS = window.WebSocket;
  if (WS) {
    window.WebSocket = new Proxy(WS, {
      construct(target, args, nt) {
        const ws = Reflect.construct(target, args, nt);
        if (B.ws.created == null) B.ws.created = now();
        ws.addEventListener('open', () => { if (B.ws.open == null) B.ws.open = now(); });
        ws.addEventListener('message', e => {
          const t = now();
          if (B.ws.first == null) B.ws.first = t;
          B.ws.last = t; B.ws.count++;
          B.ws.chars += typeof e.data === 'string' ? e.data.length : (e.data.byteLength || e.data.size || 0);
        });
        return ws;
      },
    });
  }

  B.snapshot = () => {
    const nav = performance.getEntriesByType('navigation')[0];
    return {
      marks: B.marks, ws: B.ws, next: B.next, lastEnter: B.lastEnter,
      html: nav ? nav.responseEnd : null, dcl: nav ? nav.domContentLoadedEventEnd : null,
      nodes: document.getElementsByTagName('*').length, timeOrigin: performance.timeOrigin,
    };
  };
})();
