"""Confirm a plan by running the NumPy convolution on seeded data, within a small budget."""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

import numpy as np

from conv1dexplain.engine import convolve, source_rows
from conv1dexplain.geometry import Axis
from conv1dexplain.plan import Plan
from conv1dexplain.report import Check
from conv1dexplain.vocabulary import counted

# The check must stay instant and small: at most this many array elements and MACs.
MAX_ELEMENTS = 4_000_000
MAX_MACS = 100_000_000

Status = Literal["confirmed", "confirmed_shorter", "skipped", "mismatch"]


def _cost(axis: Axis, channels: int, filters: int, weights_per_filter: int) -> tuple[int, int]:
    elements = axis.padded_length * channels + weights_per_filter * filters + axis.output_length * filters
    return elements, axis.output_length * filters * weights_per_filter


def _shorter_axis(axis: Axis) -> Axis:
    """The shortest axis with the same stride phase and padding split, so the same geometry."""
    floor = max(axis.span - axis.pad_left - axis.pad_right, 4 * axis.strides, max(axis.pad_left, axis.pad_right) + 1)
    if floor >= axis.length:
        return axis
    phase = axis.length % axis.strides
    length = floor + (phase - floor) % axis.strides
    return replace(axis, length=length)


def _window_value(x: np.ndarray, kernel: np.ndarray, plan: Plan, axis: Axis, t: int, f: int) -> float:
    """Output t of filter f recomputed from the rows geometry says window t reads."""
    spec = plan.spec
    cg = spec.channels_per_group
    group = f // (spec.filters // spec.groups)
    total = 0.0
    positions = np.array(axis.input_positions(t))
    for tap, row in enumerate(source_rows(positions, axis.length, spec.padding_mode)):
        if row >= 0:
            total += float(x[row, group * cg : (group + 1) * cg] @ kernel[tap, :, f])
    return total


def check_plan(plan: Plan, seed: int = 0) -> Check:
    """Run the engine on one seeded example; compare its shape and a few windows with the plan."""
    spec = plan.spec
    axis = plan.axis
    channels = spec.input.channels
    if plan.weights_per_filter * spec.filters > MAX_ELEMENTS:
        return Check("skipped", None, None, None, 0, seed,
                           f"skipped: the kernel alone has {plan.weights_per_filter * spec.filters:,} "
                           "weights, over the check's memory budget")  # fmt: skip
    status: Status = "confirmed"
    elements, macs = _cost(axis, channels, spec.filters, plan.weights_per_filter)
    if elements > MAX_ELEMENTS or macs > MAX_MACS:
        axis = _shorter_axis(axis)
        status = "confirmed_shorter"
        elements, macs = _cost(axis, channels, spec.filters, plan.weights_per_filter)
        if elements > MAX_ELEMENTS or macs > MAX_MACS:
            return Check("skipped", None, None, None, 0, seed,
                               "skipped: even a short input of this layer is over the check's budget")  # fmt: skip
    expected = axis.output_length
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((axis.length, channels))
    kernel = rng.standard_normal((spec.kernel_size, spec.channels_per_group, spec.filters))
    out = convolve(
        x[None], kernel, strides=axis.strides, dilation_rate=axis.dilation_rate,
        pad_left=axis.pad_left, pad_right=axis.pad_right,
        padding_mode=spec.padding_mode, groups=spec.groups, finite=True,
    )[0]  # fmt: skip
    positions = sorted({0, expected // 2, expected - 1})  # first, middle, last: recomputed tap by tap
    windows_ok = out.shape == (expected, spec.filters) and all(
        np.isclose(out[t, f], _window_value(x, kernel, plan, axis, t, f), rtol=1e-9, atol=1e-9)
        for t in positions
        for f in sorted({0, spec.filters - 1})
    )
    where = "" if status == "confirmed" else f" (a shorter input of length {axis.length}, same padding)"
    if not windows_ok:
        status = "mismatch"
        note = f"MISMATCH: NumPy gave {counted(out.shape[0], 'position')}{where}, the formula {expected}"
    else:
        windows = (
            f"window {positions[0]} reads" if len(positions) == 1 else f"windows {', '.join(map(str, positions))} read"
        )
        note = (f"confirmed by NumPy{where}: a seeded example gave {counted(out.shape[0], 'output position')}, "
                f"and {windows} exactly the rows shown")  # fmt: skip
    return Check(status, axis.length, expected, out.shape[0], len(positions), seed, note)
