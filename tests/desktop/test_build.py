"""``webio-desktop build``: real PyInstaller builds of the two-app example, run under Xvfb.

Building takes minutes, so each form (one folder, one file, a plain ``pyinstaller app.py``)
is built once per module and shared by its tests (all marked ``slow``).
"""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import (MULTI, QT_MISSING, ROOT, Launched, free_port, gtk_missing, shown,
                       wait_until, waiting_for_engine_files)
from .xwin import close_window, find_windows, focused_window_name, stacking_order, window_names

# A build takes 20 s to several minutes (one-file, a loaded machine); the shared build is made
# in the first test that needs it, so its time counts there.
BUILD_TIMEOUT = pytest.mark.timeout(1800)


def kill_if_running(proc: subprocess.Popen) -> None:
    """The end of a test's app: killed if it still runs (a failed test), then reaped."""
    if proc.poll() is None:
        proc.kill()
        proc.wait(10)


def cli(*args: str, cwd, env: dict | None = None, prelude: str = "") -> subprocess.CompletedProcess:
    code = f"{prelude}\nimport sys\nfrom webio_desktop.desktop.cli import main\nsys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True,
                          text=True, timeout=1800, env={**os.environ, **(env or {})})


# -- clear errors (no build) ----------------------------------------------------------------------
def test_missing_app_file(tmp_path):
    result = cli("build", "nothing_here.py", cwd=tmp_path)
    assert result.returncode == 2
    assert "no such file: nothing_here.py" in result.stderr


def test_app_that_can_not_be_imported_shows_the_traceback(tmp_path):
    (tmp_path / "broken.py").write_text("import no_such_module_anywhere\n")
    result = cli("build", "broken.py", cwd=tmp_path)
    assert result.returncode == 2
    assert "broken.py can not be imported here" in result.stderr
    assert "Traceback" in result.stderr and "no_such_module_anywhere" in result.stderr


def test_pyinstaller_missing_names_the_extra(tmp_path):
    (tmp_path / "app.py").write_text("from pywebio.output import put_text\nput_text('x')\n")
    hide = "import sys; sys.modules['PyInstaller'] = None  # as if it were not installed"
    result = cli("build", "app.py", cwd=tmp_path, prelude=hide)
    assert result.returncode == 2
    assert "pip install 'webio-desktop[build]'" in result.stderr


def test_bad_add_data_and_icon_are_refused_before_building(tmp_path):
    (tmp_path / "app.py").write_text("from pywebio.output import put_text\nput_text('x')\n")
    result = cli("build", "app.py", "--add-data", "nothere:static", cwd=tmp_path)
    assert result.returncode == 2 and "no such file or folder: nothere" in result.stderr
    result = cli("build", "app.py", "--add-data", "app.py", cwd=tmp_path)
    assert result.returncode == 2 and "use SRC:DEST" in result.stderr
    result = cli("build", "app.py", "--icon", "none.png", cwd=tmp_path)
    assert result.returncode == 2 and "no such icon file" in result.stderr


def test_a_framework_is_bundled_only_for_an_app_that_imports_its_integration(tmp_path):
    from webio_desktop.desktop.build import framework_integrations, parse_app

    app = tmp_path / "app.py"
    app.write_text("from pywebio.output import put_text\nfrom pywebio import start_server\n")
    assert framework_integrations(parse_app(app)) == []
    app.write_text("from pywebio.platform.flask import start_server\n"
                   "from pywebio.platform import aiohttp\n"
                   "import webio_desktop.platform.django\n"
                   "from webio_desktop.platform.tornado_http import webio_handler\n")
    assert framework_integrations(parse_app(app)) == [
        "webio_desktop.platform.aiohttp", "webio_desktop.platform.django",
        "webio_desktop.platform.flask"]  # tornado_http needs nothing beyond Tornado


def test_release_and_debug_build_settings(tmp_path):
    """Release builds strip binaries and leave the developer tools out; --debug keeps both and
    records itself for the built app (which then runs as `webio-desktop --debug`)."""
    from webio_desktop.desktop.build import build_parser, build_settings, stub_settings

    app = tmp_path / "app.py"
    app.write_text("from pywebio.output import put_text\nput_text('x')\n")
    for argv, debug in ((["app.py"], False), (["app.py", "--debug"], True)):
        args = build_parser().parse_args(argv)
        settings = build_settings(args, app, "app", tmp_path / "entry.py", tmp_path, "app")
        assert settings["debug"] is debug and settings["strip"] is (not debug)
        info = json.loads((tmp_path / "webio_build.json").read_text())
        assert info.get("debug", False) is debug
    args = build_parser().parse_args(["app.py", "--onefile"])
    settings = build_settings(args, app, "app", tmp_path / "entry.py", tmp_path, "app")
    # Linux: the app is built as a folder, the stub that carries it has the splash screen.
    assert settings["onefile"] is False and settings["splash"] is None
    stub = stub_settings(args, "app", tmp_path / "stub_entry.py")
    assert stub["splash"].endswith("splash.png")  # Tk is installed (scripts/setup.sh)
    assert "webio_desktop" in stub["excludes"] and "PyQt6" in stub["excludes"]


def test_verify_fails_the_build_with_the_reason(tmp_path):
    """The check run of a built app: an app that dies before its first output fails it, and
    the error shows why (its traceback)."""
    from webio_desktop.desktop.build import BuildError, verify

    if QT_MISSING:
        pytest.skip(QT_MISSING)
    (tmp_path / "app.py").write_text(
        "from webio_desktop.output import put_text\nraise RuntimeError('broken at start')\n")
    fake_exe = tmp_path / "app"  # stands in for a built executable
    fake_exe.write_text(f"#!/bin/sh\nexec {sys.executable} -m webio_desktop {tmp_path / 'app.py'}\n")
    fake_exe.chmod(fake_exe.stat().st_mode | stat.S_IEXEC)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    os.environ.pop("DISPLAY", None)
    try:
        with pytest.raises(BuildError) as failure:
            verify(fake_exe, timeout=120)
    finally:
        os.environ.clear()
        os.environ.update(env)
    assert "did not show its first output" in str(failure.value)
    assert "RuntimeError: broken at start" in str(failure.value)


# -- real builds ----------------------------------------------------------------------------------
def build_multi(where: Path, *options: str) -> Path:
    if QT_MISSING:
        pytest.skip(QT_MISSING)
    result = cli("build", str(MULTI), "--name", "multi", "--version", "1.2.3", *options,
                 cwd=where)
    assert result.returncode == 0, result.stdout + result.stderr
    # Progress is shown, the Qt parts a web view does not use are left out, and the check run
    # saw the first window's first output.
    assert "Analyzing" in result.stdout and "Build complete" in result.stdout
    assert "Qt files a web view does not use" in result.stdout
    assert "webio-desktop build: ok, the app showed 'Notes'" in result.stdout
    # What was left out and what stripping saved are measured and shown.
    assert "web engine developer tools (kept with --debug)" in result.stdout
    assert "stripping the binaries saved" in result.stdout or "--onefile" in options
    return where / "dist" / "multi" if "--onefile" in options else where / "dist" / "multi" / "multi"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One one-folder build of the two-app example (and its Debian package) for the module's
    tests."""
    return build_multi(tmp_path_factory.mktemp("build"), "--deb",
                       "--maintainer", "Webio Tests <tests@example.org>",
                       "--description", "Two windows of notes and a counter")


@pytest.fixture(scope="module")
def built_onefile(tmp_path_factory):
    return build_multi(tmp_path_factory.mktemp("build1"), "--onefile")


def app_env(display: str, home: Path, cdp_port: int | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "PYTHONPATH")}
    env.update({"DISPLAY": display, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
                "XDG_STATE_HOME": str(home / ".state"), "XDG_RUNTIME_DIR": str(home / ".run"),
                "BROWSER": "true"})
    if cdp_port:
        env["QTWEBENGINE_REMOTE_DEBUGGING"] = f"127.0.0.1:{cdp_port}"
    return env


def exercise(executable: Path, display: str, home: Path, browser_type, *,
             splash: bool = False) -> None:
    """The built app as a user meets it: first window, go_app to a second window, a second
    start of the executable shows the first window, closing both exits 0.

    ``splash``: the build shows a splash at every start, the second one included. Xvfb runs no
    window manager, so that splash (a Tk window) takes the X focus and leaves it to the root
    window when it closes; Qt's focus request then carries an older X timestamp than that change
    and the X server ignores it, as it should (a window manager would honour Qt's
    _NET_ACTIVE_WINDOW request instead). There the test checks what X allows: the first window is
    raised above the others."""
    cdp_port = free_port()
    proc = subprocess.Popen([str(executable)], env=app_env(display, home, cdp_port),
                            stdout=subprocess.PIPE, stderr=open(home / "stderr.log", "ab"),
                            text=True)
    app = Launched(proc, cdp_port, display, home, browser_type)
    try:
        page = shown(app.page(), "Hello from the desktop", timeout=60)
        assert "webio_token" not in page.url
        page.click("text=Open the counter")
        counter = wait_until(lambda: app.pages("app=counter"), 30, 0.2, "the counter window")[0]
        shown(counter, "Add how much?")
        wait_until(lambda: "Counter" in window_names(display), 15, 0.2, "a native window")
        wait_until(lambda: stacking_order(display)[-1:] == ["Counter"], 15, 0.2,
                   "the new window on top")

        second = subprocess.run([str(executable)], env=app_env(display, home), timeout=120,
                                capture_output=True, text=True)
        assert second.returncode == 0, second.stdout + second.stderr
        assert "is already running: showed its window" in second.stdout
        app.wait_line("another start of this app: showing its window")
        wait_until(lambda: stacking_order(display)[-1:] == ["Notes"], 15, 0.2,
                   "the first window to be raised above the others")
        if not splash:
            wait_until(lambda: focused_window_name(display) == "Notes", 15, 0.2,
                       "the first window to get the focus")
        assert sorted(window_names(display)) == ["Counter", "Notes"]

        close_window(display, find_windows(display, "^Counter$")[0])
        app.wait_line("counter: session closed")
        close_window(display, find_windows(display, "^Notes$")[0])
        app.wait_line("index: session closed")
        assert app.wait_exit(30) == 0
    finally:
        app.stop()
    logs = list((home / ".state").rglob("desktop_multi.log"))
    assert logs, "the built app logs to the user log folder"


@pytest.mark.slow
@BUILD_TIMEOUT
def test_one_folder_build_opens_windows_and_exits_cleanly(built, xdisplay, browser_type, home):
    exercise(built, xdisplay, home, browser_type)


@pytest.mark.slow
@BUILD_TIMEOUT
def test_one_folder_bundle_is_slim_and_carries_its_build_info(built):
    internal = built.parent / "_internal"
    qt = internal / "PyQt6" / "Qt6"
    assert (qt / "lib" / "libQt6WebEngineCore.so.6").is_file()
    assert not (qt / "qml").exists()
    assert not (qt / "resources" / "qtwebengine_devtools_resources.pak").exists()
    assert (qt / "resources" / "qtwebengine_resources.pak").is_file()
    # Nothing points to a file that is not there: the folder copies with links followed.
    from webio_desktop.desktop.slim import broken_links

    assert broken_links(built.parent) == []
    copy = built.parent.parent / "copied"
    result = subprocess.run(["cp", "-rL", str(built.parent), str(copy)], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    shutil.rmtree(copy)
    assert [p.name for p in (qt / "translations" / "qtwebengine_locales").iterdir()] == ["en-US.pak"]
    assert not list((qt / "lib").glob("libQt6Quick3D*"))
    # The real PyWebIO (and the frameworks it drags in) is not bundled: the launcher serves
    # `import pywebio` from webio_desktop.
    for name in ("pywebio", "numpy", "bokeh", "flask", "django", "aiohttp", "fastapi", "starlette",
                 "uvicorn", "uvloop"):
        assert not (internal / name).exists(), name
    # No build tooling: cmarkgfm's compile step would bring cffi's compiler and setuptools,
    # whose runtime hook imports setuptools at every start of the app.
    from PyInstaller.archive.readers import CArchiveReader

    archive = CArchiveReader(str(built))
    assert [n for n in archive.toc if n.startswith("pyi_rth_")] and not [
        n for n in archive.toc if "setuptools" in n]
    modules = archive.open_embedded_archive("PYZ.pyz").toc
    assert "webio_desktop.render" in modules and "cmarkgfm.cmark" in modules
    assert not [m for m in modules
                if m.split(".")[0] in ("setuptools", "distutils", "pkg_resources", "cffi")]
    info = json.loads((internal / "webio_build.json").read_text())
    assert info == {"name": "multi", "version": "1.2.3", "app": "desktop_multi.py",
                    "engine": "qt"}
    assert (internal / "icon-256.png").is_file()  # our default icon, also the window icon


def as_root(*command: str) -> list[str]:
    return list(command) if os.geteuid() == 0 else ["sudo", "-n", *command]


@pytest.mark.slow
@BUILD_TIMEOUT
def test_debian_package_installs_starts_from_its_menu_entry_and_removes_cleanly(
        built, xdisplay, browser_type, home):
    """The --deb package of the shared build, for real: apt-get installs it on this Debian, the
    menu entry's Exec line starts the app in a window, apt-get remove leaves nothing behind."""
    debs = list(built.parent.parent.glob("multi_1.2.3_*.deb"))
    assert len(debs) == 1, list(built.parent.parent.iterdir())
    fields = subprocess.run(["dpkg-deb", "-f", str(debs[0])], capture_output=True,
                            text=True).stdout
    assert "Package: multi\n" in fields and "Version: 1.2.3\n" in fields
    assert "Maintainer: Webio Tests <tests@example.org>" in fields
    assert "Description: Two windows of notes and a counter" in fields
    depends = re.search(r"^Depends: (.*)$", fields, re.M).group(1).split(", ")
    assert {"libc6", "libgl1", "libxcb1"} <= set(depends)  # derived from the bundle
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    mine = lambda path: (path.startswith("/opt/multi") or path == "/usr/bin/multi"  # noqa: E731
                         or path.endswith(("/multi.desktop", "/apps/multi.png")))
    files: list[str] = []
    try:
        install = subprocess.run(as_root("apt-get", "install", "-y", "--no-install-recommends",
                                         str(debs[0])), capture_output=True, text=True,
                                 timeout=600, env=env)
        assert install.returncode == 0, install.stdout[-2000:] + install.stderr[-2000:]
        files = [p for p in subprocess.run(["dpkg", "-L", "multi"], capture_output=True,
                                           text=True).stdout.splitlines() if mine(p)]
        for path in ("/opt/multi/multi", "/usr/bin/multi", "/usr/share/applications/multi.desktop",
                     "/usr/share/icons/hicolor/256x256/apps/multi.png",
                     "/usr/share/icons/hicolor/16x16/apps/multi.png"):
            assert path in files and os.path.lexists(path), path
        entry = Path("/usr/share/applications/multi.desktop").read_text()
        assert "Icon=multi" in entry and "Name=multi" in entry
        command = [arg for arg in shlex.split(re.search(r"^Exec=(.*)$", entry, re.M).group(1))
                   if not arg.startswith("%")]
        assert os.path.realpath(command[0]) == "/opt/multi/multi"
        cdp_port = free_port()
        proc = subprocess.Popen(command, env=app_env(xdisplay, home, cdp_port),
                                stdout=subprocess.PIPE, stderr=open(home / "stderr.log", "ab"),
                                text=True)
        app = Launched(proc, cdp_port, xdisplay, home, browser_type)
        try:
            shown(app.page(), "Hello from the desktop", timeout=90)
            windows = wait_until(lambda: find_windows(xdisplay, "^Notes$"), 30, 0.2,
                                 "the installed app's window")
            close_window(xdisplay, windows[0])
            assert app.wait_exit(30) == 0
        finally:
            app.stop()
    finally:
        remove = subprocess.run(as_root("apt-get", "remove", "-y", "multi"), capture_output=True,
                                text=True, timeout=600, env=env)
    assert remove.returncode == 0, remove.stdout[-2000:] + remove.stderr[-2000:]
    status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "multi"], capture_output=True,
                            text=True).stdout
    assert "installed" not in status.replace("not-installed", "")
    assert [p for p in files if os.path.lexists(p)] == []
    assert not os.path.lexists("/opt/multi")


@pytest.mark.slow
@BUILD_TIMEOUT
def test_one_file_build_opens_windows_and_exits_cleanly(built_onefile, xdisplay, browser_type,
                                                        home):
    assert built_onefile.is_file()
    exercise(built_onefile, xdisplay, home, browser_type, splash=True)


@pytest.mark.slow
@BUILD_TIMEOUT
def test_one_file_build_shows_a_splash_until_its_window_loaded(built_onefile, xdisplay, home):
    """While the one file unpacks, the bootloader's splash (a Tk window) is on screen; it goes
    once the app's window has loaded its page."""
    proc = subprocess.Popen([str(built_onefile)], env=app_env(xdisplay, home),
                            stdout=subprocess.DEVNULL, stderr=open(home / "stderr.log", "ab"))
    try:
        first = wait_until(lambda: window_names(xdisplay), 120, 0.05, "a first window")
        assert first == ["tk"], first  # the splash, before the app's window
        wait_until(lambda: "Notes" in window_names(xdisplay), 120, 0.2, "the app's window")
        wait_until(lambda: window_names(xdisplay) == ["Notes"], 60, 0.2, "the splash to close")
        close_window(xdisplay, find_windows(xdisplay, "^Notes$")[0])
        assert proc.wait(30) == 0
    finally:
        kill_if_running(proc)


@pytest.mark.slow
@BUILD_TIMEOUT
def test_one_file_unpacks_once_into_the_user_cache(built_onefile, xdisplay, home):
    """The first start unpacks the app into the user's cache (splash first, then the window);
    the next start runs that same copy (nothing unpacked again, the splash still first) and
    removes another version no launch holds. Nothing of the app is left in the temporary
    folder."""
    from webio_desktop.desktop.onefile import LOCK, MARKER, read_payload

    payload = read_payload(built_onefile)
    assert payload is not None and payload.length > 200 * 2**20  # the whole one-folder app
    versions = home / ".cache" / "webio-desktop" / "onefile" / "multi"

    def start_and_close() -> None:
        proc = subprocess.Popen([str(built_onefile)], env=app_env(xdisplay, home),
                                stdout=subprocess.DEVNULL, stderr=open(home / "stderr.log", "ab"))
        try:
            first = wait_until(lambda: window_names(xdisplay), 120, 0.05, "a first window")
            assert first == ["tk"], first  # the splash, before the app's window
            wait_until(lambda: window_names(xdisplay) == ["Notes"], 120, 0.2,
                       "the app's window, the splash closed")
            close_window(xdisplay, find_windows(xdisplay, "^Notes$")[0])
            assert proc.wait(30) == 0
        finally:
            kill_if_running(proc)

    start_and_close()
    version = versions / payload.key
    assert (version / MARKER).is_file() and (version / "multi").is_file()
    assert [p.name for p in versions.iterdir()] == [payload.key]
    unpacked_at = (version / MARKER).stat().st_ino, (version / "multi").stat().st_mtime_ns
    old = versions / "0123456789abcdef"  # an earlier version of the app, not running
    old.mkdir()
    (old / LOCK).touch()
    start_and_close()
    assert ((version / MARKER).stat().st_ino, (version / "multi").stat().st_mtime_ns) == unpacked_at
    assert [p.name for p in versions.iterdir()] == [payload.key]


def payload_members(onefile: Path) -> list:
    import tarfile

    from webio_desktop.desktop.onefile import read_payload

    payload = read_payload(onefile)
    with open(onefile, "rb") as f:
        f.seek(payload.offset)
        with tarfile.open(fileobj=f, mode="r|") as tar:
            return [(m.name, m.size) for m in tar]


@pytest.mark.slow
@BUILD_TIMEOUT
def test_one_file_carries_the_web_engines_files_last(built_onefile):
    """What the app needs before it imports its web engine comes first; the engine's files
    (most of the bytes) after."""
    from webio_desktop.desktop.onefile import read_payload

    members = payload_members(built_onefile)
    payload = read_payload(built_onefile)
    first, core, rest = (dict(members[:payload.early]),
                         dict(members[payload.early:payload.core]), dict(members[payload.core:]))
    assert {"multi", "_internal/base_library.zip", "_internal/libpython3.11.so.1.0",
            "_internal/desktop_multi.py"} <= set(first)
    assert {"_internal/PyQt6/QtCore.abi3.so", "_internal/PyQt6/Qt6/lib/libQt6Core.so.6",
            "_internal/PyQt6/Qt6/lib/libicudata.so.73"} <= set(core)
    assert {"_internal/PyQt6/Qt6/lib/libQt6WebEngineCore.so.6",
            "_internal/PyQt6/QtWebEngineCore.abi3.so", "_internal/PyQt6/QtWidgets.abi3.so",
            "_internal/PyQt6/Qt6/libexec/QtWebEngineProcess"} <= set(rest)
    assert all(name.startswith("_internal/PyQt6/") for name in [*core, *rest])
    assert sum(rest.values()) > 150 * 2**20 and sum(rest.values()) > 2 * sum(first.values())


class FirstPartOnly(Exception):
    """Stops an unpacking after the files the app needs before its engine."""


def start_waiting_app(folder: Path, display: str, home: Path) -> tuple[subprocess.Popen, int]:
    """The built app in ``folder`` started as the stub starts it early, once it waits at its
    first engine import (the gate); and the write end of its ready pipe."""
    read, write = os.pipe()
    env = {**app_env(display, home), "WEBIO_ONEFILE_READY_FD": str(read),
           "WEBIO_DESKTOP_VERIFY": "1"}
    proc = subprocess.Popen([str(folder / "multi")], env=env, pass_fds=(read,),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    os.close(read)
    wait_until(lambda: proc.poll() is not None or waiting_for_engine_files(proc.pid), 120, 0.05,
               "the app at its engine import")
    assert proc.poll() is None, proc.communicate()
    return proc, write


@pytest.mark.slow
@BUILD_TIMEOUT
def test_one_file_app_starts_on_the_first_part_and_waits_for_the_engines_files(
        built_onefile, xdisplay, home, tmp_path):
    """Run with only the first part unpacked, the built app starts and waits (at QtCore's
    import by PyInstaller's Qt runtime hook); the rest is unpacked meanwhile, and told of each
    part it goes on and shows its first output."""
    from webio_desktop.desktop.onefile import read_payload, unpack

    folder = tmp_path / "version"
    folder.mkdir()
    started = {}

    def start() -> None:
        started["proc"], started["ready"] = start_waiting_app(folder, xdisplay, home)
        started["engine there"] = (folder / "_internal/PyQt6/QtWebEngineCore.abi3.so").exists()

    unpack(built_onefile, read_payload(built_onefile), folder, on_early=start,
           on_core=lambda: os.write(started["ready"], b"1"))
    proc = started["proc"]
    try:
        assert started["engine there"] is False
        os.write(started["ready"], b"2")
        os.close(started["ready"])
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, out + err
        assert "webio-desktop: verify ok: Notes" in out
    finally:
        kill_if_running(proc)


@pytest.mark.slow
@BUILD_TIMEOUT
def test_one_file_app_exits_saying_so_when_the_unpacking_fails(built_onefile, xdisplay, home,
                                                              tmp_path):
    """The built app waiting for its engine's files: the stub's pipe closes without a byte
    (the unpacking failed, or the stub died): the app says so and exits, it does not hang nor
    meet missing files."""
    from webio_desktop.desktop.onefile import UNPACK_FAILED, read_payload, unpack

    folder = tmp_path / "version"
    folder.mkdir()

    def stop() -> None:
        raise FirstPartOnly

    with pytest.raises(FirstPartOnly):
        unpack(built_onefile, read_payload(built_onefile), folder, on_early=stop)
    assert not (folder / "_internal/PyQt6/Qt6/lib/libQt6WebEngineCore.so.6").exists()
    proc, ready = start_waiting_app(folder, xdisplay, home)
    os.close(ready)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == UNPACK_FAILED, out + err
    assert "could not all be unpacked from the one file" in err
    assert "Traceback" not in err and "verify ok" not in out


def entry_point_metadata(where: Path) -> list[str]:
    """Our ``pyinstaller40`` entry point as an install of this checkout declares it
    (pyproject.toml). When the environment's install of webio_desktop predates it (an editable
    install of another checkout), a folder with just that metadata is put on the path."""
    from importlib.metadata import entry_points

    import tomllib

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"]
    value = declared["pyinstaller40"]["hook-dirs"]
    if any(ep.value == value for ep in entry_points(group="pyinstaller40")):
        return []
    info = where / "meta" / "webio_desktop_hooks-0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: webio-desktop-hooks\nVersion: 0\n")
    (info / "entry_points.txt").write_text(f"[pyinstaller40]\nhook-dirs = {value}\n")
    return [str(where / "meta")]


@pytest.mark.slow
@BUILD_TIMEOUT
def test_plain_pyinstaller_of_a_webio_app_finds_our_hooks(tmp_path, xdisplay):
    """No `webio-desktop build`: PyInstaller alone, our hooks found by their entry point."""
    if QT_MISSING:
        pytest.skip(QT_MISSING)
    (tmp_path / "plain.py").write_text(
        "from webio_desktop.desktop import start_desktop\n"
        "from webio_desktop.output import put_markdown\n\n"
        "def main():\n    put_markdown('# Plain build\\n*rendered by the bundled front end*')\n\n"
        "if __name__ == '__main__':\n    start_desktop(main)\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *entry_point_metadata(tmp_path)])}
    result = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--paths", str(ROOT), "plain.py"], cwd=tmp_path, capture_output=True, text=True,
        timeout=1800, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    executable = tmp_path / "dist" / "plain" / "plain"
    assert list((tmp_path / "dist" / "plain" / "_internal" / "webio_desktop" / "static").iterdir())
    home = tmp_path / "home"
    (home / ".run").mkdir(parents=True, mode=0o700)
    run = subprocess.run([str(executable)], env={**app_env(xdisplay, home),
                                                 "WEBIO_DESKTOP_VERIFY": "1"},
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    assert "webio-desktop: verify ok: Plain build" in run.stdout


def test_a_system_engine_bundle_leaves_out_what_the_os_provides():
    from webio_desktop.desktop.engines.gtk import leave_out_system

    binaries = [("libwebkit2gtk-4.1.so.0", "/usr/lib/x86_64-linux-gnu/libwebkit2gtk-4.1.so.0", "BINARY"),
                ("libgtk-3.so.0", "/lib/x86_64-linux-gnu/libgtk-3.so.0", "BINARY"),
                ("gi/_gi.cpython-311-x86_64-linux-gnu.so", "/venv/gi/_gi.cpython-311-x86_64-linux-gnu.so", "EXTENSION"),
                ("python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so",
                 "/usr/lib/python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so", "EXTENSION"),
                ("libpython3.11.so.1.0", "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0", "BINARY")]
    datas = [("gi_typelibs/WebKit2-4.1.typelib", "/usr/lib/x86_64-linux-gnu/girepository-1.0/WebKit2-4.1.typelib", "DATA"),
             ("lib/gdk-pixbuf/loaders.cache", "/build/loaders.cache", "DATA"),
             ("webio_desktop/static/webio.js", "/src/webio_desktop/static/webio.js", "DATA")]
    kept_binaries, kept_datas, dropped = leave_out_system(binaries, datas)
    assert [b[0] for b in kept_binaries] == [
        "gi/_gi.cpython-311-x86_64-linux-gnu.so",
        "python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so", "libpython3.11.so.1.0"]
    assert [d[0] for d in kept_datas] == ["webio_desktop/static/webio.js"]
    assert len(dropped) == 4


@pytest.mark.slow
@BUILD_TIMEOUT
def test_system_engine_build_is_small_and_runs_on_webkitgtk(tmp_path, xdisplay):
    """--engine system: no Qt, no GTK/WebKit libraries inside, <= 40 MiB, and it runs (the
    build's own check opens its window); the built app never opens the test channel; its
    Debian package declares the system's engine as dependencies."""
    missing = gtk_missing()
    if missing:
        pytest.skip(missing)
    result = cli("build", str(MULTI), "--name", "multi", "--engine", "system", "--deb",
                 "--version", "1.2.3", "--maintainer", "Webio Tests <tests@example.org>",
                 "--description", "Notes on the system's web engine", cwd=tmp_path,
                 env={"DISPLAY": xdisplay})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "system's own libraries" in result.stdout
    assert "webio-desktop build: ok, the app showed 'Notes'" in result.stdout
    folder = tmp_path / "dist" / "multi"
    internal = folder / "_internal"
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    assert size <= 40 * 2**20, f"{size / 2**20:.1f} MiB"
    assert not (internal / "PyQt6").exists() and (internal / "gi").is_dir()
    names = [p.name for p in internal.rglob("*.so*")]
    assert not [n for n in names if n.startswith(("libwebkit2gtk", "libgtk-3", "libjavascriptcore",
                                                  "libglib-2.0", "libQt6"))], names
    assert json.loads((internal / "webio_build.json").read_text())["engine"] == "system"
    (deb,) = (tmp_path / "dist").glob("multi_1.2.3_*.deb")
    fields = subprocess.run(["dpkg-deb", "-f", str(deb)], capture_output=True, text=True).stdout
    depends = set(re.search(r"^Depends: (.*)$", fields, re.M).group(1).split(", "))
    assert {"libwebkit2gtk-4.1-0", "gir1.2-webkit2-4.1", "gir1.2-gtk-3.0"} <= depends, depends
    contents = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True).stdout
    assert "/opt/multi/multi" in contents and "libQt6" not in contents

    home = tmp_path / "home"
    (home / ".run").mkdir(parents=True, mode=0o700)
    channel = home / "channel.sock"
    proc = subprocess.Popen([str(folder / "multi")], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL,
                            env={**app_env(xdisplay, home), "WEBIO_DESKTOP_TEST_CHANNEL": str(channel)})
    try:
        wait_until(lambda: find_windows(xdisplay, "^Notes$"), 60, 0.2, "the built app's window")
        assert not channel.exists()
        close_window(xdisplay, find_windows(xdisplay, "^Notes$")[0])
        assert proc.wait(30) == 0
    finally:
        kill_if_running(proc)
    (log,) = (home / ".state").rglob("desktop_multi.log")
    assert "test channel" not in log.read_text()
