"""What the window manager needs from a web engine: the small interface each engine implements.

Everything else (which app opens where, titles, close guards, geometry, downloads through the
Save dialog, the security checks) is engine-independent and lives in ``window_manager.py``,
``server.py`` and ``security.py``; pywebview's own ``Window`` API covers the rest.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..window_manager import WindowManager

Filters = list[tuple[str, list[str]]]  # [(label, ["*.txt", ...])], from native.normalize_filters
Fire = Callable[[str, Any], None]  # fire(callback_id, data): a callback of the page's session


def wait_for_gui(post: Callable[[Callable[[], None]], None], func: Callable[[], Any]) -> Any:
    """Hand ``func`` to the GUI thread with ``post`` (the toolkit's way to queue a job there)
    and wait: ``func``'s result, or its exception raised in the calling thread."""
    done = threading.Event()
    outcome: dict[str, Any] = {}

    def job() -> None:
        try:
            outcome["value"] = func()
        except BaseException as exc:  # handed to the calling thread
            outcome["error"] = exc
        finally:
            done.set()

    post(job)
    done.wait()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def beside_loop(work: Callable[[], Any], turn: Callable[[], None],
                wake: Callable[[], None]) -> None:
    """Run ``work`` on a helper thread while this thread turns the GUI loop (``turn()``: one
    step, waiting for an event); ``wake()`` (thread-safe) makes a waiting ``turn`` return. Returns
    when ``work`` ends, raising what it raised."""
    done = threading.Event()
    outcome: dict[str, BaseException] = {}

    def job() -> None:
        try:
            work()
        except BaseException as exc:  # handed to the calling thread
            outcome["error"] = exc
        finally:
            done.set()
            wake()

    threading.Thread(target=job, name="webio-beside-loop", daemon=True).start()
    while not done.is_set():
        turn()
    if "error" in outcome:
        raise outcome["error"]


class Engine(Protocol):
    """One web engine, driven through one pywebview backend."""

    name: str  # what --engine calls it: "qt" or "system"
    gui: str  # pywebview's backend name: "qt", "gtk", ...
    # Whether ``prestart`` starts something: the launcher then loads the engine before its own
    # modules (they load while the engine boots); otherwise after them, so they overlap what
    # does not need the engine (a one-file build still unpacking the engine's files).
    early: bool

    def problem(self) -> str | None:
        """Why the engine can't open windows here (one line), or None. Loads the engine on
        the calling thread, which becomes the GUI thread: call it on the main thread."""

    def prestart(self) -> None:
        """Start the engine's own processes now, on the main thread, right after ``problem()``
        said None: they boot on another core while Python imports the launcher, the server and
        the app, and the first window takes them over. Best effort (on failure the window starts
        them itself, as without this call)."""

    def meanwhile(self, work: Callable[[], Any]) -> None:
        """After ``prestart``, on the main thread: run ``work`` (the launcher's imports) on a
        helper thread while the GUI loop turns here, so the engine's processes finish their
        start-up handshake, which waits on this loop, instead of waiting for the first window
        (``beside_loop``). Returns when ``work`` ends, raising what it raised."""

    def install(self, manager: WindowManager) -> None:
        """Before the GUI starts: route every navigation that would leave our server through
        ``manager.route`` (new windows, the system browser, or nowhere), and make Ctrl+C end
        the GUI through ``manager.quit``."""

    def quit(self, manager: WindowManager) -> None:
        """On the main thread (a signal handler): end the GUI loop now."""

    def raise_window(self, window: Any) -> None:
        """Thread-safe: bring ``window`` (a pywebview Window) to the front."""

    def content_origin(self, window: Any) -> tuple[int, int, int]:
        """Thread-safe: (x, y) on the screen of the page's top-left corner, and the native
        window's X11 id (0 when there is none). The test channel uses it to aim real clicks."""

    def ui_font(self) -> str | None:
        """On the main thread, after ``problem()`` said None: the desktop's interface font
        family, when the engine is better off told it than asked ``system-ui``; else None."""

    def native(self) -> Native:
        """The toolkit side of ``webio_desktop.desktop`` for these windows (loaded on first
        use, so a bundle of one engine never needs the other's toolkit)."""


class Native(Protocol):
    """What ``bridge.py`` asks of the toolkit (one module per engine: ``qt_native``,
    ``gtk_native``). ``window`` is always a pywebview Window. Every function is thread-safe
    (it runs its toolkit work on the GUI thread and waits for it); dialogs are modal to
    ``window`` and answer as ``desktop.open_file`` & co. document (None when cancelled)."""

    def gui_call(self, func: Callable[[], Any]) -> Any:
        """Run ``func`` on the GUI thread; its result, or its exception raised here."""

    def open_file(self, window: Any, title: str, filters: Filters, multiple: bool,
                  directory: str) -> Any: ...

    def save_file(self, window: Any, title: str, filters: Filters, name: str,
                  directory: str) -> str | None: ...

    def choose_folder(self, window: Any, title: str, directory: str) -> str | None: ...

    def message_box(self, window: Any, title: str, message: str, kind: str) -> None: ...

    def ask_ok_cancel(self, window: Any, title: str, message: str) -> bool: ...

    def window_action(self, window: Any, action: str, args: list) -> Any:
        """One ``desktop.Window`` method (title, geometry, state, resize, move, ...)."""

    def watch_focus(self, window: Any, send: Callable[[dict], None]) -> None:
        """Call ``send({"event": "focus"})`` / ``{"event": "blur"}`` as the window gains or
        loses the keyboard focus (pywebview has no such event)."""

    def frame_position(self, window: Any) -> tuple[int, int]:
        """Where the window's frame is on the screen (what ``move`` takes)."""

    def set_menu(self, window: Any, menus: list[dict], fire: Fire) -> None:
        """Replace the window's menu bar with ``menus`` (specs from native.py; [] hides it)."""

    def set_tray(self, manager: WindowManager, window: Any, spec: dict | None,
                 fire: Fire) -> None:
        """Show, replace or (``spec`` None) remove the app's tray icon (``tray.py``)."""


class Unavailable:
    """An engine that can't run on this platform; its ``problem()`` says why."""

    gui = ""
    early = False

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self._reason = reason

    def problem(self) -> str | None:
        return self._reason

    def prestart(self) -> None:  # pragma: no cover - never started
        raise RuntimeError(self._reason)

    def meanwhile(self, work: Callable[[], Any]) -> None:  # pragma: no cover - never started
        raise RuntimeError(self._reason)

    def install(self, manager: WindowManager) -> None:  # pragma: no cover - never started
        raise RuntimeError(self._reason)

    def quit(self, manager: WindowManager) -> None:  # pragma: no cover
        raise RuntimeError(self._reason)

    def raise_window(self, window: Any) -> None:  # pragma: no cover
        raise RuntimeError(self._reason)

    def content_origin(self, window: Any) -> tuple[int, int, int]:  # pragma: no cover
        raise RuntimeError(self._reason)

    def ui_font(self) -> str | None:
        return None

    def native(self) -> Native:  # pragma: no cover
        raise RuntimeError(self._reason)
