"""Keras' pooling layers in a model: MaxPooling1D, AveragePooling1D and their global forms, with
their aliases (PyTorch's pools are in pooling_torch.py and pooling_adaptive.py).

MACs: pooling multiplies by no weight, so it counts 0 multiply-adds (max pooling compares, average
pooling adds a window and scales the sum once per output value; neither is a multiply-add).
"""

from __future__ import annotations

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
    return number  # strides=0 passes the constructor; the output shape divides by it (keras_pooling)


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
    if strides == 0:
        raise ChainError(
            "strides must be at least 1, got 0", "use strides=1 or more", "ZeroDivisionError: division by zero"
        )
    axis = keras_sequence_axis(layout)
    length = value.dims[axis]
    if padding == "same":
        return _keras_same(value, axis, pool_size, strides)
    if length is None:
        return _pool_step(with_length(value, axis, None), Slide(pool_size, strides))
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
    return _pool_step(with_length(value, axis, output), Slide(pool_size, strides))


def _keras_same(value: Value, axis: int, pool_size: int, strides: int) -> Step:
    """TensorFlow's SAME: ceil(L/s) outputs, the padding split with the odd one on the right."""
    length = value.dims[axis]
    if length is None:
        # The left padding depends on the length (L mod s); (k-1)//2 is its most, reached at L ≡ 1.
        left = (pool_size - 1) // 2
        note = "padding='same' pads by the length: with strides > 1 the left padding varies with L mod strides"
        slide = Slide(pool_size, strides, pad_left=left, pad_right=pool_size - 1 - left)
        return _pool_step(with_length(value, axis, None), slide, (note,) if strides > 1 else ())
    output = (length - 1) // strides + 1
    total = max(0, (output - 1) * strides + pool_size - length)
    slide = Slide(pool_size, strides, pad_left=total // 2, pad_right=total - total // 2)
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
)
