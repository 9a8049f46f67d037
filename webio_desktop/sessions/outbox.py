"""A session's queued commands, and the limit on output its page has not taken yet.

Commands wait here until the transport frames them. When they pile up (a page that does not
poll, a socket gone for a reconnect) they are encoded to JSON every :data:`CHUNK` commands: a
queued command costs ~5x more as Python objects than as text, and text has a size that the
limit on pending output (``max_pending_output``, docs/limits.md) can count.
"""
from __future__ import annotations

import json
from typing import Any

from .. import protocol

CHUNK = 1000  # commands kept as objects at most; more are encoded


class Outbox:
    """Commands in order: a tail of objects and the encoded chunks before it."""

    __slots__ = ("_commands", "_encoded", "nbytes")

    def __init__(self) -> None:
        self._commands: list[dict[str, Any]] = []
        self._encoded: list[str] = []  # JSON arrays' insides, in order
        self.nbytes = 0  # length of the encoded chunks

    def append(self, command: dict[str, Any]) -> None:
        self._commands.append(command)
        if len(self._commands) >= CHUNK:
            inside = protocol.encode_frame(self._commands)[1:-1]
            self._commands = []
            self._encoded.append(inside)
            self.nbytes += len(inside)

    def __bool__(self) -> bool:
        return bool(self._commands or self._encoded)

    def commands(self) -> list[dict[str, Any]]:
        """Every command as objects, in order (the encoded chunks decoded again): for a
        transport in this process (the testing toolkit's simulated page)."""
        if not self._encoded:
            return self._commands
        return json.loads(self.frame())

    def frame(self) -> str:
        """Every command as one frame (a JSON array), in order."""
        parts = self._encoded
        if self._commands:
            parts = [*parts, protocol.encode_frame(self._commands)[1:-1]]
        return "[" + ",".join(parts) + "]"
