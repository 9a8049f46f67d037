// Tiny DOM helpers shared by the other modules: createElement with attributes, and unique ids.

/**
 * el('div', {class: 'x', id: 'y'}, child, 'text', ...) -> HTMLElement.
 * Attribute values null/undefined/false are skipped, true becomes an empty (boolean) attribute.
 */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value == null || value === false) continue;
      if (key === 'class') node.className = value;
      else node.setAttribute(key, value === true ? '' : value);
    }
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

let counter = 0;
/** A page-unique id: labels, aria-* and tabs need ids that never collide with scope ids. */
export const uid = (prefix = 'id') => `webio-${prefix}-${++counter}`;

/** Numbers are pixels, strings are CSS lengths as given. */
export const cssLength = (v) => (typeof v === 'number' ? `${v}px` : v);

export const COLORS = ['primary', 'secondary', 'success', 'danger', 'warning', 'info', 'light', 'dark'];

/** A colour is either one of the theme's names (themeable via CSS variables) or a raw CSS colour. */
export const cssColor = (c) => (COLORS.includes(c) ? `var(--webio-${c})` : c);

/** Class list for a themed button; one look for output buttons, form buttons and actions. */
export function buttonClass(color = 'primary', { small, outline, link } = {}) {
  let cls = `webio-btn webio-btn-${COLORS.includes(color) ? color : 'primary'}`;
  if (small) cls += ' is-small';
  if (outline) cls += ' is-outline';
  if (link) cls += ' is-link';
  return cls;
}

/** A small "×" button that only acts locally (never disabled when the session ends). */
export function closeButton(label, onClick) {
  const b = el('button', { type: 'button', class: 'webio-close webio-local', 'aria-label': label }, '×');
  b.addEventListener('click', onClick);
  return b;
}
