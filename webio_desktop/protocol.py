"""Every message of the wire protocol, both ways (see docs/protocol.md).

Commands (server -> page) are built by the small constructors below so the rest of the code never
spells a message by hand; events (page -> server) are validated by :func:`parse_event` before a
session sees them. Transports only move the JSON text produced and consumed here.
"""
from __future__ import annotations

import json
from typing import Any

__all__ = ["ProtocolError", "encode_frame", "parse_event", "parse_events", "parse_resume",
           "validate_event", "EVENT_FIELDS"]


class ProtocolError(ValueError):
    """An incoming message is not valid JSON or not a known, well-formed event."""


CLIP = 80  # characters of a page's value shown in a log line or an error answer


def clip(value: Any, limit: int = CLIP) -> str:
    """``repr(value)``, cut to about ``limit`` characters with the full length noted: what a
    page sent is logged and echoed this way, so a 4 MB id never makes a 4 MB log line."""
    if isinstance(value, (str, bytes)) and len(value) > limit:
        return f"{value[:limit]!r}... ({len(value)} long)"
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} long)"


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
    "pin_values": {"task": (str,), "data": (dict,)},  # the answer to a pin_values command
    "pin_change": {"name": (str,), "value": None},  # the user edited a pin widget
    "ack": {"frames": (int,)},  # reconnectable sessions: frames the page has applied so far
}
INPUT_TRIGGERS = {"change", "blur", "action"}
# Fields that may be left out (they default to null).
OPTIONAL_FIELDS = {("callback", "data"), ("js_result", "data"), ("input", "value"),
                   ("pin_change", "value")}


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


# How deeply arrays and objects may nest in a message from the page. Real events nest a few
# levels (a submit's file list, a run_js result); thousands of levels made json.loads raise
# RecursionError, and anything that walks the value recursively later would too.
MAX_DEPTH = 64


def _decode(text: str | bytes, max_size: int | None) -> Any:
    if max_size is not None and len(text) > max_size:
        raise ProtocolError(f"message of {len(text)} bytes is over the limit of {max_size}")
    try:
        value = json.loads(text)
    except RecursionError:
        raise ProtocolError(f"nested more than {MAX_DEPTH} levels deep") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError(f"not JSON: {exc}") from None
    _check_depth(value)
    return value


def _check_depth(value: Any) -> None:
    """ProtocolError when arrays/objects nest deeper than MAX_DEPTH (checked without recursion,
    so the check itself can not overflow the stack)."""
    if not isinstance(value, (dict, list)):
        return
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        for child in children:
            if isinstance(child, (dict, list)):
                if depth >= MAX_DEPTH:
                    raise ProtocolError(f"nested more than {MAX_DEPTH} levels deep")
                stack.append((child, depth + 1))


def parse_resume(text: str | bytes) -> tuple[str, int]:
    """The first message of a socket opened with ``?resume=1``: ``{"event": "resume",
    "token": T, "frames": K}`` (K = frames the page applied). ``(token, frames)``, or
    ProtocolError. Not an event of EVENT_FIELDS: on an open session it is refused."""
    message = _decode(text, RESUME_MAX_SIZE)
    if not (isinstance(message, dict) and message.get("event") == "resume"
            and isinstance(message.get("token"), str) and isinstance(message.get("frames"), int)
            and not isinstance(message.get("frames"), bool) and message["frames"] >= 0):
        raise ProtocolError("a resuming socket's first message must be "
                            '{"event": "resume", "token": ..., "frames": N}')
    return message["token"], message["frames"]


RESUME_MAX_SIZE = 1024  # a token and a number


def validate_event(event: Any) -> dict[str, Any]:
    """Check one decoded event (a dict with a known ``event`` and its fields); fill defaults."""
    if not isinstance(event, dict):
        raise ProtocolError("an event must be a JSON object")
    name = event.get("event")
    fields = EVENT_FIELDS.get(name) if isinstance(name, str) else None
    if fields is None:
        raise ProtocolError(f"unknown event {clip(name)}")
    for field, types in fields.items():
        if field not in event:
            if (name, field) in OPTIONAL_FIELDS:
                event[field] = None
                continue
            raise ProtocolError(f"event {name!r} lacks field {field!r}")  # names are known
        if types is not None and not isinstance(event[field], types):
            raise ProtocolError(f"event {name!r}: field {field!r} has the wrong type")
    if name == "input" and event["trigger"] not in INPUT_TRIGGERS:
        raise ProtocolError(f"unknown input trigger {clip(event['trigger'])}")
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


def pin_values(names: list[str], task: str) -> dict:
    """Ask for the raw values of the named pin widgets; the page answers a ``pin_values`` event
    (``pin.name`` asks for one name, ``get_pin_values`` for several)."""
    return {"cmd": "pin_values", "names": names, "task": task}


def pin_update(name: str, attrs: dict) -> dict:
    """Change pin widget ``name`` as ``form_update`` changes a form item."""
    return {"cmd": "pin_update", "name": name, "attrs": attrs}


def set_progressbar(name: str, value: float | None, label: str) -> dict:
    return {"cmd": "set_progressbar", "name": name, "value": value, "label": label}


def close() -> dict:
    return {"cmd": "close"}


def set_session(token: str, reconnect_timeout: float) -> dict:
    """The page may reconnect to this session for ``reconnect_timeout`` seconds, naming it by
    ``token``: a secret only this page holds (never the session id the logs show, never in a
    URL), sent back in the reconnecting socket's first message (:func:`parse_resume`)."""
    return {"cmd": "set_session", "token": token, "timeout": reconnect_timeout}


def error(message: str) -> dict:
    return {"cmd": "error", "message": message}


def datatable(instance: str, op: str, fields: dict) -> dict:
    """Change the rows of datatable ``instance``: op replace / update_row / update_cell /
    insert / remove."""
    return {"cmd": "datatable", "instance": instance, "op": op, **fields}


# ---- flow events: made by the server itself to wake a waiting flow, never sent by the page ------
# (parse_event refuses them from the wire: they are not in EVENT_FIELDS, or lack a task there).

def pin_change_event(task: str, name: str, value: Any) -> dict:
    """For the ``pin_wait_change`` flow ``task``: pin widget ``name`` now holds ``value`` (the
    Python value, converted from the page's ``pin_change``)."""
    return {"event": "pin_change", "task": task, "name": name, "value": value}


def pin_timeout_event(task: str) -> dict:
    """For the ``pin_wait_change`` flow ``task``: its ``timeout`` passed with no change."""
    return {"event": "pin_timeout", "task": task}
