"""Working buffers: kept per thread between calls, and one thread's set for one call."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import numpy as np

from conv1dexplain.engine.layer import Array

if TYPE_CHECKING:
    from conv1dexplain.engine.chunks import Strategy

_held = threading.local()
HELD_BYTES = 32 << 20  # larger buffers are not kept


def held(slot: str, shape: tuple[int, ...], dtype: np.dtype[np.floating]) -> Array:
    """A working buffer of this thread, kept between calls while its shape stays the same. Fresh
    memory costs a page fault per page on first touch, and how much of it malloc hands back to
    the system depends on what else was allocated: the same layer's time then depends on the
    process it runs in."""
    kept: dict[str, Array] = _held.__dict__.setdefault("buffers", {})
    buffer = kept.get(slot)
    if buffer is None or buffer.shape != shape or buffer.dtype != dtype:
        buffer = np.empty(shape, dtype=dtype)
        if buffer.nbytes <= HELD_BYTES:
            kept[slot] = buffer
    return buffer


class Workspace:
    """One thread's buffers: a padded copy of a chunk's rows, and what the chosen algorithm lays out."""

    def __init__(self, strategy: Strategy, dtype: np.dtype[np.floating]) -> None:
        choice = strategy.choice
        nb, t, k, c, f = choice.batch_block, choice.positions, strategy.k, strategy.channels, strategy.filters
        self.tmp = held("tmp", (nb, t, f), dtype) if choice.per_tap else None
        # Tap-stacked: a chunk's rows (and the few between its examples) by k·F.
        rows = nb * (choice.rows // strategy.s + choice.reach)
        self.products = held("products", (rows, choice.tap_count * f), dtype) if choice.tap_stack else None
        self._nb, self._dtype = nb, dtype
        # Per slot: numbers a row, rows made at least, whether the last column holds ones (the bias).
        # Read in place, polyphase rows are only the few over the padding: a chunk's would be
        # megabytes, each page written once for the ones.
        self._slots = {
            "buffer": (c, 0, False),
            "cols": (k * c + 1, 0, True),
            "phase": (choice.segment * c + 1, 0 if choice.inside else t // choice.phases, True),
        }
        self._made: dict[str, Array] = {}

    def _rows(self, slot: str, rows: int) -> Array:
        """The slot's buffer (nb, ≥ rows, width), made when first needed (and again if too short)."""
        made = self._made.get(slot)
        if made is None or made.shape[1] < rows:
            width, least, ones = self._slots[slot]
            made = self._made[slot] = held(slot, (self._nb, max(rows, least), width), self._dtype)
            if ones:
                made[..., -1] = 1
        return made

    def buffer(self, rows: int) -> Array:
        """A buffer (nb, ≥ rows, C) for a padded copy of a chunk's rows, or of a piece's."""
        return self._rows("buffer", rows)

    def cols(self, positions: int) -> Array:
        """An im2col buffer (nb, positions, k·C + 1) with a column of ones for the bias: for a
        chunk's positions, or only the few that polyphase rows leave over (a buffer for all of
        them would cost more to make than the product it serves)."""
        return self._rows("cols", positions)[:, :positions]

    def cols_by_phase(self, rows: int) -> Array:
        """A polyphase rows' buffer (nb, ≥ rows, segment·C + 1), ones preset: made for a chunk's
        rows (the same shape every call, so it is kept), or, read in place, for as few as asked."""
        return self._rows("phase", rows)
