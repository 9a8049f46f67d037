"""The set of apps a server offers: names, titles, the default index and the unknown-app page."""
from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..appkind import is_coroutine_app, unwrap  # noqa: F401  (transports import them from here)
from ..page_config import app_meta

AppMap = dict[str, Callable[..., Any]]


def normalize_apps(applications: Callable | Sequence[Callable] | Mapping[Any, Callable]) -> AppMap:
    """``{name: app}`` from a function, a list (names from ``__name__``) or a dict.

    Without an ``index`` app, a generated index that links to every app is added.
    """
    if callable(applications) and not isinstance(applications, Mapping):
        apps: AppMap = {"index": applications}
    elif isinstance(applications, Mapping):
        apps = {str(name): app for name, app in applications.items()}
    else:
        apps = {}
        for app in applications:
            name = getattr(unwrap(app), "__name__", None)
            if not name:
                raise ValueError(f"can not tell the name of app {app!r}; use a dict")
            if name in apps:
                raise ValueError(f"two apps are named {name!r}; use a dict to name them")
            apps[name] = app
    for name, app in apps.items():
        if not callable(app):
            raise TypeError(f"app {name!r} is not callable")
    if "index" not in apps:
        apps["index"] = _make_index(dict(apps))
    return apps


def _make_index(apps: AppMap) -> Callable[[], None]:
    def index() -> None:
        """Apps"""
        from ..output import put_link, put_markdown, put_text

        put_markdown("# Apps")
        for name, app in apps.items():
            title, description = app_meta(app)
            put_link(title or name, app=name)
            if description:
                put_text(description)

    return index


def unknown_app_page(name: str, apps: AppMap, head: str = "") -> str:
    """A small, self-contained page that says the app does not exist and lists those that do.

    ``head``: trusted HTML added to its ``<head>`` (the hot-reload script)."""
    links = "\n".join(f'<li><a href="?app={html.escape(n, quote=True)}">{html.escape(n)}</a></li>'
                      for n in apps)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>No app named {html.escape(name)}</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}}
@media (prefers-color-scheme:dark){{body{{background:#16181d;color:#e6e6e6}}a{{color:#8ab4f8}}}}</style>
{head}</head><body>
<h1>No app named “{html.escape(name)}”</h1>
<p>This server has these apps:</p>
<ul>
{links}
</ul>
</body></html>
"""
