"""What a webio-desktop bundle leaves out of Qt: the parts a web view never uses.

PyInstaller's Qt hooks collect whole Qt modules with their plugins and translations; a web view
needs far less (QtWebEngineWidgets merely links QtQuick, so all of QML comes along). ``slim``
filters the collected files (a spec's ``a.binaries`` / ``a.datas``) by destination path. Shared
libraries that a kept file links to are never dropped, whatever the patterns say: the list
below can only cost size, not a crash. Symbolic links whose target is left out go too, so a
bundle never points to a file that is not there (``broken_links`` checks a built one).
``webio-desktop build`` proves every build renders.
"""
from __future__ import annotations

import fnmatch
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path

logger = logging.getLogger("webio_desktop.build")

QT = "PyQt6/Qt6/"
# Destination paths (fnmatch, "/" separators) that are left out.
DROPPED = [
    QT + "qml/*",  # QML modules: nothing here runs QML
    *(QT + f"lib/libQt6{name}*" for name in (
        "Quick3D", "QuickControls2", "QuickDialogs2", "QuickTemplates2", "QuickLayouts",
        "QuickParticles", "QuickShapes", "QuickTest", "QuickTimeline", "QuickVectorImage",
        "QuickEffects", "MultimediaQuick", "Multimedia", "SpatialAudio", "Pdf", "RemoteObjects",
        "ShaderTools", "Sensors", "TextToSpeech", "Test", "SerialPort", "StateMachine",
        "WebEngineQuick", "WebChannelQuick", "PositioningQuick", "EglFSDeviceIntegration",
        "Svg", "QuickWidgets", "OpenGLWidgets")),
    # Python bindings of Qt modules the launcher and pywebview never import (the Qt libraries
    # under them stay when the web engine links them).
    *(f"PyQt6/Qt{name}.abi3.so" for name in (
        "Qml", "Quick", "QuickWidgets", "OpenGL", "OpenGLWidgets", "Positioning", "DBus")),
    # Platform plugins other than X11, Wayland and offscreen (tests, headless checks).
    *(QT + f"plugins/platforms/libq{name}.so" for name in (
        "eglfs", "linuxfb", "minimal", "minimalegl", "vkkhrdisplay", "vnc")),
    *(QT + f"plugins/{group}/*" for group in (
        "egldeviceintegrations", "generic", "position", "platformthemes", "iconengines",
        "networkinformation", "sceneparser", "assetimporters", "multimedia", "renderers",
        "sensors", "texttospeech", "canbus", "designer", "qmltooling", "qmllint",
        # Qt's own image decoders (the page's images are Chromium's; PNG, the window icon's
        # format, is built into QtGui) and the CUPS print dialog (nothing prints; it alone
        # brings CUPS, GnuTLS and Kerberos).
        "imageformats", "printsupport")),
    # Qt's own translations (the window's text is the app's), and Chromium's UI locales except
    # English (pages are rendered whatever the locale; the locale only names context-menu items).
    QT + "translations/qt*.qm",
    QT + "translations/qtwebengine_locales/*",
]
KEPT = [QT + "translations/qtwebengine_locales/en-US.pak"]
# The web engine's developer tools (the inspector's front end): only in `--debug` builds.
DEVTOOLS = [QT + "resources/qtwebengine_devtools_resources.pak"]


def _dest(entry: tuple) -> str:
    return entry[0].replace(os.sep, "/")


def is_dropped(dest: str, *, debug: bool = False) -> bool:
    """Whether a file collected to ``dest`` is left out (``debug``: keep the developer tools)."""
    dest = dest.replace(os.sep, "/")
    if any(fnmatch.fnmatch(dest, pattern) for pattern in KEPT):
        return False
    patterns = DROPPED if debug else DROPPED + DEVTOOLS
    return any(fnmatch.fnmatch(dest, pattern) for pattern in patterns)


def _linked_names(path: str) -> set[str]:
    """File names of the shared libraries ``path`` links to (PyInstaller's own analysis)."""
    from PyInstaller.depend import bindepend

    try:
        return {os.path.basename(name) for name, _full in bindepend.get_imports(path)}
    except Exception:  # not a binary, or a format the analysis can't read: keep what it may need
        logger.debug("no link analysis for %s", path, exc_info=True)
        return set()


def _link_target(entry: tuple) -> str:
    """Destination a SYMLINK entry ``(dest, relative target, "SYMLINK")`` points to."""
    return os.path.normpath(os.path.join(os.path.dirname(_dest(entry)), entry[1])).replace(
        os.sep, "/")


def slim(binaries: Iterable[tuple], datas: Iterable[tuple], *, debug: bool = False,
         linked: Callable[[str], set[str]] = _linked_names) -> tuple[list, list, list[str]]:
    """``(binaries, datas, dropped destinations)`` without what ``DROPPED`` names.

    Libraries that a kept binary links to stay (followed until nothing more comes back); system
    libraries at the bundle's top that only dropped files needed, directly or through each
    other (GTK for Qt's GTK theme plugin, CUPS for the print plugin...), go too, and so does
    every symbolic link to a file that is not kept. ``debug`` keeps the developer tools.
    """
    binaries, datas = list(binaries), list(datas)
    source = {_dest(e): e[1] for e in binaries if e[2] != "SYMLINK"}
    dropped = {_dest(e) for e in binaries + datas if is_dropped(_dest(e), debug=debug)}
    names: dict[str, list[str]] = {}  # file name -> destinations of the binaries
    for dest in source:
        names.setdefault(os.path.basename(dest), []).append(dest)
    cache: dict[str, set[str]] = {}

    def links(dest: str) -> set[str]:
        if dest not in cache:
            cache[dest] = linked(source[dest])
        return cache[dest]

    def closure(start: Iterable[str], follow: Callable[[str], bool]) -> set[str]:
        """Library names reached from the binaries ``start`` through names ``follow`` takes."""
        found: set[str] = set()
        todo = list(start)
        while todo:
            dest = todo.pop()
            for name in links(dest) - found:
                if follow(name):
                    found.add(name)
                    todo += names.get(name, [])
        return found

    top_level = lambda name: name in names and all("/" not in d for d in names[name])  # noqa: E731
    # Libraries at the bundle's top that dropped binaries need: candidates to go too.
    orphans = closure([d for d in dropped if d in source], top_level)
    needed = closure([d for d in source if d not in dropped
                      and os.path.basename(d) not in orphans], lambda name: True)
    dropped -= {d for name in needed for d in names.get(name, [])}
    dropped |= {d for name in orphans - needed for d in names[name]}
    kept = {_dest(e) for e in binaries + datas if _dest(e) not in dropped}
    dropped |= {_dest(e) for e in binaries + datas
                if e[2] == "SYMLINK" and _link_target(e) not in kept}
    keep = lambda entries: [e for e in entries if _dest(e) not in dropped]  # noqa: E731
    return keep(binaries), keep(datas), sorted(dropped)


def broken_links(folder: Path) -> list[str]:
    """Symbolic links under ``folder`` whose target does not exist, or leads outside it (a
    bundle must copy, package and move as one self-contained folder)."""
    root = folder.resolve()
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            target = path.resolve()
            if not target.exists() or not target.is_relative_to(root):
                found.append(str(path.relative_to(folder)))
    return found


def _group(dest: str, typecode: str) -> str:
    if typecode == "SYMLINK":
        return "symbolic links to left-out files"
    if any(fnmatch.fnmatch(dest, pattern) for pattern in DEVTOOLS):
        return "web engine developer tools (kept with --debug)"
    if "/" not in dest:
        return "system libraries only left-out files needed"
    if dest.startswith(QT + "qml/"):
        return "QML modules"
    if dest.startswith(QT + "lib/"):
        return "Qt libraries"
    if dest.startswith(QT + "plugins/"):
        return "Qt plugins"
    if dest.startswith(QT + "translations/"):
        return "Qt translations, Chromium UI locales"
    if dest.startswith("PyQt6/"):
        return "Python bindings of unused Qt modules"
    return "other"


def savings(binaries: Iterable[tuple], datas: Iterable[tuple],
            dropped: Iterable[str]) -> dict[str, dict[str, int]]:
    """What ``slim`` left out, by group: ``{group: {"files": n, "bytes": size}}``, measured on
    the collected source files (``binaries``/``datas`` as they were before ``slim``)."""
    entries = {_dest(e): e for e in [*binaries, *datas]}
    groups: dict[str, dict[str, int]] = {}
    for dest in dropped:
        _name, src, typecode = entries[dest]
        group = groups.setdefault(_group(dest, typecode), {"files": 0, "bytes": 0})
        group["files"] += 1
        if typecode != "SYMLINK" and os.path.isfile(src):
            group["bytes"] += os.path.getsize(src)
    return groups
