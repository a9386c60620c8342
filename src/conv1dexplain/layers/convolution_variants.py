"""Transposed convolutions in a model: keras.layers.Conv1DTranspose and torch.nn.ConvTranspose1d
(the depthwise and separable ones are in convolution_separable.py).

A transposed convolution scatters input i onto outputs i·s + j·d − P (j < k, P the crop on the left).
Output o therefore reads the inputs (o + P − j·d)/s that are whole numbers: different outputs read
different numbers of inputs. Its Slide has stride 1/s and the size that makes the chain's formula
give the widest reach any output has (from its first input read to its last), and pad_left the
first input output 0 reads (negative: before the input).

MACs: every input element times every tap and every output channel of its group,
L_in · k · C_in · F / groups, bias excluded (what the framework computes, cropped outputs included).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from conv1dexplain.layers.node import (
    KERAS_COMMON,
    TORCH_COMMON,
    ChainError,
    Context,
    LayerRule,
    Slide,
    Step,
    Value,
    one_int,
    params,
)
from conv1dexplain.layers.sequence import as_tensor, from_tensor, keras_rank_error, torch_dims, torch_rank_error
from conv1dexplain.tensor import Tensor, fmt_shape


def transposed_slide(kernel_size: int, stride: int, dilation: int, crop_left: int) -> Slide:
    """The Slide whose reach is the widest any output of this transposed convolution has."""
    widest = 0
    for residue in range(stride):
        taps = [j for j in range(kernel_size) if (j * dilation) % stride == residue]
        if taps:
            widest = max(widest, (max(taps) - min(taps)) * dilation // stride)
    read = [
        (crop_left - j * dilation) // stride for j in range(kernel_size) if (crop_left - j * dilation) % stride == 0
    ]
    first = min(read) if read else -((dilation * (kernel_size - 1) - crop_left) // stride)
    return Slide(widest + 1, Fraction(1, stride), 1, -first, 0, (kernel_size, stride, dilation, crop_left))


def keras_transposed_length(length: int, span: int, strides: int, padding: str, output_padding: int | None) -> int:
    """Keras' output length (backend_utils._get_output_shape_given_tf_padding)."""
    if padding == "valid":
        extra = max(span, strides) - span if output_padding is None else output_padding
        return (length - 1) * strides + span + extra
    if output_padding is None:
        return length * strides
    return (length - 1) * strides + span % 2 + output_padding


def keras_crop_left(span: int, strides: int, padding: str, output_padding: int | None) -> int:
    """Outputs Keras (TensorFlow, JAX) drops on the left of the full scatter, (L−1)·s + span long."""
    if padding == "valid":
        return 0
    total = strides + span - 2 if output_padding is None else span + span % 2 - 2 + output_padding
    return span - 1 - min(total // 2 + total % 2, span - 1)


def keras_conv_transpose(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    (value,) = inputs
    sizes = ("filters", "kernel_size", "strides", "dilation_rate")  # 3 or (3,), as get_config() gives them
    args = one_int(args, *sizes, *(("output_padding",) if args["output_padding"] is not None else ()))
    rules = where.rules
    layout = rules.data_format(args["data_format"])
    if len(value.dims) != 3:
        raise keras_rank_error(value, where, 3)
    filters, kernel, strides, dilation = args["filters"], args["kernel_size"], args["strides"], args["dilation_rate"]
    rules.check_arguments(filters, kernel, strides, dilation, 1, "zeros")
    rules.check_activation(args["activation"])
    padding = _keras_padding(args["padding"], where)
    extra = args["output_padding"]
    if extra is not None and extra >= strides:
        raise ChainError(
            f"Conv1DTranspose's output_padding={extra} must be below strides={strides}",
            f"use output_padding below {strides}, or None",
            "ValueError: `output_padding` must be strictly less than `strides` for all dimensions. At dimension 0, "
            f"`output_padding` is {extra} but `strides` is {strides}. Received: output_padding=({extra},), "
            f"strides=({strides},)",
            argument="output_padding",
            value=extra,
        )
    tensor = as_tensor(value, layout)
    if tensor.channels is None:
        raise ChainError(
            "Conv1DTranspose makes its kernel from the input's channels, which are unknown here",
            "give the model's input its channels",
            "ValueError: Shapes used to initialize variables must be fully-defined (no `None` dimensions). "
            f"Received: shape=({kernel}, {filters}, None) for variable path='{where.variable_path}/kernel'",
        )
    span = dilation * (kernel - 1) + 1
    length = None if tensor.length is None else keras_transposed_length(tensor.length, span, strides, padding, extra)
    crop = keras_crop_left(span, strides, padding, extra)
    return _step(
        value,
        Tensor(tensor.batch, length, filters, layout),
        tensor,
        args["use_bias"],
        (kernel, strides, dilation, crop),
    )


def _keras_padding(padding: Any, where: Context) -> str:
    text = str(padding).lower()
    if text not in ("valid", "same"):
        raise ChainError(
            f"{where.call.name} pads 'valid' or 'same' only; padding={padding!r}",
            "use padding='same' (or 'valid'); for causal, crop the output's last positions",
            "ValueError: The `padding` argument must be a list/tuple or one of {'valid', 'same'}. Received: "
            f"{padding}",
            argument="padding",
            value=padding,
        )
    return text


def _step(
    value: Value, output: Tensor, tensor: Tensor, bias: bool, window: tuple[int, int, int, int], groups: int = 1
) -> Step:
    kernel, strides, dilation, crop = window
    assert tensor.channels is not None and output.channels is not None
    weights = kernel * tensor.channels * (output.channels // groups)
    macs = 0 if tensor.length is None else tensor.length * weights
    return Step(
        from_tensor(output, value),
        trainable_params=weights + (output.channels if bias else 0),
        macs=macs,
        slide=transposed_slide(kernel, strides, dilation, crop),
        windowed=True,
        notes=(f"a transposed convolution: each output reads about 1 in {strides} of its window's {kernel} taps",)
        if strides > 1
        else (),
    )


def torch_conv_transpose(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    (value,) = inputs
    sizes = ("in_channels", "out_channels", "kernel_size", "stride", "padding", "output_padding", "dilation", "groups")
    args = one_int(args, *sizes)  # (a live module keeps its sizes as tuples of one: (3,))
    in_channels, out_channels, kernel = args["in_channels"], args["out_channels"], args["kernel_size"]
    stride, padding, extra, dilation, groups = (
        args[key] for key in ("stride", "padding", "output_padding", "dilation", "groups")
    )
    _torch_construction(args, where)
    if len(value.dims) not in (2, 3):
        raise torch_rank_error(value, "conv_transpose1d")
    channels = value.dims[-2]
    if channels != in_channels:
        batched = value.dims if len(value.dims) == 3 else (1, *value.dims)  # PyTorch names an unbatched input so
        raise ChainError(
            f"nn.ConvTranspose1d({in_channels}, …) expects {in_channels} channels on axis {len(value.dims) - 2}; "
            f"its input {fmt_shape(value.dims)} has {channels} there",
            f"set in_channels={channels} (what the previous layer gives)",
            f"RuntimeError: Given transposed=1, weight of size [{in_channels}, {out_channels // groups}, {kernel}], "
            f"expected input{torch_dims(batched)} to have {in_channels} channels, "
            f"but got {channels} channels instead",
            argument="in_channels",
            value=in_channels,
        )
    if extra >= stride and extra >= dilation:
        raise ChainError(
            f"nn.ConvTranspose1d's output_padding={extra} must be below stride={stride} or dilation={dilation}",
            f"use output_padding below {max(stride, dilation)}",
            "RuntimeError: output padding must be smaller than either stride or dilation, but got "
            f"output_padding_height: 0 output_padding_width: {extra} stride_height: 1 stride_width: {stride} "
            "dilation_height: 1 "
            f"dilation_width: {dilation}",
            argument="output_padding",
            value=extra,
        )
    tensor = as_tensor(value, "channels_first")
    length = (
        None
        if tensor.length is None
        else (tensor.length - 1) * stride - 2 * padding + dilation * (kernel - 1) + extra + 1
    )
    # PyTorch's own kernel refuses an output length of 0, oneDNN's (which it picks for some sizes) only
    # a negative one, with words of its own: we refuse both, in the first one's words
    if length is not None and length < 1:
        raise ChainError(
            f"nn.ConvTranspose1d's padding={padding} crops more than the {length + 2 * padding} outputs it makes",
            "use a smaller padding, or a longer input",
            _torch_too_small(tensor, length),
            too_short=True,
            argument="padding",
        )
    output = Tensor(tensor.batch, length, out_channels, "channels_first")
    return _step(value, output, tensor, args["bias"], (kernel, stride, dilation, padding), groups)


def _torch_too_small(tensor: Tensor, length: int) -> str:
    """PyTorch's words for an output length below 1 (its own kernel's)."""
    return (
        f"RuntimeError: Given input size per channel: (1 x {tensor.length}). Calculated output size per "
        f"channel: (1 x {length}). Output size is too small"
    )


def _torch_construction(args: dict[str, Any], where: Context) -> None:
    """What nn.ConvTranspose1d.__init__ and conv_transpose1d refuse of the arguments themselves."""
    rules, padding = where.rules, args["padding"]
    rules.require_positive(filters=args["out_channels"], kernel_size=args["kernel_size"], strides=args["stride"])
    rules.require_positive(dilation_rate=args["dilation"], groups=args["groups"])
    if args["padding_mode"] != "zeros":
        raise _refusal(
            'Only "zeros" padding mode is supported for ConvTranspose1d', "padding_mode", args["padding_mode"]
        )
    for name in ("in_channels", "out_channels"):
        if args[name] % args["groups"]:
            raise _refusal(f"{name} must be divisible by groups", name, args[name])
    if isinstance(padding, str):
        raise _refusal(
            "conv_transpose1d(): argument 'padding' (position 5) must be tuple of ints, but found element of type "
            "str at pos 0",
            "padding",
            padding,
            kind="TypeError",
        )
    if padding < 0 or args["output_padding"] < 0:
        raise _refusal("negative padding is not supported", "padding", padding, kind="RuntimeError")


def _refusal(message: str, argument: str, value: Any, kind: str = "ValueError") -> ChainError:
    return ChainError(
        f"nn.ConvTranspose1d refuses {argument}={value!r}: {message}",
        f"give {argument} a value nn.ConvTranspose1d takes (padding: a number of outputs to crop on each side)",
        f"{kind}: {message}",
        argument=argument,
        value=value,
    )


RULES = (
    LayerRule(
        "keras",
        "Conv1DTranspose",
        params(
            "filters",
            "kernel_size",
            strides=1,
            padding="valid",
            output_padding=None,
            data_format=None,
            dilation_rate=1,
            activation=None,
            use_bias=True,
        ),
        keras_conv_transpose,
        accepts_extra=KERAS_COMMON,
    ),
    LayerRule(
        "pytorch",
        "ConvTranspose1d",
        params(
            "in_channels",
            "out_channels",
            "kernel_size",
            stride=1,
            padding=0,
            output_padding=0,
            groups=1,
            bias=True,
            dilation=1,
            padding_mode="zeros",
            device=None,
            dtype=None,
        ),
        torch_conv_transpose,
        accepts_extra=TORCH_COMMON,
    ),
)
