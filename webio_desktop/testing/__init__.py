"""Test PyWebIO-style apps in-process: a simulated user on a simulated page (docs/testing.md).

No browser, no socket, no sleeps: the app runs in a real session (thread or coroutine) and its
frames are applied to a page model; the test reads the page and acts as a user would::

    from webio_desktop.testing import User

    def test_bmi():
        with User(bmi) as user:
            user.fill("Your height (cm)", 180)
            user.submit()
            user.fill("Your weight (kg)", 75)
            user.submit()
            user.should_see("BMI: 23.1")

Under pytest the ``webio_user`` fixture (this package's pytest plugin) does the closing.
"""
from __future__ import annotations

from .forms import ActionError, UploadFile
from .host import load_apps
from .user import AppError, Element, User

__all__ = ["User", "AppError", "ActionError", "Element", "UploadFile", "load_apps"]
