"""What a build leaves out of Qt (webio_desktop/desktop/slim.py), on made-up file lists."""
from __future__ import annotations

from webio_desktop.desktop.build import write_menu_entry
from webio_desktop.desktop.slim import is_dropped, slim

QT = "PyQt6/Qt6/"


def test_dropped_paths():
    assert is_dropped(QT + "qml/QtQuick/Controls/x.qml")
    assert is_dropped(QT + "lib/libQt6Quick3D.so.6")
    assert is_dropped(QT + "translations/qtwebengine_locales/de.pak")
    assert is_dropped(QT + "translations/qtbase_de.qm")
    assert not is_dropped(QT + "translations/qtwebengine_locales/en-US.pak")
    assert not is_dropped(QT + "lib/libQt6WebEngineCore.so.6")
    assert not is_dropped(QT + "lib/libQt6Quick.so.6")  # WebEngineCore links it
    assert not is_dropped(QT + "plugins/platforms/libqxcb.so")
    assert not is_dropped(QT + "resources/qtwebengine_resources.pak")


def test_linked_libraries_stay_and_orphaned_system_libraries_go():
    binaries = [
        (QT + "lib/libQt6WebEngineCore.so.6", "/src/core", "BINARY"),
        (QT + "lib/libQt6Pdf.so.6", "/src/pdf", "BINARY"),  # dropped, but core links it
        (QT + "lib/libQt6Quick3D.so.6", "/src/q3d", "BINARY"),  # dropped, nothing links it
        (QT + "plugins/platformthemes/libqgtk3.so", "/src/gtk", "BINARY"),
        ("libgtk-3.so.0", "/src/libgtk", "BINARY"),  # only the dropped theme plugin needs it
        ("libz.so.1", "/src/libz", "BINARY"),  # the plugin and the core need it
    ]
    links = {"/src/core": {"libQt6Pdf.so.6", "libz.so.1"},
             "/src/gtk": {"libgtk-3.so.0", "libz.so.1"}}
    datas = [(QT + "qml/a.qml", "/src/a.qml", "DATA"), ("static/x.js", "/src/x.js", "DATA")]
    kept, kept_datas, dropped = slim(binaries, datas, linked=lambda src: links.get(src, set()))
    assert [b[0] for b in kept] == [QT + "lib/libQt6WebEngineCore.so.6", QT + "lib/libQt6Pdf.so.6",
                                    "libz.so.1"]
    assert [d[0] for d in kept_datas] == ["static/x.js"]
    assert "libgtk-3.so.0" in dropped and QT + "lib/libQt6Quick3D.so.6" in dropped


def test_menu_entry_names_the_executable_and_icon(tmp_path):
    (tmp_path / "_internal").mkdir()
    (tmp_path / "_internal" / "icon-256.png").write_bytes(b"png")
    path = write_menu_entry(tmp_path / "notes", "notes")
    text = path.read_text()
    assert path.name == "notes.desktop"
    assert f'Exec="{tmp_path / "notes"}"' in text and "Name=notes" in text
    assert f"Icon={tmp_path / '_internal' / 'icon-256.png'}" in text
