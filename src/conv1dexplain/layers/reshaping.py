"""Layers that only rearrange a tensor: keras Flatten, Reshape, Permute, RepeatVector; torch
nn.Flatten and nn.Unflatten. No parameters, no multiply-adds; where the sequence axis goes."""

from __future__ import annotations

import math
from typing import Any

from conv1dexplain.layers.node import (
    IDENTITY,
    KERAS_COMMON,
    TORCH_COMMON,
    ChainError,
    Context,
    Dims,
    LayerRule,
    Step,
    Value,
    params,
)
from conv1dexplain.layers.sequence import keras_rank_error
from conv1dexplain.tensor import fmt_shape


def _product(dims: Dims) -> int | None:
    return None if None in dims else math.prod(d for d in dims if d is not None)


def keras_flatten(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    (value,) = inputs
    if len(value.dims) < 2:
        raise keras_rank_error(value, where, 2)
    return Step(Value((value.dims[0], _product(value.dims[1:])), None), slide=None)


def torch_flatten(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    (value,) = inputs
    rank = len(value.dims)
    start, end = args["start_dim"], args["end_dim"]
    first, last = (start + rank if start < 0 else start), (end + rank if end < 0 else end)
    for given in (start, end):
        if not -rank <= given < rank:
            raise ChainError(
                f"nn.Flatten's dim {given} is not an axis of its input {fmt_shape(value.dims)}",
                f"use dims from {-rank} to {rank - 1}",
                f"IndexError: Dimension out of range (expected to be in range of [{-rank}, {rank - 1}], "
                f"but got {given})",
            )
    if first > last:
        raise ChainError(
            f"nn.Flatten's start_dim {start} comes after its end_dim {end}",
            "give start_dim ≤ end_dim",
            "RuntimeError: flatten() has invalid args: start_dim cannot come after end_dim",
        )
    dims = (*value.dims[:first], _product(value.dims[first : last + 1]), *value.dims[last + 1 :])
    axis = value.sequence_axis
    if first == 0 and last > 0 and value.dims[0] is None:  # (the batch flattened in: its size decides)
        each = _product(value.dims[1 : last + 1])
        note = f"start_dim=0 flattens the batch in: a batch of N gives N·{each} values on one axis"
        return Step(Value(dims, None), slide=None, notes=(note,))
    if axis is None or (first <= axis <= last and first != last):
        return Step(Value(dims, None), slide=None)
    moved = axis if axis < first else axis - (last - first)
    return Step(Value(dims, moved))


def torch_unflatten(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    (value,) = inputs
    rank = len(value.dims)
    dim = args["dim"]
    axis = dim + rank if dim < 0 else dim
    if not 0 <= axis < rank:
        raise ChainError(
            f"nn.Unflatten's dim {dim} is not an axis of its input {fmt_shape(value.dims)}",
            f"use a dim from {-rank} to {rank - 1}",
            f"IndexError: Dimension out of range (expected to be in range of [{-rank}, {rank - 1}], but got {dim})",
        )
    sizes = _unflattened(tuple(args["unflattened_size"]), value.dims[axis], axis)
    dims = (*value.dims[:axis], *sizes, *value.dims[axis + 1 :])
    sequence = value.sequence_axis
    if sequence is None or sequence == axis:
        return Step(Value(dims, None), slide=None)
    return Step(Value(dims, sequence if sequence < axis else sequence + len(sizes) - 1))


def _unflattened(given: tuple[int, ...], size: int | None, dim: int) -> tuple[int | None, ...]:
    """The sizes with a −1 worked out, or PyTorch's refusal when they do not multiply to size."""
    known = math.prod(s for s in given if s != -1)
    if size is None:
        return tuple(None if s == -1 else s for s in given)
    sizes = tuple(size // known if s == -1 else s for s in given) if -1 in given and known else given
    if math.prod(sizes) != size:
        raise ChainError(
            f"nn.Unflatten's sizes {list(given)} do not multiply to {size}, the size of its axis",
            f"give sizes whose product is {size}",
            f"RuntimeError: unflatten: Provided sizes {list(given)} don't multiply up to "
            f"the size of dim {dim} ({size}) in the input tensor",
            too_short=-1 not in given and size < math.prod(given),  # (for the length search)
            too_long=-1 not in given and size > math.prod(given),
        )
    return sizes


def keras_reshape(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    (value,) = inputs
    given = args["target_shape"]
    target = _target(value, tuple(given) if isinstance(given, tuple | list) else (given,))
    dims = (value.dims[0], *target)
    keeps = value.sequence_axis == 1 and len(dims) >= 3 and dims[1] == value.dims[1] and dims[1] is not None
    if keeps:  # the positions stay where they were: each keeps its own features
        return Step(Value(dims, 1))
    return Step(Value(dims, 1 if len(dims) == 3 else None), slide=None)


def _target(value: Value, target: tuple[int, ...]) -> tuple[int | None, ...]:
    """Reshape's target with a −1 worked out (None when the size is unknown), or Keras' refusal."""
    size = _product(value.dims[1:])
    known = math.prod(d for d in target if d != -1)
    if size is None:
        return tuple(None if d == -1 else d for d in target)
    if -1 in target:
        if known == 0 or size % known:
            raise _reshape_error(value, target, divided=True)
        return tuple(size // known if d == -1 else d for d in target)
    if known != size:
        raise _reshape_error(value, target, divided=False)
    return target


def keras_reshape_construct(args: dict[str, Any], rules: Any) -> None:
    """Reshape.__init__ takes a tuple with at most one −1."""
    target = args["target_shape"]
    if not isinstance(target, tuple | list):
        raise ChainError(
            f"Reshape's target_shape {target!r} is not a tuple",
            f"write it as a tuple: Reshape(({target!r},))",
            f"TypeError: '{type(target).__name__}' object is not iterable",
            argument="target_shape",
        )
    if list(target).count(-1) > 1:
        raise ChainError(
            f"Reshape{tuple(target)} has more than one -1",
            "give every size but one (-1 for that one)",
            "ValueError: There must be at most one unknown dimension (-1) in `target_shape`. "
            f"Received: target_shape={tuple(target)}.",
            argument="target_shape",
        )


def keras_repeat_vector_construct(args: dict[str, Any], rules: Any) -> None:
    n = args["n"]
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ChainError(
            f"RepeatVector({n!r}) repeats a whole number of times, 1 or more",
            "give n ≥ 1",
            f"ValueError: Argument `n` should be a positive integer. Received: n={n!r}",
            argument="n",
        )


def torch_unflatten_construct(args: dict[str, Any], rules: Any) -> None:
    sizes = args["unflattened_size"]
    if not isinstance(sizes, tuple | list):
        raise ChainError(
            f"nn.Unflatten's unflattened_size {sizes!r} is not a tuple",
            f"write it as a tuple: ({sizes!r},)",
            f"TypeError: unflattened_size must be a tuple of ints, but found type {type(sizes).__name__}",
            argument="unflattened_size",
        )


def _reshape_error(value: Value, target: tuple[int, ...], divided: bool) -> ChainError:
    but = ", however, the input size cannot by divided by the specified dimensions in target_shape" if divided else ""
    size, wanted = _product(value.dims[1:]) or 0, math.prod(target)
    return ChainError(
        f"Reshape{target} does not hold the {_product(value.dims[1:])} numbers of {fmt_shape(value.dims)} per example",
        "give a target_shape with the same number of values (-1 for the one to work out)",
        "ValueError: Exception encountered when calling Reshape.call(). "
        f"The total size of the tensor must be unchanged{but}. Received: "
        f"input_shape={fmt_shape(value.dims[1:])}, target_shape={fmt_shape(target)}",
        too_short=not divided and size < wanted,  # (for the length search: a size that comes from the length)
        too_long=not divided and size > wanted,
    )


def keras_permute(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    (value,) = inputs
    order = tuple(args["dims"])
    if sorted(order) != list(range(1, len(order) + 1)):
        raise ChainError(
            f"Permute{order} is not an order of the axes 1 to {len(order)}",
            "list each axis after the batch once, counting from 1: Permute((2, 1))",
            "ValueError: Invalid permutation argument `dims` for Permute Layer. The set of indices in `dims` must "
            f"be consecutive and start from 1. Received dims={order}",
        )
    if len(order) != len(value.dims) - 1:
        raise keras_rank_error(value, where, len(order) + 1, exact=True)
    dims = (value.dims[0], *(value.dims[axis] for axis in order))
    axis = value.sequence_axis
    return Step(Value(dims, None if axis is None else order.index(axis) + 1), slide=IDENTITY)


def keras_repeat_vector(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    (value,) = inputs
    if len(value.dims) != 2:
        raise keras_rank_error(value, where, 2, exact=True)
    return Step(Value((value.dims[0], args["n"], value.dims[1]), 1), slide=None)


RULES = (
    LayerRule("keras", "Flatten", params(data_format=None), keras_flatten, accepts_extra=KERAS_COMMON),
    LayerRule("pytorch", "Flatten", params(start_dim=1, end_dim=-1), torch_flatten, accepts_extra=TORCH_COMMON),
    LayerRule(
        "pytorch",
        "Unflatten",
        params("dim", "unflattened_size"),
        torch_unflatten,
        accepts_extra=TORCH_COMMON,
        construct=torch_unflatten_construct,
    ),
    LayerRule(
        "keras",
        "Reshape",
        params("target_shape"),
        keras_reshape,
        accepts_extra=KERAS_COMMON,
        construct=keras_reshape_construct,
    ),
    LayerRule("keras", "Permute", params("dims"), keras_permute, accepts_extra=KERAS_COMMON),
    LayerRule(
        "keras",
        "RepeatVector",
        params("n"),
        keras_repeat_vector,
        accepts_extra=KERAS_COMMON,
        construct=keras_repeat_vector_construct,
    ),
)
