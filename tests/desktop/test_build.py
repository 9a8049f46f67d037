"""``webio-desktop build``: a real PyInstaller build of a two-app example, run under Xvfb."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import wait_until

from .conftest import EXAMPLES, Launched, free_port, qt_missing, shown
from .xwin import close_window, find_windows, window_names

MULTI = EXAMPLES / "desktop_multi.py"


def cli(*args: str, cwd, env: dict | None = None, prelude: str = "") -> subprocess.CompletedProcess:
    code = f"{prelude}\nimport sys\nfrom webio_desktop.desktop.cli import main\nsys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True,
                          text=True, timeout=600, env={**os.environ, **(env or {})})


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


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One one-folder build of the two-app example for the module's tests."""
    missing = qt_missing()
    if missing:
        pytest.skip(missing)
    where = tmp_path_factory.mktemp("build")
    result = cli("build", str(MULTI), "--name", "multi", cwd=where)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "webio-desktop build: ok, the app showed 'Notes'" in result.stdout
    return where / "dist" / "multi" / "multi"


@pytest.mark.slow
def test_built_app_opens_windows_and_exits_cleanly(built, xdisplay, browser_type, home):
    cdp_port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "PYTHONPATH")}
    env.update({"DISPLAY": xdisplay, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
                "XDG_STATE_HOME": str(home / ".state"), "BROWSER": "true",
                "QTWEBENGINE_REMOTE_DEBUGGING": f"127.0.0.1:{cdp_port}"})
    proc = subprocess.Popen([str(built)], env=env, stdout=subprocess.PIPE,
                            stderr=open(home / "stderr.log", "ab"), text=True)
    app = Launched(proc, cdp_port, xdisplay, home, browser_type)
    try:
        page = shown(app.page(), "Hello from the desktop")
        assert "webio_token" not in page.url
        page.click("text=Open the counter")
        counter = wait_until(lambda: app.pages("app=counter"), 20, 0.2, "the counter window")[0]
        shown(counter, "Add how much?")
        wait_until(lambda: "Counter" in window_names(xdisplay), 15, 0.2, "a native window")
        close_window(xdisplay, find_windows(xdisplay, "^Counter$")[0])
        app.wait_line("counter: session closed")
        close_window(xdisplay, find_windows(xdisplay, "^Notes$")[0])
        app.wait_line("index: session closed")
        assert app.wait_exit(20) == 0
    finally:
        app.stop()
