"""The layer as code: in its own framework (one expression), and in the other framework (code that
runs there as printed, its shapes, the permutes).

The code is statements: modules first (the convolution is always `conv`, so its weights can be set),
then one line `y = …` that reads `x` in the other framework's own layout (Keras: channels_last,
PyTorch: (N, C, L)). Everything the layer does is in it: padding of every kind, stride, dilation,
groups, bias, activation. tests/test_ports.py runs every line in the real frameworks.
"""

from __future__ import annotations

from collections.abc import Callable

from conv1dexplain.layers.conv1d import Conv1DPlan
from conv1dexplain.records import record
from conv1dexplain.tensor import Shape, fmt_shape

# A Keras activation as PyTorch code: {y} is the convolution's output, {dim} the axis Keras' last
# axis becomes in PyTorch's layout (Keras' own default arguments: leaky_relu 0.2, shrinks 0.5).
TORCH_ACTIVATIONS = {
    "linear": "{y}",
    "relu": "torch.relu({y})",
    "relu6": "F.relu6({y})",
    "leaky_relu": "F.leaky_relu({y}, 0.2)",
    "sigmoid": "torch.sigmoid({y})",
    "tanh": "torch.tanh({y})",
    "softmax": "torch.softmax({y}, dim={dim})",
    "log_softmax": "torch.log_softmax({y}, dim={dim})",
    "gelu": "F.gelu({y})",
    "silu": "F.silu({y})",
    "swish": "F.silu({y})",
    "elu": "F.elu({y})",
    "selu": "F.selu({y})",
    "celu": "F.celu({y})",
    "softplus": "F.softplus({y})",
    "softsign": "F.softsign({y})",
    "hard_sigmoid": "F.hardsigmoid({y})",
    "hard_silu": "F.hardswish({y})",
    "hard_swish": "F.hardswish({y})",
    "hard_tanh": "F.hardtanh({y})",
    "hard_shrink": "F.hardshrink({y}, 0.5)",
    "soft_shrink": "F.softshrink({y}, 0.5)",
    "tanh_shrink": "F.tanhshrink({y})",
    "exponential": "torch.exp({y})",
    "log_sigmoid": "F.logsigmoid({y})",
    "mish": "F.mish({y})",
    "sparse_plus": "(lambda z: torch.where(z <= -1, 0.0, torch.where(z < 1, (z + 1) ** 2 / 4, z)))({y})",
    "sparse_sigmoid": "torch.clamp(({y} + 1) / 2, 0, 1)",
    "squareplus": "(lambda z: (z + torch.sqrt(z * z + 4)) / 2)({y})",
    "glu": "F.glu({y}, dim={dim})",
    "sparsemax": "sparsemax({y}, dim={dim})",
}
# PyTorch has no sparsemax: Keras' own computation (3.x, torch backend), along any axis; its tau
# sums the cumulative sums over the support, as conv1dexplain.activations does (oracle-tested).
SPARSEMAX = """def sparsemax(z, dim):  # as Keras computes it (PyTorch has none)
    s = z.sort(dim, descending=True).values
    c = s.cumsum(dim)
    r = torch.arange(1, z.shape[dim] + 1).view([-1 if i == dim % z.ndim else 1 for i in range(z.ndim)])
    support = s - (c - 1) / r > 0
    tau = ((c * support).sum(dim, keepdim=True) - 1) / support.sum(dim, keepdim=True)
    return torch.clamp(z - tau, min=0)"""


@record(frozen=True)
class Port:
    """The other framework's code for this layer and the shapes it takes and gives."""

    framework: str
    code: str
    input_shape: Shape
    output_shape: Shape
    layout: str  # how to get there and back: the permutes, or none


def _swapped(shape: Shape) -> Shape:
    return (shape[0], shape[2], shape[1])


def port(plan: Conv1DPlan) -> Port:
    """The layer in the framework the plan is not written for."""
    return _PORTS[plan.convention.name](plan)


def _to_torch(plan: Conv1DPlan) -> Port:
    spec, axis = plan.config, plan.axis
    permute = spec.data_format == "channels_last"
    left, right = axis.pad_left, axis.pad_right
    pad_arg: str | None
    pre: str | None
    if spec.padding == "same" and spec.strides == 1:
        pad_arg, pre = '"same"', None  # PyTorch's own 'same' gives Keras' split at stride 1
    elif left == right:
        pad_arg, pre = (str(left) if left else None), None
    else:
        pad_arg, pre = None, f"F.pad(x, {fmt_shape((left, right))})"  # Keras' uneven split: no int does it
    args = [f"in_channels={plan.input_channels}", f"out_channels={spec.filters}", f"kernel_size={spec.kernel_size}"]
    args += [f"stride={spec.strides}"] * (spec.strides != 1)
    args += [f"padding={pad_arg}"] * (pad_arg is not None)
    args += [f"dilation={spec.dilation_rate}"] * (spec.dilation_rate != 1)
    args += [f"groups={spec.groups}"] * (spec.groups != 1)
    args += ["bias=False"] * (not spec.use_bias)
    lines = [SPARSEMAX] if spec.activation == "sparsemax" else []
    lines.append(f"conv = nn.Conv1d({', '.join(args)})")
    out = f"conv({pre or 'x'})"
    if spec.activation is not None:
        # Keras' activation runs over its last axis: channels in channels_last, length in channels_first.
        out = TORCH_ACTIVATIONS[spec.activation].format(y=out, dim=1 if permute else -1)
    lines.append(f"y = {out}")
    torch_in = _swapped(plan.input_shape) if permute else plan.input_shape
    torch_out = _swapped(plan.output_shape) if permute else plan.output_shape
    if permute:
        layout = (
            f"x: {fmt_shape(torch_in)}, Keras' x.permute(0, 2, 1); y: {fmt_shape(torch_out)}, "
            f"and y.permute(0, 2, 1) is Keras' {fmt_shape(plan.output_shape)}"
        )
    else:
        layout = "x and y: the same (N, C, L) layout as Keras' channels_first, no permute"
    return Port("pytorch", "\n".join(lines), torch_in, torch_out, layout)


def _keras_padding_layer(plan: Conv1DPlan) -> str | None:
    """A Keras layer that pads (or crops) exactly as this PyTorch layer does, or None."""
    spec, axis = plan.config, plan.axis
    left, right = axis.pad_left, axis.pad_right
    if (left, right) == (0, 0):
        return None
    if left < 0 or right < 0:  # F.pad crops with a negative width
        return f"keras.layers.Cropping1D({fmt_shape((-left, -right))})"
    if spec.padding_mode == "zeros":
        return f"keras.layers.ZeroPadding1D({fmt_shape((left, right))})"
    if spec.padding_mode == "reflect":
        body = f'keras.ops.pad(t, ((0, 0), {fmt_shape((left, right))}, (0, 0)), mode="reflect")'
    elif spec.padding_mode == "replicate":
        parts = [f"keras.ops.repeat(t[:, :1], {left}, axis=1)"] * (left > 0) + ["t"]
        parts += [f"keras.ops.repeat(t[:, -1:], {right}, axis=1)"] * (right > 0)
        body = f"keras.ops.concatenate([{', '.join(parts)}], axis=1)"
    else:  # circular: the other end of the input, wrapped round
        parts = [f"t[:, -{left}:]"] * (left > 0) + ["t"] + [f"t[:, :{right}]"] * (right > 0)
        body = f"keras.ops.concatenate([{', '.join(parts)}], axis=1)"
    return f"keras.layers.Lambda(lambda t: {body})"


def _to_keras(plan: Conv1DPlan) -> Port:
    spec = plan.config
    same_ok = spec.padding == "same" and spec.padding_mode == "zeros"  # Keras' 'same' = PyTorch's at stride 1
    pad_layer = None if same_ok else _keras_padding_layer(plan)
    # Keras refuses strides > 1 with dilation_rate > 1: a stride-1 dilated layer, then every s-th output.
    subsample = spec.strides > 1 and spec.dilation_rate > 1
    args = [f"filters={spec.filters}", f"kernel_size={spec.kernel_size}"]
    args += [f"strides={spec.strides}"] * (spec.strides != 1 and not subsample)
    args += ['padding="same"'] * same_ok
    args += [f"dilation_rate={spec.dilation_rate}"] * (spec.dilation_rate != 1)
    args += [f"groups={spec.groups}"] * (spec.groups != 1)
    args += ["use_bias=False"] * (not spec.use_bias)
    lines = [f"conv = keras.layers.Conv1D({', '.join(args)})"]
    source = "x"
    if pad_layer is not None:
        lines.append(f"pad = {pad_layer}")
        source = "pad(x)"
    lines.append(f"y = conv({source})" + (f"[:, ::{spec.strides}]" if subsample else ""))
    keras_in, keras_out = _swapped(plan.input_shape), _swapped(plan.output_shape)
    layout = (
        f"x: {fmt_shape(keras_in)}, PyTorch's x transposed by (0, 2, 1); y: {fmt_shape(keras_out)}, "
        f"and keras.ops.transpose(y, (0, 2, 1)) is PyTorch's {fmt_shape(plan.output_shape)}"
    )
    return Port("keras", "\n".join(lines), keras_in, keras_out, layout)


TORCH_PAD_MODULES = {
    "zeros": "ZeroPad1d",
    "reflect": "ReflectionPad1d",
    "replicate": "ReplicationPad1d",
    "circular": "CircularPad1d",
}


def layer_code(plan: Conv1DPlan) -> str:
    """The layer as one expression in its own framework (port() writes the other's)."""
    return _CODE[plan.convention.name](plan)


def _keras_code(plan: Conv1DPlan) -> str:
    spec = plan.config
    cg_f = f"kernel_size={spec.kernel_size}"
    explicit = spec.padding if isinstance(spec.padding, tuple) else None
    pad = spec.padding if isinstance(spec.padding, str) else "valid"
    args = [f"filters={spec.filters}", cg_f]
    args += [f"strides={spec.strides}"] * (spec.strides != 1)
    args += [f'padding="{pad}"'] * (pad != "valid")
    args += [f"dilation_rate={spec.dilation_rate}"] * (spec.dilation_rate != 1)
    args += [f"groups={spec.groups}"] * (spec.groups != 1)
    args += ["use_bias=False"] * (not spec.use_bias)
    args += [f'activation="{spec.activation}"'] * (spec.activation is not None)
    args += [f'data_format="{spec.data_format}"'] * (spec.data_format != "channels_last")
    code = f"keras.layers.Conv1D({', '.join(args)})"
    if explicit is not None and explicit != (0, 0):
        fmt = "" if spec.data_format == "channels_last" else f', data_format="{spec.data_format}"'
        code = f"keras.Sequential([keras.layers.ZeroPadding1D({explicit}{fmt}), {code}])"
    return code


def _torch_code(plan: Conv1DPlan) -> str:
    spec = plan.config
    cg_f = f"kernel_size={spec.kernel_size}"
    explicit = spec.padding if isinstance(spec.padding, tuple) else None
    pad_arg = spec.padding if isinstance(spec.padding, (int, str)) else 0
    args = [f"in_channels={plan.input_channels}", f"out_channels={spec.filters}", cg_f]
    args += [f"stride={spec.strides}"] * (spec.strides != 1)
    args += ([f"padding={pad_arg}"] if isinstance(pad_arg, int) else [f'padding="{pad_arg}"']) * (
        pad_arg not in (0, "valid")
    )
    args += [f"dilation={spec.dilation_rate}"] * (spec.dilation_rate != 1)
    args += [f"groups={spec.groups}"] * (spec.groups != 1)
    args += ["bias=False"] * (not spec.use_bias)
    args += [f'padding_mode="{spec.padding_mode}"'] * (spec.padding_mode != "zeros" and explicit is None)
    code = f"nn.Conv1d({', '.join(args)})"
    if explicit is not None and explicit != (0, 0):
        code = f"nn.Sequential(nn.{TORCH_PAD_MODULES[spec.padding_mode]}({explicit}), {code})"
    return code


_PORTS: dict[str, Callable[[Conv1DPlan], Port]] = {"keras": _to_torch, "pytorch": _to_keras}
_CODE: dict[str, Callable[[Conv1DPlan], str]] = {"keras": _keras_code, "pytorch": _torch_code}
