"""Options every command shares (the input, the framework, the output) and the parts the other
option modules build theirs from: Keras names first, PyTorch aliases after. (Each command imports
only the option modules it uses: typer builds an option object per option at import.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer
from typer._click.types import IntParamType, IntRange  # (typer 0.28 vendors click: pinned in pyproject)

from conv1dexplain.vocabulary import FRAMEWORKS, framework_named

SPEC_PANEL = "Layer (Keras names; PyTorch aliases)"


def completer(keras: tuple[str, ...], pytorch: tuple[str, ...]) -> Callable[[typer.Context, str], list[str]]:
    """Complete what the --framework typed so far accepts (Keras' when none is typed yet)."""

    def complete(ctx: typer.Context, incomplete: str) -> list[str]:
        chosen = framework_named(str(ctx.params.get("framework") or "keras")) or "keras"
        values = {"keras": keras, "pytorch": pytorch}[chosen]
        return [v for v in values if v.startswith(incomplete.lower())]

    return complete


_complete_framework = completer(FRAMEWORKS, FRAMEWORKS)
OUTPUT_PANEL = "Output"


class _AsciiDigits(IntParamType):
    """An int written in ASCII digits, as Python and both frameworks' examples write it: int() would
    also take '２' or '٣', which --input refuses (tensor.py) and no code a user pastes holds."""

    def convert(self, value: object, param: Any, ctx: Any) -> Any:
        if isinstance(value, str) and not value.isascii():
            self.fail(f"{value!r} is not a valid int: write it in ASCII digits", param, ctx)
        return super().convert(value, param, ctx)


class _AsciiDigitsRange(_AsciiDigits, IntRange):
    """_AsciiDigits within IntRange's bounds."""


WHOLE = _AsciiDigits()


def whole_at_least(low: int, high: int | None = None) -> IntRange:
    """The click type of an int option from `low` (to `high`), in ASCII digits."""
    return _AsciiDigitsRange(min=low, max=high)


_INPUT = typer.Option(
    "--input",
    "-i",
    metavar="SHAPE",
    rich_help_panel=SPEC_PANEL,
    help="Input shape in the convention's layout: LxC for Keras (e.g. 50x300), CxL for PyTorch "
    "(e.g. 300x50); an optional leading batch: 32x50x300.",
)
InputShapeOpt = Annotated[str, _INPUT]
MaybeInputShapeOpt = Annotated[str | None, _INPUT]
FrameworkOpt = Annotated[
    str,
    typer.Option(
        "--framework",
        "-F",
        rich_help_panel=SPEC_PANEL,
        autocompletion=_complete_framework,
        help="Whose conventions: keras (default; TensorFlow's too) or pytorch. Example: --framework pytorch.",
    ),
]
MaybeFrameworkOpt = Annotated[
    str | None,
    typer.Option(
        "--framework",
        "-F",
        rich_help_panel=SPEC_PANEL,
        autocompletion=_complete_framework,
        help="Whose conventions: keras or pytorch. Default: what the layer names say "
        "(Conv1D: keras, nn.Conv1d: pytorch).",
    ),
]
JsonOpt = Annotated[
    bool,
    typer.Option(
        "--json",
        rich_help_panel=OUTPUT_PANEL,
        help="Write one JSON object to stdout (schema_version 1) instead of tables. Example: --json | jq .output_shape",
    ),
]
NoColorOpt = Annotated[
    bool,
    typer.Option(
        "--no-color", rich_help_panel=OUTPUT_PANEL, help="No colour even on a terminal (NO_COLOR is honoured too)."
    ),
]
DATA_PANEL = "Data and weights"
