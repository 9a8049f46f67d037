// Toasts: short messages at the top of the window, above everything including an open popup.
import { el, closeButton, cssColor } from './dom.js';
import { send } from './core.js';

// A modal <dialog> makes the rest of the page inert and sits in the top layer, so while a popup is
// open the toast regions live inside it (still position: fixed to the window): visible and clickable.
let host = null; // the element that holds the regions; null: document.body

/** Move the toast regions into `element` (an open popup) or, with null, back to the page. */
export function hostToasts(element) {
  host = element;
  for (const region of document.querySelectorAll('.webio-toasts')) (host ?? document.body).append(region);
}

function toastRegion(position) {
  const side = ['left', 'center', 'right'].includes(position) ? position : 'center';
  let region = document.getElementById(`webio-toasts-${side}`);
  if (!region) {
    region = el('div', { id: `webio-toasts-${side}`, class: `webio-toasts is-${side}`, role: 'status', 'aria-live': 'polite' });
  }
  if (region.parentElement !== (host ?? document.body)) (host ?? document.body).append(region);
  return region;
}

/** WCAG relative luminance of an `rgb()`/`rgba()` string from getComputedStyle. */
function luminance(rgb) {
  const [r, g, b] = (rgb.match(/[\d.]+/g) ?? ['0', '0', '0']).slice(0, 3).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The toast command: solid colour, black or white text (whichever contrasts more: >= 4.5:1 always). */
export function showToast({ content = '', duration = 2000, position = 'center', color = null, callback = null }) {
  const toast = el('div', { class: 'webio-toast' });
  const hide = () => toast.remove();
  const body = callback == null
    ? el('div', { class: 'webio-toast-body' }, String(content))
    : el('button', { type: 'button', class: 'webio-toast-body webio-local' }, String(content));
  body.addEventListener('click', () => {
    if (callback != null) send({ event: 'callback', id: callback, data: null });
    hide();
  });
  toast.append(body);
  if (!duration) toast.append(closeButton('Dismiss notification', hide)); // sticky: needs a way out
  else setTimeout(hide, duration);
  toastRegion(position).append(toast);
  if (color) {
    toast.style.setProperty('--webio-toast-color', cssColor(color));
    const l = luminance(getComputedStyle(toast).backgroundColor);
    const onWhite = 1.05 / (l + 0.05);
    const onBlack = (l + 0.05) / 0.05;
    toast.style.setProperty('--webio-toast-text', onWhite >= onBlack ? '#ffffff' : '#000000');
  }
}
