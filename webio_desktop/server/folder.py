"""Serve a folder of apps (``path_deploy``): ``/a/b`` runs ``main`` of ``<base>/a/b.py``.

Each URL path is one ``WebIOHandler`` target with the apps of one module (its ``main``: a
function, list or dict; ``?app=`` picks one as usual). Directory URLs end in ``/``: their
``index.py`` wins, else a generated listing (``index=True``), the HTML of ``index(path)`` (a
callable), or 403. Names starting with ``.`` or ``_`` are never served (403), missing ones are 404.

A request runs no code it should not: only a file that is under the folder once links are
resolved (else 403) and whose source defines ``main`` at its top level (read with ``ast``,
without importing it; else 404) is imported. Modules are imported once and cached; with the
server's ``debug`` a page load imports a module again when its file changed. A client's query
(PyWebIO's ``?reload``) never re-runs module code.
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
from .files import HIDDEN_PREFIXES, refused
from .http_poll import SESSION_HEADER
from .reload import reload_routes
from .tornado import (FrameGuard, HandlerOptions, WebIOHandler, guarded, route_guard,
                      static_routes)

logger = logging.getLogger("webio_desktop.server")

Index = bool | Callable[[str], str]


class AppFolder:
    """The folder, its imported modules and each module's handler options."""

    def __init__(self, base: str | Path, template: HandlerOptions, index: Index = True,
                 reload: bool | None = None) -> None:
        """
        :param base: the folder of apps.
        :param template: cdn, debug, origins, size limit, guard shared by every module.
        :param index: ``True`` (a generated listing), ``False`` (403) or ``index(path) -> html``.
        :param reload: re-import a module on a page load when its file changed (default: the
            template's ``debug``: a development server).
        """
        self.base = Path(base).resolve()
        if not self.base.is_dir():
            raise ValueError(f"path_deploy: {base!r} is not a folder")
        self.template = template
        self.index = index
        self.reload = template.debug if reload is None else reload
        self._options: dict[Path, tuple[tuple[int, int], HandlerOptions]] = {}
        self._lock = threading.Lock()

    def _inside(self, path: Path) -> bool:
        """Whether ``path``, once every link is resolved, is under the folder."""
        try:
            path.resolve().relative_to(self.base)
        except ValueError:
            return False
        return True

    def resolve(self, url_path: str) -> tuple[int, Path | None]:
        """``(status, file)``: 200 and the module file, 200 and None for a listing, 403, 404."""
        if refused(url_path, (*HIDDEN_PREFIXES, "_")):
            return 403, None
        parts = [p for p in url_path.split("/") if p]
        target = self.base.joinpath(*parts)
        if not self._inside(target):
            return 403, None
        if url_path.endswith("/") or not parts:
            index_file = target / "index.py"
            if index_file.is_file():
                return (200, index_file) if self._inside(index_file) else (403, None)
            if not target.is_dir():
                return 404, None
            return (200, None) if self.index else (403, None)
        module_file = target.with_suffix(".py")
        if not module_file.is_file():
            return 404, None
        return (200, module_file) if self._inside(module_file) else (403, None)

    def options_for(self, module_file: Path, page_load: bool = False) -> HandlerOptions:
        """The handler options of a module's apps, imported on first use (and, with
        ``reload``, again on a page load when the file changed since).

        Raises LookupError when the file's source does not define ``main`` (nothing is run)."""
        with self._lock:
            stamp = _stamp(module_file)
            cached = self._options.get(module_file)
            if cached is not None and not (self.reload and page_load and cached[0] != stamp):
                return cached[1]
            if not self._inside(module_file) or _app_tree(module_file) is None:
                raise LookupError(f"{module_file.relative_to(self.base)} defines no main")
            module = _import(module_file, self.base)
            main = getattr(module, "main", None)
            if main is None:
                raise LookupError(f"{module_file.relative_to(self.base)} defines no main")
            options = dataclasses.replace(self.template, apps=normalize_apps(main))
            options.sessions = self.template.sessions  # one set: closing the server closes all
            self._options[module_file] = (stamp, options)
            return options

    def listing(self, url_path: str) -> str:
        """The generated index of a directory: sub-folders and the apps in it."""
        if callable(self.index):
            return self.index(url_path)
        folder = self.base.joinpath(*[p for p in url_path.split("/") if p])
        rows = []
        for entry in sorted(folder.iterdir()):
            if refused(entry.name, (*HIDDEN_PREFIXES, "_")):
                continue
            if entry.is_dir():
                rows.append(f'<li><a href="{html.escape(entry.name)}/">'
                            f'{html.escape(entry.name)}/</a></li>')
            elif entry.suffix == ".py" and entry.name != "index.py":
                tree = _app_tree(entry) if self._inside(entry) else None
                if tree is None:
                    continue
                summary = (ast.get_docstring(tree) or "").strip().split("\n\n")[0]
                summary = summary.replace("\n", " ")
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


def _stamp(path: Path) -> tuple[int, int]:
    """What tells that a file changed: its modification time and size (0, 0 when gone)."""
    try:
        info = path.stat()
    except OSError:
        return 0, 0
    return info.st_mtime_ns, info.st_size


def _app_tree(path: Path) -> ast.Module | None:
    """The parsed source of a file that defines ``main`` at its top level, else None.

    Parsing, not importing: a request for a file that is not an app runs none of its code.
    ``main`` counts when a top-level statement (also inside a top-level ``if``/``try``/
    ``with``) defines it: ``def``/``async def``/``class``, an assignment or an import.
    """
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (OSError, SyntaxError, ValueError):
        return None
    return tree if _defines_main(tree.body) else None


def _defines_main(body: list[ast.stmt]) -> bool:
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.name == "main":
                return True
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "main" for t in targets):
                return True
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            if any((alias.asname or alias.name) == "main" for alias in node.names):
                return True
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            nested = [*node.body, *getattr(node, "orelse", []), *getattr(node, "finalbody", []),
                      *(stmt for handler in getattr(node, "handlers", []) for stmt in handler.body)]
            if _defines_main(nested):
                return True
    return False


def options_for_request(folder: AppFolder, handler: tornado.web.RequestHandler
                        ) -> HandlerOptions | None:
    """The apps of the module a request's path names; None when the listing was the answer.

    Raises HTTPError 403/404 (see ``AppFolder.resolve``) or 500 when the module fails to import.
    Only page loads may re-import a changed module (not an HTTP page's API requests).
    """
    path = handler.request.path
    status, module_file = folder.resolve(path)
    if status != 200:
        raise tornado.web.HTTPError(status)
    if module_file is None:
        handler.set_header("Content-Type", "text/html; charset=utf-8")
        handler.finish(folder.listing(path))
        return None
    page_load = (handler.request.method == "GET"
                 and SESSION_HEADER not in handler.request.headers)
    try:
        return folder.options_for(module_file, page_load=page_load)
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
    guard = route_guard(template)
    if guard is not None:
        routes = [(pattern, guarded(h, guard), *rest) for pattern, h, *rest in routes]
    if template.reload is not None:  # before the catch-all
        routes[-1:-1] = reload_routes(template.reload, guard)
    application = tornado.web.Application(routes, **settings)
    application.add_transform(FrameGuard)
    return application
