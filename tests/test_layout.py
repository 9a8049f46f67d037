"""The repository's layout: ``webio_desktop`` is the only package a wheel installs, and the
top-level ``launcher/``, ``packaging/`` and ``assets/`` folders never shadow real packages."""
from __future__ import annotations

import fnmatch
import os
import subprocess
import sys
import tomllib
from pathlib import Path

from setuptools import find_packages

ROOT = Path(__file__).resolve().parents[1]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_webio_desktop_is_the_only_top_level_package_in_the_wheel():
    packages = find_packages(str(ROOT), **CONFIG["packages"]["find"])
    assert packages and {name.split(".")[0] for name in packages} == {"webio_desktop"}
    assert "webio_desktop._pyinstaller" in packages and "webio_desktop.desktop" in packages
    for folder in ("launcher", "packaging", "assets"):
        assert (ROOT / folder).is_dir()
        assert not list((ROOT / folder).rglob("__init__.py")), f"{folder}/ must not be a package"


def test_what_builds_need_at_run_time_ships_inside_the_package():
    """An installed user has no launcher/ or assets/: the icons and build templates are
    package data of webio_desktop."""
    patterns = CONFIG["package-data"]["webio_desktop"]
    package = ROOT / "webio_desktop"
    needed = [p for p in package.glob("desktop/icons/*")] + list(package.glob("desktop/templates/*"))
    assert {p.name for p in needed} >= {"icon-256.png", "icon.ico", "icon.icns", "app.spec",
                                        "entry.py"}
    for path in needed:
        rel = path.relative_to(package).as_posix()
        assert any(fnmatch.fnmatch(rel, pattern) for pattern in patterns), rel
    entry_points = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"]
    assert entry_points["pyinstaller40"] == {"hook-dirs": "webio_desktop._pyinstaller:get_hook_dirs"}


def test_import_packaging_is_still_pypas_packaging():
    """Run from the repository root (its folders first on sys.path): ``import packaging``
    must find pypa's package, not our packaging/ folder."""
    code = "import packaging, packaging.version; print(packaging.__file__)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    assert "site-packages" in result.stdout and not result.stdout.startswith(str(ROOT / "packaging"))
