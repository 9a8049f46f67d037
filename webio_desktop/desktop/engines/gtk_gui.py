"""GTK 3's GUI thread, message dialogs and menus, shared by ``gtk.py`` (the close guard's
question), ``gtk_native.py`` (dialogs, window control, menu bars) and ``gtk_tray.py`` (the
tray's menu). pywebview's GTK backend runs GTK's loop on the main thread; its bridge calls
come in threads of their own, so work for GTK is handed over with ``gui_call``.
"""
from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Callable
from typing import Any

import gi

gi.require_version("Gtk", "3.0")
from gi.repository import GLib, Gtk  # noqa: E402

from .base import Fire, wait_for_gui  # noqa: E402

logger = logging.getLogger("webio_desktop.desktop")


def gui_call(func: Callable[[], Any]) -> Any:
    """Run ``func`` on GTK's GUI thread and return its result (or raise its error) here."""
    if GLib.MainContext.default().is_owner():
        return func()
    return wait_for_gui(lambda job: GLib.idle_add(lambda: job() or GLib.SOURCE_REMOVE), func)


def run_dialog(make: Callable[[], Gtk.Dialog], answer: Callable[[Gtk.Dialog, int], Any]) -> Any:
    """Show ``make()``'s dialog on the GUI thread and wait here for ``answer(dialog,
    response)``. The dialog answers through its ``response`` signal, not a nested loop of its
    own, so dialogs of two windows do not wait for each other."""
    if GLib.MainContext.default().is_owner():  # on the GUI thread itself: a nested loop
        dialog = make()
        try:
            return answer(dialog, dialog.run())
        finally:
            dialog.destroy()
    done = threading.Event()
    outcome: dict[str, Any] = {}

    def responded(dialog: Gtk.Dialog, response: int) -> None:
        try:
            outcome["value"] = answer(dialog, response)
        except BaseException as exc:
            outcome["error"] = exc
        finally:
            done.set()
            dialog.destroy()

    def destroyed(dialog: Gtk.Dialog) -> None:
        if not done.is_set():  # its window closed under it
            outcome["error"] = ValueError("the window is closed")
            done.set()

    def show() -> None:
        dialog = make()
        dialog.connect("response", responded)
        dialog.connect("destroy", destroyed)
        dialog.present()

    gui_call(show)
    done.wait()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


ICONS = {"info": "information", "warning": "warning", "error": "error", "question": "question"}
MESSAGE_TYPES = {"info": Gtk.MessageType.INFO, "warning": Gtk.MessageType.WARNING,
                 "error": Gtk.MessageType.ERROR, "question": Gtk.MessageType.QUESTION}


def message_dialog(parent: Gtk.Window | None, title: str, text: str, kind: str,
                   secondary: str | None = None) -> Gtk.MessageDialog:
    """A message box modal to ``parent``, with ``title`` as its window title (found by it, and
    named in the task bar, as with Qt): OK for info/warning/error, OK/Cancel with OK as the
    default answer (Return) for a question."""
    question = kind == "question"
    dialog = Gtk.MessageDialog(
        transient_for=parent, modal=True, destroy_with_parent=True,
        message_type=MESSAGE_TYPES[kind],
        buttons=Gtk.ButtonsType.OK_CANCEL if question else Gtk.ButtonsType.OK, text=text,
        secondary_text=secondary)
    dialog.set_title(title)
    dialog.set_default_response(Gtk.ResponseType.OK)
    # GTK 3 no longer shows the kind's icon by itself; Qt's boxes do, and so do ours.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        dialog.set_image(Gtk.Image.new_from_icon_name(f"dialog-{ICONS[kind]}", Gtk.IconSize.DIALOG))
        dialog.get_image().show()
    return dialog


# -- menus ----------------------------------------------------------------------------------------
def mnemonic_label(label: str) -> str:
    """Qt's label syntax (``&File``: F is the Alt mnemonic, ``&&`` an ampersand) in GTK's
    (``_File``, ``__`` an underscore)."""
    out, i = [], 0
    while i < len(label):
        char = label[i]
        if char == "&" and i + 1 < len(label):
            out.append("&" if label[i + 1] == "&" else "_")
            i += 2 if label[i + 1] == "&" else 1
            continue
        out.append("__" if char == "_" else char)
        i += 1
    return "".join(out)


_MODIFIERS = {"ctrl": "<Control>", "control": "<Control>", "shift": "<Shift>", "alt": "<Alt>",
              "meta": "<Super>"}  # Qt's Meta is the Super ("Windows") key on X11
_KEYS = {"del": "Delete", "esc": "Escape", "enter": "Return", "ins": "Insert",
         "pgup": "Page_Up", "pgdown": "Page_Down", "backspace": "BackSpace", "space": "space",
         "+": "plus", "-": "minus", "=": "equal", ",": "comma", ".": "period", "/": "slash",
         ";": "semicolon", "'": "apostrophe", "[": "bracketleft", "]": "bracketright",
         "\\": "backslash", "`": "grave"}


def accelerator(shortcut: str) -> tuple[int, Any] | None:
    """GTK's (key, modifiers) for a Qt-style shortcut (``Ctrl+Shift+S``, ``F5``, ``Ctrl++``);
    None for one GTK can't take (logged: Qt, too, ignores a shortcut it can't read)."""
    text = shortcut.strip()
    if text.endswith("+"):  # the key is "+" itself: "Ctrl++", "+"
        head, key = text[:-1].rstrip("+"), "+"
        modifiers = head.split("+") if head else []
    else:
        *modifiers, key = text.split("+")
    try:
        names = "".join(_MODIFIERS[m.strip().lower()] for m in modifiers)
    except KeyError:
        names = None
    key = key.strip()
    key = _KEYS.get(key.lower(), key.lower() if len(key) == 1 else key)
    keyval, mods = Gtk.accelerator_parse(names + key) if names is not None else (0, 0)
    if not keyval:
        logger.warning("menu shortcut %r ignored: not a key combination GTK knows", shortcut)
        return None
    return keyval, mods


def fill_menu(menu: Gtk.MenuShell, items: list[dict], fire: Fire,
              accels: Gtk.AccelGroup | None = None) -> None:
    """On the GUI thread: add ``items`` (menu specs from native.py) to ``menu``; choosing one
    calls ``fire(callback_id, checked or None)``. Shortcuts go to ``accels`` (a window's; a
    tray menu has none)."""
    for item in items:
        if item["kind"] == "separator":
            menu.append(Gtk.SeparatorMenuItem())
            continue
        if item["kind"] == "menu":
            entry = Gtk.MenuItem.new_with_mnemonic(mnemonic_label(item["label"]))
            submenu = Gtk.Menu()
            fill_menu(submenu, item["items"], fire, accels)
            entry.set_submenu(submenu)
            menu.append(entry)
            continue
        label = mnemonic_label(item["label"])
        callback = item["callback"]
        if item["checkable"]:
            entry = Gtk.CheckMenuItem.new_with_mnemonic(label)
            entry.set_active(item["checked"])
            if callback:
                entry.connect("toggled", lambda e, c=callback: fire(c, e.get_active()))
        else:
            entry = Gtk.MenuItem.new_with_mnemonic(label)
            if callback:
                entry.connect("activate", lambda e, c=callback: fire(c, None))
        entry.set_sensitive(item["enabled"])
        if item["shortcut"] and accels is not None:
            keys = accelerator(item["shortcut"])
            if keys is not None:
                entry.add_accelerator("activate", accels, keys[0], keys[1],
                                      Gtk.AccelFlags.VISIBLE)
        menu.append(entry)


def repaint_pages_after(menu: Gtk.Menu) -> None:
    """Redraw the web views once ``menu`` closes. Without a compositing window manager (Xvfb,
    openbox, i3...) WebKitGTK leaves the area a popup covered unpainted until the page draws
    anew; asked to draw, it paints its last frame there."""
    from webview.platforms.gtk import BrowserView

    def repaint() -> bool:
        for view in list(BrowserView.instances.values()):
            view.webview.queue_draw()
        return GLib.SOURCE_REMOVE

    menu.connect("deactivate", lambda _menu: GLib.idle_add(repaint))


def bring_to_front(window: Gtk.Window) -> None:
    """On the GUI thread: un-minimize, show, raise and give the keyboard to ``window``."""
    window.deiconify()
    window.show()  # present() only shows a hidden window: the focus would not follow
    window.present()
