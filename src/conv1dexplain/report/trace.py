"""trace's records: what the tracer computed for a stretch of steps, for the views to format.

The tracer (conv1dexplain.trace) fills them; the human pages, the stepper and the JSON Lines writer
only format them. Numbers are Python floats, or arrays where a step's outputs are kept whole
(typed loosely here: this package imports no NumPy).
"""

from __future__ import annotations

from typing import Any

from conv1dexplain.records import record


@record(frozen=True)
class Windows:
    """Consecutive steps, as JSON Lines write them: step i is output position first + i."""

    first: int
    input_indices: list[list[int]]  # per step, the position each tap reads (t·s + j·d − pad_left)
    padding_taps: list[tuple[int, ...]]  # per step, the taps that read padding
    filters: list[int]  # the output channels `outputs` holds
    outputs: list[list[float]]  # per step, those channels' outputs (after bias and activation)
    finite: bool  # no NaN or infinity among the outputs (JSON has neither: they are written null)


@record(frozen=True)
class Tap:
    """One tap of the shown filter: what it reads, the kernel's weights, and their dot product."""

    tap: int  # j
    input_index: int
    padding: bool  # the position is padding (values as the padding mode fills it)
    values: list[float]  # the input values the filter reads there (its group's channels)
    weights: list[float]  # kernel[j, :, filter]
    product: float  # values · weights, in float64
    integer_digits: int  # of the largest value or weight in magnitude (the columns' width)


@record(frozen=True)
class Step:
    """One output position: where the window is, what it makes, and the shown filter's arithmetic."""

    output_index: int
    input_indices: list[int]
    padding_taps: list[int]
    outputs: Any  # (F′,) array: every output channel after bias and activation (F′ = F, or F/2 for glu)
    filter_index: int  # the filter whose arithmetic is shown
    first_channel: int  # the input channels that filter reads: first_channel … + channels − 1
    channels: int
    sum: float  # the window · kernel for that filter, before bias
    bias: float | None  # None without a bias
    sum_with_bias: float
    output: float | None  # output[t, filter]; None when the activation halves the filters past it (glu)
    window: Any = None  # (k, C) array: the values read, padding as the padding mode fills it
