"""The NumPy convolution: exact Keras / PyTorch semantics, in chunks of bounded memory.

Arrays are channels-last here: x (N, L, C), kernel in Keras' layout (k, C/groups, F), output
(N, L_out, F). Each chunk of output positions lays its k taps side by side (an im2col of the chunk
only, never of the whole input) and makes one matrix product with K = k·C, the bias folded in as
a column of ones — the shape BLAS is fastest at. Per shape: a narrow F shares product rows
between neighbouring positions (polyphase); with many channels and few filters, one product of
the input rows with the k taps side by side (K = C, N = k·F), then k shifted adds (with stride s,
rows of s input rows); dilated layers with many channels take one product per tap off shifted
views; grouped layers are one such convolution per group; depthwise layers (one input channel
per group) need no product at all: an einsum over the windows, on two threads.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import numpy as np
from numpy.lib.stride_tricks import as_strided
from numpy.typing import NDArray

from conv1dexplain.geometry import Axis

Array = NDArray[np.floating]
Elementwise = Callable[[Array], Array]

PER_TAP_CHANNELS = 64
TAP_STACK_CHANNELS = 64  # with at least this many channels and at most half as many filters …
TAP_STACK_SHARE = 0.5  # … one product X (rows, C) @ [W_0 … W_k−1] (C, k·F) beats gathering k·C taps
TAP_STACK_WASTE = 1.15  # strided: rows of s input rows, taps of s rows; at most this share of zero taps
SMALL_COPY_BYTES = 1 << 20  # below this a padded copy of the chunk costs less than handling its edges apart
WORK_BYTES = 6 << 20  # the im2col buffer of one chunk: cache-friendly, yet large enough for BLAS
THREADS = max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


def source_rows(positions: NDArray[np.int64], length: int, padding_mode: str) -> NDArray[np.int64]:
    """The input row each (possibly padding) position holds; −1 for a zero."""
    inside = (positions >= 0) & (positions < length)
    if padding_mode == "zeros":
        return np.where(inside, positions, -1)
    if padding_mode == "replicate":
        return np.clip(positions, 0, length - 1)
    if padding_mode == "circular":
        return positions % length
    period = 2 * (length - 1) if length > 1 else 1  # reflect, without repeating the edge
    folded = np.abs(positions) % period
    return np.where(folded < length, folded, period - folded)


def _contiguous_rows(x: Array) -> bool:
    return x.strides[2] == x.itemsize and x.strides[1] == x.shape[2] * x.itemsize


def _rows(x: Array, first: int, count: int, padding_mode: str, buffer: Array) -> Array:
    """Rows first … first+count−1 of x (N, L, C) along L, padding included, copied into buffer."""
    length = x.shape[1]
    out = buffer[: x.shape[0], :count]
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


class _Plan:
    """Chunk sizes and reshaped weights, fixed for one call."""

    def __init__(self, x: Array, kernel: Array, bias: Array | None, out: Array, groups: int, strides: int,
                 dilation: int, pads: tuple[int, int], padding_mode: str, dtype: np.dtype[np.floating],
                 work_bytes: int, finite: bool | None = True) -> None:  # fmt: skip
        batch, length, channels = x.shape
        l_out = out.shape[1]
        k, cg, filters = kernel.shape
        self.k, self.cg, self.filters, self.groups = k, cg, filters, groups
        self.s, self.d, self.channels, self.length = strides, dilation, channels, length
        self.pad_left, self.padding_mode = pads[0], padding_mode
        self.span = dilation * (k - 1) + 1
        self.depthwise = cg == 1 and groups > 1
        self.with_bias = bias is not None
        # Dilated, with many channels and no more filters than channels: k products straight off
        # the input (each reads a shifted view, K = C) cost less than gathering the k taps first,
        # which dilation makes k separate copies (with dilation 1 the im2col is one fast copy).
        self.per_tap = not self.depthwise and dilation > 1 and channels >= PER_TAP_CHANNELS and filters <= channels
        # Many channels, few filters: the k taps' products laid side by side (K = C, N = k·F)
        # straight off the input rows, then k shifted adds: less to move than k·C gathered taps.
        # With stride s, a product row is s input rows (K = s·C) and a tap s rows of the window:
        # position t then reads product rows t … t+taps−1, a stride-1 convolution again.
        self.tap_count, self.tap_step = (k, dilation) if strides == 1 else (-(-self.span // strides), 1)
        width = strides * channels  # K of a product row
        self.tap_stack = (not self.depthwise and not self.per_tap and width >= TAP_STACK_CHANNELS
                          and filters <= TAP_STACK_SHARE * width
                          and self.tap_count * strides <= TAP_STACK_WASTE * k)  # fmt: skip
        # Polyphase rows write P positions side by side: not into one group's columns of the output.
        group_columns = out.strides[2] == out.itemsize and out.strides[1] > filters * out.itemsize
        simple = self.depthwise or self.per_tap or self.tap_stack or group_columns
        self.phases = 1 if simple else _phases(filters, k, strides, self.span)
        # Polyphase rows and strided taps with gaps multiply data by zero weights; stride-1 taps
        # skip the zero padding. Exact for finite numbers only (inf · 0 is NaN): else the im2col.
        gaps = self.tap_stack and strides > 1 and not (dilation == 1 and self.tap_count * strides == k)
        zero_weights = self.phases > 1 or gaps
        if (zero_weights or self.tap_stack) and not (finite or _all_finite(x if zero_weights else None, kernel)):
            self.phases, self.tap_stack = 1, False
        # Input rows one window reads: its span, or whole taps of s rows.
        self.reach = ((self.tap_count - 1) * self.tap_step + 1) * strides if self.tap_stack else self.span
        # Per output position: its gathered taps (k·C, or C·span for depthwise windows), or its k
        # taps' products (k·F), and F results.
        inner = channels if self.depthwise else self.tap_count * filters if self.tap_stack else k * channels + groups
        per_position = max(inner, filters) * dtype.itemsize
        positions = max(1, work_bytes // per_position)
        if self.depthwise:  # small chunks: cache-resident, and enough of them for every thread
            positions = max(1, min(positions, 4096))
        # Whole examples per chunk when they fit (fewer, larger products), else part of one.
        self.batch_block = max(1, min(batch, positions // l_out)) if positions >= l_out else 1
        self.positions = l_out if positions >= l_out else positions
        self.rows = (self.positions - 1) * strides + self.reach
        self.kernel = np.ascontiguousarray(kernel, dtype=dtype)
        bias_row = (np.asarray(bias, dtype=dtype) if bias is not None else np.zeros(filters, dtype))[None]
        if self.depthwise:
            self.weights = self.kernel.reshape(k, groups, filters // groups)
        else:  # (k·C + 1, F): the last row the bias, against a column of ones in the im2col
            self.weights = np.concatenate([self.kernel.reshape(k * channels, filters), bias_row])
        self.segment = (self.phases - 1) * strides + self.span  # input rows one polyphase row reads
        if self.tap_stack:
            self.stacked = _stacked(self.kernel, strides, dilation, self.tap_count)
        if self.phases > 1:
            self.weights_by_phase = _toeplitz(self.kernel, bias_row[0], self.phases, strides, dilation)
        self.bias = bias_row[0]

    def pieces(self, xb: Array, t0: int, t: int, buffer: Array) -> Iterator[tuple[int, int, Array]]:
        """(offset, count, rows) covering output positions t0 … t0+t−1: windows inside the input read
        the input itself; windows that touch padding (or a non-contiguous input) read a padded copy.
        The copies share one buffer: use each piece before taking the next."""
        s, first = self.s, t0 * self.s - self.pad_left
        rows = (t - 1) * s + self.reach
        if not _contiguous_rows(xb) or xb.shape[0] * rows * xb.shape[2] * xb.itemsize <= SMALL_COPY_BYTES:
            yield 0, t, _rows(xb, first, rows, self.padding_mode, buffer)  # one padded copy: fewer steps
            return
        inside_from = min(max(0, -(-(self.pad_left - t0 * s) // s)), t)  # first window starting at ≥ 0
        last_start = self.length - self.reach + self.pad_left  # window t ends inside iff t·s ≤ this
        inside_to = max(inside_from, min(t, (last_start // s - t0 + 1) if last_start >= 0 else 0))
        for lo, hi, inside in ((0, inside_from, False), (inside_from, inside_to, True), (inside_to, t, False)):
            if hi > lo:
                begin, count = first + lo * s, (hi - lo - 1) * s + self.reach
                rows = xb[:, begin : begin + count] if inside else _rows(xb, begin, count, self.padding_mode, buffer)
                yield lo, hi - lo, rows


def _phases(filters: int, kernel_size: int, strides: int, span: int) -> int:
    """Output positions per matrix-product row: a narrow F makes a narrow, slow product, so P
    neighbouring positions share one row (K = segment·C, N = P·F) while the extra multiply-adds
    by zeros stay under 1.6× (the segment grows by s per extra position). Only for F ≤ 32."""
    phases = 1
    for candidate in (2, 4, 8):
        if filters > 32 or candidate * filters > 128 or ((candidate - 1) * strides + span) / kernel_size > 1.6:
            break
        phases = candidate
    return phases


def _stacked(kernel: Array, strides: int, dilation: int, taps: int) -> Array:
    """(s·C, taps·F) weights of tap-stacked products: tap j (row j·d of the window) sits in row
    block j·d mod s of column block j·d div s; with stride 1, tap j in column block j."""
    k, channels, filters = kernel.shape
    stacked = np.zeros((strides * channels, taps * filters), dtype=kernel.dtype)
    for j in range(k):
        block, row = (j, 0) if strides == 1 else divmod(j * dilation, strides)
        stacked[row * channels : (row + 1) * channels, block * filters : (block + 1) * filters] = kernel[j]
    return stacked


def _toeplitz(kernel: Array, bias: Array, phases: int, strides: int, dilation: int) -> Array:
    """(segment·C + 1, P·F) weights: position p of a row reads segment rows p·s + j·d with tap j."""
    k, channels, filters = kernel.shape
    segment = (phases - 1) * strides + dilation * (k - 1) + 1
    weights = np.zeros((segment * channels + 1, phases * filters), dtype=kernel.dtype)
    for p in range(phases):
        for j in range(k):
            row = (p * strides + j * dilation) * channels
            weights[row : row + channels, p * filters : (p + 1) * filters] = kernel[j]
        weights[-1, p * filters : (p + 1) * filters] = bias
    return weights


def _rows_view(chunk: Array, count: int, step: int, width: int) -> Array:
    """(nb, count, width) overlapping rows of a chunk with contiguous rows: row r starts at r·step."""
    sn, sl, _ = chunk.strides
    return as_strided(chunk, shape=(chunk.shape[0], count, width), strides=(sn, step * sl, chunk.itemsize))


def _shifted_products(chunk: Array, plan: _Plan, target: Array, tmp: Array | None) -> None:
    """target (nb, t, F) = Σ_j chunk[rows j·d + t·s] @ kernel[j] + bias: one product per tap."""
    assert tmp is not None
    nb, t, filters = target.shape
    stop = (t - 1) * plan.s + 1
    scratch = tmp[:nb, :t]
    direct = target.strides[2] == target.itemsize and target.strides[1] == filters * target.itemsize
    acc = target if direct else np.empty((nb, t, filters), dtype=target.dtype)
    for j in range(plan.k):
        taps = chunk[:, j * plan.d : j * plan.d + stop : plan.s]
        np.matmul(taps, plan.kernel[j], out=acc if j == 0 else scratch)
        if j:
            acc += scratch
    if plan.with_bias:
        acc += plan.bias
    if not direct:
        target[...] = acc


def _tap_stack(chunk: Array, skip: int, plan: _Plan, target: Array, products: Array) -> None:
    """target (nb, t, F) = Σ_m (rows @ stacked)[t + m·step − skip, tap m's columns] + bias, where a
    product row is s input rows of chunk (one row with stride 1).

    chunk holds real rows only: window 0 starts `skip` rows before it (a zero padding, stride 1),
    and taps that fall outside the chunk add nothing, so no padded copy is needed.
    """
    nb, t, filters = target.shape
    s, step, taps = plan.s, plan.tap_step, plan.tap_count
    count = chunk.shape[1] // s
    sn, sl, _ = chunk.strides
    width = s * chunk.shape[2]
    stride_rows = sn // (s * sl)
    if nb == 1 or (sn % (s * sl) == 0 and stride_rows <= count + plan.reach):  # one product, all examples
        flat = (nb - 1) * stride_rows + count  # (the few rows between examples are computed, then unused)
        y = products[:flat]
        np.matmul(as_strided(chunk, (flat, width), (s * sl, chunk.itemsize)), plan.stacked, out=y)
        ys = as_strided(y, (nb, count, y.shape[1]), (stride_rows * y.strides[0], y.strides[0], y.itemsize))
    else:
        ys = products[: nb * count].reshape(nb, count, -1)
        np.matmul(as_strided(chunk, (nb, count, width), (sn, s * sl, chunk.itemsize)), plan.stacked, out=ys)
    # Tap m of position p reads row p + m·step − skip: positions lo_m … hi_m−1 have it inside the chunk.
    spans = [(m, max(0, skip - m * step), min(t, count + skip - m * step)) for m in range(taps)]
    first, last = max(lo for _, lo, _ in spans), min(hi for _, _, hi in spans)
    if first >= last:
        first = last = 0
    target[:, :first] = 0
    target[:, last:] = 0

    def tap(m: int, lo: int, hi: int) -> Array:
        row = lo + m * step - skip
        return ys[:, row : row + hi - lo, m * filters : (m + 1) * filters]

    inner = target[:, first:last]
    if taps == 1:
        inner[...] = tap(0, first, last)
    elif last > first:
        np.add(tap(0, first, last), tap(1, first, last), out=inner)
    for m, lo, hi in spans:
        for a, b in ((lo, min(first, hi)), (max(last, lo), hi)) if m < 2 else ((lo, hi),):
            if b > a:
                target[:, a:b] += tap(m, a, b)
    if plan.with_bias:
        target += plan.bias


def _im2col(chunk: Array, plan: _Plan, target: Array) -> None:
    """Fill target (nb, t, k·C + 1) with each window's taps side by side (ones preset)."""
    t = target.shape[1]
    k, c, s, d = plan.k, plan.channels, plan.s, plan.d
    if d == 1 and _contiguous_rows(chunk):  # the k rows of a window are contiguous: copy k·C-long rows
        target[:, :, : k * c] = _rows_view(chunk, t, s, k * c)
        return
    stop = (t - 1) * s + 1
    for j in range(k):
        target[:, :, j * c : (j + 1) * c] = chunk[:, j * d : j * d + stop : s]


def _depthwise(chunk: Array, plan: _Plan, target: Array) -> None:
    """target (nb, t, F) = Σ_j window taps × weights, channel by channel (no matrix product needed)."""
    nb, t = target.shape[:2]
    sn, sl, sc = chunk.strides
    windows = as_strided(chunk, shape=(nb, t, plan.groups, plan.k), strides=(sn, plan.s * sl, sc, plan.d * sl))
    if plan.weights.shape[2] == 1:  # one filter per channel: the common depthwise layer
        np.einsum("ntgk,kg->ntg", windows, plan.weights[:, :, 0], out=target)
    else:
        target[...] = np.einsum("ntgk,kgf->ntgf", windows, plan.weights).reshape(target.shape)
    if plan.with_bias:
        target += plan.bias


def convolve(
    x: Array,
    kernel: Array,
    bias: Array | None = None,
    *,
    strides: int = 1,
    dilation_rate: int = 1,
    pad_left: int = 0,
    pad_right: int = 0,
    padding_mode: str = "zeros",
    groups: int = 1,
    out: Array | None = None,
    elementwise: Elementwise | None = None,
    work_bytes: int = WORK_BYTES,
    finite: bool | None = None,
) -> Array:
    """Cross-correlate x (N, L, C) with kernel (k, C/groups, F) → (N, L_out, F), written into out.

    `out` may be any writable (N, L_out, F) view (a memory map, a transposed array); `elementwise`
    is applied chunk by chunk (an activation that needs no other output position). `finite` says
    whether x and kernel hold finite numbers only (None: look). Otherwise the paths that multiply
    data by weights that are zero, or skip the zero padding, are not taken: inf · 0 is NaN, and the
    frameworks' NaN and inf must land where theirs do. Overflow and NaN make no warnings, as there.
    """
    batch, length, _ = x.shape
    k = kernel.shape[0]
    dtype = np.result_type(x.dtype, kernel.dtype)
    l_out = Axis(length, k, strides, dilation_rate, pad_left, pad_right).output_length
    if out is None:
        out = np.empty((batch, l_out, kernel.shape[2]), dtype=dtype)
    if l_out == 0 or batch == 0:
        return out
    if groups > 1 and kernel.shape[1] > 1:  # grouped, not depthwise: one ordinary convolution per group
        cg, fg = kernel.shape[1], kernel.shape[2] // groups
        if finite is None and fg <= 32:  # polyphase likely: one look at all of x beats one per group's slice
            finite = _all_finite(x, kernel)
        for group in range(groups):
            filters = slice(group * fg, (group + 1) * fg)
            convolve(
                x[:, :, group * cg : (group + 1) * cg], kernel[:, :, filters], None if bias is None else bias[filters],
                strides=strides, dilation_rate=dilation_rate, pad_left=pad_left, pad_right=pad_right,
                padding_mode=padding_mode, out=out[:, :, filters], elementwise=elementwise, work_bytes=work_bytes,
                finite=finite,
            )  # fmt: skip
        return out
    plan = _Plan(x, kernel, bias, out, groups, strides, dilation_rate, (pad_left, pad_right), padding_mode, dtype,
                 work_bytes, finite)  # fmt: skip
    chunks = [(n0, t0) for n0 in range(0, batch, plan.batch_block) for t0 in range(0, l_out, plan.positions)]

    def run_chunks(todo: list[tuple[int, int]]) -> None:
        work = _Workspace(plan, dtype)
        with np.errstate(over="ignore", invalid="ignore"):  # (a per-thread setting)
            for n0, t0 in todo:
                run_chunk(work, n0, t0)

    def run_chunk(work: _Workspace, n0: int, t0: int) -> None:
        xb = x[n0 : n0 + plan.batch_block]
        nb, t = xb.shape[0], min(plan.positions, l_out - t0)
        target = out[n0 : n0 + nb, t0 : t0 + t]
        if work.products is not None and strides == 1 and padding_mode == "zeros" and _contiguous_rows(xb):
            _tap_stack_rows(xb, t0, plan, target, work.products)  # the padding's zeros need no copy
        else:
            _pieces(xb, t0, plan, target, work)
        if elementwise is not None:
            target[...] = elementwise(target)

    if plan.depthwise and THREADS > 1 and len(chunks) > 1:  # einsum releases the GIL; BLAS has its own threads
        from concurrent.futures import ThreadPoolExecutor  # here: its import costs every start-up

        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(run_chunks, [chunks[i::THREADS] for i in range(THREADS)]))
    else:
        run_chunks(chunks)
    return out


class _Workspace:
    """One thread's buffers: a padded copy of a chunk's rows, and what the plan's algorithm lays out."""

    def __init__(self, plan: _Plan, dtype: np.dtype[np.floating]) -> None:
        nb, t, k, c, f = plan.batch_block, plan.positions, plan.k, plan.channels, plan.filters
        self.buffer = np.empty((nb, plan.rows, c), dtype=dtype)
        self.tmp = np.empty((nb, t, f), dtype=dtype) if plan.per_tap else None
        # Tap-stacked: a chunk's rows (and the few between its examples) by k·F.
        rows = nb * (plan.rows // plan.s + plan.reach)
        self.products = np.empty((rows, plan.tap_count * f), dtype=dtype) if plan.tap_stack else None
        self.im2col = not (plan.depthwise or plan.per_tap or plan.tap_stack)
        self._cols_shape, self._dtype = (nb, t, k * c + 1), dtype
        self._cols: Array | None = None
        self.cols_by_phase = None
        if plan.phases > 1:
            self.cols_by_phase = np.empty((nb, t // plan.phases, plan.segment * c + 1), dtype=dtype)
            self.cols_by_phase[..., -1] = 1

    def cols(self) -> Array:
        """The im2col buffer, with a column of ones for the bias; made when first needed (with
        polyphase rows, only for the few positions left over)."""
        if self._cols is None:
            self._cols = np.empty(self._cols_shape, dtype=self._dtype)
            self._cols[..., -1] = 1
        return self._cols


def _pieces(xb: Array, t0: int, plan: _Plan, target: Array, work: _Workspace) -> None:
    """target (nb, t, F): output positions t0 … t0+t−1 of the examples xb, piece by piece."""
    cols_by_phase = work.cols_by_phase
    nb, t = target.shape[:2]
    s = plan.s
    pending: list[tuple[int, int]] = []
    for offset, count, chunk in plan.pieces(xb, t0, t, work.buffer):
        part = target[:, offset : offset + count]
        if plan.per_tap:
            _shifted_products(chunk, plan, part, work.tmp)
            continue
        if work.products is not None:
            _tap_stack(chunk, 0, plan, part, work.products)
            continue
        if not work.im2col:
            _depthwise(chunk, plan, part)
            continue
        done = 0
        if cols_by_phase is not None and count >= plan.phases and _contiguous_rows(chunk):
            rows = count // plan.phases
            done = rows * plan.phases
            grouped = cols_by_phase[:nb, :rows]
            grouped[:, :, :-1] = _rows_view(chunk, rows, plan.phases * s, plan.segment * plan.channels)
            _product(grouped, plan.weights_by_phase, part[:, :done], plan.phases)
        if done < count:
            _im2col(chunk[:, done * s :], plan, work.cols()[:nb, offset + done : offset + count])
            pending.append((offset + done, offset + count))
    if pending:
        # One product for all the windows laid out above (contiguous unless polyphase cut them).
        ranges = [(0, t)] if plan.phases == 1 else pending
        for lo, hi in ranges:
            _product(work.cols()[:nb, lo:hi], plan.weights, target[:, lo:hi], 1)


def _tap_stack_rows(xb: Array, t0: int, plan: _Plan, target: Array, products: Array) -> None:
    """Tap-stacked products straight off the input rows of positions t0 …: zero padding adds nothing."""
    first = t0 - plan.pad_left  # the first window's first row
    lo, hi = max(first, 0), min(first + target.shape[1] - 1 + plan.reach, plan.length)
    if hi > lo:
        _tap_stack(xb[:, lo:hi], lo - first, plan, target, products)
    else:  # every window in the padding
        target[...] = plan.bias


def _all_finite(x: Array | None, kernel: Array) -> bool:
    """No inf or NaN in the kernel (or x): a sum is one fast pass over x (an overflow only says no)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return bool(np.isfinite(kernel).all() and (x is None or np.isfinite(x.sum())))


def _product(cols: Array, weights: Array, target: Array, phases: int) -> None:
    """target (nb, t, F) = cols (nb, t/P, K) @ weights (K, P·F): straight into target when its rows
    allow a 2-D view (BLAS writes there, rows apart as in a group's columns), else through a
    temporary."""
    nb, t, filters = target.shape
    rows = nb * cols.shape[1]
    flat = cols.reshape(rows, cols.shape[2])
    s0, s1, s2 = target.strides
    width = phases * filters
    row_ok = s1 == filters * s2 if phases > 1 else s1 >= filters * s2  # P positions side by side
    if s2 == target.itemsize and row_ok and (nb == 1 or s0 == t * s1):
        np.matmul(flat, weights, out=as_strided(target, (rows, width), (phases * s1, s2)))
    else:
        target[...] = (flat @ weights).reshape(nb, t, filters)
