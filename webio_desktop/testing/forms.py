"""Form items of the simulated page: what ``static/forms.js`` keeps in the DOM, as Python state.

A :class:`Field` holds an item's spec, its current raw value (the value the page would send:
strings for text fields, option indexes for choices, see docs/protocol.md) and its validation
state. Forms (``input()``, ``input_group()``) and pin widgets share it, as they share the item
builders in the front end.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from ..input import _size_text as size_text  # the server words sizes as the page does

TEXTUAL = {"text", "password", "url", "number", "float", "date", "time", "datetime-local",
           "color", "email", "search", "tel"}
FEEDBACK_KEYS = {"valid_status", "valid_feedback", "invalid_feedback"}
# form_update keys applied in place; any other key rebuilds the item (forms.js LIVE_KEYS).
LIVE_KEYS = FEEDBACK_KEYS | {"value", "readonly", "disabled", "placeholder", "label", "help_text",
                             "required", "auto_focus", "onchange", "onblur"}
CHOICES = {"select", "checkbox", "radio"}


class ActionError(AssertionError):
    """The simulated user can not do what the test asked (no such field, disabled...)."""


@dataclass
class UploadFile:
    """A file the user picks: ``name`` and ``content``; ``mime_type`` as a browser guesses."""

    name: str
    content: bytes
    mime_type: str = ""
    last_modified: float = 0.0

    def as_event(self) -> dict:
        return {"filename": self.name, "size": len(self.content), "mime_type": self.mime_type,
                "last_modified": self.last_modified,
                "content": base64.b64encode(self.content).decode()}


def _indexes(value: Any) -> list[int]:
    items = value if isinstance(value, list) else ([] if value is None else [value])
    return [int(v) for v in items]


class Field:
    """One form item (or pin widget) as the page holds it."""

    def __init__(self, spec: dict, form: "Form | None" = None) -> None:
        self.spec = dict(spec)
        self.form = form
        self.validity: dict[str, Any] = {}
        self.files: list[UploadFile] = []
        self.clicked: int | None = None  # pin actions: the last button clicked
        self._build()

    def _build(self) -> None:
        """What building the item does: its value (and what Reset returns to) from the spec."""
        self.raw = self.default = self._initial()
        self.files = []

    def _initial(self) -> Any:
        spec, kind = self.spec, self.type
        options = spec.get("options") or []
        if kind == "select":
            chosen = [i for i, o in enumerate(options) if o.get("selected")]
            if spec.get("multiple"):
                return chosen
            if chosen:
                return chosen[-1]
            # A drop-down shows its first usable option when none is marked selected.
            return next((i for i, o in enumerate(options) if not o.get("disabled")), None)
        if kind == "checkbox":
            return [i for i, o in enumerate(options) if o.get("selected")]
        if kind == "radio":
            return next((i for i, o in enumerate(options) if o.get("selected")), None)
        if kind == "slider":
            value = spec.get("value", spec.get("min", 0))
            return float(value if value is not None else 0)
        if kind in ("actions", "file"):
            return None
        value = spec.get("value")
        return "" if value is None else str(value)

    # -- what the user sees -------------------------------------------------------------------
    @property
    def type(self) -> str:
        return self.spec.get("type", "text")

    @property
    def name(self) -> str:
        return self.spec.get("name") or ""

    @property
    def label(self) -> str:
        return self.spec.get("label") or ""

    @property
    def options(self) -> list[str]:
        """The labels of the options (select, checkbox, radio) or buttons (actions)."""
        if self.type == "actions":
            return [b.get("label", "") for b in self.spec.get("buttons") or []]
        return [o.get("label", "") for o in self.spec.get("options") or []]

    @property
    def message(self) -> str:
        """The message under the field: the validation error, or the valid feedback."""
        status = self.validity.get("valid_status")
        if status is False:
            return self.validity.get("invalid_feedback") or ""
        if status is True:
            return self.validity.get("valid_feedback") or ""
        return ""

    @property
    def invalid(self) -> bool:
        return self.validity.get("valid_status") is False

    @property
    def disabled(self) -> bool:
        return bool(self.spec.get("disabled")) or (
            bool(self.spec.get("readonly")) and self.type not in TEXTUAL | {"textarea"})

    @property
    def readonly(self) -> bool:
        return bool(self.spec.get("readonly"))

    @property
    def value(self) -> Any:
        """The value as the user reads it: text, the chosen option label(s), a number, files."""
        kind = self.type
        labels = self.options
        if kind == "select" and not self.spec.get("multiple") or kind == "radio":
            return labels[self.raw] if isinstance(self.raw, int) and self.raw < len(labels) \
                else None
        if kind in CHOICES:
            return [labels[i] for i in self.raw if i < len(labels)]
        if kind == "slider":
            return int(self.raw) if float(self.raw).is_integer() else self.raw
        if kind == "file":
            return [f.name for f in self.files]
        if kind == "actions":
            return None
        return self.raw

    @property
    def visible_text(self) -> str:
        lines = [self.label]
        kind = self.type
        if kind in ("checkbox", "radio", "actions"):
            lines += self.options
        elif kind == "select":
            shown = self.value
            lines.append(", ".join(shown) if isinstance(shown, list) else (shown or ""))
        elif kind == "file":
            lines.append(", ".join(f.name for f in self.files))
        elif kind == "slider":
            lines.append(str(self.value))
        elif self.spec.get("action") is not None:
            lines.append(str(self.spec["action"]))
        for extra in (self.spec.get("help_text"), self.message):
            if extra:
                lines.append(str(extra))
        return "\n".join(line for line in lines if line)

    # -- what the page sends ------------------------------------------------------------------
    def raw_value(self) -> Any:
        """The value the page puts in events (docs/protocol.md: "value sent on submit")."""
        if self.type == "file":
            return [f.as_event() for f in self.files]
        if self.type == "slider":
            return int(self.raw) if float(self.raw).is_integer() else self.raw
        if self.type == "actions":
            return self.clicked
        return list(self.raw) if isinstance(self.raw, list) else self.raw

    # -- changes from the server --------------------------------------------------------------
    def set_value(self, value: Any) -> None:
        """``setValue`` of the item builders: a form_update / pin_update ``value``."""
        kind = self.type
        if kind in ("select", "checkbox", "radio"):
            count = len(self.spec.get("options") or [])
            wanted = sorted({i for i in _indexes(value) if 0 <= i < count})
            if kind == "checkbox" or (kind == "select" and self.spec.get("multiple")):
                self.raw = wanted
            elif kind == "radio":
                self.raw = wanted[-1] if wanted else None
            else:
                self.raw = wanted[-1] if wanted else None
        elif kind == "slider":
            self.raw = float(value or 0)
        elif kind == "file":
            self.files = []
        elif kind != "actions":
            self.raw = "" if value is None else str(value)

    def update(self, attrs: dict) -> None:
        """Apply a form_update / pin_update (``applyUpdate`` in forms.js)."""
        rebuild = any(key not in LIVE_KEYS for key in attrs)
        for key, value in attrs.items():
            if key not in FEEDBACK_KEYS:
                self.spec[key] = value
        if rebuild:
            keep = None if ("options" in attrs or "value" in attrs) else self.raw_value()
            validity = self.validity
            self._build()
            if keep is not None and self.type not in ("file", "actions"):
                self.set_value(keep)
            self.validity = validity
        if "value" in attrs:
            self.set_value(attrs["value"])
        feedback = {k: v for k, v in attrs.items() if k in FEEDBACK_KEYS}
        if feedback:
            self.validity = {**self.validity, **feedback}

    def reset(self) -> None:
        """The form's Reset button: back to the value the item was built with."""
        self.raw = list(self.default) if isinstance(self.default, list) else self.default
        self.files = []

    # -- changes by the user ------------------------------------------------------------------
    def check_editable(self) -> None:
        if self.form is not None and self.form.busy:
            raise ActionError(f"the form is waiting for the server; can not edit "
                              f"{self.describe()}")
        if self.disabled:
            raise ActionError(f"{self.describe()} is disabled")
        if self.readonly:
            raise ActionError(f"{self.describe()} is read-only")

    def type_text(self, value: Any) -> None:
        kind = self.type
        if kind not in TEXTUAL | {"textarea", "slider"}:
            raise ActionError(f"{self.describe()} is a {kind} field: use choose()/check()/upload()")
        self.check_editable()
        text = "" if value is None else str(value)
        if kind in ("number", "float"):
            try:
                float(text)
            except ValueError:
                text = ""  # a number field keeps no text that is not a number
        if kind == "slider":
            self.raw = self._clamp(float(text or 0))
        else:
            self.raw = text

    def _clamp(self, number: float) -> float:
        low = float(self.spec.get("min", 0) or 0)
        high = float(self.spec.get("max", 100) if self.spec.get("max") is not None else 100)
        return min(max(number, low), high)

    def choose(self, labels: list[str], *, exact: bool = True) -> None:
        """Select exactly these options (by label)."""
        kind = self.type
        if kind not in CHOICES:
            raise ActionError(f"{self.describe()} has no options (it is a {kind} field)")
        self.check_editable()
        indexes = [self.option_index(label) for label in labels]
        multiple = kind == "checkbox" or bool(self.spec.get("multiple"))
        if not multiple and len(indexes) != 1:
            raise ActionError(f"{self.describe()} takes one choice, not {len(indexes)}")
        self.raw = sorted(set(indexes)) if multiple else indexes[0]

    def toggle(self, label: str, on: bool) -> None:
        if self.type != "checkbox":
            raise ActionError(f"{self.describe()} is not a checkbox field")
        self.check_editable()
        index = self.option_index(label)
        chosen = set(self.raw)
        chosen.add(index) if on else chosen.discard(index)
        self.raw = sorted(chosen)

    def option_index(self, label: Any) -> int:
        options = self.spec.get("options") or []
        labels = [o.get("label", "") for o in options]
        text = str(label)
        if text not in labels:
            raise ActionError(f"{self.describe()} has no option {text!r}; its options: {labels}")
        index = labels.index(text)
        if options[index].get("disabled"):
            raise ActionError(f"option {text!r} of {self.describe()} is disabled")
        return index

    def choose_files(self, files: list[UploadFile]) -> None:
        if self.type != "file":
            raise ActionError(f"{self.describe()} is not a file field")
        self.check_editable()
        if len(files) > 1 and not self.spec.get("multiple"):
            raise ActionError(f"{self.describe()} takes one file")
        self.files = list(files)
        # The page refuses at once what it can not send (fileProblem in forms.js).
        problem = self.file_problem()
        if problem:
            self.files = []
        self.validity = {"valid_status": False, "invalid_feedback": problem} if problem else {}

    def file_problem(self) -> str | None:
        spec, files = self.spec, self.files
        max_size = spec.get("max_size")
        big = next((f for f in files if max_size and len(f.content) > max_size), None)
        if big is not None:
            return f"{big.name} is larger than {size_text(max_size)}."
        total = sum(len(f.content) for f in files)
        if spec.get("max_total_size") and total > spec["max_total_size"]:
            return f"The files are larger than {size_text(spec['max_total_size'])} together."
        if spec.get("max_message") and total * 4 / 3 + 1024 > spec["max_message"]:
            return (f"The files are larger than this server accepts "
                    f"({size_text(spec['max_message'] * 3 // 4)}).")
        return None

    def describe(self) -> str:
        return f"field {self.label or self.name!r}"

    def __repr__(self) -> str:
        return f"<Field {self.type} {self.label or self.name!r} = {self.value!r}>"


@dataclass
class Button:
    """A button of a form: the Submit/Reset/Cancel bar or an ``actions`` item's buttons."""

    label: str
    kind: str  # submit, reset, cancel
    disabled: bool = False
    field: Field | None = None  # the actions item it belongs to
    index: int | None = None


@dataclass
class Form:
    """One form of the stack (``form`` command); only the newest is shown."""

    task: str
    spec: dict
    fields: dict[str, Field] = field(default_factory=dict)
    busy: bool = False

    @classmethod
    def build(cls, task: str, spec: dict) -> "Form":
        form = cls(task, spec)
        for item in spec.get("inputs") or []:
            form.fields[item.get("name") or ""] = Field(item, form)
        return form

    @property
    def label(self) -> str:
        return self.spec.get("label") or ""

    @property
    def buttons(self) -> list[Button]:
        result = []
        for item in self.fields.values():
            if item.type == "actions":
                for index, b in enumerate(item.spec.get("buttons") or []):
                    result.append(Button(b.get("label", ""), b.get("type") or "submit",
                                         bool(b.get("disabled")) or bool(item.spec.get("disabled")),
                                         item, index))
        if self.spec.get("buttons"):
            result += [Button("Submit", "submit"), Button("Reset", "reset")]
            if self.spec.get("cancelable"):
                result.append(Button("Cancel", "cancel"))
        return result

    @property
    def visible_text(self) -> str:
        parts = [self.label]
        parts += [f.visible_text for f in self.fields.values()]
        if self.spec.get("buttons"):
            parts.append(" ".join(b.label for b in self.buttons if b.field is None))
        return "\n".join(p for p in parts if p)

    def submit_data(self, submitter: Button | None) -> dict:
        data = {}
        for name, item in self.fields.items():
            if item.type == "actions":
                data[name] = submitter.index if submitter is not None and \
                    submitter.field is item else None
            else:
                data[name] = item.raw_value()
        return data
