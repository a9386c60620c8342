"""Depthwise layers channels-last (one input channel a group): no matrix product, an einsum over
the windows; the chunks are shared between threads (einsum releases the GIL)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.lib.stride_tricks import as_strided

from conv1dexplain.engine.layer import Array

if TYPE_CHECKING:
    from conv1dexplain.engine.chunks import Strategy


def weights(kernel: Array, groups: int) -> Array:
    """(k, g, F/g): tap j, channel c, multiplier i."""
    k, _, filters = kernel.shape
    return kernel.reshape(k, groups, filters // groups)


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
