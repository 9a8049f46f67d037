"""The mustache subset that ``put_widget`` templates use, rendered on the server.

Rendering here (not in the page) means values are escaped by Python's ``html.escape`` before
they reach the browser, and the page needs no template engine. Supported tags:

* ``{{name}}`` escaped value, ``{{{name}}}`` / ``{{& name}}`` raw value; dotted names
  (``a.b``) and ``{{.}}`` (the current item);
* ``{{#name}}...{{/name}}`` a section: once per list item, once with a dict (or other truthy
  value) on top of the context stack, skipped when falsy or empty;
* ``{{^name}}...{{/name}}`` an inverted section (shown when falsy or empty);
* ``{{! comment}}``.

Values that are outputs are not turned into text: ``embed(value)`` returns the HTML placeholder
the page fills with the rendered output. ``pywebio_output_parse`` names the current item (an
output is embedded, anything else is shown as escaped text), as in PyWebIO.
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["TemplateError", "render_template"]

_TAG = re.compile(r"\{\{(\{)?\s*([#^/&!]?)\s*(.*?)\s*(\})?\}\}", re.DOTALL)
_MISSING = object()


class TemplateError(ValueError):
    """The template is malformed (e.g. an unclosed section)."""


def _parse(template: str) -> list:
    """A tree of text strings, ('var', name, raw) and ('section', name, inverted, children)."""
    root: list = []
    stack: list[tuple[str, list]] = [("", root)]
    pos = 0
    for match in _TAG.finditer(template):
        stack[-1][1].append(template[pos:match.start()])
        pos = match.end()
        triple, kind, name = match.group(1), match.group(2), match.group(3)
        if bool(triple) != bool(match.group(4)):
            raise TemplateError(f"unbalanced braces in tag {match.group(0)!r}")
        if kind == "!":
            continue
        if kind in "#^" and kind:
            children: list = []
            stack[-1][1].append(("section", name, kind == "^", children))
            stack.append((name, children))
        elif kind == "/":
            if len(stack) == 1 or stack[-1][0] != name:
                open_name = stack[-1][0] if len(stack) > 1 else None
                raise TemplateError(f"{{{{/{name}}}}} closes "
                                    + (f"section {open_name!r}" if open_name else "no section"))
            stack.pop()
        else:
            stack[-1][1].append(("var", name, bool(triple) or kind == "&"))
    if len(stack) > 1:
        raise TemplateError(f"section {stack[-1][0]!r} is never closed")
    stack[-1][1].append(template[pos:])
    return root


def _lookup(stack: list, name: str) -> Any:
    if name == ".":
        return stack[-1]
    first, *rest = name.split(".")
    for context in reversed(stack):
        if isinstance(context, Mapping) and first in context:
            value = context[first]
            break
    else:
        return _MISSING
    for key in rest:
        if not isinstance(value, Mapping) or key not in value:
            return _MISSING
        value = value[key]
    return value


def _falsy(value: Any) -> bool:
    return value is _MISSING or value is None or value is False or value == "" or (
        isinstance(value, (list, tuple)) and not value)


def render_template(template: str, data: Mapping, embed: Callable[[Any], str | None]) -> str:
    """Render ``template`` with ``data``; ``embed(v)`` returns a placeholder for an output
    value, or None for a plain value (which is then shown as text)."""
    tree = _parse(str(template))
    out: list[str] = []

    def value_html(value: Any, raw: bool) -> str:
        placeholder = embed(value)
        if placeholder is not None:
            return placeholder
        if value is _MISSING or value is None:
            return ""
        if isinstance(value, bool):
            text = "true" if value else "false"  # what a JS template engine would show
        else:
            text = str(value)
        return text if raw else html.escape(text, quote=True)

    def walk(nodes: list, stack: list) -> None:
        for node in nodes:
            if isinstance(node, str):
                out.append(node)
            elif node[0] == "var":
                _, name, raw = node
                if name == "pywebio_output_parse":
                    current = stack[-1]
                    out.append(value_html(current, raw=False))
                else:
                    out.append(value_html(_lookup(stack, name), raw))
            else:
                _, name, inverted, children = node
                value = _lookup(stack, name)
                if inverted:
                    if _falsy(value):
                        walk(children, stack)
                elif _falsy(value):
                    continue
                elif isinstance(value, (list, tuple)):
                    for item in value:
                        walk(children, stack + [item])
                else:
                    walk(children, stack + [value])

    walk(tree, [data])
    return "".join(out)
