"""The diagnosis of a framework's error: what a recognised message says (its numbers, our words,
the causes and the fixes, each fix machine-readable and as code in the user's framework); the
single source of `why`'s view and its JSON."""

from __future__ import annotations

from typing import Any

from conv1dexplain.records import NamedTuple

SCHEMA_VERSION = 1


class Check(NamedTuple):
    """A fix tried on the user's model (`why model.py`): what the failing layer then gives, and
    whether every later layer takes it."""

    layer_output: tuple[int | None, ...] | None  # None: the layer still refuses
    model_output: tuple[int | None, ...] | None  # None: a layer refuses (stops_at)
    stops_at: str | None  # "layer 4: linear (Linear)"
    error: str | None  # what that layer's framework would say, in our words

    def to_dict(self) -> dict[str, Any]:
        return {
            "runs": self.model_output is not None,
            "layer_output_shape": None if self.layer_output is None else list(self.layer_output),
            "output_shape": None if self.model_output is None else list(self.model_output),
            "stops_at": self.stops_at,
            "error": self.error,
        }


class Fix(NamedTuple):
    """One step that makes the failing call run: `kind` and its fields, the code, and what the
    layer then gives (None when the message does not tell; exact when checked on the model)."""

    kind: str
    fields: dict[str, Any]
    code: str
    then: str | None = None
    check: Check | None = None  # with the model's code

    def to_dict(self) -> dict[str, Any]:
        check = None if self.check is None else self.check.to_dict()
        return {"kind": self.kind, **self.fields, "code": self.code, "then": self.then, "checked": check}


class Finding(NamedTuple):
    """A recognised message."""

    framework: str  # "pytorch" or "keras"
    error_kind: str  # e.g. "input_channels", "input_rank", "input_too_short"
    message: str  # the message as found in the text
    wording: str  # which wording: the framework versions that print it
    numbers: dict[str, Any]
    explanation: str
    causes: tuple[str, ...]  # most likely first
    fixes: tuple[Fix, ...]  # most likely first
    layer: str | None = None  # the failing layer, when the text names it


class Diagnosis(NamedTuple):
    """Whether a known message was found, and what it says."""

    recognized: bool
    finding: Finding | None

    def to_dict(self) -> dict[str, Any]:
        """`why --json`: every key present (null when not recognized)."""
        found = self.finding
        return {
            "type": "diagnosis",
            "schema_version": SCHEMA_VERSION,
            "recognized": self.recognized,
            "framework": None if found is None else found.framework,
            "error_kind": None if found is None else found.error_kind,
            "message": None if found is None else found.message,
            "wording": None if found is None else found.wording,
            "numbers": {} if found is None else found.numbers,
            "explanation": None if found is None else found.explanation,
            "causes": [] if found is None else list(found.causes),
            "fixes": [] if found is None else [fix.to_dict() for fix in found.fixes],
            "layer": None if found is None else found.layer,
        }
