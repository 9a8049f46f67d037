"""Reading a request body within the size limit, for WSGI adapters (Flask, Django).

A WSGI view that calls ``request.get_data()`` or ``request.body`` holds the whole body in memory
before anything can refuse it. The adapters read through :func:`read_body` instead: a declared
``Content-Length`` over the limit is refused before a byte is read, and a body of unknown length
(chunked transfer encoding) is read in bounded chunks and refused as soon as it passes the limit.
"""
from __future__ import annotations

from collections.abc import Callable

from .http_poll import HttpResponse

CHUNK_BYTES = 64 * 1024


class BodyTooLarge(Exception):
    """The body is (or claims to be) larger than the limit; ``response`` is the 413 to send."""

    def __init__(self, size: int | None, limit: int) -> None:
        shown = f"{size} bytes" if size is not None else "the body"
        super().__init__(f"{shown} is over the limit of {limit} bytes")
        # (No "Connection: close": WSGI forbids hop-by-hop headers; the server decides.)
        self.response = HttpResponse.error(413, str(self))


def read_body(read: Callable[[int], bytes], content_length: int | None,
              limit: int | None) -> bytes:
    """The body, read ``CHUNK_BYTES`` at a time through ``read`` (a stream's ``read(n)``).

    ``content_length``: the declared length (None: unknown, e.g. chunked); ``limit``: the
    largest body accepted in bytes (None: no limit). Raises :class:`BodyTooLarge` before
    reading when the declared length is over the limit, and as soon as more than ``limit``
    bytes arrived otherwise.
    """
    if limit is not None and content_length is not None and content_length > limit:
        raise BodyTooLarge(content_length, limit)
    parts: list[bytes] = []
    total = 0
    while content_length is None or total < content_length:
        want = CHUNK_BYTES if content_length is None else min(CHUNK_BYTES,
                                                              content_length - total)
        chunk = read(want)
        if not chunk:
            break
        total += len(chunk)
        if limit is not None and total > limit:
            raise BodyTooLarge(None, limit)
        parts.append(chunk)
    return b"".join(parts)


__all__ = ["BodyTooLarge", "CHUNK_BYTES", "read_body"]
