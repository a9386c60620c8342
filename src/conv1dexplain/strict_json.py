"""JSON text that every parser reads: inf and NaN, which JSON has no numbers for, are written as null."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any


def dumps(obj: Any) -> str:
    """json.dumps(obj, ensure_ascii=False, allow_nan=False), with each non-finite float as null
    (Python's own `NaN`/`Infinity` are not JSON)."""
    write = _writer()
    try:
        return write(obj)
    except ValueError:  # only for out-of-range floats: walk the object once, then write it
        return write(_finite(obj))


@functools.cache
def _writer() -> Callable[[Any], str]:
    """CPython's C encoder, the one json.dumps itself calls (json/encoder.py's c_make_encoder), made
    without importing json: its decoder compiles regexes at import, 5 M instructions, a twentieth
    of `model --json`'s time over typer's. Where it is missing or takes other arguments, json.dumps."""
    try:
        from _json import encode_basestring, make_encoder

        encode = make_encoder(None, _unknown, encode_basestring, None, ": ", ", ", False, False, False)
        encode({"check": [1, 2.5, None, True, "é"]}, 0)
    except (ImportError, TypeError):
        import json

        return functools.partial(json.dumps, ensure_ascii=False, allow_nan=False)
    return lambda obj: "".join(encode(obj, 0))


def _unknown(obj: Any) -> Any:
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")  # (json's words)


def number(value: float) -> str:
    """One float as JSON: repr when finite, else null."""
    return repr(value) if math.isfinite(value) else "null"


def _finite(obj: Any) -> Any:
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {key: _finite(value) for key, value in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(value) for value in obj]
    return obj
