"""Receptive fields where positions map unevenly onto the model's input: after an upsampling or a
transposed convolution (a stride below 1), neighbouring positions read overlapping runs of input
positions of varying length, so a window of k positions covers a varying number of them. Forward
arithmetic (field + (k − 1) · jump, with a fractional jump) gives an average, not the most; here
each output position's reads are traced back layer by layer, over one period of the pattern.

Where the pattern is even again (every position t reads first + t·jump … + field − 1, as after a
stride that undoes the upsampling), the row's reach is even and tracing stops there.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

_MOST_STEPS = 2_000_000  # tracing work per model (positions × layers): past it, the even estimate


class Tracer:
    """Traces positions of a model's rows back to the model's input. `rows[i]` has `.inputs` (row
    indices, −1 the input) and `.step.slide`; `even[i]` is row i's reach when its positions are even."""

    def __init__(self, rows: Sequence[Any], even: dict[int, Any]) -> None:
        self.rows, self.even, self.steps = rows, even, 0

    def reads(self, index: int, position: int) -> tuple[int, int] | None:
        """The first and last model-input positions that `position` of row `index` reads (None:
        none, as an output of a transposed conv whose taps all miss the input grid). The positions
        read are followed as sets through the uneven rows (a dilated window over a transposed
        conv's empty outputs reads fewer than its span), as ends through the even ones."""
        pending: dict[int, set[int]] = {index: {position}}
        first, last = math.inf, -math.inf
        for i in range(index, -1, -1):
            if i not in pending:
                continue
            outputs = pending.pop(i)
            self.steps += len(outputs)
            if i in self.even:
                reach = self.even[i]
                first = min(first, reach.first + min(outputs) * reach.jump)
                last = max(last, reach.first + max(outputs) * reach.jump + reach.field - 1)
                continue
            read = _inputs(self.rows[i].step.slide, outputs)
            for source in self.rows[i].inputs if read else ():
                if source < 0:
                    first, last = min(first, min(read)), max(last, max(read))
                else:
                    pending.setdefault(source, set()).update(read)
        return None if first > last else (int(first), int(last))

    def period(self, index: int) -> int:
        """A number of positions after which row `index`'s pattern repeats: the product of the
        denominators of the uneven strides it is traced through (each shifts by whole positions)."""
        period, seen, pending = 1, set(), [index]
        while pending:
            i = pending.pop()
            if i < 0 or i in seen or i in self.even:
                continue
            seen.add(i)
            period *= self.rows[i].step.slide.stride.denominator  # (an int's is 1: no fractions imported)
            pending.extend(self.rows[i].inputs)
        return period

    def exact(self, index: int) -> tuple[int, tuple[int, int], tuple[int, int, int] | None] | None:
        """The most model-input positions one position of row `index` reads, what position 0 reads,
        and (field, jump, first) when the row's positions are even; None past the work budget."""
        period = self.period(index)
        if self.steps > _MOST_STEPS:
            return None
        spans = [self.reads(index, t) for t in range(2 * period)]
        known = [span for span in spans if span is not None]
        if spans[0] is None or not known:  # (output 0 reads nothing: the even estimate)
            return None
        field = max(last - first + 1 for first, last in known)
        start, jump = spans[0][0], (spans[period] or spans[0])[0] - spans[0][0]
        even = jump % period == 0 and all(
            span == (start + t * jump // period, start + t * jump // period + field - 1) for t, span in enumerate(spans)
        )
        return field, spans[0], (field, jump // period, start) if even else None


def _inputs(slide: Any, outputs: set[int]) -> set[int]:
    """The input positions these outputs of a layer read."""
    if slide.transposed is None:  # output t reads t·stride − pad_left + j·dilation, j < size (floored)
        taps = range(-slide.pad_left, -slide.pad_left + slide.size * slide.dilation, slide.dilation)
        return {math.floor(o * slide.stride) + tap for o in outputs for tap in taps}
    kernel, stride, dilation, crop = slide.transposed  # output o reads input i when i·s + j·d − crop = o
    return {
        (o + crop - j * dilation) // stride
        for o in outputs
        for j in range(kernel)
        if (o + crop - j * dilation) % stride == 0
    }
