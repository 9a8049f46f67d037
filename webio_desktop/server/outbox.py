"""What every transport keeps for its page: frames until acknowledged, and the connection state.

Both transports (``server/link.py`` over WebSocket, ``server/http_poll.py`` over HTTP) number
the frames they send, keep each until the page says it applied it, and send the kept ones again
when the page asks (a reconnect, a retried poll). That rule lives in :class:`AckWindow`.
Which of those things a connection may do right now is its :class:`LinkState`, moved only by
:meth:`ConnectionState.to`, where the allowed transitions are checked in one place.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from enum import Enum


class AckWindow:
    """Frames numbered 1, 2, ... in the order sent, kept until the page acknowledges them.

    ``nbytes`` is what the kept frames weigh (UTF-8 is not measured: the length of the text),
    so a limit on pending output can be checked here.
    """

    __slots__ = ("_frames", "sent", "nbytes")

    def __init__(self) -> None:
        self._frames: deque[tuple[int, str]] = deque()
        self.sent = 0  # number of the last frame added (the page counts the frames it applies)
        self.nbytes = 0

    def add(self, frame: str) -> int:
        """Keep ``frame`` as the next one sent; its number."""
        self.sent += 1
        self._frames.append((self.sent, frame))
        self.nbytes += len(frame)
        return self.sent

    def ack(self, upto: int) -> None:
        """The page has applied every frame up to number ``upto``: stop keeping them."""
        frames = self._frames
        while frames and frames[0][0] <= upto:
            self.nbytes -= len(frames.popleft()[1])

    def clear(self) -> None:
        """Keep nothing more (the connection is gone)."""
        self._frames.clear()
        self.nbytes = 0

    def __iter__(self) -> Iterator[tuple[int, str]]:
        """``(number, frame)`` of every frame kept, oldest first."""
        return iter(self._frames)

    def __len__(self) -> int:
        return len(self._frames)


class LinkState(Enum):
    """Where a session's connection to its page is; each state says what may happen in it."""

    NEW = "new"  # made, no page yet: output waits in the session's outbox
    OPEN = "open"  # a page is attached: output is framed and sent (WebSocket) or polled (HTTP)
    DETACHED = "detached"  # the socket dropped: output waits for the page to reconnect in time
    ENDED = "ended"  # the session closed: its last frames wait for the page to fetch them
    GONE = "gone"  # forgotten by the server: nothing is sent, kept or reconnected to again

    @property
    def over(self) -> bool:
        """The session is over: the page is told so with the last frames."""
        return self in (LinkState.ENDED, LinkState.GONE)


# state -> the states it may move to (OPEN -> OPEN: a newer socket replaces the page's old one)
TRANSITIONS: dict[LinkState, frozenset[LinkState]] = {
    LinkState.NEW: frozenset({LinkState.OPEN, LinkState.ENDED, LinkState.GONE}),
    LinkState.OPEN: frozenset({LinkState.OPEN, LinkState.DETACHED, LinkState.ENDED,
                               LinkState.GONE}),
    LinkState.DETACHED: frozenset({LinkState.OPEN, LinkState.GONE}),
    LinkState.ENDED: frozenset({LinkState.GONE}),
    LinkState.GONE: frozenset(),
}


class IllegalTransition(RuntimeError):
    """A transport tried a move its connection's state does not allow (a bug in the transport)."""


class ConnectionState:
    """The current :class:`LinkState` of one connection; :meth:`to` is the only way to move."""

    __slots__ = ("now", "what")

    def __init__(self, what: str = "connection") -> None:
        self.now = LinkState.NEW
        self.what = what  # named in the error, e.g. "session 3f2a"

    def to(self, state: LinkState) -> None:
        """Move to ``state``; IllegalTransition if the current state does not allow it."""
        if state not in TRANSITIONS[self.now]:
            raise IllegalTransition(f"{self.what}: can not go from {self.now.value} to "
                                    f"{state.value}")
        self.now = state

    def __repr__(self) -> str:
        return f"<ConnectionState {self.what}: {self.now.value}>"
