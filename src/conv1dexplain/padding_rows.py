"""Which input row each padded position holds, under each padding_mode (arrays: the engine and trace)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def source_rows(positions: NDArray[np.int64], length: int, padding_mode: str) -> NDArray[np.int64]:
    """The input row each (possibly padding) position holds; −1 for a zero."""
    inside = (positions >= 0) & (positions < length)
    if padding_mode == "zeros":
        return np.where(inside, positions, -1)
    if padding_mode == "replicate":
        return np.clip(positions, 0, length - 1)
    if padding_mode == "circular":
        return positions % length
    period = 2 * (length - 1) if length > 1 else 1  # reflect, without repeating the edge
    folded = np.abs(positions) % period
    return np.where(folded < length, folded, period - folded)
