"""PyTorch's pooling modules in a model: nn.MaxPool1d and nn.AvgPool1d (ATen's pooling_output_shape,
ceil_mode included: the last window must start inside the input or the left padding).

MACs: 0, as in pooling.py (no weights are multiplied).
"""

from __future__ import annotations

from typing import Any

from conv1dexplain.layers.node import ChainError, Context, LayerRule, Slide, Step, Value, params
from conv1dexplain.layers.pooling_values import torch_tuple_error, with_length
from conv1dexplain.layers.sequence import torch_dims


def _pool_step(output: Value, slide: Slide) -> Step:
    return Step(output, slide=slide, windowed=True)


_POSITION = {"kernel_size": 2, "stride": 3, "padding": 4, "dilation": 5}
# max_pool1d's own kernel words a wrong length per argument; the 2-D paths all alike
_ONE_INT = {
    "kernel_size": "an int, list of ints or tuple of ints",
    "stride": "None, an int, list of ints, or tuple of ints",
    "padding": "an int, list of ints, or tuple of ints",
    "dilation": "an int, list of ints or tuple of ints",
}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _torch_size(name: str, value: Any, function: str) -> int:
    """One int, as the pooling function parses it. function: max_pool1d (its own 1-D kernel),
    max_pool1d_with_indices or avg_pool1d (2-D kernels; AvgPool1d wraps a number in a 1-tuple)."""
    items = list(value) if isinstance(value, tuple | list) else [value]
    bad = next((item for item in items if not _is_int(item)), None)
    if bad is not None:
        found = type(bad).__name__
        words = (
            f"must be tuple of ints, but found element of type {found} at pos {items.index(bad)}"
            if function == "avg_pool1d" or isinstance(value, tuple | list)
            else f"must be tuple of ints, not {found}"
        )
        raise _size_error(
            name, value, f"TypeError: {function}(): argument '{name}' (position {_POSITION[name]}) {words}"
        )
    if len(items) != 1:
        short = function.replace("_with_indices", "")
        words = (
            f"RuntimeError: max_pool1d() {name} must be {_ONE_INT[name]} of size 1 but got size {len(items)}"
            if function == "max_pool1d"
            else f"RuntimeError: {short}() argument '{name}' should contain one int (got {len(items)})"
        )
        raise _size_error(name, value, words)
    return int(items[0])


def _size_error(name: str, value: Any, words: str) -> ChainError:
    return ChainError(
        f"{name} must be an int or a tuple of one int, got {value!r}", f"give {name}=2", words, argument=name
    )


def _torch_window(args: dict[str, Any], function: str) -> tuple[int, int, int, int]:
    """kernel_size, stride (kernel_size when None or empty), padding, dilation as the module holds them."""
    kernel = _torch_size("kernel_size", args["kernel_size"], function)
    empty = args["stride"] is None or (isinstance(args["stride"], tuple | list) and not args["stride"])
    stride = kernel if empty else _torch_size("stride", args["stride"], function)
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
        raise _over_half(
            padding,
            kernel,
            "max_pool1d() padding should be at most half of kernel size, "
            f"but got padding={padding} and kernel_size={kernel}",
        )
    if dilation <= 0:
        raise _refusal("dilation", f"max_pool1d() dilation must be greater than zero, but got {dilation}")


def _truncated_half(number: int) -> int:
    return -((-number) // 2) if number < 0 else number // 2  # C++ division rounds towards 0


def _pool2d_checks(kernel: int, stride: int, padding: int, dilation: int) -> None:
    """The 2-D pooling kernels' checks (avg_pool1d and max_pool1d with indices run as 2-D pools):
    pooling_output_shape's, then pool2d_shape_check's, in their order."""
    if stride == 0:
        raise _refusal("stride", "stride should not be zero")
    if padding < 0:
        raise _refusal("padding", f"pad must be non-negative, but got pad: {padding}")
    if padding > _truncated_half((kernel - 1) * dilation + 1):
        raise _over_half(
            padding,
            kernel,
            "pad should be at most half of effective kernel size, "
            f"but got pad={padding}, kernel_size={kernel} and dilation={dilation}",
        )
    if kernel <= 0:
        raise _refusal("kernel_size", f"kernel size should be greater than zero, but got kH: 1 kW: {kernel}")
    if stride < 0:
        raise _refusal("stride", f"stride should be greater than zero, but got dH: 1 dW: {stride}")
    if dilation <= 0:
        raise _refusal("dilation", f"dilation should be greater than zero, but got dilationH: 1 dilationW: {dilation}")
    if padding > _truncated_half(kernel):
        raise _over_half(
            padding,
            kernel,
            "pad should be smaller than or equal to half of kernel size, "
            f"but got padW = {padding}, padH = 0, kW = {kernel}, kH = 1",
        )


def _over_half(padding: int, kernel: int, words: str) -> ChainError:
    return ChainError(
        f"padding={padding} is over half of kernel_size={kernel}",
        f"use padding={max(kernel // 2, 0)} or less (PyTorch pads a pool by at most half its window)",
        f"RuntimeError: {words}",
        argument="padding",
    )


def _refusal(name: str, words: str) -> ChainError:
    return ChainError(
        words.split("() ", 1)[-1], f"give {name} a value PyTorch takes", f"RuntimeError: {words}", argument=name
    )


def torch_max_pool(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """nn.MaxPool1d: (N, C, L) or (C, L); return_indices makes its output an (output, indices) tuple.

    Without indices (and without autograd recording, as under torch.no_grad) max_pool1d runs its own
    1-D kernel; with them it runs as a 2-D pool, whose checks and words differ."""
    (value,) = inputs
    if value.is_tuple:
        raise torch_tuple_error("max_pool1d")
    if args["return_indices"]:
        step = _pool2d_step(value, args, "max_pool1d", args["dilation"])
        tupled = Value(step.output.dims, step.output.sequence_axis, is_tuple=True)
        return Step(tupled, slide=step.slide, windowed=True, notes=("returns (output, indices): a tuple",))
    if len(value.dims) not in (2, 3):
        raise ChainError(
            f"nn.MaxPool1d reads (N, C, L) or unbatched (C, L); it gets {torch_dims(value.dims)}",
            "reshape the input to (batch, channels, length)",
            "RuntimeError: max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size "
            f"for input, but got:{torch_dims(value.dims)}",
        )
    window = _torch_window(args, "max_pool1d")
    _max_checks(*window)
    words = "RuntimeError: max_pool1d() Invalid computed output size: {output}"
    empty = "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but got:"
    return _torch_step(value, window, args["ceil_mode"], words, f"RuntimeError: {empty}{torch_dims(value.dims)}")


def torch_avg_pool(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """nn.AvgPool1d: count_include_pad changes the values at the edges, never the shape."""
    (value,) = inputs
    if value.is_tuple:
        raise torch_tuple_error("avg_pool1d")
    return _pool2d_step(value, args, "avg_pool1d", 1)


def _pool2d_step(value: Value, args: dict[str, Any], function: str, dilation: Any) -> Step:
    if len(value.dims) not in (2, 3):
        raise ChainError(
            f"nn.{'MaxPool1d' if 'max' in function else 'AvgPool1d'} reads (N, C, L) or unbatched (C, L); "
            f"it gets {torch_dims(value.dims)}",
            "reshape the input to (batch, channels, length)",
            f"RuntimeError: Expected 2 to 3 dimensions, but got {len(value.dims)}-dimensional tensor for "
            f"argument #1 'self' (while checking arguments for {function})",
        )
    parser = "max_pool1d_with_indices" if "max" in function else function
    kernel, stride, padding, _ = _torch_window(args, parser)
    dilation = _torch_size("dilation", dilation, parser)
    _pool2d_checks(kernel, stride, padding, dilation)
    channels = value.dims[-2]
    words = (
        f"RuntimeError: Given input size: ({channels}x1x{{length}}). "
        f"Calculated output size: ({channels}x1x{{output}}). Output size is too small"
    )
    empty = "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:"
    as_2d = torch_dims((*value.dims[:-1], 1, value.dims[-1]))  # (a 1-D pool runs as a 2-D one here)
    return _torch_step(
        value, (kernel, stride, padding, dilation), args["ceil_mode"], words, f"RuntimeError: {empty}{as_2d}"
    )


def _torch_step(value: Value, window: tuple[int, int, int, int], ceil: bool, words: str, empty: str) -> Step:
    kernel, stride, padding, dilation = window
    axis = len(value.dims) - 1
    length = value.dims[axis]
    if length is None:
        return _pool_step(with_length(value, axis, None), Slide(kernel, stride, dilation, padding, padding))
    if length == 0:  # (padding cannot make a window out of nothing: PyTorch refuses an empty input)
        raise ChainError(
            "the pool's input is empty (length 0)",
            "give it at least one position: crop or pad less before it",
            empty,
            too_short=True,
        )
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
    return _pool_step(with_length(value, axis, output), Slide(kernel, stride, dilation, padding, right))


RULES = (
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
