"""Ways to serve apps: Tornado here; integrations with other frameworks live in submodules."""
from ..page_config import config, seo
from ..sessions.coroutine import run_event_loop
from .path_deploy import path_deploy, path_deploy_http
from .tornado import start_server

__all__ = ["start_server", "path_deploy", "path_deploy_http", "config", "seo", "run_event_loop"]
