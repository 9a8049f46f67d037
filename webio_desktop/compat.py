"""Make ``import pywebio...`` resolve to webio_desktop, so PyWebIO scripts run unchanged.

Used by the desktop launcher (and the benchmarks); ``uninstall_pywebio_alias`` undoes it.
Every ``pywebio.X`` module name maps to ``webio_desktop.X`` (``pywebio.platform.tornado`` to
``webio_desktop.platform.tornado`` and so on); the modules are the same objects, not copies.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
from types import ModuleType

ALIAS = "pywebio"
TARGET = "webio_desktop"


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec) -> ModuleType:
        module = importlib.import_module(self.target)
        self.real_spec = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        # Already executed under its real name; undo the import system's stamp of the alias spec.
        module.__spec__ = self.real_spec


class _AliasFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path=None, target=None):
        if fullname != ALIAS and not fullname.startswith(ALIAS + "."):
            return None
        real = TARGET + fullname[len(ALIAS):]
        if importlib.util.find_spec(real) is None:
            return None
        is_package = hasattr(importlib.import_module(real), "__path__")
        return importlib.util.spec_from_loader(fullname, _AliasLoader(real), is_package=is_package)


_finder = _AliasFinder()


def install_pywebio_alias() -> None:
    """Put the alias first on ``sys.meta_path`` (before any installed PyWebIO)."""
    for name in [n for n in sys.modules if n == ALIAS or n.startswith(ALIAS + ".")]:
        del sys.modules[name]  # an already-imported real PyWebIO must not win
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)


def uninstall_pywebio_alias() -> None:
    if _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    for name in [n for n in sys.modules if n == ALIAS or n.startswith(ALIAS + ".")]:
        del sys.modules[name]
