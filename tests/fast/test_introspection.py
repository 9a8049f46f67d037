"""Importing the API proxies into a test module must not start script mode at collection."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

TEST_MODULE = '''
from webio_desktop.pin import pin
from webio_desktop.session import info, local


def test_nothing():
    assert True
'''


def test_a_test_module_may_import_pin_info_and_local(tmp_path):
    (tmp_path / "test_app.py").write_text(TEST_MODULE)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=110,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    assert "script mode" not in done.stdout + done.stderr
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
