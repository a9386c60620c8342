"""Between a model's values and one layer's (batch, length, channels) tensor, and the rank errors
the frameworks raise when a sequence layer gets a tensor of the wrong rank."""

from __future__ import annotations

from typing import Any

from conv1dexplain.layers.node import ChainError, Context, Value
from conv1dexplain.tensor import Tensor, fmt_shape
from conv1dexplain.vocabulary import DataFormat


def as_tensor(value: Value, layout: DataFormat) -> Tensor:
    """A rank-3 value (or PyTorch's unbatched (C, L)) as a Tensor in the layer's layout."""
    dims = value.dims if len(value.dims) == 3 else (None, *value.dims)
    if layout == "channels_last":
        return Tensor(dims[0], dims[1], dims[2], layout)
    return Tensor(dims[0], dims[2], dims[1], layout)


def from_tensor(tensor: Tensor, like: Value) -> Value:
    """The layer's output tensor as a model value, unbatched when its input was."""
    dims = tensor.shape if len(like.dims) == 3 else tensor.shape[1:]
    axis = dims.index(tensor.length) if tensor.layout == "channels_last" else len(dims) - 1
    return Value(dims, len(dims) - 2 if tensor.layout == "channels_last" else axis)


def keras_rank_error(value: Value, where: Context, rank: int, exact: bool = False) -> ChainError:
    """Keras' InputSpec refusal of a tensor whose rank is not `rank` (Keras ≥ 3.13's words;
    `exact`: the layer's spec is ndim=rank, else min_ndim=rank below it)."""
    found = len(value.dims)
    want = f"min_ndim={rank}" if found < rank and not exact else f"ndim={rank}"
    length = channels_axis_length(value)
    hint = (
        "a Conv1D or pooling layer reads (batch, length, channels): add a channels axis, e.g. "
        f"Reshape(({length}, 1)) before it, or Input(shape=({length}, 1))"
        if found < rank
        else "a 1-D layer reads (batch, length, channels): give the input shape without the batch"
    )
    return ChainError(
        f"{where.call.name} needs a rank-{rank} input (batch, length, channels); it gets {fmt_shape(value.dims)}",
        hint,
        f"ValueError: Input 0 with name 'None' of layer '{where.name}' is incompatible with the layer: "
        f"expected {want}, found ndim={found}. Full shape received: {fmt_shape(value.dims)}",
    )


def torch_rank_error(value: Value, function: str) -> ChainError:
    """PyTorch's refusal of a conv or pool input that is neither (C, L) nor (N, C, L)."""
    dims = "[" + ", ".join("N" if d is None else str(d) for d in value.dims) + "]"
    return ChainError(
        f"nn.{function} reads (N, C, L) or unbatched (C, L); it gets {fmt_shape(value.dims)}",
        "reshape the input to (batch, channels, length)",
        f"RuntimeError: Expected 2D (unbatched) or 3D (batched) input to {function}, but got input of size: {dims}",
    )


def torch_allocates(shape: list[int], allocates: bool, name: str) -> None:
    """A module's __init__ allocates a weight (or running statistics) of this shape: a negative size
    fails there, before any input."""
    negative = [size for size in shape if isinstance(size, int) and size < 0]
    if allocates and negative:
        raise ChainError(
            f"{name}={shape[0] if len(shape) == 1 else shape} has a negative size",
            f"give {name} as sizes of 0 or more",
            f"RuntimeError: Trying to create tensor with negative dimension {negative[0]}: {shape}",
            argument=name,
        )


# What reflect, replicate and circular padding make the end windows read (not zeros: real positions,
# so output 0's `reads` range, which counts padding as positions below 0, is not all it depends on).
PADDING_READS = {
    "reflect": "the padding mirrors positions near the ends, so end windows read them twice",
    "replicate": "the padding repeats the end positions, so end windows read them again",
    "circular": "the padding wraps around, so end windows read the other end",
}


def channels_axis_length(value: Value) -> str:
    """The length a (batch, length) value gets a channels axis for, in a hint: 50, or `length`."""
    last = value.dims[-1] if len(value.dims) == 2 else None
    return "length" if last is None else str(last)


def torch_padded_dims(dims: tuple[int | None, ...], args: dict[str, Any]) -> tuple[int | None, ...]:
    """An nn.Conv1d's input as its convolution op sees it, in PyTorch's messages: padded first by F.pad when the
    padding mode is not zeros; by one more on the right for 'same' with an odd total padding."""
    length, padding, total = dims[-1], args["padding"], args["dilation"] * (args["kernel_size"] - 1)
    if length is None or not isinstance(padding, int | str) or isinstance(padding, bool):
        return dims
    if args["padding_mode"] != "zeros":
        length += total if padding == "same" else 2 * padding if isinstance(padding, int) else 0
    elif padding == "same" and total % 2:
        length += 1
    return (*dims[:-1], length)


def torch_dims(dims: tuple[int | None, ...]) -> str:
    """A shape as PyTorch prints a size: [2, 4, 5] (N for an unknown batch)."""
    return "[" + ", ".join("N" if size is None else str(size) for size in dims) + "]"
