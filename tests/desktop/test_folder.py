"""A script that calls path_deploy(folder) runs in native windows too."""
from __future__ import annotations

import pytest

from .conftest import needs_qt, shown

pytestmark = needs_qt


def test_path_deploy_folder_in_a_window(launch, xdisplay, tmp_path):
    apps = tmp_path / "apps"
    (apps / "tools").mkdir(parents=True)
    (apps / "tools" / "greet.py").write_text(
        '"""Greeter"""\nfrom pywebio.output import put_text\nfrom pywebio.session import go_app\n'
        "from pywebio.output import put_buttons\n\n"
        "def main():\n    put_text('greetings from a folder app')\n")
    script = tmp_path / "serve_folder.py"
    script.write_text("from pywebio.platform.path_deploy import path_deploy\n"
                      f"path_deploy({str(apps)!r}, port=8080)\n")
    app = launch(script, display=xdisplay)
    page = shown(app.page(), "tools/")
    page.click("text=tools/")
    page.click("text=greet")
    page.wait_for_selector("text=greetings from a folder app")
    assert page.url.split("/", 3)[3] == "tools/greet"
    app.proc.terminate()
    assert app.wait_exit(20) == 0
