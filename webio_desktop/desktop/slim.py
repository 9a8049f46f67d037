"""What a webio-desktop bundle leaves out of Qt: the parts a web view never uses.

PyInstaller's Qt hooks collect whole Qt modules with their plugins and translations; a web view
needs far less (QtWebEngineWidgets merely links QtQuick, so all of QML comes along). ``slim``
filters the collected files (a spec's ``a.binaries`` / ``a.datas``) by destination path. Shared
libraries that a kept file links to are never dropped, whatever the patterns say: the list
below can only cost size, not a crash. ``webio-desktop build`` proves every build renders.
"""
from __future__ import annotations

import fnmatch
import logging
import os
from collections.abc import Callable, Iterable

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
        "Svg")),
    # Platform plugins other than X11, Wayland and offscreen (tests, headless checks).
    *(QT + f"plugins/platforms/libq{name}.so" for name in (
        "eglfs", "linuxfb", "minimal", "minimalegl", "vkkhrdisplay", "vnc")),
    *(QT + f"plugins/{group}/*" for group in (
        "egldeviceintegrations", "generic", "position", "platformthemes", "iconengines",
        "networkinformation", "sceneparser", "assetimporters", "multimedia", "renderers",
        "sensors", "texttospeech", "canbus", "designer", "qmltooling", "qmllint")),
    QT + "plugins/imageformats/libqpdf.so",
    QT + "plugins/imageformats/libqsvg.so",
    # Qt's own translations (the window's text is the app's), and Chromium's UI locales except
    # English (pages are rendered whatever the locale; the locale only names context-menu items).
    QT + "translations/qt*.qm",
    QT + "translations/qtwebengine_locales/*",
]
KEPT = [QT + "translations/qtwebengine_locales/en-US.pak"]


def _dest(entry: tuple) -> str:
    return entry[0].replace(os.sep, "/")


def is_dropped(dest: str) -> bool:
    dest = dest.replace(os.sep, "/")
    if any(fnmatch.fnmatch(dest, pattern) for pattern in KEPT):
        return False
    return any(fnmatch.fnmatch(dest, pattern) for pattern in DROPPED)


def _linked_names(path: str) -> set[str]:
    """File names of the shared libraries ``path`` links to (PyInstaller's own analysis)."""
    from PyInstaller.depend import bindepend

    try:
        return {os.path.basename(name) for name, _full in bindepend.get_imports(path)}
    except Exception:  # not a binary, or a format the analysis can't read: keep what it may need
        logger.debug("no link analysis for %s", path, exc_info=True)
        return set()


def slim(binaries: Iterable[tuple], datas: Iterable[tuple], *,
         linked: Callable[[str], set[str]] = _linked_names) -> tuple[list, list, list[str]]:
    """``(binaries, datas, dropped destinations)`` without what ``DROPPED`` names.

    Libraries that a kept binary links to stay (followed until nothing more comes back); system
    libraries at the bundle's top that only dropped files linked to (GTK for Qt's GTK theme
    plugin, ...) go too.
    """
    binaries, datas = list(binaries), list(datas)
    source = {_dest(e): e[1] for e in binaries}
    dropped = {_dest(e) for e in binaries + datas if is_dropped(_dest(e))}
    names: dict[str, list[str]] = {}  # file name -> destinations of the binaries
    for dest in source:
        names.setdefault(os.path.basename(dest), []).append(dest)
    cache: dict[str, set[str]] = {}

    def links(dest: str) -> set[str]:
        if dest not in cache:
            cache[dest] = linked(source[dest])
        return cache[dest]

    # Library names the dropped binaries link to, at the bundle's top: candidates to go too.
    orphans = {name for dest in dropped if dest in source for name in links(dest)
               if name in names and all("/" not in d for d in names[name])}
    needed: set[str] = set()
    todo = [d for d in source if d not in dropped and os.path.basename(d) not in orphans]
    while todo:
        dest = todo.pop()
        for name in links(dest) - needed:
            needed.add(name)
            todo += names.get(name, [])
    dropped -= {d for name in needed for d in names.get(name, [])}
    dropped |= {d for name in orphans - needed for d in names[name]}
    keep = lambda entries: [e for e in entries if _dest(e) not in dropped]  # noqa: E731
    return keep(binaries), keep(datas), sorted(dropped)
