"""The cached one file's format and cache (onefile.py) on real files, without PyInstaller: the
payload round-trips, a warm start reuses the unpacked version, concurrent first starts agree,
a damaged version is unpacked again, other versions are removed unless a launch holds them, and
an unwritable cache falls back to a temporary folder. Real builds: test_build.py."""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from webio_desktop.desktop import onefile
from webio_desktop.desktop.onefile import (LOCK, MARKER, clean_stale, ensure_unpacked, is_whole,
                                           read_payload, write_onefile)


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
