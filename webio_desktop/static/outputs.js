// Output specs -> DOM. One renderer per spec `type` in RENDERERS; scopes and insertion positions.
import { el, uid, cssLength, cssColor, buttonClass, closeButton } from './dom.js';
import { send, appUrl, openApp } from './core.js';
import { renderPin } from './pin.js';
import { renderDatatable } from './datatable.js';

export const SCOPE_PREFIX = 'pywebio-scope-';

/** The element of scope `name`, or null (logged: the protocol says such a command does nothing). */
export function findScope(name) {
  const node = document.getElementById(SCOPE_PREFIX + name);
  if (!node) console.error(`[webio] no scope "${name}"`);
  return node;
}

export function newScope(name) {
  return el('div', { id: SCOPE_PREFIX + name, class: 'webio-scope' });
}

/**
 * Insert `node` into `parent` at a protocol position: 0 first, -1 last, n >= 0 before child n,
 * n < 0 after child n counted from the end. Out of range inserts nothing.
 */
export function insertAt(parent, node, position = -1) {
  const kids = parent.children;
  const index = position >= 0 ? position : kids.length + position + 1;
  if (index < 0 || index > kids.length) {
    console.error(`[webio] position ${position} out of range`, parent);
    return false;
  }
  parent.insertBefore(node, kids[index] ?? null);
  runPendingScripts();
  return true;
}

// ---- inline <script> execution for `html` outputs ----

// html outputs whose scripts must run once they are in the document (innerHTML scripts are inert).
const scriptHosts = [];

/** Run the scripts of every html output that has been inserted since the last call. */
export function runPendingScripts() {
  for (let i = 0; i < scriptHosts.length; ) {
    if (scriptHosts[i].isConnected) execScripts(scriptHosts.splice(i, 1)[0]);
    else i++;
  }
}

/** Forget html outputs that never reached the document (their scope was missing). */
export function dropPendingScripts() {
  scriptHosts.length = 0;
}

/** Recreate each <script> so it runs, in document order; an external one is awaited before the next. */
async function execScripts(host) {
  for (const old of [...host.querySelectorAll('script')]) {
    const script = document.createElement('script');
    for (const attr of old.attributes) script.setAttribute(attr.name, attr.value);
    script.textContent = old.textContent;
    // (A created script's .async is true by default, so ask the original's attributes.)
    const waitForIt = script.src && !old.hasAttribute('async') && !old.hasAttribute('defer');
    const loaded = waitForIt ? new Promise((done) => { script.onload = script.onerror = done; }) : null;
    if (script.src) script.async = false;
    old.replaceWith(script);
    if (loaded) await loaded; // e.g. plotly.js must load before the inline newPlot() call
  }
}

// ---- generic spec handling ----

/** Render one content item: a string is plain text, an object is a spec. Unknown types give null. */
export function render(item) {
  if (item == null) return null;
  if (typeof item !== 'object') return RENDERERS.text({ content: String(item) });
  const renderer = RENDERERS[item.type];
  if (!renderer) {
    console.error(`[webio] unknown output type "${item.type}"`, item);
    return null;
  }
  const node = renderer(item);
  if (item.style) node.style.cssText += `;${item.style}`;
  if (item.click != null) makeClickable(node, item.click);
  return node;
}

/** Render `contents` (one item or a list) into `holder`; with `slot` the holder becomes that scope. */
function fill(holder, contents, spec) {
  if (spec?.slot != null) {
    holder.id = SCOPE_PREFIX + spec.slot;
    holder.classList.add('webio-scope');
  }
  const list = Array.isArray(contents) ? contents : contents == null ? [] : [contents];
  for (const item of list) {
    const node = render(item);
    if (node) holder.append(node);
  }
  return holder;
}

const INTERACTIVE = 'a[href],button,input,select,textarea,summary,label,[role=tab]';

function makeClickable(node, id) {
  node.classList.add('webio-clickable');
  if (!node.matches(INTERACTIVE)) {
    node.tabIndex = 0; // keyboard users can reach and activate it like a button
    node.setAttribute('role', 'button');
  }
  const fire = (e) => {
    // A button or link *inside* the clickable element keeps its own meaning.
    const inner = e.target.closest(INTERACTIVE);
    if (inner && inner !== node && node.contains(inner)) return;
    send({ event: 'callback', id, data: null });
  };
  node.addEventListener('click', fire);
  node.addEventListener('keydown', (e) => {
    if ((e.key === 'Enter' || e.key === ' ') && e.target === node) {
      e.preventDefault();
      fire(e);
    }
  });
}

/** Numbers or digit strings become width/height attributes; other lengths become CSS. */
function setSize(node, prop, value) {
  if (value == null || value === '') return;
  if (/^\d+$/.test(String(value))) node.setAttribute(prop, value);
  else node.style[prop] = value;
}

// ---- renderers, keyed by spec type ----

// Above this many characters an html output's top-level blocks are grouped into chunks that are
// styled and laid out only near the viewport (CSS content-visibility on .webio-chunk). Measured
// on a 200 KiB markdown document (25,000 elements): the first frame took ~650 ms with every block
// its own container and ~40-100 ms with chunks of 100 blocks.
const LARGE_HTML = 50_000;
const CHUNK_BLOCKS = 100;

/** Move the top-level nodes of `node` into <div class="webio-chunk"> groups of CHUNK_BLOCKS. */
function chunked(node) {
  const blocks = [...node.childNodes];
  for (let i = 0; i < blocks.length; i += CHUNK_BLOCKS) {
    const chunk = el('div', { class: 'webio-chunk' });
    chunk.append(...blocks.slice(i, i + CHUNK_BLOCKS));
    node.append(chunk);
  }
}

export const RENDERERS = {
  pin: renderPin,
  datatable: renderDatatable,
  text(s) {
    const node = document.createElement(s.inline ? 'span' : 'p');
    node.className = 'webio-text';
    node.textContent = s.content ?? ''; // always text, never HTML
    return node;
  },

  html(s) {
    const node = el('div', { class: s.kind ? `webio-html webio-${s.kind}` : 'webio-html' });
    const html = s.content ?? '';
    node.innerHTML = html; // trusted: the server rendered (and sanitized) it
    if (html.length > LARGE_HTML) {
      node.classList.add('is-large');
      chunked(node);
    }
    if (/<script/i.test(html)) scriptHosts.push(node);
    return node;
  },

  // put_widget: the server rendered (and escaped) the template; outputs go in its placeholders.
  widget(s) {
    const node = el('div', { class: 'webio-widget' });
    const html = s.content ?? '';
    node.innerHTML = html;
    for (const slot of node.querySelectorAll('[data-webio-slot]')) {
      const child = render(s.slots?.[Number(slot.dataset.webioSlot)]);
      if (child) slot.replaceWith(child);
      else slot.remove();
    }
    if (/<script/i.test(html)) scriptHosts.push(node);
    return node;
  },

  link(s) {
    const a = el('a', { class: 'webio-link' }, s.text ?? s.href ?? s.app ?? '');
    if (s.app != null) {
      a.href = appUrl(s.app); // real href: copy link / status bar still work
      a.addEventListener('click', (e) => {
        e.preventDefault();
        openApp(s.app, s.new_window);
      });
    } else if (s.href != null) {
      a.href = s.href;
      if (s.new_window) Object.assign(a, { target: '_blank', rel: 'noopener' });
    }
    return a;
  },

  buttons(s) {
    const box = el('div', { class: s.group ? 'webio-btn-group' : 'webio-btns', role: s.group ? 'group' : null });
    (s.buttons ?? []).forEach((b, index) => {
      const opts = { small: s.small, outline: s.outline, link: s.link_style };
      const button = el('button', { type: 'button', class: `${buttonClass(b.color, opts)} webio-cb` }, b.label ?? '');
      button.disabled = !!b.disabled;
      button.addEventListener('click', () => send({ event: 'callback', id: s.callback, data: index }));
      box.append(button);
    });
    return box;
  },

  table(s) {
    const table = el('table', { class: 'webio-table' });
    const headerRows = s.header ? 1 : 0;
    const head = headerRows ? table.createTHead() : null;
    const body = table.createTBody();
    const spans = s.spans ?? {};
    (s.rows ?? []).forEach((row, r) => {
      const isHead = r < headerRows;
      const tr = (isHead ? head : body).insertRow();
      row.forEach((cell, c) => {
        const td = document.createElement(isHead ? 'th' : 'td');
        if (isHead) td.scope = 'col';
        const span = spans[`${r},${c}`];
        if (span) [td.rowSpan, td.colSpan] = [span[0] || 1, span[1] || 1];
        if (typeof cell === 'object' && cell !== null) fill(td, cell);
        else td.textContent = cell ?? ''; // strings are the common case: skip a wrapper element
        tr.append(td);
      });
    });
    // The wrapper scrolls sideways on narrow screens instead of breaking the layout.
    return el('div', { class: 'webio-table-wrap' }, table);
  },

  image(s) {
    const img = el('img', { class: 'webio-image', src: s.src, alt: s.alt ?? '', decoding: 'async' });
    setSize(img, 'width', s.width);
    setSize(img, 'height', s.height);
    return img;
  },

  alert(s) {
    const color = s.color ?? 'info';
    const urgent = color === 'danger' || color === 'warning';
    const box = el('div', { class: `webio-alert webio-alert-${color}`, role: urgent ? 'alert' : 'status' });
    box.append(fill(el('div', { class: 'webio-alert-body' }), s.contents, s));
    if (s.closable) box.append(closeButton('Dismiss', () => box.remove()));
    return box;
  },

  scope(s) {
    return fill(newScope(s.name), s.contents);
  },

  row(s) {
    const node = fill(el('div', { class: 'webio-row' }), s.contents, s);
    if (s.size) node.style.setProperty('--webio-size', s.size);
    rowFit?.observe(node);
    return node;
  },

  column(s) {
    const node = fill(el('div', { class: 'webio-column' }), s.contents, s);
    if (s.size) node.style.gridTemplateRows = s.size;
    return node;
  },

  grid(s) {
    const node = el('div', { class: 'webio-grid' });
    if (s.columns) node.style.gridTemplateColumns = s.columns;
    if (s.rows) node.style.gridTemplateRows = s.rows;
    if (s.direction) node.style.gridAutoFlow = s.direction;
    if (s.slot != null) fill(node, [], s);
    (s.contents ?? []).forEach((item, i) => {
      const child = render(item);
      if (!child) return;
      const span = s.spans?.[i];
      if (span) {
        child.style.gridRow = `span ${span[0] || 1}`;
        child.style.gridColumn = `span ${span[1] || 1}`;
      }
      node.append(child);
    });
    return node;
  },

  collapse(s) {
    const details = el('details', { class: 'webio-collapse', open: !!s.open });
    details.append(el('summary', null, s.title ?? ''));
    details.append(fill(el('div', { class: 'webio-collapse-body' }), s.contents, s));
    return details;
  },

  scrollable(s) {
    // tabindex: a scrolling region must be reachable by keyboard to be scrolled.
    const box = el('div', { class: s.border === false ? 'webio-scrollable' : 'webio-scrollable has-border', tabindex: '0' });
    if (s.min_height != null) box.style.minHeight = cssLength(s.min_height);
    box.style.maxHeight = cssLength(s.max_height ?? 400);
    fill(box, s.contents, s);
    if (s.keep_bottom) keepBottom(box);
    return box;
  },

  tabs(s) {
    const root = el('div', { class: 'webio-tabs' });
    const list = el('div', { class: 'webio-tablist', role: 'tablist' });
    const tabs = [];
    const panels = [];
    (s.tabs ?? []).forEach((t, i) => {
      const id = uid('tab');
      const tab = el('button', {
        type: 'button', role: 'tab', id, class: 'webio-tab webio-local',
        'aria-controls': `${id}-panel`, 'aria-selected': String(i === 0), tabindex: i === 0 ? '0' : '-1',
      }, String(t.title ?? ''));
      const panel = fill(el('div', { class: 'webio-tabpanel', role: 'tabpanel', id: `${id}-panel`, 'aria-labelledby': id, tabindex: '0' }), t.contents);
      panel.hidden = i !== 0;
      tabs.push(tab);
      panels.push(panel);
    });
    const select = (index) => {
      tabs.forEach((tab, i) => {
        tab.setAttribute('aria-selected', String(i === index));
        tab.tabIndex = i === index ? 0 : -1;
        panels[i].hidden = i !== index;
      });
      tabs[index].focus();
    };
    tabs.forEach((tab, i) => tab.addEventListener('click', () => select(i)));
    // WAI-ARIA tabs pattern: arrows move between tabs, Home/End jump.
    list.addEventListener('keydown', (e) => {
      const current = tabs.indexOf(document.activeElement);
      if (current < 0) return;
      const moves = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: tabs.length - 1 };
      if (!(e.key in moves)) return;
      e.preventDefault();
      select((moves[e.key] + tabs.length) % tabs.length);
    });
    list.append(...tabs);
    root.append(list, ...panels);
    return root;
  },

  loading(s) {
    const node = el('div', { class: `webio-loading is-${s.shape === 'grow' ? 'grow' : 'border'}`, role: 'status' });
    if (s.color) node.style.setProperty('--webio-spin', cssColor(s.color));
    node.append(el('span', { class: 'webio-sr-only' }, 'Loading…'));
    return node;
  },

  progressbar(s) {
    const id = `webio-progress-${s.name}`;
    const bar = el('progress', { id, max: '1', 'data-auto-close': s.auto_close ? '' : null });
    if (s.value != null) bar.value = s.value; // no value: an indeterminate bar
    const label = el('label', { for: id, class: 'webio-progress-label' }, s.label ?? '');
    return el('div', { class: 'webio-progress' }, label, bar);
  },
};

/**
 * A row whose columns cannot fit (wider than the row: long unbreakable content, `auto` sizes on a
 * phone) stacks them (.is-stacked) rather than making the page scroll sideways; when it fits again,
 * it goes back to columns. Runs only when a row's size changes.
 */
const rowFit = 'ResizeObserver' in window ? new ResizeObserver((entries) => {
  for (const { target } of entries) {
    if (!target.isConnected) {
      rowFit.unobserve(target); // removed (its size went to 0): forget it
      continue;
    }
    target.classList.remove('is-stacked');
    if (target.scrollWidth > target.clientWidth + 1) target.classList.add('is-stacked');
  }
}) : null;

/** Follow new content at the bottom of a scrollable box until the user scrolls up. */
function keepBottom(box) {
  let stick = true;
  box.addEventListener('scroll', () => {
    stick = box.scrollTop + box.clientHeight >= box.scrollHeight - 8;
  }, { passive: true });
  // MutationObserver batches all changes of one frame: one layout read per frame, not per output.
  new MutationObserver(() => {
    if (stick) box.scrollTop = box.scrollHeight;
  }).observe(box, { childList: true, subtree: true, characterData: true });
}

/**
 * Update progress bar `name` (the set_progressbar command; also window.webio.setProgress).
 * With auto_close the bar's output is removed once it reaches 1.
 */
export function setProgress(name, value, label) {
  const bar = document.getElementById(`webio-progress-${name}`);
  if (!bar) return;
  if (value == null) bar.removeAttribute('value');
  else bar.value = value;
  if (label != null) bar.labels[0].textContent = label;
  if (bar.hasAttribute('data-auto-close') && value >= 1) bar.closest('.webio-progress').remove();
}
