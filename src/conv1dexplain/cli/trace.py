"""`conv1dexplain trace`: the sliding window step by step, with real numbers."""

from typing import Annotated

import typer

from conv1dexplain.cli import data_options as do
from conv1dexplain.cli import layer_options as lo
from conv1dexplain.cli import options as o
from conv1dexplain.vocabulary import DEFAULT_MAX_BYTES

TRACE_PANEL = "Trace"

# trace's own --data and --json texts: it steps through one example, and writes JSON Lines.
DataOpt = Annotated[
    str | None,
    typer.Option(
        "--data",
        metavar="FILE",
        rich_help_panel=o.DATA_PANEL,
        help="Input values: .npy (memory-mapped), .csv/.tsv, .json nested lists, or - for stdin "
        "(format sniffed). In the framework's layout: one example as (L, C) — (C, L) in "
        "channels_first or PyTorch — since trace steps through one example, or a batch (pick "
        "it with --example). Example: --data x.npy",
    ),
]
JsonLinesOpt = Annotated[
    bool,
    typer.Option(
        "--json",
        rich_help_panel=o.OUTPUT_PANEL,
        help='Write JSON Lines to stdout (schema_version 1), not one object: a "type": "layer" line, '
        'then one "type": "window" line per step, written as computed. '
        "Example: --json | jq -c 'select(.type == \"window\") | .output'",
    ),
]


def trace(
    data: DataOpt = None,
    input_shape: o.MaybeInputShapeOpt = None,
    filters: lo.MaybeFiltersOpt = None,
    kernel_size: lo.MaybeKernelSizeOpt = None,
    strides: lo.StridesOpt = 1,
    padding: lo.PaddingOpt = "valid",
    dilation_rate: lo.DilationOpt = 1,
    groups: lo.GroupsOpt = 1,
    use_bias: lo.UseBiasOpt = True,
    activation: lo.ActivationOpt = None,
    data_format: lo.DataFormatOpt = None,
    framework: o.FrameworkOpt = "keras",
    padding_mode: lo.PaddingModeOpt = "zeros",
    kernel: do.KernelFileOpt = None,
    bias: do.BiasFileOpt = None,
    seed: do.RandomSeedOpt = 0,
    dtype: do.DtypeOpt = None,
    max_bytes: do.MaxBytesOpt = DEFAULT_MAX_BYTES,
    example: Annotated[
        int,
        typer.Option(
            "--example",
            click_type=o.WHOLE,
            rich_help_panel=TRACE_PANEL,
            help="Which example of a batch to trace. Example: --example 3.",
        ),
    ] = 0,
    filter_index: Annotated[
        int | None,
        typer.Option(
            "--filter",
            click_type=o.WHOLE,
            rich_help_panel=TRACE_PANEL,
            help="Show this filter's arithmetic, and only its output in JSON. Example: --filter 1.",
        ),
    ] = None,
    steps: Annotated[
        str | None,
        typer.Option(
            "--steps",
            metavar="START:STOP",
            rich_help_panel=TRACE_PANEL,
            help="Output positions to show, Python-slice style. Example: --steps 0:5, --steps -3:.",
        ),
    ] = None,
    compact: Annotated[
        bool, typer.Option("--compact", rich_help_panel=TRACE_PANEL, help="One line per step, for long sequences.")
    ] = False,
    precision: Annotated[
        int,
        typer.Option(
            "--precision",
            click_type=o.whole_at_least(0, 17),
            rich_help_panel=TRACE_PANEL,
            help="Decimals shown, 0 to 17. Example: --precision 5.",
        ),
    ] = 3,
    interactive: Annotated[
        bool | None,
        typer.Option(
            "--interactive/--no-interactive",
            rich_help_panel=TRACE_PANEL,
            help="Step with the keys (the default in a terminal without --json): → space n l Enter next,"
            " ← p h previous, PgDn / PgUp 10 on / back, Home g / End G first / last, f / F next / previous filter,"
            " a number then Enter goes to that output position, q or Esc quits.",
        ),
    ] = None,
    json: JsonLinesOpt = False,
    no_color: o.NoColorOpt = False,
) -> None:
    """Step the window along one example: the positions it reads, the products, the sum, the output.

    Example: conv1dexplain trace --input 10x3 --filters 2 --kernel-size 3 --padding same --seed 0

    Piped, --json streams JSON Lines: a "layer" line, then one "window" line per step.
    """
    import sys

    from conv1dexplain.errors import UsageError

    terminal = sys.stdin.isatty() and sys.stdout.isatty()
    if interactive and (json or not terminal):
        raise UsageError(
            "--interactive needs a terminal on stdin and stdout" + (" and no --json" if json else ""),
            "run it in a terminal, or drop --interactive (use --compact or --json when piping)",
        )
    live = interactive if interactive is not None else (terminal and not json)
    from conv1dexplain.layer_arguments import LayerArguments
    from conv1dexplain.runner import RunRequest, prepare
    from conv1dexplain.trace import Tracer
    from conv1dexplain.trace_steps import Selection, check_filter, parse_steps

    ready = prepare(
        RunRequest(
            layer=LayerArguments(
                framework=framework,
                data_format=data_format,
                filters=filters,
                kernel_size=kernel_size,
                strides=strides,
                padding=padding,
                dilation_rate=dilation_rate,
                groups=groups,
                use_bias=use_bias,
                activation=activation,
                padding_mode=padding_mode,
            ),
            data_file=data,
            input_shape=input_shape,
            seed=seed,
            kernel=kernel,
            bias=bias,
            dtype=dtype,
            max_bytes=max_bytes,
        ),
        lazy=not live,
    )
    tracer = Tracer(ready, example=example, random_access=live)
    start, stop = parse_steps(steps, tracer.output_length)
    output_channels = ready.plan.output_shape[-1 if ready.plan.config.data_format == "channels_last" else 1]
    assert output_channels is not None
    check_filter(filter_index, output_channels)
    selection = Selection(example, start, stop, filter_index)
    if json:
        from conv1dexplain.cli.trace_json import stream

        stream(ready, tracer, selection)
        return
    from conv1dexplain.render.trace_page import Page, show

    code = show(ready, tracer, selection, Page(precision, compact, live, no_color))
    if code:
        raise typer.Exit(code)
