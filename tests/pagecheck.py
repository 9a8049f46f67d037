"""Geometry and contrast read from a live page (Playwright), shared by the page-fidelity tests and
the visual check: what a reviewer sees in a screenshot, as numbers a test can assert."""
from __future__ import annotations

# window.__check: helpers installed once per page by install(page).
_HELPERS = r"""
(() => {
  if (window.__check) return;
  const channel = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  let canvas = null;
  /** Any CSS colour as sRGB bytes: computed styles are rgb()/rgba(), but a colour mid-transition or
   *  from color-mix() can be oklab()/color(srgb ...), which a 1x1 canvas resolves. */
  const parse = (c) => {
    const m = c.match(/^rgba?\(([^)]+)\)$/);
    if (m) {
      const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
    }
    if (!c || c === 'transparent') return { r: 0, g: 0, b: 0, a: 0 };
    canvas ??= Object.assign(document.createElement('canvas'), { width: 1, height: 1 });
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = c;
    ctx.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
    return { r, g, b, a: a / 255 };
  };
  const lum = (c) => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const over = (top, under) => ({  // alpha compositing of `top` over an opaque `under`
    r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a),
    b: top.b * top.a + under.b * (1 - top.a), a: 1,
  });
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  /** The opaque colour behind `el`: its own and its ancestors' backgrounds, composited. */
  function background(el) {
    const layers = [];
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
      if (n.tagName === 'DIALOG' && n.open) break; // the top layer: nothing of the page shows through
    }
    let result = layers.length && layers.at(-1).a >= 1 ? layers.pop() : { r: 255, g: 255, b: 255, a: 1 };
    while (layers.length) result = over(layers.pop(), result);
    return result;
  }
  /** Opacity applied to `el`'s text: its own (or its pseudo-element's) and its ancestors'. */
  function opacity(el, pseudo) {
    let value = pseudo ? Number(getComputedStyle(el, pseudo).opacity) : 1;
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) value *= Number(getComputedStyle(n).opacity);
    return value;
  }
  function textContrast(el, pseudo) {
    const cs = getComputedStyle(el, pseudo);
    const bg = background(el);
    const color = parse(cs.color);
    color.a *= opacity(el, pseudo);
    return ratio(over(color, bg), bg);
  }
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) return false;
    return el.checkVisibility({ opacityProperty: true, visibilityProperty: true });
  };
  const inactive = (el) => !!el.closest(':disabled, [aria-busy="true"], .webio-sr-only, [inert]');
  /** Every visible element that holds text of its own, with its contrast against what is behind it. */
  function lowContrast(min) {
    const bad = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      const el = t.parentElement;
      if (!t.textContent.trim() || seen.has(el) || ['SCRIPT', 'STYLE', 'OPTION'].includes(el.tagName)) continue;
      seen.add(el);
      if (!visible(el) || inactive(el)) continue;
      const value = textContrast(el);
      if (value < min) bad.push({ text: t.textContent.trim().slice(0, 40), tag: el.tagName, cls: el.className, contrast: +value.toFixed(2) });
    }
    for (const input of document.querySelectorAll('input[placeholder]:not([value]), textarea[placeholder]')) {
      if (!visible(input) || inactive(input) || input.value || !input.placeholder) continue;
      const value = textContrast(input, '::placeholder');
      if (value < min) bad.push({ text: input.placeholder, tag: 'placeholder', contrast: +value.toFixed(2) });
    }
    return bad;
  }
  const box = (el) => { const r = el.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height, right: r.right, bottom: r.bottom }; };
  window.__check = { parse, lum, ratio, background, textContrast, lowContrast, box, visible };
})()
"""


def install(page) -> None:
    page.evaluate(_HELPERS)


def settle(page) -> None:
    """Wait for running (finite) animations, so boxes are where they stay."""
    page.evaluate("""() => Promise.all(document.getAnimations()
        .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
        .map(a => a.finished.catch(() => null)))""")


def rect(locator) -> dict:
    """The element's box in viewport coordinates (x, y, w, h, right, bottom)."""
    install(locator.page)
    settle(locator.page)
    return locator.evaluate("el => window.__check.box(el)")


def overlap(a: dict, b: dict) -> bool:
    return a["x"] < b["right"] - 0.5 and b["x"] < a["right"] - 0.5 and \
        a["y"] < b["bottom"] - 0.5 and b["y"] < a["bottom"] - 0.5


def in_viewport(page, r: dict) -> bool:
    size = page.viewport_size
    return r["x"] >= -0.5 and r["y"] >= -0.5 and r["right"] <= size["width"] + 0.5 \
        and r["bottom"] <= size["height"] + 0.5


def on_top(locator) -> bool:
    """Is the element what the user hits at its centre (not covered by anything)?"""
    return locator.evaluate("""el => { const r = el.getBoundingClientRect();
        const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
        return !!hit && (el === hit || el.contains(hit)); }""")


def text_contrast(locator, pseudo: str | None = None) -> float:
    """Contrast of the element's text against what is behind it, once fades and transitions end."""
    install(locator.page)
    settle(locator.page)
    return locator.evaluate("(el, p) => window.__check.textContrast(el, p)", pseudo)


def background_contrast(a, b) -> float:
    """Contrast between the opaque backgrounds behind two elements, once transitions end."""
    install(a.page)
    settle(a.page)
    handle = b.element_handle()
    return a.evaluate("(x, y) => window.__check.ratio(window.__check.background(x), window.__check.background(y))",
                      handle)


def low_contrast_texts(page, minimum: float = 4.5) -> list[dict]:
    install(page)
    settle(page)
    return page.evaluate("m => window.__check.lowContrast(m)", minimum)
