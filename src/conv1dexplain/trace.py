"""`trace`: the sliding window of one example, step by step, computed in vectorised chunks.

Memory does not grow with the sequence: a file's rows are read chunk by chunk (a .npy is
memory-mapped), and seeded random data is drawn as it is read — the same numbers `run` draws.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray

from conv1dexplain.activations import activation_function
from conv1dexplain.budget import human_bytes
from conv1dexplain.engine import convolve
from conv1dexplain.errors import DataError, SpecError
from conv1dexplain.geometry import Axis
from conv1dexplain.padding_rows import source_rows
from conv1dexplain.random_data import LazyNormal
from conv1dexplain.records import record
from conv1dexplain.report.trace import Step, Tap, Windows
from conv1dexplain.runner import Prepared
from conv1dexplain.running import engine_kernel, run_plan
from conv1dexplain.trace_rows import ArrayRows, LazyRows
from conv1dexplain.trace_steps import check_steppable
from conv1dexplain.vocabulary import AXIS_WISE

Array = NDArray[np.floating]
CHUNK = 2048  # output positions computed at once (at most)
CHUNK_BYTES = 32 << 20  # rows and outputs one chunk holds


@record(frozen=True)
class Chunk:
    """Output positions t0 … t0+n−1 of one example: the rows read, sums, and outputs.

    Row `row_step·(t − t0) + tap_step·j` of `rows` is what tap j of step t reads.
    """

    t0: int
    rows: NDArray[Any]  # every row the chunk's windows read (padding included), or the windows side by side
    row_step: int  # rows from one step's first tap to the next step's: s, or k for windows side by side
    tap_step: int  # rows from one tap to the next: d, or 1 for windows side by side
    sums: Array  # (n, F): window · kernel, before bias
    outputs: Array  # (n, F′): after bias and activation (F′ = F, or F/2 for glu)


def rows_read(axis: Axis, count: int) -> int:
    """Rows a chunk of `count` steps holds: the stretch its windows cover, or its windows side by
    side when that is fewer (a dilation or stride larger than the kernel leaves rows unread)."""
    return min((count - 1) * axis.strides + axis.span, count * axis.kernel_size)


def chunk_size(axis: Axis, row_bytes: int, step_bytes: int, chunk: int = CHUNK, chunk_bytes: int = CHUNK_BYTES) -> int:
    """Steps a chunk computes: `chunk`, halved until its rows and its outputs (step_bytes a step)
    fit `chunk_bytes`, down to one step (whose window and outputs may not fit, but are no larger
    than the kernel, which is held anyway)."""
    size = max(1, min(chunk, axis.output_length))
    while size > 1 and rows_read(axis, size) * row_bytes + size * step_bytes > chunk_bytes:
        size //= 2
    return size


class Tracer:
    """Steps of one example of a prepared layer, in chunks.

    The chunks start at fixed multiples of one size from position 0, whatever steps are asked
    for, and compute every filter: a position's numbers come from the same product whatever
    --steps and --filter select (a product of another shape may round differently).
    """

    def __init__(
        self,
        ready: Prepared,
        example: int = 0,
        random_access: bool = False,
        *,
        chunk: int = CHUNK,
        chunk_bytes: int = CHUNK_BYTES,
    ) -> None:
        plan = ready.plan
        self.plan, self.config, self.axis = plan, plan.config, plan.axis
        self.dtype = ready.dtype
        x = ready.x
        batch = x.shape[0] if x.ndim == 3 else 1
        if batch == 0:
            raise DataError(
                "the input holds no example (its batch is 0): there is no window to step",
                "give data with at least one example; `run` computes an empty batch",
            )
        if not 0 <= example < batch:
            raise SpecError(
                f"--example {example} is out of range: the batch has {batch} example(s)",
                f"use --example 0 … {batch - 1}",
            )
        check_steppable(plan.config)
        channels_last = self.config.data_format == "channels_last"
        self.kernel = engine_kernel(plan, ready.kernel, self.dtype)
        self.bias = np.zeros(self.config.filters, self.dtype) if ready.bias is None else ready.bias.astype(self.dtype)
        self.activation: Callable[[Array], Array] | None = activation_function(self.config.activation)
        # a step's outputs: its sums, with bias, after the activation
        step_bytes = 3 * self.config.filters * self.dtype.itemsize
        row_bytes = self.plan.input_channels * self.dtype.itemsize
        self.size = chunk_size(self.axis, row_bytes, step_bytes, chunk, chunk_bytes)
        # softmax & co. along the length (channels_first) read every position at once: only that
        # case holds the whole example.
        whole_example = self.activation_axis == "length"
        self.whole: Array | None = None
        if isinstance(x, LazyNormal) and not (random_access or whole_example):
            head = (self.axis.pad_right if self.config.padding_mode == "circular" else 0) + 1
            tail = self.axis.pad_left if self.config.padding_mode == "circular" else 0
            self._check_stream(x, head + tail)
            self.reader: ArrayRows | LazyRows = LazyRows(x, example, channels_last, head, tail)
        else:
            array = x.materialize() if isinstance(x, LazyNormal) else x
            one = array[example] if array.ndim == 3 else array
            self.reader = ArrayRows(one if channels_last else one.T)
            if whole_example:
                whole = run_plan(plan, one[None], ready.kernel, ready.bias, self.dtype, finite=True)
                self.whole = whole[0].T  # (L_out, F′)
        self._cache: Chunk | None = None

    def _check_stream(self, lazy: LazyNormal, kept: int) -> None:
        """Refuse drawn data whose windows keep more rows of the stream at once than the budget:
        the stream runs forward only, so rows from a chunk's first tap to its last are held, and
        `kept` rows more (the ends that circular padding wraps around to)."""
        axis = self.axis
        held_rows = min(axis.length, (self.size - 1) * axis.strides + axis.span + kept)
        size = held_rows * self.plan.input_channels * self.dtype.itemsize
        if size > lazy.max_bytes:
            raise DataError(
                f"the drawn input's rows held at once ({held_rows:,} × {self.plan.input_channels}) would take "
                f"{human_bytes(size)}, over the {human_bytes(lazy.max_bytes)} budget",
                "save the data as .npy and trace it with --data FILE.npy (read in place, row by row), "
                "or raise --max-bytes",
            )

    @property
    def output_length(self) -> int:
        return self.axis.output_length

    @property
    def activation_axis(self) -> str | None:
        """The output axis a whole-axis activation (softmax & co.) reads: Keras' last, which is the
        channels in channels_last (one window a step) and the length in channels_first (every window)."""
        if self.config.activation not in AXIS_WISE:
            return None
        return "channels" if self.config.data_format == "channels_last" else "length"

    def _chunk(self, t0: int) -> Chunk:
        """The chunk starting at t0 (a multiple of self.size)."""
        axis = self.axis
        t1 = min(self.output_length, t0 + self.size)
        count = t1 - t0
        first = t0 * axis.strides - axis.pad_left
        if (count - 1) * axis.strides + axis.span <= count * axis.kernel_size:  # the stretch the windows cover
            positions = np.arange(first, first + (count - 1) * axis.strides + axis.span)
            row_step, tap_step = axis.strides, axis.dilation_rate
        else:  # only the rows the taps read, window after window
            steps = np.arange(count)[:, None] * axis.strides
            positions = (first + steps + np.arange(axis.kernel_size) * axis.dilation_rate).reshape(-1)
            row_step, tap_step = axis.kernel_size, 1
        sources = source_rows(positions, axis.length, self.config.padding_mode)
        rows = np.zeros((positions.size, self.plan.input_channels), self.dtype)
        real = sources >= 0
        if real.any():
            wanted, where = np.unique(sources[real], return_inverse=True)  # each row read once, in order
            rows[real] = self.reader.rows(wanted)[where]
        # finite: prepare() refused NaN and infinity in the data
        sums = convolve(
            rows[None], self.kernel, strides=row_step, dilation_rate=tap_step, groups=self.config.groups, finite=True
        )[0]
        if self.whole is not None:
            outputs = self.whole[t0:t1]
        else:
            pre = sums + self.bias
            outputs = pre if self.activation is None else self.activation(pre)
        self.reader.release(max(0, t1 * axis.strides - axis.pad_left))
        return Chunk(t0, rows, row_step, tap_step, sums, outputs)

    def chunks(self, start: int, stop: int) -> Iterator[tuple[Chunk, int, int]]:
        """The chunks holding output positions start … stop−1, in order, each with the part of it wanted."""
        for t0 in range(start - start % self.size, stop, self.size):
            chunk = self._chunk(t0)
            yield chunk, max(start, t0) - t0, min(stop, t0 + self.size) - t0

    def windows(self, start: int, stop: int, filter_index: int | None) -> Iterator[Windows]:
        """Steps start … stop−1 chunk by chunk, as JSON Lines write them: positions, padding taps,
        and the outputs of every filter, or of filter_index alone."""
        axis = self.axis
        taps = np.arange(axis.kernel_size) * axis.dilation_rate
        for chunk, lo, hi in self.chunks(start, stop):
            first = chunk.t0 + lo
            outputs = chunk.outputs[lo:hi]
            if filter_index is None:
                filters = list(range(outputs.shape[1]))
            else:
                outputs, filters = outputs[:, filter_index : filter_index + 1], [filter_index]
            # the whole chunk at once: window positions t·s + j·d − pad_left, and which of them are padding
            positions = (np.arange(first, chunk.t0 + hi)[:, None] * axis.strides + taps) - axis.pad_left
            padding = (positions < 0) | (positions >= axis.length)
            padding_taps: list[tuple[int, ...]] = [()] * (hi - lo)  # (most windows read none)
            for i in np.flatnonzero(padding.any(axis=1)).tolist():
                padding_taps[i] = tuple(np.flatnonzero(padding[i]).tolist())
            finite = bool(np.isfinite(outputs).all())
            yield Windows(first, positions.tolist(), padding_taps, filters, outputs.tolist(), finite)

    def _step(self, chunk: Chunk, t: int, filter_index: int) -> Step:
        """Step t, cut out of the chunk holding it, with filter_index's sum and bias."""
        spec, i = self.config, t - chunk.t0
        taps = [i * chunk.row_step + j * chunk.tap_step for j in range(self.axis.kernel_size)]
        outputs = chunk.outputs[i]
        total = float(chunk.sums[i, filter_index])
        bias = float(self.bias[filter_index]) if spec.use_bias else None
        group = filter_index // (spec.filters // spec.groups)
        return Step(
            output_index=t,
            input_indices=self.axis.input_positions(t),
            padding_taps=self.axis.padding_taps(t),
            outputs=outputs,
            filter_index=filter_index,
            first_channel=group * self.plan.channels_per_group,
            channels=self.plan.channels_per_group,
            sum=total,
            bias=bias,
            sum_with_bias=total if bias is None else total + bias,
            output=float(outputs[filter_index]) if filter_index < outputs.shape[0] else None,
            window=chunk.rows[taps],
        )

    def steps(self, start: int, stop: int, filter_index: int = 0) -> Iterator[Step]:
        """Every step from start to stop−1, computed chunk by chunk, filter_index's arithmetic shown."""
        for chunk, lo, hi in self.chunks(start, stop):
            for i in range(lo, hi):
                yield self._step(chunk, chunk.t0 + i, filter_index)

    def step(self, t: int, filter_index: int = 0) -> Step:
        """One step, for going back and forth (needs random access: an array, not a lazy stream)."""
        t0 = t - t % self.size
        if self._cache is None or self._cache.t0 != t0:
            self._cache = self._chunk(t0)
        return self._step(self._cache, t, filter_index)

    def taps(self, step: Step, listed: list[int]) -> list[Tap]:
        """The shown filter's arithmetic at the listed taps of a step: values, weights, dot product."""
        channels = slice(step.first_channel, step.first_channel + step.channels)
        found = []
        for j in listed:
            values = step.window[j, channels]
            weights = self.kernel[j, :, step.filter_index]
            product = float(values.astype("float64") @ weights.astype("float64"))
            largest = max(values.max(), -values.min(), weights.max(), -weights.min(), key=abs)
            digits = len(str(int(abs(largest))))
            padding = j in step.padding_taps
            found.append(Tap(j, step.input_indices[j], padding, values.tolist(), weights.tolist(), product, digits))
        return found
