"""Every message of the wire protocol, both ways (see docs/protocol.md).

Commands (server -> page) are built by the small constructors below so the rest of the code never
spells a message by hand; events (page -> server) are validated by :func:`parse_event` before a
session sees them. Transports only move the JSON text produced and consumed here.
"""
from __future__ import annotations

import json
from typing import Any

__all__ = ["ProtocolError", "encode_frame", "parse_event", "parse_events", "validate_event",
           "EVENT_FIELDS"]


class ProtocolError(ValueError):
    """An incoming message is not valid JSON or not a known, well-formed event."""


def encode_frame(commands: list[dict[str, Any]]) -> str:
    """One frame is a JSON array of commands, applied by the page in order."""
    return json.dumps(commands, ensure_ascii=False, separators=(",", ":"), default=str)


# event name -> {field: accepted types}; a field set to None may be any JSON value.
EVENT_FIELDS: dict[str, dict[str, tuple[type, ...] | None]] = {
    "callback": {"id": (str,), "data": None},
    "input": {"task": (str,), "name": (str,), "trigger": (str,), "value": None},
    "submit": {"task": (str,), "data": (dict,)},
    "cancel": {"task": (str,)},
    "js_result": {"task": (str,), "data": None},
    "pin_value": {"task": (str,), "data": None},  # the answer to a pin_value command
    "pin_change": {"name": (str,), "value": None},  # the user edited a pin widget
    "ack": {"frames": (int,)},  # reconnectable sessions: frames the page has applied so far
}
INPUT_TRIGGERS = {"change", "blur", "action"}
# Fields that may be left out (they default to null).
OPTIONAL_FIELDS = {("callback", "data"), ("js_result", "data"), ("input", "value"),
                   ("pin_value", "data"), ("pin_change", "value")}


def parse_event(text: str | bytes, max_size: int | None = None) -> dict[str, Any]:
    """Decode and validate one event; raise ProtocolError with a message fit for the log."""
    return validate_event(_decode(text, max_size))


def parse_events(text: str | bytes, max_size: int | None = None) -> list[dict[str, Any]]:
    """Decode and validate a JSON array of events (the HTTP transport's batches): all or none."""
    events = _decode(text, max_size)
    if not isinstance(events, list):
        raise ProtocolError("a batch of events must be a JSON array")
    parsed = []
    for index, event in enumerate(events):
        try:
            parsed.append(validate_event(event))
        except ProtocolError as exc:
            raise ProtocolError(f"event {index}: {exc}") from None
    return parsed


def _decode(text: str | bytes, max_size: int | None) -> Any:
    if max_size is not None and len(text) > max_size:
        raise ProtocolError(f"message of {len(text)} bytes is over the limit of {max_size}")
    try:
        return json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError(f"not JSON: {exc}") from None


def validate_event(event: Any) -> dict[str, Any]:
    """Check one decoded event (a dict with a known ``event`` and its fields); fill defaults."""
    if not isinstance(event, dict):
        raise ProtocolError("an event must be a JSON object")
    name = event.get("event")
    fields = EVENT_FIELDS.get(name) if isinstance(name, str) else None
    if fields is None:
        raise ProtocolError(f"unknown event {name!r}")
    for field, types in fields.items():
        if field not in event:
            if (name, field) in OPTIONAL_FIELDS:
                event[field] = None
                continue
            raise ProtocolError(f"event {name!r} lacks field {field!r}")
        if types is not None and not isinstance(event[field], types):
            raise ProtocolError(f"event {name!r}: field {field!r} has the wrong type")
    if name == "input" and event["trigger"] not in INPUT_TRIGGERS:
        raise ProtocolError(f"unknown input trigger {event['trigger']!r}")
    return event


# ---- commands -------------------------------------------------------------------------------

def output(spec: dict, scope: str, position: int) -> dict:
    return {"cmd": "output", "spec": spec, "scope": scope, "position": position}


def set_scope(name: str, container: str, position: int, if_exist: str | None) -> dict:
    return {"cmd": "set_scope", "name": name, "container": container, "position": position,
            "if_exist": if_exist}


def clear(scope: str, keep_height: bool = False) -> dict:
    return {"cmd": "clear", "scope": scope, "keep_height": keep_height}


def loose(scope: str) -> dict:
    return {"cmd": "loose", "scope": scope}


def remove(scope: str) -> dict:
    return {"cmd": "remove", "scope": scope}


def scroll_to(scope: str, position: str) -> dict:
    return {"cmd": "scroll_to", "scope": scope, "position": position}


def form(task: str, spec: dict) -> dict:
    return {"cmd": "form", "task": task, "spec": spec}


def form_update(task: str, name: str, attrs: dict) -> dict:
    return {"cmd": "form_update", "task": task, "name": name, "attrs": attrs}


def form_remove(task: str) -> dict:
    return {"cmd": "form_remove", "task": task}


def run_js(code: str, args: dict, task: str | None = None) -> dict:
    return {"cmd": "run_js", "code": code, "args": args, "task": task}


def set_env(env: dict) -> dict:
    return {"cmd": "set_env", "env": env}


def go_app(name: str, new_window: bool) -> dict:
    return {"cmd": "go_app", "name": name, "new_window": new_window}


def download(name: str, data_b64: str) -> dict:
    return {"cmd": "download", "name": name, "data": data_b64}


def toast(content: str, duration_ms: int, position: str, color: str,
          callback: str | None) -> dict:
    return {"cmd": "toast", "content": content, "duration": duration_ms, "position": position,
            "color": color, "callback": callback}


def popup(title: str, contents: list, size: str, implicit_close: bool, closable: bool,
          slot: str) -> dict:
    return {"cmd": "popup", "title": title, "contents": contents, "size": size,
            "implicit_close": implicit_close, "closable": closable, "slot": slot}


def close_popup() -> dict:
    return {"cmd": "close_popup"}


def set_progressbar(name: str, value: float | None, label: str) -> dict:
    return {"cmd": "set_progressbar", "name": name, "value": value, "label": label}


def close() -> dict:
    return {"cmd": "close"}


def set_session(session_id: str, reconnect_timeout: float) -> dict:
    """The page may reconnect to this session for ``reconnect_timeout`` seconds."""
    return {"cmd": "set_session", "id": session_id, "timeout": reconnect_timeout}


def error(message: str) -> dict:
    return {"cmd": "error", "message": message}


def datatable(instance: str, op: str, fields: dict) -> dict:
    """Change the rows of datatable ``instance``: op replace / update_row / update_cell /
    insert / remove."""
    return {"cmd": "datatable", "instance": instance, "op": op, **fields}
