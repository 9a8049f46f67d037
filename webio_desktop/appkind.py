"""What kind of function an app is (bottom layer: sessions, the API and servers all ask)."""
from __future__ import annotations

import functools
import inspect
from collections.abc import Callable


def unwrap(func: Callable) -> Callable:
    """The function behind ``functools.partial`` layers (for names and session kinds)."""
    while isinstance(func, functools.partial):
        func = func.func
    return func


def function_doc(func: Callable) -> str:
    """The docstring of ``func``; for a ``functools.partial``, the wrapped function's (unless a
    doc was set on the partial itself), as PyWebIO's ``get_function_doc``."""
    while isinstance(func, functools.partial) and func.__doc__ == functools.partial.__doc__:
        func = func.func
    return inspect.getdoc(func) or ""


def is_coroutine_app(app: Callable) -> bool:
    """Whether ``app`` runs in a coroutine session (``async def``, or a legacy generator app)."""
    target = unwrap(app)
    return inspect.iscoroutinefunction(target) or inspect.isgeneratorfunction(target)
