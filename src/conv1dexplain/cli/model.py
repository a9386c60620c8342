"""`conv1dexplain model`: a whole 1-D model from a layer list or pasted Keras / PyTorch code."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from conv1dexplain.cli import options as o
from conv1dexplain.errors import DataError, ExitCode


def model(
    source: Annotated[
        str,
        typer.Argument(
            metavar="SOURCE",
            help="The model: layer calls in quotes, a .py file holding its code, or - for stdin.",
            show_default=False,
        ),
    ],
    input_shape: o.MaybeInputShapeOpt = None,
    framework: o.MaybeFrameworkOpt = None,
    json: o.JsonOpt = False,
    no_color: o.NoColorOpt = False,
) -> int:
    """Show a whole model: each layer's output shape, parameters, MACs, window and receptive field.

    Example: conv1dexplain model "Embedding(5000, 300), Dropout(0.2), Conv1D(100, 4, padding='same')" --input 50

    --input is in the first layer's terms without the batch (an Embedding: the length, 500; a
    Conv1D: LxC, 50x300; PyTorch: CxL), optionally with a leading batch; the code's Input(shape=…)
    is used when --input is not given. The code is read, never run. MACs are per example and leave
    the bias out. Exit code 2 when the framework would refuse a layer (the JSON still has the
    layers up to it, and "error").
    """
    from conv1dexplain.modeling import from_text

    report = from_text(_read(source), input_shape, framework, voice="model_cli")
    if json:
        from conv1dexplain.cli.output import write_json

        write_json(report.to_dict())
    else:
        from conv1dexplain.render.console import make_console
        from conv1dexplain.render.model import render_model

        render_model(report, make_console(no_color=no_color))
    return ExitCode.USAGE if report.error is not None else ExitCode.OK


def _read(source: str) -> str:
    """The model's code: read no more of a file or stdin than read_model takes (MAX_BYTES)."""
    from conv1dexplain.modelcode import MAX_BYTES

    if source == "-":
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        return _decode(data, "stdin", MAX_BYTES)
    if "(" not in source and not source.strip().startswith(("[", "{")):
        path = Path(source)
        if not path.is_file():
            raise DataError(
                f"{source!r} is neither a file nor layer calls",
                'give a .py file that exists, - for stdin, or layer calls in quotes: "Conv1D(100, 4)"',
            )
        with path.open("rb") as handle:
            return _decode(handle.read(MAX_BYTES + 1), source, MAX_BYTES)
    return source


def _decode(data: bytes, where: str, limit: int) -> str:
    if len(data) > limit:
        raise DataError(f"{where} holds over {limit >> 20} MB", "give the file with the model alone")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DataError(
            f"{where} is not UTF-8 text (byte {error.start}): is it a binary file?", "give the model's Python code"
        ) from None
