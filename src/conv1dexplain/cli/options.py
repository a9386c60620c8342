"""Options shared by the commands: Keras names first, PyTorch aliases after."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer
from typer._click.types import IntParamType, IntRange  # (typer 0.28 vendors click: pinned in pyproject)

from conv1dexplain.vocabulary import (
    DATA_FORMATS,
    FRAMEWORKS,
    KERAS_ACTIVATIONS,
    KERAS_PADDINGS,
    PADDING_MODES,
    TORCH_PADDING_STRINGS,
    framework_named,
)

SPEC_PANEL = "Layer (Keras names; PyTorch aliases)"


def _completer(keras: tuple[str, ...], pytorch: tuple[str, ...]) -> Callable[[typer.Context, str], list[str]]:
    """Complete what the --framework typed so far accepts (Keras' when none is typed yet)."""

    def complete(ctx: typer.Context, incomplete: str) -> list[str]:
        chosen = framework_named(str(ctx.params.get("framework") or "keras")) or "keras"
        values = {"keras": keras, "pytorch": pytorch}[chosen]
        return [v for v in values if v.startswith(incomplete.lower())]

    return complete


# nn.Conv1d has no activation, no data_format but its own (N, C, L), no causal padding; Keras pads with zeros only.
_complete_padding = _completer(KERAS_PADDINGS, TORCH_PADDING_STRINGS)
_complete_activation = _completer(KERAS_ACTIVATIONS, ())
_complete_data_format = _completer(DATA_FORMATS, ("channels_first",))
_complete_padding_mode = _completer(("zeros",), PADDING_MODES)
_complete_framework = _completer(FRAMEWORKS, FRAMEWORKS)
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
_FILTERS = typer.Option(
    "--filters",
    "-f",
    "--out-channels",
    click_type=WHOLE,
    rich_help_panel=SPEC_PANEL,
    help="Number of filters = output channels (PyTorch: out_channels). Example: -f 100.",
)
_KERNEL_SIZE = typer.Option(
    "--kernel-size",
    "-k",
    click_type=WHOLE,
    rich_help_panel=SPEC_PANEL,
    help="Positions each filter reads at a time (it always spans all channels). Example: -k 4.",
)
InputShapeOpt = Annotated[str, _INPUT]
FiltersOpt = Annotated[int, _FILTERS]
KernelSizeOpt = Annotated[int, _KERNEL_SIZE]
MaybeInputShapeOpt = Annotated[str | None, _INPUT]
MaybeFiltersOpt = Annotated[int | None, _FILTERS]
MaybeKernelSizeOpt = Annotated[int | None, _KERNEL_SIZE]
StridesOpt = Annotated[
    int,
    typer.Option(
        "--strides",
        "--stride",
        "-s",
        click_type=WHOLE,
        rich_help_panel=SPEC_PANEL,
        help="Step between window positions (PyTorch: stride). Example: -s 2.",
    ),
]
_PADDING = typer.Option(
    "--padding",
    "-p",
    rich_help_panel=SPEC_PANEL,
    autocompletion=_complete_padding,
    help="Keras: valid, same or causal (any case). PyTorch: valid, same, an int per side, "
    "or L,R (F.pad(x, (L, R)) first). Example: --padding same.",
)
PaddingOpt = Annotated[str, _PADDING]
MaybePaddingOpt = Annotated[str | None, _PADDING]
DilationOpt = Annotated[
    int,
    typer.Option(
        "--dilation-rate",
        "--dilation",
        "-d",
        click_type=WHOLE,
        rich_help_panel=SPEC_PANEL,
        help="Step between the positions a window reads, 1 = adjacent (PyTorch: dilation). Example: -d 2.",
    ),
]
GroupsOpt = Annotated[
    int,
    typer.Option(
        "--groups",
        "-g",
        click_type=WHOLE,
        rich_help_panel=SPEC_PANEL,
        help="Split channels into groups, each with its own filters; = channels for depthwise. Example: -g 4.",
    ),
]
UseBiasOpt = Annotated[
    bool,
    typer.Option(
        "--use-bias/--no-bias",
        rich_help_panel=SPEC_PANEL,
        help="Add one bias per filter (PyTorch: bias=True). Example: --no-bias.",
    ),
]
ActivationOpt = Annotated[
    str | None,
    typer.Option(
        "--activation",
        "-a",
        rich_help_panel=SPEC_PANEL,
        autocompletion=_complete_activation,
        help="Keras activation by name, e.g. relu (Keras only; nn.Conv1d has none).",
    ),
]
DataFormatOpt = Annotated[
    str | None,
    typer.Option(
        "--data-format",
        rich_help_panel=SPEC_PANEL,
        autocompletion=_complete_data_format,
        help="Keras: channels_last (N, L, C, the default) or channels_first (N, C, L).",
    ),
]
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
PaddingModeOpt = Annotated[
    str,
    typer.Option(
        "--padding-mode",
        rich_help_panel=SPEC_PANEL,
        autocompletion=_complete_padding_mode,
        help="PyTorch: zeros (default), reflect, replicate or circular.",
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
SeedOpt = Annotated[
    int,
    typer.Option(
        "--seed",
        click_type=whole_at_least(0),
        rich_help_panel=OUTPUT_PANEL,
        help="Seed of the random example the NumPy check convolves. Example: --seed 1.",
    ),
]

DATA_PANEL = "Data and weights"
DataOpt = Annotated[
    str | None,
    typer.Option(
        "--data",
        metavar="FILE",
        rich_help_panel=DATA_PANEL,
        help="Input values: .npy (memory-mapped), .csv/.tsv, .json nested lists, or - for stdin "
        "(format sniffed). In the framework's layout. Example: --data x.npy",
    ),
]
KernelFileOpt = Annotated[
    str | None,
    typer.Option(
        "--kernel",
        "--weight",
        metavar="FILE",
        rich_help_panel=DATA_PANEL,
        help="Kernel in the framework's layout: Keras (k, C/groups, F), PyTorch weight (F, C/groups, k). "
        "Default: drawn like the framework's initializer.",
    ),
]
BiasFileOpt = Annotated[
    str | None,
    typer.Option("--bias", metavar="FILE", rich_help_panel=DATA_PANEL, help="Bias, one value per filter."),
]
RandomSeedOpt = Annotated[
    int,
    typer.Option(
        "--seed",
        click_type=whole_at_least(0),
        rich_help_panel=DATA_PANEL,
        help="Seed of the random data (with --input) and of drawn weights. Example: --seed 0.",
    ),
]
OutputFileOpt = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        rich_help_panel=OUTPUT_PANEL,
        help="Write the output: .npy (filled chunk by chunk), .csv/.tsv (2-D), .json, or - for JSON "
        "on stdout. Same rank and layout as the input.",
    ),
]
DtypeOpt = Annotated[
    str | None,
    typer.Option(
        "--dtype",
        rich_help_panel=DATA_PANEL,
        autocompletion=lambda: ["float32", "float64"],
        help="float32 (default) or float64 (default with .npy data when it or a .npy weight file is float64).",
    ),
]
MaxBytesOpt = Annotated[
    int,
    typer.Option(
        "--max-bytes",
        click_type=whole_at_least(1),
        rich_help_panel=DATA_PANEL,
        help="Refuse inputs, and outputs held in memory, larger than this many bytes.",
    ),
]
