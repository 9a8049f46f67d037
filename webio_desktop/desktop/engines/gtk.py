"""WebKitGTK, the system's web engine on Linux, through pywebview's GTK backend.

The engine comes from the OS (Debian: ``libwebkit2gtk-4.1-0``, ``gir1.2-webkit2-4.1``), reached
through PyGObject, so a bundle carries neither Qt nor a browser. WebKitGTK has no DevTools
protocol; tests read and drive pages through the launcher's test channel (``testchannel.py``)
and real X input, aimed with ``content_origin``.
"""
from __future__ import annotations

import functools
import importlib.util
import logging
import os
import signal
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..window_manager import WindowManager
    from .base import Native

logger = logging.getLogger("webio_desktop.desktop")
# WebKitGTK's default renderer (DMA-BUF) sets up EGL in the app's process before it starts the web
# process, and GL in the web process. Here (Mesa's llvmpipe, no GPU) that made a window's content
# ~45 ms later; a GPU driver costs less, but not nothing. Our pages are documents and forms, which
# WebKit paints as well on the CPU, and WebGL still works. WebKit's own switch: a user's "0"
# (set before the launch) keeps the GPU path.
CPU_PAINTING = ("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
HINT = ("install the Debian packages gir1.2-webkit2-4.1 and libwebkit2gtk-4.1-0, and "
        "webio-desktop[gtk] (PyGObject)")


class GtkEngine:
    name = "system"
    gui = "gtk"
    early = True

    def __init__(self) -> None:
        self._manager: WindowManager | None = None
        self._warm: Any = None  # prestart's view, until a window adopts it
        self._adopted: Any = None  # ... then kept: its web process serves that window

    def problem(self) -> str | None:
        os.environ["PYWEBVIEW_GUI"] = "gtk"
        os.environ.setdefault(*CPU_PAINTING)  # read when WebKit makes its first context
        try:
            import gi

            gi.require_version("Gtk", "3.0")
            gi.require_version("WebKit2", "4.1")
            from gi.repository import Gtk, WebKit2  # noqa: F401
        except (ImportError, ValueError) as exc:  # ValueError: gi has no such typelib
            return f"WebKitGTK is not available ({type(exc).__name__}: {exc}); {HINT}"
        if importlib.util.find_spec("webview") is None:  # imported later, while WebKit boots
            return f"pywebview is not installed; {HINT}"
        return None

    def prestart(self) -> None:
        """WebKit starts a view's web process (and its context's network process) when the view
        first loads, and they take ~200 ms to boot. A hidden view in a new ephemeral context
        (what pywebview's private mode gives each window) loads about:blank now; the first
        window's view is made *related* to it, so it runs in that web process, already up."""
        try:
            from gi.repository import WebKit2

            context = WebKit2.WebContext.new_ephemeral()
            view = WebKit2.WebView(web_context=context)
            view.load_uri("about:blank")
        except Exception:
            logger.debug("could not start WebKit's processes early", exc_info=True)
            return
        self._warm = view

    def meanwhile(self, work: Callable[[], Any]) -> None:
        from gi.repository import GLib

        from .base import beside_loop

        context = GLib.MainContext.default()
        beside_loop(work, turn=lambda: context.iteration(True),
                    wake=lambda: GLib.idle_add(lambda: False))

    def install(self, manager: WindowManager) -> None:
        self._manager = manager
        self._guard_navigation()
        _make_views(self._warm)
        self._adopted, self._warm = self._warm, None
        from .gtk_drop import install as take_file_drops
        from .gtk_native import install as make_room_for_menus

        take_file_drops()  # dropped files reach the app as paths, never open in the window
        make_room_for_menus()
        # PyGObject runs Python signal handlers while GTK's loop waits (it wakes on a signal), so
        # Ctrl+C can close the windows like SIGTERM does: without asking, geometry saved.
        signal.signal(signal.SIGINT, lambda *_: manager.quit())

    def quit(self, manager: WindowManager) -> None:
        # Closing the last window ends Gtk.Application.run (and webview.start with it).
        manager.close_all()

    def raise_window(self, window: Any) -> None:
        from gi.repository import GLib
        from webview.platforms.gtk import BrowserView

        from .gtk_gui import bring_to_front

        view = BrowserView.instances.get(window.uid)
        if view is not None:
            GLib.idle_add(lambda: bring_to_front(view.window) and False)

    def ui_font(self) -> str | None:
        """GTK's ``gtk-font-name`` family (e.g. "Cantarell"): the face WebKitGTK's
        ``system-ui`` finds. Named, the page's first layout takes ~10 ms less here."""
        try:
            from gi.repository import Gtk, Pango

            settings = Gtk.Settings.get_default()
            name = settings.props.gtk_font_name if settings is not None else None
            return Pango.FontDescription.from_string(name).get_family() if name else None
        except Exception:
            logger.debug("could not read the desktop's font", exc_info=True)
            return None

    def native(self) -> Native:
        from . import gtk_native

        return gtk_native

    def content_origin(self, window: Any) -> tuple[int, int, int]:
        from gi.repository import GLib
        from webview.platforms.gtk import BrowserView

        view = BrowserView.instances[window.uid]
        result: list[tuple[int, int, int]] = []
        done = threading.Event()

        def ask() -> bool:
            try:
                from gi.repository import GdkX11  # noqa: F401  (get_xid)

                _, x, y = view.webview.get_window().get_origin()
                xid = view.window.get_window().get_xid()
                result.append((int(x), int(y), int(xid)))
            finally:
                done.set()
            return False

        GLib.idle_add(ask)
        if not done.wait(10) or not result:
            raise RuntimeError("the GUI thread did not answer")
        return result[0]

    def _guard_navigation(self) -> None:
        """Backstop for the page shim: the main frame never leaves our server (a load that
        starts elsewhere is stopped before the page could run, let alone reach pywebview's
        bridge), and new-window requests (target=_blank, window.open) go to ``manager.route``
        instead of replacing the page, as pywebview would do. Responses the engine can't show
        (a would-be download) are dropped, as Qt WebEngine does."""
        import gi

        gi.require_version("WebKit2", "4.1")
        from gi.repository import WebKit2
        from webview.platforms.gtk import BrowserView

        engine = self
        if getattr(BrowserView, "_webio_guarded", False):
            return
        original_navigation = BrowserView.on_navigation
        original_load = BrowserView.on_load_finish
        original_close = BrowserView.close_window

        def route(url: str) -> None:
            if engine._manager is not None:
                threading.Thread(target=engine._manager.route, args=(url,), daemon=True).start()

        def on_navigation(self: Any, webview: Any, decision: Any, decision_type: Any) -> bool:
            if decision_type == WebKit2.PolicyDecisionType.NEW_WINDOW_ACTION:
                decision.ignore()
                route(decision.get_navigation_action().get_request().get_uri())
                return True
            if (decision_type == WebKit2.PolicyDecisionType.RESPONSE
                    and not decision.is_mime_type_supported()):
                # pywebview would let WebKit save it to ~/Downloads unasked; Qt WebEngine drops
                # it. Downloads go through the shim and the Save dialog (WindowApi.save_file).
                logger.warning("ignored a download of %s", decision.get_request().get_uri())
                decision.ignore()
                return True
            original_navigation(self, webview, decision, decision_type)
            return False

        def on_load_finish(self: Any, webview: Any, status: Any) -> None:
            # WebKitGTK does not tell a navigation's frame in decide-policy (foreign frames in a
            # page are fine); load-changed is the main frame's alone.
            if status in (WebKit2.LoadEvent.STARTED, WebKit2.LoadEvent.REDIRECTED):
                url = webview.get_uri() or ""
                manager = engine._manager
                if (manager is not None and not manager.server.is_own_url(url)
                        and not url.startswith("about:")):
                    webview.stop_loading()
                    route(url)
                    return
            original_load(self, webview, status)

        def close_window(self: Any, *data: Any) -> bool:
            kept = original_close(self, *data)
            if not kept:
                # pywebview's objects keep the destroyed view alive, and its web process with
                # it: the page would go on running (its session never ends). End it.
                try:
                    self.webview.terminate_web_process()
                except Exception:
                    logger.debug("could not end the web process", exc_info=True)
            return kept

        def create_confirmation_dialog(self: Any, title: str, message: str) -> bool:
            # pywebview's, plus a window title (the question is named in the task bar, and
            # found by its title, as with Qt) and OK as the default answer (Return).
            from gi.repository import Gtk

            from .gtk_gui import message_dialog

            dialog = message_dialog(self.window, title, title, "question", secondary=message)
            response = dialog.run()
            dialog.destroy()
            return response == Gtk.ResponseType.OK

        BrowserView.create_confirmation_dialog = create_confirmation_dialog
        BrowserView.on_navigation = on_navigation
        BrowserView.on_load_finish = on_load_finish
        BrowserView.close_window = close_window
        BrowserView._webio_guarded = True


# How long a view whose first page has not committed stays out of its window's drawing at most
# (a server that never answers: the view then shows whatever WebKit has; see FirstCommitView).
FIRST_COMMIT_WAIT_MS = 1000


def _make_views(warm: Any) -> None:
    """pywebview's GTK backend makes each window's context and view through its module's
    ``webkit`` name; ours gives it ``FirstCommitView`` views. The first window also adopts
    ``warm`` (prestart's view, or None): its ephemeral context is ``warm``'s and its view is
    related to ``warm``, so it runs in that web process, already up."""
    from gi.repository import WebKit2
    from webview.platforms import gtk as backend

    if isinstance(backend.webkit, _Webkit):  # installed by an earlier launch in this process
        backend.webkit.warm = warm
        return
    backend.webkit = _Webkit(WebKit2, _first_commit_view(), warm)


class _Webkit:
    """``WebKit2`` as pywebview's backend calls it: its own but for views and the first
    ephemeral context (see ``_make_views``)."""

    def __init__(self, webkit2: Any, view_class: type, warm: Any) -> None:
        self._webkit2, self._view_class, self.warm = webkit2, view_class, warm
        outer = self

        class Contexts:
            def __getattr__(self, name: str) -> Any:
                return getattr(webkit2.WebContext, name)

            @staticmethod
            def new_ephemeral() -> Any:
                if outer.warm is not None:
                    return outer.warm.get_context()
                return webkit2.WebContext.new_ephemeral()

        self.WebContext = Contexts()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._webkit2, name)

    def WebView(self, **properties: Any) -> Any:  # noqa: N802 (WebKit2's name)
        warm, self.warm = self.warm, None  # one window adopts it
        if warm is not None and properties.get("web_context") is warm.get_context():
            properties.pop("web_context")  # a related view shares its context and process
            properties["related_view"] = warm
        return self._view_class(**properties)


@functools.lru_cache(maxsize=1)
def _first_commit_view() -> type:
    """The class of our windows' web views (made once: it registers a GType)."""
    from gi.repository import GLib, WebKit2

    class FirstCommitView(WebKit2.WebView):
        """A web view its window does not draw until its first page has committed.

        pywebview loads the page before it shows the window. The window's first size then
        reaches the web process while the navigation is under way, and WebKitGTK's next draw of
        the view waits (on the GUI thread, up to 500 ms) for the web process to paint at that
        size; the web process paints only once the new page commits, which waits for a reply
        from the GUI thread. About 1 start in 10 showed its page half a second late that way
        (gdb: the GUI thread in WebKit's draw, in a timed wait).

        So the view loads at once but stays out of its window's drawing (``child-visible``
        off: allocated, never mapped) until the navigation commits or fails, or
        ``FIRST_COMMIT_WAIT_MS`` passes. Its first draw then waits only for the page's first
        paint, which needs nothing from the GUI thread. (Loading only after the window's first
        frame, as before, avoided the wait too but started each page ~35 ms later.)"""

        __gtype_name__ = "WebioFirstCommitView"

        def __init__(self, **properties: Any) -> None:
            super().__init__(**properties)
            self.set_child_visible(False)
            self._waiting = [self.connect("load-changed", self._load_changed),
                             self.connect("load-failed", self._reveal)]
            self.connect("destroy", self._forget)  # closed before that: nothing to reveal
            GLib.timeout_add(FIRST_COMMIT_WAIT_MS, self._reveal)

        def _forget(self, *_: Any) -> None:
            self._waiting = []

        def _load_changed(self, _view: Any, event: Any) -> None:
            if event in (WebKit2.LoadEvent.COMMITTED, WebKit2.LoadEvent.FINISHED):
                self._reveal()

        def _reveal(self, *_: Any) -> bool:
            if self._waiting:
                for handler in self._waiting:
                    self.disconnect(handler)
                self._waiting = []
                self.set_child_visible(True)
            return False  # (also a "load-failed" handler: the failure goes on to be shown)

    return FirstCommitView


ENGINE = GtkEngine()


# -- building (webio-desktop build --engine system) -----------------------------------------------
# Modules a system-engine bundle leaves out: Qt and its bindings (pywebview's other backends).
BUILD_EXCLUDES = ["PyQt6", "PyQt5", "PySide6", "PySide2", "qtpy", "webview.platforms.qt"]
# What the package needs from the system instead (Debian names; the .deb's Depends).
DEB_DEPENDS = ["libwebkit2gtk-4.1-0", "gir1.2-webkit2-4.1", "gir1.2-gtk-3.0",
               "libgirepository-1.0-1"]
# Where the system's libraries and their data live; PyInstaller's GTK hooks copy from here.
SYSTEM_PREFIXES = ("/usr/lib/", "/lib/", "/usr/lib64/", "/lib64/", "/usr/share/", "/etc/")
# What PyInstaller's GTK hooks generate into the bundle from those (caches, compiled schemas).
BUNDLE_COPIES = ("gi_typelibs/", "gio_modules/", "share/", "etc/", "lib/gdk-pixbuf")
# Environment PyInstaller's GTK run-time hooks point into the bundle (see leave_out_system).
BUNDLE_ENV = ("GI_TYPELIB_PATH", "GIO_MODULE_DIR", "GTK_DATA_PREFIX", "GTK_EXE_PREFIX",
              "GTK_PATH", "PANGO_LIBDIR", "PANGO_SYSCONFDIR", "GDK_PIXBUF_MODULE_FILE")


def _is_python_module(dest: str) -> bool:
    name = dest.rsplit("/", 1)[-1]
    return ("lib-dynload/" in dest or ".cpython-" in name or name.endswith(".abi3.so")
            or name.startswith("libpython"))


def leave_out_system(binaries: list, datas: list) -> tuple[list, list, list[str]]:
    """A spec's ``(binaries, datas)`` without what the OS provides: shared libraries and data
    files PyInstaller copied from system folders (GTK, WebKitGTK, GLib, their typelibs, icons,
    schemas...). Python's own extension modules stay. Returns the dropped destinations too."""
    def system(entry: tuple) -> bool:
        dest, source = entry[0].replace(os.sep, "/"), str(entry[1])
        if dest.startswith(BUNDLE_COPIES):
            return True
        return source.startswith(SYSTEM_PREFIXES) and not _is_python_module(dest)

    dropped = [e[0] for e in [*binaries, *datas] if system(e)]
    return ([e for e in binaries if not system(e)], [e for e in datas if not system(e)],
            dropped)


def use_system_libraries(bundle: str) -> None:
    """At the start of a built app: undo what PyInstaller's GTK run-time hooks point into the
    bundle (typelibs, GIO and pixbuf modules, GTK's data), so GLib and GTK use the system's,
    and give WebKitGTK's helper processes the system's library path back."""
    for name in BUNDLE_ENV:
        if os.environ.get(name, "").startswith(bundle):
            del os.environ[name]
    original = os.environ.pop("LD_LIBRARY_PATH_ORIG", None)
    if original is not None:
        os.environ["LD_LIBRARY_PATH"] = original
    elif os.environ.get("LD_LIBRARY_PATH", "").startswith(bundle):
        del os.environ["LD_LIBRARY_PATH"]
