// Input forms in #webio-input: one form per task, stacked (newest visible), item builders keyed by type.
import { el, uid, buttonClass } from './dom.js';
import { send, env, session } from './core.js';

const forms = new Map(); // task -> form state
const stack = []; // tasks, oldest first; only the last one is shown

// Input types whose value is edited as text: they get readOnly (not disabled) and Enter submits.
const TEXTUAL = new Set(['text', 'password', 'url', 'number', 'date', 'time', 'datetime-local', 'email', 'search', 'tel']);
const FEEDBACK_KEYS = new Set(['valid_status', 'valid_feedback', 'invalid_feedback']);
// form_update keys applied in place; any other key rebuilds the item from its updated spec.
const LIVE_KEYS = new Set([...FEEDBACK_KEYS, 'value', 'readonly', 'disabled', 'placeholder', 'label', 'help_text', 'required', 'auto_focus', 'onchange', 'onblur']);

const panel = () => document.getElementById('webio-input');

// ---- public API (used by webio.js) ----

export function showForm(task, spec) {
  if (forms.has(task)) removeForm(task);
  const state = buildForm(task, spec ?? {});
  forms.set(task, state);
  stack.push(task);
  panel().append(state.form);
  refresh(true);
}

export function removeForm(task) {
  const state = forms.get(task);
  if (!state) return;
  const wasShown = stack.at(-1) === task;
  state.form.remove();
  forms.delete(task);
  stack.splice(stack.indexOf(task), 1);
  refresh(wasShown); // the previous form comes back, ready to type into
}

export function updateForm(task, name, attrs = {}) {
  const state = forms.get(task);
  const item = state?.items.get(name);
  if (!item) {
    console.error(`[webio] form_update: no item "${name}" in task ${task}`);
    return;
  }
  const current = applyUpdate(state, item, attrs);
  // A validation message answers a submit: let the user fix the field.
  if (Object.keys(attrs).some((k) => FEEDBACK_KEYS.has(k)) && state.busy) {
    setBusy(state, false);
    if (attrs.valid_status === false && isShown(state)) current.focusEl?.focus();
  }
}

/** Session over: every form stays visible but can no longer be used. */
export function disableForms() {
  for (const state of forms.values()) setBusy(state, true);
}

// ---- form level ----

function buildForm(task, spec) {
  const form = el('form', { class: 'webio-form', novalidate: true });
  // A fieldset disables all controls at once without touching their own disabled flags.
  const fieldset = el('fieldset', { class: 'webio-form-body' });
  if (spec.label) fieldset.append(el('legend', { class: 'webio-form-title' }, spec.label));
  else form.setAttribute('aria-label', 'Input');
  form.append(fieldset);
  const state = { task, spec, form, fieldset, items: new Map(), busy: false };
  for (const itemSpec of spec.inputs ?? []) {
    const item = buildItem(state, { ...itemSpec });
    state.items.set(itemSpec.name, item);
    fieldset.append(item.wrap);
  }
  if (spec.buttons) fieldset.append(buttonBar(state));

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submit(state, e.submitter);
  });
  form.addEventListener('keydown', (e) => onKeyDown(state, e));
  form.addEventListener('reset', () => setTimeout(() => afterReset(state))); // values change after the event
  return state;
}

function buttonBar(state) {
  const bar = el('div', { class: 'webio-form-actions' },
    el('button', { type: 'submit', class: buttonClass('primary') }, 'Submit'),
    el('button', { type: 'reset', class: buttonClass('secondary', { outline: true }) }, 'Reset'));
  if (state.spec.cancelable) bar.append(cancelButton(state, 'Cancel', 'secondary'));
  return bar;
}

function cancelButton(state, label, color) {
  const button = el('button', { type: 'button', class: buttonClass(color, { outline: true }) }, label);
  button.addEventListener('click', () => {
    if (state.busy || session.ended) return;
    setBusy(state, true);
    send({ event: 'cancel', task: state.task });
  });
  return button;
}

const isShown = (state) => forms.get(stack.at(-1)) === state;

/** Show only the newest form; hide the panel when there is none. */
function refresh(focus) {
  const top = forms.get(stack.at(-1));
  for (const state of forms.values()) state.form.hidden = state !== top;
  panel().hidden = !top;
  document.documentElement.classList.toggle('webio-has-form', !!top);
  if (top && focus && env.input_auto_focus !== false && !top.busy) focusForm(top);
}

function focusForm(state) {
  const wanted = [...state.items.values()].find((item) => item.spec.auto_focus);
  const target = wanted?.focusEl
    ?? state.form.querySelector('input:not(:disabled), select:not(:disabled), textarea:not(:disabled), button:not(:disabled)');
  target?.focus(); // in a flowing panel this also scrolls the form into view
}

function setBusy(state, busy) {
  state.busy = busy;
  state.fieldset.disabled = busy;
  state.form.setAttribute('aria-busy', String(busy));
}

function onKeyDown(state, e) {
  if (e.key !== 'Enter' || e.isComposing || e.altKey || e.shiftKey) return;
  const t = e.target;
  const singleLine = t.tagName === 'INPUT' && TEXTUAL.has(t.type) && !e.ctrlKey && !e.metaKey;
  const textareaShortcut = t.tagName === 'TEXTAREA' && (e.ctrlKey || e.metaKey); // Ctrl+Enter
  if (!singleLine && !textareaShortcut) return;
  e.preventDefault();
  // Like a browser's implicit submission: the first enabled submit button is the submitter.
  const submitter = state.form.querySelector('button[type=submit]:not(:disabled)');
  if (submitter) submit(state, submitter);
}

async function submit(state, submitter) {
  if (state.busy || session.ended) return;
  setBusy(state, true); // until form_remove or a validation message
  // The answer to this submit (a new validation message or none) replaces every old one.
  for (const item of state.items.values()) if (item.validity?.valid_status != null) setValidity(item, {});
  const data = {};
  const uploads = [];
  for (const [name, item] of state.items) {
    if (item.spec.type === 'actions') {
      data[name] = submitter && item.body.contains(submitter) ? Number(submitter.dataset.index) : null;
    } else if (item.readFiles) {
      const files = await item.readFiles(); // null: refused here, the item says why
      if (files === null) return setBusy(state, false);
      data[name] = files;
      uploads.push(item);
    } else {
      data[name] = item.getValue();
    }
  }
  send({ event: 'submit', task: state.task, data });
  session.revealOutput = true; // webio.js: output that answers this submit is scrolled into view
  if (uploads.length) showUploadProgress(uploads);
}

/** While a large submit is still leaving the page, show how much of it has been sent. */
function showUploadProgress(items) {
  const ws = session.socket;
  const total = ws?.bufferedAmount ?? 0;
  if (!total) return;
  const tick = () => {
    const left = ws.bufferedAmount;
    const text = left ? `Uploading… ${Math.floor(100 * (1 - left / total))}%` : '';
    for (const item of items) item.progressEl.textContent = text;
    if (left && ws.readyState === WebSocket.OPEN) setTimeout(tick, 100);
  };
  tick();
}

function afterReset(state) {
  for (const item of state.items.values()) {
    item.sync?.();
    if (item.spec.onchange) sendInput(state, item, 'change');
  }
}

function sendInput(state, item, trigger) {
  if (state.busy) return;
  send({ event: 'input', task: state.task, name: item.spec.name, trigger, value: item.getValue() });
}

// ---- item level ----

export function buildItem(state, spec) {
  let builder = ITEM_BUILDERS[spec.type];
  if (!builder) {
    console.error(`[webio] unknown form item type "${spec.type}"`, spec);
    builder = ITEM_BUILDERS.text;
  }
  const id = uid('field');
  // The builder's object becomes the item, so its own handlers can reach the finished item.
  const item = Object.assign(builder(spec, id, state), { spec, id });
  item.focusEl ??= item.controls[0];
  wrapItem(item);
  applyLock(item);
  applyHtmlAttrs(item);
  wireEvents(state, item);
  return item;
}

/** Label (or legend for groups), the control, help text and a live feedback line. */
function wrapItem(item) {
  const { spec, group } = item;
  const wrap = el(group ? 'fieldset' : 'div', { class: `webio-field webio-field-${spec.type}` });
  item.labelEl = el(group ? 'legend' : 'label', { class: 'webio-label', for: group ? null : item.id });
  setLabel(item);
  item.helpEl = el('div', { class: 'webio-help', id: `${item.id}-help` });
  item.helpEl.textContent = spec.help_text ?? '';
  item.helpEl.hidden = !spec.help_text;
  item.fbEl = el('div', { class: 'webio-feedback', id: `${item.id}-fb`, 'aria-live': 'polite' });
  wrap.append(item.labelEl, item.body, item.helpEl, item.fbEl);
  const describedBy = `${item.id}-help ${item.id}-fb`;
  for (const control of item.controls) control.setAttribute('aria-describedby', describedBy);
  item.wrap = wrap;
}

function setLabel(item) {
  const { spec, labelEl } = item;
  labelEl.replaceChildren();
  labelEl.hidden = !spec.label && spec.type === 'actions'; // a button row needs no caption
  if (spec.label) labelEl.append(spec.label);
  else labelEl.append(el('span', { class: 'webio-sr-only' }, spec.name ?? 'Input')); // still a named field
  if (spec.required) labelEl.append(el('span', { class: 'webio-required', 'aria-hidden': 'true' }, ' *'));
  if (spec.type === 'textarea' && spec.code) {
    labelEl.append(el('span', { class: 'webio-sr-only' }, ' (Tab indents; press Escape then Tab to leave)'));
  }
  for (const control of item.controls) {
    if ('required' in control) control.required = !!spec.required && spec.type !== 'checkbox';
  }
}

/** readonly on text-like fields, disabled otherwise (selects, checks, sliders have no readonly). */
function applyLock(item) {
  const { readonly, disabled } = item.spec;
  for (const control of item.controls) {
    const textual = control.tagName === 'TEXTAREA' || (control.tagName === 'INPUT' && TEXTUAL.has(control.type));
    control.readOnly = textual && !!readonly;
    control.disabled = !!disabled || (!textual && !!readonly) || control.dataset.locked === '1';
  }
  if (item.actionBtn) item.actionBtn.disabled = !!disabled;
}

/** Extra HTML attributes from the spec's `attrs`: on the control, or the group box for groups. */
function applyHtmlAttrs(item) {
  const target = item.group ? item.body : item.controls[0];
  for (const [name, value] of Object.entries(item.spec.attrs ?? {})) {
    if (value == null || value === false) target.removeAttribute(name);
    else target.setAttribute(name, value === true ? '' : value);
  }
}

function wireEvents(state, item) {
  const { spec } = item;
  // A validation message was about the old value: it goes as soon as the value changes.
  item.body.addEventListener('input', () => {
    if (item.validity?.valid_status != null) setValidity(item, {});
  });
  if (spec.onchange) {
    for (const control of item.controls) control.addEventListener(item.change, () => sendInput(state, item, 'change'));
  }
  if (spec.onblur) {
    const root = item.group ? item.body : item.controls[0];
    root.addEventListener('focusout', (e) => {
      if (!root.contains(e.relatedTarget)) sendInput(state, item, 'blur');
    });
  }
  item.actionBtn?.addEventListener('click', () => sendInput(state, item, 'action'));
}

/** Apply a form_update to an item; returns the item now in the form (it may have been rebuilt). */
export function applyUpdate(state, item, attrs) {
  const { spec } = item;
  const rebuild = Object.keys(attrs).some((k) => !LIVE_KEYS.has(k));
  for (const [key, value] of Object.entries(attrs)) if (!FEEDBACK_KEYS.has(key)) spec[key] = value;
  if (rebuild) {
    const keep = 'options' in attrs || 'value' in attrs ? undefined : item.getValue();
    const hadFocus = item.wrap.contains(document.activeElement);
    const fresh = buildItem(state, spec);
    item.wrap.replaceWith(fresh.wrap);
    state.items.set(spec.name, fresh);
    if (keep !== undefined) fresh.setValue(keep);
    setValidity(fresh, item.validity ?? {});
    if (hadFocus) fresh.focusEl?.focus();
    item = fresh;
  } else {
    if ('readonly' in attrs || 'disabled' in attrs) applyLock(item);
    if ('placeholder' in attrs) item.controls[0].placeholder = attrs.placeholder ?? '';
    if ('label' in attrs || 'required' in attrs) setLabel(item);
    if ('help_text' in attrs) {
      item.helpEl.textContent = attrs.help_text ?? '';
      item.helpEl.hidden = !attrs.help_text;
    }
  }
  if ('value' in attrs) {
    item.setValue(attrs.value);
    item.sync?.();
  }
  const feedback = Object.fromEntries(Object.entries(attrs).filter(([k]) => FEEDBACK_KEYS.has(k)));
  if (Object.keys(feedback).length) setValidity(item, { ...item.validity, ...feedback });
  return item;
}

/** valid_status: true valid, false invalid, 0/null neutral; the matching message shows under the field. */
function setValidity(item, validity) {
  item.validity = validity;
  const status = validity.valid_status;
  item.wrap.classList.toggle('is-valid', status === true);
  item.wrap.classList.toggle('is-invalid', status === false);
  for (const control of item.controls) {
    if (status === false) control.setAttribute('aria-invalid', 'true');
    else control.removeAttribute('aria-invalid');
  }
  const message = status === false ? validity.invalid_feedback : status === true ? validity.valid_feedback : '';
  item.fbEl.textContent = message ?? '';
}

// ---- item builders: (spec, id, state) -> {body, controls, getValue, setValue, change, ...} ----

function textInput(spec, id) {
  const numeric = spec.type === 'number' || spec.type === 'float';
  const input = el('input', {
    id, name: spec.name, class: 'webio-control',
    type: numeric ? 'number' : spec.type,
    step: spec.type === 'number' ? '1' : spec.type === 'float' ? 'any' : null,
    placeholder: spec.placeholder,
  });
  input.defaultValue = spec.value == null ? '' : String(spec.value); // the value Reset returns to
  const parts = [input];
  if (spec.datalist?.length) {
    const list = el('datalist', { id: `${id}-list` });
    for (const option of spec.datalist) list.append(el('option', { value: option }));
    input.setAttribute('list', list.id);
    parts.push(list);
  }
  let actionBtn = null;
  if (spec.action != null) {
    actionBtn = el('button', { type: 'button', class: buttonClass('secondary', { outline: true }) }, spec.action);
    parts.push(actionBtn);
  }
  const body = parts.length > 1 ? el('div', { class: actionBtn ? 'webio-input-group' : 'webio-input-wrap' }, ...parts) : input;
  return {
    body, controls: [input], actionBtn, change: 'input',
    getValue: () => input.value, // numbers too: the raw string, the server converts
    setValue: (v) => { input.value = v == null ? '' : String(v); },
  };
}

const INDENT = '    ';

/** Tab indents in code textareas; Escape then Tab leaves the field (no keyboard trap). */
function codeKeys(e) {
  const ta = e.currentTarget;
  if (e.key === 'Escape') {
    ta.dataset.tabOut = '1';
    return;
  }
  if (e.key === 'Shift') return;
  const tabOut = ta.dataset.tabOut;
  delete ta.dataset.tabOut;
  const { selectionStart: start, selectionEnd: end, value } = ta;
  const lineStart = value.lastIndexOf('\n', start - 1) + 1;
  if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey && !e.shiftKey) {
    const indent = value.slice(lineStart, start).match(/^[ \t]*/)[0]; // keep the line's indentation
    if (!indent) return;
    e.preventDefault();
    ta.setRangeText(`\n${indent}`, start, end, 'end');
  } else if (e.key === 'Tab' && !tabOut && !e.ctrlKey && !e.altKey && !e.metaKey) {
    e.preventDefault();
    if (!e.shiftKey && start === end) {
      ta.setRangeText(INDENT, start, end, 'end');
    } else {
      const block = value.slice(lineStart, end);
      const changed = e.shiftKey ? block.replace(/^ {1,4}|^\t/gm, '') : block.replace(/^/gm, INDENT);
      ta.setRangeText(changed, lineStart, end, 'select');
    }
  } else {
    return;
  }
  ta.dispatchEvent(new Event('input', { bubbles: true })); // onchange listeners see the edit
}

function textarea(spec, id) {
  const ta = el('textarea', {
    id, name: spec.name, class: spec.code ? 'webio-control webio-code-input' : 'webio-control',
    rows: spec.rows ?? (spec.code ? 8 : 4), maxlength: spec.maxlength, minlength: spec.minlength,
    placeholder: spec.placeholder, spellcheck: spec.code ? 'false' : null,
  });
  ta.defaultValue = spec.value == null ? '' : String(spec.value);
  if (spec.code) ta.addEventListener('keydown', codeKeys);
  return {
    body: ta, controls: [ta], change: 'input',
    getValue: () => ta.value,
    setValue: (v) => { ta.value = v == null ? '' : String(v); },
  };
}

/** Indexes as a Set, from a single index or a list (form_update `value` of option items). */
const indexSet = (v) => new Set((Array.isArray(v) ? v : v == null ? [] : [v]).map(Number));

function select(spec, id) {
  const sel = el('select', { id, name: spec.name, class: 'webio-control', multiple: !!spec.multiple });
  (spec.options ?? []).forEach((o, i) => {
    sel.append(el('option', { value: String(i), selected: !!o.selected, disabled: !!o.disabled }, o.label ?? ''));
  });
  return {
    body: sel, controls: [sel], change: 'change',
    getValue: () => (spec.multiple
      ? [...sel.selectedOptions].map((o) => Number(o.value))
      : sel.selectedIndex < 0 ? null : sel.selectedIndex),
    setValue: (v) => {
      const wanted = indexSet(v);
      for (const option of sel.options) option.selected = wanted.has(Number(option.value));
    },
  };
}

function choices(kind) {
  return (spec, id) => {
    const box = el('div', { class: spec.inline ? 'webio-choices is-inline' : 'webio-choices' });
    const controls = (spec.options ?? []).map((o, i) => {
      const input = el('input', {
        type: kind, id: `${id}-${i}`, name: id, value: String(i), class: 'webio-check-input',
        checked: !!o.selected, 'data-locked': o.disabled ? '1' : null,
      });
      box.append(el('div', { class: 'webio-check' }, input, el('label', { for: input.id }, o.label ?? '')));
      return input;
    });
    const checked = () => controls.filter((c) => c.checked).map((c) => Number(c.value));
    return {
      body: box, controls, group: true, change: 'change',
      focusEl: controls.find((c) => c.checked) ?? controls[0],
      getValue: () => (kind === 'radio' ? checked()[0] ?? null : checked()),
      setValue: (v) => {
        const wanted = indexSet(v);
        for (const c of controls) c.checked = wanted.has(Number(c.value));
      },
    };
  };
}

function actions(spec, id, state) {
  const box = el('div', { class: 'webio-btns' });
  const controls = (spec.buttons ?? []).map((b, index) => {
    const kind = b.type ?? 'submit';
    let button;
    if (kind === 'cancel') {
      button = cancelButton(state, b.label ?? 'Cancel', b.color ?? 'secondary');
    } else {
      const color = b.color ?? (kind === 'submit' ? 'primary' : 'secondary');
      button = el('button', { type: kind === 'reset' ? 'reset' : 'submit', class: buttonClass(color, { outline: kind === 'reset' }) }, b.label ?? '');
    }
    button.dataset.index = String(index);
    if (b.disabled) button.dataset.locked = '1';
    box.append(button);
    return button;
  });
  return {
    body: box, controls, group: true, change: 'click',
    getValue: () => null, // decided by the clicked submit button, see submit()
    setValue: () => {},
  };
}

function slider(spec, id) {
  const input = el('input', {
    type: 'range', id, name: spec.name, class: 'webio-range',
    min: spec.min ?? 0, max: spec.max ?? 100, step: spec.step ?? 1,
  });
  input.defaultValue = String(spec.value ?? spec.min ?? 0);
  const shown = el('output', { for: id, class: 'webio-range-value', 'aria-hidden': 'true' }, input.value);
  const sync = () => { shown.textContent = input.value; };
  input.addEventListener('input', sync);
  return {
    body: el('div', { class: 'webio-range-wrap' }, input, shown), controls: [input], change: 'change', sync,
    getValue: () => Number(input.value),
    setValue: (v) => { input.value = String(v ?? ''); },
  };
}

const sizeText = (n) => {
  for (const [unit, f] of [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]]) if (n >= f) return `${+(n / f).toPrecision(3)} ${unit}`;
  return `${n} bytes`;
};

/** Why these files can't be sent (the item's limits, the server's message limit), or null. */
export function fileProblem(spec, files) {
  const big = spec.max_size && files.find((f) => f.size > spec.max_size);
  if (big) return `${big.name} is larger than ${sizeText(spec.max_size)}.`;
  const total = files.reduce((n, f) => n + f.size, 0);
  if (spec.max_total_size && total > spec.max_total_size) return `The files are larger than ${sizeText(spec.max_total_size)} together.`;
  // Sent as base64 (4 bytes per 3) inside one message.
  if (spec.max_message && total * 4 / 3 + 1024 > spec.max_message) return `The files are larger than this server accepts (${sizeText(Math.floor(spec.max_message * 3 / 4))}).`;
  return null;
}

export const readBase64 = (file) => new Promise((resolve, reject) => {
  const reader = new FileReader();
  reader.onload = () => { const url = String(reader.result); resolve(url.slice(url.indexOf(',') + 1)); };
  reader.onerror = () => reject(reader.error);
  reader.readAsDataURL(file);
});

function fileInput(spec, id) {
  const input = el('input', { type: 'file', id, name: spec.name, class: 'webio-control webio-file' });
  if (spec.accept) input.accept = spec.accept;
  input.multiple = !!spec.multiple;
  const progressEl = el('div', { class: 'webio-help webio-upload-progress', 'aria-live': 'polite' });
  const item = {
    body: el('div', { class: 'webio-file-wrap' }, input, progressEl), controls: [input], change: 'change', progressEl,
    getValue: () => [...input.files].map((f) => f.name),
    setValue: () => { input.value = ''; },
    async readFiles() {
      const files = [...input.files];
      const problem = fileProblem(spec, files);
      if (problem) {
        setValidity(item, { valid_status: false, invalid_feedback: problem });
        return null;
      }
      try {
        return await Promise.all(files.map(async (f) => ({
          filename: f.name, size: f.size, mime_type: f.type, last_modified: f.lastModified / 1000,
          content: await readBase64(f),
        })));
      } catch (err) {
        setValidity(item, { valid_status: false, invalid_feedback: `The file could not be read: ${err?.message ?? err}` });
        return null;
      }
    },
  };
  // Refuse at once what can't be sent: nothing of it leaves the page.
  input.addEventListener('change', () => {
    const problem = fileProblem(spec, [...input.files]);
    if (problem) input.value = '';
    setValidity(item, problem ? { valid_status: false, invalid_feedback: problem } : {});
  });
  return item;
}

const ITEM_BUILDERS = { textarea, select, checkbox: choices('checkbox'), radio: choices('radio'), actions, slider, file: fileInput };
for (const type of ['text', 'password', 'url', 'date', 'time', 'color', 'datetime-local', 'number', 'float']) {
  ITEM_BUILDERS[type] = textInput;
}
