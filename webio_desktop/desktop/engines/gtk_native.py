"""The native surface with GTK 3 (``base.Native``): dialogs, window control, menu bars and the
tray for pywebview's GTK windows (WebKitGTK, the system engine). ``bridge.py`` calls these
from pywebview's bridge threads; the GTK work runs on the GUI thread (``gtk_gui.gui_call``).

pywebview's own GTK dialogs have no titles and no filters on Save, and its menus are the
application's, fixed before the first window: we build ours, as the Qt engine does.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

import gi

gi.require_version("Gtk", "3.0")
from gi.repository import Gdk, Gtk  # noqa: E402

from .base import Filters, Fire
from .gtk_gui import (bring_to_front, fill_menu, gui_call,  # gui_call: base.Native's too
                      message_dialog, mnemonic_label, repaint_pages_after, run_dialog)


def _view(window: Any) -> Any:
    """On the GUI thread: pywebview's BrowserView of ``window`` (``.window``: its Gtk.Window)."""
    from webview.platforms.gtk import BrowserView

    view = BrowserView.instances.get(window.uid)
    if view is None:
        raise ValueError("the window is closed")
    return view


def _parent(window: Any) -> Gtk.Window | None:
    """On the GUI thread: the Gtk.Window a dialog of ``window`` is modal to."""
    from webview.platforms.gtk import BrowserView

    view = BrowserView.instances.get(window.uid)
    return view.window if view is not None else None


# -- dialogs --------------------------------------------------------------------------------------
def _any_case(glob: str) -> str:
    """``*.txt`` -> ``*.[tT][xX][tT]``: GTK's patterns match case, Qt's filters do not."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in glob)


def _file_chooser(window: Any, title: str, action: Gtk.FileChooserAction, accept: str,
                  filters: Filters, directory: str) -> Gtk.FileChooserDialog:
    """On the GUI thread: a file dialog modal to ``window``; the first filter is selected."""
    dialog = Gtk.FileChooserDialog(title=title, transient_for=_parent(window), modal=True,
                                   destroy_with_parent=True, action=action)
    dialog.add_buttons("_Cancel", Gtk.ResponseType.CANCEL, accept, Gtk.ResponseType.ACCEPT)
    dialog.set_default_response(Gtk.ResponseType.ACCEPT)
    for label, globs in filters:
        kind = Gtk.FileFilter()
        kind.set_name(f"{label} ({' '.join(globs)})")  # as Qt shows it
        for glob in globs:
            kind.add_pattern(_any_case(glob))
        dialog.add_filter(kind)
    # Qt starts in the working folder when given none; GTK would show "Recent".
    dialog.set_current_folder(directory or os.getcwd())
    return dialog


def _accepted(response: int) -> bool:
    return response == Gtk.ResponseType.ACCEPT


def open_file(window: Any, title: str, filters: Filters, multiple: bool, directory: str) -> Any:
    def make() -> Gtk.Dialog:
        dialog = _file_chooser(window, title, Gtk.FileChooserAction.OPEN, "_Open", filters,
                               directory)
        dialog.set_select_multiple(multiple)
        return dialog

    def answer(dialog: Any, response: int) -> Any:
        if not _accepted(response):
            return None
        return (list(dialog.get_filenames()) or None) if multiple else dialog.get_filename()

    return run_dialog(make, answer)


def save_file(window: Any, title: str, filters: Filters, name: str,
              directory: str) -> str | None:
    def make() -> Gtk.Dialog:
        dialog = _file_chooser(window, title, Gtk.FileChooserAction.SAVE, "_Save", filters,
                               directory)
        dialog.set_do_overwrite_confirmation(True)  # asks before replacing a file, as Qt does
        if name:
            dialog.set_current_name(name)
        return dialog

    return run_dialog(make, lambda dialog, response: dialog.get_filename()
                      if _accepted(response) else None)


def choose_folder(window: Any, title: str, directory: str) -> str | None:
    return run_dialog(
        lambda: _file_chooser(window, title, Gtk.FileChooserAction.SELECT_FOLDER, "_Select", [],
                              directory),
        lambda dialog, response: dialog.get_filename() if _accepted(response) else None)


def message_box(window: Any, title: str, message: str, kind: str) -> None:
    run_dialog(lambda: message_dialog(_parent(window), title, message, kind),
               lambda dialog, response: None)


def ask_ok_cancel(window: Any, title: str, message: str) -> bool:
    return run_dialog(lambda: message_dialog(_parent(window), title, message, "question"),
                      lambda dialog, response: response == Gtk.ResponseType.OK)


# -- window control -------------------------------------------------------------------------------
def window_action(window: Any, action: str, args: list) -> Any:
    return gui_call(lambda: _window_action(_view(window), action, args))


def _window_action(view: Any, action: str, args: list) -> Any:
    """One window-control action on the GUI thread, as ``qt_native._window_action`` does it."""
    win: Gtk.Window = view.window
    if action == "title":
        return win.get_title()
    if action == "set_title":
        win.set_title(str(args[0]))
    elif action == "geometry":
        (x, y), (width, height) = win.get_position(), win.get_size()
        return {"x": x, "y": y, "width": width, "height": height}
    elif action == "state":
        gdk = win.get_window()
        flags = gdk.get_state() if gdk is not None else Gdk.WindowState(0)
        return {"minimized": bool(flags & Gdk.WindowState.ICONIFIED),
                "maximized": win.is_maximized(),
                "fullscreen": bool(flags & Gdk.WindowState.FULLSCREEN),
                "visible": win.get_visible(), "focused": win.is_active(),
                "on_top": _on_top(view)}
    elif action == "resize":
        win.resize(int(args[0]), int(args[1]))
    elif action == "move":
        win.move(int(args[0]), int(args[1]))
    elif action == "on_top":
        # What was asked, as Qt reports its flag (GTK has no getter; the window manager's
        # record comes later, and never without one).
        view._webio_on_top = bool(args[0])
        win.set_keep_above(bool(args[0]))
    elif action == "minimize":
        win.iconify()
    elif action == "maximize":
        win.maximize()
    elif action == "restore":  # Qt's showNormal: neither minimized, maximized nor fullscreen
        _fullscreen(view, False)
        win.unmaximize()
        win.deiconify()
    elif action == "fullscreen":
        _fullscreen(view, bool(args[0]))
    elif action == "hide":
        win.hide()
    elif action == "show":
        win.show()
    elif action == "focus":
        bring_to_front(win)
    else:
        raise ValueError(f"no window action {action!r}")
    return None


def _on_top(view: Any) -> bool:
    return getattr(view, "_webio_on_top", bool(view.pywebview_window.on_top))


def _fullscreen(view: Any, on: bool) -> None:
    view.window.fullscreen() if on else view.window.unfullscreen()
    view.is_fullscreen = on  # pywebview's own toggle_fullscreen reads it


def frame_position(window: Any) -> tuple[int, int]:
    return gui_call(lambda: tuple(_view(window).window.get_position()))


def watch_focus(window: Any, send: Callable[[dict], None]) -> None:
    def changed(win: Gtk.Window, _param: Any) -> None:
        event = {"event": "focus" if win.is_active() else "blur"}
        threading.Thread(target=send, args=(event,), daemon=True).start()

    gui_call(lambda: _view(window).window.connect("notify::is-active", changed))


# -- menus and the tray ---------------------------------------------------------------------------
def set_menu(window: Any, menus: list[dict], fire: Fire) -> None:
    gui_call(lambda: _menu_bar(_view(window), menus, fire))


def _menu_bar(view: Any, menus: list[dict], fire: Fire) -> None:
    """On the GUI thread: replace the window's menu bar (above its web view) with ``menus``;
    none left: no bar. Its shortcuts work while the window has the focus."""
    win: Gtk.Window = view.window
    old = getattr(view, "_webio_menu", None)
    if old is not None:
        bar, accels = old
        bar.destroy()
        win.remove_accel_group(accels)
        view._webio_menu = None
    if not menus:
        return
    accels = Gtk.AccelGroup()
    win.add_accel_group(accels)
    bar = Gtk.MenuBar()
    for spec in menus:
        entry = Gtk.MenuItem.new_with_mnemonic(mnemonic_label(spec["label"]))
        menu = Gtk.Menu()
        menu.set_accel_group(accels)
        fill_menu(menu, spec["items"], fire, accels)
        repaint_pages_after(menu)
        entry.set_submenu(menu)
        bar.append(entry)
    box = _content_box(win)
    box.pack_start(bar, False, False, 0)
    box.reorder_child(bar, 0)
    bar.show_all()
    view._webio_menu = (bar, accels)


def _content_box(win: Gtk.Window) -> Gtk.Box:
    """The vertical box ``install`` put the window's web view in."""
    child = win.get_child()
    if not isinstance(child, Gtk.Box):
        raise RuntimeError("this window has no room for a menu bar")
    return child


def install() -> None:
    """Before the first window: each window's web view (in pywebview's ScrolledWindow) goes in a
    vertical box, where a menu bar can be added above it later. Done as the window is built,
    before it is shown, so a live web view is never taken out of its window and put back."""
    from webview.platforms.gtk import BrowserView

    if getattr(BrowserView, "_webio_boxed", False):
        return
    original_init = BrowserView.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        content = self.window.get_child()
        box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL)
        self.window.remove(content)
        box.pack_end(content, True, True, 0)
        self.window.add(box)

    BrowserView.__init__ = init
    BrowserView._webio_boxed = True


def set_tray(manager: Any, window: Any, spec: dict | None, fire: Fire) -> None:
    # Loaded with the first tray: most apps have none, and every start would pay for it.
    from .gtk_tray import set_tray as make_tray

    gui_call(lambda: make_tray(manager, window, spec, fire))
