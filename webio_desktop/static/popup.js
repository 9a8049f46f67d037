// The popup command: one modal <dialog> at a time (a new one replaces the old), sizes, implicit close.
import { el, uid, closeButton } from './dom.js';
import { render, SCOPE_PREFIX } from './outputs.js';
import { hostToasts } from './toast.js';

let current = null; // {dialog, returnFocus}

/** Show a modal; its body is scope `slot`, so later outputs can go into it while it is open. */
export function showPopup({ title = '', contents = [], size = 'normal', implicit_close: implicit = true, closable = true, slot }) {
  const returnFocus = current ? current.returnFocus : document.activeElement;
  if (current) close(false);
  const titleId = uid('popup-title');
  const dialog = el('dialog', { class: `webio-popup is-${['large', 'small'].includes(size) ? size : 'normal'}`, 'aria-labelledby': titleId });
  const head = el('div', { class: 'webio-popup-head' }, el('h2', { id: titleId, class: 'webio-popup-title' }, String(title)));
  if (closable) head.append(closeButton('Close dialog', () => close(true)));
  const body = el('div', { class: 'webio-popup-body webio-scope', id: slot != null ? SCOPE_PREFIX + slot : null, tabindex: '-1' });
  for (const item of Array.isArray(contents) ? contents : [contents]) {
    const node = render(item);
    if (node) body.append(node);
  }
  dialog.append(head, body);
  // Esc: the browser fires `cancel`; keep the dialog unless implicit close is allowed.
  dialog.addEventListener('cancel', (e) => {
    e.preventDefault();
    if (implicit && closable) close(true);
  });
  // A click on the backdrop targets the dialog itself, outside its content box.
  dialog.addEventListener('click', (e) => {
    if (e.target !== dialog || !implicit || !closable) return;
    const r = dialog.getBoundingClientRect();
    const inside = e.clientX >= r.left && e.clientX <= r.right && e.clientY >= r.top && e.clientY <= r.bottom;
    if (!inside) close(true);
  });
  document.body.append(dialog);
  dialog.showModal();
  hostToasts(dialog); // toasts stay above the popup and clickable
  (dialog.querySelector('.webio-popup-body button, .webio-popup-body input, .webio-popup-body a[href]') ?? body).focus();
  current = { dialog, returnFocus };
}

/** Close the open popup (if any); focus goes back where it was before the popup opened. */
export function closePopup() {
  if (current) close(true);
}

function close(restoreFocus) {
  const { dialog, returnFocus } = current;
  current = null;
  hostToasts(null);
  dialog.close();
  dialog.remove();
  if (restoreFocus && returnFocus?.isConnected) returnFocus.focus();
}
