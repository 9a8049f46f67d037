"""The Debian package's parts (webio_desktop/desktop/deb.py) without a build: its fields, the
libraries a bundle needs from the system, where icons go. The real package is built, installed,
started from its menu entry and removed in test_build.py."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from webio_desktop.desktop.deb import (DebError, DebInfo, _elf_needed, deb_info, desktop_entry,
                                       icon_paths, missing_libraries, package_name,
                                       system_depends)

ICONS = Path(__file__).resolve().parents[2] / "webio_desktop" / "desktop" / "icons"


def test_package_names_follow_debian_rules():
    assert package_name("My_App") == "my-app"
    assert package_name("notes2.0") == "notes2.0"
    with pytest.raises(DebError, match="use --name"):
        package_name("_")


def test_fields_come_from_the_options_then_pyproject(tmp_path):
    app = tmp_path / "notes.py"
    app.write_text("")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "notes"\nversion = "2.1"\ndescription = "Keeps notes"\n'
        'authors = [{name = "Ann Example", email = "ann@example.org"}]\n')
    info = deb_info("Notes", app, version=None, maintainer=None, description=None)
    assert (info.package, info.version, info.maintainer, info.description) == (
        "notes", "2.1", "Ann Example <ann@example.org>", "Keeps notes")
    info = deb_info("Notes", app, version="3.0~rc1", maintainer="Bo <bo@example.org>",
                    description="Other")
    assert (info.version, info.maintainer, info.description) == (
        "3.0~rc1", "Bo <bo@example.org>", "Other")


def test_missing_or_bad_fields_say_what_to_pass(tmp_path, monkeypatch):
    monkeypatch.delenv("DEBEMAIL", raising=False)
    app = tmp_path / "notes.py"
    app.write_text("")
    with pytest.raises(DebError, match="needs a version: pass --version"):
        deb_info("notes", app, version=None, maintainer="A <a@b.c>", description=None)
    with pytest.raises(DebError, match="not a Debian version"):
        deb_info("notes", app, version="v1", maintainer="A <a@b.c>", description=None)
    with pytest.raises(DebError, match="needs a maintainer"):
        deb_info("notes", app, version="1.0", maintainer=None, description=None)
    with pytest.raises(DebError, match="needs a maintainer"):
        deb_info("notes", app, version="1.0", maintainer="no email", description=None)
    monkeypatch.setenv("DEBEMAIL", "cy@example.org")
    monkeypatch.setenv("DEBFULLNAME", "Cy")
    assert deb_info("notes", app, version="1.0", maintainer=None,
                    description=None).maintainer == "Cy <cy@example.org>"


def test_needed_libraries_are_read_from_elf_files():
    needed = _elf_needed(Path(shutil.which("ls")).resolve())
    assert needed is not None and "libc.so.6" in needed
    assert _elf_needed(Path(__file__)) is None  # not an ELF file


def test_depends_name_the_packages_of_libraries_the_bundle_lacks(tmp_path):
    """A "bundle" holding a copy of ls (links libc and libselinux here) and of libselinux:
    only libc is looked up, and dpkg says which package holds it."""
    ls = Path(shutil.which("ls")).resolve()
    needed = set(_elf_needed(ls))
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    shutil.copy(ls, bundle / "ls")
    lib = sorted(needed - {"libc.so.6"})[0]
    (bundle / lib).write_bytes(b"stands in for the bundled copy")
    assert missing_libraries(bundle) == needed - {lib}
    depends, unresolved = system_depends(bundle)
    assert "libc6" in depends and unresolved == []
    assert {"libegl1", "libgl1", "fontconfig-config", "xkb-data"} <= set(depends)


def test_icons_go_to_the_hicolor_size_folders():
    icons = sorted(ICONS.glob("icon-*.png"))
    placed = icon_paths(icons, "notes")
    assert placed["usr/share/icons/hicolor/256x256/apps/notes.png"] == ICONS / "icon-256.png"
    assert placed["usr/share/icons/hicolor/16x16/apps/notes.png"] == ICONS / "icon-16.png"
    # A size the theme has no folder for goes to the pixmaps fallback.
    assert icon_paths([ICONS / "splash.png"], "notes") == {
        "usr/share/pixmaps/notes.png": ICONS / "splash.png"}


def test_menu_entry_starts_the_command():
    template = (ICONS.parent / "templates" / "app.desktop").read_text()
    text = desktop_entry(template, DebInfo("notes", "1.0", "A <a@b.c>", "Keeps notes", "Notes"))
    assert 'Exec="/usr/bin/notes"' in text and "Icon=notes" in text
    assert "Name=Notes" in text and "Comment=Keeps notes" in text
