"""Exceptions a session raises into app code (names match PyWebIO's)."""


class SessionException(Exception):
    """Base of the session errors; an app task that raises one ends quietly."""


class SessionClosedException(SessionException):
    """The page was closed while the task waited for it, or the session already ended."""


class SessionNotFoundException(SessionException):
    """The call was made outside of any session task (or after its session ended)."""


class PyWebIOWarning(UserWarning):
    """Warnings about API misuse (kept under PyWebIO's name for compatible filters)."""
