"""`trace`: the sliding window of one example, step by step, computed in vectorised chunks.

Memory does not grow with the sequence: a file's rows are read chunk by chunk (a .npy is
memory-mapped), and seeded random data is drawn as it is read — the same numbers `run` draws.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
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
from conv1dexplain.runner import Prepared
from conv1dexplain.running import engine_kernel, run_plan
from conv1dexplain.trace_steps import check_steppable
from conv1dexplain.vocabulary import AXIS_WISE

Array = NDArray[np.floating]
CHUNK = 2048  # output positions computed at once (at most)
CHUNK_BYTES = 32 << 20  # rows and outputs one chunk holds


class ArrayRows:
    """Rows (positions × channels) of one example held in an array or a memory map."""

    def __init__(self, example: NDArray[Any]) -> None:
        self.example = example  # (L, C), maybe a transposed view of (C, L)

    def rows(self, indices: NDArray[np.int64]) -> NDArray[Any]:
        if indices.size and indices[-1] - indices[0] + 1 == indices.size:  # contiguous: a slice reads less
            return np.asarray(self.example[indices[0] : indices[-1] + 1])
        return np.asarray(self.example[indices])

    def release(self, below: int) -> None:
        """Nothing to free: the array is the caller's."""


class LazyRows:
    """Rows of one example of seeded standard-normal data, drawn in order as they are asked for.

    The draw is the one `run` makes for the whole array (row-major), so the numbers are the same.
    Channels-first data is one stream per channel. The first `head` and last `tail` rows are kept
    apart for padding that wraps around (circular) or repeats the first row (replicate).
    """

    def __init__(self, lazy: LazyNormal, example: int, channels_last: bool, head: int, tail: int) -> None:
        shape = lazy.shape[1:] if len(lazy.shape) == 3 else lazy.shape
        self.length, self.channels = shape if channels_last else shape[::-1]
        self.dtype, self.seed, self.example, self.channels_last = lazy.dtype, lazy.seed, example, channels_last
        self.streams = self._streams(0)
        self.head = self._draw(min(head, self.length), self.streams)
        self.start = self.head.shape[0]  # row index of buffer[0]
        self.buffer = np.empty((0, self.channels), self.dtype)
        tail = min(tail, self.length)  # only circular padding needs it: skip the skipping otherwise
        self.tail = self._draw(tail, self._streams(self.length - tail)) if tail else self.buffer[:0]

    def _streams(self, first_row: int) -> list[np.random.Generator]:
        """Generators positioned at row first_row of this example: one, or one per channel."""
        base = self.example * self.length * self.channels
        if self.channels_last:
            offsets = [base + first_row * self.channels]
        else:
            offsets = [base + c * self.length + first_row for c in range(self.channels)]
        return [self._stream(self.seed, offset) for offset in offsets]

    @staticmethod
    def _stream(seed: int, skip: int) -> np.random.Generator:
        generator = np.random.default_rng(seed)
        block = 1 << 20
        while skip > 0:  # numbers before these: drawn and dropped, in bounded blocks
            generator.standard_normal(min(skip, block))
            skip -= min(skip, block)
        return generator

    def _draw(self, count: int, streams: list[np.random.Generator]) -> NDArray[Any]:
        if count <= 0:
            return np.empty((0, self.channels), self.dtype)
        if self.channels_last:
            return streams[0].standard_normal((count, self.channels)).astype(self.dtype)
        return np.stack([stream.standard_normal(count) for stream in streams], axis=1).astype(self.dtype)

    def rows(self, indices: NDArray[np.int64]) -> NDArray[Any]:
        out = np.empty((indices.size, self.channels), self.dtype)
        in_head = indices < self.head.shape[0]
        in_tail = indices >= self.length - self.tail.shape[0]
        rest = ~in_head & ~in_tail
        out[in_head] = self.head[indices[in_head]]
        out[in_tail & ~in_head] = self.tail[indices[in_tail & ~in_head] - (self.length - self.tail.shape[0])]
        if rest.any():
            wanted = indices[rest]
            end = int(wanted.max()) + 1
            if end > self.start + self.buffer.shape[0]:
                more = self._draw(end - self.start - self.buffer.shape[0], self.streams)
                self.buffer = np.concatenate([self.buffer, more])
            out[rest] = self.buffer[wanted - self.start]
        return out

    def release(self, below: int) -> None:
        """Forget rows below this index (those the stream has passed)."""
        drop = min(max(0, below - self.start), self.buffer.shape[0])
        self.buffer = self.buffer[drop:]
        self.start += drop


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Step:
    """One output position: where the window is, what it reads, and what it makes."""

    output_index: int
    input_indices: list[int]
    padding_taps: list[int]
    window: NDArray[Any]  # (k, C) values read, padding as the padding mode fills it
    sums: Array  # (F,) before bias
    outputs: Array  # (F′,) after bias and activation


def rows_read(axis: Axis, count: int) -> int:
    """Rows a chunk of `count` steps holds: the stretch its windows cover, or its windows side by
    side when that is fewer (a dilation or stride larger than the kernel leaves rows unread)."""
    return min((count - 1) * axis.strides + axis.span, count * axis.kernel_size)


def chunk_size(axis: Axis, row_bytes: int, step_bytes: int) -> int:
    """Steps a chunk computes: CHUNK, halved until its rows and its outputs (step_bytes a step)
    fit CHUNK_BYTES, down to one step (whose window and outputs may not fit, but are no larger
    than the kernel, which is held anyway)."""
    size = max(1, min(CHUNK, axis.output_length))
    while size > 1 and rows_read(axis, size) * row_bytes + size * step_bytes > CHUNK_BYTES:
        size //= 2
    return size


class Tracer:
    """Steps of one example of a prepared layer, in chunks.

    The chunks start at fixed multiples of one size from position 0, whatever steps are asked
    for, and compute every filter: a position's numbers come from the same product whatever
    --steps and --filter select (a product of another shape may round differently).
    """

    def __init__(self, ready: Prepared, example: int = 0, random_access: bool = False) -> None:
        plan = ready.plan
        self.plan, self.spec, self.axis = plan, plan.spec, plan.axis
        self.dtype = ready.dtype
        x = ready.x
        batch = x.shape[0] if x.ndim == 3 else 1
        if batch == 0:
            raise DataError("the input holds no example (its batch is 0): there is no window to step",
                            "give data with at least one example; `run` computes an empty batch")  # fmt: skip
        if not 0 <= example < batch:
            raise SpecError(f"--example {example} is out of range: the batch has {batch} example(s)",
                            f"use --example 0 … {batch - 1}")  # fmt: skip
        check_steppable(self.spec)
        channels_last = self.spec.data_format == "channels_last"
        self.kernel = engine_kernel(self.spec, ready.kernel, self.dtype)
        self.bias = np.zeros(self.spec.filters, self.dtype) if ready.bias is None else ready.bias.astype(self.dtype)
        self.activation: Callable[[Array], Array] | None = activation_function(self.spec.activation)
        # a step's outputs: its sums, with bias, after the activation
        step_bytes = 3 * self.spec.filters * self.dtype.itemsize
        self.size = chunk_size(self.axis, self.spec.input.channels * self.dtype.itemsize, step_bytes)
        # softmax & co. along the length (channels_first) read every position at once: only that
        # case holds the whole example.
        whole_example = self.activation_axis == "length"
        self.whole: Array | None = None
        if isinstance(x, LazyNormal) and not (random_access or whole_example):
            head = (self.axis.pad_right if self.spec.padding_mode == "circular" else 0) + 1
            tail = self.axis.pad_left if self.spec.padding_mode == "circular" else 0
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
        size = held_rows * self.spec.input.channels * self.dtype.itemsize
        if size > lazy.max_bytes:
            raise DataError(
                f"the drawn input's rows held at once ({held_rows:,} × {self.spec.input.channels}) would take "
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
        if self.spec.activation not in AXIS_WISE:
            return None
        return "channels" if self.spec.data_format == "channels_last" else "length"

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
        sources = source_rows(positions, axis.length, self.spec.padding_mode)
        rows = np.zeros((positions.size, self.spec.input.channels), self.dtype)
        real = sources >= 0
        if real.any():
            wanted, where = np.unique(sources[real], return_inverse=True)  # each row read once, in order
            rows[real] = self.reader.rows(wanted)[where]
        # finite: prepare() refused NaN and infinity in the data
        sums = convolve(rows[None], self.kernel, strides=row_step, dilation_rate=tap_step, groups=self.spec.groups,
                        finite=True)[0]  # fmt: skip
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

    def step_of(self, chunk: Chunk, t: int) -> Step:
        """Step t, cut out of the chunk holding it."""
        axis = self.axis
        i = t - chunk.t0
        taps = [i * chunk.row_step + j * chunk.tap_step for j in range(axis.kernel_size)]
        return Step(t, axis.input_positions(t), axis.padding_taps(t), chunk.rows[taps], chunk.sums[i],
                    chunk.outputs[i])  # fmt: skip

    def steps(self, start: int, stop: int) -> Iterator[Step]:
        """Every step from start to stop−1, computed chunk by chunk."""
        for chunk, lo, hi in self.chunks(start, stop):
            for i in range(lo, hi):
                yield self.step_of(chunk, chunk.t0 + i)

    def step(self, t: int) -> Step:
        """One step, for going back and forth (needs random access: an array, not a lazy stream)."""
        t0 = t - t % self.size
        if self._cache is None or self._cache.t0 != t0:
            self._cache = self._chunk(t0)
        return self.step_of(self._cache, t)
