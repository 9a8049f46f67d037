"""path_deploy and webio-path-deploy: a folder of apps served at their paths, in Chromium."""
from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from conftest import free_port, wait_for_port

APPS = {
    "hello.py": '''"""Hello app

Says hello."""
from webio_desktop.output import put_text

def main():
    put_text("hello from the hello app")

if __name__ == "__main__":
    raise SystemExit("the main guard must not run under path_deploy")
''',
    "multi.py": '''from webio_desktop.output import put_text

def first():
    put_text("multi: first")

def other():
    put_text("multi: other")

main = {"index": first, "other": other}
''',
    "sub/deep.py": '''from webio_desktop.output import put_text
from helper import WORD  # a neighbour module of the app file

def main():
    put_text("deep " + WORD)
''',
    "sub/helper.py": 'WORD = "below"\n',
    "_private.py": 'def main():\n    pass\n',
    "nomain.py": 'X = 1\n',
}


@pytest.fixture
def folder(tmp_path):
    base = tmp_path / "apps"
    for name, text in APPS.items():
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return base


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def serve_folder(run_script, folder, *command: str) -> str:
    port = free_port()
    if command:
        run_script(f"import sys; sys.argv = {[*command, str(folder), '-p', str(port)]!r}\n"
                   "from webio_desktop.platform.path_deploy import main\nmain()")
    else:
        run_script("from webio_desktop.platform import path_deploy\n"
                   f"path_deploy({str(folder)!r}, port={port}, host='127.0.0.1')")
    wait_for_port(port)
    return f"http://127.0.0.1:{port}"


def test_folder_apps_listing_and_rules(run_script, folder, page):
    url = serve_folder(run_script, folder)
    page.goto(url + "/")
    listing = page.inner_text("body")
    assert "hello — Hello app" in listing and "multi" in listing and "sub/" in listing
    assert "_private" not in listing and "nomain" not in listing

    page.click("text=hello")
    page.wait_for_selector("text=hello from the hello app")
    page.goto(url + "/sub/deep")
    page.wait_for_selector("text=deep below")
    page.goto(url + "/multi")
    page.wait_for_selector("text=multi: first")
    page.goto(url + "/multi?app=other")
    page.wait_for_selector("text=multi: other")

    assert status(url + "/_private") == 403
    assert status(url + "/sub/../_private") in (403, 404)
    assert status(url + "/missing") == 404
    assert status(url + "/nomain") == 404


def test_modules_are_cached_and_a_query_does_not_reload(run_script, folder, page):
    url = serve_folder(run_script, folder)
    page.goto(url + "/hello")
    page.wait_for_selector("text=hello from the hello app")
    (folder / "hello.py").write_text(APPS["hello.py"].replace("hello from", "changed"))
    page.goto(url + "/hello")
    page.wait_for_selector("text=hello from the hello app")  # still the imported module
    page.goto(url + "/hello?reload")  # PyWebIO's client-side reload: not a client's choice
    page.wait_for_selector("text=hello from the hello app")


def test_debug_server_reimports_a_changed_module_on_page_load(run_script, folder, page):
    url = serve_folder(run_script, folder, "webio-path-deploy", "-d")
    page.goto(url + "/hello")
    page.wait_for_selector("text=hello from the hello app")
    (folder / "hello.py").write_text(APPS["hello.py"].replace("hello from", "changed"))
    page.goto(url + "/hello")
    page.wait_for_selector("text=changed the hello app")


def _counting_app(marker) -> str:
    """An app whose module appends a line to ``marker`` each time its top-level code runs."""
    return (f"with open({str(marker)!r}, 'a') as f:\n    f.write('ran\\n')\n"
            "from webio_desktop.output import put_text\n"
            "def main():\n    put_text('counted app')\n")


def test_requests_run_no_module_code_they_should_not(run_script, folder, page, tmp_path):
    """A file without main is never imported; ?reload does not re-run a module; a link to a
    file outside the folder is not followed, whatever it defines."""
    no_main, counted, outside = (tmp_path / n for n in ("no_main.ran", "counted.ran",
                                                         "outside.ran"))
    (folder / "sideeffect.py").write_text(
        f"open({str(no_main)!r}, 'w').write('ran')\nhelper = 1\n")
    (folder / "counted.py").write_text(_counting_app(counted))
    (tmp_path / "outside.py").write_text(_counting_app(outside))
    (folder / "linked.py").symlink_to(tmp_path / "outside.py")
    (folder / "sub" / "index.py").symlink_to(tmp_path / "outside.py")
    url = serve_folder(run_script, folder)

    assert status(url + "/sideeffect") == 404
    assert not no_main.exists()
    assert status(url + "/linked") == 403
    assert status(url + "/sub/") == 403
    assert not outside.exists()
    for query in ("", "?reload", "?reload=1", "?reload"):
        page.goto(url + "/counted" + query)
        page.wait_for_selector("text=counted app")
    assert counted.read_text() == "ran\n"  # imported once


def test_index_py_wins_and_no_index_forbids(run_script, folder, page):
    (folder / "sub" / "index.py").write_text(
        "from webio_desktop.output import put_text\ndef main():\n    put_text('sub index')\n")
    url = serve_folder(run_script, folder, "webio-path-deploy", "--no-index")
    page.goto(url + "/sub/")
    page.wait_for_selector("text=sub index")
    assert status(url + "/") == 403  # --no-index: a folder without index.py is not listed
