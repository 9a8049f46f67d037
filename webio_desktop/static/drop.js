// Dropped files. A drop never navigates the page (a browser would open the dropped file in it).
// A drop zone is an element with data-webio-drop = its callback id (desktop.on_drop marks it);
// files dropped on one are uploaded and sent as that callback's event {files: [...]} (the server
// saves them and hands the app paths). In a native window the window takes the drop itself and
// calls window.webio.dropAt with the real paths (desktop/engines/qt_drop.py, gtk_drop.py).
import { send } from './core.js';
import { fileProblem, readBase64 } from './forms.js';
import { showToast } from './toast.js';

const ZONE = '[data-webio-drop]';
let hovered = null; // the zone under a drag, shown with .webio-drop-over

function hover(zone) {
  if (hovered === zone) return;
  hovered?.classList.remove('webio-drop-over');
  hovered = zone;
  zone?.classList.add('webio-drop-over');
}

const zoneOf = (node) => (node instanceof Element ? node : node?.parentElement ?? null)?.closest(ZONE) ?? null;
const types = (e) => [...(e.dataTransfer?.types ?? [])];

/** Drops the page must keep from their default (opening the file or link in the window). Fields keep
 *  theirs: a file input takes dropped files, a text field a dropped link's text. */
function guarded(e) {
  const kinds = types(e);
  const files = kinds.includes('Files');
  if (!files && !kinds.includes('text/uri-list')) return false;
  const target = e.target instanceof Element ? e.target : null;
  if (files) return !target?.closest('input[type=file]');
  return !target?.closest('input, textarea, [contenteditable=""], [contenteditable=true]');
}

/** In a native window (pywebview's page, or a tab of one) the window brings the paths itself. */
function inWindow() {
  try {
    return !!window.top.pywebview;
  } catch {
    return false;
  }
}

function say(message) {
  showToast({ content: message, color: 'error', duration: 5000 });
}

async function upload(zone, files) {
  const problem = fileProblem({ max_message: Number(zone.dataset.webioDropMax) || 0 }, files);
  if (problem) return say(problem);
  let sent;
  try {
    sent = await Promise.all(files.map(async (f) => ({
      filename: f.name, size: f.size, mime_type: f.type, last_modified: f.lastModified / 1000,
      content: await readBase64(f),
    })));
  } catch (err) {
    return say(`A dropped item could not be read (folders can not be dropped here): ${err?.message ?? err}`);
  }
  send({ event: 'callback', id: zone.dataset.webioDrop, data: { files: sent } });
}

addEventListener('dragover', (e) => {
  if (!guarded(e)) return;
  e.preventDefault();
  // WebKitGTK shows a file manager's drag as a link list without files: a zone takes both
  // (gtk_drop.py brings the paths).
  const zone = zoneOf(e.target);
  e.dataTransfer.dropEffect = zone ? 'copy' : 'none';
  hover(zone);
});
addEventListener('dragleave', (e) => { if (!e.relatedTarget) hover(null); });
addEventListener('drop', (e) => {
  hover(null);
  if (!guarded(e)) return;
  e.preventDefault();
  const zone = zoneOf(e.target);
  const files = [...(e.dataTransfer?.files ?? [])];
  if (zone && files.length && !inWindow()) upload(zone, files);
});

/** A native window's drop (qt_drop.py, gtk_drop.py): `paths` dropped on `node`; `paths` null: the drag is
 *  over `node` (null: it left). */
export function dropAt(node, paths) {
  const zone = node ? zoneOf(node) : null;
  if (paths == null) return hover(zone);
  hover(null);
  if (zone && paths.length) send({ event: 'callback', id: zone.dataset.webioDrop, data: { paths } });
}
