"""JSON text that every parser reads: inf and NaN, which JSON has no numbers for, are written as null."""

from __future__ import annotations

import json
import math
from typing import Any


def dumps(obj: Any) -> str:
    """json.dumps, with each non-finite float as null (Python's own `NaN`/`Infinity` are not JSON)."""
    try:
        return json.dumps(obj, ensure_ascii=False, allow_nan=False)
    except ValueError:  # only for out-of-range floats: walk the object once, then write it
        return json.dumps(_finite(obj), ensure_ascii=False, allow_nan=False)


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
