"""``webio-desktop build``: real PyInstaller builds of the two-app example, run under Xvfb.

Building takes minutes, so each form (one folder, one file, a plain ``pyinstaller app.py``)
is built once per module and shared by its tests (all marked ``slow``).
"""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import wait_until

from .conftest import EXAMPLES, ROOT, Launched, free_port, qt_missing, shown
from .xwin import close_window, find_windows, focused_window_name, window_names

MULTI = EXAMPLES / "desktop_multi.py"
# A build takes 20 s to several minutes (one-file, a loaded machine); the shared build is made
# in the first test that needs it, so its time counts there.
BUILD_TIMEOUT = pytest.mark.timeout(1800)


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


def test_verify_fails_the_build_with_the_reason(tmp_path):
    """The check run of a built app: an app that dies before its first output fails it, and
    the error shows why (its traceback)."""
    from webio_desktop.desktop.build import BuildError, verify

    missing = qt_missing()
    if missing:
        pytest.skip(missing)
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
    missing = qt_missing()
    if missing:
        pytest.skip(missing)
    result = cli("build", str(MULTI), "--name", "multi", "--version", "1.2.3", *options,
                 cwd=where)
    assert result.returncode == 0, result.stdout + result.stderr
    # Progress is shown, the Qt parts a web view does not use are left out, and the check run
    # saw the first window's first output.
    assert "Analyzing" in result.stdout and "Build complete" in result.stdout
    assert "Qt files a web view does not use" in result.stdout
    assert "webio-desktop build: ok, the app showed 'Notes'" in result.stdout
    return where / "dist" / "multi" if "--onefile" in options else where / "dist" / "multi" / "multi"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One one-folder build of the two-app example for the module's tests."""
    return build_multi(tmp_path_factory.mktemp("build"))


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


def exercise(executable: Path, display: str, home: Path, browser_type) -> None:
    """The built app as a user meets it: first window, go_app to a second window, a second
    start of the executable shows the first window, closing both exits 0."""
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

        second = subprocess.run([str(executable)], env=app_env(display, home), timeout=120,
                                capture_output=True, text=True)
        assert second.returncode == 0, second.stdout + second.stderr
        assert "is already running: showed its window" in second.stdout
        app.wait_line("another start of this app: showing its window")
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
    assert [p.name for p in (qt / "translations" / "qtwebengine_locales").iterdir()] == ["en-US.pak"]
    assert not list((qt / "lib").glob("libQt6Quick3D*"))
    # The real PyWebIO (and the frameworks it drags in) is not bundled: the launcher serves
    # `import pywebio` from webio_desktop.
    for name in ("pywebio", "numpy", "bokeh", "flask", "django", "aiohttp", "fastapi", "starlette",
                 "uvicorn", "uvloop"):
        assert not (internal / name).exists(), name
    info = json.loads((internal / "webio_build.json").read_text())
    assert info == {"name": "multi", "version": "1.2.3", "app": "desktop_multi.py"}
    assert (internal / "icon-256.png").is_file()  # our default icon, also the window icon


@pytest.mark.slow
@BUILD_TIMEOUT
def test_one_file_build_opens_windows_and_exits_cleanly(built_onefile, xdisplay, browser_type,
                                                        home):
    assert built_onefile.is_file()
    exercise(built_onefile, xdisplay, home, browser_type)


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
    missing = qt_missing()
    if missing:
        pytest.skip(missing)
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
