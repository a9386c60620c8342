"""Pooling layers in a model: Keras' MaxPooling1D, AveragePooling1D and their global forms, and
PyTorch's nn.MaxPool1d and nn.AvgPool1d (the adaptive ones are in adaptive.py).

MACs: pooling multiplies by no weight, so it counts 0 multiply-adds (max pooling compares, average
pooling adds a window and scales the sum once per output value; neither is a multiply-add).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from conv1dexplain.layers.node import (
    KERAS_COMMON,
    ChainError,
    Context,
    LayerRule,
    Slide,
    Step,
    Value,
    params,
)
from conv1dexplain.layers.pooling_values import (
    keras_ndim_error,
    keras_sequence_axis,
    one_int,
    torch_dims,
    torch_tuple_error,
    with_length,
)

_KERAS_WORDS = "The `{name}` argument must be a tuple of 1 integers. Received {name}={value}"


def _keras_positive(name: str, value: Any, allow_zero: bool = False) -> int:
    """Keras' standardize_tuple(value, 1, name, allow_zero): an int or a 1-tuple, above 0 (or 0)."""
    number = one_int(value)
    words = _KERAS_WORDS.format(name=name, value=value)
    if number is None:
        raise ChainError(
            f"{name} must be an int or a tuple of one int, got {value!r}", f"give {name}=2", f"ValueError: {words}"
        )
    bound = ">=" if allow_zero else ">"
    if number < 0 or (number == 0 and not allow_zero):
        raise ChainError(
            f"{name} must be at least 1, got {number}",
            f"use {name}=1 or more",
            f"ValueError: {words}, including values {{{number}}} that do not satisfy `value {bound} 0`",
            argument=name,
        )
    if number == 0:  # strides=0 passes the constructor; the output shape divides by it
        raise ChainError(
            "strides must be at least 1, got 0", "use strides=1 or more", "ZeroDivisionError: division by zero"
        )
    return number


def keras_pooling(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """MaxPooling1D / AveragePooling1D: keras.ops.max_pool's valid or TensorFlow's same padding."""
    (value,) = inputs
    pool_size = _keras_positive("pool_size", args["pool_size"])
    strides = pool_size if args["strides"] is None else _keras_positive("strides", args["strides"], allow_zero=True)
    layout = where.rules.data_format(args["data_format"])
    if len(value.dims) != 3:
        raise keras_ndim_error(value, where)
    padding = args["padding"]
    if padding not in ("valid", "same"):  # compute_output_shape compares as written: 'SAME' fails
        raise ChainError(
            f"padding must be 'valid' or 'same' (lower case), got {padding!r}",
            "use padding='valid' or padding='same'",
            f"ValueError: Argument `padding` must be either 'valid' or 'same'. Received: padding={padding}",
            argument="padding",
        )
    axis = keras_sequence_axis(layout)
    length = value.dims[axis]
    if padding == "same":
        return _keras_same(value, axis, pool_size, strides)
    if length is None:
        return _pool_step(with_length(value, axis, None), Slide(pool_size, Fraction(strides)))
    output = (length - pool_size) // strides + 1
    if output <= 0:
        shape = "[" + " ".join(str(d) for d in value.dims) + "]"
        raise ChainError(
            f"{where.call.name}({pool_size}) needs at least {pool_size} positions; its input has {length}",
            f"give a longer input, a smaller pool_size, or padding='same' (at least {pool_size} positions)",
            "ValueError: Computed output size would be zero or negative. Received: "
            f"`inputs.shape={shape}`, `pool_size=[{pool_size}]`, `strides=({strides},)`, `padding=valid`.",
            too_short=True,
            argument="pool_size",
        )
    return _pool_step(with_length(value, axis, output), Slide(pool_size, Fraction(strides)))


def _keras_same(value: Value, axis: int, pool_size: int, strides: int) -> Step:
    """TensorFlow's SAME: ceil(L/s) outputs, the padding split with the odd one on the right."""
    length = value.dims[axis]
    if length is None:
        # The left padding depends on the length (L mod s); (k-1)//2 is its most, reached at L ≡ 1.
        left = (pool_size - 1) // 2
        note = "padding='same' pads by the length: with strides > 1 the left padding varies with L mod strides"
        slide = Slide(pool_size, Fraction(strides), pad_left=left, pad_right=pool_size - 1 - left)
        return _pool_step(with_length(value, axis, None), slide, (note,) if strides > 1 else ())
    output = (length - 1) // strides + 1
    total = max(0, (output - 1) * strides + pool_size - length)
    slide = Slide(pool_size, Fraction(strides), pad_left=total // 2, pad_right=total - total // 2)
    return _pool_step(with_length(value, axis, output), slide)


def _pool_step(output: Value, slide: Slide, notes: tuple[str, ...] = ()) -> Step:
    return Step(output, slide=slide, windowed=True, notes=notes)


def keras_global(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """GlobalMaxPooling1D / GlobalAveragePooling1D: the sequence axis goes (or stays as 1, keepdims)."""
    (value,) = inputs
    layout = where.rules.data_format(args["data_format"])
    if len(value.dims) != 3:
        raise keras_ndim_error(value, where)
    axis = keras_sequence_axis(layout)
    if args["keepdims"]:
        return Step(with_length(value, axis, 1), slide=None)
    dims = tuple(size for index, size in enumerate(value.dims) if index != axis)
    return Step(Value(dims, None), slide=None)


def _torch_size(name: str, value: Any, function: str) -> int:
    number = one_int(value)
    if number is None:
        raise ChainError(
            f"{name} must be an int or a tuple of one int, got {value!r}",
            f"give {name}=2",
            f"RuntimeError: {function}() {name} must be an int, list of ints or tuple of ints of size 1 "
            f"but got size {len(value) if isinstance(value, tuple | list) else '?'}",
            argument=name,
        )
    return number


def _torch_window(args: dict[str, Any], function: str) -> tuple[int, int, int, int]:
    """kernel_size, stride (kernel_size when None), padding, dilation as the module holds them."""
    kernel = _torch_size("kernel_size", args["kernel_size"], function)
    stride = kernel if args["stride"] is None else _torch_size("stride", args["stride"], function)
    padding = _torch_size("padding", args["padding"], function)
    dilation = _torch_size("dilation", args.get("dilation", 1), function)
    return kernel, stride, padding, dilation


def torch_output_length(length: int, kernel: int, stride: int, padding: int, dilation: int, ceil: bool) -> int:
    """ATen's pooling_output_shape: floor (or ceil) division, and with ceil_mode the last window must
    start inside the input or the left padding."""
    span = dilation * (kernel - 1) + 1
    output = (length + 2 * padding - span + (stride - 1 if ceil else 0)) // stride + 1
    if ceil and (output - 1) * stride >= length + padding:
        output -= 1
    return output


def _max_checks(kernel: int, stride: int, padding: int, dilation: int) -> None:
    for name, number in (("kernel_size", kernel), ("stride", stride)):
        if number <= 0:
            raise _refusal(name, f"max_pool1d() {name} must be greater than zero, but got {number}")
    if padding < 0:
        raise _refusal("padding", f"max_pool1d() padding must be non-negative, but got {padding}")
    if padding > kernel // 2:
        raise ChainError(
            f"padding={padding} is over half of kernel_size={kernel}",
            f"use padding={kernel // 2} or less (PyTorch pads a pool by at most half its window)",
            "RuntimeError: max_pool1d() padding should be at most half of kernel size, "
            f"but got padding={padding} and kernel_size={kernel}",
            argument="padding",
        )
    if dilation <= 0:
        raise _refusal("dilation", f"max_pool1d() dilation must be greater than zero, but got {dilation}")


def _avg_checks(kernel: int, stride: int, padding: int) -> None:
    # avg_pool2d's order: a zero stride, a negative pad, then pool2d_shape_check's sizes
    if stride == 0:
        raise _refusal("stride", "stride should not be zero")
    if padding < 0:
        raise _refusal("padding", f"pad must be non-negative, but got pad: {padding}")
    if kernel <= 0:
        raise _refusal("kernel_size", f"kernel size should be greater than zero, but got kH: 1 kW: {kernel}")
    if stride < 0:
        raise _refusal("stride", f"stride should be greater than zero, but got dH: 1 dW: {stride}")
    if padding > kernel // 2:
        raise ChainError(
            f"padding={padding} is over half of kernel_size={kernel}",
            f"use padding={kernel // 2} or less (PyTorch pads a pool by at most half its window)",
            "RuntimeError: pad should be at most half of effective kernel size, "
            f"but got pad={padding}, kernel_size={kernel} and dilation=1",
            argument="padding",
        )


def _refusal(name: str, words: str) -> ChainError:
    return ChainError(
        words.split("() ", 1)[-1], f"give {name} a value PyTorch takes", f"RuntimeError: {words}", argument=name
    )


def torch_max_pool(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """nn.MaxPool1d: (N, C, L) or (C, L); return_indices makes its output an (output, indices) tuple."""
    (value,) = inputs
    if value.is_tuple:
        raise torch_tuple_error("max_pool1d")
    kernel, stride, padding, dilation = _torch_window(args, "max_pool1d")
    if len(value.dims) not in (2, 3):
        raise ChainError(
            f"nn.MaxPool1d reads (N, C, L) or unbatched (C, L); it gets {torch_dims(value.dims)}",
            "reshape the input to (batch, channels, length)",
            "RuntimeError: max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size "
            f"for input, but got:{torch_dims(value.dims)}",
        )
    _max_checks(kernel, stride, padding, dilation)
    words = "RuntimeError: max_pool1d() Invalid computed output size: {output}"
    step = _torch_step(value, (kernel, stride, padding, dilation), args["ceil_mode"], words)
    if args["return_indices"]:
        tupled = Value(step.output.dims, step.output.sequence_axis, is_tuple=True)
        return Step(tupled, slide=step.slide, windowed=True, notes=("returns (output, indices): a tuple",))
    return step


def torch_avg_pool(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """nn.AvgPool1d: count_include_pad changes the values at the edges, never the shape."""
    (value,) = inputs
    if value.is_tuple:
        raise torch_tuple_error("avg_pool1d")
    kernel, stride, padding, _ = _torch_window(args, "avg_pool1d")
    if len(value.dims) not in (2, 3):
        raise ChainError(
            f"nn.AvgPool1d reads (N, C, L) or unbatched (C, L); it gets {torch_dims(value.dims)}",
            "reshape the input to (batch, channels, length)",
            f"RuntimeError: Expected 2 to 3 dimensions, but got {len(value.dims)}-dimensional tensor for "
            "argument #1 'self' (while checking arguments for avg_pool1d)",
        )
    _avg_checks(kernel, stride, padding)
    channels = value.dims[-2]
    words = (
        f"RuntimeError: Given input size: ({channels}x1x{{length}}). "
        f"Calculated output size: ({channels}x1x{{output}}). Output size is too small"
    )
    return _torch_step(value, (kernel, stride, padding, 1), args["ceil_mode"], words)


def _torch_step(value: Value, window: tuple[int, int, int, int], ceil: bool, words: str) -> Step:
    kernel, stride, padding, dilation = window
    axis = len(value.dims) - 1
    length = value.dims[axis]
    if length is None:
        return _pool_step(with_length(value, axis, None), Slide(kernel, Fraction(stride), dilation, padding, padding))
    output = torch_output_length(length, kernel, stride, padding, dilation, ceil)
    if output <= 0:
        span = dilation * (kernel - 1) + 1
        raise ChainError(
            f"the pool's window (span {span}) does not fit the padded input ({length} + 2·{padding})",
            f"give an input of at least {span - 2 * padding} positions, or a smaller kernel_size",
            words.format(length=length, output=output),
            too_short=True,
            argument="kernel_size",
        )
    # ceil_mode's last window may reach past the right padding
    right = max(padding, (output - 1) * stride + dilation * (kernel - 1) + 1 - length - padding)
    return _pool_step(with_length(value, axis, output), Slide(kernel, Fraction(stride), dilation, padding, right))


_KERAS_POOL = params(pool_size=2, strides=None, padding="valid", data_format=None)
_KERAS_AVERAGE = params("pool_size", strides=None, padding="valid", data_format=None)
_KERAS_GLOBAL = params(data_format=None, keepdims=False)

RULES = (
    LayerRule("keras", "MaxPooling1D", _KERAS_POOL, keras_pooling, accepts_extra=KERAS_COMMON),
    LayerRule("keras", "MaxPool1D", _KERAS_POOL, keras_pooling, accepts_extra=KERAS_COMMON),
    LayerRule("keras", "AveragePooling1D", _KERAS_AVERAGE, keras_pooling, accepts_extra=KERAS_COMMON),
    LayerRule("keras", "AvgPool1D", _KERAS_AVERAGE, keras_pooling, accepts_extra=KERAS_COMMON),
    LayerRule("keras", "GlobalMaxPooling1D", _KERAS_GLOBAL, keras_global, accepts_extra=KERAS_COMMON),
    LayerRule("keras", "GlobalMaxPool1D", _KERAS_GLOBAL, keras_global, accepts_extra=KERAS_COMMON),
    LayerRule("keras", "GlobalAveragePooling1D", _KERAS_GLOBAL, keras_global, accepts_extra=KERAS_COMMON),
    LayerRule("keras", "GlobalAvgPool1D", _KERAS_GLOBAL, keras_global, accepts_extra=KERAS_COMMON),
    LayerRule(
        "pytorch",
        "MaxPool1d",
        params("kernel_size", stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False),
        torch_max_pool,
    ),
    LayerRule(
        "pytorch",
        "AvgPool1d",
        params("kernel_size", stride=None, padding=0, ceil_mode=False, count_include_pad=True),
        torch_avg_pool,
    ),
)
