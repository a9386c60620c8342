"""Layers that pad or crop the sequence: Keras' ZeroPadding1D and Cropping1D, PyTorch's
nn.ConstantPad1d, nn.ZeroPad1d, nn.ReflectionPad1d, nn.ReplicationPad1d and nn.CircularPad1d
(a negative padding crops there). Upsampling is in upsample.py.

Output t reads input t − pad_left: a Slide of size 1 shifted by the padding (a crop is a negative
padding). Reflect, replicate and circular padding fill their pads with copies of real positions;
the receptive field counts them as padding. MACs: 0 (nothing is multiplied).
"""

from __future__ import annotations

from typing import Any

from conv1dexplain.layers.node import KERAS_COMMON, ChainError, Context, LayerRule, Slide, Step, Value, params
from conv1dexplain.layers.pooling_values import (
    int_pair,
    keras_ndim_error,
    keras_sequence_axis,
    torch_tuple_error,
    with_length,
)
from conv1dexplain.layers.sequence import PADDING_READS, torch_dims


def _pair_hint(name: str, value: Any) -> str:
    """The fix in the user's numbers: a one-element tuple (2,) meant 2 on each side, or 2 on the left."""
    if isinstance(value, tuple | list) and len(value) == 1 and isinstance(value[0], int) and value[0] >= 0:
        side = value[0]
        return f"give {name}={side} ({side} on each side) or {name}=({side}, 0) (the left only)"
    return f"give {name}=(left, right), e.g. {name}=(1, 1), or one int for both sides"


def _keras_pair(name: str, value: Any) -> tuple[int, int]:
    """Keras' standardize_tuple(value, 2, name, allow_zero=True)."""
    pair = int_pair(value)
    words = f"The `{name}` argument must be a tuple of 2 integers. Received {name}={value}"
    if pair is None:
        raise ChainError(
            f"{name} must be an int or (left, right), got {value!r}", _pair_hint(name, value), f"ValueError: {words}"
        )
    negative = {side for side in pair if side < 0}
    if negative:
        raise ChainError(
            f"{name} must be 0 or more on each side, got {pair}",
            f"use {name}=(0, 0) or more",
            f"ValueError: {words}, including values {negative} that do not satisfy `value >= 0`",
            argument=name,
        )
    return pair


def keras_zero_padding(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """ZeroPadding1D: left + length + right positions (data_format picks the axis)."""
    (value,) = inputs
    left, right = _keras_pair("padding", args["padding"])
    layout = where.rules.data_format(args["data_format"])
    if len(value.dims) != 3:
        raise keras_ndim_error(value, where)
    axis = keras_sequence_axis(layout)
    length = value.dims[axis]
    output = None if length is None else length + left + right
    return Step(with_length(value, axis, output), slide=Slide(1, pad_left=left, pad_right=right))


def keras_cropping(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """Cropping1D: always axis 1 (it has no data_format); at least one position must be left."""
    (value,) = inputs
    left, right = _keras_pair("cropping", args["cropping"])
    if len(value.dims) != 3:
        raise keras_ndim_error(value, where)
    length = value.dims[1]
    output = None if length is None else length - left - right
    if output is not None and output <= 0:
        raise ChainError(
            f"Cropping1D crops {left} + {right} positions of {length}: none would be left",
            f"give an input longer than {left + right} positions, or crop less",
            "ValueError: `cropping` parameter of `Cropping1D` layer must be smaller than the input length. "
            f"Received: input_shape={_keras_shape(value.dims)}, cropping={(left, right)}",
            too_short=True,
            argument="cropping",
        )
    return Step(with_length(value, 1, output), slide=Slide(1, pad_left=-left, pad_right=-right))


def _keras_shape(dims: tuple[int | None, ...]) -> str:
    return "(" + ", ".join(str(size) for size in dims) + ")"


def _torch_pair(value: Any) -> tuple[int, int]:
    pair = int_pair(value)
    if pair is not None:
        return pair
    odd = isinstance(value, tuple | list) and len(value) % 2 == 1
    raise ChainError(
        f"padding must be an int or (left, right), got {value!r}",
        "give padding=(left, right)",
        "RuntimeError: Padding length must be divisible by 2" if odd else "padding of other lengths pads other axes",
        argument="padding",
    )


def _pad_input(value: Value, function: str) -> tuple[int, int | None]:
    """The padded axis (the last) and its length."""
    if value.is_tuple:
        raise torch_tuple_error(function)
    return len(value.dims) - 1, value.dims[-1]


def _torch_rank(value: Value, circular: bool) -> None:
    rank = len(value.dims)
    if rank in (2, 3):
        return
    words = (
        f"ValueError: expected 2D or 3D input (got {rank}D input)"
        if circular
        else f"NotImplementedError: Padding size 2 is not supported for {rank}D input tensor."
    )
    raise ChainError(
        f"a 1-D padding module reads (N, C, L) or unbatched (C, L); it gets {torch_dims(value.dims)}",
        "reshape the input to (batch, channels, length)",
        words,
    )


def _pad_step(value: Value, axis: int, left: int, right: int, output: int | None) -> Step:
    return Step(with_length(value, axis, output), slide=Slide(1, pad_left=left, pad_right=right))


def _reading(apply: Any, mode: str) -> Any:
    """The rule, with a note when its padding reads real positions (as the layers after it do)."""

    def noted(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
        step: Step = apply(args, inputs, where)
        padded = step.slide is not None and (step.slide.pad_left > 0 or step.slide.pad_right > 0)
        return step._replace(notes=(*step.notes, PADDING_READS[mode])) if padded else step

    return noted


def _shorter(message: str, hint: str, words: str, too_short: bool = True) -> ChainError:
    return ChainError(message, hint, words, too_short=too_short, argument="padding")


def torch_constant_pad(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """nn.ConstantPad1d / nn.ZeroPad1d: F.pad on the last axis, of a tensor of any rank."""
    (value,) = inputs
    axis, length = _pad_input(value, "pad")
    left, right = _torch_pair(args["padding"])
    output = None if length is None else length + left + right
    # F.pad crops first (narrow), then pads: the crop alone must leave a length of 0 or more
    if length is not None and length + min(left, 0) + min(right, 0) < 0:
        raise _shorter(
            f"the padding ({left}, {right}) crops more than the {length} positions there are",
            "crop less, or give a longer input",
            "RuntimeError: narrow(): length must be non-negative.",
        )
    return _pad_step(value, axis, left, right, output)


def _edge_pad(args: dict[str, Any], inputs: tuple[Value, ...]) -> tuple[Value, int, int | None, int, int]:
    """What reflect and replicate padding check first: the rank, then an empty input."""
    (value,) = inputs
    axis, length = _pad_input(value, "pad")
    left, right = _torch_pair(args["padding"])
    _torch_rank(value, circular=False)
    if length is not None:
        _empty_check(value)
    return value, axis, length, left, right


def torch_reflection_pad(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """nn.ReflectionPad1d: each pad shorter than the input (a reflection does not repeat the edge)."""
    value, axis, length, left, right = _edge_pad(args, inputs)
    if length is None:
        return _pad_step(value, axis, left, right, None)
    if left >= length or right >= length:
        raise _shorter(
            f"reflect padding ({left}, {right}) must be less than the input length {length} on each side",
            f"give an input longer than {max(left, right)} positions, or pad less",
            "RuntimeError: Argument #4: Padding size should be less than the corresponding input dimension, "
            f"but got: padding ({left}, {right}) at dimension {axis} of input {torch_dims(value.dims)}",
        )
    return _pad_step(value, axis, left, right, _at_least_one(length, left, right))


def torch_replication_pad(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """nn.ReplicationPad1d: repeats the edge positions; any padding, at least one position left."""
    value, axis, length, left, right = _edge_pad(args, inputs)
    if length is None:
        return _pad_step(value, axis, left, right, None)
    return _pad_step(value, axis, left, right, _at_least_one(length, left, right))


def _empty_check(value: Value) -> None:
    if value.dims[-1] == 0:
        raise _shorter(
            "reflect and replicate padding need a non-empty input",
            "give the layer before it a longer input",
            "RuntimeError: Expected 2D or 3D (batch mode) tensor with possibly 0 batch size and other "
            f"non-zero dimensions for input, but got: {torch_dims(value.dims)}",
        )


def _at_least_one(length: int, left: int, right: int) -> int:
    output = length + left + right
    if output < 1:
        raise _shorter(
            f"the padding ({left}, {right}) leaves {output} of {length} positions",
            "crop less, or give a longer input",
            f"RuntimeError: input (W: {length}) is too small. Calculated output W: {output}",
        )
    return output


def torch_circular_pad(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """nn.CircularPad1d: wraps around once at most (each pad at most the input length)."""
    (value,) = inputs
    if value.is_tuple:
        raise ChainError(
            "nn.CircularPad1d gets a tuple (what an RNN or return_indices=True gives), not a tensor",
            "take the tensor out first",
            "AttributeError: 'tuple' object has no attribute 'dim'",
        )
    _torch_rank(value, circular=True)  # CircularPad1d checks the rank itself, before F.pad
    axis, length = _pad_input(value, "pad")
    left, right = _torch_pair(args["padding"])
    if length is None:
        return _pad_step(value, axis, left, right, None)
    if left > length or right > length:
        raise _shorter(
            f"circular padding ({left}, {right}) wraps around more than once on an input of {length}",
            f"give an input of at least {max(left, right)} positions, or pad less",
            "RuntimeError: Padding value causes wrapping around more than once.",
        )
    if length + left + right < 0:
        raise _shorter(
            f"the padding ({left}, {right}) crops more than the {length} positions there are",
            "crop less, or give a longer input",
            "RuntimeError: Negative padding value is resulting in an empty dimension",
        )
    _circular_copies(value, length, left, right)
    return _pad_step(value, axis, left, right, length + left + right)


def _slice_length(size: int, start: int, end: int) -> int:
    """ATen's Tensor.slice: negative bounds count from the end, then both are clamped."""
    start, end = (start + size if start < 0 else start), (end + size if end < 0 else end)
    start = min(max(start, 0), size)
    return min(max(end, start), size) - start


def _circular_copies(value: Value, length: int, left: int, right: int) -> None:
    """_pad_circular_symint's three copies; a crop deeper than the input makes their sizes disagree,
    which PyTorch reports as a broadcast error (not as a padding one)."""
    output = length + left + right
    copies = [
        (
            _slice_length(output, max(left, 0), output - max(right, 0)),
            _slice_length(length, max(-left, 0), length - max(-right, 0)),
        )
    ]
    if left > 0:
        wrapped = (output - left - max(right, 0), output - max(right, 0))
        copies.append((_slice_length(output, 0, left), _slice_length(output, *wrapped)))
    if right > 0:
        copies.append(
            (_slice_length(output, output - right, output), _slice_length(output, max(left, 0), max(left, 0) + right))
        )
    for target, source in copies:
        if target == source or source == 1:  # equal, or broadcast from one position
            continue
        shape = [*value.dims[:-1]]
        words = (
            f"output with shape {torch_dims((*shape, target))} doesn't match the broadcast shape "
            f"{torch_dims((*shape, source))}"
            if target == 1  # broadcasting the source onto one position gives the source's size
            else f"The size of tensor a ({target}) must match the size of tensor b ({source}) at non-singleton "
            f"dimension {len(value.dims) - 1}"
        )
        raise _shorter(
            f"circular padding ({left}, {right}) crops deeper than the input of {length} on one side",
            "crop at most the input's length on each side",
            f"RuntimeError: {words}",
        )


_PADDING = params("padding")
RULES = (
    LayerRule(
        "keras", "ZeroPadding1D", params(padding=1, data_format=None), keras_zero_padding, accepts_extra=KERAS_COMMON
    ),
    LayerRule("keras", "Cropping1D", params(cropping=(1, 1)), keras_cropping, accepts_extra=KERAS_COMMON),
    LayerRule("pytorch", "ConstantPad1d", params("padding", "value"), torch_constant_pad),
    LayerRule("pytorch", "ZeroPad1d", _PADDING, torch_constant_pad),
    LayerRule("pytorch", "ReflectionPad1d", _PADDING, _reading(torch_reflection_pad, "reflect")),
    LayerRule("pytorch", "ReplicationPad1d", _PADDING, _reading(torch_replication_pad, "replicate")),
    LayerRule("pytorch", "CircularPad1d", _PADDING, _reading(torch_circular_pad, "circular")),
)
