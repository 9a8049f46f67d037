"""Serve a folder of apps (``path_deploy``): ``/a/b`` runs ``main`` of ``<base>/a/b.py``.

Each URL path is one ``WebIOHandler`` target with the apps of one module (its ``main``: a
function, list or dict; ``?app=`` picks one as usual). Modules are imported once and cached;
``?reload`` imports a module again. Directory URLs end in ``/``: their ``index.py`` wins, else a
generated listing (``index=True``), the HTML of ``index(path)`` (a callable), or 403.
Names starting with ``.`` or ``_`` are never served (403), missing ones are 404.
"""
from __future__ import annotations

import ast
import dataclasses
import html
import importlib.util
import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import tornado.web

from .apps import normalize_apps
from .http_poll import SESSION_HEADER
from .tornado import HandlerOptions, WebIOHandler, guarded, static_routes

logger = logging.getLogger("webio_desktop.server")

Index = bool | Callable[[str], str]


class AppFolder:
    """The folder, its imported modules and each module's handler options."""

    def __init__(self, base: str | Path, template: HandlerOptions, index: Index = True) -> None:
        self.base = Path(base).resolve()
        if not self.base.is_dir():
            raise ValueError(f"path_deploy: {base!r} is not a folder")
        self.template = template  # cdn, debug, origins, size limit, guard shared by every module
        self.index = index
        self._options: dict[Path, HandlerOptions] = {}
        self._lock = threading.Lock()

    def resolve(self, url_path: str) -> tuple[int, Path | None]:
        """``(status, file)``: 200 and the module file, 200 and None for a listing, 403, 404."""
        parts = [p for p in url_path.split("/") if p]
        if any(p.startswith((".", "_")) for p in parts):
            return 403, None
        target = self.base.joinpath(*parts)
        try:
            target.resolve().relative_to(self.base)
        except ValueError:
            return 403, None
        if url_path.endswith("/") or not parts:
            if (target / "index.py").is_file():
                return 200, target / "index.py"
            if not target.is_dir():
                return 404, None
            return (200, None) if self.index else (403, None)
        module_file = target.with_suffix(".py")
        return (200, module_file) if module_file.is_file() else (404, None)

    def options_for(self, module_file: Path, reload: bool = False) -> HandlerOptions:
        """The handler options of a module's apps (imported on first use or on ``reload``)."""
        with self._lock:
            cached = self._options.get(module_file)
            if cached is not None and not reload:
                return cached
            module = _import(module_file, self.base)
            main = getattr(module, "main", None)
            if main is None:
                raise LookupError(f"{module_file.relative_to(self.base)} defines no main")
            options = dataclasses.replace(self.template, apps=normalize_apps(main))
            options.sessions = self.template.sessions  # one set: closing the server closes all
            self._options[module_file] = options
            return options

    def listing(self, url_path: str) -> str:
        """The generated index of a directory: sub-folders and the apps in it."""
        if callable(self.index):
            return self.index(url_path)
        folder = self.base.joinpath(*[p for p in url_path.split("/") if p])
        rows = []
        for entry in sorted(folder.iterdir()):
            if entry.name.startswith((".", "_")):
                continue
            if entry.is_dir():
                rows.append(f'<li><a href="{html.escape(entry.name)}/">'
                            f'{html.escape(entry.name)}/</a></li>')
            elif entry.suffix == ".py" and entry.name != "index.py":
                summary = _app_summary(entry)
                if summary is None:
                    continue
                text = f" — {html.escape(summary)}" if summary else ""
                rows.append(f'<li><a href="{html.escape(entry.stem)}">'
                            f'{html.escape(entry.stem)}</a>{text}</li>')
        title = html.escape(url_path or "/")
        parent = '<p><a href="../">..</a></p>' if url_path.strip("/") else ""
        items = "".join(rows) or "<li>(no apps here)</li>"
        return (f"<!doctype html><html lang=en><meta charset=utf-8><title>{title}</title>"
                f"<meta name=color-scheme content='light dark'>"
                f"<body style='font:16px/1.5 system-ui,sans-serif;max-width:880px;margin:2rem auto;"
                f"padding:0 1rem'><h1>{title}</h1>{parent}<ul>{items}</ul></body></html>")


def _import(module_file: Path, base: Path) -> ModuleType:
    """Import a file as a module of its own (not ``__main__``: its main guard does not run)."""
    relative = module_file.relative_to(base).with_suffix("")
    name = "__webio_path_deploy__." + ".".join(relative.parts)
    spec = importlib.util.spec_from_file_location(name, module_file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    folder = str(module_file.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)  # its own imports of neighbour files work
    spec.loader.exec_module(module)
    return module


def _app_summary(path: Path) -> str | None:
    """The first docstring paragraph of a file that defines ``main`` (None: no ``main``)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None
    defines_main = any(
        (isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "main")
        or (isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "main"
                                                 for t in node.targets))
        for node in tree.body)
    if not defines_main:
        return None
    return (ast.get_docstring(tree) or "").strip().split("\n\n")[0].replace("\n", " ")


def options_for_request(folder: AppFolder, handler: tornado.web.RequestHandler
                        ) -> HandlerOptions | None:
    """The apps of the module a request's path names; None when the listing was the answer.

    Raises HTTPError 403/404 (see ``AppFolder.resolve``) or 500 when the module fails to import.
    ``?reload`` re-imports only on page loads (an HTTP page's API requests repeat its query).
    """
    path = handler.request.path
    status, module_file = folder.resolve(path)
    if status != 200:
        raise tornado.web.HTTPError(status)
    if module_file is None:
        handler.set_header("Content-Type", "text/html; charset=utf-8")
        handler.finish(folder.listing(path))
        return None
    reload = ("reload" in handler.request.query_arguments
              and SESSION_HEADER not in handler.request.headers)
    try:
        return folder.options_for(module_file, reload=reload)
    except LookupError as exc:
        raise tornado.web.HTTPError(404, str(exc)) from None
    except Exception:
        logger.exception("path_deploy: importing %s failed", module_file)
        raise tornado.web.HTTPError(500) from None


class FolderHandler(WebIOHandler):
    """``WebIOHandler`` whose apps come from the module the URL path names."""

    folder: AppFolder  # set on the subclass made by make_folder_application()

    def prepare(self) -> Any:
        options = options_for_request(self.folder, self)
        if options is None:
            return None
        self.options = options
        return super().prepare()


def make_folder_application(folder: AppFolder, *, static_dir: str | None = None,
                            handler_class: type = FolderHandler,
                            **tornado_settings: Any) -> tornado.web.Application:
    """Tornado application: the front end and ``static_dir`` first, then every other path
    (``handler_class``: a WebSocket ``FolderHandler``, or path_deploy_http's HTTP one)."""
    template = folder.template
    settings = {"compress_response": True, "websocket_ping_interval": 30, **tornado_settings}
    if template.max_message_size is not None:
        settings.setdefault("websocket_max_message_size", template.max_message_size)
    handler: type = type("AppFolderHandler", (handler_class,), {"folder": folder,
                                                                "options": template})
    routes = [*static_routes(static_dir), (r"/.*", handler)]
    if template.request_guard is not None:
        routes = [(pattern, guarded(h, template.request_guard), *rest)
                  for pattern, h, *rest in routes]
    return tornado.web.Application(routes, **settings)
