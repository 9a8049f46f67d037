"""Which names of a user's folder a server never serves (``static_dir``, ``path_deploy``).

One rule for every framework: a URL path any of whose segments starts with ``.`` (``.env``,
``.git/config``, ``.ssh/``) is refused with 403, whether or not the file exists, before the
framework's own file serving looks at it. ``path_deploy`` also refuses ``_`` names.
"""
from __future__ import annotations

import re

__all__ = ["HIDDEN_PREFIXES", "refused"]

HIDDEN_PREFIXES: tuple[str, ...] = (".",)
_SEGMENTS = re.compile(r"[/\\]")  # a backslash separates on Windows


def refused(path: str, prefixes: tuple[str, ...] = HIDDEN_PREFIXES) -> bool:
    """Whether ``path`` (URL-decoded, relative to the served folder) names a hidden entry.

    :param path: the request path below the folder's mount point, e.g. ``css/.env``.
    :param prefixes: the segment prefixes that hide a name (``path_deploy`` adds ``"_"``).
    """
    return any(segment.startswith(prefixes) for segment in _SEGMENTS.split(path) if segment)
