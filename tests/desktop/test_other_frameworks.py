"""Scripts written for another framework's start_server (Flask, Django, aiohttp, FastAPI,
tornado_http) or for path_deploy_http open in native windows too, unchanged."""
from __future__ import annotations

import pytest

from .conftest import input_ready, needs_qt, shown

pytestmark = needs_qt

APP = '''
from pywebio.input import input
from pywebio.output import put_text
from pywebio.session import info
from {module} import start_server

def main():
    put_text("hello from a {name} script, served by", info.backend)
    put_text("echo: " + input("Say something"))

start_server(main, port=8080{extra})
'''


@pytest.mark.parametrize("name, module, extra", [
    ("flask", "pywebio.platform.flask", ", session_expire_seconds=60"),
    ("django", "pywebio.platform.django", ""),
    ("aiohttp", "pywebio.platform.aiohttp", ", websocket_settings={}"),
    ("fastapi", "pywebio.platform.fastapi", ", reconnect_timeout=5"),
    ("tornado_http", "pywebio.platform.tornado_http", ""),
])
def test_framework_start_server_runs_in_a_window(launch, xdisplay, tmp_path, name, module, extra):
    script = tmp_path / f"{name}_app.py"
    script.write_text(APP.format(module=module, name=name, extra=extra))
    app = launch(script, display=xdisplay)
    # The launcher's own server took over: no Flask/uvicorn/... server was started.
    page = shown(app.page(), f"hello from a {name} script, served by tornado")
    input_ready(page)
    page.fill("input", "hi")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=echo: hi")
    app.proc.terminate()
    assert app.wait_exit(20) == 0


def test_path_deploy_http_folder_in_a_window(launch, xdisplay, tmp_path):
    apps = tmp_path / "apps"
    apps.mkdir()
    (apps / "greet.py").write_text("from pywebio.output import put_text\n\n"
                                   "def main():\n    put_text('greetings over path_deploy_http')\n")
    script = tmp_path / "serve_folder.py"
    script.write_text("from pywebio.platform.path_deploy import path_deploy_http\n"
                      f"path_deploy_http({str(apps)!r}, port=8080)\n")
    app = launch(script, display=xdisplay)
    page = shown(app.page(), "greet")
    page.click("text=greet")
    page.wait_for_selector("text=greetings over path_deploy_http")
    app.proc.terminate()
    assert app.wait_exit(20) == 0
