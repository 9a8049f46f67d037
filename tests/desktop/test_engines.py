"""Choosing the web engine: ``start_desktop(engine=...)``, the CLI's ``--engine``, bad names."""
from __future__ import annotations

import os
import subprocess
import sys

import psutil
import pytest

from conftest import wait_until

from .conftest import ROOT, gtk_missing, qt_missing
from .xwin import close_window, find_windows

HELPER_PROCESS = {"qt": "QtWebEngineProcess", "system": "WebKitWebProcess"}


@pytest.mark.parametrize("engine", ["qt", "system"])
def test_start_desktop_runs_on_the_chosen_engine(engine, tmp_path, xdisplay):
    missing = qt_missing() if engine == "qt" else gtk_missing()
    if missing:
        pytest.skip(missing)
    script = tmp_path / "plain.py"
    script.write_text(
        "from webio_desktop.desktop import start_desktop\n"
        "from webio_desktop.output import put_text\n"
        "from webio_desktop.session import set_env\n\n"
        "def main():\n    set_env(title='Engine check')\n    put_text('hello')\n\n"
        f"start_desktop(main, engine={engine!r}, remember=False)\n")
    home = tmp_path / "home"
    (home / ".run").mkdir(parents=True, mode=0o700)
    env = {**os.environ, "DISPLAY": xdisplay, "HOME": str(home), "PYTHONPATH": str(ROOT),
           "XDG_RUNTIME_DIR": str(home / ".run"), "XDG_CONFIG_HOME": str(home / ".config")}
    proc = subprocess.Popen([sys.executable, str(script)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        window = wait_until(lambda: find_windows(xdisplay, "^Engine check$"), 60, 0.2,
                            "the window titled by the app")[0]
        names = {p.name() for p in psutil.Process(proc.pid).children(recursive=True)}
        assert HELPER_PROCESS[engine] in names, names
        other = HELPER_PROCESS["qt" if engine == "system" else "system"]
        assert other not in names
        close_window(xdisplay, window)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_an_unknown_engine_is_refused_before_anything_starts(tmp_path):
    from webio_desktop.desktop import start_desktop

    with pytest.raises(ValueError, match="engine must be one of qt, system, not 'webkit'"):
        start_desktop(lambda: None, engine="webkit")
    (tmp_path / "app.py").write_text("print('ran')\n")
    result = subprocess.run([sys.executable, "-m", "webio_desktop", "--engine", "webkit",
                             str(tmp_path / "app.py")], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert result.returncode == 2
    assert "invalid choice: 'webkit'" in result.stderr and "ran" not in result.stdout
