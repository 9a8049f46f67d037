"""The HTML page that loads our front end (its settings come from ``page_config``)."""
from __future__ import annotations

import functools
import hashlib
import html
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..page_config import page_settings
from ..utils import STATIC_PATH
from .bundle import inline_front_end


@functools.lru_cache(maxsize=1)
def static_version() -> str:
    """A short hash of the front-end files: part of their URLs, so they can be cached forever."""
    digest = hashlib.sha1()
    for path in sorted(Path(STATIC_PATH).rglob("*")):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@functools.lru_cache(maxsize=1)
def _modules() -> tuple[str, ...]:
    """The front end's JavaScript modules, the entry point first."""
    names = sorted(p.name for p in Path(STATIC_PATH).glob("*.js"))
    return tuple(sorted(names, key=lambda n: n != "webio.js"))


def prepare_front_end() -> None:
    """Read and join the front end now (~8 ms here) instead of in the first page request: a
    server whose first page comes soon (the launcher's window) calls this while it waits."""
    static_version()
    inline_front_end(STATIC_PATH)


def _as_list(value: str | list[str] | None) -> list[str]:
    if not value:
        return []
    return [value] if isinstance(value, str) else list(value)


# Opens the session's WebSocket as soon as the page starts parsing, while the front end is still
# being compiled: the app starts and its first frames are waiting by the time webio.js runs
# (which takes the socket over, see connect() there). Cold first output measured ~25 ms sooner.
# A prerendered page (config.attach) already shows its session's first frame: its socket is
# opened by webio.js after the first paint, and attaches to the running session.
# First of all, a page that answered a URL holding a secret shows the clean URL
# (``page_response``'s ``shown_url``), so the socket's URL, built from it, holds none either.
EARLY_SOCKET = """<script>
(() => {
  const config = JSON.parse(document.getElementById('webio-config').textContent || '{}');
  if (config.url) history.replaceState(history.state, '', config.url);
  if (config.transport === 'http' || config.attach) return;
  const url = new URL(config.ws_url || location.pathname + location.search, location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const frames = [];
  const keep = (e) => frames.push(e.data);
  const ws = new WebSocket(url.href);
  ws.addEventListener('message', keep);
  window.webioEarlySocket = { ws, frames, keep };
})();
</script>"""


def render_page(app: Callable, static_base: str, client_config: dict[str, Any],
                extra_head: str = "", inline: bool = True, first_frame: str | None = None) -> str:
    """The HTML page of one app. ``static_base`` ends with '/'; ``extra_head`` is trusted HTML
    an embedder adds to ``<head>`` (the desktop shell's bridge script). ``inline`` puts our CSS
    and JavaScript in the page itself (see ``bundle.py``: no request before the first output);
    a ``cdn`` URL base loads them from there instead. ``first_frame``: a prerendered session's
    first frame (a JSON array of commands), applied by the front end before any socket frame."""
    s = page_settings(app)
    esc = functools.partial(html.escape, quote=True)
    head = [f'<link rel="icon" href="{esc(static_base)}icon.svg" type="image/svg+xml">']
    if inline:
        css, script = inline_front_end(STATIC_PATH)
        head += [f"<style>{css}</style>", f'<script type="module">{script}</script>']
    else:
        head += [
            f'<link rel="stylesheet" href="{esc(static_base)}webio.css">',
            # Preload every module so the browser fetches them in parallel, not import by import.
            *(f'<link rel="modulepreload" href="{esc(static_base)}{name}">' for name in _modules()),
            f'<script type="module" src="{esc(static_base)}webio.js"></script>',
        ]
    head += [f'<link rel="stylesheet" href="{esc(url)}">' for url in _as_list(s.get("css_file"))]
    if s.get("css_style"):
        head.append(f"<style>{s['css_style']}</style>")
    head += [f'<script src="{esc(url)}" defer></script>' for url in _as_list(s.get("js_file"))]
    if s.get("js_code"):
        head.append(f"<script>window.addEventListener('load', () => {{\n{s['js_code']}\n}});"
                    "</script>")
    if extra_head:
        head.append(extra_head)
    # "</" can't end the JSON block early once escaped this way.
    config_json = json.dumps(client_config).replace("</", "<\\/")
    initial = ""
    if first_frame is not None:
        # Escaped like the config (an output's text may hold "</script>"), still valid JSON.
        frame_json = first_frame.replace("</", "<\\/").replace("<!--", "<\\u0021--")
        initial = f'<script type="application/json" id="webio-first-frame">{frame_json}</script>\n'

    return f"""<!doctype html>
<html lang="en" data-theme="{esc(s['theme'])}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(s['title'])}</title>
<meta name="description" content="{esc(s['description'])}">
<script type="application/json" id="webio-config">{config_json}</script>
{initial}{EARLY_SOCKET}
{chr(10).join(head)}
</head>
<body>
<main id="webio-output"><div id="pywebio-scope-ROOT" class="webio-scope"></div></main>
<section id="webio-input" aria-label="Input" hidden></section>
</body>
</html>
"""
