"""What the pooling, padding and resizing layers share: their integer arguments, the value's
sequence axis, and the refusals Keras' InputSpec(ndim=3) and PyTorch's functions give."""

from __future__ import annotations

from typing import Any

from conv1dexplain.layers.node import ChainError, Context, Value
from conv1dexplain.layers.sequence import channels_axis_length
from conv1dexplain.tensor import fmt_shape


def one_int(value: Any) -> int | None:
    """An int, or the int of a 1-tuple or 1-list (None for anything else, bools included)."""
    if isinstance(value, tuple | list) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def int_pair(value: Any) -> tuple[int, int] | None:
    """An int (both sides) or a pair of ints (left, right); None for anything else."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value, value
    if isinstance(value, tuple | list) and len(value) == 2:
        left, right = value
        if all(isinstance(v, int) and not isinstance(v, bool) for v in (left, right)):
            return left, right
    return None


def keras_sequence_axis(layout: str) -> int:
    """The length's index in a Keras (batch, length, channels) or (batch, channels, length) value."""
    return 1 if layout == "channels_last" else 2


def with_length(value: Value, axis: int, length: int | None) -> Value:
    """The value with another length on its sequence axis."""
    dims = list(value.dims)
    dims[axis] = length
    return Value(tuple(dims), axis)


def keras_ndim_error(value: Value, where: Context) -> ChainError:
    """Keras 3's InputSpec(ndim=3) refusal (pooling, padding, cropping and upsampling layers)."""
    found = len(value.dims)
    hint = (
        "these 1-D layers read (batch, length, channels): add a channels axis, e.g. "
        f"Reshape(({channels_axis_length(value)}, 1)) before it"
        if found < 3
        else "these 1-D layers read (batch, length, channels): give the input shape without the batch"
    )
    return ChainError(
        f"{where.call.name} needs a rank-3 input (batch, length, channels); it gets {fmt_shape(value.dims)}",
        hint,
        f"ValueError: Input 0 with name 'None' of layer '{where.name}' is incompatible with the layer: "
        f"expected ndim=3, found ndim={found}. Full shape received: {fmt_shape(value.dims)}",
    )


def torch_tuple_error(function: str) -> ChainError:
    """What a PyTorch function says when the previous module gave it a tuple (an RNN, return_indices)."""
    return ChainError(
        f"{function} gets a tuple (what an RNN or return_indices=True gives), not a tensor",
        "take the tensor out first: a module that returns output[0], or return_indices=False",
        f"TypeError: {function}(): argument 'input' (position 1) must be Tensor, not tuple",
    )
