"""Ways to serve apps: Tornado here; integrations with other frameworks live in submodules."""
from ..server.page import config
from .tornado import start_server

__all__ = ["start_server", "config"]
