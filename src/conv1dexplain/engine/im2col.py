"""im2col: each chunk of output positions lays its k taps side by side (an im2col of the chunk
only, never of the whole input) and makes one matrix product with K = k·C, the bias folded in as
a column of ones — the shape BLAS is fastest at."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.lib.stride_tricks import as_strided

from conv1dexplain.engine.layer import Array
from conv1dexplain.engine.rows import contiguous_rows, rows_view, writable_rows

if TYPE_CHECKING:
    from conv1dexplain.engine.chunks import Strategy


def weights(kernel: Array, bias: Array) -> Array:
    """(k·C + 1, F): the bias last, against a column of ones."""
    k, channels, filters = kernel.shape
    return np.concatenate([kernel.reshape(k * channels, filters), bias[None]])


def im2col(chunk: Array, strategy: Strategy, target: Array) -> None:
    """Fill target (nb, t, k·C + 1) with each window's taps side by side (ones preset)."""
    t = target.shape[1]
    k, c, s, d = strategy.k, strategy.channels, strategy.s, strategy.d
    if d == 1 and contiguous_rows(chunk):  # the k rows of a window are contiguous: copy k·C-long rows
        target[:, :, : k * c] = rows_view(chunk, t, s, k * c)
        return
    stop = (t - 1) * s + 1
    for j in range(k):
        target[:, :, j * c : (j + 1) * c] = chunk[:, j * d : j * d + stop : s]


def product(cols: Array, weights: Array, target: Array, phases: int, example_rows: int) -> None:
    """target (nb, t, F) = cols (nb, t/P, K) @ weights (K, P·F), BLAS writing straight into target
    (P positions side by side; rows apart, as in a group's columns, are fine): one product for all
    the examples when both sides flatten to 2-D without a copy, else one per example (a chunk's
    slice of a buffer does not flatten: reshaping would copy it), or, with few rows an example,
    one product for all into a copy."""
    nb, t, filters = target.shape
    rows, inner = cols.shape[1], cols.shape[2]
    s0, s1, s2 = target.strides
    assert writable_rows(target, phases), "run_chunk hands every algorithm channels-last rows"
    c0, c1, c2 = cols.strides
    width = phases * filters
    if nb == 1 or (s0 == rows * phases * s1 and c0 == rows * c1):
        flat = as_strided(cols, (nb * rows, inner), (c1, c2))
        np.matmul(flat, weights, out=as_strided(target, (nb * rows, width), (phases * s1, s2)))
    elif rows < example_rows:  # one product for all, then a copy: a product per example packs the weights anew
        target[...] = (np.ascontiguousarray(cols).reshape(nb * rows, inner) @ weights).reshape(nb, t, filters)
    else:
        np.matmul(cols, weights, out=as_strided(target, (nb, rows, width), (s0, phases * s1, s2)))
