"""Hot reload's parts without windows: ``start_server(debug=True)`` (Tornado's autoreload) in
Chromium, forgetting a folder's modules, the watcher's filter, the reload script in pages."""
from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import ROOT

from webio_desktop.desktop.reload import FolderWatcher, forget_modules, source_filter
from webio_desktop.server.apps import normalize_apps
from webio_desktop.server.connect import HandlerOptions, page_response
from webio_desktop.server.reload import RELOAD_PATH, ReloadChannel

AUTORELOAD_APP = '''\
from webio_desktop import start_server
from webio_desktop.output import put_text

import helper


def main():
    put_text(f"auto version {helper.VERSION}")


start_server(main, debug=True)
'''


def test_start_server_debug_restarts_on_save_and_the_page_reloads(page, tmp_path):
    (tmp_path / "helper.py").write_text("VERSION = 1\n")
    (tmp_path / "app.py").write_text(AUTORELOAD_APP)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    env.pop("WEBIO_DESKTOP_AUTORELOAD_PORT", None)
    proc = subprocess.Popen([sys.executable, str(tmp_path / "app.py")], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env, cwd=tmp_path)
    try:
        url = re.search(r"Serving on (http://\S+)", proc.stdout.readline()).group(1)
        page.goto(url)
        page.wait_for_selector("text=auto version 1")
        page.evaluate("window.oldDocument = true")
        helper = tmp_path / "helper.py"
        helper.write_text("VERSION = 2\n")
        # Tornado's autoreload notes each file's time at its first look (0.5 s after the start):
        # a save before that look goes unseen. Touch the file again until the restart shows.
        restarted = threading.Event()

        def touch() -> None:
            while not restarted.wait(0.5):
                helper.touch()

        threading.Thread(target=touch, daemon=True).start()
        # Tornado's autoreload execs the process again: same pid, same (free) port.
        line = proc.stdout.readline()
        restarted.set()
        assert re.search(r"Serving on (http://\S+)", line).group(1) == url
        page.wait_for_selector("text=auto version 2", timeout=20_000)
        assert page.url == url
        assert page.evaluate("window.oldDocument") is None
        assert proc.poll() is None
    finally:
        proc.terminate()
        proc.wait(10)


def test_forget_modules_drops_the_folders_own_and_their_bytecode(tmp_path, monkeypatch):
    (tmp_path / "mine_helper.py").write_text("X = 1\n")
    package = tmp_path / "mine_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("from . import inner\n")
    (package / "inner.py").write_text("Y = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    import mine_helper  # noqa: F401
    import mine_pkg  # noqa: F401

    cached = Path(sys.modules["mine_helper"].__cached__)
    assert cached.is_file()
    dropped = forget_modules(tmp_path)
    assert sorted(dropped) == ["mine_helper", "mine_pkg", "mine_pkg.inner"]
    assert "mine_helper" not in sys.modules and not cached.exists()
    assert "webio_desktop" in sys.modules and "pytest" in sys.modules
    # Saved again within the same second and the same size: the new code is what loads.
    (tmp_path / "mine_helper.py").write_text("X = 2\n")
    assert importlib.import_module("mine_helper").X == 2
    forget_modules(tmp_path)


def test_forget_modules_keeps_installed_packages_and_webio_desktop():
    assert forget_modules(ROOT / "webio_desktop") == []  # a script inside it: still kept
    assert forget_modules(Path(os.__file__).parent) == []  # the standard library stays


def test_the_watchers_filter(tmp_path):
    (tmp_path / "app.py").mkdir()  # Qt WebEngine's cache folder of a script named app.py
    wanted = source_filter([str(tmp_path)])
    change = 2  # modified
    assert wanted(change, str(tmp_path / "helper.py"))
    assert wanted(change, str(tmp_path / "pkg" / "mod.py"))
    assert not wanted(change, str(tmp_path / "notes.txt"))
    assert not wanted(change, str(tmp_path / "app.py"))
    assert not wanted(change, str(tmp_path / ".cache" / "x.py"))
    assert not wanted(change, str(tmp_path / "__pycache__" / "helper.py"))


def test_the_watcher_sees_a_save(tmp_path):
    seen: list[list[str]] = []
    saved = threading.Event()

    def on_change(paths: list[str]) -> None:
        seen.append(paths)
        saved.set()

    watcher = FolderWatcher([tmp_path], on_change)
    watcher.start()
    try:
        # The watcher is ready once it reports a file written after it started.
        for _ in range(50):
            (tmp_path / "helper.py").write_text("X = 1\n")
            if saved.wait(0.2):
                break
        assert saved.is_set()
        assert seen[0] == [str((tmp_path / "helper.py").resolve())]
    finally:
        watcher.stop()
    assert not watcher._thread.is_alive()


def test_pages_and_the_unknown_app_page_carry_the_reload_script():
    channel = ReloadChannel()
    options = HandlerOptions(normalize_apps(lambda: None), cdn=False, reload=channel)
    first = page_response(options, "/", {}).body.decode()
    assert RELOAD_PATH in first and channel.generation in first
    missing = page_response(options, "/", {"app": "gone"})
    assert missing.status == 404 and RELOAD_PATH in missing.body.decode()
    before = channel.generation
    channel.bump()
    assert channel.generation != before
    assert channel.generation in page_response(options, "/", {}).body.decode()
    plain = HandlerOptions(normalize_apps(lambda: None), cdn=False)
    assert RELOAD_PATH not in page_response(plain, "/", {}).body.decode()
