"""Layers in PyTorch's layout as one product a chunk, their taps unfolded along L.

In PyTorch's layout each channel is a row along L. Row (j, c) of cols (k·C/g + 1, t) is input row
c shifted by tap j's offset: a copy of contiguous runs, not a transposing one. Then
out (F/g, t) = W (F/g, k·C/g + 1) @ cols is written where it lies, the bias against a row of
ones. The channels-last route instead copies the input and the output across layouts, which
numpy does at about one number per ns with few channels. Short examples are unfolded several at
a time (one product for all of them, then a copy into the output), and a kernel of size 1 reads
the input in place.

In one process, against the channels-last route and the tap-stacked products this replaced,
on 43 layers: 0.38–0.82× the time on 23 of them (one input channel: 0.38–0.46; strided,
grouped, WaveNet-style, long thin), 0.86–0.97× on 11, and 0.99–1.07× on the rest (within noise;
32 → 32 channels over 8,000 positions 1.06×). With fewer than 128 output positions the runs to
copy are short (50 positions: 1.2–2.4× the time), so those layers stay channels-last.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from conv1dexplain.engine.products import held
from conv1dexplain.engine.strategy import Array, contiguous_rows, is_depthwise, padded_rows_along_l, rows_along_l

UNFOLD_POSITIONS = 128  # output positions at least
UNFOLD_COPIES = 3  # k·C ≤ this × (s·C + F): unfolded taps cost less than the two layout copies (k = 31: 1.6×)
FOLD_BELOW = 1024  # output positions below which several examples share one product (8,000: 1.14× the time)


def applies(x: Array, kernel: Array, out: Array, strides: int, groups: int) -> bool:
    """Whether the layer takes this path: input and output with L contiguous (PyTorch's layout),
    more than one filter (one filter's output is channels-last too, and only the input would be
    copied across: 64 → 1 took 1.3×), not depthwise, long enough, and a kernel short enough that
    k·C unfolded taps cost less than the copies they save."""
    k, _, filters = kernel.shape
    channels = x.shape[2]
    return (rows_along_l(x) and rows_along_l(out) and not contiguous_rows(out) and not is_depthwise(kernel, groups)
            and out.shape[1] >= UNFOLD_POSITIONS
            and k * channels <= UNFOLD_COPIES * (strides * channels + filters))  # fmt: skip


def convolve_unfolded(x: Array, kernel: Array, bias: Array | None, out: Array, strides: int, dilation: int,
                      pad_left: int, padding_mode: str, groups: int, elementwise: Callable[[Array], Array] | None,
                      work_bytes: int) -> None:  # fmt: skip
    """out (N, L_out, F) = x (N, L, C) ⋆ kernel (k, C/g, F), both views with L contiguous."""
    batch, length, channels = x.shape
    k, cg, filters = kernel.shape
    fg, l_out = filters // groups, out.shape[1]
    dtype = np.result_type(x.dtype, kernel.dtype)
    span = dilation * (k - 1) + 1
    inner = k * cg + 1
    # (g, F/g, k·C/g + 1): row f of group g, column j·C/g + c for tap j of channel c; the bias last.
    weights = np.empty((groups, fg, inner), dtype)
    weights[:, :, :-1] = kernel.reshape(k, cg, groups, fg).transpose(2, 3, 0, 1).reshape(groups, fg, k * cg)
    weights[:, :, -1] = 0 if bias is None else np.asarray(bias).reshape(groups, fg)
    pointwise = k == 1 and strides == 1 and padding_mode == "zeros"  # the input rows are the taps: read in place
    positions = max(1, work_bytes // (groups * inner * dtype.itemsize))
    block = max(1, min(batch, positions // l_out)) if positions >= l_out and l_out < FOLD_BELOW and not pointwise else 1
    positions = min(positions, l_out)
    if not pointwise:
        cols = held("unfolded", (groups, inner, block * positions), dtype)
        cols[:, -1] = 1
    folded = held("unfolded products", (fg, block * positions), dtype) if block > 1 else None
    first_out = out.transpose(0, 2, 1)  # (N, F, L_out)
    for n0 in range(0, batch, block):
        m = min(block, batch - n0)
        for t0 in range(0, l_out, positions):
            t = min(positions, l_out - t0)
            first, count = t0 * strides - pad_left, (t - 1) * strides + span
            if padding_mode == "zeros" and first >= 0 and first + count <= length:
                rows = x[n0 : n0 + m, first : first + count].transpose(0, 2, 1)  # (m, C, count), in place
            else:
                segment = held("unfolded segment", (block, channels, positions * strides + span), dtype)
                rows = padded_rows_along_l(x[n0 : n0 + m], first, count, padding_mode, segment)
            for group in range(groups):
                group_rows = rows[:, group * cg : (group + 1) * cg]  # (m, C/g, count)
                target = first_out[n0 : n0 + m, group * fg : (group + 1) * fg, t0 : t0 + t]  # (m, F/g, t)
                if pointwise:  # one example a block: out (F/g, t) = W (F/g, C/g) @ x (C/g, t)
                    np.matmul(weights[group, :, :-1], group_rows[0, :, :t], out=target[0])
                    if bias is not None:
                        target += weights[group, :, -1:]
                else:
                    unfold(group_rows, k, dilation, strides, t, cols[group, :, : m * t])
                    product(weights[group], cols[group, :, : m * t], target, folded)
                if elementwise is not None:
                    target[...] = elementwise(target)


def unfold(rows: Array, k: int, dilation: int, strides: int, t: int, unfolded: Array) -> None:
    """unfolded (k·C + 1, m·t), the last row ones: row j·C + c, column e·t + p is rows[e, c] at
    position p·s + j·d (rows (m, C, count): m examples, each channel a row along L)."""
    m, cg, _ = rows.shape
    for j in range(k):
        taps = rows[:, :, j * dilation : j * dilation + (t - 1) * strides + 1 : strides]  # (m, C, t)
        unfolded[j * cg : (j + 1) * cg].reshape(cg, m, t)[...] = taps.transpose(1, 0, 2)


def product(weights: Array, unfolded: Array, target: Array, folded: Array | None) -> None:
    """target (m, F, t) = weights (F, K) @ unfolded (K, m·t): straight into target for one
    example, else into the folded buffer (F, ≥ m·t), then into the examples' places."""
    m, filters, t = target.shape
    if m == 1:
        np.matmul(weights, unfolded, out=target[0])
        return
    assert folded is not None
    products = folded[:, : m * t]
    np.matmul(weights, unfolded, out=products)
    target[...] = products.reshape(filters, m, t).transpose(1, 0, 2)
