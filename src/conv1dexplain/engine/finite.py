"""Whether the numbers of a call are finite: the look some algorithms need (inf · 0 is NaN), taken
when first asked and remembered."""

from __future__ import annotations

import numpy as np

from conv1dexplain.engine.layer import Array, Finite


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
    matrix-vector product, which BLAS runs on its threads (for small x, x.sum() costs no more and
    wakes no threads)."""
    if x.size >= 1 << 17:
        in_memory_order = x.transpose(np.argsort([-abs(stride) for stride in x.strides], kind="stable"))
        if in_memory_order.flags.c_contiguous:
            flat = in_memory_order.reshape(-1)
            rows = flat.size // width
            columns = np.ones(rows, x.dtype) @ flat[: rows * width].reshape(rows, width)
            return float(columns.sum()) + float(flat[rows * width :].sum())
    return float(x.sum())
