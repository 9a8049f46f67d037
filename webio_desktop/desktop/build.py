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
from .frozen import BUILD_INFO
from .windows import VERIFY_ENV

EXTRA_HINT = "pip install 'webio-desktop[build]'"


class BuildError(Exception):
    """A build that can not go on; the message says why and what to do."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="webio-desktop build",
                                     description="Build a double-clickable app with PyInstaller.")
    parser.add_argument("app", help="the app's Python file")
    parser.add_argument("--name", help="name of the app (default: the file's name)")
    parser.add_argument("--icon", help="icon file (.png, .ico or .icns)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--onedir", dest="onefile", action="store_false",
                      help="a folder with the app and its libraries (default; starts fastest)")
    mode.add_argument("--onefile", dest="onefile", action="store_true",
                      help="one file that unpacks itself at each start (slower to start)")
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
EXCLUDES = ["pywebio", "tkinter", "PyInstaller", "webio_desktop._pyinstaller",
            "webio_desktop.desktop.build"]


def entry_script(app_file: str, module: str) -> str:
    """The frozen entry script (templates/entry.py) for the bundled ``app_file``."""
    text = (TEMPLATES / "entry.py").read_text(encoding="utf-8")
    return text.replace("@APP_FILE@", repr(app_file)).replace("@MODULE@", module)


def default_icon() -> Path:
    """Our own icon, in the format this platform's executables take."""
    if sys.platform == "win32":
        return ICONS / "icon.ico"
    if sys.platform == "darwin":
        return ICONS / "icon.icns"
    return ICONS / "icon-256.png"


def spec_text(settings: dict) -> str:
    """A PyInstaller spec (templates/app.spec) with these settings."""
    text = (TEMPLATES / "app.spec").read_text(encoding="utf-8")
    marker = "settings = {}  # @SETTINGS@ (filled in by webio-desktop build)"
    if marker not in text:
        raise BuildError(f"the spec template {TEMPLATES / 'app.spec'} lost its settings line")
    return text.replace(marker, f"settings = {settings!r}")


def build_settings(args: argparse.Namespace, app: Path, name: str, entry: Path,
                   work: Path, module: str) -> dict:
    """What the spec needs: the analysis (entry, paths, data files) and the executable's form."""
    icon = Path(args.icon).resolve() if args.icon else default_icon()
    if not icon.is_file():
        raise BuildError(f"no such icon file: {icon}")
    info = work / BUILD_INFO
    info.write_text(json.dumps({"name": name, "version": args.version, "app": app.name}),
                    encoding="utf-8")
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
        "name": name, "entry": str(entry), "onefile": args.onefile, "console": args.console,
        # Linux executables have no icon (the window has); PyInstaller converts a PNG elsewhere.
        "icon": str(icon) if sys.platform in ("win32", "darwin") else None,
        # The app's folder (its own modules) and where webio_desktop itself is (an editable
        # install hides it from the analysis).
        "paths": [str(app.parent.resolve()), str(Path(__file__).resolve().parents[2])],
        "datas": datas, "hiddenimports": [module, *framework_integrations(parse_app(app))],
        "excludes": EXCLUDES, "slim": args.slim,
        # Our hooks, named here too: an install whose entry points are stale still builds.
        "hookspath": get_hook_dirs(),
    }


def pyinstaller_command(spec: Path, args: argparse.Namespace, work: Path) -> list[str]:
    return [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
            "--distpath", str(Path(args.dist).resolve()), "--workpath", str(work / "pyinstaller"),
            str(spec)]


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
    with open(log_path, "w", encoding="utf-8") as log, subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
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


def build(args: argparse.Namespace) -> Path:
    app = Path(args.app)
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
    entry.write_text(entry_script(app.name, module), encoding="utf-8")
    spec = work / f"{name}.spec"
    spec.write_text(spec_text(build_settings(args, app, name, entry, work, module)),
                    encoding="utf-8")
    print(f"webio-desktop build: {app} -> {Path(args.dist) / name}"
          f" ({'one file' if args.onefile else 'one folder'})"
          + (f", version {args.version}" if args.version else ""), flush=True)
    command = pyinstaller_command(spec, args, work)
    run_pyinstaller(command, work / "pyinstaller.log")
    dist = Path(args.dist).resolve()
    executable = dist / name if args.onefile else dist / name / name
    if not executable.exists():
        raise BuildError(f"PyInstaller reported success but {executable} is missing")
    if sys.platform.startswith("linux") and not args.onefile:
        write_menu_entry(executable, name)
    if args.verify:
        print("webio-desktop build: starting the built app once to check it...", flush=True)
        text = verify(executable)
        print(f"webio-desktop build: ok, the app showed {text!r}", flush=True)
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
