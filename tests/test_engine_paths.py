"""Every path of the engine, in both layouts, over sizes drawn at and around each size where the
engine changes path, against the definition (tests/engine_reference.py); the engine's own record
of the paths it took (convolve's `paths`) is counted.

Where the engine switches (the fields of engine/limits.py, read by choose.py and the algorithms):
- input taps: a window's span·C numbers over the chunk budget (work_bytes), or zero padding with a
  kernel not all finite;
- taps unfolded along L: PyTorch's layout, ≥ unfold_positions (128) output positions,
  k·C ≤ unfold_copies (3)·(s·C + F); one product for several examples below fold_below (1024);
  a pointwise kernel read in place;
- depthwise rows: PyTorch's layout, stride 1, k ≤ rows_taps (9); blocks of block_rows (64)
  channel rows, N·C rows when the examples lie back to back;
- one product per tap: dilated, C ≥ per_tap_channels (64), F ≤ C;
- tap-stacked products: s·C ≥ tap_stack_channels (64), F ≤ tap_stack_share (½)·s·C, taps of s
  rows at most tap_stack_waste (1.15)·k;
- windows read in place: undilated, N·L_out/P·segment·C ≥ inside_numbers (2^17), segment·C ≥
  inside_share (1.5)·P·F, and whole examples or ≥ example_rows (256) rows an example;
- polyphase rows: F ≤ 32 (P·F ≤ 128);
- chunks: work_bytes over a position's numbers; depthwise chunks at most 4096 positions; one
  padded copy up to small_copy_bytes (1 MiB); x summed by BLAS from 2^17 numbers.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from engine_reference import check, output_length

ALL_PATHS = {
    "input taps only",
    "taps unfolded along L",
    "depthwise rows",
    "one product per tap",
    "tap-stacked products",
    "tap-stacked products, input rows in place",
    "depthwise einsum",
    "windows read in place",
    "windows read in place, polyphase rows",
    "im2col",
    "im2col, polyphase rows",
}


def near(rng: np.random.Generator, low: int, high: int, marks: tuple[int, ...]) -> int:
    """A number in low … high: half the time at or next to one of the marks, else log-uniform."""
    if rng.random() < 0.5:
        value = int(rng.choice(marks)) + int(rng.integers(-1, 2))
    else:
        value = int(np.exp(rng.uniform(np.log(low + 1), np.log(high + 2)))) - 1
    return min(high, max(low, value))


def draw_layer(rng: np.random.Generator) -> dict[str, Any]:
    """A layer with sizes at and around the engine's switching points."""
    while True:
        channels = near(rng, 1, 300, (1, 2, 32, 64, 128, 192, 256, 300))
        kind = rng.choice(["plain", "plain", "depthwise", "half", "grouped"])
        if kind == "depthwise" or (kind == "half" and channels % 2) or (kind == "grouped" and channels < 4):
            groups, fg = channels, int(rng.integers(1, 4))  # depthwise, multiplier 1–3
            groups = max(groups, 2) if channels > 1 else 1
            if groups == 1:
                fg = near(rng, 1, 96, (1, 16, 32, 64))
        elif kind == "half":
            groups, fg = channels // 2, near(rng, 1, 8, (1, 2, 4))
        elif kind == "grouped":
            groups = int(rng.choice([g for g in (2, 3, 4, 8) if channels % g == 0] or [1]))
            fg = near(rng, 1, 48, (1, 16, 32))
        else:
            groups, fg = 1, near(rng, 1, 160, (1, 16, 31, 32, 33, 64, 128, channels // 2, channels))
        k = near(rng, 1, 12, (1, 3, 9, 10))
        s = int(rng.choice([1, 1, 1, 2, 3, 4]))
        d = int(rng.choice([1, 1, 2, 3])) if rng.random() < 0.8 or s == 1 else 2
        span = d * (k - 1) + 1
        wide = (int(rng.integers(0, 3 * span + 2)), int(rng.integers(0, 3 * span + 2)))  # some windows all padding
        kinds = [(0, 0), (span // 2, span - 1 - span // 2), (span - 1, 0), (span // 2, span // 2), wide]
        pads = kinds[int(rng.integers(5))]
        mode = str(rng.choice(["zeros"] * 5 + ["reflect", "replicate", "circular"]))
        l_out = near(rng, 1, 4200, (1, 2, 64, 128, 256, 1024, 4096))
        length = (l_out - 1) * s + span - pads[0] - pads[1]
        batch = near(rng, 0, 33, (0, 1, 2, 16, 32, 33))
        filters = groups * fg
        macs = max(batch, 1) * l_out * k * (channels // groups) * filters
        numbers = max(batch, 1) * (length + l_out) * max(channels, filters)
        if length < 1 or macs > 1.2e7 or numbers > 3e6 or output_length(length, k, s, d, pads) != l_out:
            continue
        if (mode == "reflect" and max(pads) >= length) or (mode == "circular" and max(pads) > length):
            continue
        layout = str(rng.choice(["keras", "pytorch"]))
        if rng.random() < 0.15:  # long, undilated, channels-last: what reads windows in place
            channels, groups, filters, d, layout = near(rng, 4, 60, (16, 32)), 1, near(rng, 4, 64, (16, 32)), 1, "keras"
            l_out, batch = near(rng, 256, 4200, (256, 1024, 4096)), near(rng, 1, 4, (1, 2))
            span = k
            pads = (0, 0) if rng.random() < 0.5 else (span // 2, span - 1 - span // 2)
            length = (l_out - 1) * s + span - pads[0] - pads[1]
            if length < 1 or batch * l_out * k * channels * filters > 3e7:
                continue
        return {
            "batch": batch,
            "length": length,
            "channels": channels,
            "filters": filters,
            "groups": groups,
            "k": k,
            "s": s,
            "d": d,
            "pads": pads,
            "mode": mode,
            "layout": layout,
            "bias": bool(rng.random() < 0.7),
            "work_bytes": int(rng.choice([6 << 20, 6 << 20, 1 << 16, 1 << 12])),
            "values": str(rng.choice(["finite"] * 8 + ["inf kernel", "nan data"])),
        }


def test_drawn_layers_equal_the_definition_on_every_path() -> None:
    """600 drawn layers (batch 0–33, C 1–300, k 1–12, groups 1, 2–8, C/2 and C with multipliers
    1–3, every padding kind and mode, both layouts, inf and NaN now and then); every path taken."""
    rng = np.random.default_rng(11)
    taken: Counter[str] = Counter()
    sizes: Counter[str] = Counter()
    for _ in range(600):
        layer = draw_layer(rng)
        taken.update(set(check(layer, rng)))
        sizes.update(
            [
                "batch 0"
                if layer["batch"] == 0
                else "depthwise"
                if layer["groups"] == layer["channels"] > 1
                else "grouped"
                if layer["groups"] > 1
                else "plain"
            ]
        )
    print("\npaths taken:", dict(sorted(taken.items())), "\nlayers:", dict(sizes))
    assert set(taken) == ALL_PATHS, f"never taken: {ALL_PATHS - set(taken)}"
    assert min(taken.values()) >= 5, taken
