"""Depthwise layers in PyTorch's layout, where each channel is a row along L.

Each tap is then one multiply of a block of rows by a column of weights (one per channel), and
one add: long contiguous passes, with no transposing copy, where the channels-last einsum needs
one copy in and one out. It takes two passes a tap, so long kernels stay channels-last, as do
strided layers, whose taps are s apart. Blocks of rows are cache-resident and shared between
the engine's threads (elementwise passes release the GIL).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.lib.stride_tricks import as_strided

from conv1dexplain.engine.buffers import held
from conv1dexplain.engine.layer import Array, LayerShape
from conv1dexplain.engine.limits import Limits
from conv1dexplain.engine.rows import padded_rows_along_l

Block = tuple[int, int, int]  # example, first channel, first output position


def applies(layer: LayerShape, limits: Limits) -> bool:
    """Whether the layer is depthwise (one input channel a group), with L contiguous in input and
    output (PyTorch's layout), stride 1 and a kernel of at most limits.rows_taps."""
    along_l = layer.x_rows_along_l and layer.out_rows_along_l
    return layer.depthwise and along_l and layer.strides == 1 and layer.kernel_size <= limits.rows_taps


class DepthwiseRows:
    """out (N, L_out, F) = x (N, L, C) ⋆ kernel (k, 1, F), views with L contiguous, block by block:
    `blocks` lists them, `run` fills the ones it is given (each thread its share)."""

    def __init__(
        self,
        x: Array,
        kernel: Array,
        bias: Array | None,
        out: Array,
        dilation: int,
        pad_left: int,
        padding_mode: str,
        elementwise: Callable[[Array], Array] | None,
        limits: Limits,
    ) -> None:
        k, _, filters = kernel.shape
        batch, length, channels = x.shape
        self.dtype = np.result_type(x.dtype, kernel.dtype)
        self.multiplier = filters // channels  # output channel c·m + i reads input channel c
        # (C, m, k): row c, multiplier i, tap j; the bias (C, m).
        weights = np.ascontiguousarray(kernel[:, 0, :].T, dtype=self.dtype).reshape(channels, self.multiplier, k)
        biases = None if bias is None else np.asarray(bias, dtype=self.dtype).reshape(channels, self.multiplier)
        sx, so = x.strides, out.strides
        if batch > 1 and sx[0] == channels * sx[2] and so[0] == filters * so[2]:
            # Examples back to back: one example of N·C rows, each with its channel's weights, so
            # that small layers make few blocks (each block costs its few calls, however few its numbers).
            x = as_strided(x, (1, length, batch * channels), (0, sx[1], sx[2]))
            out = as_strided(out, (1, out.shape[1], batch * filters), (0, so[1], so[2]))
            weights = np.tile(weights, (batch, 1, 1))
            biases = None if biases is None else np.tile(biases, (batch, 1))
        self.x, self.out, self.weights, self.bias = x, out, weights, biases
        self.k, self.d = k, dilation
        self.pad_left, self.padding_mode, self.elementwise = pad_left, padding_mode, elementwise
        self.span, l_out = dilation * (k - 1) + 1, out.shape[1]
        self.rows = min(x.shape[2], limits.block_rows)
        self.positions = max(1, min(l_out, limits.work_bytes // (limits.block_share * self.rows * self.dtype.itemsize)))
        self.blocks: list[Block] = [
            (n, c0, t0)
            for n in range(x.shape[0])
            for c0 in range(0, x.shape[2], self.rows)
            for t0 in range(0, l_out, self.positions)
        ]

    def run(self, blocks: list[Block]) -> None:
        longest = self.positions - 1 + self.span
        padded = held("depthwise rows", (1, self.rows, longest), self.dtype)
        scratch = held("depthwise tap", (self.rows, self.positions), self.dtype)
        with np.errstate(over="ignore", invalid="ignore"):  # (a per-thread setting)
            for n, c0, t0 in blocks:
                self.block(n, c0, t0, padded, scratch)

    def block(self, n: int, c0: int, t0: int, padded: Array, scratch: Array) -> None:
        """Output positions t0 … of the output channels that read input channels c0 …"""
        c1, t = min(c0 + self.rows, self.x.shape[2]), min(self.positions, self.out.shape[1] - t0)
        count = t - 1 + self.span
        window = padded_rows_along_l(self.x[n : n + 1, :, c0:c1], t0 - self.pad_left, count, self.padding_mode, padded)[
            0
        ]
        tmp, m = scratch[: c1 - c0, :t], self.multiplier
        for i in range(m):
            target = self.out[n, t0 : t0 + t, c0 * m + i : c1 * m : m].T  # (channels, t)
            weights = self.weights[c0:c1, i]
            for j in range(self.k):
                taps = window[:, j * self.d : j * self.d + t]
                np.multiply(taps, weights[:, j : j + 1], out=target if j == 0 else tmp)
                if j:
                    target += tmp
            if self.bias is not None:
                target += self.bias[c0:c1, i, None]
            if self.elementwise is not None:
                target[...] = self.elementwise(target)
