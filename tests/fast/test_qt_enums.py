"""The Qt engine promotes unscoped enum members only for the classes that need them
(webio_desktop/desktop/engines/qt_enums.py). Read from pywebview's and qtpy's own sources, so
an upgrade that starts to use another class's unscoped members fails here, not in a window."""
from __future__ import annotations

import ast
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("PyQt6.QtWebEngineWidgets")

from webio_desktop.desktop.engines.qt_enums import UNSCOPED  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SOURCES = ["webview.platforms.qt", "qtpy.QtCore", "qtpy.QtGui", "qtpy.QtWidgets", "qtpy.compat",
           "qtpy.QtWebEngineCore", "qtpy.QtWebEngineWidgets"]
QT_MODULES = ["QtCore", "QtGui", "QtWidgets", "QtWebEngineCore", "QtWebEngineWidgets"]

# In plain PyQt6 (no qtpy): which (class, name) pairs are enum members reachable only through
# their enum type, i.e. need promotion.
CHECK = """
import enum, json, sys
from importlib import import_module
modules = [import_module("PyQt6." + name) for name in %r]
needed = []
for class_name, name in json.loads(sys.stdin.read()):
    klass = next((getattr(m, class_name) for m in modules if hasattr(m, class_name)), None)
    if klass is None or hasattr(klass, name):
        continue
    if any(isinstance(getattr(klass, a), enum.EnumMeta) and name in getattr(klass, a).__members__
           for a in dir(klass) if a[:1].isupper()):
        needed.append(class_name)
print(json.dumps(sorted(set(needed))))
""" % QT_MODULES


def read_accesses(module: str) -> set[tuple[str, str]]:
    """``(Class, Name)`` for every ``Class.Name`` / ``x.Class.Name`` read in ``module``."""
    tree = ast.parse(Path(importlib.util.find_spec(module).origin).read_text(encoding="utf-8"))
    pairs = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load)
                and node.attr[:1].isupper()):
            continue
        owner = node.value
        name = owner.id if isinstance(owner, ast.Name) else (
            owner.attr if isinstance(owner, ast.Attribute) else None)
        if name and name[:1] == "Q":
            pairs.add((name, node.attr))
    return pairs


def test_every_class_whose_unscoped_members_pywebview_or_qtpy_read_is_promoted():
    pairs = set().union(*(read_accesses(module) for module in SOURCES))
    assert ("QMessageBox", "Yes") in pairs and ("Qt", "WindowStaysOnTopHint") in pairs
    out = subprocess.run([sys.executable, "-c", CHECK], input=json.dumps(sorted(pairs)),
                         capture_output=True, text=True, timeout=120, check=True).stdout
    needed = set(json.loads(out))
    assert {"Qt", "QMessageBox"} <= needed  # the scan sees what it must
    assert needed <= UNSCOPED, f"promote these too: {sorted(needed - UNSCOPED)}"


def test_the_engine_promotes_those_classes_and_no_others():
    script = """
from webio_desktop.desktop.engines.qt import QtEngine
assert QtEngine().problem() is None
import webview.platforms.qt  # pywebview's window module imports with the limited promotion
from qtpy.QtCore import Qt, QEvent, QFile
from qtpy.QtGui import QTextCursor
from qtpy.QtWidgets import QFileDialog, QMessageBox, QSizePolicy
print(Qt.WindowStaysOnTopHint is Qt.WindowType.WindowStaysOnTopHint,
      QMessageBox.Yes is QMessageBox.StandardButton.Yes, QEvent.Move is QEvent.Type.Move,
      QFile.ReadOnly is QFile.OpenModeFlag.ReadOnly, QFileDialog.ShowDirsOnly is not None,
      QTextCursor.MoveAnchor is QTextCursor.MoveMode.MoveAnchor,
      hasattr(QSizePolicy, "Expanding"), QSizePolicy.Policy.Expanding is not None)
"""
    env = {**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split() == ["True"] * 6 + ["False", "True"]
