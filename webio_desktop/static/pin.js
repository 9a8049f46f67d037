// Pin widgets: form items that live among the outputs (webio_desktop.pin). They reuse the form
// item builders; every user edit is reported (pin_change), and the server reads values on demand.
import { send } from './core.js';
import { buildItem, applyUpdate } from './forms.js';

const pins = new Map(); // name -> item; the newest widget of a name wins
const pinForm = { task: null, busy: false, items: new Map() }; // what item builders expect

/** The DOM of a pin output spec: {type: 'pin', item: <form item spec>}. */
export function renderPin({ item: spec }) {
  return adopt(buildItem(pinForm, { ...spec, onchange: false, onblur: false, auto_focus: false })).wrap;
}

/** Report the item's user edits and make it the widget of its name. */
function adopt(item) {
  const { name } = item.spec;
  const report = () => send({ event: 'pin_change', name, value: item.getValue() });
  if (item.spec.type === 'actions') {
    // Buttons outside a form: the last clicked one is the value.
    item.getValue = () => item.clicked ?? null;
    for (const button of item.controls) {
      button.type = 'button';
      button.addEventListener('click', () => { item.clicked = Number(button.dataset.index); report(); });
    }
  } else if (item.spec.type === 'file') {
    // The value of a file widget is the files themselves (read from disk, base64), or null.
    item.getValue = () => (item.controls[0].files.length ? item.readFiles() : item.spec.multiple ? [] : null);
    item.controls[0].addEventListener('change', async () => send({ event: 'pin_change', name, value: await item.getValue() }));
  } else {
    for (const control of item.controls) control.addEventListener(item.change, report);
  }
  pins.set(name, item);
  item.wrap.classList.add('webio-pin');
  return item;
}

/** The raw values of the named widgets that are on the page ({name: value}); files are read first. */
export async function pinValues(names) {
  const values = {};
  for (const name of names) {
    const item = pins.get(name);
    if (item && item.wrap.isConnected) values[name] = await item.getValue();
  }
  return values;
}

/** pin_update / `pin.name = value`: change attributes of widget `name`. */
export function pinUpdate(name, attrs) {
  const item = pins.get(name);
  if (!item) {
    console.error(`[webio] no pin widget "${name}"`);
    return;
  }
  const fresh = applyUpdate(pinForm, item, attrs); // options changes rebuild the item
  if (fresh !== item) adopt(fresh);
}
