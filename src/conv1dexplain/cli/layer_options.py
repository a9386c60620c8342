"""The layer's options (shape, run, trace, explore): Keras names first, PyTorch aliases after."""

from __future__ import annotations

from typing import Annotated

import typer

from conv1dexplain.cli.options import OUTPUT_PANEL, SPEC_PANEL, WHOLE, completer, whole_at_least
from conv1dexplain.vocabulary import (
    DATA_FORMATS,
    KERAS_ACTIVATIONS,
    KERAS_PADDINGS,
    PADDING_MODES,
    TORCH_PADDING_STRINGS,
)

# nn.Conv1d has no activation, no data_format but its own (N, C, L), no causal padding; Keras pads with zeros only.
_complete_padding = completer(KERAS_PADDINGS, TORCH_PADDING_STRINGS)
_complete_activation = completer(KERAS_ACTIVATIONS, ())
_complete_data_format = completer(DATA_FORMATS, ("channels_first",))
_complete_padding_mode = completer(("zeros",), PADDING_MODES)
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
FiltersOpt = Annotated[int, _FILTERS]
KernelSizeOpt = Annotated[int, _KERNEL_SIZE]
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
PaddingModeOpt = Annotated[
    str,
    typer.Option(
        "--padding-mode",
        rich_help_panel=SPEC_PANEL,
        autocompletion=_complete_padding_mode,
        help="PyTorch: zeros (default), reflect, replicate or circular.",
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
