"""Page settings (``config``) and the HTML page that loads our front end."""
from __future__ import annotations

import functools
import hashlib
import html
import inspect
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .bundle import inline_front_end

STATIC_PATH = str(Path(__file__).resolve().parent.parent / "static")

DEFAULT_TITLE = "WebIO Application"

# PyWebIO's theme names map onto our three: light, dark, and "auto" (follow the OS).
THEMES = {None: "auto", "auto": "auto", "default": "auto", "light": "light", "dark": "dark",
          "sketchy": "light", "minty": "light", "yeti": "light"}

_global_config: dict[str, Any] = {}


def _check_theme(theme: str | None) -> None:
    if theme not in THEMES:
        names = ", ".join(sorted(k for k in THEMES if k))
        raise ValueError(f"unknown theme {theme!r}; use one of: {names}")


class _ConfigDecorator:
    """What ``config()`` returns: applied to an app it configures that app; dropped, it sets
    the defaults of every app (PyWebIO's two ways of calling ``config``)."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        self.applied = False

    def __call__(self, func: Callable) -> Callable:
        self.applied = True
        settings = {**getattr(func, "_webio_config", {}), **self.settings}
        if inspect.iscoroutinefunction(func):  # keep coroutine apps recognisable
            @functools.wraps(func)
            async def app(*args: Any, **kwargs: Any) -> Any:
                return await func(*args, **kwargs)
        else:
            @functools.wraps(func)
            def app(*args: Any, **kwargs: Any) -> Any:
                return func(*args, **kwargs)
        app._webio_config = settings  # type: ignore[attr-defined]
        return app

    def __del__(self) -> None:
        if not self.applied:
            _global_config.update(self.settings)


def config(*, title: str | None = None, description: str | None = None,
           theme: str | None = None, js_code: str | None = None,
           js_file: str | list[str] = [], css_style: str | None = None,
           css_file: str | list[str] = [], manifest: bool | dict = True) -> _ConfigDecorator:
    """Page settings, for one app (as a decorator) or for all apps (as a plain call)."""
    _check_theme(theme)
    given = dict(title=title, description=description, theme=theme, js_code=js_code,
                 js_file=js_file, css_style=css_style, css_file=css_file, manifest=manifest)
    defaults = dict(js_file=[], css_file=[], manifest=True)
    settings = {k: v for k, v in given.items() if v is not None and v != defaults.get(k, None)}
    return _ConfigDecorator(settings)


def seo(title: str, description: str | None = None, app: Callable | None = None) -> Any:
    """Deprecated (PyWebIO 1.4): ``config(title=..., description=...)`` for one app, as a
    decorator (``@seo('T')``) or applied directly (``seo('T', app=f)``)."""
    import warnings

    from ..exceptions import PyWebIOWarning

    warnings.warn("seo() is deprecated, use config(title=..., description=...)",
                  PyWebIOWarning, stacklevel=2)
    decorator = config(title=title, description=description)
    decorator.applied = True  # never a global setting, even if no app is given yet
    return decorator if app is None else decorator(app)


def app_meta(app: Callable) -> tuple[str | None, str | None]:
    """Title and description: config() first, then the docstring (first paragraph = title)."""
    settings = getattr(app, "_webio_config", {})
    doc = (getattr(app, "__doc__", None) or "").strip()
    paragraphs = [p.strip() for p in doc.split("\n\n") if p.strip()]
    title = settings.get("title") or (" ".join(paragraphs[0].split()) if paragraphs else None)
    description = settings.get("description") or (
        " ".join(paragraphs[1].split()) if len(paragraphs) > 1 else None)
    return title, description


def page_settings(app: Callable) -> dict[str, Any]:
    """Global config, overridden by the app's own, plus docstring fallbacks."""
    merged = {**_global_config, **getattr(app, "_webio_config", {})}
    title, description = app_meta(app)
    merged["title"] = title or _global_config.get("title") or DEFAULT_TITLE
    merged["description"] = description or _global_config.get("description") or ""
    theme = os.environ.get("PYWEBIO_THEME") or merged.get("theme")
    _check_theme(theme)
    merged["theme"] = THEMES[theme]
    return merged


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


def _as_list(value: str | list[str] | None) -> list[str]:
    if not value:
        return []
    return [value] if isinstance(value, str) else list(value)


# Opens the session's WebSocket as soon as the page starts parsing, while the front end is still
# being compiled: the app starts and its first frames are waiting by the time webio.js runs
# (which takes the socket over, see connect() there). Cold first output measured ~25 ms sooner.
EARLY_SOCKET = """<script>
(() => {
  const config = JSON.parse(document.getElementById('webio-config').textContent || '{}');
  if (config.transport === 'http') return;
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
                extra_head: str = "", inline: bool = True) -> str:
    """The HTML page of one app. ``static_base`` ends with '/'; ``extra_head`` is trusted HTML
    an embedder adds to ``<head>`` (the desktop shell's bridge script). ``inline`` puts our CSS
    and JavaScript in the page itself (see ``bundle.py``: no request before the first output);
    a ``cdn`` URL base loads them from there instead."""
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
    return f"""<!doctype html>
<html lang="en" data-theme="{esc(s['theme'])}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(s['title'])}</title>
<meta name="description" content="{esc(s['description'])}">
<script type="application/json" id="webio-config">{config_json}</script>
{EARLY_SOCKET}
{chr(10).join(head)}
</head>
<body>
<main id="webio-output"><div id="pywebio-scope-ROOT" class="webio-scope"></div></main>
<section id="webio-input" aria-label="Input" hidden></section>
</body>
</html>
"""
