"""Check a plan on seeded data: the engine, run with the plan's padding, against an independent definition.

The reference below knows nothing of geometry.py: it pads by the framework's own documented rule
for the layer's settings (np.pad for the padding_mode), then slides the window while it fits, tap
by tap. A wrong split, a wrong output-length formula or a wrong padding_mode in the plan or the
engine makes the two disagree, and the check says so. Both rules are, besides, tested against the
real Keras and PyTorch (tests/test_oracle_*.py).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from conv1dexplain.engine import convolve
from conv1dexplain.geometry import Axis
from conv1dexplain.layers.conv1d import Conv1DConfig, Conv1DPlan
from conv1dexplain.records import replace
from conv1dexplain.report.shape import Check, shown_windows
from conv1dexplain.vocabulary import counted

# The check must stay instant and small: at most this many array elements and MACs.
MAX_ELEMENTS = 4_000_000
MAX_MACS = 100_000_000
NP_PAD_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}

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


def reference_padding(plan: Conv1DPlan, length: int) -> tuple[int, int]:
    """(before, after) by the frameworks' documented rules, written out apart from geometry.py."""
    spec = plan.config
    k, s, d = spec.kernel_size, spec.strides, spec.dilation_rate
    if isinstance(spec.padding, tuple):
        return spec.padding
    if isinstance(spec.padding, int):  # nn.Conv1d: padding on both sides
        return spec.padding, spec.padding
    if spec.padding == "valid":
        return 0, 0
    if spec.padding == "causal":  # Keras: the past only, (k−1)·d of it
        return (k - 1) * d, 0
    if not plan.convention.same_by_output_length:  # PyTorch's 'same': (k−1)·d in all, the smaller half first
        return (k - 1) * d // 2, (k - 1) * d - (k - 1) * d // 2
    # TensorFlow's SAME: as many outputs as ceil(L/s); the padding that needs, the odd one after.
    outputs = -(-length // s)
    needed = max(0, (outputs - 1) * s + (k - 1) * d + 1 - length)
    return needed // 2, needed - needed // 2


def reference_output(spec: Conv1DConfig, x: np.ndarray, kernel: np.ndarray, before: int, after: int) -> np.ndarray:
    """The convolution by its definition: pad (or crop, as F.pad does), then every window that fits."""
    length = x.shape[0]
    x = x[max(-before, 0) : length - max(-after, 0)]
    mode = NP_PAD_MODES[spec.padding_mode]
    padded = np.pad(x, ((max(before, 0), max(after, 0)), (0, 0)), mode=mode)  # type: ignore[call-overload]
    k, s, d, g = spec.kernel_size, spec.strides, spec.dilation_rate, spec.groups
    count = len(range(0, padded.shape[0] - (k - 1) * d, s))  # window starts whose last tap is inside
    cg, fg = x.shape[1] // g, spec.filters // g
    out = np.zeros((count, g, fg))
    for tap in range(k):
        rows = padded[tap * d : tap * d + (count - 1) * s + 1 : s] if count else padded[:0]
        out += np.einsum("ngc,cgf->ngf", rows.reshape(count, g, cg), kernel[tap].reshape(cg, g, fg))
    return out.reshape(count, spec.filters)


def _rule(plan: Conv1DPlan) -> str:
    """Which documented rule the reference padded by, in the framework's words."""
    spec, title = plan.config, plan.convention.title
    owner = title + ("'" if title.endswith("s") else "'s")
    setting = f"'{spec.padding}'" if isinstance(spec.padding, str) else f"padding={spec.padding}"
    mode = f" with padding_mode='{spec.padding_mode}'" if spec.padding_mode != "zeros" else ""
    return f"{owner} rule for {setting}{mode}"


def _skipped(seed: int, note: str) -> Check:
    return Check("skipped", None, None, None, None, None, 0, [], seed, note)


def _sample_axis(plan: Conv1DPlan) -> tuple[Axis, Status] | str:
    """The axis the check runs on (the layer's, or a shorter one of the same geometry), or why it is skipped."""
    spec, axis = plan.config, plan.axis
    weights = plan.weights_per_filter * spec.filters
    if weights > MAX_ELEMENTS or spec.groups * spec.kernel_size > MAX_ELEMENTS:
        return f"skipped: the kernel alone has {weights:,} weights, over the check's budget"
    elements, macs = _cost(axis, plan.input_channels, spec.filters, plan.weights_per_filter)
    if elements <= MAX_ELEMENTS and macs <= MAX_MACS:
        return axis, "confirmed"
    axis = _shorter_axis(axis)
    elements, macs = _cost(axis, plan.input_channels, spec.filters, plan.weights_per_filter)
    if elements > MAX_ELEMENTS or macs > MAX_MACS:
        return "skipped: even a short input of this layer is over the check's budget"
    return axis, "confirmed_shorter"


def check_plan(plan: Conv1DPlan, seed: int = 0) -> Check:
    """Run the engine on one seeded example and compare it, shape and values, with the reference."""
    sampled = _sample_axis(plan)
    if isinstance(sampled, str):
        return _skipped(seed, sampled)
    axis, status = sampled
    spec = plan.config
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((axis.length, plan.input_channels))
    kernel = rng.standard_normal((spec.kernel_size, plan.channels_per_group, spec.filters))
    out = convolve(
        x[None],
        kernel,
        strides=axis.strides,
        dilation_rate=axis.dilation_rate,
        pad_left=axis.pad_left,
        pad_right=axis.pad_right,
        padding_mode=spec.padding_mode,
        groups=spec.groups,
        finite=True,
    )[0]
    before, after = reference_padding(plan, axis.length)
    reference = reference_output(spec, x, kernel, before, after)
    windows = shown_windows(axis.output_length)
    # The positions shown for window t are t·s + j·d − left; the definition reads padded index t·s + j·d.
    by_definition = [
        [t * spec.strides + j * spec.dilation_rate - before for j in range(spec.kernel_size)] for t in windows
    ]
    agree = (
        out.shape == reference.shape == (axis.output_length, spec.filters)
        and [axis.input_positions(t) for t in windows] == by_definition
        and bool(np.allclose(out, reference, rtol=1e-9, atol=1e-9 * np.sqrt(plan.weights_per_filter)))
    )
    where = "" if status == "confirmed" else f" of length {axis.length} (shorter than yours, same padding)"
    if not agree:
        note = (
            f"MISMATCH on a seeded example{where}: the plan pads {axis.pad_left} + {axis.pad_right} for "
            f"{counted(axis.output_length, 'output position')} and the engine gave {out.shape[0]}; the "
            f"definition pads {before} + {after} and gives {reference.shape[0]}"
            + ("" if out.shape != reference.shape else ", with other values")
        )
        status = "mismatch"
    else:
        note = _confirmed(plan, status, where, out.shape[0], windows)
    return Check(
        status,
        axis.length,
        axis.output_length,
        out.shape[0],
        reference.shape[0],
        [before, after],
        len(windows),
        windows,
        seed,
        note,
    )


def _confirmed(plan: Conv1DPlan, status: Status, where: str, outputs: int, windows: list[int]) -> str:
    named = f"window {windows[0]} reads" if len(windows) == 1 else f"windows {', '.join(map(str, windows))} read"
    named += " the positions shown" if status == "confirmed" else " positions by the rule of those shown"
    activation = plan.config.activation
    act = "" if activation is None else f" (before {activation})"
    return (
        f"confirmed on a seeded example{where}: NumPy's engine, with the padding above, gave "
        f"{counted(outputs, 'output position')}, each equal{act} to the convolution computed from "
        f"the settings alone ({_rule(plan)}, then every window tap by tap); {named}"
    )
