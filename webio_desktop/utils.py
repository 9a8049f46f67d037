"""Small helpers PyWebIO users also import (``pywebio.utils``)."""
from __future__ import annotations

import asyncio
import functools
import inspect
import os
import queue
import random
import re
import secrets
import socket
import string
import time
from collections import OrderedDict
from contextlib import closing
from os.path import abspath, dirname, join, normpath
from pathlib import Path

from .appkind import function_doc as get_function_doc
from .appkind import unwrap

# The front end's files (what ``cdn=False`` deployments host themselves).
STATIC_PATH = str(Path(__file__).resolve().parent / "static")

__all__ = ["STATIC_PATH", "parse_file_size", "get_free_port", "random_str", "get_function_name",
           "get_function_doc", "iscoroutinefunction", "isgeneratorfunction", "pyinstaller_datas",
           "run_as_function", "to_coroutine", "wait_host_port",
           # PyWebIO's module has no __all__, so its star import also hands out the modules and
           # names it imports; test apps rely on that (``time.sleep`` after ``import *``).
           "asyncio", "functools", "inspect", "os", "queue", "random", "socket", "string", "time",
           "OrderedDict", "closing", "abspath", "dirname", "join", "normpath"]

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


def get_free_port() -> int:
    """A TCP port of 127.0.0.1 that was free a moment ago (prefer binding port 0 if you can)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
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


def pyinstaller_datas(cli_args: bool = False) -> list[tuple[str, str]] | str:
    """The front-end files a PyInstaller build must bundle: ``datas`` for a .spec file, or
    the ``--add-data`` option (``cli_args=True``)."""
    datas = [(STATIC_PATH, "webio_desktop/static")]
    if cli_args:
        return " ".join(f'--add-data "{src}{os.pathsep}{dest}"' for src, dest in datas)
    return datas


def run_as_function(gen):
    """Run a generator (PyWebIO's legacy ``yield input(...)`` style) in a thread session:
    each yielded value is sent back as the result of its ``yield``."""
    result = None
    while True:
        try:
            result = gen.send(result)
        except StopIteration as stop:
            return stop.value


async def to_coroutine(gen):
    """The same generator run in a coroutine session: each yielded awaitable is awaited."""
    result = None
    while True:
        try:
            step = gen.send(result)
        except StopIteration as stop:
            return stop.value
        result = await step if inspect.isawaitable(step) else step


async def wait_host_port(host: str, port: int, duration: float = 10, delay: float = 2) -> bool:
    """Wait up to ``duration`` s (after ``delay`` s) until ``host:port`` accepts connections."""
    await asyncio.sleep(delay)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + duration
    while True:
        try:
            _reader, writer = await asyncio.open_connection(host, port)
        except OSError:
            if loop.time() >= deadline:
                return False
            await asyncio.sleep(0.1)
        else:
            writer.close()
            return True
