"""Input functions (PyWebIO's ``pywebio.input``): ask the user and get typed values back.

A call without ``name`` shows a form and waits for its answer (``await`` it in coroutine sessions).
A call with ``name`` only describes an item for :func:`input_group`.
"""
from __future__ import annotations

import base64
import logging
import math
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from . import protocol
from .exceptions import ArgumentError, require
from .sessions.core import Session, current_task
from .utils import parse_file_size

__all__ = ["TEXT", "NUMBER", "FLOAT", "PASSWORD", "URL", "DATE", "TIME", "COLOR", "DATETIME_LOCAL",
           "DATETIME", "input", "textarea", "select", "checkbox", "radio", "actions", "slider",
           "file_upload", "input_group", "input_update"]

logger = logging.getLogger("webio_desktop.input")

TEXT = "text"
NUMBER = "number"
FLOAT = "float"
PASSWORD = "password"
URL = "url"
DATE = "date"
TIME = "time"
COLOR = "color"
DATETIME_LOCAL = "datetime-local"
DATETIME = DATETIME_LOCAL
CHECKBOX = "checkbox"
RADIO = "radio"
SELECT = "select"
TEXTAREA = "textarea"
FILE = "file"

_INPUT_TYPES = {TEXT, NUMBER, FLOAT, PASSWORD, URL, DATE, TIME, COLOR, DATETIME_LOCAL}
_TEXT_LIKE = _INPUT_TYPES | {TEXTAREA}


class _Invalid(ValueError):
    """A submitted value that can not be converted; the message is shown under the field."""


NOT_UNDERSTOOD = "This value was not understood; please enter it again."


def decode_upload(entry: Any) -> dict:
    """One file as a page sends it (``{filename, content: base64, mime_type, last_modified}``)
    -> ``{filename, content: bytes, mime_type, last_modified}``; the name loses any folder.
    ValueError (a message for the user) when it is not one: a page can send anything."""
    if not isinstance(entry, dict) or not isinstance(entry.get("content"), str):
        raise ValueError("The upload was not understood; please choose the file again.")
    try:
        content = base64.b64decode(entry["content"], validate=True)
    except ValueError:
        raise ValueError("The upload was damaged; please choose the file again.") from None
    name = PurePosixPath(str(entry.get("filename", "")).replace("\\", "/")).name
    return {"filename": name or "upload", "content": content,
            "mime_type": str(entry.get("mime_type") or ""),
            "last_modified": entry.get("last_modified")}


@dataclass
class InputItem:
    """One form item: what the page shows, and how its answer becomes a Python value."""

    spec: dict
    validate: Callable[[Any], str | None] | None = None
    onchange: Callable[[Any], Any] | None = None
    action: Callable[[Callable], Any] | None = None
    values: list[Any] = field(default_factory=list)  # option / button values, by index
    override: list[Any] = field(default_factory=list)  # [value] set by an action's set_value

    @property
    def name(self) -> str:
        return self.spec["name"]

    def convert(self, raw: Any) -> Any:
        """The Python value for the page's raw answer (see docs/protocol.md).

        A page can send anything (a forged ``"abc"`` for a slider, an option that was never
        offered): every value that does not fit the item raises ``_Invalid``, whose message the
        form shows under the field while the app keeps waiting; nothing else escapes.
        """
        if self.override:
            return self.override[0]
        try:
            return self._convert(raw)
        except _Invalid:
            raise
        except (TypeError, ValueError, OverflowError, LookupError, AttributeError):
            raise _Invalid(NOT_UNDERSTOOD) from None

    def _convert(self, raw: Any) -> Any:
        kind = self.spec["type"]
        if kind in (NUMBER, FLOAT):
            if isinstance(raw, bool) or not isinstance(raw, (str, int, float, type(None))):
                raise _Invalid(NOT_UNDERSTOOD)
            text = "" if raw is None else str(raw).strip()
            if text == "":
                return None
            try:
                number = int(text) if kind == NUMBER else float(text)
            except ValueError:
                raise _Invalid("Please enter a whole number." if kind == NUMBER
                               else "Please enter a number.") from None
            if not math.isfinite(number):
                raise _Invalid("Please enter a number.")
            return number
        if kind in (SELECT, CHECKBOX, "actions", RADIO):
            return self._chosen(raw)
        if kind == FILE:
            return self._files(raw)
        if kind == "slider":
            return self._slider(raw)
        if raw is not None and not isinstance(raw, str):
            raise _Invalid(NOT_UNDERSTOOD)
        return "" if raw is None else raw

    def _chosen(self, raw: Any) -> Any:
        """Option (or button) positions back to their values; only positions the page offered
        (an actions item: its enabled submit buttons)."""
        many = bool(self.spec.get("multiple")) or self.spec["type"] == CHECKBOX
        if raw is None:
            return [] if many else None
        if isinstance(raw, list) != many:  # one position, or a list of them
            raise _Invalid("Please choose from the options offered.")
        positions = raw if many else [raw]
        if not all(self._valid_index(i) for i in positions) or len(set(positions)) != len(positions):
            raise _Invalid("Please choose from the options offered.")
        values = [self.values[i] for i in positions]
        return values if many else values[0]

    def _slider(self, raw: Any) -> int | float:
        """A slider position: a finite number within the slider's bounds."""
        if raw is None:
            raw = self.spec.get("value", 0)
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            raise _Invalid(NOT_UNDERSTOOD)
        number = float(raw)
        low, high = self.spec.get("min"), self.spec.get("max")
        if not math.isfinite(number) or (low is not None and number < low) \
                or (high is not None and number > high):
            raise _Invalid(f"Please choose a value between {low} and {high}.")
        return number if self.spec.get("float") else int(number)

    def _files(self, raw: Any) -> Any:
        """Uploaded files: the page checked the limits; check them again (a page can lie)."""
        multiple = bool(self.spec.get("multiple"))
        if raw is not None and not isinstance(raw, list):
            raise _Invalid("The upload was not understood; please choose the file again.")
        try:
            files = [decode_upload(entry) for entry in raw or []]
        except ValueError as exc:
            raise _Invalid(str(exc)) from None
        max_size, max_total = self.spec.get("max_size") or 0, self.spec.get("max_total_size") or 0
        for f in files:
            if max_size and len(f["content"]) > max_size:
                raise _Invalid(f"{f['filename']} is larger than {_size_text(max_size)}.")
        if max_total and sum(len(f["content"]) for f in files) > max_total:
            raise _Invalid(f"The files are larger than {_size_text(max_total)} together.")
        if not multiple and len(files) > 1:
            raise _Invalid("Choose one file.")
        return files if multiple else (files[0] if files else None)

    def _valid_index(self, i: Any) -> bool:
        if not (isinstance(i, int) and not isinstance(i, bool) and 0 <= i < len(self.values)):
            return False
        if self.spec["type"] == "actions":  # only a submit button that can be clicked
            button = self.spec["buttons"][i]
            return button.get("type", "submit") == "submit" and not button.get("disabled")
        return True

    def is_empty(self, value: Any) -> bool:
        return value is None or value == "" or value == []


def _item(kind: str, label: str, name: str | None, attrs: dict, extra: dict | None = None, *,
          validate: Callable | None = None, onchange: Callable | None = None,
          values: list | None = None, action: Callable | None = None) -> InputItem:
    spec: dict[str, Any] = {"type": kind, "name": name, "label": label}
    for key, value in (extra or {}).items():
        if value is not None:
            spec[key] = value
    spec["onchange"] = onchange is not None
    spec["onblur"] = validate is not None
    spec["attrs"] = {k: v for k, v in attrs.items() if v is not None}
    return InputItem(spec, validate=validate, onchange=onchange, action=action,
                     values=values or [])


def _ask(item: InputItem) -> Any:
    """Run a single item as its own form (name ``data``), or return it for input_group."""
    if item.spec["name"] is not None:
        return item
    item.spec["name"] = "data"
    session = current_task().session
    return session.run_flow(item_flow(session, item))


def item_flow(session: Session, item: InputItem, *, cancelable: bool = False):
    """The flow that asks ``item`` alone as a form and returns its value (None if cancelled):
    for code that asks inside a flow of its own (the desktop dialogs' browser fallbacks)."""
    item.spec.setdefault("auto_focus", True)
    return _form_flow(session, "", [item], None, cancelable, single=True)


# ---- the form interaction --------------------------------------------------------------------

@dataclass
class _FormState:
    session: Session
    flow_id: str
    items: dict[str, InputItem]
    current: str = ""


_onchange_form: ContextVar[_FormState | None] = ContextVar("webio_onchange_form", default=None)


def _form_spec(label: str, items: list[InputItem], cancelable: bool) -> dict:
    if not any(i.spec.get("auto_focus") for i in items):
        for i in items:
            if i.spec["type"] in _TEXT_LIKE | {SELECT}:
                i.spec["auto_focus"] = True
                break
    last = items[-1].spec if items else {}
    own_buttons = last.get("type") == "actions" and any(
        b.get("type", "submit") == "submit" for b in last.get("buttons", []))
    return {"label": label, "inputs": [i.spec for i in items], "cancelable": cancelable,
            "buttons": not own_buttons}


def _form_flow(session: Session, label: str, items: list[InputItem],
               group_validate: Callable | None, cancelable: bool, single: bool = False):
    spec = _form_spec(label, items, cancelable)
    by_name = {i.name: i for i in items}
    # A cancel-type button in an actions item cancels the whole form, like the Cancel button.
    allow_cancel = cancelable or any(b.get("type") == "cancel" for i in items
                                     if i.spec["type"] == "actions" for b in i.spec["buttons"])

    def flow(flow_id: str):
        state = _FormState(session, flow_id, by_name)
        session.send(protocol.form(flow_id, spec))
        try:
            while True:
                event = yield
                kind = event["event"]
                if kind == "cancel" and allow_cancel:
                    return None
                if kind == "input":
                    _on_item_event(state, event)
                elif kind == "submit":
                    result = _check_submission(state, event["data"], group_validate)
                    if result is not None:
                        return result["data"] if single else result
        finally:
            if not session.closed:
                session.send(protocol.form_remove(flow_id))

    return flow


def _feedback(state: _FormState, name: str, message: str | None) -> None:
    attrs = ({"valid_status": False, "invalid_feedback": message} if message
             else {"valid_status": 0})
    state.session.send(protocol.form_update(state.flow_id, name, attrs))


def _on_item_event(state: _FormState, event: dict) -> None:
    item = state.items.get(event["name"])
    if item is None:
        return
    trigger = event["trigger"]
    if trigger == "action" and item.action is not None:
        _run_action(state, item)
        return
    if trigger == "blur" and item.validate is not None:
        try:
            value = item.convert(event["value"])
        except _Invalid as exc:
            _feedback(state, item.name, str(exc))
            return
        if not item.is_empty(value):
            _feedback(state, item.name, _run_validate(item.validate, value))
    elif trigger == "change" and item.onchange is not None:
        try:
            value = item.convert(event["value"])
        except _Invalid:
            return
        token = _onchange_form.set(state)
        state.current = item.name
        try:
            item.onchange(value)
        except Exception:
            logger.exception("error in the onchange callback of input %r", item.name)
        finally:
            _onchange_form.reset(token)


def _run_action(state: _FormState, item: InputItem) -> None:
    def set_value(value: Any, label: Any = None) -> None:
        if label is None:
            item.override.clear()
            attrs = {"value": value}
        else:
            item.override[:] = [value]
            attrs = {"value": str(label), "readonly": True}
        state.session.send(protocol.form_update(state.flow_id, item.name, attrs))

    try:
        item.action(set_value)
    except Exception:
        logger.exception("error in the action callback of input %r", item.name)


def _run_validate(validate: Callable, value: Any) -> str | None:
    try:
        message = validate(value)
    except Exception:
        logger.exception("error in a validate function")
        return "The input is not valid."
    return None if message is None else str(message)


def _check_submission(state: _FormState, raw: dict, group_validate: Callable | None
                      ) -> dict | None:
    """The converted values, or None after sending the messages that keep the form open."""
    data: dict[str, Any] = {}
    ok = True
    for name, item in state.items.items():
        try:
            value = item.convert(raw.get(name))
        except _Invalid as exc:
            _feedback(state, name, str(exc))
            ok = False
            continue
        message = None
        if item.spec.get("required") and item.is_empty(value) and item.spec["type"] != "actions":
            message = "This field is required."
        elif item.validate is not None:
            message = _run_validate(item.validate, value)
        if message:
            _feedback(state, name, message)
            ok = False
        data[name] = value
    if ok and group_validate is not None:
        problem = group_validate(data)
        if problem is not None:
            if not (isinstance(problem, (list, tuple)) and len(problem) == 2):
                raise ArgumentError("input_group(validate) must return None or (name, message)")
            _feedback(state, str(problem[0]), str(problem[1]))
            ok = False
    return data if ok else None


# ---- public functions ------------------------------------------------------------------------

def input(label: str = "", type: str = TEXT, *, validate: Callable | None = None,
          name: str | None = None, value: Any = None, action: tuple | None = None,
          onchange: Callable | None = None, placeholder: str | None = None,
          required: bool | None = None, readonly: bool | None = None,
          datalist: Sequence[str] | None = None, help_text: str | None = None,
          **other_html_attrs: Any) -> Any:
    """A single-line text field; NUMBER gives ``int``, FLOAT ``float`` (empty: None)."""
    require(type in _INPUT_TYPES, f"input(type={type!r}) is not a known type")
    action_label, action_cb = (action if action is not None else (None, None))
    item = _item(type, label, name, other_html_attrs, {
        "value": None if value is None else str(value), "placeholder": placeholder,
        "required": required, "readonly": readonly, "help_text": help_text,
        "datalist": [str(d) for d in datalist] if datalist is not None else None,
        "action": action_label}, validate=validate, onchange=onchange, action=action_cb)
    return _ask(item)


def textarea(label: str = "", *, rows: int = 6, code: bool | dict | None = None,
             maxlength: int | None = None, minlength: int | None = None,
             validate: Callable | None = None, name: str | None = None, value: str | None = None,
             onchange: Callable | None = None, placeholder: str | None = None,
             required: bool | None = None, readonly: bool | None = None,
             help_text: str | None = None, **other_html_attrs: Any) -> Any:
    """A multi-line text field; ``code`` makes it a monospace code editor."""
    item = _item(TEXTAREA, label, name, other_html_attrs, {
        "rows": rows, "code": True if code or code == {} else None, "maxlength": maxlength,
        "minlength": minlength, "value": value, "placeholder": placeholder, "required": required,
        "readonly": readonly, "help_text": help_text}, validate=validate, onchange=onchange)
    return _ask(item)


def _options(options: Sequence | None, preset: Any, multiple: bool) -> tuple[list[dict], list]:
    """Page options and their Python values from PyWebIO's option forms."""
    require(options is not None, "options are required")
    chosen = (list(preset) if isinstance(preset, (list, tuple)) else [preset]) \
        if preset is not None else []
    shown, values = [], []
    for opt in options:
        if isinstance(opt, dict):
            label, val = opt["label"], opt.get("value", opt["label"])
            selected, disabled = opt.get("selected", False), opt.get("disabled", False)
        elif isinstance(opt, (list, tuple)):
            label, val = opt[0], opt[1]
            selected = opt[2] if len(opt) > 2 else False
            disabled = opt[3] if len(opt) > 3 else False
        else:
            label, val, selected, disabled = opt, opt, False, False
        selected = bool(selected) or (val in chosen)
        shown.append({"label": str(label), "selected": selected, "disabled": bool(disabled)})
        values.append(val)
    if not multiple:  # only one preselected option makes sense
        first = next((o for o in shown if o["selected"]), None)
        for o in shown:
            o["selected"] = o is first
    return shown, values


def select(label: str = "", options: Sequence | None = None, *, multiple: bool | None = None,
           validate: Callable | None = None, name: str | None = None, value: Any = None,
           onchange: Callable | None = None, native: bool = True, required: bool | None = None,
           help_text: str | None = None, **other_html_attrs: Any) -> Any:
    """A drop-down list; returns the chosen option's value (a list with ``multiple``)."""
    shown, values = _options(options, value, bool(multiple))
    item = _item(SELECT, label, name, other_html_attrs, {
        "options": shown, "multiple": multiple, "required": required, "help_text": help_text,
        "native": native}, validate=validate, onchange=onchange, values=values)
    return _ask(item)


def checkbox(label: str = "", options: Sequence | None = None, *, inline: bool | None = None,
             validate: Callable | None = None, name: str | None = None, value: Any = None,
             onchange: Callable | None = None, help_text: str | None = None,
             **other_html_attrs: Any) -> Any:
    """Check boxes; returns the list of checked values."""
    shown, values = _options(options, value, True)
    item = _item(CHECKBOX, label, name, other_html_attrs, {
        "options": shown, "inline": inline, "help_text": help_text},
        validate=validate, onchange=onchange, values=values)
    return _ask(item)


def radio(label: str = "", options: Sequence | None = None, *, inline: bool | None = None,
          validate: Callable | None = None, name: str | None = None, value: Any = None,
          onchange: Callable | None = None, required: bool | None = None,
          help_text: str | None = None, **other_html_attrs: Any) -> Any:
    """Radio buttons; returns the chosen value, or None."""
    shown, values = _options(options, value, False)
    item = _item(RADIO, label, name, other_html_attrs, {
        "options": shown, "inline": inline, "required": required, "help_text": help_text},
        validate=validate, onchange=onchange, values=values)
    return _ask(item)


def actions(label: str = "", buttons: Sequence | None = None, name: str | None = None,
            help_text: str | None = None) -> Any:
    """A row of buttons; returns the value of the one clicked (None when cancelled)."""
    require(buttons is not None, "actions() needs buttons")
    shown, values = [], []
    for b in buttons:
        if isinstance(b, dict):
            entry = {"label": str(b["label"]), "type": b.get("type", "submit"),
                     "disabled": bool(b.get("disabled")), "color": b.get("color")}
            val = b.get("value")
        elif isinstance(b, (list, tuple)):
            entry = {"label": str(b[0]), "type": b[2] if len(b) > 2 else "submit",
                     "disabled": bool(b[3]) if len(b) > 3 else False, "color": None}
            val = b[1]
        else:
            entry = {"label": str(b), "type": "submit", "disabled": False, "color": None}
            val = b
        require(entry["type"] in ("submit", "reset", "cancel"),
                f"actions() button type {entry['type']!r} is not submit, reset or cancel")
        shown.append(entry)
        values.append(val)
    item = _item("actions", label, name, {}, {"buttons": shown, "help_text": help_text},
                 values=values)
    if name is None:
        item.spec["name"] = "data"
        session = current_task().session
        return session.run_flow(_form_flow(session, "", [item], None, False, single=True))
    return item


def slider(label: str = "", *, name: str | None = None, value: int | float = 0,
           min_value: int | float = 0, max_value: int | float = 100, step: int | float = 1,
           validate: Callable | None = None, onchange: Callable | None = None,
           required: bool | None = None, help_text: str | None = None,
           **other_html_attrs: Any) -> Any:
    """A range slider; returns ``int``, or ``float`` when any bound or the value is a float."""
    is_float = any(isinstance(v, float) for v in (value, min_value, max_value))
    item = _item("slider", label, name, other_html_attrs, {
        "value": value, "min": min_value, "max": max_value, "step": "any" if is_float else step,
        "float": is_float, "required": required, "help_text": help_text},
        validate=validate, onchange=onchange)
    return _ask(item)


def _size_text(size: int) -> str:
    for unit, factor in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= factor:
            return f"{size / factor:.3g} {unit}"
    return f"{size} bytes"


def file_upload(label: str = "", accept: str | list[str] | None = None, name: str | None = None,
                placeholder: str = "Choose file", multiple: bool = False,
                max_size: int | str = 0, max_total_size: int | str = 0,
                required: bool | None = None, help_text: str | None = None,
                **other_html_attrs: Any) -> Any:
    """Files from the user's disk: ``{filename, content: bytes, mime_type, last_modified}``, or
    None (a list with ``multiple``). Sizes take bytes or '40K', '3M', '1G'; 0 means the
    server's message limit. The page refuses larger files before sending; the server again."""
    limit = current_task().session.max_message_size
    per_file, total = parse_file_size(max_size), parse_file_size(max_total_size)
    for value, what in ((per_file, "max_size"), (total, "max_total_size")):
        if limit and value > limit:
            raise ArgumentError(f"file_upload({what}={value}) is over the server's limit of "
                             f"{limit} bytes (max_payload_size)")
    if isinstance(accept, (list, tuple)):
        accept = ",".join(accept)
    item = _item(FILE, label, name, other_html_attrs, {
        "accept": accept, "multiple": bool(multiple), "placeholder": placeholder,
        "max_size": per_file or None, "max_total_size": total or None, "required": required,
        "help_text": help_text, "max_message": limit})
    return _ask(item)


def input_group(label: str = "", inputs: Sequence[InputItem] | None = None,
                validate: Callable[[dict], tuple[str, str] | None] | None = None,
                cancelable: bool = False) -> Any:
    """Several named items in one form; returns ``{name: value}`` (None when cancelled)."""
    items = list(inputs or [])
    names: set[str] = set()
    for item in items:
        require(isinstance(item, InputItem) and item.spec.get("name"),
                "input_group() items must be input calls with a name")
        if item.name in names:
            raise ArgumentError(f"duplicate input name {item.name!r} in input_group()")
        names.add(item.name)
    session = current_task().session
    return session.run_flow(_form_flow(session, label, items, validate, cancelable))


_FORBIDDEN_UPDATES = {"action", "buttons", "code", "inline", "max_size", "max_total_size",
                      "multiple", "name", "onchange", "type", "validate"}


def input_update(name: str | None = None, **spec: Any) -> None:
    """Change an item of the form being edited; only inside an ``onchange`` callback."""
    state = _onchange_form.get()
    if state is None:
        raise RuntimeError("input_update() can only be called inside an onchange callback")
    target = name or state.current
    item = state.items.get(target)
    require(item is not None, f"input_update(): no input named {target!r} in this form")
    bad = _FORBIDDEN_UPDATES & spec.keys()
    require(not bad, f"input_update() can not change {', '.join(sorted(bad))}")
    attrs = page_attrs(item, {k: v for k, v in spec.items() if v is not None})
    state.session.send(protocol.form_update(state.flow_id, target, attrs))


def page_attrs(item: InputItem, attrs: dict[str, Any]) -> dict[str, Any]:
    """``attrs`` of an item update as the page takes them (options and chosen values become
    positions); the item's own spec and values follow the update."""
    many = bool(item.spec.get("multiple")) or item.spec["type"] == CHECKBOX
    if "options" in attrs:
        shown, values = _options(attrs["options"], attrs.get("value"), many)
        item.values[:] = values
        attrs["options"] = shown
        attrs.pop("value", None)
    elif "value" in attrs and item.spec["type"] in (SELECT, CHECKBOX, RADIO):
        # The page knows options by position only: send the positions of the given values.
        wanted = attrs["value"] if many and isinstance(attrs["value"], (list, tuple)) \
            else [attrs["value"]]
        positions = [i for i, v in enumerate(item.values) if v in wanted]
        attrs["value"] = positions if many else (positions[0] if positions else None)
    item.spec.update(attrs)
    return attrs
