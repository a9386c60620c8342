"""Rows of the input along L, padding included: copied into a buffer, or read in place."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from conv1dexplain.engine.layer import Array
from conv1dexplain.padding_rows import source_rows


def contiguous_rows(x: Array) -> bool:
    return x.strides[2] == x.itemsize and x.strides[1] == x.shape[2] * x.itemsize


def writable_rows(target: Array, phases: int) -> bool:
    """Whether BLAS can write rows of P positions side by side straight into target (nb, t, F)
    (with P = 1 the rows may lie apart, as in a group's columns of the output)."""
    _, s1, s2 = target.strides
    filters = target.shape[2]
    return s2 == target.itemsize and (s1 == filters * s2 if phases > 1 else s1 >= filters * s2)


def rows_view(chunk: Array, count: int, step: int, width: int) -> Array:
    """(nb, count, width) overlapping rows of a chunk with contiguous rows: row r starts at r·step."""
    sn, sl, _ = chunk.strides
    return as_strided(chunk, shape=(chunk.shape[0], count, width), strides=(sn, step * sl, chunk.itemsize))


def padded_rows_along_l(x: Array, first: int, count: int, padding_mode: str, buffer: Array) -> Array:
    """padded_rows of x (N, L, C) with L contiguous, into buffer (≥ N, C, ≥ count): the copy as
    (N, C, count), each channel a row along L."""
    copied = padded_rows(x, first, count, padding_mode, buffer.swapaxes(1, 2))
    return np.swapaxes(copied, 1, 2)


def padded_rows(x: Array, first: int, count: int, padding_mode: str, buffer: Array) -> Array:
    """Rows first … first+count−1 of x (N, L, C) along L, padding included, copied into buffer."""
    length = x.shape[1]
    out = buffer[: x.shape[0], :count, : x.shape[2]]  # (a block of fewer channels than the buffer has)
    lo, hi = max(first, 0), min(first + count, length)
    if padding_mode == "zeros":
        out[:, : max(0, lo - first)] = 0
        out[:, max(0, hi - first) :] = 0
        if lo < hi:
            out[:, lo - first : hi - first] = x[:, lo:hi]
        return out
    rows = source_rows(np.arange(first, first + count), length, padding_mode)
    out[...] = x[:, rows]
    return out
