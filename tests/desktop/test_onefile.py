"""The cached one file's format and cache (onefile.py) on real files, without PyInstaller: the
payload round-trips with the web engine's files last, a warm start reuses the unpacked version,
a first start runs the app before the engine's files are unpacked and the app waits for them
(or exits saying so when the unpacking fails), concurrent first starts agree, a damaged or
crashed version is unpacked again, other versions are removed unless a launch holds them, and
an unwritable cache falls back to a temporary folder. Real builds: test_build.py."""
from __future__ import annotations

import io
import os
import shutil
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from webio_desktop.desktop import onefile
from webio_desktop.desktop.onefile import (LOCK, MARKER, READY_FD_ENV, UNPACK_FAILED, AppLock,
                                           AppProcess, EngineGate, clean_stale, ensure_unpacked,
                                           is_whole, launch, read_payload, write_onefile)

from .conftest import waiting_for_engine_files, wait_until


def make_folder(where: Path, text: str = "v1") -> Path:
    folder = where / "app"
    (folder / "_internal" / "sub").mkdir(parents=True)
    (folder / "app").write_text("#!/bin/sh\necho app\n")
    (folder / "app").chmod(0o755)
    (folder / "_internal" / "data.txt").write_text(text * 1000)
    (folder / "_internal" / "sub" / "lib.so.1").write_bytes(os.urandom(4096))
    os.symlink("lib.so.1", folder / "_internal" / "sub" / "lib.so")
    return folder


def make_onefile(tmp_path: Path, text: str = "v1", **kw) -> Path:
    stub = tmp_path / "stub"
    stub.write_bytes(b"\x7fELF-not-really" * 100)
    out = tmp_path / f"one-{text}"
    write_onefile(stub, make_folder(tmp_path / f"src-{text}", text), out, **kw)
    return out


@pytest.mark.parametrize("compress", [False, True])
def test_payload_round_trips_with_modes_and_links(tmp_path, compress):
    one = make_onefile(tmp_path, compress=compress)
    payload = read_payload(one)
    assert payload is not None and payload.offset == 1500
    assert os.access(one, os.X_OK)
    got = ensure_unpacked(one, payload, "app", tmp_path / "cache")
    assert got.cold and not got.temporary
    assert got.folder == tmp_path / "cache" / "app" / payload.key
    assert (got.folder / "_internal" / "data.txt").read_text() == "v1" * 1000
    assert os.readlink(got.folder / "_internal" / "sub" / "lib.so") == "lib.so.1"
    assert stat.S_IMODE((got.folder / "app").stat().st_mode) & 0o111
    assert is_whole(got.folder, payload)


def test_a_file_without_payload_is_not_taken_for_one(tmp_path):
    plain = tmp_path / "plain"
    plain.write_bytes(b"x" * 200)
    assert read_payload(plain) is None
    one = make_onefile(tmp_path)
    cut = tmp_path / "cut"
    cut.write_bytes(one.read_bytes()[:-1])
    assert read_payload(cut) is None


def test_second_start_is_warm_and_a_damaged_version_is_unpacked_again(tmp_path):
    one = make_onefile(tmp_path)
    payload = read_payload(one)
    cache = tmp_path / "cache"
    first = ensure_unpacked(one, payload, "app", cache)
    first.lock.close()
    warm = ensure_unpacked(one, payload, "app", cache, on_cold=lambda: pytest.fail("cold"))
    assert not warm.cold and warm.folder == first.folder
    warm.lock.close()
    (first.folder / "_internal" / "data.txt").write_text("short")  # damaged (e.g. a cleaner)
    assert not is_whole(first.folder, payload)
    cold_again = []
    again = ensure_unpacked(one, payload, "app", cache, on_cold=lambda: cold_again.append(1))
    assert again.cold and cold_again == [1]
    assert (again.folder / "_internal" / "data.txt").read_text() == "v1" * 1000
    assert [p.name for p in (cache / "app").iterdir()] == [payload.key]


def test_other_versions_go_unless_a_running_launch_holds_them(tmp_path):
    cache = tmp_path / "cache"
    old, new = make_onefile(tmp_path, "v1"), make_onefile(tmp_path, "v2")
    old_run = ensure_unpacked(old, read_payload(old), "app", cache)  # still running: lock held
    new_run = ensure_unpacked(new, read_payload(new), "app", cache)
    assert old_run.folder != new_run.folder
    crashed = cache / "app" / ".deadbeef-crashed"
    crashed.mkdir()
    (crashed / LOCK).touch()  # a crashed unpacking: its lock file, no holder
    assert clean_stale(cache / "app", read_payload(new).key) == [".deadbeef-crashed"]
    assert old_run.folder.is_dir()  # held by its launch
    old_run.lock.close()  # that launch ended
    assert clean_stale(cache / "app", read_payload(new).key) == [old_run.folder.name]
    assert sorted(p.name for p in (cache / "app").iterdir()) == [new_run.folder.name]


def test_concurrent_first_starts_agree_on_one_whole_version(tmp_path):
    """Four processes unpack the same one file at once: all get the same, whole folder, and no
    hidden sibling is left behind."""
    one = make_onefile(tmp_path)
    cache = tmp_path / "cache"
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from webio_desktop.desktop.onefile import ensure_unpacked, read_payload
        one = Path({str(one)!r})
        while time.time() < float(sys.argv[1]):
            time.sleep(0.001)
        got = ensure_unpacked(one, read_payload(one), "app", Path({str(cache)!r}))
        print(got.folder, got.cold)
    """)
    import time
    start = str(time.time() + 1.5)
    procs = [subprocess.Popen([sys.executable, "-c", script, start], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outs = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    folders = {out.split()[0] for out, _ in outs}
    payload = read_payload(one)
    assert folders == {str(cache / "app" / payload.key)}
    assert is_whole(cache / "app" / payload.key, payload)
    assert [p.name for p in (cache / "app").iterdir()] == [payload.key]


def test_an_unwritable_cache_falls_back_to_a_temporary_folder(tmp_path):
    one = make_onefile(tmp_path)
    cache = tmp_path / "cache"
    cache.write_text("a file where the cache folder should be")  # refused even to root
    got = ensure_unpacked(one, read_payload(one), "app", cache)
    assert got.temporary and got.cold
    assert not str(got.folder).startswith(str(cache))
    try:
        assert (got.folder / MARKER).is_file() and (got.folder / "app").is_file()
    finally:
        shutil.rmtree(got.folder)


def test_the_apps_environment_drops_the_stubs_bootloader_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("_PYI_APPLICATION_HOME_DIR", "/tmp/_MEI1")
    monkeypatch.setenv("_PYI_SPLASH_IPC", "1234")
    monkeypatch.setenv("LD_LIBRARY_PATH", "/tmp/_MEI1:/usr/local/lib")
    monkeypatch.setenv("LD_LIBRARY_PATH_ORIG", "/usr/local/lib")
    env = onefile.child_env(tmp_path / "one", 7)
    assert not [k for k in env if k.startswith("_PYI_")]
    assert env["LD_LIBRARY_PATH"] == "/usr/local/lib" and "LD_LIBRARY_PATH_ORIG" not in env
    assert env["WEBIO_ONEFILE"] == str(tmp_path / "one") and env["WEBIO_SPLASH_FD"] == "7"


# -- the engine's files last: the app starts before they are unpacked ---------------------------
ENGINE_LIB = "_internal/PyQt6/Qt6/lib/libQt6WebEngineCore.so.6"
# A stand-in for an engine module: importing it reads the engine's library, whole or not.
FAKE_ENGINE = f"""
import os
SIZE = os.path.getsize(os.path.join(os.path.dirname(__file__), "Qt6", "lib",
                                    "libQt6WebEngineCore.so.6"))
"""
# The app of a fake one file: the runtime hook's gate (guarding the stand-in), then the import.
FAKE_APP = f"""#!{sys.executable}
import os, sys
here = os.path.dirname(os.path.abspath(__file__))
from webio_desktop.desktop import onefile
gate = onefile.install_engine_gate()
if gate is not None:
    gate.part = lambda name: 2 if name == "fake_engine" else 0
sys.path.insert(0, os.path.join(here, "_internal", "PyQt6"))
import fake_engine
print("engine library", fake_engine.SIZE, "gate", gate is not None, flush=True)
"""


def make_engine_folder(where: Path) -> Path:
    """A one-folder build's shape: the app, Python's files, what PyInstaller's Qt runtime hook
    loads (QtCore, libQt6Core, ICU through a link in _internal/), and the engine's files."""
    folder = where / "app"
    files = {"app": FAKE_APP, "_internal/base_library.zip": "zip",
             "_internal/PyQt6/QtCore.abi3.so": "qtcore",
             "_internal/PyQt6/sip.cpython-311-x86_64-linux-gnu.so": "sip",
             "_internal/PyQt6/Qt6/lib/libQt6Core.so.6": "core",
             "_internal/PyQt6/Qt6/lib/libicuuc.so.73": "icu",
             "_internal/PyQt6/QtWebEngineCore.abi3.so": "webengine module",
             "_internal/PyQt6/fake_engine.py": FAKE_ENGINE,
             "_internal/PyQt6/Qt6/resources/qtwebengine_resources.pak": "pak" * 1000}
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    (folder / ENGINE_LIB).write_bytes(os.urandom(1 << 20))
    (folder / "app").chmod(0o755)
    os.symlink("PyQt6/Qt6/lib/libicuuc.so.73", folder / "_internal" / "libicuuc.so.73")
    os.symlink("PyQt6/Qt6/lib/libQt6WebEngineCore.so.6",
               folder / "_internal" / "libQt6WebEngineCore.so.6")
    return folder


def make_engine_onefile(tmp_path: Path) -> Path:
    stub = tmp_path / "stub"
    stub.write_bytes(b"\x7fELF-not-really" * 100)
    out = tmp_path / "one-engine"
    write_onefile(stub, make_engine_folder(tmp_path / "src"), out)
    return out


def member_names(one: Path) -> list[str]:
    import tarfile

    payload = read_payload(one)
    with open(one, "rb") as f:
        f.seek(payload.offset)
        with tarfile.open(fileobj=io.BytesIO(f.read(payload.length))) as tar:
            return tar.getnames()


def test_the_payload_holds_the_engines_files_last(tmp_path):
    one = make_engine_onefile(tmp_path)
    names, payload = member_names(one), read_payload(one)
    first, core, rest = (names[:payload.early], names[payload.early:payload.core],
                         names[payload.core:])
    # First: the app, Python's files, links and folders; then what the Qt runtime hook loads;
    # then the rest of the engine.
    assert {"app", "_internal/base_library.zip", "_internal/libQt6WebEngineCore.so.6",
            "_internal/libicuuc.so.73", "_internal/PyQt6/Qt6/resources"} <= set(first)
    assert not [name for name in first if name.startswith("_internal/PyQt6/")
                and not (Path(tmp_path / "src" / "app" / name).is_dir())]
    assert core == ["_internal/PyQt6/Qt6/lib/libQt6Core.so.6",
                    "_internal/PyQt6/Qt6/lib/libicuuc.so.73", "_internal/PyQt6/QtCore.abi3.so",
                    "_internal/PyQt6/sip.cpython-311-x86_64-linux-gnu.so"]
    assert set(rest) == {ENGINE_LIB, "_internal/PyQt6/QtWebEngineCore.abi3.so",
                         "_internal/PyQt6/fake_engine.py",
                         "_internal/PyQt6/Qt6/resources/qtwebengine_resources.pak"}
    assert all(part == sorted(part) for part in (first, core, rest))


def test_the_app_starts_before_the_engines_files_and_waits_for_them(tmp_path, capfd):
    """The app runs once the first part is unpacked, blocks at its first engine import while
    the engine's files are still missing, and imports it once told they are whole."""
    one = make_engine_onefile(tmp_path)
    payload = read_payload(one)
    app = AppProcess(one, "app", [])
    seen = {}

    def started_early(folder: Path) -> None:
        app.start(folder, early=True)
        wait_until(lambda: waiting_for_engine_files(app.proc.pid), 30, 0.02,
                   "the app waiting at its engine import")
        seen["engine file then"] = (folder / ENGINE_LIB).exists()
        seen["app running"] = app.proc.poll() is None

    got = ensure_unpacked(one, payload, "app", tmp_path / "cache", on_early=started_early)
    assert got.cold and seen == {"engine file then": False, "app running": True}
    app.files_whole(got.folder)
    assert app.wait(None) == 0
    out = capfd.readouterr().out
    assert f"engine library {1 << 20} gate True" in out


def test_a_failed_unpacking_makes_the_waiting_app_exit_saying_so(tmp_path, capfd, monkeypatch):
    one = make_engine_onefile(tmp_path)
    copy = onefile._copy_range

    def disk_full(src, offset, dst, size):
        if size == 1 << 20:  # the engine's library
            raise OSError(28, "No space left on device")
        copy(src, offset, dst, size)

    monkeypatch.setattr(onefile, "_copy_range", disk_full)
    status = launch(one, read_payload(one), "app", [], root=tmp_path / "cache")
    assert status == UNPACK_FAILED
    err = capfd.readouterr().err
    assert "app: could not unpack: [Errno 28] No space left on device" in err
    assert "could not all be unpacked from the one file" in err
    assert "Traceback" not in err
    # The next start unpacks it whole (the broken copy set aside and removed), the one after
    # finds every file there and does not make the app wait.
    monkeypatch.setattr(onefile, "_copy_range", copy)
    assert launch(one, read_payload(one), "app", [], root=tmp_path / "cache") == 0
    assert "engine library 1048576 gate True" in capfd.readouterr().out
    assert launch(one, read_payload(one), "app", [], root=tmp_path / "cache") == 0
    assert "engine library 1048576 gate False" in capfd.readouterr().out
    assert [p.name for p in (tmp_path / "cache" / "app").iterdir()] == [read_payload(one).key]


def test_the_engine_gate_holds_the_engines_import_until_the_files_are_whole(tmp_path,
                                                                          monkeypatch):
    (tmp_path / "gated_engine.py").write_text("LOADED = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    read, write = os.pipe()
    gate = EngineGate(read, part=lambda name: 2 if name == "gated_engine" else 0)
    sys.meta_path.insert(0, gate)
    try:
        done = []
        importer = threading.Thread(target=lambda: done.append(__import__("gated_engine")))
        importer.start()
        assert gate.waiting.wait(10)
        assert "gated_engine" not in sys.modules and not done
        os.write(write, b"12")  # the second part whole, then every file
        importer.join(10)
        assert done and done[0].LOADED and gate not in sys.meta_path
    finally:
        os.close(write)
        if gate in sys.meta_path:
            sys.meta_path.remove(gate)
        sys.modules.pop("gated_engine", None)


def test_the_gate_is_installed_only_for_an_app_started_early():
    """In a fresh interpreter (this one has loaded Qt already): no ready pipe, no gate; with
    one, the gate comes first on sys.meta_path, guards the engine's modules but not what
    PyInstaller's Qt runtime hook imports, and goes once the files are whole."""
    script = textwrap.dedent(f"""
        import os, sys
        from webio_desktop.desktop.onefile import install_engine_gate
        assert install_engine_gate() is None
        read, write = os.pipe()
        os.environ[{READY_FD_ENV!r}] = str(read)
        gate = install_engine_gate()
        assert gate is not None and sys.meta_path[0] is gate
        assert {READY_FD_ENV!r} not in os.environ
        assert gate.part("PyQt6.QtWebEngineCore") == gate.part("PyQt6.QtWidgets") == 2
        assert gate.part("PyQt6.QtCore") == gate.part("PyQt6.sip") == 1
        assert gate.part("PyQt6") == gate.part("tornado.web") == 0
        os.write(write, b"1")
        gate.wait(1)  # QtCore's files: the gate stays for the rest
        assert sys.meta_path[0] is gate
        os.write(write, b"2")
        gate.wait(2)
        assert gate not in sys.meta_path
        print("ok")
    """)
    env = {k: v for k, v in os.environ.items() if k != READY_FD_ENV}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=env, timeout=60)
    assert result.returncode == 0 and result.stdout == "ok\n", result.stderr


def test_a_crashed_unpacking_is_redone_and_a_held_broken_copy_is_set_aside(tmp_path):
    one = make_onefile(tmp_path)
    payload = read_payload(one)
    app_dir = tmp_path / "cache" / "app"
    crashed = app_dir / payload.key
    (crashed / "_internal").mkdir(parents=True)
    (crashed / "_internal" / "data.txt").write_text("half")  # no marker: unpacking died
    held = onefile._lock(crashed)  # and its app (started early) still runs from it
    got = ensure_unpacked(one, payload, "app", tmp_path / "cache")
    assert got.cold and got.folder == crashed and is_whole(crashed, payload)
    aside = [p for p in app_dir.iterdir() if p.name != payload.key]
    assert len(aside) == 1 and (aside[0] / "_internal" / "data.txt").read_text() == "half"
    held.close()  # that app ended
    assert clean_stale(app_dir, payload.key) == [aside[0].name]
    assert [p.name for p in app_dir.iterdir()] == [payload.key]


def test_nothing_is_cleaned_while_another_launch_unpacks(tmp_path):
    cache = tmp_path / "cache"
    old, new = make_onefile(tmp_path, "v1"), make_onefile(tmp_path, "v2")
    ensure_unpacked(old, read_payload(old), "app", cache).lock.close()
    ensure_unpacked(new, read_payload(new), "app", cache).lock.close()
    unpacking = AppLock(cache / "app")  # another launch, unpacking a version
    try:
        assert clean_stale(cache / "app", read_payload(new).key) == []
    finally:
        unpacking.release()
    assert clean_stale(cache / "app", read_payload(new).key) == [read_payload(old).key]
