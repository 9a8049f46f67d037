"""Exceptions a session raises into app code (names match PyWebIO's)."""


class SessionException(Exception):
    """Base of the session errors; an app task that raises one ends quietly."""


class SessionClosedException(SessionException):
    """The page was closed while the task waited for it, or the session already ended."""


class SessionNotFoundException(SessionException):
    """The call was made outside of any session task (or after its session ended)."""


class PyWebIOWarning(UserWarning):
    """Warnings about API misuse (kept under PyWebIO's name for compatible filters)."""


class ArgumentError(ValueError, AssertionError):
    """An API call got an argument it can not use.

    PyWebIO checks arguments with ``assert``, so apps written for it may catch
    ``AssertionError``; ours is one too, but raised explicitly so the check still holds
    under ``python -O``. It is also a ``ValueError``, what most Python APIs raise.
    """


def require(condition: object, message: str) -> None:
    """Raise :class:`ArgumentError` with ``message`` unless ``condition`` holds.

    :param condition: the check on the caller's arguments (any truthy value passes).
    :param message: what was wrong and what is accepted, shown to the app's author.
    """
    if not condition:
        raise ArgumentError(message)
