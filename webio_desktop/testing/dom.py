"""A small document tree for the simulated page: what the user sees, without a browser.

Output specs (docs/protocol.md) and the HTML the server rendered (markdown, ``put_html``) both
become :class:`Node` trees, so visible text, finding by text or role, and scopes work the same
way on every kind of output.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, Iterator

# Elements laid out as blocks: their text starts on a line of its own.
BLOCK_TAGS = {"p", "div", "section", "article", "header", "footer", "main", "nav", "aside",
              "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "pre",
              "blockquote", "table", "thead", "tbody", "tfoot", "tr", "figure", "figcaption",
              "hr", "br", "details", "summary", "form", "fieldset", "legend", "dialog"}
VOID_TAGS = {"br", "hr", "img", "input", "meta", "link", "source", "wbr", "area", "col",
             "embed", "param", "track", "base"}
INVISIBLE_TAGS = {"script", "style", "template", "noscript", "head", "title"}
# ARIA roles of plain HTML elements (those a test looks for).
HTML_ROLES = {"a": "link", "button": "button", "h1": "heading", "h2": "heading",
              "h3": "heading", "h4": "heading", "h5": "heading", "h6": "heading",
              "table": "table", "tr": "row", "td": "cell", "th": "columnheader", "img": "img",
              "li": "listitem", "ul": "list", "ol": "list", "summary": "button",
              "progress": "progressbar", "input": "textbox", "textarea": "textbox",
              "select": "combobox"}
# Roles a user can click (and what ``click`` looks for by text).
CLICKABLE_ROLES = {"button", "link", "tab"}


@dataclass(eq=False)
class Node:
    """One element (or a run of text, ``tag == '#text'``) of the simulated page."""

    tag: str
    role: str | None = None
    text: str = ""  # the text of a '#text' node
    block: bool = False
    hidden: bool = False  # not shown (closed collapse, other tab, screen-reader-only text)
    scope: str | None = None  # this element *is* scope NAME (id="pywebio-scope-NAME")
    name: str | None = None  # accessible name when it is not the text (image alt, field label)
    data: dict[str, Any] = field(default_factory=dict)  # callback ids, href, app, pin field...
    children: list["Node"] = field(default_factory=list)
    parent: "Node | None" = None

    # -- building -----------------------------------------------------------------------------
    def append(self, child: "Node") -> "Node":
        child.parent = self
        self.children.append(child)
        return child

    def insert(self, index: int, child: "Node") -> None:
        child.parent = self
        self.children.insert(index, child)

    def detach(self) -> None:
        if self.parent is not None:
            self.parent.children.remove(self)
            self.parent = None

    # -- reading ------------------------------------------------------------------------------
    def walk(self, include_hidden: bool = False) -> Iterator["Node"]:
        """This node and its descendants, in document order (hidden subtrees skipped)."""
        stack = [self]
        while stack:
            node = stack.pop()
            if node.hidden and not include_hidden:
                continue
            yield node
            stack.extend(reversed(node.children))

    @property
    def visible_text(self) -> str:
        """The text a user reads in this element, blocks on lines of their own."""
        parts: list[str] = []
        self._collect(parts)
        return tidy_text("".join(parts))

    def _collect(self, parts: list[str]) -> None:
        if self.hidden:
            return
        if self.tag == "#text":
            parts.append(self.text)
            return
        if self.tag == "br":
            parts.append("\n")
            return
        if self.tag == "field":  # a pin widget: its label, value and messages
            parts.append("\n" + self.data["field"].visible_text + "\n")
            return
        if self.block:
            parts.append("\n")
        for index, child in enumerate(self.children):
            if index and self.data.get("separator"):
                parts.append(self.data["separator"])
            child._collect(parts)
        if self.block:
            parts.append("\n")

    @property
    def label(self) -> str:
        """The accessible name: an explicit name (alt, field label) or the visible text."""
        return self.name if self.name is not None else self.visible_text

    @property
    def connected(self) -> bool:
        """Still in the page (not removed with its scope)."""
        node: Node | None = self
        while node.parent is not None:
            node = node.parent
        return bool(node.data.get("document"))

    @property
    def is_hidden(self) -> bool:
        node: Node | None = self
        while node is not None:
            if node.hidden:
                return True
            node = node.parent
        return False

    def __repr__(self) -> str:
        what = self.role or self.tag
        text = self.label.replace("\n", " ")
        return f"<{what} {text[:60]!r}>" if text else f"<{what}>"


def tidy_text(text: str) -> str:
    """One line per block, line ends trimmed, no empty lines (margins are not text)."""
    return "\n".join(line.rstrip() for line in text.split("\n") if line.strip())


def text_node(text: str) -> Node:
    return Node("#text", text=text)


# -- trusted HTML (markdown, put_html, widgets) ---------------------------------------------------

_SPACES = re.compile(r"\s+")


class _TreeBuilder(HTMLParser):
    """HTML -> Node tree; white space collapsed as a browser does outside <pre>."""

    def __init__(self, root: Node) -> None:
        super().__init__(convert_charrefs=True)
        self.stack = [root]
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: (v if v is not None else "") for k, v in attrs}
        node = Node(tag, role=attributes.get("role") or HTML_ROLES.get(tag),
                    block=tag in BLOCK_TAGS, hidden=tag in INVISIBLE_TAGS or "hidden" in attributes,
                    data={"attrs": attributes})
        if tag == "img":
            node.name = attributes.get("alt", "")
        if tag == "a" and "href" in attributes:
            node.data["href"] = attributes["href"]
        slot = attributes.get("data-webio-slot")
        if slot is not None:
            node.data["slot"] = int(slot)
        self.stack[-1].append(node)
        if tag not in VOID_TAGS:
            self.stack.append(node)
            if tag == "pre":
                self.pre += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                if tag == "pre":
                    self.pre -= 1
                return

    def handle_data(self, data: str) -> None:
        if not self.pre:
            data = _SPACES.sub(" ", data)
            if not data.strip() and (not self.stack[-1].children or self.stack[-1].block):
                return
        self.stack[-1].append(text_node(data))


def parse_html(content: str, node: Node) -> Node:
    """Append the elements of an HTML fragment to ``node``."""
    builder = _TreeBuilder(node)
    builder.feed(content)
    builder.close()
    return node
