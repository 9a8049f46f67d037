"""``webio-desktop build app.py --deb``: the one-folder build as a Debian package (dpkg-deb).

Layout: the bundle under ``/opt/PACKAGE``, the command ``/usr/bin/PACKAGE`` (a symbolic link to
the bundle's executable), a menu entry ``/usr/share/applications/PACKAGE.desktop`` and the icon
in ``/usr/share/icons/hicolor/SIZExSIZE/apps``. Debian's own triggers (desktop-file-utils,
the icon caches) pick them up, so the package needs no maintainer scripts and ``apt-get remove``
takes away exactly what it installed.

Depends are derived, not guessed: every shared library that a bundled binary links to and the
bundle does not hold is looked up on this machine (``ldconfig``) and mapped to its package
(``dpkg -S``). Only what is loaded without being linked is named by hand (``NOT_LINKED``).
Version, maintainer and description come from the options, else the app folder's
``pyproject.toml`` (``[project]`` version, description, maintainers/authors).
"""
from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

# What the Qt path needs that no NEEDED entry names (the rest is derived): the OpenGL/EGL
# loaders Chromium's GPU process opens with dlopen(), and data files the bundled libraries read
# from the system: fontconfig's configuration (it brings a font) and the keyboard layouts
# xkbcommon compiles keymaps from.
NOT_LINKED = ["libegl1", "libgl1", "fontconfig-config", "xkb-data"]
STANDARD_ICON_SIZES = (16, 22, 24, 32, 36, 48, 64, 72, 96, 128, 192, 256, 512)
VERSION_RE = re.compile(r"^(\d+:)?[0-9][A-Za-z0-9.+~-]*$")


class DebError(Exception):
    """A package that can not be made; the message says why and what to do."""


@dataclass
class DebInfo:
    """The package's control fields."""

    package: str
    version: str
    maintainer: str
    description: str
    display_name: str
    depends: list[str] = field(default_factory=list)


def package_name(name: str) -> str:
    """A Debian package name for an app name (lower case, ``[a-z0-9+.-]``)."""
    text = re.sub(r"[^a-z0-9+.-]+", "-", name.lower()).strip("-.+")
    if len(text) < 2 or not text[0].isalnum():
        raise DebError(f"can not make a Debian package name of {name!r}: use --name with "
                       "letters and digits")
    return text


def read_pyproject(folder: Path) -> dict:
    """``[project]`` of ``folder/pyproject.toml``, or {}."""
    path = folder / "pyproject.toml"
    if not path.is_file():
        return {}
    try:
        import tomllib
    except ImportError:  # Python 3.10
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ImportError:
            raise DebError(f"{path} can not be read on Python 3.10 without tomli: "
                           "pip install tomli, or pass --version/--maintainer") from None
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")).get("project", {})
    except (OSError, ValueError) as exc:
        raise DebError(f"{path} does not parse: {exc}") from None


def _person(entries: object) -> str | None:
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and entry.get("email"):
            return f"{entry.get('name') or entry['email']} <{entry['email']}>"
    return None


def deb_info(name: str, app: Path, *, version: str | None, maintainer: str | None,
             description: str | None) -> DebInfo:
    """The control fields: the options first, then the app folder's pyproject.toml, then (for
    the maintainer) the Debian tools' DEBFULLNAME/DEBEMAIL.

    :param name: the app's name (the bundle's folder and executable)
    :param app: the app's Python file (its folder may hold a pyproject.toml)
    """
    project = read_pyproject(app.resolve().parent)
    version = version or project.get("version")
    if not version:
        raise DebError("--deb needs a version: pass --version 1.0 or set [project] version "
                       "in the app folder's pyproject.toml")
    if not VERSION_RE.match(version):
        raise DebError(f"version {version!r} is not a Debian version (it must start with a "
                       "digit; letters, digits and . + ~ - only; 1.0~rc1 sorts before 1.0)")
    if not maintainer:
        maintainer = _person(project.get("maintainers")) or _person(project.get("authors"))
    if not maintainer and os.environ.get("DEBEMAIL"):
        email = os.environ["DEBEMAIL"]
        maintainer = email if "<" in email else \
            f"{os.environ.get('DEBFULLNAME') or email} <{email}>"
    if not maintainer or not re.match(r"^[^<>\n]+ <[^<>\s]+>$", maintainer):
        raise DebError("--deb needs a maintainer as 'Name <email>': pass --maintainer, or set "
                       "[project] maintainers/authors (with an email) in pyproject.toml, or "
                       "DEBEMAIL" + (f" (got {maintainer!r})" if maintainer else ""))
    description = (description or project.get("description") or f"{name}, a webio-desktop app")
    return DebInfo(package=package_name(name), version=version, maintainer=maintainer,
                   description=" ".join(description.split()), display_name=name)


# -- dependencies ---------------------------------------------------------------------------------
def _elf_needed(path: Path) -> list[str] | None:
    """DT_NEEDED names of an ELF file; None when it is not one. A small reader of the dynamic
    section (no binutils needed)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    if data[:4] != b"\x7fELF" or len(data) < 64:
        return None
    is64, little = data[4] == 2, data[5] == 1
    end = "<" if little else ">"
    try:
        if is64:
            shoff, = struct.unpack_from(end + "Q", data, 0x28)
            shentsize, shnum = struct.unpack_from(end + "HH", data, 0x3A)
            sec_fmt, dyn_fmt = end + "IIQQQQIIQQ", end + "qQ"
        else:
            shoff, = struct.unpack_from(end + "I", data, 0x20)
            shentsize, shnum = struct.unpack_from(end + "HH", data, 0x2E)
            sec_fmt, dyn_fmt = end + "IIIIIIIIII", end + "iI"
        sections = [struct.unpack_from(sec_fmt, data, shoff + i * shentsize) for i in range(shnum)]
        needed = []
        for sec in sections:
            if sec[1] != 6:  # SHT_DYNAMIC
                continue
            offset, size, strtab = sec[4], sec[5], sections[sec[6]][4]
            step = struct.calcsize(dyn_fmt)
            for pos in range(offset, offset + size, step):
                tag, value = struct.unpack_from(dyn_fmt, data, pos)
                if tag == 0:
                    break
                if tag == 1:  # DT_NEEDED
                    stop = data.index(b"\0", strtab + value)
                    needed.append(data[strtab + value:stop].decode())
        return needed
    except (struct.error, IndexError, ValueError):
        return None


def missing_libraries(bundle: Path) -> set[str]:
    """Library names the bundle's binaries link to that the bundle does not hold."""
    files = [p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink()]
    present = {p.name for p in bundle.rglob("*")}
    needed: set[str] = set()
    for path in files:
        needed.update(_elf_needed(path) or ())
    return needed - present


def _system_paths() -> dict[str, list[str]]:
    """``ldconfig -p``: library name -> paths, this machine's own architecture first."""
    out = subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, text=True).stdout
    multiarch = sysconfig.get_config_var("MULTIARCH") or ""
    found: dict[str, list[str]] = {}
    for line in out.splitlines()[1:]:
        match = re.match(r"\s*(\S+) \(([^)]*)\) => (\S+)", line)
        if match:
            found.setdefault(match.group(1), []).append(match.group(3))
    for paths in found.values():
        paths.sort(key=lambda p: f"/{multiarch}/" not in p)
    return found


def library_packages(names: set[str]) -> tuple[list[str], list[str]]:
    """``(packages, unresolved names)``: the Debian packages holding these libraries here."""
    paths = _system_paths()
    queries: dict[str, str] = {}  # path dpkg knows -> library name
    unresolved = []
    for name in sorted(names):
        if name not in paths:
            unresolved.append(name)
            continue
        path = paths[name][0]
        for variant in {path, os.path.realpath(path),
                        re.sub(r"^/(lib|lib64|bin)/", r"/usr/\1/", path),
                        re.sub(r"^/usr/(lib|lib64)/", r"/\1/", os.path.realpath(path))}:
            queries[variant] = name
    result = subprocess.run(["dpkg", "-S", *queries], capture_output=True, text=True)
    packages, resolved = set(), set()
    for line in result.stdout.splitlines():
        owner, _, path = line.partition(": ")
        if path.strip() in queries and not owner.startswith("diversion"):
            for package in owner.split(", "):
                packages.add(package.split(":")[0])
            resolved.add(queries[path.strip()])
    unresolved += sorted(set(queries.values()) - resolved)
    return sorted(packages), unresolved


def system_depends(bundle: Path) -> tuple[list[str], list[str]]:
    """``(Depends, unresolved library names)`` of a bundle on this machine."""
    packages, unresolved = library_packages(missing_libraries(bundle))
    return sorted(set(packages) | set(NOT_LINKED)), unresolved


# -- the package ----------------------------------------------------------------------------------
def _png_size(path: Path) -> tuple[int, int] | None:
    head = path.read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", head[16:24])


def icon_paths(icons: list[Path], package: str) -> dict[str, Path]:
    """Where each PNG goes: ``hicolor/NxN/apps/PACKAGE.png`` for the standard sizes (a
    non-standard size goes to /usr/share/pixmaps, the themes' fallback)."""
    placed: dict[str, Path] = {}
    for icon in icons:
        size = _png_size(icon)
        if size is None:
            continue
        width, height = size
        if width == height and width in STANDARD_ICON_SIZES:
            placed[f"usr/share/icons/hicolor/{width}x{width}/apps/{package}.png"] = icon
        else:
            placed.setdefault(f"usr/share/pixmaps/{package}.png", icon)
    return placed


def desktop_entry(template: str, info: DebInfo) -> str:
    text = template.replace("@NAME@", info.display_name).replace("@EXEC@", f"/usr/bin/{info.package}")
    text = text.replace("@ICON@", info.package)
    return text.replace("Terminal=false", f"Comment={info.description}\nTerminal=false")


def make_deb(bundle: Path, executable: str, info: DebInfo, out_dir: Path, work: Path, *,
             icons: list[Path], desktop_template: str, compression: str = "zstd") -> Path:
    """Build ``out_dir/PACKAGE_VERSION_ARCH.deb`` from a one-folder ``bundle``.

    :param executable: the executable's file name inside ``bundle``
    :param icons: PNG icons (each placed by its size)
    :param desktop_template: the menu entry template (templates/app.desktop)
    :param compression: dpkg-deb's -Z (zstd: fast; xz: a little smaller, minutes; gzip)
    """
    if not shutil.which("dpkg-deb"):
        raise DebError("dpkg-deb is not installed (apt-get install dpkg): --deb needs Debian's tools")
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True,
                          text=True).stdout.strip()
    root = work / f"{info.package}_{info.version}_{arch}"
    shutil.rmtree(root, ignore_errors=True)
    opt = root / "opt" / info.package
    shutil.copytree(bundle, opt, symlinks=True,
                    ignore=lambda folder, names: [n for n in names if n.endswith(".desktop")]
                    if Path(folder) == bundle else [])
    (root / "usr" / "bin").mkdir(parents=True)
    (root / "usr" / "bin" / info.package).symlink_to(f"/opt/{info.package}/{executable}")
    apps = root / "usr" / "share" / "applications"
    apps.mkdir(parents=True)
    (apps / f"{info.package}.desktop").write_text(desktop_entry(desktop_template, info),
                                                   encoding="utf-8")
    for dest, icon in icon_paths(icons, info.package).items():
        (root / dest).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(icon, root / dest)
    for path in [root, *root.rglob("*")]:  # what dpkg expects: no group/other write bits
        if not path.is_symlink():
            mode = path.stat().st_mode
            path.chmod(0o755 if path.is_dir() or mode & 0o111 else 0o644)
    size_kib = sum(p.stat().st_size for p in root.rglob("*")
                   if p.is_file() and not p.is_symlink()) // 1024 + 1
    control = [f"Package: {info.package}", f"Version: {info.version}", f"Architecture: {arch}",
               f"Maintainer: {info.maintainer}", f"Installed-Size: {size_kib}",
               "Section: misc", "Priority: optional"]
    if info.depends:
        control.append("Depends: " + ", ".join(info.depends))
    control.append(f"Description: {info.description}\n"
                   f" {info.display_name}, built with webio-desktop (Python, Qt WebEngine).")
    (root / "DEBIAN").mkdir()
    (root / "DEBIAN" / "control").write_text("\n".join(control) + "\n", encoding="utf-8")
    out_dir.mkdir(parents=True, exist_ok=True)
    deb = out_dir / f"{root.name}.deb"
    result = subprocess.run(["dpkg-deb", "--root-owner-group", f"-Z{compression}", "--build",
                             str(root), str(deb)], capture_output=True, text=True)
    if result.returncode != 0:
        raise DebError(f"dpkg-deb failed: {result.stderr.strip()}")
    shutil.rmtree(root, ignore_errors=True)
    return deb


if __name__ == "__main__":  # python -m webio_desktop.desktop.deb BUNDLE: show the derived Depends
    depends, unresolved = system_depends(Path(sys.argv[1]))
    print("Depends:", ", ".join(depends))
    if unresolved:
        print("not found here:", ", ".join(unresolved))
