"""One product per tap: dilated, with many channels and no more filters than channels, k products
straight off the input (each reads a shifted view, K = C) cost less than gathering the k taps
first, which dilation makes k separate copies (with dilation 1 the im2col is one fast copy)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from conv1dexplain.engine.layer import Array, LayerShape
from conv1dexplain.engine.limits import Limits

if TYPE_CHECKING:
    from conv1dexplain.engine.chunks import Strategy


def applies(layer: LayerShape, limits: Limits) -> bool:
    return (
        not layer.depthwise
        and layer.dilation > 1
        and layer.channels >= limits.per_tap_channels
        and layer.filters <= layer.channels
    )


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
