"""Hot reload's parts for the launcher (``webio-desktop --reload app.py``): watching the script's
folder, forgetting the modules it imported from there, and the page a failed run shows.

The reload itself, in order, is the launcher's (``Launcher.reload``): end the sessions, let the
old run of the script go, forget its modules, run the script again, serve what it shows on the
same socket, tell the pages (``server/reload.py``).
"""
from __future__ import annotations

import logging
import os
import site
import sys
import sysconfig
import threading
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

logger = logging.getLogger("webio_desktop.desktop")

# watchfiles yields a batch once no new change came for this long: an editor's save (write a
# temporary file, rename it over the old one) is one batch, and a save is seen within ~0.1 s.
STEP_MS = 50


def watcher_missing() -> str | None:
    """Why the folder can't be watched (None when it can): watchfiles is not installed."""
    try:
        import watchfiles  # noqa: F401
    except ImportError:
        return "watchfiles is not installed (pip install 'webio-desktop[desktop]')"
    return None


def source_filter(folders: Iterable[str]) -> Callable[[Any, str], bool]:
    """watchfiles' ``PythonFilter`` (``.py``/``.pyx``/``.pyd`` files, not in ``__pycache__``,
    ``node_modules``...), without folders (Qt WebEngine keeps its cache in ``~/.cache/app.py/``)
    and without hidden folders below the watched ones (``.cache``, ``.local``: a script in the
    home folder; nothing is imported from a hidden folder)."""
    from watchfiles import PythonFilter

    python = PythonFilter()
    roots = [os.path.join(folder, "") for folder in folders]

    def wanted(change: Any, path: str) -> bool:
        if not python(change, path) or os.path.isdir(path):
            return False
        root = next((r for r in roots if path.startswith(r)), None)
        inner = path[len(root):] if root else path
        return not any(part.startswith(".") for part in inner.split(os.sep)[:-1])

    return wanted


class FolderWatcher:
    """A thread that calls ``on_change(paths)`` for each batch of changed Python source files
    under ``folders`` and their sub-folders (``source_filter``). ``on_change`` runs on the
    watcher's thread; changes made meanwhile come in the next batch."""

    def __init__(self, folders: Iterable[str | Path],
                 on_change: Callable[[list[str]], None]) -> None:
        self.folders = sorted({str(Path(f).resolve()) for f in folders})
        self.on_change = on_change
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        # Its own lines (every batch, filtered or not) would flood --debug's console.
        logging.getLogger("watchfiles").setLevel(logging.WARNING)
        self._thread = threading.Thread(target=self._watch, name="webio-reload-watcher",
                                        daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop watching (the inotify handles are released); waits for a reload in progress
        up to ``timeout`` s."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _watch(self) -> None:
        from watchfiles import watch

        try:
            for changes in watch(*self.folders, watch_filter=source_filter(self.folders),
                                 step=STEP_MS,
                                 stop_event=self._stop, raise_interrupt=False):
                if self._stop.is_set():
                    break
                try:
                    self.on_change(sorted({path for _change, path in changes}))
                except Exception:
                    logger.exception("hot reload failed")
        except Exception:
            logger.exception("watching %s for changes failed: hot reload is off",
                             ", ".join(self.folders))


_OWN_PACKAGE = Path(__file__).resolve().parents[1]  # webio_desktop (and its pywebio alias)


def _installed_roots() -> set[Path]:
    """Where installed packages live (a virtualenv inside the script's folder included)."""
    paths = {sysconfig.get_paths()[key] for key in ("purelib", "platlib", "stdlib", "platstdlib")}
    paths.update(getattr(site, "getsitepackages", lambda: [])())
    paths.add(getattr(site, "getusersitepackages", lambda: "")() or "")
    return {Path(p).resolve() for p in paths if p}


def _under(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def forget_modules(folder: str | Path) -> list[str]:
    """Drop from ``sys.modules`` the modules loaded from files under ``folder`` (the script's
    own helpers and packages), so the next run imports them again from their saved source.

    Installed packages (site-packages, a virtualenv in the folder, the standard library) and
    webio_desktop itself stay loaded. Returns the names dropped.
    """
    base = Path(folder).resolve()
    # Paths as imported (absolute, maybe through a symlink) and as resolved both count; a
    # string test first: resolving every loaded module's path costs ~0.2 s.
    prefixes = tuple({os.path.join(os.path.abspath(folder), ""), os.path.join(str(base), "")})
    kept = [*_installed_roots(), _OWN_PACKAGE]  # (a script inside one reloads alone)
    dropped = []
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if name == "__main__" or not isinstance(file, str):
            continue  # (the next run makes a new __main__)
        if not os.path.abspath(file).startswith(prefixes):
            continue
        path = Path(file).resolve()
        if not any(_under(path, root) for root in kept):
            del sys.modules[name]
            dropped.append(name)
            _drop_bytecode(module)
    return dropped


def _drop_bytecode(module: Any) -> None:
    """Delete a module's cached bytecode: a ``.pyc`` records its source's mtime in whole
    seconds and its size, so a save within the same second that keeps the size (``x = 1`` to
    ``x = 2``) would import the old code again."""
    cached = getattr(module, "__cached__", None)
    if isinstance(cached, str):
        try:
            os.remove(cached)
        except OSError:
            pass  # never written (PYTHONDONTWRITEBYTECODE), or not ours to remove


def format_failure(exc: BaseException, skip_file: str) -> str:
    """The traceback of a failed run, without the leading frames of ``skip_file`` (the
    launcher's own, above the script's)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == skip_file:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb)).rstrip()


def failure_app(script: str, outcome: Any, skip_file: str) -> Callable[[], None]:
    """The app windows show while the script can't run: what went wrong (``outcome``: the
    exception, or the exit code of a run that ended before it showed anything), the traceback,
    and that the next save reloads. ``script``: the file's name; ``skip_file``: see
    ``format_failure``."""
    from ..output import put_code, put_error, put_text
    from ..page_config import config
    from ..session import hold

    details = ""
    if isinstance(outcome, BaseException):
        message = f"{script} failed: {type(outcome).__name__}: {outcome}"
        details = format_failure(outcome, skip_file)
    elif outcome in (0, None):
        message = f"{script} ended without showing anything (no start_server, no output)."
    else:
        message = f"{script} exited with {outcome!r} before showing anything."

    @config(title=f"{script}: error")
    def show_failure() -> None:
        put_error(message)
        if details:
            put_code(details, language="pytb")
        put_text(f"Save {script} to try again: this window reloads by itself.")
        hold()  # the page stays as it is (no "session ended") until the reload closes it

    return show_failure
