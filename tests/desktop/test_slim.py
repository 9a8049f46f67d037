"""What a build leaves out of Qt (webio_desktop/desktop/slim.py), on made-up file lists."""
from __future__ import annotations

from webio_desktop.desktop.build import write_menu_entry
from webio_desktop.desktop.slim import broken_links, is_dropped, savings, slim

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


def test_links_to_left_out_files_go_and_links_to_kept_files_stay():
    binaries = [
        (QT + "lib/libQt6Core.so.6", "/src/core", "BINARY"),
        (QT + "lib/libQt6Quick3D.so.6", "/src/q3d", "BINARY"),
        ("libQt6Core.so.6", QT + "lib/libQt6Core.so.6", "SYMLINK"),  # PyInstaller's top links
        ("libQt6Quick3D.so.6", QT + "lib/libQt6Quick3D.so.6", "SYMLINK"),
    ]
    kept, _datas, dropped = slim(binaries, [], linked=lambda src: set())
    assert [b[0] for b in kept] == [QT + "lib/libQt6Core.so.6", "libQt6Core.so.6"]
    assert "libQt6Quick3D.so.6" in dropped


def test_devtools_only_in_debug_builds():
    devtools = QT + "resources/qtwebengine_devtools_resources.pak"
    assert is_dropped(devtools)
    assert not is_dropped(devtools, debug=True)
    datas = [(devtools, "/src/devtools", "DATA"), (QT + "resources/icudtl.dat", "/src/icu", "DATA")]
    assert [d[0] for d in slim([], datas, linked=lambda s: set())[1]] == [QT + "resources/icudtl.dat"]
    assert len(slim([], datas, debug=True, linked=lambda s: set())[1]) == 2


def test_system_libraries_only_left_out_files_needed_go_through_each_other():
    """The print plugin needs CUPS, which needs GnuTLS: both go; zlib, which a kept library
    also needs, stays."""
    binaries = [
        (QT + "lib/libQt6Core.so.6", "/src/core", "BINARY"),
        (QT + "plugins/printsupport/libcupsprintersupport.so", "/src/cupsplugin", "BINARY"),
        ("libcups.so.2", "/src/cups", "BINARY"),
        ("libgnutls.so.30", "/src/gnutls", "BINARY"),
        ("libz.so.1", "/src/z", "BINARY"),
    ]
    links = {"/src/core": {"libz.so.1"}, "/src/cupsplugin": {"libcups.so.2"},
             "/src/cups": {"libgnutls.so.30", "libz.so.1"}}
    kept, _datas, dropped = slim(binaries, [], linked=lambda src: links.get(src, set()))
    assert [b[0] for b in kept] == [QT + "lib/libQt6Core.so.6", "libz.so.1"]
    assert {"libcups.so.2", "libgnutls.so.30"} <= set(dropped)


def test_savings_are_measured_on_the_collected_files(tmp_path):
    qml, pak = tmp_path / "a.qml", tmp_path / "devtools.pak"
    qml.write_bytes(b"x" * 1000)
    pak.write_bytes(b"x" * 5000)
    datas = [(QT + "qml/a.qml", str(qml), "DATA"),
             (QT + "resources/qtwebengine_devtools_resources.pak", str(pak), "DATA")]
    binaries = [("libQt6Pdf.so.6", QT + "lib/libQt6Pdf.so.6", "SYMLINK")]
    _b, _d, dropped = slim(binaries, datas, linked=lambda s: set())
    groups = savings(binaries, datas, dropped)
    assert groups["QML modules"] == {"files": 1, "bytes": 1000}
    assert groups["web engine developer tools (kept with --debug)"] == {"files": 1, "bytes": 5000}
    assert groups["symbolic links to left-out files"] == {"files": 1, "bytes": 0}


def test_broken_links_finds_dangling_links_and_links_out_of_the_bundle(tmp_path):
    bundle = tmp_path / "app"
    (bundle / "lib").mkdir(parents=True)
    (bundle / "lib" / "libreal.so").write_bytes(b"elf")
    (bundle / "libreal.so").symlink_to("lib/libreal.so")  # fine
    (bundle / "libgone.so").symlink_to("lib/libgone.so")  # dangling
    (tmp_path / "outside").write_text("x")
    (bundle / "out").symlink_to("../outside")  # works here, not once the folder is moved
    assert broken_links(bundle) == ["libgone.so", "out"]
