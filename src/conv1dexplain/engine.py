"""The NumPy convolution: exact Keras / PyTorch semantics on channels-last arrays."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

# PyTorch padding_mode → numpy.pad mode (same values at every position).
_NUMPY_PAD_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def pad_sequence(x: NDArray[np.floating], left: int, right: int, padding_mode: str) -> NDArray[np.floating]:
    """Pad a (N, L, C) array along L the way the framework's padding_mode does."""
    if left < 0 or right < 0:  # F.pad crops for negative widths
        x = x[:, max(0, -left) : x.shape[1] - max(0, -right), :]
        left, right = max(0, left), max(0, right)
    if left == 0 and right == 0:
        return x
    padded: NDArray[np.floating] = np.pad(x, ((0, 0), (left, right), (0, 0)), mode=_NUMPY_PAD_MODE[padding_mode])  # type: ignore[call-overload]
    return padded


def convolve(
    x: NDArray[np.floating],
    kernel: NDArray[np.floating],
    bias: NDArray[np.floating] | None = None,
    *,
    strides: int = 1,
    dilation_rate: int = 1,
    pad_left: int = 0,
    pad_right: int = 0,
    padding_mode: str = "zeros",
    groups: int = 1,
) -> NDArray[np.floating]:
    """Cross-correlate x (N, L, C) with a Keras-layout kernel (k, C/groups, F) → (N, L_out, F).

    One matrix product per tap over a strided view: no k-fold copy of the input.
    """
    batch, _, channels = x.shape
    kernel_size, channels_per_group, filters = kernel.shape
    padded = pad_sequence(x, pad_left, pad_right, padding_mode)
    span = dilation_rate * (kernel_size - 1) + 1
    output_length = max(0, (padded.shape[1] - span) // strides + 1)
    dtype = np.result_type(x, kernel)
    out = np.zeros((batch, output_length, filters), dtype=dtype)
    filters_per_group = filters // groups
    stop = (output_length - 1) * strides + 1
    for tap in range(kernel_size):
        start = tap * dilation_rate
        window = padded[:, start : start + stop : strides, :]  # (N, L_out, C)
        if groups == 1:
            out += window @ kernel[tap]
        else:
            grouped = window.reshape(batch, output_length, groups, channels_per_group)
            weights = kernel[tap].reshape(channels_per_group, groups, filters_per_group)
            out += np.einsum("nlgc,cgf->nlgf", grouped, weights).reshape(batch, output_length, filters)
    if bias is not None:
        out += bias
    assert channels == channels_per_group * groups
    return out
