// put_datatable: a data grid of our own. Only the rows in view (plus a margin) are in the DOM, so
// thousands of rows stay responsive; header clicks sort; clicks select rows (one, or several with
// multiple_select) and the selection goes to the server (onselect, action buttons).
// Rows are the records as sent; a column is a key path into them (nested dicts).
import { el, buttonClass } from './dom.js';
import { send } from './core.js';

const ROW_HEIGHT = 32; // px; fixed so the window is arithmetic (CSS: .webio-dt-table td)
const OVERSCAN = 12; // rows rendered above and below the visible ones
const grids = new Map(); // instance id -> Grid (the newest of a name wins)

const valueAt = (record, path) => path.reduce((node, key) => (node == null ? undefined : node[key]), record);
const shown = (v) => (v == null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
// Made at the first sort: an ICU collator costs WebKitGTK ~5 ms, which every page would pay
// before its first paint.
let collator = null;

/** Sort order of two cell values: numbers by value, text naturally, empty cells last. */
function compareValues(a, b) {
  const emptyA = a == null || a === '';
  const emptyB = b == null || b === '';
  if (emptyA || emptyB) return emptyA - emptyB;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  collator ??= new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
  return collator.compare(shown(a), shown(b));
}

class Grid {
  constructor(spec) {
    this.spec = spec;
    this.columns = (spec.columns ?? []).filter((c) => !c.hide);
    this.idPath = spec.id_path ?? null;
    this.nextId = 0;
    this.rows = (spec.records ?? []).map((r) => this.makeRow(r));
    this.sort = null; // {col, dir: 1 | -1}
    this.selected = new Set(); // row ids
    this.active = -1; // view index of the keyboard's row
    this.build();
    this.refresh();
    if (spec.instance) grids.set(spec.instance, this);
  }

  makeRow(record, id) {
    if (id === undefined) id = this.idPath ? valueAt(record, this.idPath) : this.nextId;
    if (typeof id === 'number' && id >= this.nextId) this.nextId = Math.floor(id) + 1;
    return { id, record, cells: this.columns.map((c) => valueAt(record, c.path)) };
  }

  // ---- DOM ----

  build() {
    const s = this.spec;
    const dark = String(s.theme ?? '').endsWith('-dark');
    this.root = el('div', { class: `webio-datatable webio-dt-${s.theme ?? 'balham'}${dark ? ' is-dark' : ''}` });
    if (s.height && s.height !== 'auto') this.root.style.height = s.height;
    this.windowed = s.height !== 'auto';

    // Shown only while rows are selected: how many, a way to unselect them, the actions.
    this.actionBar = el('div', { class: 'webio-dt-actions', role: 'toolbar', 'aria-label': 'Actions on the selected rows', hidden: true });
    this.status = el('span', { class: 'webio-dt-status', 'aria-live': 'polite' });
    const unselect = el('button', { type: 'button', class: `${buttonClass('secondary', { small: true, outline: true })} webio-local` }, 'Unselect');
    unselect.addEventListener('click', () => this.unselectAll());
    this.actionBar.append(el('span', { class: 'webio-dt-selection' }, this.status, unselect));
    (s.actions ?? []).forEach((label, index) => {
      if (label == null) {
        this.actionBar.append(el('span', { class: 'webio-dt-sep', role: 'separator' }));
        return;
      }
      const button = el('button', { type: 'button', class: buttonClass('primary', { small: true, outline: true }) }, label);
      button.addEventListener('click', () => this.report(index));
      this.actionBar.append(button);
    });
    // The clicked cell's full content; hidden until a cell is clicked (no empty strip).
    this.cellBar = s.cell_bar ? el('div', { class: 'webio-dt-cellbar', 'aria-live': 'polite', hidden: true }) : null;

    this.table = el('table', { class: 'webio-dt-table', role: 'grid', 'aria-multiselectable': s.multiple ? 'true' : null });
    const widths = this.columnWidths();
    const colgroup = el('colgroup');
    for (const w of widths) colgroup.append(el('col', { style: `width:${w}px` }));
    this.table.style.minWidth = `${widths.reduce((a, b) => a + b, 0)}px`;
    this.table.append(colgroup, this.buildHead());
    this.body = this.table.createTBody();
    this.padTop = el('tr', { class: 'webio-dt-pad', 'aria-hidden': 'true' }, el('td', { colspan: String(this.columns.length || 1) }));
    this.padBottom = this.padTop.cloneNode(true);

    this.scroller = el('div', { class: 'webio-dt-scroll', tabindex: '0' }, this.table);
    this.root.append(...[this.actionBar, this.cellBar, this.scroller].filter(Boolean));

    let pending = false;
    const later = () => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => { pending = false; this.renderWindow(); });
    };
    this.scroller.addEventListener('scroll', later, { passive: true });
    if ('ResizeObserver' in window) new ResizeObserver(later).observe(this.scroller);
    this.body.addEventListener('click', (e) => this.onClick(e));
    this.scroller.addEventListener('keydown', (e) => this.onKey(e));
  }

  columnWidths() {
    const sample = this.rows.slice(0, 200);
    return this.columns.map((c, i) => {
      if (typeof c.width === 'number') return c.width;
      const longest = sample.reduce((n, r) => Math.max(n, shown(r.cells[i]).length), String(c.label).length + 2);
      return Math.max(72, Math.min(320, longest * 8 + 28));
    });
  }

  buildHead() {
    const head = el('thead');
    if (this.columns.some((c) => c.path.length > 1)) {
      // Nested records: a row of group headers (the parent path) above the column names.
      const groups = head.insertRow();
      let last = null;
      for (const c of this.columns) {
        const group = c.path.slice(0, -1).join('.');
        if (last && last.dataset.group === group) last.colSpan += 1;
        else {
          last = el('th', { class: 'webio-dt-group', scope: 'colgroup', 'data-group': group }, c.group ?? group);
          groups.append(last);
        }
      }
    }
    const labels = head.insertRow();
    this.headers = this.columns.map((c, index) => {
      const th = el('th', { scope: 'col', title: c.path.join('.') });
      if (c.sortable === false) th.append(String(c.label));
      else {
        const button = el('button', { type: 'button', class: 'webio-dt-sort webio-local' }, String(c.label));
        button.addEventListener('click', () => this.toggleSort(index));
        th.append(button);
      }
      labels.append(th);
      return th;
    });
    return head;
  }

  // ---- rows in view ----

  /** The rows in display order (sorted or as given), then the visible window. */
  refresh() {
    this.view = this.rows.slice();
    if (this.sort) {
      const { col, dir } = this.sort;
      this.view.sort((a, b) => dir * compareValues(a.cells[col], b.cells[col]));
    }
    this.renderWindow();
  }

  renderWindow() {
    const total = this.view.length;
    let start = 0;
    let end = total;
    if (this.windowed) {
      const height = this.scroller.clientHeight || parseFloat(this.spec.height) || 600;
      const top = this.scroller.scrollTop;
      start = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
      end = Math.min(total, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
    }
    const fragment = document.createDocumentFragment();
    for (let i = start; i < end; i++) fragment.append(this.renderRow(this.view[i], i));
    this.padTop.hidden = start === 0;
    this.padTop.style.height = `${start * ROW_HEIGHT}px`;
    this.padBottom.hidden = end === total;
    this.padBottom.style.height = `${(total - end) * ROW_HEIGHT}px`;
    this.body.replaceChildren(this.padTop, fragment, this.padBottom);
  }

  renderRow(row, index) {
    const selected = this.selected.has(row.id);
    const tr = el('tr', { 'data-index': String(index), 'aria-rowindex': String(index + 1), 'aria-selected': String(selected) });
    if (selected) tr.className = 'is-selected';
    if (index === this.active) tr.classList.add('is-active');
    for (const value of row.cells) {
      const text = shown(value);
      tr.append(el('td', { title: text.length > 30 ? text : null }, text));
    }
    return tr;
  }

  // ---- interaction ----

  toggleSort(col) {
    const dir = this.sort?.col === col ? this.sort.dir : 0;
    // ascending -> descending -> as given
    this.sort = dir === 0 ? { col, dir: 1 } : dir === 1 ? { col, dir: -1 } : null;
    this.headers.forEach((th, i) => {
      const state = this.sort?.col === i ? (this.sort.dir === 1 ? 'ascending' : 'descending') : null;
      if (state) th.setAttribute('aria-sort', state);
      else th.removeAttribute('aria-sort');
    });
    this.refresh();
  }

  onClick(e) {
    const tr = e.target.closest('tr[data-index]');
    if (!tr) return;
    const index = Number(tr.dataset.index);
    const td = e.target.closest('td');
    if (this.cellBar && td) {
      const column = this.columns[td.cellIndex];
      this.cellBar.textContent = `${column?.label ?? ''}: ${td.textContent}`;
      this.cellBar.hidden = false;
    }
    this.select(index, e.ctrlKey || e.metaKey);
  }

  onKey(e) {
    if (!this.view.length) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = Math.max(0, Math.min(this.view.length - 1, this.active + (e.key === 'ArrowDown' ? 1 : -1)));
      this.active = next;
      this.scrollIntoView(next);
      if (!this.spec.multiple) this.select(next, false);
      else this.renderWindow();
    } else if ((e.key === ' ' || e.key === 'Enter') && this.active >= 0) {
      e.preventDefault();
      this.select(this.active, true);
    }
  }

  scrollIntoView(index) {
    const head = this.table.tHead?.offsetHeight ?? 0;
    const top = index * ROW_HEIGHT;
    const view = this.scroller.clientHeight - head;
    if (top < this.scroller.scrollTop) this.scroller.scrollTop = top;
    else if (top + ROW_HEIGHT > this.scroller.scrollTop + view) this.scroller.scrollTop = top + ROW_HEIGHT - view;
  }

  /** Click: one row selected (multiple_select: the row toggles; ctrl/cmd-click toggles too). */
  select(index, toggle) {
    const row = this.view[index];
    if (!row) return;
    this.active = index;
    if (this.spec.multiple || toggle) {
      if (this.selected.has(row.id)) this.selected.delete(row.id);
      else {
        if (!this.spec.multiple) this.selected.clear();
        this.selected.add(row.id);
      }
    } else {
      this.selected = new Set([row.id]);
    }
    this.renderWindow();
    this.selectionChanged();
  }

  selectionChanged() {
    this.showSelection();
    if (this.spec.onselect && this.selected.size) this.report(null);
  }

  /** The toolbar says how many rows are selected, and is hidden when none is. */
  showSelection() {
    const n = this.selected.size;
    this.actionBar.hidden = n === 0;
    this.status.textContent = `${n} ${n === 1 ? 'row' : 'rows'} selected`;
  }

  unselectAll() {
    this.selected.clear();
    this.renderWindow();
    this.showSelection();
  }

  /** The selection in display order, to the server: onselect (btn null) or action `btn`. */
  report(btn) {
    if (this.spec.callback == null) return;
    const rows = this.view.filter((r) => this.selected.has(r.id)).map((r) => r.id);
    const data = btn == null ? { rows } : { rows, btn };
    send({ event: 'callback', id: this.spec.callback, data });
  }

  // ---- datatable_update / insert / remove ----

  findRow(id) {
    return this.rows.find((r) => r.id === id);
  }

  apply(cmd) {
    switch (cmd.op) {
      case 'replace':
        this.nextId = 0;
        this.rows = (cmd.records ?? []).map((r) => this.makeRow(r));
        break;
      case 'update_row': {
        const row = this.findRow(cmd.row_id);
        if (row) Object.assign(row, this.makeRow(cmd.record ?? {}, row.id));
        break;
      }
      case 'update_cell': {
        const row = this.findRow(cmd.row_id);
        if (!row) break;
        const path = cmd.path ?? [];
        let node = row.record;
        for (const key of path.slice(0, -1)) {
          if (node[key] == null || typeof node[key] !== 'object') node[key] = {};
          node = node[key];
        }
        node[path[path.length - 1]] = cmd.value;
        Object.assign(row, this.makeRow(row.record, row.id));
        break;
      }
      case 'insert': {
        const added = (cmd.records ?? []).map((r) => this.makeRow(r));
        const before = cmd.row_id == null ? -1 : this.rows.findIndex((r) => r.id === cmd.row_id);
        this.rows.splice(before < 0 ? this.rows.length : before, 0, ...added);
        break;
      }
      case 'remove': {
        const gone = new Set(cmd.row_ids ?? []);
        this.rows = this.rows.filter((r) => !gone.has(r.id));
        for (const id of gone) this.selected.delete(id);
        this.showSelection();
        break;
      }
      default:
        console.error(`[webio] unknown datatable operation "${cmd.op}"`);
        return;
    }
    if (cmd.op === 'replace') {
      this.selected.clear();
      this.showSelection();
    }
    this.refresh();
  }
}

/** The renderer of `datatable` output specs. */
export function renderDatatable(spec) {
  return new Grid(spec).root;
}

/** The `datatable` command (datatable_update / insert / remove) for grid `instance`. */
export function datatableCommand(cmd) {
  const grid = grids.get(cmd.instance);
  if (!grid || !grid.root.isConnected) {
    console.error(`[webio] no datatable "${cmd.instance}"`);
    return;
  }
  grid.apply(cmd);
}
