"""Bokeh figures in webio pages, as PyWebIO shows them: ``output_notebook(notebook_type='pywebio')``
then ``show(figure)`` puts the figure in the current scope, drawn by BokehJS that bokeh itself
ships (inline: no CDN, works offline).

The hook is Bokeh's own extension point (``bokeh.io.install_notebook_hook``). Importing bokeh
takes about half a second here, so webio_desktop never imports it: when bokeh is installed,
``watch()`` registers the hook the moment the app's own code imports bokeh's notebook module.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # importlib.abc loads importlib.resources, tempfile, shutil: ~8 ms at start-up
    import importlib.abc
    import importlib.machinery

NOTEBOOK_TYPE = "pywebio"
NOTEBOOK_MODULE = "bokeh.io.notebook"


def _bokeh(name: str) -> ModuleType:
    """A bokeh module, imported by name: PyInstaller follows import statements, and bokeh (with
    numpy) must not land in every built app, only in those that import bokeh themselves."""
    return importlib.import_module(name)


def _load(resources: Any, verbose: bool = False, hide_banner: bool = False,
          load_timeout: int = 5000) -> None:
    """``output_notebook``: BokehJS into the page, once per call (bokeh ships the files)."""
    from .output import put_html

    put_html(_bokeh("bokeh.resources").INLINE.render_js())


def _show_doc(obj: Any, state: Any, notebook_handle: Any = None) -> None:
    """``show(figure)``: the figure's element and the script that draws it into the page."""
    from .output import put_html

    script, div = _bokeh("bokeh.embed").components(obj)
    put_html(div + script)


def _show_app(app: Any, state: Any, notebook_url: Any, **kwargs: Any) -> None:
    raise NotImplementedError("a Bokeh server app can not be shown in a webio page; show a "
                              "document (a figure or a layout) instead")


def install(notebook: ModuleType) -> None:
    """Register the 'pywebio' notebook type with bokeh's notebook module."""
    notebook.install_notebook_hook(NOTEBOOK_TYPE, _load, _show_doc, _show_app, overwrite=True)


class _InstallAfterLoading:
    """Bokeh's own loader for its notebook module, then :func:`install` (a loader by protocol:
    the import system asks only for these two methods)."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self.loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self.loader.exec_module(module)
        install(module)


class _NotebookModuleFinder:
    """Finds nothing itself: when bokeh's notebook module is first imported, it hands back the
    real spec with :class:`_InstallAfterLoading` around its loader, and steps aside (a meta path
    finder by protocol: ``find_spec`` is all the import system calls)."""

    def find_spec(self, name: str, path: Any = None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if name != NOTEBOOK_MODULE:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None:
            spec.loader = _InstallAfterLoading(spec.loader)
        return spec


def watch() -> None:
    """Make ``output_notebook(notebook_type='pywebio')`` work whenever the app uses bokeh."""
    if NOTEBOOK_MODULE in sys.modules:
        install(sys.modules[NOTEBOOK_MODULE])
    elif importlib.util.find_spec("bokeh") is not None:
        if not any(isinstance(f, _NotebookModuleFinder) for f in sys.meta_path):
            sys.meta_path.insert(0, _NotebookModuleFinder())
