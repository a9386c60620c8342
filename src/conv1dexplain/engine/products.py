"""The engine's algorithms, each filling the output positions of one chunk: im2col and one matrix
product (polyphase rows too), windows read in place, tap-stacked products, one product per tap,
depthwise einsum; and the working buffers each thread keeps."""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
from numpy.lib.stride_tricks import as_strided

from conv1dexplain.engine.strategy import EXAMPLE_ROWS, Array, Strategy, contiguous_rows, writable_rows


def rows_view(chunk: Array, count: int, step: int, width: int) -> Array:
    """(nb, count, width) overlapping rows of a chunk with contiguous rows: row r starts at r·step."""
    sn, sl, _ = chunk.strides
    return as_strided(chunk, shape=(chunk.shape[0], count, width), strides=(sn, step * sl, chunk.itemsize))


def shifted_products(chunk: Array, strategy: Strategy, target: Array, tmp: Array | None) -> None:
    """target (nb, t, F) = Σ_j chunk[rows j·d + t·s] @ kernel[j] + bias: one product per tap."""
    assert tmp is not None
    nb, t, _ = target.shape
    stop = (t - 1) * strategy.s + 1
    scratch = tmp[:nb, :t]
    for j in range(strategy.k):
        taps = chunk[:, j * strategy.d : j * strategy.d + stop : strategy.s]
        np.matmul(taps, strategy.kernel[j], out=target if j == 0 else scratch)
        if j:
            target += scratch
    if strategy.with_bias:
        target += strategy.bias


def tap_stack(chunk: Array, skip: int, strategy: Strategy, target: Array, products: Array) -> None:
    """target (nb, t, F) = Σ_m (rows @ stacked)[t + m·step − skip, tap m's columns] + bias, where a
    product row is s input rows of chunk (one row with stride 1).

    chunk holds real rows only: window 0 starts `skip` rows before it (a zero padding, stride 1),
    and taps that fall outside the chunk add nothing, so no padded copy is needed.
    """
    nb, t, filters = target.shape
    s, step, taps = strategy.s, strategy.tap_step, strategy.tap_count
    count = chunk.shape[1] // s
    sn, sl, _ = chunk.strides
    width = s * chunk.shape[2]
    stride_rows = sn // (s * sl)
    if nb == 1 or (sn % (s * sl) == 0 and stride_rows <= count + strategy.reach):  # one product, all examples
        flat = (nb - 1) * stride_rows + count  # (the few rows between examples are computed, then unused)
        y = products[:flat]
        np.matmul(as_strided(chunk, (flat, width), (s * sl, chunk.itemsize)), strategy.stacked, out=y)
        ys = as_strided(y, (nb, count, y.shape[1]), (stride_rows * y.strides[0], y.strides[0], y.itemsize))
    else:
        ys = products[: nb * count].reshape(nb, count, -1)
        np.matmul(as_strided(chunk, (nb, count, width), (sn, s * sl, chunk.itemsize)), strategy.stacked, out=ys)
    # Tap m of position p reads row p + m·step − skip: positions lo_m … hi_m−1 have it inside the chunk.
    spans = [(m, max(0, skip - m * step), min(t, count + skip - m * step)) for m in range(taps)]

    def tap(m: int, lo: int, hi: int) -> Array:
        row = lo + m * step - skip
        return ys[:, row : row + hi - lo, m * filters : (m + 1) * filters]

    sum_of_taps(target, spans, tap)
    if strategy.with_bias:
        target += strategy.bias


def sum_of_taps(target: Array, spans: list[tuple[int, int, int]], tap: Callable[[int, int, int], Array]) -> None:
    """target[:, p] (positions along axis 1) = Σ_m tap m's products at p, where spans lists each
    tap m with the positions lo … hi−1 it reaches (the others fall in the zero padding) and
    tap(m, a, b) gives its products for positions a … b−1. Where every tap reaches, the first two
    are added straight into target (one pass fewer); a position no tap reaches is zero."""
    first, last = max(lo for _, lo, _ in spans), min(hi for _, _, hi in spans)
    if first >= last:
        first = last = 0
    target[:, :first] = 0
    target[:, last:] = 0
    inner = target[:, first:last]
    if len(spans) == 1:
        inner[...] = tap(0, first, last)
    elif last > first:
        np.add(tap(0, first, last), tap(1, first, last), out=inner)
    for m, lo, hi in spans:
        for a, b in ((lo, min(first, hi)), (max(last, lo), hi)) if m < 2 else ((lo, hi),):
            if b > a:
                target[:, a:b] += tap(m, a, b)


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


def depthwise(chunk: Array, strategy: Strategy, target: Array) -> None:
    """target (nb, t, F) = Σ_j window taps × weights, channel by channel (no matrix product needed)."""
    nb, t = target.shape[:2]
    sn, sl, sc = chunk.strides
    windows = as_strided(
        chunk, shape=(nb, t, strategy.groups, strategy.k), strides=(sn, strategy.s * sl, sc, strategy.d * sl)
    )
    if strategy.weights.shape[2] == 1:  # one filter per channel: the common depthwise layer
        np.einsum("ntgk,kg->ntg", windows, strategy.weights[:, :, 0], out=target)
    else:
        target[...] = np.einsum("ntgk,kgf->ntgf", windows, strategy.weights).reshape(target.shape)
    if strategy.with_bias:
        target += strategy.bias


_held = threading.local()
HELD_BYTES = 32 << 20  # larger buffers are not kept


def held(slot: str, shape: tuple[int, ...], dtype: np.dtype[np.floating]) -> Array:
    """A working buffer of this thread, kept between calls while its shape stays the same. Fresh
    memory costs a page fault per page on first touch (about 0.3 ms per MB on a virtual machine),
    and how much of it malloc hands back to the system depends on what else was allocated: that
    made a whole layer (8×2048×32 → 32, k = 3) take 4.4 ms in one process and 1.6 ms in another."""
    kept: dict[str, Array] = _held.__dict__.setdefault("buffers", {})
    buffer = kept.get(slot)
    if buffer is None or buffer.shape != shape or buffer.dtype != dtype:
        buffer = np.empty(shape, dtype=dtype)
        if buffer.nbytes <= HELD_BYTES:
            kept[slot] = buffer
    return buffer


class Workspace:
    """One thread's buffers: a padded copy of a chunk's rows, and what the strategy's algorithm lays out."""

    def __init__(self, strategy: Strategy, dtype: np.dtype[np.floating]) -> None:
        nb, t, k, c, f = strategy.batch_block, strategy.positions, strategy.k, strategy.channels, strategy.filters
        self.tmp = held("tmp", (nb, t, f), dtype) if strategy.per_tap else None
        # Tap-stacked: a chunk's rows (and the few between its examples) by k·F.
        rows = nb * (strategy.rows // strategy.s + strategy.reach)
        self.products = held("products", (rows, strategy.tap_count * f), dtype) if strategy.tap_stack else None
        self._nb, self._dtype = nb, dtype
        # Per slot: numbers a row, rows made at least, whether the last column holds ones (the bias).
        # Read in place, polyphase rows are only the few over the padding: a chunk's would be
        # megabytes, each page written once for the ones.
        self._slots = {
            "buffer": (c, 0, False),
            "cols": (k * c + 1, 0, True),
            "phase": (strategy.segment * c + 1, 0 if strategy.inside else t // strategy.phases, True),
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


def by_pieces(xb: Array, t0: int, strategy: Strategy, target: Array, work: Workspace) -> None:
    """target (nb, t, F): output positions t0 … t0+t−1 of the examples xb, piece by piece."""
    nb, t = target.shape[:2]
    s = strategy.s
    laid_out = False
    for offset, count, chunk in strategy.pieces(xb, t0, t, work.buffer):
        part = target[:, offset : offset + count]
        if strategy.per_tap:
            shifted_products(chunk, strategy, part, work.tmp)
            continue
        if work.products is not None:
            tap_stack(chunk, 0, strategy, part, work.products)
            continue
        if strategy.depthwise:
            depthwise(chunk, strategy, part)
            continue
        if strategy.phases == 1:  # laid out now, one product for all the chunk's windows below
            im2col(chunk, strategy, work.cols(t)[:nb, offset : offset + count])
            laid_out = True
            continue
        rows = count // strategy.phases  # (rows_view: a piece's rows are contiguous)
        done = rows * strategy.phases
        if rows:
            grouped = work.cols_by_phase(rows)[:nb, :rows]
            grouped[:, :, :-1] = rows_view(chunk, rows, strategy.phases * s, strategy.segment * strategy.channels)
            product(grouped, strategy.weights_by_phase, part[:, :done], strategy.phases)
        if done < count:  # the few positions left over: a small product of their own
            cols = work.cols(count - done)[:nb]
            im2col(chunk[:, done * s :], strategy, cols)
            product(cols, strategy.weights, part[:, done:], 1)
    if laid_out:
        product(work.cols(t)[:nb], strategy.weights, target, 1)


def inside_windows(xb: Array, t0: int, strategy: Strategy, target: Array, work: Workspace) -> None:
    """target (nb, t, F): output positions t0 … t0+t−1 with no copy of the input. A window inside
    the input is k·C contiguous numbers of it (P neighbouring windows: segment·C), so BLAS reads
    the windows in place, as rows of a matrix. Its rows must not overlap, so the windows go in q
    products, rows r, r+q, r+2q, …, each writing every q-th row of P positions. The windows that
    touch the padding, and the few positions left over, go by pieces."""
    nb, t, filters = target.shape
    s, phases, segment, length = strategy.s, strategy.phases, strategy.segment, strategy.length
    lo = max(t0, -(-strategy.pad_left // s))  # the first window starting at row ≥ 0 …
    hi = min(t0 + t, (length - strategy.span + strategy.pad_left) // s + 1)  # … and past the last ending ≤ L
    rows = max(0, hi - lo) // phases
    a, b = lo - t0, lo - t0 + rows * phases
    if rows:
        q = strategy.interleave
        step = phases * s  # input rows from one product row to the next
        first = lo * s - strategy.pad_left
        sn, sl, sc = xb.strides
        on, ol, oc = target.strides
        l_out = strategy.l_out
        # All examples as one long sequence when their windows line up across example borders: the
        # rows between them are computed too (P positions per row), then overwritten as padding.
        flat = nb > 1 and t == l_out and strategy.flat
        total = (nb - 1) * l_out // phases + rows if flat else rows
        width, out_width = segment * xb.shape[2], phases * filters
        for r in range(min(q, total)):
            count = (total - r + q - 1) // q
            if flat:  # (row r may start in the second example)
                x_rows = xb.reshape(-1)[(first + r * step) * xb.shape[2] :]
                out_rows = target.reshape(-1)[(a + r * phases) * filters :]
                windows = as_strided(x_rows, (count, width), (q * step * sl, sc))
                results = as_strided(out_rows, (count, out_width), (q * phases * ol, oc))
            else:
                windows = as_strided(xb[:, first + r * step :], (nb, count, width), (sn, q * step * sl, sc))
                results = as_strided(target[:, a + r * phases :], (nb, count, out_width), (on, q * phases * ol, oc))
            np.matmul(windows, strategy.inside_weights, out=results)
        if strategy.with_bias:  # whole examples: one pass over all of them (the edges are redone below)
            biased = target if flat else target[:, a:b]
            biased += strategy.bias
    if a > 0:
        by_pieces(xb, t0, strategy, target[:, :a], work)
    if b < t:
        by_pieces(xb, t0 + b, strategy, target[:, b:], work)


def tap_stack_rows(xb: Array, t0: int, strategy: Strategy, target: Array, products: Array) -> None:
    """Tap-stacked products straight off the input rows of positions t0 …: zero padding adds nothing."""
    first = t0 - strategy.pad_left  # the first window's first row
    lo, hi = max(first, 0), min(first + target.shape[1] - 1 + strategy.reach, strategy.length)
    if hi > lo:
        tap_stack(xb[:, lo:hi], lo - first, strategy, target, products)
    else:  # every window in the padding
        target[...] = strategy.bias


def product(cols: Array, weights: Array, target: Array, phases: int) -> None:
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
    elif rows < EXAMPLE_ROWS:  # one product for all, then a copy: a product per example packs the weights anew
        target[...] = (np.ascontiguousarray(cols).reshape(nb * rows, inner) @ weights).reshape(nb, t, filters)
    else:
        np.matmul(cols, weights, out=as_strided(target, (nb, rows, width), (s0, phases * s1, s2)))
