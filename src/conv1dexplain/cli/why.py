"""`conv1dexplain why`: a framework's shape error explained with its own numbers, and the fix."""

import sys
from pathlib import Path
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
            help="The error message (in quotes), or - for stdin, or the model's .py file (the error then on stdin: "
            "the layer is named); without it, stdin is read (a traceback will do).",
            show_default=False,
        ),
    ] = None,
    json: o.JsonOpt = False,
    no_color: o.NoColorOpt = False,
) -> int:
    """Explain a PyTorch or Keras error about a 1-D layer: what happened, in the message's numbers, and the fix.

    Example: conv1dexplain why "RuntimeError: mat1 and mat2 shapes cannot be multiplied (1x1280 and 640x1)"

    A whole log works too: python train.py 2>&1 | conv1dexplain why. With the model's code,
    conv1dexplain why model.py < error.txt names the layer the error is about.

    The text may be a whole traceback or log, with colours and wrapped lines; the last known
    message in it is explained (over 1 MB: its last megabyte). Exit code 1 when it holds no error
    conv1dexplain knows.
    """
    from conv1dexplain.diagnose import KNOWN, diagnose, with_model
    from conv1dexplain.diagnose.text import MAX_BYTES

    model_code = _model_file(error)
    text = _stdin(MAX_BYTES) if error in (None, "-") or model_code is not None else error
    if not text.strip():
        raise DataError("no error text given: it is empty", "paste the error, or pipe in what the program printed")
    report = diagnose(text)
    if model_code is not None and report.finding is not None:
        from conv1dexplain.errors import SpecError

        try:
            report = report._replace(finding=with_model(report.finding, model_code))
        except SpecError as unread:  # (the diagnosis stands; the layer is not named)
            sys.stderr.write(f"warning: {error} was not read ({unread.message}): the layer is not named\n")
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


def _model_file(argument: str | None) -> str | None:
    """The model's code when the argument is a .py file (then the error comes on stdin)."""
    if argument is None or not argument.endswith(".py") or any(space in argument for space in " \n\t"):
        return None
    path = Path(argument)
    if not path.is_file():
        raise DataError(
            f"there is no file {argument}",
            "give the model's .py file (the error then on stdin), or the error message itself in quotes",
        )
    from conv1dexplain.modelcode import MAX_BYTES as MODEL_BYTES

    with path.open("rb") as handle:
        data = handle.read(MODEL_BYTES + 1)
    if len(data) > MODEL_BYTES:
        raise DataError(f"{argument} holds over {MODEL_BYTES >> 20} MB", "give the file with the model alone")
    return data.decode("utf-8", errors="replace")


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
    if kept[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16, as PowerShell's > writes a file
        return kept.decode("utf-16", errors="replace")
    if b"\x00" in kept:
        raise DataError("stdin holds binary data, not an error message", "pipe in the text the program printed")
    return kept.decode("utf-8", errors="replace")
