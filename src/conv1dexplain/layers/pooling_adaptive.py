"""PyTorch's adaptive pooling in a model: nn.AdaptiveMaxPool1d and nn.AdaptiveAvgPool1d.

Output i reads inputs floor(i·L/O) to ceil((i+1)·L/O) − 1, so the windows vary unless O divides L
(windows of L/O, stride L/O) or L divides O (each output reads one input). MACs: 0, as pooling.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from conv1dexplain.layers.node import ChainError, Context, LayerRule, Slide, Step, Value, params
from conv1dexplain.layers.pooling_values import torch_tuple_error, with_length
from conv1dexplain.layers.sequence import torch_dims


def _output_size(value: Any, function: str, rank_ok: bool) -> int | None:
    """output_size as the argument parser takes it (an int or a list of ints, else a TypeError),
    then as ATen checks it, after the input's rank (None: that check is still to come)."""
    if isinstance(value, tuple | list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        if len(value) == 1:
            return int(value[0])
        if not rank_ok:
            return None
        words = f"RuntimeError: {function}() argument 'output_size' should contain one int (got {len(value)})"
    elif isinstance(value, int) and not isinstance(value, bool):
        return value
    else:
        words = (
            f"TypeError: {function}(): argument 'output_size' (position 2) must be tuple of ints, "
            f"not {type(value).__name__}"
        )
    raise ChainError(f"output_size must be one int, got {value!r}", "give output_size=…", words)


def _check_rank(value: Value, function: str) -> None:
    if len(value.dims) not in (2, 3):
        raise ChainError(
            f"nn.{_module(function)} reads (N, C, L) or unbatched (C, L); it gets {torch_dims(value.dims)}",
            "reshape the input to (batch, channels, length)",
            f"RuntimeError: Expected 2 to 3 dimensions, but got {len(value.dims)}-dimensional tensor for "
            f"argument #1 'self' (while checking arguments for {function})",
        )


def _check_input(value: Value, output: int, function: str) -> None:
    if output < 0:
        inner = [*value.dims[:-1], 1, output]
        words = (
            f"RuntimeError: Trying to create tensor with negative dimension {output}: {torch_dims(tuple(inner))}"
            if "max" in function
            else f"RuntimeError: adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 "
            f"but received {{1, {output}}}"
        )
        raise ChainError(f"output_size must be 0 or more, got {output}", "give output_size=1 or more", words)
    if value.dims[-1] == 0:
        raise ChainError(
            f"{function} gets an empty sequence (length 0)",
            "give the layer before it a longer input",
            f"RuntimeError: {function}(): Expected input to have non-zero size for non-batch dimensions, but "
            f"input has sizes {torch_dims(value.dims)} with dimension {len(value.dims) - 1} being empty",
            too_short=True,
        )


def _module(function: str) -> str:
    return "AdaptiveMaxPool1d" if "max" in function else "AdaptiveAvgPool1d"


def adaptive_slide(length: int | None, output: int) -> tuple[Slide | None, tuple[str, ...]]:
    """The windows of an adaptive pool as a Slide where they are all alike, else None and a note."""
    if length is not None and output > 0 and length % output == 0:
        return Slide(length // output, Fraction(length // output)), ()
    if length and output > 0 and output % length == 0:
        return Slide(1, Fraction(length, output)), ()
    return None, ("adaptive windows vary: output i reads inputs ⌊i·L/O⌋ to ⌈(i+1)·L/O⌉−1",)


def _adaptive(value: Value, output_size: Any, function: str) -> Step:
    if value.is_tuple:  # the argument parser reads the input before output_size
        raise torch_tuple_error(function)
    _output_size(output_size, function, rank_ok=False)
    _check_rank(value, function)
    output = _output_size(output_size, function, rank_ok=True)
    assert output is not None
    _check_input(value, output, function)
    axis = len(value.dims) - 1
    slide, notes = adaptive_slide(value.dims[axis], output)
    return Step(with_length(value, axis, output), slide=slide, windowed=slide is not None, notes=notes)


def torch_adaptive_max(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """nn.AdaptiveMaxPool1d: output_size positions; return_indices makes its output a tuple."""
    (value,) = inputs
    step = _adaptive(value, args["output_size"], "adaptive_max_pool1d")
    if args["return_indices"]:
        tupled = Value(step.output.dims, step.output.sequence_axis, is_tuple=True)
        notes = (*step.notes, "returns (output, indices): a tuple")
        return Step(tupled, slide=step.slide, windowed=step.windowed, notes=notes)
    return step


def torch_adaptive_avg(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """nn.AdaptiveAvgPool1d: output_size positions, each the mean of its window."""
    (value,) = inputs
    return _adaptive(value, args["output_size"], "adaptive_avg_pool1d")


RULES = (
    LayerRule("pytorch", "AdaptiveMaxPool1d", params("output_size", return_indices=False), torch_adaptive_max),
    LayerRule("pytorch", "AdaptiveAvgPool1d", params("output_size"), torch_adaptive_avg),
)
