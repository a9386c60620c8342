"""Layers in PyTorch's layout as one product a chunk, their taps unfolded along L.

In PyTorch's layout each channel is a row along L. Row (j, c) of cols (k·C/g + 1, t) is input row
c shifted by tap j's offset: a copy of contiguous runs, not a transposing one. Then
out (F/g, t) = W (F/g, k·C/g + 1) @ cols is written where it lies, the bias against a row of
ones. The channels-last route instead copies the input and the output across layouts, which
which is slow with few channels. Short examples are unfolded several at
a time (one product for all of them, then a copy into the output), and a kernel of size 1 reads
the input in place.

With few output positions the runs to copy are short, so those layers stay channels-last; a
long kernel over few channels unfolds more than the layout copies it saves.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from conv1dexplain.engine import blas, threads
from conv1dexplain.engine.buffers import held
from conv1dexplain.engine.layer import Array, LayerShape
from conv1dexplain.engine.limits import Limits
from conv1dexplain.engine.rows import padded_rows_along_l


def applies(layer: LayerShape, limits: Limits) -> bool:
    """Whether the layer takes this path: input and output with L contiguous (PyTorch's layout),
    more than one filter (one filter's output is channels-last too, and only the input would be
    copied across), not depthwise, long enough, and a kernel short enough that k·C unfolded taps
    cost less than the copies they save."""
    along_l = layer.x_rows_along_l and layer.out_rows_along_l and not layer.out_contiguous_rows
    long_enough = layer.l_out >= limits.unfold_positions
    channels = layer.channels
    short = layer.kernel_size * channels <= limits.unfold_copies * (layer.strides * channels + layer.filters)
    return along_l and not layer.depthwise and long_enough and short


def convolve_unfolded(
    x: Array,
    kernel: Array,
    bias: Array | None,
    out: Array,
    layer: LayerShape,
    elementwise: Callable[[Array], Array] | None,
    limits: Limits,
) -> None:
    """out (N, L_out, F) = x (N, L, C) ⋆ kernel (k, C/g, F), both views with L contiguous."""
    unfolded = Unfolded(x, kernel, bias, layer, limits)
    first_out = out.transpose(0, 2, 1)  # (N, F, L_out)
    todo = [
        (n0, t0) for n0 in range(0, layer.batch, unfolded.block) for t0 in range(0, layer.l_out, unfolded.positions)
    ]
    macs = layer.batch * layer.l_out * layer.filters * layer.kernel_size * layer.kernel_channels
    if layer.groups == 1 or limits.threads < 2 or len(todo) < 2 or macs < limits.group_threads_macs:
        for n0, t0 in todo:
            unfolded.chunk(x, first_out, n0, t0, elementwise)
        return

    def run_chunks(mine: list[tuple[int, int]]) -> None:
        own = Unfolded(x, kernel, bias, layer, limits)  # this thread's buffers
        for n0, t0 in mine:
            own.chunk(x, first_out, n0, t0, elementwise)

    # A grouped layer makes small products, one a group: two threads of one-threaded products
    # keep both cores busy, where one product at a time leaves BLAS's second thread waiting.
    with blas.single_threaded():
        threads.spread(run_chunks, todo, limits.threads)


class Unfolded:
    """One call's weights laid out for the unfolded taps, its chunk sizes and buffers."""

    def __init__(self, x: Array, kernel: Array, bias: Array | None, layer: LayerShape, limits: Limits) -> None:
        k, cg, filters = kernel.shape
        groups, l_out = layer.groups, layer.l_out
        fg = filters // groups
        self.layer, self.k, self.cg, self.fg, self.with_bias = layer, k, cg, fg, bias is not None
        self.dtype = dtype = np.result_type(x.dtype, kernel.dtype)
        inner = k * cg + 1
        # (g, F/g, k·C/g + 1): row f of group g, column j·C/g + c for tap j of channel c; the bias last.
        self.weights = np.empty((groups, fg, inner), dtype)
        self.weights[:, :, :-1] = kernel.reshape(k, cg, groups, fg).transpose(2, 3, 0, 1).reshape(groups, fg, k * cg)
        self.weights[:, :, -1] = 0 if bias is None else np.asarray(bias).reshape(groups, fg)
        # A kernel of size 1: the input rows are the taps, read in place.
        self.pointwise = k == 1 and layer.strides == 1 and layer.padding_mode == "zeros"
        positions = max(1, limits.work_bytes // (groups * inner * dtype.itemsize))
        fold = positions >= l_out and l_out < limits.fold_below and not self.pointwise
        self.block = max(1, min(layer.batch, positions // l_out)) if fold else 1
        self.positions = min(positions, l_out)
        if self.pointwise:
            self.cols = np.empty((groups, inner, 0), dtype)
        else:
            self.cols = held("unfolded", (groups, inner, self.block * self.positions), dtype)
            self.cols[:, -1] = 1
        self.folded = held("unfolded products", (fg, self.block * self.positions), dtype) if self.block > 1 else None

    def rows(self, x: Array, n0: int, m: int, t0: int, t: int) -> Array:
        """The input rows (m, C, count) of positions t0 … t0+t−1: in place, or a padded copy."""
        layer = self.layer
        first, count = t0 * layer.strides - layer.pad_left, (t - 1) * layer.strides + layer.span
        if layer.padding_mode == "zeros" and first >= 0 and first + count <= layer.length:
            in_place: Array = x[n0 : n0 + m, first : first + count].transpose(0, 2, 1)
            return in_place
        shape = (self.block, layer.channels, self.positions * layer.strides + layer.span)
        segment = held("unfolded segment", shape, self.dtype)
        return padded_rows_along_l(x[n0 : n0 + m], first, count, layer.padding_mode, segment)

    def chunk(self, x: Array, first_out: Array, n0: int, t0: int, elementwise: Callable[[Array], Array] | None) -> None:
        """Output positions t0 … of the examples n0 … (first_out (N, F, L_out)), group by group."""
        m, t = min(self.block, self.layer.batch - n0), min(self.positions, self.layer.l_out - t0)
        rows = self.rows(x, n0, m, t0, t)
        cg, fg = self.cg, self.fg
        for group in range(self.layer.groups):
            group_rows = rows[:, group * cg : (group + 1) * cg]  # (m, C/g, count)
            target = first_out[n0 : n0 + m, group * fg : (group + 1) * fg, t0 : t0 + t]  # (m, F/g, t)
            weights = self.weights[group]
            if self.pointwise:  # one example a block: out (F/g, t) = W (F/g, C/g) @ x (C/g, t)
                np.matmul(weights[:, :-1], group_rows[0, :, :t], out=target[0])
                if self.with_bias:
                    target += weights[:, -1:]
            else:
                cols = self.cols[group, :, : m * t]
                unfold(group_rows, self.k, self.layer.dilation, self.layer.strides, t, cols)
                product(weights, cols, target, self.folded)
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
