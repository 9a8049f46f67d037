"""Public names of a package loaded on first use (PEP 562): the package and
``webio_desktop.desktop`` list their names here instead of importing every module, so that
importing them stays cheap (the desktop launcher starts the web engine before the rest loads)."""
from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_names(package: str, namespace: dict[str, Any],
               homes: dict[str, tuple[str, str | None]]) -> tuple[Callable[[str], Any],
                                                                  Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``.

    :param package: the package's name (``__name__``)
    :param namespace: its ``globals()``, where a loaded name is kept
    :param homes: name -> (module relative to the package, its attribute; None: the module itself)
    """
    def __getattr__(name: str) -> Any:
        try:
            module_name, attribute = homes[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        module = importlib.import_module(module_name, package)
        value = module if attribute is None else getattr(module, attribute)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *homes})

    return __getattr__, __dir__
