"""The simulated page: applies the server's commands (docs/protocol.md) to a model of the page.

This is what ``static/webio.js``, ``outputs.js``, ``forms.js``, ``pin.js`` and ``popup.js`` do in
a browser, kept to what a user can see and do: the output tree with its scopes, the form stack,
the popup, toasts, pin widgets, the title, and records of ``run_js``, downloads and apps opened.
It is plain data: the caller (``user.py``) holds the lock and sends the events it returns.
"""
from __future__ import annotations

import base64
import logging
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from .dom import Node, parse_html, text_node, tidy_text
from .forms import Field, Form

logger = logging.getLogger("webio_desktop.testing")

SCOPE_PREFIX = "pywebio-scope-"  # the element id of scope NAME, as on a real page
_SLOT = re.compile(r'<div data-webio-slot="(\d+)"></div>')


@dataclass
class Toast:
    """A toast the page showed (the simulation keeps them: no time passes)."""

    content: str
    duration_ms: int
    position: str
    color: str
    callback: str | None
    closed: bool = False


@dataclass
class Popup:
    """The open popup: its title and its body, which is a scope."""

    title: str
    body: Node
    closable: bool
    implicit_close: bool
    size: str

    @property
    def text(self) -> str:
        return self.body.visible_text


@dataclass
class JsCall:
    """A ``run_js`` command the page ran (``task`` set: an ``eval_js`` that wants an answer)."""

    code: str
    args: dict
    task: str | None


@dataclass
class Download:
    name: str
    content: bytes


@dataclass
class AppOpened:
    """``go_app`` or a click on an app link: which app, in a new window or in place."""

    name: str
    new_window: bool


class Page:
    """Everything on one page, changed only by :meth:`apply` (server) and the user's actions."""

    def __init__(self, title: str = "") -> None:
        self.document = Node("document", data={"document": True})
        self.root = self.document.append(Node("main", block=True, scope="ROOT"))
        self.forms: dict[str, Form] = {}
        self.stack: list[str] = []
        self.popup: Popup | None = None
        self.toasts: list[Toast] = []
        self.title = title
        self.env: dict[str, Any] = {}
        self.pins: dict[str, Node] = {}  # name -> the newest widget of that name
        self.js_calls: list[JsCall] = []
        self.downloads: list[Download] = []
        self.opened: list[AppOpened] = []
        self.progress: dict[str, Node] = {}
        self.datatables: dict[str, Node] = {}
        self.ended = False
        self.session_id: str | None = None  # set_session's token: the page may reconnect
        self.frames = 0
        self.version = 0  # changes with every frame and every change the user makes
        self._text_cache: tuple[int, str] = (-1, "")
        self.errors: list[str] = []  # `error` commands: the server refused a message
        # Filled while applying: events the page sends by itself (pin values, eval_js answers).
        self.answers: list[dict] = []
        self.eval_js: Callable[[str, dict], Any] | None = None
        self.on_open_app: Callable[[AppOpened], None] | None = None

    # -- reading ------------------------------------------------------------------------------
    @property
    def form(self) -> Form | None:
        """The form the user sees (the newest of the stack)."""
        return self.forms[self.stack[-1]] if self.stack else None

    def find_scope(self, name: str) -> Node | None:
        if name == "ROOT":
            return self.root
        for node in self.document.walk(include_hidden=True):
            if node.scope == name:
                return node
        return None

    def touch(self) -> None:
        """The user changed something on the page (a value, a tab, a collapse...)."""
        self.version += 1

    def text(self) -> str:
        """Everything a user can read: outputs, popup, the form shown, toasts."""
        if self._text_cache[0] != self.version:
            self._text_cache = (self.version, self._read_text())
        return self._text_cache[1]

    def shows(self, words: str, quick: bool = False) -> bool:
        """Whether the page shows ``words`` (white space collapsed): first within single runs of
        text (cheap, and usually enough), then (unless ``quick``) in the whole text."""
        small = [t.content for t in self.toasts if not t.closed]
        if self.form is not None:
            small.append(self.form.visible_text)
        if self.popup is not None:
            small.append(self.popup.title)
        if any(words in " ".join(text.split()) for text in small):
            return True
        # Newest outputs last: look from the end (the order does not matter for the answer).
        stack = [self.root] + ([self.popup.body] if self.popup is not None else [])
        while stack:
            node = stack.pop()
            if node.hidden:
                continue
            if node.tag == "#text":
                text = node.text
                if words in text or (len(text) >= len(words) and
                                     words in " ".join(text.split())):
                    return True
            stack.extend(node.children)
        return not quick and words in " ".join(self.text().split())

    def _read_text(self) -> str:
        parts = [self.root.visible_text]
        if self.popup is not None:
            parts.append(f"{self.popup.title}\n{self.popup.text}")
        if self.form is not None:
            parts.append(self.form.visible_text)
        parts += [t.content for t in self.toasts if not t.closed]
        return tidy_text("\n".join(p for p in parts if p))

    def dump(self) -> str:
        """The page as text, in sections (failure messages print this)."""
        out = [f"title: {self.title!r}" + ("  (session ended)" if self.ended else "")]
        out.append("--- page ---\n" + (self.root.visible_text or "(empty)"))
        if self.popup is not None:
            out.append(f"--- popup: {self.popup.title} ---\n{self.popup.text}")
        form = self.form
        if form is not None:
            lines = [f"--- form{': ' + form.label if form.label else ''}"
                     f"{' (waiting for the server)' if form.busy else ''} ---"]
            for item in form.fields.values():
                if item.type == "actions":
                    lines.append(f"[{' | '.join(item.options)}]")
                    continue
                line = f"{item.label or item.name} ({item.type}) = {item.value!r}"
                if item.type in ("select", "checkbox", "radio"):
                    line += f"  options: {item.options}"
                if item.message:
                    line += f"  <- {item.message}"
                lines.append(line)
            bar = [b.label for b in form.buttons if b.field is None]
            if bar:
                lines.append(f"[{' | '.join(bar)}]")
            out.append("\n".join(lines))
        toasts = [t.content for t in self.toasts if not t.closed]
        if toasts:
            out.append("--- toasts ---\n" + "\n".join(toasts))
        return "\n".join(out)

    # -- applying commands --------------------------------------------------------------------
    def apply(self, commands: list[dict]) -> None:
        """Apply one frame, in order; a bad command is logged and skipped, like the page does."""
        self.frames += 1
        self.version += 1
        for command in commands:
            handler = getattr(self, "_cmd_" + str(command.get("cmd")), None)
            if handler is None:
                logger.error("simulated page: unknown command %r", command.get("cmd"))
                continue
            handler(command)

    def _cmd_output(self, c: dict) -> None:
        parent = self.find_scope(c.get("scope") or "ROOT")
        if parent is None:
            logger.error("simulated page: no scope %r", c.get("scope"))
            return
        node = self.render(c["spec"])
        if node is not None:
            insert_at(parent, node, -1 if c.get("position") is None else c["position"])

    def _cmd_set_scope(self, c: dict) -> None:
        old = self.find_scope(c["name"])
        if old is not None:
            if c.get("if_exist") == "clear":
                old.children.clear()
            if c.get("if_exist") != "remove":
                return
            old.detach()
        parent = self.find_scope(c.get("container") or "ROOT")
        if parent is not None:
            insert_at(parent, Node("div", block=True, scope=c["name"]),
                      -1 if c.get("position") is None else c["position"])

    def _cmd_clear(self, c: dict) -> None:
        node = self.find_scope(c["scope"])
        if node is not None:
            for child in list(node.children):
                child.detach()

    def _cmd_loose(self, c: dict) -> None:
        pass  # layout only

    def _cmd_scroll_to(self, c: dict) -> None:
        pass  # layout only

    def _cmd_remove(self, c: dict) -> None:
        if c["scope"] == "ROOT":
            return
        node = self.find_scope(c["scope"])
        if node is not None:
            node.detach()

    def _cmd_form(self, c: dict) -> None:
        task = c["task"]
        if task in self.forms:
            self._cmd_form_remove({"task": task})
        self.forms[task] = Form.build(task, c.get("spec") or {})
        self.stack.append(task)

    def _cmd_form_update(self, c: dict) -> None:
        form = self.forms.get(c["task"])
        item = form.fields.get(c["name"]) if form else None
        if item is None:
            logger.error("simulated page: form_update: no item %r in task %s", c["name"], c["task"])
            return
        attrs = c.get("attrs") or {}
        item.update(attrs)
        if form.busy and any(k in attrs for k in ("valid_status", "valid_feedback",
                                                  "invalid_feedback")):
            form.busy = False  # a validation message answers a submit: the user fixes the field

    def _cmd_form_remove(self, c: dict) -> None:
        if self.forms.pop(c["task"], None) is not None:
            self.stack.remove(c["task"])

    def _cmd_run_js(self, c: dict) -> None:
        call = JsCall(c.get("code") or "", c.get("args") or {}, c.get("task"))
        self.js_calls.append(call)
        if call.task is None:
            return
        value = None
        if self.eval_js is not None:
            value = self.eval_js(call.code, call.args)
        self.answers.append({"event": "js_result", "task": call.task, "data": value})

    def _cmd_set_env(self, c: dict) -> None:
        env = c.get("env") or {}
        self.env.update(env)
        if "title" in env:
            self.title = env["title"] or ""

    def _cmd_go_app(self, c: dict) -> None:
        self.open_app(c["name"], bool(c.get("new_window")))

    def open_app(self, name: str, new_window: bool) -> None:
        opened = AppOpened(name, new_window)
        self.opened.append(opened)
        if self.on_open_app is not None:
            self.on_open_app(opened)

    def _cmd_download(self, c: dict) -> None:
        self.downloads.append(Download(c.get("name") or "download",
                                       base64.b64decode(c.get("data") or "")))

    def _cmd_toast(self, c: dict) -> None:
        self.toasts.append(Toast(str(c.get("content", "")), int(c.get("duration") or 0),
                                 c.get("position") or "center", c.get("color") or "",
                                 c.get("callback")))

    def _cmd_popup(self, c: dict) -> None:
        if self.popup is not None:
            self.popup.body.detach()
        body = Node("dialog", role="dialog", block=True, scope=c.get("slot"))
        for item in c.get("contents") or []:
            child = self.render(item)
            if child is not None:
                body.append(child)
        self.document.append(body)
        self.popup = Popup(str(c.get("title", "")), body, bool(c.get("closable", True)),
                           bool(c.get("implicit_close", True)), c.get("size") or "normal")

    def _cmd_close_popup(self, c: dict | None = None) -> None:
        if self.popup is not None:
            self.popup.body.detach()
            self.popup = None

    def _cmd_set_progressbar(self, c: dict) -> None:
        node = self.progress.get(c["name"])
        if node is None or not node.connected:
            return
        if c.get("value") is not None:
            node.data["value"] = c["value"]
        if c.get("label") is not None:
            node.children[0].text = str(c["label"])
        if node.data.get("auto_close") and (c.get("value") or 0) >= 1:
            node.detach()

    def _cmd_pin_values(self, c: dict) -> None:
        values = {}
        for name in c["names"]:  # widgets not on the page are left out, as the real page does
            node = self.pins.get(name)
            if node is not None and node.connected:
                values[name] = node.data["field"].raw_value()
        self.answers.append({"event": "pin_values", "task": c["task"], "data": values})

    def _cmd_pin_update(self, c: dict) -> None:
        node = self.pins.get(c["name"])
        if node is None:
            logger.error("simulated page: no pin widget %r", c["name"])
            return
        node.data["field"].update(c.get("attrs") or {})

    def _cmd_datatable(self, c: dict) -> None:
        node = self.datatables.get(c["instance"])
        if node is None or not node.connected:
            return
        grid = node.data["grid"]
        op = c["op"]
        if op == "replace":
            grid.replace(c.get("records") or [])
        elif op == "insert":
            grid.insert(c.get("records") or [], c.get("row_id"))
        elif op == "remove":
            grid.remove(c.get("row_ids") or [])
        elif op == "update_row":
            grid.update_row(c["row_id"], c.get("record"))
        elif op == "update_cell":
            grid.update_cell(c["row_id"], c.get("path") or [], c.get("value"))
        grid.render_into(node)

    def _cmd_close(self, c: dict | None = None) -> None:
        self.ended = True
        for form in self.forms.values():
            form.busy = True

    def _cmd_set_session(self, c: dict) -> None:
        self.session_id = c.get("token")  # the secret the page resumes with

    def _cmd_error(self, c: dict) -> None:
        self.errors.append(str(c.get("message", "")))

    # -- rendering output specs (outputs.js RENDERERS) ----------------------------------------
    def render(self, item: Any) -> Node | None:
        if item is None:
            return None
        if not isinstance(item, dict):
            return self._text({"content": str(item)})
        renderer = getattr(self, "_render_" + str(item.get("type")), None)
        if renderer is None:
            logger.error("simulated page: unknown output type %r", item.get("type"))
            return None
        node = renderer(item)
        node.data["spec"] = item
        if item.get("click") is not None:
            node.data["click"] = item["click"]
            if node.role not in ("button", "link", "tab"):
                node.role = "button"
        return node

    def _fill(self, holder: Node, contents: Any, spec: dict | None = None) -> Node:
        if spec is not None and spec.get("slot") is not None:
            holder.scope = spec["slot"]
        items = contents if isinstance(contents, list) else ([] if contents is None else [contents])
        for item in items:
            child = self.render(item)
            if child is not None:
                holder.append(child)
        return holder

    def _text(self, s: dict) -> Node:
        node = Node("span" if s.get("inline") else "p", role="text", block=not s.get("inline"))
        node.append(text_node(str(s.get("content") or "")))
        return node

    _render_text = _text

    def _render_html(self, s: dict) -> Node:
        return parse_html(str(s.get("content") or ""), Node("div", block=True,
                                                            data={"kind": s.get("kind")}))

    def _render_widget(self, s: dict) -> Node:
        node = Node("div", block=True)
        slots = s.get("slots") or []
        pieces = _SLOT.split(str(s.get("content") or ""))
        for index, piece in enumerate(pieces):
            if index % 2:
                number = int(piece)
                child = self.render(slots[number]) if number < len(slots) else None
                if child is not None:
                    node.append(child)
            elif piece:
                parse_html(piece, node)
        return node

    def _render_link(self, s: dict) -> Node:
        node = Node("a", role="link", data={"href": s.get("href"), "app": s.get("app"),
                                            "new_window": bool(s.get("new_window"))})
        node.append(text_node(str(s.get("text") or s.get("href") or s.get("app") or "")))
        return node

    def _render_buttons(self, s: dict) -> Node:
        box = Node("div", role="group" if s.get("group") else None, block=True,
                   data={"separator": " "})
        for index, b in enumerate(s.get("buttons") or []):
            button = box.append(Node("button", role="button", data={
                "callback": s.get("callback"), "index": index,
                "disabled": bool(b.get("disabled"))}))
            button.append(text_node(str(b.get("label") or "")))
        return box

    def _render_table(self, s: dict) -> Node:
        table = Node("table", role="table", block=True)
        header = 1 if s.get("header") else 0
        for r, row in enumerate(s.get("rows") or []):
            tr = table.append(Node("tr", role="row", block=True, data={"separator": " | "}))
            for cell in row:
                td = tr.append(Node("th" if r < header else "td",
                                    role="columnheader" if r < header else "cell"))
                if isinstance(cell, (dict, list)):
                    self._fill(td, cell)
                else:
                    td.append(text_node("" if cell is None else str(cell)))
        return table

    def _render_image(self, s: dict) -> Node:
        return Node("img", role="img", name=str(s.get("alt") or ""), data={"src": s.get("src")})

    def _render_alert(self, s: dict) -> Node:
        color = s.get("color") or "info"
        box = Node("div", role="alert" if color in ("danger", "warning") else "status",
                   block=True, data={"color": color})
        self._fill(box, s.get("contents"), s)
        if s.get("closable"):
            close = box.append(Node("button", role="button", name="Dismiss",
                                    data={"dismiss": box}))
            close.hidden = False
        return box

    def _render_scope(self, s: dict) -> Node:
        return self._fill(Node("div", block=True, scope=s.get("name")), s.get("contents"))

    def _render_row(self, s: dict) -> Node:
        return self._fill(Node("div", block=True, data={"separator": "\n"}), s.get("contents"), s)

    _render_column = _render_row

    def _render_grid(self, s: dict) -> Node:
        node = Node("div", block=True, data={"separator": "\n"})
        if s.get("slot") is not None:
            node.scope = s["slot"]
        return self._fill(node, s.get("contents"))

    def _render_collapse(self, s: dict) -> Node:
        details = Node("details", block=True, data={"open": bool(s.get("open"))})
        summary = details.append(Node("summary", role="button", block=True,
                                      data={"toggle": details}))
        summary.append(text_node(str(s.get("title") or "")))
        body = details.append(Node("div", block=True, hidden=not s.get("open")))
        self._fill(body, s.get("contents"), s)
        return details

    def _render_scrollable(self, s: dict) -> Node:
        return self._fill(Node("div", block=True), s.get("contents"), s)

    def _render_tabs(self, s: dict) -> Node:
        root = Node("div", block=True)
        tablist = root.append(Node("div", role="tablist", block=True, data={"separator": " "}))
        panels = []
        for index, tab in enumerate(s.get("tabs") or []):
            button = tablist.append(Node("button", role="tab", data={"panels": panels,
                                                                    "index": index}))
            button.append(text_node(str(tab.get("title", ""))))
            panel = root.append(Node("div", role="tabpanel", block=True, hidden=index != 0))
            self._fill(panel, tab.get("contents"))
            panels.append(panel)
        return root

    def _render_loading(self, s: dict) -> Node:
        return Node("div", role="status", name="Loading…")

    def _render_progressbar(self, s: dict) -> Node:
        node = Node("div", role="progressbar", block=True,
                    data={"value": s.get("value"), "auto_close": bool(s.get("auto_close"))})
        node.append(text_node(str(s.get("label") or "")))
        self.progress[str(s.get("name"))] = node
        return node

    def _render_pin(self, s: dict) -> Node:
        spec = dict(s.get("item") or {})
        spec.update(onchange=False, onblur=False, auto_focus=False)
        item = Field(spec)
        node = Node("field", role="field", block=True, name=item.label or item.name,
                    data={"field": item, "pin": item.name})
        self.pins[item.name] = node
        return node

    def _render_datatable(self, s: dict) -> Node:
        grid = Grid(s)
        node = Node("div", role="grid", block=True, data={"grid": grid})
        grid.render_into(node)
        if s.get("instance"):
            self.datatables[s["instance"]] = node
        return node


def insert_at(parent: Node, node: Node, position: int) -> bool:
    """Insert at a protocol position: 0 first, -1 last, n >= 0 before child n, n < 0 after
    child n counted from the end; out of range inserts nothing (as the page does)."""
    count = len(parent.children)
    index = position if position >= 0 else count + position + 1
    if index < 0 or index > count:
        logger.error("simulated page: position %s out of range", position)
        return False
    parent.insert(index, node)
    return True


class Grid:
    """The rows of a ``put_datatable`` grid, with the ids the page gives them (datatable.js)."""

    def __init__(self, spec: dict) -> None:
        self.spec = spec
        self.columns = spec.get("columns") or []
        self.id_path = spec.get("id_path")
        self.next_id = 0
        self.rows: list[tuple[Any, dict]] = []
        self.selected: list[Any] = []
        self.replace(spec.get("records") or [])

    def _row(self, record: dict) -> tuple[Any, dict]:
        row_id = value_at(record, self.id_path) if self.id_path else self.next_id
        if isinstance(row_id, (int, float)) and not isinstance(row_id, bool) \
                and row_id >= self.next_id:
            self.next_id = int(row_id) + 1
        return row_id, record

    def replace(self, records: list) -> None:
        self.next_id = 0
        self.rows = [self._row(r) for r in records]

    def insert(self, records: list, before: Any) -> None:
        added = [self._row(r) for r in records]
        ids = [row_id for row_id, _ in self.rows]
        index = ids.index(before) if before is not None and before in ids else len(self.rows)
        self.rows[index:index] = added

    def remove(self, row_ids: list) -> None:
        self.rows = [(i, r) for i, r in self.rows if i not in row_ids]

    def update_row(self, row_id: Any, record: dict) -> None:
        self.rows = [(i, record if i == row_id else r) for i, r in self.rows]

    def update_cell(self, row_id: Any, path: list, value: Any) -> None:
        for i, record in self.rows:
            if i == row_id and path:
                target = record
                for key in path[:-1]:
                    target = target.setdefault(key, {})
                target[path[-1]] = value

    def table(self) -> list[list[str]]:
        header = [c.get("label", "") for c in self.columns]
        body = [["" if value_at(r, c.get("path") or []) is None else
                 str(value_at(r, c.get("path") or [])) for c in self.columns]
                for _, r in self.rows]
        return [header] + body

    def render_into(self, node: Node) -> None:
        node.children.clear()
        ids = [row_id for row_id, _ in self.rows]
        self.selected = [i for i in self.selected if i in ids]
        for r, cells in enumerate(self.table()):
            data: dict[str, Any] = {"separator": " | "}
            if r:
                data.update(row_id=self.rows[r - 1][0], grid=self, node=node, select=True,
                            selected=self.rows[r - 1][0] in self.selected)
            tr = node.append(Node("tr", role="row", block=True, data=data))
            for cell in cells:
                td = tr.append(Node("td", role="columnheader" if r == 0 else "cell"))
                td.append(text_node(cell))
        # The action bar shows while rows are selected (datatable.js selectionChanged).
        bar = node.append(Node("div", block=True, hidden=not self.selected,
                               data={"separator": " "}))
        count = len(self.selected)
        bar.append(Node("span", role="status")).append(
            text_node(f"{count} {'row' if count == 1 else 'rows'} selected"))
        unselect = bar.append(Node("button", role="button", data={"unselect": self,
                                                                  "node": node}))
        unselect.append(text_node("Unselect"))
        for index, label in enumerate(self.spec.get("actions") or []):
            if label is None:
                continue
            button = bar.append(Node("button", role="button",
                                     data={"grid_action": index, "grid": self}))
            button.append(text_node(str(label)))

    def select(self, row_id: Any) -> dict | None:
        """A click on a row: the event the page sends (None: nothing to report)."""
        if self.spec.get("multiple"):
            if row_id in self.selected:
                self.selected.remove(row_id)
            else:
                self.selected.append(row_id)
        else:
            self.selected = [row_id]
        if self.spec.get("onselect") and self.selected:
            return self.report(None)
        return None

    def report(self, button: int | None) -> dict | None:
        """The selection in display order, with the action button's index (or None)."""
        if self.spec.get("callback") is None:
            return None
        rows = [i for i, _ in self.rows if i in self.selected]
        data: dict[str, Any] = {"rows": rows} if button is None else {"rows": rows, "btn": button}
        return {"event": "callback", "id": self.spec["callback"], "data": data}


def value_at(record: Any, path: list) -> Any:
    for key in path:
        if not isinstance(record, dict):
            return None
        record = record.get(key)
    return record
