"""The chunked algorithms run: the output filled chunk by chunk (bounded memory), each chunk by
the chosen algorithm, into the output or, when its filters lie apart in memory (PyTorch's
layout), into a channels-last buffer that one copy then moves."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from conv1dexplain.engine import depthwise_einsum, im2col, in_place, per_tap, polyphase, tap_stack
from conv1dexplain.engine.buffers import Workspace, held
from conv1dexplain.engine.choose import Choice
from conv1dexplain.engine.layer import Array, LayerShape
from conv1dexplain.engine.limits import Limits
from conv1dexplain.engine.rows import contiguous_rows, padded_rows, rows_view
from conv1dexplain.engine.threads import spread

Elementwise = Callable[[Array], Array]


class Strategy:
    """One call's choice, with the layer's sizes and the weights laid out for its algorithm."""

    def __init__(
        self,
        layer: LayerShape,
        choice: Choice,
        limits: Limits,
        kernel: Array,
        bias: Array | None,
        dtype: np.dtype[np.floating],
    ) -> None:
        self.layer, self.choice, self.limits = layer, choice, limits
        self.k, self.filters, self.groups = layer.kernel_size, layer.filters, layer.groups
        self.s, self.d, self.channels = layer.strides, layer.dilation, layer.channels
        self.length, self.l_out, self.span = layer.length, layer.l_out, layer.span
        self.pad_left, self.padding_mode = layer.pad_left, layer.padding_mode
        self.with_bias = bias is not None
        self.kernel = np.ascontiguousarray(kernel, dtype=dtype)
        self.bias = np.asarray(bias, dtype=dtype) if bias is not None else np.zeros(self.filters, dtype)
        unused = np.empty((0, 0), dtype)
        self.weights = self.stacked = self.weights_by_phase = self.inside_weights = unused
        if choice.depthwise:
            self.weights = depthwise_einsum.weights(self.kernel, self.groups)
        elif not (choice.per_tap or choice.tap_stack):
            self.weights = im2col.weights(self.kernel, self.bias)
        if choice.tap_stack:
            self.stacked = tap_stack.stacked_weights(self.kernel, self.s, self.d, choice.tap_count)
        if choice.phases > 1:
            self.weights_by_phase = polyphase.toeplitz_weights(self.kernel, self.bias, choice.phases, self.s, self.d)
        if choice.inside:  # (below the bias row, which takes a column of ones)
            self.inside_weights = (self.weights_by_phase if choice.phases > 1 else self.weights)[:-1]


def run(
    x: Array,
    kernel: Array,
    bias: Array | None,
    out: Array,
    layer: LayerShape,
    choice: Choice,
    limits: Limits,
    elementwise: Elementwise | None,
) -> None:
    """out = x ⋆ kernel by the chosen chunked algorithm, the chunks shared by choice.threads."""
    dtype = np.result_type(x.dtype, kernel.dtype)
    strategy = Strategy(layer, choice, limits, kernel, bias, dtype)
    chunks = [
        (n0, t0) for n0 in range(0, layer.batch, choice.batch_block) for t0 in range(0, layer.l_out, choice.positions)
    ]

    def run_chunks(todo: list[tuple[int, int]]) -> None:
        work = Workspace(strategy, dtype)
        with np.errstate(over="ignore", invalid="ignore"):  # (a per-thread setting)
            for n0, t0 in todo:
                run_chunk(x, out, strategy, work, n0, t0, elementwise)

    spread(run_chunks, chunks, choice.threads)


def run_chunk(
    x: Array, out: Array, strategy: Strategy, work: Workspace, n0: int, t0: int, elementwise: Elementwise | None
) -> None:
    """Output positions t0 … of the examples n0 …, one chunk."""
    choice = strategy.choice
    xb = x[n0 : n0 + choice.batch_block]
    nb, t = xb.shape[0], min(choice.positions, strategy.l_out - t0)
    target = out[n0 : n0 + nb, t0 : t0 + t]
    # Filters apart in memory (PyTorch's layout): the algorithms write a channels-last buffer,
    # then one copy moves it (shifted adds, einsum and copies into such a target are slow).
    result = target if target.strides[2] == target.itemsize else held("result", target.shape, strategy.kernel.dtype)
    if work.products is not None and choice.rows_in_place:
        tap_stack.tap_stack_rows(xb, t0, strategy, result, work.products)  # the padding's zeros need no copy
    elif choice.inside:
        in_place.inside_windows(xb, t0, strategy, result, work, by_pieces)
    else:
        by_pieces(xb, t0, strategy, result, work)
    if elementwise is not None:
        result[...] = elementwise(result)
    if result is not target:
        target[...] = result


def by_pieces(xb: Array, t0: int, strategy: Strategy, target: Array, work: Workspace) -> None:
    """target (nb, t, F): output positions t0 … t0+t−1 of the examples xb, piece by piece."""
    nb, t = target.shape[:2]
    s = strategy.s
    laid_out = False
    for offset, count, chunk in pieces(strategy, xb, t0, t, work.buffer):
        part = target[:, offset : offset + count]
        if strategy.choice.per_tap:
            per_tap.shifted_products(chunk, strategy, part, work.tmp)
            continue
        if work.products is not None:
            tap_stack.tap_stack(chunk, 0, strategy, part, work.products)
            continue
        if strategy.choice.depthwise:
            depthwise_einsum.depthwise(chunk, strategy, part)
            continue
        if strategy.choice.phases == 1:  # laid out now, one product for all the chunk's windows below
            im2col.im2col(chunk, strategy, work.cols(t)[:nb, offset : offset + count])
            laid_out = True
            continue
        rows = count // strategy.choice.phases  # (rows_view: a piece's rows are contiguous)
        done = rows * strategy.choice.phases
        if rows:
            grouped = work.cols_by_phase(rows)[:nb, :rows]
            grouped[:, :, :-1] = rows_view(
                chunk, rows, strategy.choice.phases * s, strategy.choice.segment * strategy.channels
            )
            im2col.product(
                grouped, strategy.weights_by_phase, part[:, :done], strategy.choice.phases, strategy.limits.example_rows
            )
        if done < count:  # the few positions left over: a small product of their own
            cols = work.cols(count - done)[:nb]
            im2col.im2col(chunk[:, done * s :], strategy, cols)
            im2col.product(cols, strategy.weights, part[:, done:], 1, strategy.limits.example_rows)
    if laid_out:
        im2col.product(work.cols(t)[:nb], strategy.weights, target, 1, strategy.limits.example_rows)


def pieces(
    strategy: Strategy, xb: Array, t0: int, t: int, buffer: Callable[[int], Array]
) -> Iterator[tuple[int, int, Array]]:
    """(offset, count, rows) covering output positions t0 … t0+t−1: windows inside the input read
    the input itself; windows that touch padding (or a non-contiguous input) read a padded copy.
    Every piece's rows are contiguous. The copies share one buffer: use each piece before taking
    the next."""
    s, first = strategy.s, t0 * strategy.s - strategy.pad_left
    rows = (t - 1) * s + strategy.choice.reach
    if not contiguous_rows(xb) or xb.shape[0] * rows * xb.shape[2] * xb.itemsize <= strategy.limits.small_copy_bytes:
        yield 0, t, padded_rows(xb, first, rows, strategy.padding_mode, buffer(rows))  # one padded copy: fewer steps
        return
    inside_from = min(max(0, -(-(strategy.pad_left - t0 * s) // s)), t)  # first window starting at ≥ 0
    last_start = strategy.length - strategy.choice.reach + strategy.pad_left  # window t ends inside iff t·s ≤ this
    inside_to = max(inside_from, min(t, (last_start // s - t0 + 1) if last_start >= 0 else 0))
    for lo, hi, inside in ((0, inside_from, False), (inside_from, inside_to, True), (inside_to, t, False)):
        if hi > lo:
            begin, count = first + lo * s, (hi - lo - 1) * s + strategy.choice.reach
            if inside:
                yield lo, hi - lo, xb[:, begin : begin + count]
            else:
                yield lo, hi - lo, padded_rows(xb, begin, count, strategy.padding_mode, buffer(count))
