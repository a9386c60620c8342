"""`conv1dexplain shape`: one layer's shapes, parameters and padding, confirmed by NumPy."""

from conv1dexplain.cli import layer_options as lo
from conv1dexplain.cli import options as o


def shape(
    input_shape: o.InputShapeOpt,
    filters: lo.FiltersOpt,
    kernel_size: lo.KernelSizeOpt,
    strides: lo.StridesOpt = 1,
    padding: lo.PaddingOpt = "valid",
    dilation_rate: lo.DilationOpt = 1,
    groups: lo.GroupsOpt = 1,
    use_bias: lo.UseBiasOpt = True,
    activation: lo.ActivationOpt = None,
    data_format: lo.DataFormatOpt = None,
    framework: o.FrameworkOpt = "keras",
    padding_mode: lo.PaddingModeOpt = "zeros",
    seed: lo.SeedOpt = 0,
    json: o.JsonOpt = False,
    no_color: o.NoColorOpt = False,
) -> None:
    """Show one Conv1D layer: output shape, kernel, parameters, padding, MACs, and why.

    Example: conv1dexplain shape --input 50x300 --filters 100 --kernel-size 4 --padding same

    MACs are per example and leave the bias out; FLOPs = 2 × MACs.
    """
    from conv1dexplain.layers import conv1d
    from conv1dexplain.report.shape import build_shape_report

    plan = conv1d.build(
        framework,
        input_shape,
        filters=filters,
        kernel_size=kernel_size,
        strides=strides,
        padding=padding,
        dilation_rate=dilation_rate,
        groups=groups,
        use_bias=use_bias,
        activation=activation,
        data_format=data_format,
        padding_mode=padding_mode,
    )
    from conv1dexplain.check import check_plan  # numpy: only once the spec is valid

    report = build_shape_report(plan, check_plan(plan, seed=seed))
    if json:
        from conv1dexplain.cli.output import write_json

        write_json(report.to_dict())
        return
    from conv1dexplain.render.console import make_console
    from conv1dexplain.render.shape import render_shape

    render_shape(report, make_console(no_color=no_color))
