"""The diagnosis of a framework's error: what a recognised message says (its numbers, our words,
the causes and the fixes, each fix machine-readable and as code in the user's framework); the
single source of `why`'s view and its JSON."""

from __future__ import annotations

from typing import Any, NamedTuple

SCHEMA_VERSION = 1


class Fix(NamedTuple):
    """One step that makes the failing call run: `kind` and its fields, the code, and what the
    layer then gives (None when the message does not tell)."""

    kind: str
    fields: dict[str, Any]
    code: str
    then: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **self.fields, "code": self.code, "then": self.then}


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
