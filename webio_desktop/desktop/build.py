"""``webio-desktop build app.py``: a double-clickable app made with PyInstaller, then checked.

The build freezes a generated entry script that runs the bundled ``app.py`` through the same
launcher as ``webio-desktop app.py`` (``frozen.py``). Our PyInstaller hook (``_pyinstaller/``)
collects the front end and the lazily imported modules; the app's own imports are found by
analysing it as a hidden import. Afterwards the built app is started once with
``WEBIO_DESKTOP_VERIFY=1`` (under Xvfb when there is no display) and must show its first output,
or the build fails with the reason.
"""
from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .._pyinstaller import get_hook_dirs
from .engines import DEFAULT_ENGINE, ENGINES, engine_module
from .buildinfo import BUILD_INFO, VERIFY_ENV
from .onefile import write_onefile
from .slim import broken_links

EXTRA_HINT = "pip install 'webio-desktop[build]'"


class BuildError(Exception):
    """A build that can not go on; the message says why and what to do."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="webio-desktop build",
                                     description="Build a double-clickable app with PyInstaller.")
    parser.add_argument("app", help="the app's Python file")
    parser.add_argument("--name", help="name of the app (default: the file's name)")
    parser.add_argument("--icon", help="icon file (.png, .ico or .icns)")
    parser.add_argument("--engine", choices=ENGINES, default=DEFAULT_ENGINE,
                        help="web engine of the app's windows: qt (bundled Qt WebEngine, the "
                             "default) or system (the OS's own: WebKitGTK on Linux; the bundle "
                             "then carries neither Qt nor the system's GTK/WebKit libraries)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--onedir", dest="onefile", action="store_false",
                      help="a folder with the app and its libraries (default; starts fastest)")
    mode.add_argument("--onefile", dest="onefile", action="store_true",
                      help="one file (Linux: unpacked into the user's cache at its first "
                           "start, then started from there as fast as a folder; elsewhere "
                           "unpacked to a temporary folder at every start)")
    parser.add_argument("--add-data", action="append", default=[], metavar="SRC:DEST",
                        help="extra files for the bundle (repeatable)")
    console = parser.add_mutually_exclusive_group()
    console.add_argument("--windowed", dest="console", action="store_false",
                         help="no console window (default)")
    console.add_argument("--console", dest="console", action="store_true")
    parser.add_argument("--version", help="the app's version (kept in the bundle's webio_build.json)")
    parser.add_argument("--dist", default="dist", help="output folder (default: dist)")
    parser.add_argument("--work", default=os.path.join("build", "webio-desktop"),
                        help="PyInstaller's work folder")
    parser.add_argument("--no-verify", dest="verify", action="store_false",
                        help="do not start the built app to check it")
    parser.add_argument("--no-slim", dest="slim", action="store_false",
                        help="keep every Qt file PyInstaller collects (see slim.py)")
    parser.add_argument("--compress", action="store_true",
                        help="one file: compress the app (about 150 instead of 360 MiB for a "
                             "hello world; the first start (Linux) or every start (elsewhere) "
                             "then spends seconds of CPU inflating it)")
    parser.add_argument("--no-splash", dest="splash", action="store_false",
                        help="one file: no splash screen while it unpacks (it needs Tk)")
    parser.add_argument("--debug", action="store_true",
                        help="a debug build: binaries not stripped, the web engine's developer "
                             "tools kept, and the app runs as `webio-desktop --debug` does")
    deb = parser.add_argument_group("Debian package (Linux, one folder)")
    deb.add_argument("--deb", action="store_true",
                     help="also make a .deb: the app in /opt/NAME, the command /usr/bin/NAME, "
                          "a menu entry and icons (see deb.py)")
    deb.add_argument("--maintainer", help="'Name <email>' (default: pyproject.toml's "
                                          "maintainers/authors, else DEBFULLNAME/DEBEMAIL)")
    deb.add_argument("--description", help="one line (default: pyproject.toml's description)")
    deb.add_argument("--deb-compression", default="zstd", choices=["zstd", "xz", "gzip"],
                     help="dpkg-deb's compression (default zstd: ~30 s here, read by dpkg "
                          ">= 1.21.18: Debian 12, Ubuntu 21.10 and later; xz for older systems "
                          "is slightly smaller and takes minutes)")
    parser.set_defaults(onefile=False, console=False)
    return parser


def parse_app(app: Path) -> ast.Module:
    if not app.is_file():
        raise BuildError(f"no such file: {app}")
    try:
        return ast.parse(app.read_text(encoding="utf-8"), str(app))
    except SyntaxError as exc:
        raise BuildError(f"{app} does not compile: {exc}") from None


def imported_modules(tree: ast.Module) -> set[str]:
    """Modules the app imports by absolute name."""
    modules = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
               for alias in node.names}
    modules |= {node.module for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0}
    return modules


def framework_integrations(tree: ast.Module) -> list[str]:
    """Our framework integrations the app uses (``pywebio.platform.flask`` or
    ``from pywebio.platform import flask`` -> ``webio_desktop.platform.flask``): the hook leaves
    them out, so a framework is bundled only for an app that imports its integration."""
    from .._pyinstaller import FRAMEWORK_INTEGRATIONS

    names = set(imported_modules(tree))
    names |= {f"{node.module}.{alias.name}" for node in ast.walk(tree)
              if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
              for alias in node.names}
    used = {"webio_desktop.platform." + name.split(".")[2] for name in names
            if name.split(".")[:2] in (["pywebio", "platform"], ["webio_desktop", "platform"])
            and name.count(".") >= 2}
    return sorted(used & set(FRAMEWORK_INTEGRATIONS))


def check_app(app: Path) -> None:
    """The app exists, parses, and its imports can be found (what a frozen app needs)."""
    modules = imported_modules(parse_app(app))
    script = ("import importlib, sys\nfor name in sys.argv[1:]:\n"
              "    importlib.import_module(name)\n")
    from ..compat import ALIAS  # pywebio imports are served by us inside the launcher
    names = sorted(m for m in modules if m.split(".")[0] != ALIAS)
    result = subprocess.run([sys.executable, "-c", script, *names], cwd=app.parent,
                            capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(app.parent.resolve())})
    if result.returncode != 0:
        raise BuildError(f"{app} can not be imported here:\n{result.stderr.strip()}")


TEMPLATES = Path(__file__).resolve().parent / "templates"
ICONS = Path(__file__).resolve().parent / "icons"
# Left out of every build: the real PyWebIO (the launcher serves ``import pywebio`` from
# webio_desktop, and the real one drags in every web framework it supports), the build tooling.
# watchfiles: hot reload is the author's loop, never a built app's (it would also bring anyio
# and, through it, uvloop). cmarkgfm.build_cmark: cmarkgfm's compile step (put_markdown needs
# only its compiled module); it brings cffi's compiler, distutils and setuptools, and bundled
# setuptools has PyInstaller run its runtime hook, which imports setuptools at every start
# (~0.3 s measured on a hello world).
EXCLUDES = ["pywebio", "tkinter", "PyInstaller", "webio_desktop._pyinstaller",
            "webio_desktop.desktop.build", "watchfiles", "cmarkgfm.build_cmark"]
# Left out of Qt builds: GTK's Python bindings (pywebview's hook brings GTK, its typelibs and
# ~100 MiB of libraries whenever PyGObject is installed; windows here are Qt's).
QT_EXCLUDES = ["gi", "cairo"]


def entry_script(app_file: str, module: str, engine: str = DEFAULT_ENGINE) -> str:
    """The frozen entry script (templates/entry.py) for the bundled ``app_file``."""
    text = (TEMPLATES / "entry.py").read_text(encoding="utf-8")
    return (text.replace("@APP_FILE@", repr(app_file)).replace("@MODULE@", module)
            .replace("@ENGINE@", repr(engine)))


def default_icon() -> Path:
    """Our own icon, in the format this platform's executables take."""
    if sys.platform == "win32":
        return ICONS / "icon.ico"
    if sys.platform == "darwin":
        return ICONS / "icon.icns"
    return ICONS / "icon-256.png"


def splash_image(args: argparse.Namespace) -> str | None:
    """The one-file build's splash picture (PyInstaller's splash screen needs Tcl/Tk in this
    Python; without it the build goes on without a splash and says so)."""
    if not args.onefile or not args.splash:
        return None
    if importlib.util.find_spec("_tkinter") is None:
        print("webio-desktop build: no splash screen: this Python has no Tk "
              "(Debian: apt-get install python3-tk)", flush=True)
        return None
    return str(ICONS / "splash.png")


def spec_text(settings: dict, template: str = "app.spec") -> str:
    """A PyInstaller spec (templates/app.spec, or another template) with these settings."""
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    marker = "settings = {}  # @SETTINGS@ (filled in by webio-desktop build)"
    if marker not in text:
        raise BuildError(f"the spec template {TEMPLATES / template} lost its settings line")
    return text.replace(marker, f"settings = {settings!r}")


def build_settings(args: argparse.Namespace, app: Path, name: str, entry: Path,
                   work: Path, module: str) -> dict:
    """What the spec needs: the analysis (entry, paths, data files) and the executable's form."""
    icon = Path(args.icon).resolve() if args.icon else default_icon()
    if not icon.is_file():
        raise BuildError(f"no such icon file: {icon}")
    info = work / BUILD_INFO
    meta = {"name": name, "version": args.version, "app": app.name}
    if args.debug:
        meta["debug"] = True
    meta["engine"] = args.engine
    info.write_text(json.dumps(meta), encoding="utf-8")
    datas = [(str(app.resolve()), "."), (str(info), ".")]
    if icon.suffix.lower() == ".png":  # also the window icon (executables take .ico/.icns)
        datas.append((str(icon), "."))
    for item in args.add_data:
        source, _, dest = item.rpartition(":")  # the last ":" (C:\\... keeps its own)
        if not source or not dest:
            raise BuildError(f"--add-data {item!r}: use SRC:DEST (a file or folder, and where "
                             "it goes in the bundle, e.g. static:static)")
        found = next((p for p in (Path(source), app.parent / source) if p.exists()), None)
        if found is None:
            raise BuildError(f"--add-data {item!r}: no such file or folder: {source}")
        datas.append((str(found.resolve()), dest))
    return {
        "name": name, "entry": str(entry), "console": args.console,
        # Linux executables have no icon (the window has); PyInstaller converts a PNG elsewhere.
        "icon": str(icon) if sys.platform in ("win32", "darwin") else None,
        # The app's folder (its own modules) and where webio_desktop itself is (an editable
        # install hides it from the analysis).
        "paths": [str(app.parent.resolve()), str(Path(__file__).resolve().parents[2])],
        "datas": datas, "hiddenimports": [module, *framework_integrations(parse_app(app))],
        "excludes": [*EXCLUDES, *(QT_EXCLUDES if args.engine == "qt" else []),
                     *engine_module(args.engine).BUILD_EXCLUDES],
        "slim": args.slim, "debug": args.debug, "engine": args.engine,
        # Stripping is safe for every ELF file PyInstaller collects (it skips checksummed ones);
        # macOS and Windows binaries may be signed, so only Linux.
        "strip": not args.debug and sys.platform.startswith("linux"),
        "report": str(work / SLIM_REPORT),
        # A cached one file (Linux) builds a folder here; its stub has the splash.
        "onefile": args.onefile and not CACHED_ONEFILE,
        "splash": None if CACHED_ONEFILE else splash_image(args),
        # PyInstaller's one file: only Python's modules compressed (see ONEFILE_COMPRESSED).
        "compress": None if args.compress else ONEFILE_COMPRESSED,
        # Our hooks, named here too: an install whose entry points are stale still builds.
        "hookspath": get_hook_dirs(),
    }


def gate_settings(settings: dict, work: Path) -> dict:
    """``settings`` for the app a cached one file carries: with the runtime hook that installs
    the engine gate (templates/rth_onefile.py) and the copy of onefile.py it imports, so the
    app may start while its web engine's files are still being unpacked."""
    gate = work / "onefile-gate"
    gate.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(Path(__file__).with_name("onefile.py"), gate / "webio_onefile.py")
    shutil.copyfile(TEMPLATES / "rth_onefile.py", gate / "rth_onefile.py")
    return {**settings, "paths": [*settings["paths"], str(gate)],
            "hiddenimports": [*settings["hiddenimports"], "webio_onefile"],
            "runtime_hooks": [str(gate / "rth_onefile.py")]}


SLIM_REPORT = "slim.json"
# What a one-file build compresses (PyInstaller's per-type switches; types left out are stored):
# Python's modules and the splash picture. Shared libraries and data are stored as they are:
# the file is bigger, but each start writes them out at copy speed instead of inflating ~360 MiB
# (zlib, one core: ~2.5 s of CPU for a hello world), which was most of the one-file penalty.
ONEFILE_COMPRESSED = {"PYSOURCE": True, "PYMODULE": True, "SPLASH": True}


def tree_bytes(path: Path) -> int:
    """Bytes of the files in ``path`` (symbolic links not counted twice)."""
    files = [path] if path.is_file() else path.rglob("*")
    return sum(p.stat().st_size for p in files if p.is_file() and not p.is_symlink())


def size_report(work: Path, bundle: Path) -> list[str]:
    """Lines saying what the build left out and what stripping saved, measured: the slim
    report's groups (bytes of the collected files) and, for a folder, the bundled binaries'
    sizes against their sources."""
    try:
        report = json.loads((work / SLIM_REPORT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    mib = lambda n: f"{n / 2**20:.1f} MiB"  # noqa: E731
    lines = [f"left out {g['files']:3d} files, {mib(g['bytes']):>10}: {group}"
             for group, g in sorted(report["left_out"].items(), key=lambda i: -i[1]["bytes"])]
    if bundle.is_dir():
        internal = bundle / "_internal"
        before = after = 0
        for dest, src in report["binaries"].items():
            built = internal / dest
            if built.is_file() and os.path.isfile(src):
                before += os.path.getsize(src)
                after += built.stat().st_size
        if before != after:
            lines.append(f"stripping the binaries saved {mib(before - after)}")
    lines.append(f"bundle: {mib(tree_bytes(bundle))}")
    return lines


def pyinstaller_command(spec: Path, dist: Path, work: Path) -> list[str]:
    return [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
            "--distpath", str(dist), "--workpath", str(work / "pyinstaller"), str(spec)]


# Linux: a one file is our stub + the one-folder build, unpacked once per version into the user's
# cache (onefile.py); elsewhere PyInstaller's own one file (unpacked at every start).
CACHED_ONEFILE = sys.platform.startswith("linux")
# The stub needs none of these (its program is onefile.py: standard library and platformdirs).
STUB_EXCLUDES = ["webio_desktop", "PyQt6", "webview", "tornado", "numpy", "PIL", "gi", "cairo",
                 "pywebio", "PyInstaller", "unittest", "pydoc", "xmlrpc", "email", "http",
                 "sqlite3", "asyncio", "multiprocessing", "ssl", "ctypes",
                 # hashlib falls back to its built-in SHA-256 without OpenSSL's (4.6 MiB);
                 # tarfile tries bz2/lzma only for such tars (ours are plain or gzip)
                 "_hashlib", "_ssl", "_decimal", "decimal", "unicodedata", "_bz2", "bz2",
                 "_lzma", "lzma", "_multibytecodec", "_codecs_jp", "_codecs_kr", "_codecs_cn",
                 "_codecs_tw", "_codecs_hk", "_codecs_iso2022",
                 # The bootloader writes every extension module out at each start: none that
                 # the stub does not import. hashlib: the build side's only (random, for
                 # tempfile, takes _sha512); dataclasses and inspect are not used; the rest
                 # have pure-Python fallbacks or nothing of the stub imports them (_socket stays:
                 # pyi_splash talks to the bootloader through it).
                 "hashlib", "_blake2", "_md5", "_sha1", "_sha256", "_sha3", "dataclasses",
                 "inspect", "dis", "_opcode", "pickle", "_pickle", "statistics", "_statistics",
                 "csv", "_csv", "datetime", "_datetime", "socket", "resource",
                 "_bisect", "_heapq", "_typing"]


def stub_settings(args: argparse.Namespace, name: str, entry: Path) -> dict:
    """What templates/stub.spec needs: the stub's entry script (next to its copy of onefile.py),
    what it leaves out, and the splash screen."""
    return {"name": name, "entry": str(entry), "paths": [str(entry.parent)],
            "excludes": STUB_EXCLUDES, "console": args.console, "icon": None,
            "strip": not args.debug, "splash": splash_image(args),
            "compress": ONEFILE_COMPRESSED}


def cached_onefile(args: argparse.Namespace, name: str, folder: Path, work: Path,
                   dist: Path) -> Path:
    """The one file: build the stub (onefile.py frozen with the splash), then append ``folder``
    (the one-folder build) to it; returns its path."""
    stub_work = work / "stub"
    stub_work.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(Path(__file__).with_name("onefile.py"), stub_work / "webio_onefile.py")
    entry = stub_work / "stub_entry.py"
    entry.write_text((TEMPLATES / "stub.py").read_text(encoding="utf-8")
                     .replace("@NAME@", repr(name)), encoding="utf-8")
    spec = stub_work / "stub.spec"
    spec.write_text(spec_text(stub_settings(args, name, entry), "stub.spec"), encoding="utf-8")
    print("webio-desktop build: the one file's stub (unpacks once per version into the user's "
          "cache)", flush=True)
    run_pyinstaller(pyinstaller_command(spec, stub_work / "dist", stub_work),
                    stub_work / "pyinstaller.log")
    stub = stub_work / "dist" / name
    if not stub.is_file():
        raise BuildError(f"PyInstaller reported success but {stub} is missing")
    dist.mkdir(parents=True, exist_ok=True)
    out = dist / name
    if out.is_dir():  # an earlier one-folder build of the same name
        shutil.rmtree(out)
    payload = write_onefile(stub, folder, out, compress=args.compress)
    mib = lambda n: f"{n / 2**20:.1f} MiB"  # noqa: E731
    print(f"webio-desktop build: one file {mib(out.stat().st_size)} (stub "
          f"{mib(stub.stat().st_size)}, app {mib(payload.length)}"
          f"{', gzip' if args.compress else ''}; version {payload.key})", flush=True)
    return out


def write_menu_entry(executable: Path, name: str) -> Path:
    """Linux, one folder: ``NAME.desktop`` next to the executable (copy it to
    ~/.local/share/applications to get a menu entry)."""
    icons = sorted((executable.parent / "_internal").glob("*.png"))
    text = (TEMPLATES / "app.desktop").read_text(encoding="utf-8")
    text = text.replace("@NAME@", name).replace("@EXEC@", str(executable))
    text = text.replace("@ICON@", str(icons[0]) if icons else "")
    path = executable.parent / f"{name}.desktop"
    path.write_text(text, encoding="utf-8")
    return path


def run_pyinstaller(command: list[str], log_path: Path) -> None:
    """Run PyInstaller; show its progress as one line per stage, keep the whole log."""
    started = time.monotonic()
    # PyInstaller's cache of processed (stripped) binaries in the build's own work folder:
    # another build's --clean wipes the shared one in ~/.cache while this build writes to it.
    env = {**os.environ, "PYINSTALLER_CONFIG_DIR": str(log_path.parent / "pyinstaller-cache")}
    with open(log_path, "w", encoding="utf-8") as log, subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=env) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            log.write(line)
            stage = re.search(r"INFO: ((Building|Analyzing|Build complete)[^\n]*)|"
                              r"^(webio-desktop: left out[^\n]*)", line)
            if stage and "completed successfully" not in line:
                text = stage.group(1) or stage.group(3)
                print(f"  [{time.monotonic() - started:5.1f}s] {text[:100]}", flush=True)
        if proc.wait() != 0:
            tail = "".join(log_path.read_text(encoding="utf-8").splitlines(True)[-20:])
            raise BuildError(f"PyInstaller failed (full log: {log_path}):\n{tail}")


def verify(executable: Path, timeout: float = 120) -> str:
    """Start the built app once, headless; its first output's text, or BuildError."""
    env = {**os.environ, VERIFY_ENV: "1"}
    xvfb = None
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        if shutil.which("Xvfb"):
            read, write = os.pipe()
            xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0",
                                     "1280x800x24", "-nolisten", "tcp"], pass_fds=(write,),
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            os.close(write)
            with os.fdopen(read) as f:
                env["DISPLAY"] = f":{f.readline().strip()}"
        else:
            env["QT_QPA_PLATFORM"] = "offscreen"
    try:
        with tempfile.TemporaryDirectory() as home:  # no saved geometry, no user logs touched
            env.update({"HOME": home, "XDG_CONFIG_HOME": f"{home}/.config",
                        "XDG_STATE_HOME": f"{home}/.state", "BROWSER": "true"})
            try:
                result = subprocess.run([str(executable)], env=env,
                                        capture_output=True, text=True, timeout=timeout)
            except subprocess.TimeoutExpired:
                raise BuildError(f"the built app did not finish its check in {timeout:.0f} s")
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(10)
    found = re.search(r"webio-desktop: verify ok: (.*)", result.stdout)
    if result.returncode != 0 or not found:
        output = (result.stdout + result.stderr).strip()[-2000:]
        raise BuildError(f"the built app did not show its first output (exit {result.returncode})"
                         f":\n{output}")
    return found.group(1)


def deb_fields(args: argparse.Namespace, app: Path):
    """The ``--deb`` package's fields, checked before the long build (a DebInfo)."""
    if not sys.platform.startswith("linux") or args.onefile:
        raise BuildError("--deb packages a one-folder build on Linux (leave out --onefile)")
    from . import deb

    try:
        return deb.deb_info(args.name or app.stem, app, version=args.version,
                            maintainer=args.maintainer, description=args.description)
    except deb.DebError as exc:
        raise BuildError(str(exc)) from None


def package(args: argparse.Namespace, info, executable: Path, work: Path) -> Path:
    """The ``--deb`` package of a one-folder build, its Depends derived from the bundle."""
    from . import deb

    try:
        info.depends, unresolved = deb.system_depends(executable.parent)
        # What the engine loads without linking it (WebKitGTK and its typelibs, through gi).
        info.depends = sorted({*info.depends,
                               *getattr(engine_module(args.engine), "DEB_DEPENDS", [])})
        if unresolved:
            print("webio-desktop build: warning: no package here holds "
                  f"{', '.join(unresolved)} (not declared as dependencies)", flush=True)
        icon = Path(args.icon).resolve() if args.icon else None
        icons = [icon] if icon and icon.suffix.lower() == ".png" else sorted(ICONS.glob("icon-*.png"))
        return deb.make_deb(executable.parent, executable.name, info, Path(args.dist).resolve(),
                            work, icons=icons, compression=args.deb_compression,
                            desktop_template=(TEMPLATES / "app.desktop").read_text(encoding="utf-8"))
    except deb.DebError as exc:
        raise BuildError(str(exc)) from None


def build(args: argparse.Namespace) -> Path:
    app = Path(args.app)
    deb_info = deb_fields(args, app) if args.deb else None
    check_app(app)
    if importlib.util.find_spec("PyInstaller") is None:
        raise BuildError(f"PyInstaller is not installed: {EXTRA_HINT}")
    name = args.name or app.stem
    module = app.stem
    if not module.isidentifier():
        raise BuildError(f"{app.name}: the file name must be a Python module name "
                         "(letters, digits, _) so its imports can be analysed")
    work = Path(args.work).resolve() / name
    work.mkdir(parents=True, exist_ok=True)
    entry = work / f"{module}_entry.py"
    entry.write_text(entry_script(app.name, module, args.engine), encoding="utf-8")
    spec = work / f"{name}.spec"
    settings = build_settings(args, app, name, entry, work, module)
    if args.onefile and CACHED_ONEFILE:
        settings = gate_settings(settings, work)
    spec.write_text(spec_text(settings), encoding="utf-8")
    print(f"webio-desktop build: {app} -> {Path(args.dist) / name}"
          f" ({'one file' if args.onefile else 'one folder'}, {args.engine} engine)"
          + (f", version {args.version}" if args.version else ""), flush=True)
    dist = Path(args.dist).resolve()
    cached = args.onefile and CACHED_ONEFILE
    # A cached one file carries a one-folder build, made first in the work folder.
    folder_dist = work / "onedir" if cached else dist
    command = pyinstaller_command(spec, folder_dist, work)
    (work / SLIM_REPORT).unlink(missing_ok=True)  # an earlier build's must not be shown
    run_pyinstaller(command, work / "pyinstaller.log")
    executable = dist / name if args.onefile and not cached else folder_dist / name / name
    if not executable.exists():
        raise BuildError(f"PyInstaller reported success but {executable} is missing")
    if not args.onefile or cached:
        broken = broken_links(executable.parent)
        if broken:
            raise BuildError(f"the bundle holds {len(broken)} symbolic links to files that are "
                             f"not in it: {', '.join(broken[:10])}")
    for line in size_report(work, executable if args.onefile and not cached
                            else executable.parent):
        print(f"webio-desktop build: {line}", flush=True)
    if cached:
        executable = cached_onefile(args, name, executable.parent, work, dist)
    if sys.platform.startswith("linux") and not args.onefile:
        write_menu_entry(executable, name)
    if args.verify:
        print("webio-desktop build: starting the built app once to check it...", flush=True)
        text = verify(executable)
        print(f"webio-desktop build: ok, the app showed {text!r}", flush=True)
    if deb_info is not None:
        deb_file = package(args, deb_info, executable, work)
        print(f"webio-desktop build: Debian package {deb_file} "
              f"({deb_file.stat().st_size / 2**20:.1f} MiB)", flush=True)
    print(f"webio-desktop build: {executable}", flush=True)
    return executable


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        build(args)
    except BuildError as exc:
        print(f"webio-desktop build: {exc}", file=sys.stderr)
        return 2
    return 0
