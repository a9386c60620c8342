"""Where trace's rows come from: an array (or a memory map), or seeded random data drawn as it is read."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from conv1dexplain.random_data import LazyNormal


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
