"""Build our own ``webio-desktop`` shell executable with PyInstaller (a dev-time recipe).

``python packaging/build_shell.py [--onefile] [--dist DIR] [--spec-only]`` writes a spec from
the same template as ``webio-desktop build`` (webio_desktop/desktop/templates/app.spec), with
launcher/webio_desktop_shell.py as the entry, runs PyInstaller, and writes a freedesktop menu
entry next to the result on Linux.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's webio_desktop

from webio_desktop._pyinstaller import get_hook_dirs  # noqa: E402
from webio_desktop.desktop.build import (EXCLUDES, ICONS, QT_EXCLUDES,  # noqa: E402
                                         default_icon, spec_text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--onefile", action="store_true")
    parser.add_argument("--dist", default=str(ROOT / "dist"))
    parser.add_argument("--work", default=str(ROOT / "build" / "webio-desktop-shell"))
    parser.add_argument("--spec-only", action="store_true", help="write the spec, don't build")
    args = parser.parse_args(argv)
    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    settings = {
        "name": "webio-desktop", "entry": str(ROOT / "launcher" / "webio_desktop_shell.py"),
        "onefile": args.onefile, "console": True,
        "icon": str(default_icon()) if sys.platform in ("win32", "darwin") else None,
        "paths": [str(ROOT)], "datas": [],  # the hook brings the front end and icons
        "hiddenimports": ["webio_desktop.desktop.cli"], "excludes": EXCLUDES + QT_EXCLUDES,
        "slim": True, "strip": sys.platform.startswith("linux"),
        "hookspath": get_hook_dirs(),
    }
    spec = work / "webio-desktop.spec"
    spec.write_text(spec_text(settings), encoding="utf-8")
    print(f"spec: {spec}")
    if args.spec_only:
        return 0
    dist = Path(args.dist).resolve()
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
                    "--distpath", str(dist), "--workpath", str(work / "pyinstaller"), str(spec)],
                   check=True)
    if sys.platform.startswith("linux"):
        exe = dist / "webio-desktop" if args.onefile else dist / "webio-desktop" / "webio-desktop"
        entry = (ROOT / "launcher" / "webio-desktop.desktop").read_text(encoding="utf-8")
        entry = entry.replace("@EXEC@", str(exe)).replace("@ICON@", str(ICONS / "icon-256.png"))
        (exe.parent / "webio-desktop.desktop").write_text(entry, encoding="utf-8")
    print(f"built: {dist}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
