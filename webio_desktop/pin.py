"""Pin widgets: input fields that live among the outputs and keep their value (PyWebIO's ``pin``).

A pin widget is an output whose content is a form item (built by the input functions, so it
looks and converts values exactly like ``input()``, ``select()``...). The page reports every user
edit as a ``pin_change`` event; reading ``pin.name`` asks the page for the current value. Both
reads and waits are flows, so in coroutine sessions they are ordinary awaitables.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from typing import Any

from . import input as _input
from . import protocol
from .exceptions import ArgumentError, require
from .output import Output, _callback
from .sessions.core import Session, current_task, is_introspection

__all__ = ["put_input", "put_textarea", "put_select", "put_checkbox", "put_radio", "put_slider",
           "put_actions", "put_file_upload", "pin", "pin_update", "pin_wait_change", "pin_on_change",
           "get_pin_values", "Pin"]

_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


def _pin_output(item: _input.InputItem, scope: str | None, position: int) -> Output:
    name = item.spec["name"]
    if not isinstance(name, str) or not _NAME.match(name):
        raise ArgumentError(f"pin name {name!r}: use letters, digits, '-' and '_' only")
    # The newest widget of a name is the one its value comes from (and is converted by).
    current_task().session.pins[name] = item
    return Output({"type": "pin", "item": item.spec}, scope=scope, position=position)


def put_input(name: str, type: str = "text", *, label: str = "", value: str | None = None,
              placeholder: str | None = None, readonly: bool | None = None,
              datalist: Sequence[str] | None = None, help_text: str | None = None,
              scope: str | None = None, position: int = -1) -> Output:
    """A text field among the outputs; ``pin[name]`` is its value (typed like ``input()``)."""
    item = _input.input(label, type, name=name, value=value, placeholder=placeholder,
                        readonly=readonly, datalist=datalist, help_text=help_text)
    return _pin_output(item, scope, position)


def put_textarea(name: str, *, label: str = "", rows: int = 6, code: bool | dict | None = None,
                 maxlength: int | None = None, minlength: int | None = None,
                 value: str | None = None, placeholder: str | None = None,
                 readonly: bool | None = None, help_text: str | None = None,
                 scope: str | None = None, position: int = -1) -> Output:
    item = _input.textarea(label, rows=rows, code=code, maxlength=maxlength,
                           minlength=minlength, name=name, value=value, placeholder=placeholder,
                           readonly=readonly, help_text=help_text)
    return _pin_output(item, scope, position)


def put_select(name: str, options: Sequence | None = None, *, label: str = "",
               multiple: bool | None = None, value: Any = None, native: bool | None = None,
               help_text: str | None = None, scope: str | None = None,
               position: int = -1) -> Output:
    """A drop-down; ``native`` is accepted for compatibility (ours is always the native one)."""
    item = _input.select(label, options, multiple=multiple, name=name, value=value,
                         help_text=help_text)
    return _pin_output(item, scope, position)


def put_checkbox(name: str, options: Sequence | None = None, *, label: str = "",
                 inline: bool | None = None, value: Any = None, help_text: str | None = None,
                 scope: str | None = None, position: int = -1) -> Output:
    item = _input.checkbox(label, options, inline=inline, name=name, value=value,
                           help_text=help_text)
    return _pin_output(item, scope, position)


def put_radio(name: str, options: Sequence | None = None, *, label: str = "",
              inline: bool | None = None, value: Any = None, help_text: str | None = None,
              scope: str | None = None, position: int = -1) -> Output:
    item = _input.radio(label, options, inline=inline, name=name, value=value,
                        help_text=help_text)
    return _pin_output(item, scope, position)


def put_slider(name: str, *, label: str = "", value: int | float = 0, min_value: int | float = 0,
               max_value: int | float = 100, step: int | float = 1, required: bool | None = None,
               help_text: str | None = None, scope: str | None = None,
               position: int = -1) -> Output:
    item = _input.slider(label, name=name, value=value, min_value=min_value,
                         max_value=max_value, step=step, required=required, help_text=help_text)
    return _pin_output(item, scope, position)


def put_actions(name: str, *, label: str = "", buttons: Sequence | None = None,
                help_text: str | None = None, scope: str | None = None,
                position: int = -1) -> Output:
    """Buttons whose last click is the value (submit-type buttons only, as in PyWebIO)."""
    item = _input.actions(label, buttons, name=name, help_text=help_text)
    kinds = {b.get("type", "submit") for b in item.spec.get("buttons", [])}
    require(kinds <= {"submit"}, "put_actions() takes submit-type buttons only")
    return _pin_output(item, scope, position)


def put_file_upload(name: str, *, label: str = "", accept: str | list[str] | None = None,
                    placeholder: str = "Choose file", multiple: bool = False,
                    max_size: int | str = 0, max_total_size: int | str = 0,
                    help_text: str | None = None, scope: str | None = None,
                    position: int = -1) -> Output:
    """A file picker; its value is shaped like ``file_upload()``'s (a dict, a list with
    ``multiple``, None before a choice). Files are read when the value is read or changes."""
    item = _input.file_upload(label, accept=accept, name=name, placeholder=placeholder,
                              multiple=multiple, max_size=max_size,
                              max_total_size=max_total_size, help_text=help_text)
    return _pin_output(item, scope, position)


# ---- reading, writing, waiting -----------------------------------------------------------------

def _item(session: Session, name: str) -> _input.InputItem | None:
    return session.pins.get(name)


def _values_flow(session: Session, names: list[str], flow_id: str):
    """Ask the page for the named widgets' values; {name: Python value} of those it has."""
    session.send(protocol.pin_values(names, flow_id))
    event = yield
    while event["event"] != "pin_values":
        event = yield
    return {name: session.pin_value(name, raw) for name, raw in event["data"].items()
            if name in names}


def _read(name: str) -> Any:
    session = current_task().session

    def flow(flow_id: str):
        values = yield from _values_flow(session, [name], flow_id)
        return values.get(name)

    return session.run_flow(flow)


def get_pin_values(names: list[str]) -> dict[str, Any]:
    """The values of several pin widgets in one round trip to the page (``await`` it in
    coroutine sessions): ``{name: value}``; names with no widget on the page are left out.

    :param names: the widgets' names (a list or another iterable of strings, not one string).
    """
    require(not isinstance(names, str),
            f"get_pin_values() takes a list of names, not the string {names!r}")
    names = list(names)
    session = current_task().session
    return session.run_flow(lambda flow_id: _values_flow(session, names, flow_id))


def pin_update(name: str, **spec: Any) -> None:
    """Change a pin widget's attributes (``value``, ``label``, ``options``, ``help_text``,
    ``placeholder``, ``readonly``, ``valid_status``...); the rules of ``input_update``."""
    session = current_task().session
    bad = _input._FORBIDDEN_UPDATES & spec.keys()
    require(not bad, f"pin_update() can not change {', '.join(sorted(bad))}")
    item = _item(session, name)
    attrs = {k: v for k, v in spec.items() if v is not None}
    if item is not None:
        attrs = _input.page_attrs(item, attrs)
    session.send(protocol.pin_update(name, attrs))


class Pin:
    """``pin.name`` / ``pin['name']`` read a widget's value from the page (``await`` it in
    coroutine sessions); assigning sets it. Unknown names read as None (``use_strict()``:
    ArgumentError, an AssertionError as in PyWebIO)."""

    _strict = False  # use_strict(): reading an unknown name is an error (for every session)

    def use_strict(self) -> None:
        Pin._strict = True

    def _check(self, name: str) -> None:
        if self._strict:
            require(name in current_task().session.pins, f"no pin widget named {name!r}")

    def __getattr__(self, name: str) -> Any:
        if is_introspection(name):
            raise AttributeError(name)
        self._check(name)
        return _read(name)

    def __getitem__(self, name: str) -> Any:
        self._check(name)
        return _read(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("__"):
            raise AttributeError(name)
        pin_update(name, value=value)

    def __setitem__(self, name: str, value: Any) -> None:
        self.__setattr__(name, value)


pin = Pin()


def pin_wait_change(*names: str, timeout: float | None = None) -> Any:
    """Wait until the user changes one of the named widgets: ``{'name': n, 'value': v}``, or
    None after ``timeout`` seconds. Changes made from Python do not count."""
    if len(names) == 1 and isinstance(names[0], (list, tuple)):
        names = tuple(names[0])
    require(names, "pin_wait_change() needs at least one name")
    session = current_task().session
    wanted = set(names)

    def flow(flow_id: str):
        session.pin_waiters[flow_id] = wanted
        timer = None
        if timeout is not None:
            timer = threading.Timer(timeout, session.notify_flow,
                                    args=(flow_id, protocol.pin_timeout_event(flow_id)))
            timer.daemon = True
            timer.start()
        try:
            event = yield
            while event["event"] not in ("pin_change", "pin_timeout"):
                event = yield
        finally:
            session.pin_waiters.pop(flow_id, None)
            if timer is not None:
                timer.cancel()
        if event["event"] == "pin_timeout":
            return None
        return {"name": event["name"], "value": event["value"]}

    return session.run_flow(flow)


def pin_on_change(name: str, onchange: Callable[[Any], Any] | None = None, clear: bool = False,
                  init_run: bool = False, **callback_options: Any) -> None:
    """Call ``onchange(value)`` on every user edit of widget ``name`` (several run in order;
    ``clear=True`` drops the earlier ones; ``init_run`` calls it once now)."""
    require(onchange is not None or clear, "pin_on_change() needs onchange, or clear=True")
    session = current_task().session
    callbacks = session.pin_callbacks.setdefault(name, [])
    if clear:
        callbacks.clear()
    if onchange is None:
        return
    callbacks.append(_callback(onchange, **callback_options))
    if init_run:
        value = _read(name)
        if hasattr(value, "__await__"):  # coroutine session: run once the value is there
            async def first() -> None:
                result = onchange(await value)
                if hasattr(result, "__await__"):
                    await result
            session.run_async(first())
        else:
            onchange(value)
