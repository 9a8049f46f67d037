"""``webio-desktop [options] app.py [args...]``: run a PyWebIO-style script in native windows."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .buildinfo import VERIFY_ENV
from .engines import DEFAULT_ENGINE, ENGINES


def default_icon() -> str | None:
    """Our own icon for windows when the app names none."""
    path = Path(__file__).resolve().parent / "icons" / "icon-256.png"
    return str(path) if path.is_file() else None


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT, got {text!r}") from None
    return width, height


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="webio-desktop",
        description="Run a PyWebIO-style script in native windows. Arguments after the script "
                    "are passed to it (sys.argv). `webio-desktop build app.py` makes a "
                    "double-clickable app of it (see `webio-desktop build --help`).")
    parser.add_argument("script", help="the Python file to run as __main__")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the script")
    parser.add_argument("--browser", action="store_true",
                        help="serve to the default browser instead of native windows")
    parser.add_argument("--host", default="127.0.0.1",
                        help="browser mode: interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0,
                        help="browser mode: port (default: a free one)")
    parser.add_argument("--no-open", dest="open_browser", action="store_false",
                        help="browser mode: only print the URL")
    parser.add_argument("--engine", choices=ENGINES, default=DEFAULT_ENGINE,
                        help="web engine of the windows: qt (Qt WebEngine, bundled; the default) "
                             "or system (the OS's own: WebKitGTK on Linux)")
    parser.add_argument("--tabs", action="store_true",
                        help="keep apps as tabs of one window (go_app and new-window links open tabs)")
    parser.add_argument("--no-pywebio-alias", dest="alias", action="store_false",
                        help="do not make 'import pywebio' load webio_desktop")
    parser.add_argument("--size", type=_size, metavar="WxH", help="window size (default 960x720)")
    parser.add_argument("--min-size", type=_size, metavar="WxH", default=(320, 240))
    parser.add_argument("--fixed-size", dest="resizable", action="store_false",
                        help="windows can not be resized")
    parser.add_argument("--fullscreen", action="store_true")
    parser.add_argument("--on-top", action="store_true", help="keep windows above others")
    parser.add_argument("--frameless", action="store_true")
    parser.add_argument("--icon", help="window icon (a PNG file)")
    parser.add_argument("--no-remember", dest="remember", action="store_false",
                        help="do not restore window size and position")
    parser.add_argument("--new-instance", dest="single", action="store_false",
                        help="start even if this app already runs (default: show its window)")
    parser.add_argument("--debug", action="store_true",
                        help="tracebacks in the window, verbose logs on stderr")
    parser.add_argument("--reload", action="store_true",
                        help="run the script again when a .py file in its folder is saved; "
                             "open windows show the new code")
    return parser


def _load_launcher(gui: str) -> None:
    """Import what the launcher needs before its first window (the server, Tornado, pywebview's
    ``gui`` backend): run beside the engine's GUI loop (``Engine.meanwhile``)."""
    import importlib

    for name in (f"webview.platforms.{gui}", f"{__package__}.launcher",
                 f"{__package__}.window_manager"):
        importlib.import_module(name)


def main(argv: list[str] | None = None, *, app_id: str | None = None) -> int:
    """The command line; ``app_id`` names the app for state and single-instance (a built
    app passes its executable: the script's own path changes with each one-file start)."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["build"] and not Path("build").is_file():
        from .build import main as build_main

        return build_main(argv[1:])
    args = build_parser().parse_args(argv)
    script = Path(args.script)
    if not script.is_file():
        print(f"webio-desktop: no such file: {script}", file=sys.stderr)
        return 2
    if args.reload:
        from .reload import watcher_missing

        missing = watcher_missing()
        if missing:
            print(f"webio-desktop: --reload: {missing}", file=sys.stderr)
            return 2
    from .state import setup_logging, state_key_for

    log_path = setup_logging(script.stem, debug=args.debug)
    # Another interface than loopback only makes sense for a browser.
    browser = args.browser or args.host not in ("127.0.0.1", "localhost", "::1")
    state_key = app_id or state_key_for(str(script))
    instance = None
    if not browser and args.single and os.environ.get(VERIFY_ENV) != "1":
        from .instance import SingleInstance

        instance = SingleInstance(state_key)
        if not instance.claim():
            print(f"webio-desktop: {script.name} is already running: showed its window")
            return 0
    from .engines import get_engine, start_engine

    engine = None if browser else get_engine(args.engine)
    early = engine is not None and engine.early  # asked once: Qt's answer may change meanwhile
    gui_reason = None
    if early:
        gui_reason = start_engine(args.engine)
        if gui_reason is None:
            # Only now the launcher, the server and Tornado: they load while the engine boots.
            engine.meanwhile(lambda: _load_launcher(engine.gui))
    from .launcher import DesktopOptions, Launcher
    from .window_manager import WindowOptions

    if engine is not None and not early:  # e.g. Qt while a one file still unpacks its files
        gui_reason = start_engine(args.engine)

    width, height = args.size or (960, 720)
    window = WindowOptions(width=width, height=height, min_size=args.min_size,
                           resizable=args.resizable, fullscreen=args.fullscreen,
                           on_top=args.on_top, frameless=args.frameless,
                           remember=args.remember, icon=args.icon or default_icon())
    options = DesktopOptions(navigation="tabs" if args.tabs else "windows", engine=args.engine,
                             browser=browser, host=args.host, port=args.port,
                             open_browser=args.open_browser, debug=args.debug,
                             reload=args.reload, window=window)
    launcher = Launcher(options, state_key=state_key)
    launcher.instance = instance
    if not browser:
        launcher.gui_reason = gui_reason
    if args.alias:
        from ..compat import install_pywebio_alias

        install_pywebio_alias()
    launcher.install()
    if log_path is not None and args.debug:
        print(f"webio-desktop: log file {log_path}", file=sys.stderr)
    os.environ.setdefault("WEBIO_DESKTOP", "1")
    return launcher.run_script(str(script), list(args.args))


if __name__ == "__main__":
    raise SystemExit(main())
