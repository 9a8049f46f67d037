"""``static_dir`` in every server that serves one: files are served, hidden names (``.env``,
``.git/``) are refused with 403 whether or not they exist (one rule: ``server/files.py``)."""
from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from conftest import free_port, wait_for_port

SERVERS = {
    "tornado": "from webio_desktop.platform.tornado import start_server",
    "tornado_http": "from webio_desktop.platform.tornado_http import start_server",
    "aiohttp": "from webio_desktop.platform.aiohttp import start_server",
    "fastapi": "from webio_desktop.platform.fastapi import start_server",
    "flask": "from webio_desktop.platform.flask import start_server",
    "django": "from webio_desktop.platform.django import start_server",
    "path_deploy": "from webio_desktop.platform.path_deploy import path_deploy as start_server",
    "path_deploy_http":
        "from webio_desktop.platform.path_deploy import path_deploy_http as start_server",
}


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.mark.parametrize("name", list(SERVERS))
def test_static_dir_serves_files_and_refuses_hidden_names(name, run_script, tmp_path):
    static = tmp_path / "public"
    (static / ".git").mkdir(parents=True)
    (static / "sub").mkdir()
    (static / "ok.txt").write_text("public file")
    (static / "sub" / "ok.txt").write_text("nested public file")
    for hidden in (".env", ".git/config", "sub/.secret"):
        (static / hidden).write_text("SECRET=hunter2")
    apps = tmp_path / "apps"
    apps.mkdir()
    first = str(apps) if name.startswith("path_deploy") else "lambda: None"
    port = free_port()
    run_script(f"{SERVERS[name]}\n"
               f"start_server({first if first.startswith('lambda') else repr(first)}, "
               f"port={port}, host='127.0.0.1', static_dir={str(static)!r})\n")
    wait_for_port(port, 30)
    base = f"http://127.0.0.1:{port}/static/"

    assert fetch(base + "ok.txt") == (200, b"public file")
    assert fetch(base + "sub/ok.txt") == (200, b"nested public file")
    for path in (".env", ".git/config", "sub/.secret", "%2eenv", "sub/%2Esecret", ".missing"):
        status, body = fetch(base + path)
        assert status == 403, (path, status)
        assert b"hunter2" not in body
