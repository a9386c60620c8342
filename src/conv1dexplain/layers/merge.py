"""Keras' merge layers in a model: Concatenate, Add, Subtract, Multiply, Average, Maximum, Minimum
(PyTorch has no merge modules: torch.cat and + are functions, outside an nn.Sequential).

Shapes follow Keras' Merge.build and compute_output_shape: the element-wise merges broadcast their
inputs' dims (batch excluded) from the right, a 1 against any size, an unknown against anything
giving unknown; Concatenate needs every dim but its axis to agree where both are known.

What a merge reads along the sequence: an element-wise merge reads each branch at the same position
(slide IDENTITY; the chain joins the branches' windows); so does a Concatenate on another axis. One on
the sequence axis puts the branches one after another, which no single window describes (slide None).

MACs: a multiply per element for each input after the first of Multiply, one (the 1/n) per element of
Average; additions, comparisons and copies are not multiplications.
"""

from __future__ import annotations

import math
from typing import Any

from conv1dexplain.layers.node import IDENTITY, KERAS_COMMON, ChainError, Context, LayerRule, Step, Value, params
from conv1dexplain.tensor import fmt_shape

Dims = tuple[int | None, ...]


def _mismatch(message: str, hint: str, framework_message: str) -> ChainError:
    return ChainError(message, hint, framework_message, argument=None)


def _pairwise(first: Dims | None, second: Dims) -> Dims:
    """Keras' _compute_elemwise_op_output_shape of two shapes without their batch."""
    if first is None:
        return second
    if len(first) < len(second):
        first, second = second, first
    if not second:
        return first
    out = list(first[: -len(second)])
    for i, j in zip(first[-len(second) :], second, strict=True):
        if i is not None and j is not None and 1 not in (i, j) and i != j:
            raise _mismatch(
                f"the merged inputs' shapes {fmt_shape(first)} and {fmt_shape(second)} differ (batch left out)",
                "merge branches of the same length and channels: check their padding and strides",
                "ValueError: Inputs have incompatible shapes. "
                f"Received shapes {fmt_shape(first)} and {fmt_shape(second)}",
            )
        out.append(None if i is None or j is None else j if i == 1 else i)
    return tuple(out)


def _batch(inputs: tuple[Value, ...], words: str) -> int | None:
    batches = {value.dims[0] for value in inputs if value.dims} - {None}
    if len(batches) > 1:
        shapes = "[" + ", ".join(fmt_shape(value.dims) for value in inputs) + "]"
        raise _mismatch(
            f"the merged inputs have different batch sizes: {shapes}",
            "give every branch the same batch",
            words + shapes,
        )
    return next(iter(batches), None)


def _sequence_axis(inputs: tuple[Value, ...], rank: int) -> int | None:
    longest = max(inputs, key=lambda value: len(value.dims))
    if longest.sequence_axis is None:
        return None
    return longest.sequence_axis - len(longest.dims) + rank  # broadcast from the right


def elementwise(args: dict[str, Any], inputs: tuple[Value, ...], where: Context, *, exactly_two: bool = False) -> Step:
    """Add, Subtract, Multiply, Average, Maximum, Minimum: one output element per broadcast element."""
    batch = _batch(inputs, "ValueError: Cannot merge tensors with different batch sizes. Received tensors with shapes ")
    shape: Dims | None = None
    for value in inputs:
        shape = _pairwise(shape, value.dims[1:])
    if exactly_two and len(inputs) != 2:
        shapes = "[" + ", ".join(fmt_shape(value.dims) for value in inputs) + "]"
        raise _mismatch(
            f"Subtract takes two inputs (the first minus the second); it gets {len(inputs)}",
            "give Subtract()([a, b]) two inputs; for more, Add the negated ones",
            f"ValueError: A `Subtract` layer should be called on exactly 2 inputs. Received: input_shape={shapes}",
        )
    assert shape is not None
    dims = (batch, *shape)
    output = Value(dims, _sequence_axis(inputs, len(dims)))
    known = math.prod(size for size in shape if size is not None) if None not in shape else 0
    per_element = {"Multiply": len(inputs) - 1, "Average": 1}.get(where.call.name, 0)
    return Step(output, macs=known * per_element, slide=IDENTITY)


def subtract(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """The first input minus the second."""
    return elementwise(args, inputs, where, exactly_two=True)


def concatenate(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """The inputs one after another along axis; every other dim must agree where known."""
    axis = args["axis"]
    shapes = [list(value.dims) for value in inputs]
    printed = "[" + ", ".join(fmt_shape(value.dims) for value in inputs) + "]"
    _check_concatenation(shapes, axis, printed)
    first = shapes[0]
    if len(shapes) == 1:  # one input is returned as it is, whatever the axis
        return Step(inputs[0], slide=IDENTITY)
    if not -len(first) <= axis < len(first):
        raise _mismatch(
            f"Concatenate(axis={axis}) joins along axis {axis}; its inputs {printed} have {len(first)} axes",
            "axis=-1 joins the channels of (batch, length, channels); axis=1 the lengths",
            "IndexError: list index out of range",
        )
    total: int | None = first[axis]
    for shape in shapes[1:]:
        if total is None or shape[axis] is None:
            total = None
            break
        total += shape[axis]
    dims = list(first)
    dims[axis] = total
    output = Value(tuple(dims), inputs[0].sequence_axis)
    along_sequence = output.sequence_axis is not None and axis % len(dims) == output.sequence_axis
    notes = ("the branches follow one another along the sequence",) if along_sequence else ()
    return Step(output, slide=None if along_sequence else IDENTITY, notes=notes)


def _check_concatenation(shapes: list[list[int | None]], axis: int, printed: str) -> None:
    """Concatenate.build: each shape without the axis (as Python's del drops it), compared."""
    reduced = set()
    for shape in shapes:
        rest = list(shape)
        if len(rest) > axis:
            if axis < -len(rest):
                raise _mismatch(
                    f"Concatenate(axis={axis}) joins along axis {axis}; its inputs {printed} have {len(rest)} axes",
                    "axis=-1 joins the channels of (batch, length, channels); axis=1 the lengths",
                    "IndexError: list assignment index out of range",
                )
            del rest[axis]
        reduced.add(tuple(rest))
    if len(reduced) == 1:
        return
    ranks = {len(shape) for shape in reduced}
    clash = len(ranks) != 1 or any(len({shape[i] for shape in reduced} - {None}) > 1 for i in range(next(iter(ranks))))
    if clash:
        raise _mismatch(
            f"Concatenate(axis={axis}) needs its inputs {printed} to agree on every axis but {axis}",
            "give the branches the same length (padding='same', equal strides) or join them on the axis they differ",
            "ValueError: A `Concatenate` layer requires inputs with matching shapes except for the concatenation "
            f"axis. Received: input_shape={printed}",
        )


RULES = (
    LayerRule("keras", "Concatenate", params(axis=-1), concatenate, takes_many=True, accepts_extra=KERAS_COMMON),
    LayerRule("keras", "Subtract", params(), subtract, takes_many=True, accepts_extra=KERAS_COMMON),
    *(
        LayerRule("keras", name, params(), elementwise, takes_many=True, accepts_extra=KERAS_COMMON)
        for name in ("Add", "Multiply", "Average", "Maximum", "Minimum")
    ),
)
