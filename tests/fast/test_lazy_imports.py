"""What importing the package costs, and the launcher's start order: ``import webio_desktop``
loads neither Tornado nor asyncio (its public names load on first use), and ``webio-desktop``
starts the web engine before the launcher, the server and Tornado load, so the engine's
processes boot while Python imports them."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str, tmp_path: Path) -> dict:
    """Run ``code`` in a fresh interpreter on this checkout; the JSON it prints last."""
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                            text=True, cwd=tmp_path, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(tmp_path),
                                 **{f"XDG_{kind}_HOME": str(tmp_path / kind.lower())
                                    for kind in ("CONFIG", "STATE", "CACHE", "DATA")}})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_importing_the_package_loads_neither_tornado_nor_asyncio(tmp_path):
    """Nor what only later steps need: ``inspect`` (what kind of function an app is) and
    ``importlib.abc`` (with importlib.resources, tempfile, shutil: the bokeh hook's bases)."""
    seen = run_python("""
        import json, sys
        import webio_desktop, webio_desktop.desktop
        before = sorted(m for m in ("tornado", "asyncio", "webio_desktop.output", "inspect",
                                    "importlib.abc", "webio_desktop.desktop.launcher")
                        if m in sys.modules)
        from webio_desktop import start_server, output
        print(json.dumps({"before": before, "after": "tornado" in sys.modules,
                          "put_text": output.put_text.__module__,
                          "start_server": start_server.__module__,
                          "listed": [n for n in ("output", "pin", "config") if n in dir(webio_desktop)]}))
    """, tmp_path)
    assert seen == {"before": [], "after": True, "put_text": "webio_desktop.output",
                    "start_server": "webio_desktop.platform.tornado",
                    "listed": ["output", "pin", "config"]}


def test_an_unknown_name_is_still_an_attribute_error(tmp_path):
    seen = run_python("""
        import json, webio_desktop, webio_desktop.desktop
        errors = []
        for module in (webio_desktop, webio_desktop.desktop):
            try:
                module.no_such_name
            except AttributeError as exc:
                errors.append(str(exc))
        print(json.dumps(errors))
    """, tmp_path)
    assert seen == ["module 'webio_desktop' has no attribute 'no_such_name'",
                    "module 'webio_desktop.desktop' has no attribute 'no_such_name'"]


def test_desktop_windows_stays_the_function_once_the_window_manager_loaded(tmp_path):
    seen = run_python("""
        import json
        from webio_desktop import desktop
        import webio_desktop.desktop.window_manager, webio_desktop.desktop.launcher
        from webio_desktop.desktop import windows, open_file, WindowOptions
        print(json.dumps([callable(desktop.windows), windows is desktop.windows,
                          open_file.__module__, WindowOptions.__module__]))
    """, tmp_path)
    assert seen == [True, True, "webio_desktop.desktop.native",
                    "webio_desktop.desktop.window_manager"]


ORDER = """
    import json, os, sys
    from webio_desktop.desktop import cli, engines

    def loaded():
        return sorted(m for m in ("tornado", "webio_desktop.desktop.launcher",
                                  "webio_desktop.desktop.server", "webio_desktop.output")
                      if m in sys.modules)

    class Recording:
        name, gui, early = "qt", "qt", EARLY

        def problem(self):
            print(json.dumps({"loaded when the engine was checked": loaded()}))
            raise SystemExit(0)

    engines.get_engine = lambda name="qt": Recording()
    os.environ["DISPLAY"] = ":0"  # the engine is asked only when there is a display
    cli.main(["--new-instance", "app.py"])
"""


def test_an_engine_that_starts_early_is_loaded_before_the_launcher(tmp_path):
    """WebKitGTK (``early``): its processes boot while the launcher, the server and Tornado load."""
    (tmp_path / "app.py").write_text("print('the app ran')\n")
    seen = run_python(ORDER.replace("EARLY", "True"), tmp_path)
    assert seen == {"loaded when the engine was checked": []}


def test_an_engine_that_starts_with_its_window_is_loaded_after_the_launcher(tmp_path):
    """Qt (not ``early``): the launcher's modules load first, which a one-file build's first
    start overlaps with unpacking the engine's files."""
    (tmp_path / "app.py").write_text("print('the app ran')\n")
    seen = run_python(ORDER.replace("EARLY", "False"), tmp_path)
    assert seen == {"loaded when the engine was checked": [
        "tornado", "webio_desktop.desktop.launcher", "webio_desktop.desktop.server"]}


def test_an_engine_whose_answer_changes_during_the_imports_is_still_checked_once(tmp_path):
    """Qt's ``early`` turns True once a one file's engine files are whole, which may happen while
    the launcher's modules load: the engine is checked once all the same, after them."""
    (tmp_path / "app.py").write_text("print('the app ran')\n")
    flipping = ORDER.replace("name, gui, early = \"qt\", \"qt\", EARLY", """name, gui = "qt", "qt"
        asked = 0

        @property
        def early(self):
            Recording.asked += 1
            return Recording.asked > 1  # the files were whole by the second question""")
    assert flipping != ORDER
    seen = run_python(flipping, tmp_path)
    assert seen == {"loaded when the engine was checked": [
        "tornado", "webio_desktop.desktop.launcher", "webio_desktop.desktop.server"]}


def test_qt_loads_first_unless_a_one_file_start_still_unpacks_its_files(monkeypatch):
    import sys

    from webio_desktop.desktop.engines.qt import QtEngine
    from webio_desktop.desktop.onefile import EngineGate

    read, write = os.pipe()
    try:
        assert QtEngine().early
        gate = EngineGate(read)  # the app's gate, waiting for the engine's files
        monkeypatch.setattr(sys, "meta_path", [gate, *sys.meta_path])
        assert not QtEngine().early
        gate.fd = None  # every file is whole: the gate is done
        assert QtEngine().early
    finally:
        os.close(read)
        os.close(write)
