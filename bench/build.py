"""Built apps: ``webio-desktop build`` of a hello world against a plain pywebview hello world
built with PyInstaller's defaults, in the same run, on the same machine.

Both apps are bench/desktop.py's (ours: an app doing ``put_text('BENCH-READY')`` through the
launcher; plain: one pywebview window on a static page holding the same text). Built: plain
one-folder, ours one-folder, ours one-file (skip it with ``--no-onefile``). Measured:

* build time: the build command's wall time (``webio-desktop build --no-verify`` vs
  ``pyinstaller --noconfirm --clean --windowed``);
* bundle size: bytes of every file in ``dist/NAME/`` (the one file's size), MiB; and the floor:
  what of our bundle is Qt WebEngine itself (its libraries, Qt's and ICU's, and its resources);
* first visible: process spawn -> the first window (a splash screen or the app's) mapped on the
  display (bench/xvisible.py);
* content: process spawn -> the marker painted in the window (bench/desktop.py's definition),
  the first start right after the build, then ``--runs`` starts of each app, alternating
  (median). The one file (Linux: unpacked into the user's cache once per version) is started
  both ways in each round: *cold* (its cache emptied first: the first start after a download or
  an update) and *warm* (the cache holds this version: every later start).

Run: ``.venv/bin/python bench/build.py [--runs 5] [--no-onefile]``. Targets: our one-folder
bundle <= 0.55x the plain one, its content <= 1.1x the plain one's; one-file first visible
<= 1 s (cold) and content <= 1.5x our one-folder's (cold and warm reported).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from desktop import (FLOOR_APP, OUR_APP, free_port, painted_at, per_round, plain_build,
                     start_session_bus, start_xvfb, stop, stop_session_bus, tree_mib)
from xvisible import FirstVisible

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def engine_floor_mib(bundle: Path) -> float:
    """What of our one-folder bundle is Qt WebEngine itself: the Qt libraries slim.py had to
    keep (the engine links them, ICU included), its helper process and resources."""
    qt = bundle / "_internal" / "PyQt6" / "Qt6"
    return sum(tree_mib(qt / part) for part in ("lib", "libexec", "resources"))


# kind -> (script, build form)
KINDS = {"plain": ("plain", False), "ours": ("ours", False), "ours-onefile": ("ours", True)}


def build(kind: str, script: Path, where: Path, onefile: bool) -> tuple[Path, float, float]:
    """(executable, seconds, MiB)"""
    if kind.startswith("plain"):
        executable, seconds = plain_build(script, kind, where, onefile=onefile)
        return executable, seconds, tree_mib(where / "dist" / kind)
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "webio_desktop", "build", str(script), "--name",
                             kind, "--no-verify", "--onefile" if onefile else "--onedir"],
                            cwd=where, env={**os.environ, "PYTHONPATH": str(REPO)},
                            capture_output=True, text=True)
    seconds = time.monotonic() - started
    if result.returncode != 0:
        raise RuntimeError(f"{kind} build failed:\n{result.stdout[-2000:]}{result.stderr[-3000:]}")
    dist = where / "dist" / kind
    return (dist if onefile else dist / kind), seconds, tree_mib(dist)


# start kind -> (build kind, one-file cache emptied before the start)
STARTS = {"plain": ("plain", False), "ours": ("ours", False),
          "onefile-cold": ("ours-onefile", True), "onefile-warm": ("ours-onefile", False)}


def start_once(executable: Path, display: str, home: Path, pw, cold: bool = False) -> dict:
    """{"visible_ms", "content_ms"} of one start, both from the spawn. ``cold``: the one-file
    cache is emptied first."""
    cdp_port = free_port()
    cache = home / ".cache"
    if cold:
        shutil.rmtree(cache / "webio-desktop" / "onefile", ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "WEBIO_ONEFILE_CACHE")}
    env.update({"DISPLAY": display, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
                "XDG_CACHE_HOME": str(cache),
                "XDG_STATE_HOME": str(home / ".state"), "XDG_RUNTIME_DIR": str(home / ".run"),
                "QTWEBENGINE_REMOTE_DEBUGGING": f"127.0.0.1:{cdp_port}", "BROWSER": "true"})
    if os.geteuid() == 0:
        env["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
    visible = FirstVisible(display).start()
    started = time.time() * 1000
    proc = subprocess.Popen([str(executable)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        content = painted_at(cdp_port, pw, time.monotonic() + 90)[0] - started
    finally:
        visible.stop()
        stop(proc)
    return {"visible_ms": (visible.at - started) if visible.at else float("nan"),
            "content_ms": content}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-onefile", dest="onefile", action="store_false",
                        help="leave out the one-file build")
    parser.add_argument("--no-session-bus", dest="session_bus", action="store_false",
                        help="no D-Bus session bus (as before 2026-12-03)")
    parser.add_argument("--out", default=str(HERE / "results" / "build.json"))
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    kinds = [k for k in KINDS if args.onefile or not KINDS[k][1]]
    starts = [s for s in STARTS if STARTS[s][0] in kinds]
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        home = tmp_path / "home"
        (home / ".run").mkdir(parents=True, mode=0o700)
        scripts = {"ours": tmp_path / "hello_ours.py", "plain": tmp_path / "hello_plain.py"}
        scripts["ours"].write_text(OUR_APP)
        scripts["plain"].write_text(FLOOR_APP)
        for kind in kinds:
            script, onefile = KINDS[kind]
            print(f"building {kind}...", file=sys.stderr, flush=True)
            executable, seconds, mib = build(kind, scripts[script], tmp_path, onefile)
            results[kind] = {"executable": str(executable), "build_s": seconds, "size_mib": mib}
            if kind == "ours":
                results[kind]["engine_floor_mib"] = engine_floor_mib(executable.parent)
            print(f"{kind:12} build {seconds:.1f} s, {mib:.0f} MiB", file=sys.stderr, flush=True)
        xvfb, display = start_xvfb()
        bus = start_session_bus() if args.session_bus else None
        try:
            with sync_playwright() as pw:
                for kind in kinds:  # the one file's first start is a cold one
                    results[kind]["first_start"] = start_once(
                        Path(results[kind]["executable"]), display, home, pw)
                for start in starts:
                    results.setdefault(start, {})["starts"] = []
                for i in range(args.runs):
                    for start in starts if i % 2 == 0 else starts[::-1]:
                        kind, cold = STARTS[start]
                        sample = start_once(Path(results[kind]["executable"]), display, home, pw,
                                            cold=cold)
                        results[start]["starts"].append(sample)
                        print(f"{start:12} start {i + 1}: visible {sample['visible_ms']:.0f} ms, "
                              f"content {sample['content_ms']:.0f} ms", file=sys.stderr, flush=True)
        finally:
            xvfb.terminate()
            stop_session_bus(bus)
            xvfb.wait(10)

    for start in starts:
        for metric in ("visible_ms", "content_ms"):
            results[start][metric] = statistics.median(s[metric] for s in results[start]["starts"])
    summary = report(results, kinds, starts)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"summary": summary, "results": results}, indent=1))
    return 0


def report(results: dict, kinds: list[str], starts: list[str]) -> dict:
    """Print the side-by-side tables; the summary for the JSON."""
    print(f"\n{'':34}" + "".join(f"{k:>14}" for k in kinds))
    for label, key, unit in (("build time", "build_s", "s"), ("bundle size", "size_mib", "MiB")):
        print(f"{label:34}" + "".join(f"{results[k][key]:>10.0f} {unit:<3}" for k in kinds))
    print(f"{'first start: visible / content ms':34}" + "".join(
        f"{results[k]['first_start']['visible_ms']:>6.0f}/{results[k]['first_start']['content_ms']:<7.0f}"
        for k in kinds))
    print(f"\n{'':34}" + "".join(f"{k:>14}" for k in starts))
    for label, key in (("first visible (median)", "visible_ms"), ("content (median)", "content_ms")):
        print(f"{label:34}" + "".join(f"{results[k][key]:>10.0f} ms " for k in starts))
    plain, ours = results["plain"], results["ours"]
    checks = [("one-folder size / plain", ours["size_mib"] / plain["size_mib"], 0.55, "x"),
              ("Qt WebEngine floor / plain", ours["engine_floor_mib"] / plain["size_mib"], None,
               "x"),
              ("one-folder content / plain", ours["content_ms"] / plain["content_ms"], 1.1, "x")]
    if "onefile-cold" in results:
        cold, warm = results["onefile-cold"], results["onefile-warm"]
        checks += [("one-file size / one-folder", results["ours-onefile"]["size_mib"]
                    / ours["size_mib"], None, "x"),
                   ("one-file first visible, cold", cold["visible_ms"], 1000, " ms"),
                   ("one-file first visible, warm", warm["visible_ms"], 1000, " ms"),
                   ("one-file content / one-folder, cold", cold["content_ms"] / ours["content_ms"],
                    1.5, "x"),
                   ("one-file content / one-folder, warm", warm["content_ms"] / ours["content_ms"],
                    1.5, "x")]
    print()
    summary = {}
    for label, value, target, unit in checks:
        verdict = "" if target is None else ("met" if value <= target else "MISSED")
        shown = f"{value:.0f}{unit}" if unit == " ms" else f"{value:.2f}{unit}"
        print(f"{label:38}{shown:>10}  {f'<= {target}{unit}' if target else '':>12}  {verdict}")
        summary[label] = {"value": value, "target": target}
    pairs = [("one folder / plain", "ours", "plain")]
    if "onefile-cold" in results:
        pairs += [("one file cold / one folder", "onefile-cold", "ours"),
                  ("one file warm / one folder", "onefile-warm", "ours")]
    print("content, per-round ratios (the starts of a round are seconds apart), median [quartiles]:")
    for label, top, bottom in pairs:
        q1, median, q3 = per_round(results[top]["starts"], results[bottom]["starts"], "content_ms")
        print(f"  {label}: {median:.2f}x [{q1:.2f}-{q3:.2f}]")
        summary[f"{label}, per round"] = {"median": median, "quartiles": [q1, q3]}
    print(f"(Qt WebEngine floor: {ours['engine_floor_mib']:.0f} MiB of our "
          f"{ours['size_mib']:.0f} MiB; load average at the end: "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())})")
    return summary


if __name__ == "__main__":
    raise SystemExit(main())
