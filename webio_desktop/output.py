"""Output functions (PyWebIO's ``pywebio.output``): put things on the page.

Every ``put_*`` returns an :class:`Output`. It is sent when it is dropped unused (so a bare
``put_text('x')`` statement shows at once), or embedded when passed into another output.
"""
from __future__ import annotations

import base64
import functools
import inspect
import io
import logging
import re
import secrets
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from . import protocol, render
from .template import render_template
from .exceptions import ArgumentError, PyWebIOWarning, require
from .session import download
from .sessions.core import TaskContext, current_task

logger = logging.getLogger(__name__)

__all__ = [
    "Position", "OutputPosition", "PopupSize", "JSFunction",
    "put_scope", "use_scope", "set_scope", "get_scope", "clear", "remove", "scroll_to",
    "put_text", "put_markdown", "put_info", "put_success", "put_warning", "put_error", "put_html",
    "put_link", "put_code", "put_table", "span", "put_buttons", "put_button", "put_image",
    "put_file", "put_tabs", "put_collapse", "put_scrollable", "put_loading", "toast",
    "put_row", "put_column", "put_grid", "popup", "close_popup",
    "put_progressbar", "set_progressbar", "put_processbar", "set_processbar",
    "put_widget", "put_datatable", "datatable_update", "datatable_insert", "datatable_remove",
    "style", "output",
]


class Position:
    TOP = "top"
    MIDDLE = "middle"
    BOTTOM = "bottom"


class OutputPosition:
    TOP = 0
    BOTTOM = -1


class PopupSize:
    LARGE = "large"
    NORMAL = "normal"
    SMALL = "small"


class JSFunction:
    """A JavaScript function given as parameter names and a body: ``JSFunction('a', 'return a')``."""

    def __init__(self, *params_and_body: str) -> None:
        if not params_and_body:
            raise ArgumentError("JSFunction needs at least the function body")
        *self.params, self.body = params_and_body

    def __repr__(self) -> str:
        return f"JSFunction({', '.join(self.params)}: {self.body!r})"


_SCOPE_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


def _check_scope_name(name: str) -> str:
    if not isinstance(name, str) or not _SCOPE_NAME.match(name):
        raise ArgumentError(f"scope name {name!r} may only contain letters, digits, '-' and '_'")
    return name


def _random_scope() -> str:
    return "s-" + secrets.token_hex(6)


def _scope_of(ctx: TaskContext, scope: str | None) -> str:
    return ctx.scopes[-1] if scope is None else _check_scope_name(scope)


class Output:
    """A piece of output, sent when shown or dropped, or embedded in another output."""

    #: Outputs whose content slot can be entered with ``with``.
    _slot_capable = False

    def __init__(self, spec: dict, scope: str | None = None, position: int = -1) -> None:
        self._ctx = current_task()  # touching the session starts script mode when needed
        self.spec = spec
        self._scope = _scope_of(self._ctx, scope)
        self._position = position
        self._done = False
        self._entered: list[str] = []

    # -- composition --------------------------------------------------------------------------
    def embed_data(self) -> dict:
        """Mark as embedded in another output and return its spec."""
        self._done = True
        return self.spec

    def show(self) -> None:
        """Send now (needed where objects outlive the statement, e.g. in notebooks)."""
        if self._done:
            return
        self._done = True
        self._ctx.session.send(protocol.output(self.spec, self._scope, self._position))

    send = show

    def __del__(self) -> None:
        if not getattr(self, "_done", True):
            try:
                self.show()
            except Exception:  # never raise from a finaliser (e.g. at interpreter exit)
                pass

    def style(self, css_style: str) -> "Output":
        """Append CSS to the output's inline style."""
        self.spec["style"] = f"{self.spec.get('style', '')};{css_style}".lstrip(";")
        return self

    def onclick(self, callback: Callable[[], Any]) -> "Output":
        """Make the output clickable: ``callback()`` runs on each click."""
        self.spec["click"] = self._ctx.session.register_callback(lambda _data: callback())
        return self

    # -- ``with put_info(): ...`` -------------------------------------------------------------
    def __enter__(self) -> str:
        if not self._slot_capable:
            raise RuntimeError(f"{type(self).__name__} of type {self.spec.get('type')!r} "
                               "can not be used as a context manager")
        slot = self.spec.setdefault("slot", _random_scope())
        self.show()
        ctx = current_task()
        ctx.scopes.append(slot)
        self._entered.append(slot)
        return slot

    def __exit__(self, *exc_info: Any) -> None:
        slot = self._entered.pop()
        scopes = current_task().scopes
        if scopes and scopes[-1] == slot:
            scopes.pop()


class ContainerOutput(Output):
    """An output with a content slot: usable as ``with put_xxx() as scope_name:``."""

    _slot_capable = True


def _content(item: Any) -> dict | str:
    """One embedded item: an Output's spec, or any other value as plain text."""
    if isinstance(item, Output):
        return item.embed_data()
    return str(item)


def _contents(items: Any) -> list[dict | str]:
    if items is None:
        return []
    if isinstance(items, (list, tuple)):
        return [_content(i) for i in items]
    return [_content(items)]


# ---- text, markdown, html, code, link --------------------------------------------------------

def put_text(*texts: Any, sep: str = " ", inline: bool = False, scope: str | None = None,
             position: int = OutputPosition.BOTTOM) -> Output:
    """Plain text; white space is kept and nothing is interpreted as markup."""
    content = sep.join(str(t) for t in texts)
    return Output({"type": "text", "content": content, "inline": inline}, scope, position)


def put_markdown(mdcontent: str, lstrip: bool = True, options: dict | None = None,
                 sanitize: bool = True, scope: str | None = None,
                 position: int = OutputPosition.BOTTOM, **kwargs: Any) -> Output:
    """Markdown rendered on the server (CommonMark, tables, strikethrough), sanitized by default."""
    if "strip_indent" in kwargs:
        warnings.warn("put_markdown(strip_indent) is deprecated and has no effect",
                      PyWebIOWarning, stacklevel=2)
    text = render.dedent_markdown(mdcontent) if lstrip else mdcontent
    content = render.markdown(text, sanitize_html=sanitize)
    return Output({"type": "html", "content": content, "kind": "markdown"}, scope, position)


def put_html(html: Any, sanitize: bool = False, scope: str | None = None,
             position: int = OutputPosition.BOTTOM) -> Output:
    """Raw HTML (also objects with ``__html__`` or ``_repr_html_``); scripts in it run."""
    if hasattr(html, "__html__"):
        html = html.__html__()
    elif hasattr(html, "_repr_html_"):
        html = html._repr_html_()
    content = render.sanitize(str(html)) if sanitize else str(html)
    return Output({"type": "html", "content": content, "kind": None}, scope, position)


def put_code(content: Any, language: str = "", rows: int | None = None, scope: str | None = None,
             position: int = OutputPosition.BOTTOM) -> Output:
    """A code block, highlighted on the server; ``rows`` caps its height."""
    out = Output({"type": "html", "content": render.highlight_code(str(content), language),
                  "kind": "code"}, scope, position)
    if rows is not None:
        out.style(f"max-height:{rows * 1.5 + 1.5:g}em;overflow-y:auto")
    return out


def put_link(name: str, url: str | None = None, app: str | None = None, new_window: bool = False,
             scope: str | None = None, position: int = OutputPosition.BOTTOM) -> Output:
    """A link to a URL, or (``app=``) to another app of this server. Only http(s), mailto,
    relative and fragment URLs are linked (others are dropped with a logged warning)."""
    require((url is None) != (app is None), "put_link() needs exactly one of url and app")
    href = None if url is None else render.safe_url(url, "put_link")
    return Output({"type": "link", "text": name, "href": href, "app": app,
                   "new_window": new_window}, scope, position)


# ---- alerts -------------------------------------------------------------------------------------

def _alert(color: str, contents: tuple, closable: bool, scope: str | None,
           position: int) -> ContainerOutput:
    return ContainerOutput({"type": "alert", "color": color, "contents": _contents(list(contents)),
                            "closable": closable}, scope, position)


def put_info(*contents: Any, closable: bool = False, scope: str | None = None,
             position: int = OutputPosition.BOTTOM) -> Output:
    return _alert("info", contents, closable, scope, position)


def put_success(*contents: Any, closable: bool = False, scope: str | None = None,
                position: int = OutputPosition.BOTTOM) -> Output:
    return _alert("success", contents, closable, scope, position)


def put_warning(*contents: Any, closable: bool = False, scope: str | None = None,
                position: int = OutputPosition.BOTTOM) -> Output:
    return _alert("warning", contents, closable, scope, position)


def put_error(*contents: Any, closable: bool = False, scope: str | None = None,
              position: int = OutputPosition.BOTTOM) -> Output:
    return _alert("danger", contents, closable, scope, position)


# ---- tables -------------------------------------------------------------------------------------

class span:
    """A table (or grid) cell spanning ``row`` rows and ``col`` columns."""

    def __init__(self, content: Any, row: int = 1, col: int = 1) -> None:
        self.content, self.row, self.col = content, row, col

    def __repr__(self) -> str:
        return f"span({self.content!r}, row={self.row}, col={self.col})"


def _table_rows(tdata: Sequence, header: Sequence | None) -> list[list[Any]]:
    """Normalise PyWebIO's header forms into a list of rows whose first row is the header."""
    if tdata and isinstance(tdata[0], dict) or (not tdata and header and
                                                 isinstance(header[0], (list, tuple))):
        if header is None:
            keys = list(tdata[0].keys())
            labels: list[Any] = [str(k).capitalize() for k in keys]
        elif header and isinstance(header[0], (list, tuple)):
            labels = [label for label, _ in header]
            keys = [key for _, key in header]
        else:
            keys = labels = list(header)
        return [labels] + [[row.get(k, "") for k in keys] for row in tdata]
    rows = [list(r) for r in tdata]
    return ([list(header)] + rows) if header is not None else rows


def put_table(tdata: Sequence, header: Sequence | None = None, scope: str | None = None,
              position: int = OutputPosition.BOTTOM) -> Output:
    """A table from rows (lists) or records (dicts); cells may be outputs or ``span``."""
    rows = _table_rows(tdata, header)
    cells: list[list[dict | str]] = []
    spans: dict[str, list[int]] = {}
    for r, row in enumerate(rows):
        out_row = []
        for c, cell in enumerate(row):
            if isinstance(cell, span):
                spans[f"{r},{c}"] = [cell.row, cell.col]
                cell = cell.content
            out_row.append(_content(cell))
        cells.append(out_row)
    return Output({"type": "table", "rows": cells, "header": 1 if rows else 0, "spans": spans},
                  scope, position)


# ---- buttons, images, files ---------------------------------------------------------------------

def _button_options(buttons: Sequence) -> list[tuple[dict, Any]]:
    """(page-side button, Python value) pairs from PyWebIO's button forms."""
    result = []
    for b in buttons:
        if isinstance(b, dict):
            require("label" in b and "value" in b,  # as PyWebIO: a dict names both
                    f"a button given as a dict needs 'label' and 'value': {b!r}")
            label, value = b["label"], b["value"]
            shown = {"label": str(label), "color": b.get("color"), "disabled": bool(b.get("disabled"))}
        elif isinstance(b, (list, tuple)):
            label, value = b[0], b[1]
            shown = {"label": str(label), "color": None, "disabled": False}
        else:
            value = b
            shown = {"label": str(b), "color": None, "disabled": False}
        result.append((shown, value))
    return result


def _callback(func: Callable, serial_mode: bool = False, mutex_mode: bool = False,
              **_options: Any) -> str:
    # serial_mode (threads) and mutex_mode (coroutines) both mean: one call at a time, in order.
    return current_task().session.register_callback(func, serial=serial_mode or mutex_mode)


def put_buttons(buttons: Sequence, onclick: Callable[[Any], Any] | Sequence[Callable[[], Any]],
                small: bool | None = None, link_style: bool = False, outline: bool = False,
                group: bool = False, scope: str | None = None,
                position: int = OutputPosition.BOTTOM, **callback_options: Any) -> Output:
    """A row of buttons; ``onclick(value)``, or one zero-argument callable per button."""
    pairs = _button_options(buttons)
    if callable(onclick):
        handlers = [functools.partial(onclick, value) for _, value in pairs]
    else:
        require(len(onclick) == len(pairs), "put_buttons(): one onclick callable per button")
        handlers = list(onclick)

    def on_press(index: Any) -> Any:
        if isinstance(index, int) and 0 <= index < len(handlers) and not pairs[index][0]["disabled"]:
            return handlers[index]()
        return None

    spec = {"type": "buttons", "buttons": [shown for shown, _ in pairs],
            "callback": _callback(on_press, **callback_options), "small": bool(small),
            "link_style": link_style, "outline": outline, "group": group}
    return Output(spec, scope, position)


def put_button(label: str, onclick: Callable[[], Any], color: str | None = None,
               small: bool | None = None, link_style: bool = False, outline: bool = False,
               disabled: bool = False, scope: str | None = None,
               position: int = OutputPosition.BOTTOM) -> Output:
    """One button; ``onclick()`` runs on each click."""
    button = {"label": label, "value": 0, "color": color or "primary", "disabled": disabled}
    return put_buttons([button], [onclick], small=small, link_style=link_style, outline=outline,
                       scope=scope, position=position)


_IMAGE_SIGNATURES = [(b"\x89PNG", "png"), (b"\xff\xd8", "jpeg"), (b"GIF8", "gif"),
                     (b"RIFF", "webp"), (b"BM", "bmp"), (b"<svg", "svg+xml"), (b"<?xml", "svg+xml")]


def _image_data_url(data: bytes, fmt: str | None) -> str:
    if fmt is None:
        fmt = next((f for sig, f in _IMAGE_SIGNATURES if data.startswith(sig)), "png")
    fmt = {"jpg": "jpeg", "svg": "svg+xml"}.get(fmt.lower(), fmt.lower())
    return f"data:image/{fmt};base64,{base64.b64encode(data).decode()}"


def put_image(src: Any, format: str | None = None, title: str = "", width: str | None = None,
              height: str | None = None, scope: str | None = None,
              position: int = OutputPosition.BOTTOM) -> Output:
    """An image from a URL, bytes, or a PIL image."""
    if isinstance(src, (bytes, bytearray)):
        url = _image_data_url(bytes(src), format)
    elif isinstance(src, str):
        url = render.safe_url(src, "put_image", images=True)  # a javascript: src: no src
    elif hasattr(src, "save"):  # a PIL image
        fmt = format or getattr(src, "format", None) or "JPEG"
        buffer = io.BytesIO()
        src.save(buffer, format=fmt)
        url = _image_data_url(buffer.getvalue(), fmt)
    else:
        raise TypeError(f"put_image() can not show a {type(src).__name__}")
    return Output({"type": "image", "src": url, "alt": title, "width": width, "height": height},
                  scope, position)


def put_file(name: str, content: bytes, label: str | None = None, scope: str | None = None,
             position: int = OutputPosition.BOTTOM) -> Output:
    """A link-style button that saves ``content`` as file ``name`` when clicked."""
    return put_buttons([{"label": label or name, "value": name}],
                       onclick=[lambda: download(name, content)], link_style=True,
                       scope=scope, position=position)


# ---- layout -------------------------------------------------------------------------------------

def _layout_items(content: Sequence, size: str | None, gap: str) -> tuple[list, str]:
    items = [] if content is None else list(content)
    for item in items:
        require(item is None or isinstance(item, Output),
                "put_row()/put_column() take outputs or None (gaps), not plain values")
    template = size or " ".join(gap if item is None else "1fr" for item in items)
    return ["" if item is None else item.embed_data() for item in items], template


def put_row(content: Sequence = (), size: str | None = None, scope: str | None = None,
            position: int = OutputPosition.BOTTOM) -> Output:
    """Outputs side by side; ``size`` is a CSS grid template (``None`` items are 10px gaps)."""
    items, template = _layout_items(content, size, "10px")
    return ContainerOutput({"type": "row", "contents": items, "size": template}, scope, position)


def put_column(content: Sequence = (), size: str | None = None, scope: str | None = None,
               position: int = OutputPosition.BOTTOM) -> Output:
    """Outputs stacked vertically; ``size`` is a CSS grid template of heights."""
    items, template = _layout_items(content, size, "10px")
    return ContainerOutput({"type": "column", "contents": items, "size": template}, scope, position)


def put_grid(content: Sequence[Sequence], cell_width: str = "auto", cell_height: str = "auto",
             cell_widths: str | None = None, cell_heights: str | None = None,
             direction: str = "row", scope: str | None = None,
             position: int = OutputPosition.BOTTOM) -> Output:
    """A 2-D grid of outputs (``None`` = empty cell, ``span`` = spanning cell)."""
    lines = [list(line) for line in content]
    width = max((len(line) for line in lines), default=0)
    cells: list[dict | str] = []
    spans: dict[str, list[int]] = {}
    for line in lines:
        for item in line + [None] * (width - len(line)):
            if isinstance(item, span):
                spans[str(len(cells))] = [item.row, item.col]
                item = item.content
            cells.append("" if item is None else _content(item))
    n_cols, n_rows = (width, len(lines)) if direction == "row" else (len(lines), width)
    columns = cell_widths or " ".join([cell_width] * n_cols)
    rows = cell_heights or " ".join([cell_height] * n_rows)
    return Output({"type": "grid", "contents": cells, "columns": columns, "rows": rows,
                   "direction": direction, "spans": spans}, scope, position)


def put_collapse(title: str, content: Any = (), open: bool = False, scope: str | None = None,
                 position: int = OutputPosition.BOTTOM) -> Output:
    """A collapsible section (``<details>``)."""
    return ContainerOutput({"type": "collapse", "title": title, "contents": _contents(content),
                            "open": open}, scope, position)


def put_scrollable(content: Any = (), height: int | tuple = 400, keep_bottom: bool = False,
                   border: bool = True, scope: str | None = None,
                   position: int = OutputPosition.BOTTOM, **kwargs: Any) -> Output:
    """A box of fixed height that scrolls; ``keep_bottom`` follows new content."""
    if "max_height" in kwargs:
        warnings.warn("put_scrollable(max_height) is deprecated, use height",
                      PyWebIOWarning, stacklevel=2)
        height = kwargs["max_height"]
    if height is None:
        min_height, max_height = None, None
    elif isinstance(height, (list, tuple)):
        min_height, max_height = height
    else:
        min_height, max_height = height, height
    return ContainerOutput({"type": "scrollable", "contents": _contents(content),
                            "min_height": min_height, "max_height": max_height,
                            "keep_bottom": keep_bottom, "border": border}, scope, position)


def put_tabs(tabs: Sequence[dict], scope: str | None = None,
             position: int = OutputPosition.BOTTOM) -> Output:
    """Tabs: ``[{'title': ..., 'content': ...}, ...]``."""
    for tab in tabs:
        require("title" in tab and "content" in tab, "each tab needs 'title' and 'content'")
    return Output({"type": "tabs", "tabs": [{"title": str(t["title"]), "contents":
                                             _contents(t["content"])} for t in tabs]},
                  scope, position)


class _LoadingOutput(ContainerOutput):
    """As a context manager, the spinner and what the block output vanish at its end."""

    def __enter__(self) -> str:
        wrapper = _random_scope()
        self._wrapper = wrapper
        ctx = current_task()
        ctx.session.send(protocol.set_scope(wrapper, self._scope, self._position, None))
        self._scope, self._position = wrapper, -1
        self.show()
        ctx.scopes.append(wrapper)
        self._entered.append(wrapper)
        return wrapper

    def __exit__(self, *exc_info: Any) -> None:
        super().__exit__(*exc_info)
        current_task().session.send(protocol.remove(self._wrapper))


def put_loading(shape: str = "border", color: str = "dark", scope: str | None = None,
                position: int = OutputPosition.BOTTOM) -> Output:
    """A spinner; as a context manager it disappears, with the block's outputs, at the end."""
    require(shape in ("border", "grow"), "put_loading(shape) is 'border' or 'grow'")
    return _LoadingOutput({"type": "loading", "shape": shape, "color": color}, scope, position)


# ---- scopes -------------------------------------------------------------------------------------

def put_scope(name: str, content: Any = (), scope: str | None = None,
              position: int = OutputPosition.BOTTOM) -> Output:
    """An output that is a new scope, with initial content."""
    return Output({"type": "scope", "name": _check_scope_name(name),
                   "contents": _contents(content)}, scope, position)


def set_scope(name: str, container_scope: str | None = None, position: int = OutputPosition.BOTTOM,
              if_exist: str | None = None) -> None:
    """Create scope ``name`` in ``container_scope``; ``if_exist``: None, 'remove' or 'clear'."""
    ctx = current_task()
    require(if_exist in (None, "remove", "clear"), "if_exist is None, 'remove' or 'clear'")
    ctx.session.send(protocol.set_scope(_check_scope_name(name), _scope_of(ctx, container_scope),
                                        position, if_exist))


def get_scope(stack_idx: int = -1) -> str | None:
    """Name of a scope on the calling task's scope stack (0 is ROOT); None when out of range."""
    scopes = current_task().scopes
    try:
        return scopes[stack_idx]
    except IndexError:
        return None


def clear(scope: str | None = None) -> None:
    """Remove everything inside a scope (default: the current one)."""
    ctx = current_task()
    ctx.session.send(protocol.clear(_scope_of(ctx, scope)))


clear_scope = clear


def remove(scope: str | None = None) -> None:
    """Remove a scope and its content (default: the current one)."""
    ctx = current_task()
    name = _scope_of(ctx, scope)
    require(name != "ROOT", "the ROOT scope can not be removed")
    ctx.session.send(protocol.remove(name))


def scroll_to(scope: str | None = None, position: str = Position.TOP) -> None:
    """Scroll the page so the scope is at the ``top``, ``middle`` or ``bottom`` of the window."""
    ctx = current_task()
    ctx.session.send(protocol.scroll_to(_scope_of(ctx, scope), position))


class use_scope:
    """Send outputs into a scope: ``with use_scope('name'):`` or ``@use_scope('name')``.

    The scope is created in the current scope if missing; ``clear=True`` empties it first (it keeps
    its height until the block ends, so the page does not jump).
    """

    def __init__(self, name: str | None = None, clear: bool = False, **kwargs: Any) -> None:
        self.name = _check_scope_name(name) if name is not None else _random_scope()
        self.clear = clear
        self.create_scope = kwargs.pop("create_scope", True)
        self.scope_options = kwargs  # container_scope, position

    def __enter__(self) -> str:
        ctx = current_task()
        if self.create_scope:
            container = _scope_of(ctx, self.scope_options.get("container_scope"))
            ctx.session.send(protocol.set_scope(
                self.name, container, self.scope_options.get("position", -1), None))
        if self.clear:
            ctx.session.send(protocol.clear(self.name, keep_height=True))
        ctx.scopes.append(self.name)
        return self.name

    def __exit__(self, *exc_info: Any) -> None:
        ctx = current_task()
        if ctx.scopes and ctx.scopes[-1] == self.name:
            ctx.scopes.pop()
        if self.clear:
            ctx.session.send(protocol.loose(self.name))

    def __call__(self, func: Callable) -> Callable:
        if inspect.iscoroutinefunction(func):
            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                with self:
                    return await func(*args, **kwargs)
            return async_wrapper

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)
        return wrapper


# ---- notices ------------------------------------------------------------------------------------

_TOAST_COLORS = {"info": "#1565c0", "error": "#e53935", "warn": "#ef6c00", "success": "#2e7d32"}


def toast(content: Any, duration: float = 2, position: str = "center", color: str = "info",
          onclick: Callable[[], Any] | None = None) -> None:
    """A short notice at the top of the page; ``duration=0`` keeps it until closed."""
    ctx = current_task()
    callback = ctx.session.register_callback(lambda _d: onclick()) if onclick else None
    ctx.session.send(protocol.toast(str(content), int(duration * 1000), position,
                                    _TOAST_COLORS.get(color, color), callback))


# ---- popup --------------------------------------------------------------------------------------

class popup:
    """A modal dialog (one at a time: a new one replaces the old).

    A plain call shows it at once. ``with popup('T') as s:`` sends the block's outputs into it (it
    stays open afterwards); as a decorator the popup opens now and each call of the function
    outputs into it.
    """

    def __init__(self, title: str, content: Any = None, size: str = PopupSize.NORMAL,
                 implicit_close: bool = True, closable: bool = True) -> None:
        require(size in (PopupSize.LARGE, PopupSize.NORMAL, PopupSize.SMALL),
                "popup(size) is 'large', 'normal' or 'small'")
        ctx = current_task()
        self.name = _random_scope()
        ctx.session.send(protocol.popup(str(title), _contents(content), size,
                                        bool(implicit_close) and bool(closable), bool(closable),
                                        self.name))

    def __enter__(self) -> str:
        current_task().scopes.append(self.name)
        return self.name

    def __exit__(self, *exc_info: Any) -> None:
        scopes = current_task().scopes
        if scopes and scopes[-1] == self.name:
            scopes.pop()

    def __call__(self, func: Callable) -> Callable:
        return use_scope(self.name, create_scope=False)(func)


def close_popup() -> None:
    """Close the popup that is open, if any."""
    current_task().session.send(protocol.close_popup())


# ---- progress bars ------------------------------------------------------------------------------

def _progress_label(value: float | None, label: str | None) -> str:
    if label is not None:
        return str(label)
    return "" if value is None else f"{value * 100:.1f}%"


def put_progressbar(name: str, init: float = 0, label: str | None = None,
                    auto_close: bool = False, scope: str | None = None,
                    position: int = OutputPosition.BOTTOM) -> Output:
    """A progress bar from 0 to 1, updated by name with :func:`set_progressbar`."""
    return Output({"type": "progressbar", "name": _check_scope_name(name), "value": init,
                   "label": _progress_label(init, label), "auto_close": auto_close},
                  scope, position)


def set_progressbar(name: str, value: float, label: str | None = None) -> None:
    """Move bar ``name`` to ``value`` (0..1); the label defaults to the percentage."""
    current_task().session.send(
        protocol.set_progressbar(_check_scope_name(name), value, _progress_label(value, label)))


put_processbar = put_progressbar
set_processbar = set_progressbar


# ---- custom widgets -----------------------------------------------------------------------------

def put_widget(template: str, data: dict, scope: str | None = None,
               position: int = OutputPosition.BOTTOM) -> Output:
    """A widget from a mustache template (rendered and escaped on the server).

    ``{{name}}`` is escaped, ``{{{name}}}`` / ``{{& name}}`` raw; sections ``{{#list}}``,
    inverted ``{{^x}}``, ``{{.}}``. Outputs in ``data`` are rendered in place by the page;
    ``{{& pywebio_output_parse}}`` shows the current item (outputs as outputs, text as text).
    """
    slots: list[dict] = []

    def embed(value: Any) -> str | None:
        if not isinstance(value, Output):
            return None
        slots.append(value.embed_data())
        return f'<div data-webio-slot="{len(slots) - 1}"></div>'

    content = render_template(template, data, embed)
    return Output({"type": "widget", "content": content, "slots": slots}, scope, position)


# ---- datatable ----------------------------------------------------------------------------------

_DATATABLE_THEMES = ("balham", "alpine", "alpine-dark", "balham-dark", "material")
# ag-grid column properties our grid understands; the others are accepted and ignored.
_COLUMN_PROPS = {"headerName": "label", "width": "width", "hide": "hide", "sortable": "sortable"}


def _paths_of(tree: Any, prefix: tuple = ()) -> list[tuple]:
    """Column paths of a nested dict (PyWebIO's nested ``column_order``, or a record)."""
    paths: list[tuple] = []
    for key, value in tree.items():
        if isinstance(value, dict) and value:
            paths += _paths_of(value, prefix + (key,))
        else:
            paths.append(prefix + (key,))
    return paths


def _column_order(records: Sequence, column_order: Any) -> list[tuple]:
    if column_order is None:
        return _paths_of(records[0])
    if isinstance(column_order, dict):
        return _paths_of(column_order)
    return [tuple(c) if isinstance(c, (list, tuple)) else (c,) for c in column_order]


def _header_text(key: Any) -> str:
    """A column header as PyWebIO shows a record key: underscores as spaces, first letter upper."""
    text = str(key).replace("_", " ")
    return text[:1].upper() + text[1:]


def _column_spec(path: tuple, column_args: dict) -> dict:
    """A column of our grid: its path, label and the ag-grid properties we support."""
    spec: dict[str, Any] = {"path": [str(p) for p in path], "label": _header_text(path[-1])}
    if len(path) > 1:  # the header over the columns of a nested record
        spec["group"] = " / ".join(_header_text(p) for p in path[:-1])
    # A str key applies to every column of that name at any depth, a tuple to one path.
    for args in (column_args.get(str(path[-1])), column_args.get(tuple(path))):
        for key, value in (args or {}).items():
            if key in _COLUMN_PROPS and not isinstance(value, JSFunction):
                spec[_COLUMN_PROPS[key]] = value
    return spec


def _id_path(id_field: str | Sequence[str] | None) -> list[str] | None:
    if id_field is None:
        return None
    return [id_field] if isinstance(id_field, str) else [str(k) for k in id_field]


def put_datatable(records: Sequence[dict], actions: Sequence | None = None,
                  onselect: Callable[[Any], Any] | None = None, multiple_select: bool = False,
                  id_field: str | tuple | None = None, height: int | str = 600,
                  theme: str = "balham", cell_content_bar: bool = True, instance_id: str = "",
                  column_order: Sequence | dict | None = None, column_args: dict | None = None,
                  grid_args: dict | None = None, enterprise_key: str = "",
                  scope: str | None = None, position: int = OutputPosition.BOTTOM) -> Output:
    """A data grid for many rows: sortable columns, row selection, action buttons.

    Rows are (nested) dicts; nested keys become columns by path. Only the rows in view are in
    the page, so tens of thousands of rows stay responsive. Row ids are ``id_field`` (a key,
    or a tuple path) or the row index. ``onselect(ids)`` and each action's ``callback(ids)``
    get one id, or a list with ``multiple_select``. ``instance_id`` names the grid for
    :func:`datatable_update`, :func:`datatable_insert` and :func:`datatable_remove`.
    """
    records = list(records)
    if not records and not column_order:
        raise ArgumentError("put_datatable() needs column_order when records is empty")
    if theme not in _DATATABLE_THEMES:
        raise ArgumentError(f"put_datatable(theme={theme!r}): use one of "
                            f"{', '.join(_DATATABLE_THEMES)}")
    if instance_id and not _SCOPE_NAME.match(instance_id):
        raise ArgumentError(f"instance_id {instance_id!r} may only contain letters, "
                            "digits, '-', '_'")
    actions = list(actions or [])
    for action in actions:
        require(action is None or (isinstance(action, (list, tuple)) and len(action) == 2
                                   and callable(action[1])),
                "each action is (label, callback) or None (a separator)")
    if height == "auto" and len(records) > 1000:
        logger.warning("put_datatable: too many rows (%d) for height='auto', using 600px",
                       len(records))
        height = 600
    height_css = f"{height}px" if isinstance(height, (int, float)) else str(height)

    def on_event(data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
            return None
        rows = data["rows"] if multiple_select else (data["rows"][0] if data["rows"] else None)
        button = data.get("btn")
        if button is None:
            return onselect(rows) if onselect is not None else None
        if isinstance(button, int) and 0 <= button < len(actions) and actions[button]:
            return actions[button][1](rows)
        return None

    callback = _callback(on_event) if (actions or onselect) else None
    columns = [_column_spec(path, column_args or {})
               for path in _column_order(records, column_order)]
    spec = {"type": "datatable", "records": records, "columns": columns,
            "id_path": _id_path(id_field), "callback": callback,
            "actions": [None if a is None else str(a[0]) for a in actions],
            "onselect": onselect is not None, "multiple": bool(multiple_select),
            "height": height_css, "theme": theme, "cell_bar": bool(cell_content_bar),
            "instance": instance_id or None}
    return Output(spec, scope, position)


def _datatable_command(instance_id: str, op: str, **fields: Any) -> None:
    current_task().session.send(protocol.datatable(instance_id, op, fields))


def datatable_update(instance_id: str, data: Any, row_id: int | str | None = None,
                     field: str | Sequence[str] | None = None) -> None:
    """Replace all rows (``data`` = records), one row (``row_id``), or one cell
    (``row_id`` and ``field``, a key or a path)."""
    if row_id is None and field is not None:
        raise ArgumentError("datatable_update(): `row_id` is required when `field` is given")
    if row_id is None:
        _datatable_command(instance_id, "replace", records=list(data))
    elif field is None:
        _datatable_command(instance_id, "update_row", row_id=row_id, record=data)
    else:
        _datatable_command(instance_id, "update_cell", row_id=row_id, value=data,
                           path=_id_path(field))


def datatable_insert(instance_id: str, records: dict | Sequence[dict],
                     row_id: int | str | None = None) -> None:
    """Insert record(s) before row ``row_id`` (default: at the end). Without ``id_field``
    new rows get the ids after the largest one."""
    if isinstance(records, dict):
        records = [records]
    _datatable_command(instance_id, "insert", records=list(records), row_id=row_id)


def datatable_remove(instance_id: str, row_ids: int | str | Sequence[int | str]) -> None:
    """Remove the row(s) with these ids."""
    if not isinstance(row_ids, (list, tuple)):
        row_ids = [row_ids]
    _datatable_command(instance_id, "remove", row_ids=list(row_ids))


# ---- deprecated: style(), output() --------------------------------------------------------------

class OutputList(list):
    """Outputs returned together (by ``style()`` on a list): shown in order when dropped."""

    def show(self) -> None:
        for item in self:
            item.show()

    send = show

    def __del__(self) -> None:
        # A list frees its items last-first: show them here, in order, before that happens.
        try:
            self.show()
        except Exception:
            pass


def style(outputs: Output | Sequence[Output], css_style: str) -> Output | OutputList:
    """Deprecated since PyWebIO 1.3: use ``output.style(css)``."""
    warnings.warn("style() is deprecated, use put_xxx(...).style(css)", PyWebIOWarning,
                  stacklevel=2)
    if isinstance(outputs, Output):
        return outputs.style(css_style)
    return OutputList(o.style(css_style) for o in outputs)


def _as_output(item: Any) -> Output:
    return item if isinstance(item, Output) else put_text(item)


class OutputHandler(Output):
    """``output()``: a placeholder whose content can be reset, appended to, inserted into."""

    def __init__(self, contents: tuple) -> None:
        self.name = _random_scope()
        super().__init__({"type": "scope", "name": self.name,
                          "contents": _contents([_as_output(c) for c in contents])})
        self._done = True  # an embeddable placeholder: never sent on its own

    def show(self) -> None:
        self._done = False
        super().show()

    send = show

    def _put(self, contents: tuple, position: int) -> None:
        for item in contents:
            out = _as_output(item)
            out._scope, out._position = self.name, position
            out.show()
            if position >= 0:
                position += 1

    def reset(self, *contents: Any) -> None:
        """Replace the content."""
        clear(self.name)
        self._put(contents, -1)

    def append(self, *contents: Any) -> None:
        self._put(contents, -1)

    def insert(self, idx: int, *contents: Any) -> None:
        """Insert at ``idx`` (like ``position``: 0 first, -1 last)."""
        self._put(contents, idx)


def output(*contents: Any) -> OutputHandler:
    """Deprecated since PyWebIO 1.5 (use ``put_scope``): a placeholder to fill later."""
    warnings.warn("output() is deprecated, use put_scope() and use_scope()", PyWebIOWarning,
                  stacklevel=2)
    return OutputHandler(contents)
