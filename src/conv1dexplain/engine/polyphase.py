"""Polyphase rows: a narrow F makes a narrow, slow product, so P neighbouring output positions
share one product row (K = segment·C, N = P·F), the weights laid out as a block Toeplitz matrix.
The extra multiply-adds are by zero weights: exact for finite data only (inf · 0 is NaN)."""

from __future__ import annotations

import numpy as np

from conv1dexplain.engine.layer import Array, LayerShape
from conv1dexplain.engine.limits import Limits


def count(layer: LayerShape, limits: Limits) -> int:
    """Output positions per product row: the largest P of 2, 4, 8 with P·F small enough, while
    the extra multiply-adds by zeros stay under limits.polyphase_waste (the segment grows by s
    per extra position); 1 for F over limits.polyphase_filters."""
    filters, k, strides, span = layer.filters, layer.kernel_size, layer.strides, layer.span
    phases = 1
    for candidate in (2, 4, 8):
        too_wide = filters > limits.polyphase_filters or candidate * filters > limits.polyphase_width
        if too_wide or ((candidate - 1) * strides + span) / k > limits.polyphase_waste:
            break
        phases = candidate
    return phases


def wide_enough_in_place(layer: LayerShape, limits: Limits) -> bool:
    """Whether windows read in place one position a row (no polyphase rows) are wide enough: F of
    at least limits.in_place_filters, unless the kernel spans many strides (then q products each
    read only every q-th window)."""
    spanned = -(-layer.span // layer.strides)
    return layer.filters >= limits.in_place_filters and spanned <= limits.in_place_strides


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
