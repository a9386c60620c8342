"""`conv1dexplain why`: a framework's shape error explained with its own numbers, and the fix."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from conv1dexplain.cli import options as o
from conv1dexplain.errors import DataError, ExitCode

_CHUNK = 1 << 16


def why(
    error: Annotated[
        str | None,
        typer.Argument(
            metavar="[ERROR]",
            help="The error message (in quotes), or - for stdin; without it, stdin is read (a traceback will do).",
            show_default=False,
        ),
    ] = None,
    json: o.JsonOpt = False,
    no_color: o.NoColorOpt = False,
) -> int:
    """Explain a PyTorch or Keras error about a 1-D layer: what happened, in the message's numbers, and the fix.

    Example: python train.py 2>&1 | conv1dexplain why

    The text may be a whole traceback or log, with colours and wrapped lines; the last known
    message in it is explained (over 1 MB: its last megabyte). Exit code 1 when it holds no error
    conv1dexplain knows.
    """
    from conv1dexplain.diagnose import KNOWN, diagnose
    from conv1dexplain.diagnose.text import MAX_BYTES

    text = _stdin(MAX_BYTES) if error in (None, "-") else error
    report = diagnose(text)
    if json:
        from conv1dexplain.cli.output import write_json

        write_json(report.to_dict())
        return ExitCode.OK if report.recognized else ExitCode.DATA
    if not report.recognized:
        raise DataError("this is not a shape error conv1dexplain knows", f"it knows these messages: {KNOWN}")
    from conv1dexplain.render.console import make_console
    from conv1dexplain.render.diagnosis import render_diagnosis

    render_diagnosis(report, make_console(no_color=no_color))
    return ExitCode.OK


def _stdin(limit: int) -> str:
    """stdin's text: its last `limit` bytes (a traceback ends with its error), refused if binary."""
    if sys.stdin.isatty():
        raise DataError(
            "no error given and stdin is the terminal",
            "give the message in quotes, or pipe it in: python train.py 2>&1 | conv1dexplain why",
        )
    kept = b""
    stream = sys.stdin.buffer
    while chunk := stream.read(_CHUNK):
        kept = (kept + chunk)[-limit:]
    if b"\x00" in kept:
        raise DataError("stdin holds binary data, not an error message", "pipe in the text the program printed")
    return kept.decode("utf-8", errors="replace")
