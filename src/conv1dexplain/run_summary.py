"""The RunReport of a finished run: the output's range and a preview, read off the arrays."""

from __future__ import annotations

import math
import os
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from conv1dexplain.report.facts import layer_facts
from conv1dexplain.report.run import RunReport

if TYPE_CHECKING:
    from conv1dexplain.runner import Prepared

PREVIEW_POSITIONS = 5
PREVIEW_CHANNELS = 6
STATS_BLOCK = 1 << 20  # values read at once: a memory-mapped output is not pulled into RAM


def summary_stats(array: NDArray[np.floating], block: int = STATS_BLOCK) -> tuple[float, float, float]:
    """min, max and mean, read in blocks (a memory-mapped output is not pulled into RAM at once)."""
    flat = array.reshape(-1)
    low, high, total = math.inf, -math.inf, 0.0
    with np.errstate(invalid="ignore", over="ignore"):  # inf − inf is NaN, as np.mean says, without a warning
        for start in range(0, flat.size, block):
            part = np.asarray(flat[start : start + block], dtype=np.float64)
            # np.minimum and np.maximum keep a NaN, as np.min and np.max do (Python's min() would drop it)
            low, high = float(np.minimum(low, part.min())), float(np.maximum(high, part.max()))
            total = float(np.add(total, part.sum()))
    return low, high, total / max(flat.size, 1)


def preview(result: NDArray[np.floating], layout: str) -> list[list[float]]:
    """The first positions × first channels of the first example, as the human view shows them."""
    if result.size == 0:
        return []  # a batch of 0: no example to show
    example = result if result.ndim == 2 else result[0]
    rows = example if layout == "channels_last" else example.T
    return np.asarray(rows[:PREVIEW_POSITIONS, :PREVIEW_CHANNELS], dtype=np.float64).tolist()  # type: ignore[no-any-return]


def run_report(ready: Prepared, result: NDArray[np.floating], written: str | None, with_values: bool) -> RunReport:
    """What the run did (written: the output file, if one was; with_values: the output itself, for stdout)."""
    plan = ready.plan
    spec = plan.config
    low, high, mean = summary_stats(result) if result.size else (None, None, None)
    explicit = spec.padding if isinstance(spec.padding, tuple) else None
    words = plan.convention.explicit_padding_words
    return RunReport(
        facts=layer_facts(plan),
        input_shape=list(ready.x.shape),
        output_shape=list(result.shape),
        dtype=str(ready.dtype),
        data_source=ready.data_source,
        weights_source=ready.weights_source,
        padding=spec.padding if not isinstance(spec.padding, tuple) else list(spec.padding),
        padding_equivalent=None if explicit is None else words(*explicit, spec.padding_mode),
        min=low,
        max=high,
        mean=mean,
        output_file=written,
        output_bytes=None if written is None else os.path.getsize(written),
        preview=preview(result, spec.data_format),
        output=np.asarray(result, dtype=np.float64).tolist() if with_values else None,
    )
