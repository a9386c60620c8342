"""Where the CLI writes: data on stdout, errors on stderr; JSON never through rich."""

from __future__ import annotations

import os
import sys
from typing import Any

from conv1dexplain.errors import Conv1dExplainError
from conv1dexplain.vocabulary import SCHEMA_VERSION


def write_json(obj: dict[str, Any]) -> None:
    """One JSON object, one line, on stdout."""
    from conv1dexplain import strict_json  # (json costs 5 M instructions to import: the tables do without it)

    sys.stdout.write(strict_json.dumps(obj) + "\n")
    sys.stdout.flush()


def _colour(text: str, code: str, no_color: bool) -> str:
    if no_color or os.environ.get("NO_COLOR") or not sys.stderr.isatty():
        return text
    return f"\x1b[{code}m{text}\x1b[0m"


def write_error(error: Conv1dExplainError, *, as_json: bool, no_color: bool = False) -> None:
    """`error: …` and `hint: …` on stderr, or the same as a JSON object."""
    message = " ".join(error.message.split())
    hint = " ".join(error.hint.split())
    if as_json:
        import json

        payload = {"schema_version": SCHEMA_VERSION, "error": {"code": error.code, "message": message, "hint": hint}}
        sys.stderr.write(json.dumps(payload, ensure_ascii=False) + "\n")
    else:
        sys.stderr.write(f"{_colour('error:', '1;31', no_color)} {message}\n")
        sys.stderr.write(f"{_colour('hint:', '1;33', no_color)} {hint}\n")
    sys.stderr.flush()
