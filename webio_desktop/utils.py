"""Small helpers PyWebIO users also import (``pywebio.utils``)."""
from __future__ import annotations

import inspect
import re
import secrets
import socket
import string

from .server.apps import unwrap
from .server.page import STATIC_PATH

__all__ = ["STATIC_PATH", "parse_file_size", "get_free_port", "random_str", "get_function_name",
           "iscoroutinefunction", "isgeneratorfunction"]

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]?)b?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}


def parse_file_size(size: int | float | str) -> int:
    """Bytes from an int or a string like ``'200M'``, ``'40k'``, ``'1G'`` (1024-based)."""
    if isinstance(size, (int, float)):
        return int(size)
    match = _SIZE.match(str(size))
    if match is None:
        raise ValueError(f"not a size: {size!r} (use e.g. 512, '40K', '3M', '1G')")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def get_free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago (prefer binding port 0 where you can)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def random_str(length: int = 16) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def get_function_name(func, default: str | None = None) -> str | None:
    return getattr(unwrap(func), "__name__", default)


def iscoroutinefunction(func) -> bool:
    return inspect.iscoroutinefunction(unwrap(func))


def isgeneratorfunction(func) -> bool:
    return inspect.isgeneratorfunction(unwrap(func))
