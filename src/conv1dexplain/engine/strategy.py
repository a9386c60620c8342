"""How the engine goes about one call: which algorithm for the layer's shape, the chunk sizes that
bound its memory, and the weights laid out for it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
from numpy.typing import NDArray

from conv1dexplain.padding_rows import source_rows

Array = NDArray[np.floating]
# Whether the kernel (and, asked with_data, the data too) holds finite numbers only.
Finite = Callable[[bool], bool]

PER_TAP_CHANNELS = 64
TAP_STACK_CHANNELS = 64  # with at least this many channels and at most half as many filters …
TAP_STACK_SHARE = 0.5  # … one product X (rows, C) @ [W_0 … W_k−1] (C, k·F) beats gathering k·C taps
TAP_STACK_WASTE = 1.15  # strided: rows of s input rows, taps of s rows; at most this share of zero taps
SMALL_COPY_BYTES = 1 << 20  # below this a padded copy of the chunk costs less than handling its edges apart
WORK_BYTES = 6 << 20  # the im2col buffer of one chunk: cache-friendly, yet large enough for BLAS
EXAMPLE_ROWS = 256  # rows an example's product needs to cost no more than its share of one for all
INSIDE_SHARE = 1.5  # read windows in place when a row's taps (segment·C) are this many times its P·F results …
INSIDE_NUMBERS = 1 << 17  # … and their copy would be this large: smaller ones cost less than the extra calls


def contiguous_rows(x: Array) -> bool:
    return x.strides[2] == x.itemsize and x.strides[1] == x.shape[2] * x.itemsize


def rows_along_l(x: Array) -> bool:
    """Whether x (N, L, C) has L contiguous: PyTorch's layout, each channel a row along L."""
    return x.strides[1] == x.itemsize


def is_depthwise(kernel: Array, groups: int) -> bool:
    """One input channel a group (kernel (k, C/g, F))."""
    return kernel.shape[1] == 1 and groups > 1


def writable_rows(target: Array, phases: int) -> bool:
    """Whether BLAS can write rows of P positions side by side straight into target (nb, t, F)
    (with P = 1 the rows may lie apart, as in a group's columns of the output)."""
    _, s1, s2 = target.strides
    filters = target.shape[2]
    return s2 == target.itemsize and (s1 == filters * s2 if phases > 1 else s1 >= filters * s2)


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


class Strategy:
    """The algorithm for the layer's shape, the chunk sizes and the weights laid out for it, fixed
    for one call."""

    def __init__(self, x: Array, kernel: Array, bias: Array | None, out: Array, groups: int, strides: int,
                 dilation: int, pads: tuple[int, int], padding_mode: str, dtype: np.dtype[np.floating],
                 work_bytes: int, finite: Finite) -> None:  # fmt: skip
        batch, length, channels = x.shape
        l_out = out.shape[1]
        k, _, filters = kernel.shape
        self.k, self.filters, self.groups = k, filters, groups
        self.s, self.d, self.channels, self.length, self.l_out = strides, dilation, channels, length, l_out
        self.pad_left, self.padding_mode = pads[0], padding_mode
        self.span = dilation * (k - 1) + 1
        self.depthwise = is_depthwise(kernel, groups)
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
                          and self.tap_count * strides <= TAP_STACK_WASTE * k
                          and not (strides > 1 and self.in_place(x, out, 1)[0]))  # fmt: skip
        # Polyphase rows write P positions side by side: not into one group's columns of the output.
        group_columns = out.strides[2] == out.itemsize and out.strides[1] > filters * out.itemsize
        simple = self.depthwise or self.per_tap or self.tap_stack or group_columns
        self.phases = 1 if simple else polyphase_count(filters, k, strides, self.span)
        # Windows read in place one position a row: 32 filters are wide enough, unless the kernel
        # spans many strides (then q products each read only every q-th window; k = 9: 1.08×).
        if self.phases > 1 and filters >= 32 and -(-self.span // strides) <= 5 and self.in_place(x, out, 1)[0]:
            self.phases = 1  # (A/B against polyphase rows read in place: 0.75–0.97× the time)
        # Polyphase rows and strided taps with gaps multiply data by zero weights; stride-1 taps
        # skip the zero padding. Exact for finite numbers only (inf · 0 is NaN): else the im2col.
        gaps = self.tap_stack and strides > 1 and not (dilation == 1 and self.tap_count * strides == k)
        zero_weights = self.phases > 1 or gaps
        if (zero_weights or self.tap_stack) and not finite(zero_weights):
            self.phases, self.tap_stack = 1, False
        # Input rows one window reads: its span, or whole taps of s rows.
        self.reach = ((self.tap_count - 1) * self.tap_step + 1) * strides if self.tap_stack else self.span
        self.segment = (self.phases - 1) * strides + self.span  # input rows one polyphase row reads
        self.inside, self.flat, self.interleave = self.in_place(x, out, self.phases)
        self.inside = self.inside and not self.tap_stack
        # Per output position: its gathered taps (k·C, or C·span for depthwise windows), or its k
        # taps' products (k·F), and F results.
        inner = channels if self.depthwise else self.tap_count * filters if self.tap_stack else k * channels + groups
        per_position = max(inner, filters) * dtype.itemsize
        positions = max(1, work_bytes // per_position)
        if self.inside:  # no buffer but for the few windows over the padding: chunks of output
            positions = max(1, work_bytes // (filters * dtype.itemsize))
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
        elif not (self.per_tap or self.tap_stack):  # (k·C + 1, F): the bias last, against a column of ones
            self.weights = np.concatenate([self.kernel.reshape(k * channels, filters), bias_row])
        if self.tap_stack:
            self.stacked = stacked_weights(self.kernel, strides, dilation, self.tap_count)
        if self.phases > 1:
            self.weights_by_phase = toeplitz_weights(self.kernel, bias_row[0], self.phases, strides, dilation)
        self.bias = bias_row[0]
        self.algorithm = self.name(contiguous_rows(x))
        if self.inside:  # (below the bias row, which takes a column of ones)
            self.inside_weights = (self.weights_by_phase if self.phases > 1 else self.weights)[:-1]

    def name(self, rows_in_place: bool) -> str:
        """The algorithm's name (what a test counts), with whether x has contiguous rows."""
        if self.per_tap:
            return "one product per tap"
        if self.tap_stack:  # (as run_chunk decides: stride 1 and zero padding read the rows in place)
            in_place = self.s == 1 and self.padding_mode == "zeros" and rows_in_place
            return "tap-stacked products" + (", input rows in place" if in_place else "")
        if self.depthwise:
            return "depthwise einsum"
        name = "windows read in place" if self.inside else "im2col"
        return name + (", polyphase rows" if self.phases > 1 else "")

    def in_place(self, x: Array, out: Array, phases: int) -> tuple[bool, bool, int]:
        """Whether BLAS reads the windows (rows of P positions) in place, whether the examples
        then read as one long sequence, and in how many products.

        Undilated windows are contiguous numbers of a channels-last input. Read in place, they
        need no im2col copy (segment·C numbers a row), but the bias then takes a pass over the
        output (P·F a row), and the few windows over the padding a product of their own. Rows of
        one product must not overlap: q products, rows r, r+q, r+2q, … Examples back to back are
        one long sequence when their windows line up; else each takes its own q products, which
        needs many rows an example. With a stride this beats the tap-stacked products too.
        """
        batch, length, channels = x.shape
        l_out, filters, s = out.shape[1], self.filters, self.s
        segment = (phases - 1) * s + self.span
        interleave = -(-segment // (phases * s))
        if self.d > 1 or self.depthwise or batch * l_out // phases * segment * channels < INSIDE_NUMBERS:
            return False, False, interleave  # (the common small layer: decided at once)
        flat = (x.strides[0] == length * x.strides[1] and out.strides[0] == l_out * out.strides[1]
                and out.strides[1] == filters * out.strides[2] and length == s * l_out
                and l_out % phases == 0)  # fmt: skip
        inside = (contiguous_rows(x) and writable_rows(out, phases)
                  and segment * channels >= INSIDE_SHARE * phases * filters
                  and (flat or batch == 1 or l_out // (interleave * phases) >= EXAMPLE_ROWS))  # fmt: skip
        return inside, flat, interleave

    def pieces(self, xb: Array, t0: int, t: int, buffer: Callable[[int], Array]) -> Iterator[tuple[int, int, Array]]:
        """(offset, count, rows) covering output positions t0 … t0+t−1: windows inside the input read
        the input itself; windows that touch padding (or a non-contiguous input) read a padded copy.
        Every piece's rows are contiguous. The copies share one buffer: use each piece before taking
        the next."""
        s, first = self.s, t0 * self.s - self.pad_left
        rows = (t - 1) * s + self.reach
        if not contiguous_rows(xb) or xb.shape[0] * rows * xb.shape[2] * xb.itemsize <= SMALL_COPY_BYTES:
            yield 0, t, padded_rows(xb, first, rows, self.padding_mode, buffer(rows))  # one padded copy: fewer steps
            return
        inside_from = min(max(0, -(-(self.pad_left - t0 * s) // s)), t)  # first window starting at ≥ 0
        last_start = self.length - self.reach + self.pad_left  # window t ends inside iff t·s ≤ this
        inside_to = max(inside_from, min(t, (last_start // s - t0 + 1) if last_start >= 0 else 0))
        for lo, hi, inside in ((0, inside_from, False), (inside_from, inside_to, True), (inside_to, t, False)):
            if hi > lo:
                begin, count = first + lo * s, (hi - lo - 1) * s + self.reach
                if inside:
                    yield lo, hi - lo, xb[:, begin : begin + count]
                else:
                    yield lo, hi - lo, padded_rows(xb, begin, count, self.padding_mode, buffer(count))


def polyphase_count(filters: int, kernel_size: int, strides: int, span: int) -> int:
    """Output positions per matrix-product row: a narrow F makes a narrow, slow product, so P
    neighbouring positions share one row (K = segment·C, N = P·F) while the extra multiply-adds
    by zeros stay under 1.6× (the segment grows by s per extra position). Only for F ≤ 32."""
    phases = 1
    for candidate in (2, 4, 8):
        if filters > 32 or candidate * filters > 128 or ((candidate - 1) * strides + span) / kernel_size > 1.6:
            break
        phases = candidate
    return phases


def stacked_weights(kernel: Array, strides: int, dilation: int, taps: int) -> Array:
    """(s·C, taps·F) weights of tap-stacked products: tap j (row j·d of the window) sits in row
    block j·d mod s of column block j·d div s; with stride 1, tap j in column block j."""
    k, channels, filters = kernel.shape
    stacked = np.zeros((strides * channels, taps * filters), dtype=kernel.dtype)
    for j in range(k):
        block, row = (j, 0) if strides == 1 else divmod(j * dilation, strides)
        stacked[row * channels : (row + 1) * channels, block * filters : (block + 1) * filters] = kernel[j]
    return stacked


def toeplitz_weights(kernel: Array, bias: Array, phases: int, strides: int, dilation: int) -> Array:
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


def look_once(x: Array, kernel: Array, data_finite: bool | None) -> Finite:
    """Whether there is no inf or NaN in the kernel (always looked at: it is small, and a cast may
    have overflowed) and, asked with_data, in x (looked at unless the caller knows): each look
    taken when first asked, then remembered. A sum is one fast pass over x (an overflow only says
    no); grouped layers share the look, so all of x is summed at most once."""
    seen: dict[bool, bool] = {}

    def finite(with_data: bool) -> bool:
        look_at_data = with_data and data_finite is None
        if look_at_data not in seen:
            with np.errstate(over="ignore", invalid="ignore"):
                seen[look_at_data] = finite_kernel(kernel) and (not look_at_data or bool(np.isfinite(total(x))))
        return seen[look_at_data] and not (with_data and data_finite is False)

    return finite


def finite_kernel(kernel: Array, taps: int = 1 << 12) -> bool:
    """Whether the kernel (k, C/g, F) holds finite numbers only, a few taps at a time: a look at
    all of it at once would make a mask as large as a huge kernel."""
    return all(bool(np.isfinite(kernel[j : j + taps]).all()) for j in range(0, kernel.shape[0], taps))


def total(x: Array, width: int = 1024) -> float:
    """The sum of x (inf or NaN when an element is, or when it overflows). When x is contiguous in
    some order of its axes (a PyTorch-layout input is a transposed view), it is summed as a
    matrix-vector product, which BLAS runs on its threads: about 2× faster than x.sum() here from
    2^17 numbers (below, as fast or slower, and it wakes BLAS's threads)."""
    if x.size >= 1 << 17:
        in_memory_order = x.transpose(np.argsort([-abs(stride) for stride in x.strides], kind="stable"))
        if in_memory_order.flags.c_contiguous:
            flat = in_memory_order.reshape(-1)
            rows = flat.size // width
            columns = np.ones(rows, x.dtype) @ flat[: rows * width].reshape(rows, width)
            return float(columns.sum()) + float(flat[rows * width :].sum())
    return float(x.sum())
