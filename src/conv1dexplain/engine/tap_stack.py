"""Tap-stacked products: many channels and few filters. One product of the input rows with the
k taps' weights side by side (K = C, N = k·F), straight off the input rows, then k shifted adds:
less to move than k·C gathered taps. With stride s, a product row is s input rows (K = s·C) and a
tap s rows of the window: position t then reads product rows t … t+taps−1, a stride-1
convolution again (strided taps with gaps multiply data by zero weights: finite data only)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from numpy.lib.stride_tricks import as_strided

from conv1dexplain.engine.layer import Array, LayerShape
from conv1dexplain.engine.limits import Limits

if TYPE_CHECKING:
    from conv1dexplain.engine.chunks import Strategy


def taps(layer: LayerShape) -> tuple[int, int]:
    """(taps, product rows between taps): k taps d rows apart, or with stride s taps of s rows."""
    if layer.strides == 1:
        return layer.kernel_size, layer.dilation
    return -(-layer.span // layer.strides), 1


def applies(layer: LayerShape, limits: Limits) -> bool:
    """Whether s·C is wide enough, F at most a share of it, and taps of s rows waste few zeros."""
    width = layer.strides * layer.channels  # K of a product row
    count, _ = taps(layer)
    return (
        width >= limits.tap_stack_channels
        and layer.filters <= limits.tap_stack_share * width
        and count * layer.strides <= limits.tap_stack_waste * layer.kernel_size
    )


def stacked_weights(kernel: Array, strides: int, dilation: int, taps: int) -> Array:
    """(s·C, taps·F) weights of tap-stacked products: tap j (row j·d of the window) sits in row
    block j·d mod s of column block j·d div s; with stride 1, tap j in column block j."""
    k, channels, filters = kernel.shape
    stacked = np.zeros((strides * channels, taps * filters), dtype=kernel.dtype)
    for j in range(k):
        block, row = (j, 0) if strides == 1 else divmod(j * dilation, strides)
        stacked[row * channels : (row + 1) * channels, block * filters : (block + 1) * filters] = kernel[j]
    return stacked


def tap_stack(chunk: Array, skip: int, strategy: Strategy, target: Array, products: Array) -> None:
    """target (nb, t, F) = Σ_m (rows @ stacked)[t + m·step − skip, tap m's columns] + bias, where a
    product row is s input rows of chunk (one row with stride 1).

    chunk holds real rows only: window 0 starts `skip` rows before it (a zero padding, stride 1),
    and taps that fall outside the chunk add nothing, so no padded copy is needed.
    """
    nb, t, filters = target.shape
    s, step, taps = strategy.s, strategy.choice.tap_step, strategy.choice.tap_count
    count = chunk.shape[1] // s
    sn, sl, _ = chunk.strides
    width = s * chunk.shape[2]
    stride_rows = sn // (s * sl)
    if nb == 1 or (sn % (s * sl) == 0 and stride_rows <= count + strategy.choice.reach):  # one product, all examples
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


def tap_stack_rows(xb: Array, t0: int, strategy: Strategy, target: Array, products: Array) -> None:
    """Tap-stacked products straight off the input rows of positions t0 …: zero padding adds nothing."""
    first = t0 - strategy.pad_left  # the first window's first row
    lo, hi = max(first, 0), min(first + target.shape[1] - 1 + strategy.choice.reach, strategy.length)
    if hi > lo:
        tap_stack(xb[:, lo:hi], lo - first, strategy, target, products)
    else:  # every window in the padding
        target[...] = strategy.bias
