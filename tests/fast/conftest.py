"""The fast layer: apps run against webio_desktop.testing's simulated page (no browser).

The ``webio_user`` fixture comes from the package's pytest plugin (entry point); imported here
too so these tests also run from a checkout that is not installed.
"""
from webio_desktop.testing.pytest_plugin import webio_user  # noqa: F401
