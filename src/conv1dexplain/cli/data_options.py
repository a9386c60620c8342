"""The options of data and weights files (run, trace)."""

from __future__ import annotations

from typing import Annotated

import typer

from conv1dexplain.cli.options import DATA_PANEL, OUTPUT_PANEL, whole_at_least

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
