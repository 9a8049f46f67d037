"""Built apps: ``webio-desktop build`` of a hello world against a plain pywebview hello world
built with PyInstaller's defaults, in the same run, on the same machine.

Both apps are bench/desktop.py's (ours: an app doing ``put_text('BENCH-READY')`` through the
launcher; plain: one pywebview window on a static page holding the same text). Measured:

* build time: the build command's wall time (``webio-desktop build --no-verify`` vs
  ``pyinstaller --noconfirm --clean --windowed``), one-folder;
* bundle size: bytes of every file in ``dist/NAME/``, MiB;
* start-up: process spawn -> the marker painted in the window (bench/desktop.py's definition),
  the first start right after the build, then ``--runs`` alternating starts (median).

Run: ``.venv/bin/python bench/build.py [--runs 5] [--onefile]``. Target: our bundle <= 0.8x
the plain build's size.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from desktop import FLOOR_APP, OUR_APP, free_port, painted_at, start_xvfb, stop

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def tree_mib(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files if not p.is_symlink()) / 2**20


def build(kind: str, script: Path, where: Path, onefile: bool) -> tuple[Path, float, float]:
    """(executable, seconds, MiB)"""
    mode = "--onefile" if onefile else "--onedir"
    if kind == "ours":
        command = [sys.executable, "-m", "webio_desktop", "build", str(script), "--name", kind,
                   "--no-verify", mode]
    else:
        command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--windowed",
                   "--name", kind, mode, str(script)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.monotonic()
    result = subprocess.run(command, cwd=where, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    if result.returncode != 0:
        raise RuntimeError(f"{kind} build failed:\n{result.stdout[-2000:]}{result.stderr[-3000:]}")
    dist = where / "dist" / kind
    executable = dist if onefile else dist / kind
    return executable, seconds, tree_mib(dist)


def start_once(executable: Path, display: str, home: Path, pw) -> float:
    cdp_port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update({"DISPLAY": display, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
                "XDG_STATE_HOME": str(home / ".state"), "XDG_RUNTIME_DIR": str(home / ".run"),
                "QTWEBENGINE_REMOTE_DEBUGGING": f"127.0.0.1:{cdp_port}", "BROWSER": "true"})
    if os.geteuid() == 0:
        env["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
    started = time.time() * 1000
    proc = subprocess.Popen([str(executable)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        return painted_at(cdp_port, pw, time.monotonic() + 90) - started
    finally:
        stop(proc)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--onefile", action="store_true", help="one-file builds instead")
    parser.add_argument("--out", default=str(HERE / "results" / "build.json"))
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        home = tmp_path / "home"
        (home / ".run").mkdir(parents=True, mode=0o700)
        scripts = {"ours": tmp_path / "hello_ours.py", "plain": tmp_path / "hello_plain.py"}
        scripts["ours"].write_text(OUR_APP)
        scripts["plain"].write_text(FLOOR_APP)
        for kind in ("plain", "ours"):
            print(f"building {kind}...", file=sys.stderr, flush=True)
            executable, seconds, mib = build(kind, scripts[kind], tmp_path, args.onefile)
            results[kind] = {"executable": str(executable), "build_s": seconds, "size_mib": mib,
                             "starts_ms": []}
            print(f"{kind:5} build {seconds:.1f} s, {mib:.0f} MiB", file=sys.stderr, flush=True)
        xvfb, display = start_xvfb()
        try:
            with sync_playwright() as pw:
                for kind in ("plain", "ours"):
                    results[kind]["first_start_ms"] = start_once(
                        Path(results[kind]["executable"]), display, home, pw)
                for i in range(args.runs):
                    for kind in ("plain", "ours") if i % 2 == 0 else ("ours", "plain"):
                        ms = start_once(Path(results[kind]["executable"]), display, home, pw)
                        results[kind]["starts_ms"].append(ms)
                        print(f"{kind:5} start {i + 1}: {ms:.0f} ms", file=sys.stderr, flush=True)
        finally:
            xvfb.terminate()
            xvfb.wait(10)

    form = "one-file" if args.onefile else "one-folder"
    print(f"\n{form} builds{'':8}{'plain':>12}{'ours':>12}{'ratio':>8}{'target':>8}")
    rows = [("build time", "build_s", "s", None), ("bundle size", "size_mib", "MiB", 0.8),
            ("first start", "first_start_ms", "ms", None)]
    summary = {}
    for kind in results:
        results[kind]["start_median_ms"] = statistics.median(results[kind]["starts_ms"])
    rows.append(("start-up (median)", "start_median_ms", "ms", None))
    for label, key, unit, target in rows:
        plain, ours = results["plain"][key], results["ours"][key]
        ratio = ours / plain
        summary[key] = {"plain": plain, "ours": ours, "ratio": ratio}
        verdict = "" if target is None else (" met" if ratio <= target else " MISSED")
        print(f"{label:22}{plain:>8.1f} {unit:<3}{ours:>8.1f} {unit:<3}{ratio:>7.2f}x"
              f"{f'<={target}x' if target else '':>8}{verdict}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"form": form, "summary": summary,
                                          "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
