"""Layers whose taps mostly read padding over a long span, or with zero padding and a kernel
holding inf or NaN: each tap multiplies only the rows it reads.

Zero padding contributes nothing: a tap over it is skipped, never multiplied (the rule of PyTorch's
batched kernels, taken everywhere), so an inf or NaN weight over the padding makes no NaN. And a
dilation or a kernel far longer than the input costs what the output needs, the taps that read
real input, not what the padded length spans: the other paths lay out (or unfold) a window's rows,
padding included. Output position t reads input row t·s + j·d − pad_left with tap j, so the
positions where a tap reads the input form one range, and so do the taps that reach a chunk's
positions: no loop over the taps that reach none. With PyTorch's other padding modes the padding
holds input rows, so every tap counts, each reading the rows its positions map to.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from conv1dexplain.engine.buffers import held
from conv1dexplain.engine.layer import Array, LayerShape, is_depthwise
from conv1dexplain.engine.limits import Limits
from conv1dexplain.padding_rows import source_rows


def applies(layer: LayerShape, limits: Limits) -> bool:
    """Whether a window's rows (span·C numbers) are over limits.span_bytes (the other paths'
    buffers hold at least one window's rows, its padding included, whatever chunk budget the call
    gives), or the layer has zero padding and a kernel that is not all finite (other modes'
    padding holds input rows: their taps count)."""
    if layer.span * layer.channels * layer.x_itemsize > limits.span_bytes:
        return True
    return layer.padding_mode == "zeros" and (layer.pad_left > 0 or layer.pad_right > 0) and not layer.finite(False)


def reaching_taps(t0: int, t: int, strides: int, dilation: int, pad_left: int, length: int, k: int) -> range:
    """The taps j that read an input row for some output position t0 … t0+t−1."""
    low = max(0, -(-(pad_left - (t0 + t - 1) * strides) // dilation))
    high = min(k - 1, (length - 1 + pad_left - t0 * strides) // dilation)
    return range(low, high + 1)


def convolve_taps(
    x: Array,
    kernel: Array,
    bias: Array | None,
    out: Array,
    strides: int,
    dilation: int,
    pad_left: int,
    padding_mode: str,
    groups: int,
    elementwise: Callable[[Array], Array] | None,
    work_bytes: int,
) -> None:
    """out (N, L_out, F) = x (N, L, C) ⋆ kernel (k, C/g, F), tap by tap over the rows each reads."""
    batch, length, channels = x.shape
    k, cg, filters = kernel.shape
    l_out, fg = out.shape[1], filters // groups
    dtype = np.result_type(x.dtype, kernel.dtype)
    depthwise = is_depthwise(kernel, groups)
    positions = max(1, work_bytes // (2 * max(channels, filters) * dtype.itemsize))
    block = max(1, min(batch, positions // l_out)) if positions >= l_out else 1
    positions = min(positions, l_out)
    total = held("taps total", (block, positions, filters), dtype)
    scratch = held("taps product", (block, positions, filters), dtype)
    start = np.zeros(filters, dtype) if bias is None else np.asarray(bias, dtype)
    for n0 in range(0, batch, block):
        m = min(block, batch - n0)
        for t0 in range(0, l_out, positions):
            t = min(positions, l_out - t0)
            acc = total[:m, :t]
            acc[...] = start
            zeros = padding_mode == "zeros"
            for j in reaching_taps(t0, t, strides, dilation, pad_left, length, k) if zeros else range(k):
                offset = j * dilation - pad_left  # the input row of position 0
                if zeros:
                    lo = max(t0, -(offset // strides))  # (ceil(−offset / s))
                    hi = min(t0 + t, (length - 1 - offset) // strides + 1)
                    if hi <= lo:
                        continue
                    rows = x[n0 : n0 + m, lo * strides + offset : (hi - 1) * strides + offset + 1 : strides]
                else:  # every position reads a row: the padding's are input rows too
                    lo, hi = t0, t0 + t
                    rows = x[n0 : n0 + m, source_rows(np.arange(lo, hi) * strides + offset, length, padding_mode)]
                product = scratch[:m, : hi - lo]
                if depthwise:  # filter c·M + i reads channel c
                    np.multiply(
                        rows[..., None],
                        kernel[j, 0].reshape(channels, fg),
                        out=product.reshape(m, hi - lo, channels, fg),
                    )
                elif groups == 1:
                    np.matmul(rows, kernel[j], out=product)
                else:
                    for g in range(groups):
                        np.matmul(
                            rows[..., g * cg : (g + 1) * cg],
                            kernel[j, :, g * fg : (g + 1) * fg],
                            out=product[..., g * fg : (g + 1) * fg],
                        )
                acc[:, lo - t0 : hi - t0] += product
            out[n0 : n0 + m, t0 : t0 + t] = acc if elementwise is None else elementwise(acc)
