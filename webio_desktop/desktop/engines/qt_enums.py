"""Unscoped Qt enum members only where they are used: ~0.2 s off every Qt start.

With PyQt6, qtpy makes every enum member of every class in QtCore, QtGui and QtWidgets
reachable without its enum's name (``Qt.AlignLeft`` as well as ``Qt.AlignmentFlag.AlignLeft``).
PyQt6 creates its enum types lazily, so that walk creates all of them at import: 0.26 s of
each start here (bench/README.md), before any window exists. pywebview's Qt window and qtpy's
own modules use unscoped members of a few classes only; those keep them, every other class
keeps PyQt6's scoped names (which our code uses). ``tests/fast/test_qt_enums.py`` reads
pywebview's and qtpy's sources and fails when they start to need another class.
"""
from __future__ import annotations

import enum
import sys
from types import ModuleType

# The classes pywebview's webview/platforms/qt.py (Qt, QEvent, QFile, QFileDialog, QMessageBox)
# and qtpy's modules (Qt, QTextCursor, QFileDialog) use unscoped members of.
UNSCOPED = frozenset({"Qt", "QEvent", "QFile", "QTextCursor", "QFileDialog", "QMessageBox"})


def promote(module: ModuleType, classes: frozenset[str] = UNSCOPED) -> None:
    """Make the enum members of ``classes`` in ``module`` reachable on the class itself."""
    for class_name in classes:
        klass = getattr(module, class_name, None)
        if klass is None:
            continue
        for attribute in [name for name in dir(klass) if name[:1].isupper()]:
            value = getattr(klass, attribute)
            if isinstance(value, enum.EnumMeta):
                for name, member in value.__members__.items():
                    setattr(klass, name, member)


def limit_promotion() -> None:
    """Before qtpy's first import: its enum promotion covers ``UNSCOPED`` only. Too late once
    qtpy.QtCore is imported (everything is promoted then), and nothing to do without PyQt6."""
    if "qtpy.QtCore" in sys.modules:
        return
    try:
        from qtpy import enums_compat
    except Exception:  # no qtpy, or no Qt bindings: the engine's check reports it
        return
    if hasattr(enums_compat, "promote_enums"):  # PyQt6 only
        enums_compat.promote_enums = promote
