"""Page settings: ``config()`` (per app or global), ``seo()`` and what a page shows of an app.

An API-layer module: apps call ``config``; the page renderer (``server/page.py``) and the
generated index read ``page_settings``/``app_meta`` from here.
"""
from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Callable
from typing import Any

from .appkind import function_doc

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

    from .exceptions import PyWebIOWarning

    warnings.warn("seo() is deprecated, use config(title=..., description=...)",
                  PyWebIOWarning, stacklevel=2)
    decorator = config(title=title, description=description)
    decorator.applied = True  # never a global setting, even if no app is given yet
    return decorator if app is None else decorator(app)


def _app_config(app: Callable) -> dict[str, Any]:
    """config() settings of ``app``, also through ``functools.partial`` layers (outer wins)."""
    settings: dict[str, Any] = {}
    while True:
        settings = {**getattr(app, "_webio_config", {}), **settings}
        if not isinstance(app, functools.partial):
            return settings
        app = app.func


def app_meta(app: Callable) -> tuple[str | None, str | None]:
    """Title and description: config() first, then the docstring (first paragraph = title)."""
    settings = _app_config(app)
    doc = function_doc(app).strip()
    paragraphs = [p.strip() for p in doc.split("\n\n") if p.strip()]
    title = settings.get("title") or (" ".join(paragraphs[0].split()) if paragraphs else None)
    description = settings.get("description") or (
        " ".join(paragraphs[1].split()) if len(paragraphs) > 1 else None)
    return title, description


def page_settings(app: Callable) -> dict[str, Any]:
    """Global config, overridden by the app's own, plus docstring fallbacks."""
    merged = {**_global_config, **_app_config(app)}
    title, description = app_meta(app)
    merged["title"] = title or _global_config.get("title") or DEFAULT_TITLE
    merged["description"] = description or _global_config.get("description") or ""
    theme = os.environ.get("PYWEBIO_THEME") or merged.get("theme")
    _check_theme(theme)
    merged["theme"] = THEMES[theme]
    return merged
