"""The sizes at which the engine changes algorithm or chunk, as one frozen value.

choose() reads them from the Limits it is given; tests pass other Limits (convolve's `limits`, or
engine.using_limits) to force a path onto a small layer. Why each rule exists is said where it
is applied (choose.py and the algorithm modules); benchmarks/bench_engine.py measures them.
"""

from __future__ import annotations

import os

from conv1dexplain import records
from conv1dexplain.records import record


def cores() -> int:
    """The cores this process may run on (at most 4): threads for the layers that share their chunks."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(4, usable))


@record(frozen=True)
class Limits:
    """Thresholds of the engine's choice, and the chunk budgets that bound its memory."""

    work_bytes: int = 6 << 20  # one chunk's working buffers: cache-friendly, yet large for BLAS
    span_bytes: int = 6 << 20  # a window's rows above this: only the taps that read the input
    per_tap_channels: int = 64  # dilated layers with this many channels: one product per tap
    tap_stack_channels: int = 64  # tap-stacked products with s·C at least this …
    tap_stack_share: float = 0.5  # … F at most this share of s·C …
    tap_stack_waste: float = 1.15  # … and taps of s rows spanning at most this many times k rows
    small_copy_bytes: int = 1 << 20  # a chunk's rows up to this: one padded copy, not pieces
    example_rows: int = 256  # rows an example's own product needs to pay for itself
    inside_share: float = 1.5  # windows read in place when segment·C ≥ this × P·F …
    inside_numbers: int = 1 << 17  # … and their copy would be at least this many numbers
    in_place_filters: int = 32  # filters enough to read windows one position a row …
    in_place_strides: int = 5  # … over a span of at most this many strides
    polyphase_filters: int = 32  # polyphase rows only for F up to this …
    polyphase_width: int = 128  # … P·F up to this …
    polyphase_waste: float = 1.6  # … and a segment at most this many times k
    depthwise_positions: int = 4096  # depthwise chunks (channels-last): positions at most
    unfold_positions: int = 128  # PyTorch's layout unfolds its taps from this many positions …
    unfold_copies: float = 3  # … while k·C ≤ this × (s·C + F)
    fold_below: int = 1024  # unfolded: several examples share one product below these positions
    rows_taps: int = 9  # depthwise rows for kernels up to this size
    block_rows: int = 64  # depthwise rows: channel rows a block …
    block_share: int = 6  # … whose positions take this share (1/n) of the chunk budget
    threads: int = records.field(default_factory=cores)  # threads for depthwise chunks and groups
    group_threads_macs: int = 1 << 22  # a grouped layer's groups share threads from this many MACs


DEFAULT_LIMITS = Limits()
