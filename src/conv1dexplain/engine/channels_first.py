"""The engine's path for PyTorch's layout, where each example's channels are rows along L.

With stride 1 and zero padding, one product per example, group and chunk of positions reads the
input where it lies: Y (k·F, L) = [W_0; …; W_k−1] (k·F, C) @ x (C, L), then the output is the sum
of the k row blocks of Y, each shifted by its tap's offset (j·d). Laying the input out
channels-last first, and the output back, costs two transposing copies at about one number per
ns here; with 32 or more channels a group and 128 or more positions, the shifted adds cost less
(in one process: 0.56–0.99× the time on layers of 32–768 channels and 128–8,000 positions; with
50 positions, 1.3–1.6×; with 16 channels, 2.5×). Taps that fall in the zero padding are skipped:
exact when the kernel is finite.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from conv1dexplain.engine.products import held, sum_of_taps
from conv1dexplain.engine.strategy import Array

FIRST_CHANNELS = 32  # channels a group, and rows of its product (k·F/g), at least …
FIRST_POSITIONS = 128  # … and output positions: shorter or narrower layers go channels-last
FIRST_PASSES = 2  # k·F ≤ this × (C + F)


def applies(x: Array, kernel: Array, out: Array, strides: int, padding_mode: str, groups: int) -> bool:
    """Whether the layer takes this path: input and output with L contiguous (PyTorch's layout),
    stride 1, zero padding, long enough, with enough channels a group and product rows (64 → 1,
    3 rows: 1.97×), and a kernel short enough: its k passes over the output (k·F a position) must
    cost less than the two copies they save (C + F a position, at a third of the speed; k = 31
    took 2.1×)."""
    k, cg, filters = kernel.shape
    rows_along_l = x.strides[1] == x.itemsize and out.strides[1] == out.itemsize
    return (rows_along_l and strides == 1 and padding_mode == "zeros" and cg >= FIRST_CHANNELS
            and k * filters // groups >= FIRST_CHANNELS and out.shape[1] >= FIRST_POSITIONS
            and k * filters <= FIRST_PASSES * (cg * groups + filters))  # fmt: skip


def convolve_first(x: Array, kernel: Array, bias: Array | None, out: Array, dilation: int, pad_left: int,
                   groups: int, elementwise: Callable[[Array], Array] | None, work_bytes: int) -> None:  # fmt: skip
    """out (N, L_out, F) = x (N, L, C) ⋆ kernel (k, C/g, F), both arrays views with L contiguous."""
    k, cg, filters = kernel.shape
    fg = filters // groups
    dtype = np.result_type(x.dtype, kernel.dtype)
    span, l_out = dilation * (k - 1) + 1, out.shape[1]
    positions = max(1, min(l_out, work_bytes // (k * fg * dtype.itemsize) - span))
    products = held("first", (k * fg, positions + span - 1), dtype)
    for group in range(groups):
        filters_of = slice(group * fg, (group + 1) * fg)
        # Row j·F/g + f: tap j of filter f.
        stacked = np.ascontiguousarray(kernel[:, :, filters_of].transpose(0, 2, 1), dtype=dtype).reshape(k * fg, cg)
        column = None if bias is None else np.asarray(bias[filters_of], dtype=dtype)[:, None]
        for n in range(x.shape[0]):
            rows = x[n, :, group * cg : (group + 1) * cg].T  # (C/g, L), rows contiguous
            target = out[n, :, filters_of].T  # (F/g, L_out)
            for t0 in range(0, l_out, positions):
                chunk = target[:, t0 : t0 + min(positions, l_out - t0)]
                chunk_of(rows, stacked, t0 - pad_left, dilation, k, chunk, products)
                if column is not None:
                    chunk += column
                if elementwise is not None:
                    chunk[...] = elementwise(chunk)


def chunk_of(rows: Array, stacked: Array, first: int, dilation: int, k: int, chunk: Array, products: Array) -> None:
    """chunk (F, t): positions whose first window starts at input column `first` (negative in the
    padding), from one product of the input columns they read."""
    fg, t = chunk.shape
    lo, hi = max(first, 0), min(first + t - 1 + dilation * (k - 1) + 1, rows.shape[1])
    if hi <= lo:  # every window in the padding
        chunk[...] = 0
        return
    y = products[:, : hi - lo]
    np.matmul(stacked, rows[:, lo:hi], out=y)
    # Tap j of position p reads column p + offset_j of y, where it has one.
    offsets = [first + j * dilation - lo for j in range(k)]

    def tap(j: int, a: int, b: int) -> Array:
        return y[j * fg : (j + 1) * fg, a + offsets[j] : b + offsets[j]]

    sum_of_taps(chunk, [(j, max(0, -off), min(t, hi - lo - off)) for j, off in enumerate(offsets)], tap)
