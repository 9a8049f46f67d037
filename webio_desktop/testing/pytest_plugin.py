"""The pytest plugin of webio_desktop.testing (registered by the ``pytest11`` entry point).

``webio_user(app)`` starts a simulated user on ``app`` (what ``start_server`` takes) and closes
it after the test; an error in app code nobody took with ``user.app_error()`` fails the test.
``webio_user.from_script(path)`` tests the apps a script passes to ``start_server``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

# The plugin loads in every pytest run where webio-desktop is installed: import the harness
# only when a test asks for the fixture.


class UserFactory:
    """What the ``webio_user`` fixture gives: call it to open a user on an app."""

    def __init__(self) -> None:
        self.users: list[Any] = []

    def __call__(self, applications: Any, app: str | None = None, **options: Any) -> Any:
        """``User(applications, app, **options)``, closed after the test."""
        from .user import User

        user = User(applications, app, **options)
        self.users.append(user)
        return user

    def from_script(self, path: str | Path, app: str | None = None, **options: Any) -> Any:
        """A user on the apps that the script at ``path`` passes to ``start_server``."""
        from .user import User

        user = User.from_script(path, app, **options)
        self.users.append(user)
        return user

    def close(self) -> None:
        """Close every user (newest first); then fail with the first unreported app error."""
        failure: AssertionError | None = None
        for user in reversed(self.users):
            try:
                user.close()
            except AssertionError as exc:
                failure = failure or exc
        self.users.clear()
        if failure is not None:
            raise failure


@pytest.fixture
def webio_user() -> Any:
    """Open simulated users on apps: ``user = webio_user(app)``; closed after the test."""
    factory = UserFactory()
    yield factory
    factory.close()
