"""Keras' DepthwiseConv1D and SeparableConv1D in a model (PyTorch writes both with nn.Conv1d:
groups=C for the depthwise part, then a kernel-size-1 nn.Conv1d for the pointwise one).

Their window is Conv1D's: the same padding rules (the convention's), the same output length
(geometry.Axis); unlike Conv1D, Keras lets them take strides > 1 with dilation_rate > 1.

MACs: the depthwise part L_out · k · C · depth_multiplier, the pointwise part
L_out · C · depth_multiplier · filters; bias excluded.
"""

from __future__ import annotations

from typing import Any

from conv1dexplain.geometry import Axis
from conv1dexplain.layers.node import KERAS_COMMON, ChainError, Context, LayerRule, Slide, Step, Value, one_int, params
from conv1dexplain.layers.sequence import as_tensor, from_tensor, keras_rank_error
from conv1dexplain.tensor import Tensor, fmt_shape


def _checked(args: dict[str, Any], value: Value, where: Context) -> Tensor:
    """The input in the layer's layout, once the arguments and the input's rank pass Keras' checks."""
    rules = where.rules
    layout = rules.data_format(args["data_format"])
    kernel, strides, dilation = args["kernel_size"], args["strides"], args["dilation_rate"]
    rules.require_positive(kernel_size=kernel, strides=strides, dilation_rate=dilation)
    rules.check_activation(args["activation"])
    padding = str(args["padding"]).lower()
    if padding not in ("valid", "same"):
        raise ChainError(
            f"{where.call.name} pads 'valid' or 'same' only; padding={args['padding']!r}",
            "use padding='same' (or 'valid'); for causal, pad first with "
            f"ZeroPadding1D(({dilation * (kernel - 1)}, 0)) and use 'valid'",
            "ValueError: The `padding` argument must be a list/tuple or one of {'valid', 'same'}. "
            f"Received: {args['padding']}",
            argument="padding",
            value=args["padding"],
        )
    if args["depth_multiplier"] < 1:
        raise ChainError(
            f"{where.call.name}'s depth_multiplier must be at least 1, got {args['depth_multiplier']}",
            "use depth_multiplier=1 or more (output channels per input channel)",
            "ValueError: Invalid value for argument `depth_multiplier`. Expected a strictly positive value. "
            f"Received depth_multiplier={args['depth_multiplier']}.",
            argument="depth_multiplier",
            value=args["depth_multiplier"],
        )
    if len(value.dims) != 3:
        raise keras_rank_error(value, where, 3)
    return as_tensor(value, layout)


def _window(args: dict[str, Any], tensor: Tensor, value: Value, where: Context, kernel_shape: str) -> Axis | None:
    """The window along the input (None for an unknown length), or Keras' refusal of a short input."""
    rules = where.rules
    kernel, strides, dilation = args["kernel_size"], args["strides"], args["dilation_rate"]
    padding = str(args["padding"]).lower()
    if tensor.length is None:
        return None
    left, right = rules.same_padding(tensor.length, kernel, strides, dilation) if padding == "same" else (0, 0)
    axis = Axis(tensor.length, kernel, strides, dilation, left, right)
    if axis.output_length <= 0:
        raise ChainError(
            f"{where.call.name}'s window (span {axis.span}) is longer than its input (length {tensor.length})",
            "use a longer input, a smaller kernel_size or dilation_rate, or padding='same'",
            "ValueError: Computed output size would be zero or negative. Received `inputs shape="
            f"{fmt_shape(value.dims)}`, `kernel shape={kernel_shape}`, `dilation_rate=[{dilation}]`, "
            f"`strides=({strides},)`, `padding={padding}`.",
            too_short=True,
        )
    return axis


def _step(value: Value, tensor: Tensor, axis: Axis | None, channels: int, params_macs: tuple[int, int]) -> Step:
    layout = tensor.layout
    output = Tensor(tensor.batch, None if axis is None else axis.output_length, channels, layout)
    trainable, per_position = params_macs
    if axis is None:
        return Step(from_tensor(output, value), trainable_params=trainable, slide=None, windowed=True)
    return Step(
        from_tensor(output, value),
        trainable_params=trainable,
        macs=axis.output_length * per_position,
        slide=Slide(axis.kernel_size, axis.strides, axis.dilation_rate, axis.pad_left, axis.pad_right),
        windowed=True,
    )


def _channels(tensor: Tensor, where: Context, kernel: int, multiplier: int, weight: str | None) -> int:
    """The input's channels, which the kernel's shape needs. (weight None: SeparableConv1D, which
    multiplies them by depth_multiplier for its pointwise kernel before making any weight.)"""
    if tensor.channels is None:
        said = (
            "TypeError: unsupported operand type(s) for *: 'int' and 'NoneType'"
            if weight is None
            else "ValueError: Shapes used to initialize variables must be fully-defined (no `None` dimensions). "
            f"Received: shape=({kernel}, None, {multiplier}) for variable path='{where.variable_path}/{weight}'"
        )
        raise ChainError(
            f"{where.call.name} makes its kernel from the input's channels, which are unknown here",
            "give the model's input its channels",
            said,
        )
    return tensor.channels


def keras_depthwise(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """One kernel of depth_multiplier filters per input channel: output channels C · depth_multiplier."""
    (value,) = inputs
    args = one_int(args, "kernel_size", "strides", "dilation_rate", "depth_multiplier")  # 3 or (3,)
    kernel, multiplier = args["kernel_size"], args["depth_multiplier"]
    channels = as_tensor(value, where.rules.data_format(args["data_format"])).channels if len(value.dims) == 3 else 1
    tensor = _checked(args, value, where)
    axis = _window(args, tensor, value, where, f"({kernel}, {channels}, {channels and channels * multiplier})")
    channels = _channels(tensor, where, kernel, multiplier, "kernel")  # (Keras: the output size first, then this)
    out = channels * multiplier
    trainable = kernel * out + (out if args["use_bias"] else 0)
    return _step(value, tensor, axis, out, (trainable, kernel * out))


def keras_separable(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """A depthwise kernel (k, C, depth_multiplier) then a pointwise one (1, C · depth_multiplier, filters)."""
    (value,) = inputs
    args = one_int(args, "filters", "kernel_size", "strides", "dilation_rate", "depth_multiplier")  # 3 or (3,)
    filters, kernel, multiplier = args["filters"], args["kernel_size"], args["depth_multiplier"]
    where.rules.require_positive(filters=filters)
    channels = as_tensor(value, where.rules.data_format(args["data_format"])).channels if len(value.dims) == 3 else 1
    tensor = _checked(args, value, where)
    channels = _channels(tensor, where, kernel, multiplier, None)  # (Keras: the kernels' shapes first, then the size)
    axis = _window(args, tensor, value, where, f"({kernel}, {channels}, {filters})")
    middle = channels * multiplier
    trainable = kernel * middle + middle * filters + (filters if args["use_bias"] else 0)
    return _step(value, tensor, axis, filters, (trainable, kernel * middle + middle * filters))


RULES = (
    LayerRule(
        "keras",
        "DepthwiseConv1D",
        params(
            "kernel_size",
            strides=1,
            padding="valid",
            depth_multiplier=1,
            data_format=None,
            dilation_rate=1,
            activation=None,
            use_bias=True,
        ),
        keras_depthwise,
        accepts_extra=KERAS_COMMON,
    ),
    LayerRule(
        "keras",
        "SeparableConv1D",
        params(
            "filters",
            "kernel_size",
            strides=1,
            padding="valid",
            data_format=None,
            dilation_rate=1,
            depth_multiplier=1,
            activation=None,
            use_bias=True,
        ),
        keras_separable,
        accepts_extra=KERAS_COMMON,
    ),
)
