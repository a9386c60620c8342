"""`conv1dexplain run`: the real convolution on your data (or seeded random data), written out."""

from conv1dexplain.cli import data_options as do
from conv1dexplain.cli import layer_options as lo
from conv1dexplain.cli import options as o
from conv1dexplain.vocabulary import DEFAULT_MAX_BYTES


def run(
    data: do.DataOpt = None,
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
    output: do.OutputFileOpt = None,
    json: o.JsonOpt = False,
    no_color: o.NoColorOpt = False,
) -> None:
    """Run one Conv1D layer on real numbers and write the output.

    Example: conv1dexplain run --data x.npy --filters 100 --kernel-size 4 --padding same --output out.npy

    Without --data, --input SHAPE draws seeded random data; without --kernel, weights are drawn like
    the framework's default initializer (Keras: glorot_uniform and zero bias; PyTorch: kaiming_uniform).
    With --framework pytorch, --padding 1,2 pads 1 before and 2 after: F.pad(x, (1, 2)) then padding=0.
    """
    from conv1dexplain.layer_arguments import LayerArguments
    from conv1dexplain.runner import RunRequest, execute

    layer = LayerArguments(
        framework=framework,
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
    request = RunRequest(
        layer=layer,
        data_file=data,
        input_shape=input_shape,
        seed=seed,
        kernel=kernel,
        bias=bias,
        output=output,
        dtype=dtype,
        max_bytes=max_bytes,
    )
    report = execute(request)
    if json or output == "-":
        from conv1dexplain.cli.output import write_json

        write_json(report.to_dict())
        return
    from conv1dexplain.render.console import make_console
    from conv1dexplain.render.run import render_run

    render_run(report, make_console(no_color=no_color))
