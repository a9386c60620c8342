"""`conv1dexplain explore`: one layer on the full screen, changed a key at a time."""

from conv1dexplain.cli import layer_options as lo
from conv1dexplain.cli import options as o


def explore(
    input_shape: o.MaybeInputShapeOpt = None,
    filters: lo.MaybeFiltersOpt = None,
    kernel_size: lo.MaybeKernelSizeOpt = None,
    strides: lo.StridesOpt = 1,
    padding: lo.MaybePaddingOpt = None,
    dilation_rate: lo.DilationOpt = 1,
    groups: lo.GroupsOpt = 1,
    use_bias: lo.UseBiasOpt = True,
    framework: o.FrameworkOpt = "keras",
    no_color: o.NoColorOpt = False,
) -> None:
    """Change any setting with a key and watch the layer change: shapes, padding, the window.

    Example: conv1dexplain explore --input 12x3 -f 2 -k 3 --padding causal

    Without options it starts on the classic layer: 50 × 300 input, 100 filters, kernel_size 4,
    'same'. Keys: k/K kernel_size, s/S strides, d/D dilation, p padding, f/F filters, l/L length,
    c/C channels, g/G groups, b bias, t the other framework, ← → the window, ? all keys, q quits.
    On exit the layer's `conv1dexplain shape` command is printed.
    """
    import sys

    from conv1dexplain.errors import UsageError

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(
            "explore needs a terminal on stdin and stdout",
            "run it in a terminal; to print or pipe a layer use conv1dexplain shape (or trace) with the same options",
        )
    from conv1dexplain.explore.knobs import Knobs, start

    classic = input_shape is None and filters is None and kernel_size is None  # the classic layer
    knobs = start(
        framework,
        input_shape or "",
        filters=Knobs._field_defaults["filters"] if filters is None else filters,
        kernel_size=Knobs._field_defaults["kernel_size"] if kernel_size is None else kernel_size,
        strides=strides,
        padding=padding or ("same" if classic else "valid"),
        dilation=dilation_rate,
        groups=groups,
        use_bias=use_bias,
    )
    from conv1dexplain.render.explore_loop import Terminated
    from conv1dexplain.render.explore_loop import explore as run

    try:
        final = run(knobs, no_color)
    except Terminated as ended:  # (the terminal is back as it was; nothing to print)
        raise SystemExit(128 + ended.signum) from None
    from conv1dexplain.explore.knobs import command_line

    sys.stdout.write(command_line(final) + "\n")
