"""The NumPy convolution: exact Keras / PyTorch semantics, in chunks of bounded memory.

Arrays are channels-last here: x (N, L, C), kernel in Keras' layout (k, C/groups, F), output
(N, L_out, F); PyTorch's layout arrives as transposed views. One pure function, choose.choose(),
takes the call's description (layer.LayerShape: sizes, padding, memory layout, a lazy look at
whether the numbers are finite) and the thresholds (limits.Limits) and returns a frozen Choice;
convolve() then runs it. The algorithms, in the order choose() asks them:
- input_taps: zero padding contributes nothing (its taps are skipped, never multiplied): a kernel
  holding inf or NaN over zero padding, and any window whose rows would be over the span bound
  (a dilation or kernel far longer than the input), take only the taps that read the input;
- unfold_first: in PyTorch's layout each channel is a row along L; long enough layers with a
  short enough kernel unfold their taps along L and make one product a chunk, written in place
  (a large grouped layer's chunks shared between threads, as above);
- depthwise_rows: depthwise layers in PyTorch's layout (stride 1, short kernels) multiply-add
  along each channel's row, blocks of rows shared between threads;
- grouped layers are one convolution per group (choose() on one group's description); large
  ones run their groups on the engine's threads, BLAS on one thread each (blas.py);
- the chunked algorithms (chunks.py), each chunk of output positions by one of:
  per_tap (dilated, many channels: one product per tap off shifted views), tap_stack (many
  channels, few filters: one product with the taps side by side, then shifted adds),
  depthwise_einsum (one input channel a group: an einsum over the windows, on threads),
  in_place (undilated windows of a channels-last input read by BLAS where they lie),
  im2col (the chunk's taps side by side, one product, the bias as a column of ones), the
  last two with polyphase rows for a narrow F (P positions a product row).
A new algorithm is one module with applies(layer, limits) and its kernels (and the weights it
lays out), and its place in choose(); a test forces it through `limits` (or using_limits).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import numpy as np
from numpy.lib.stride_tricks import as_strided

from conv1dexplain import records
from conv1dexplain.engine import blas, chunks, depthwise_rows, input_taps, threads, unfold_first
from conv1dexplain.engine.choose import Choice, choose
from conv1dexplain.engine.finite import look_once
from conv1dexplain.engine.layer import Array, LayerShape, describe
from conv1dexplain.engine.limits import DEFAULT_LIMITS, Limits
from conv1dexplain.geometry import Axis

if TYPE_CHECKING:
    from concurrent.futures import Executor

__all__ = [
    "DEFAULT_LIMITS",
    "Array",
    "Choice",
    "Elementwise",
    "LayerShape",
    "Limits",
    "choose",
    "convolve",
    "using_limits",
]

Elementwise = Callable[[Array], Array]
_limits: contextvars.ContextVar[Limits] = contextvars.ContextVar("conv1dexplain_engine_limits", default=DEFAULT_LIMITS)


@contextlib.contextmanager
def using_limits(limits: Limits) -> Iterator[None]:
    """Calls of convolve() without `limits` use these inside the block (tests force a path on
    layers that reach the engine through conv1d(), run or trace)."""
    token = _limits.set(limits)
    try:
        yield
    finally:
        _limits.reset(token)


@records.record(frozen=True)
class Call:
    """One call's arrays and what they do not carry: their step, padding and groups."""

    x: Array
    kernel: Array
    bias: Array | None
    out: Array
    layer: LayerShape
    elementwise: Elementwise | None


def convolve(
    x: Array,
    kernel: Array,
    bias: Array | None = None,
    *,
    strides: int = 1,
    dilation_rate: int = 1,
    pad_left: int = 0,
    pad_right: int = 0,
    padding_mode: str = "zeros",
    groups: int = 1,
    out: Array | None = None,
    elementwise: Elementwise | None = None,
    work_bytes: int | None = None,
    finite: bool | None = None,
    paths: list[str] | None = None,
    limits: Limits | None = None,
) -> Array:
    """Cross-correlate x (N, L, C) with kernel (k, C/groups, F) → (N, L_out, F), written into out.

    `out` may be any writable (N, L_out, F) view (a memory map, a transposed array); `elementwise`
    is applied chunk by chunk (an activation that needs no other output position). `finite` says
    whether x is known to hold finite numbers only (None: look, if a path needs it). Otherwise the
    paths that multiply data by weights that are zero are not taken: inf · 0 is NaN, and NaN and
    inf must land where the frameworks put them. Zero padding contributes nothing: its taps are
    skipped, never multiplied. Overflow and NaN make no warnings, as there. `paths`, if given,
    gets the name of each algorithm the call takes (one a group for grouped layers). `limits`
    (default: those of using_limits, else DEFAULT_LIMITS) are choose()'s thresholds; `work_bytes`
    replaces their chunk budget.
    """
    limits = _limits.get() if limits is None else limits
    if work_bytes is not None:
        limits = records.replace(limits, work_bytes=work_bytes)
    batch, length, _ = x.shape
    dtype = np.result_type(x.dtype, kernel.dtype)
    l_out = Axis(length, kernel.shape[0], strides, dilation_rate, pad_left, pad_right).output_length
    if out is None:
        out = np.empty((batch, l_out, kernel.shape[2]), dtype=dtype)
    if l_out == 1:
        strides = 1  # one window: its step is never taken (and a huge one would overflow NumPy's strides)
    if l_out > 0 and batch > 0:
        x, out = settled_strides(x), settled_strides(out)
        look = look_once(x, kernel, finite)
        layer = describe(x, kernel, out, strides, dilation_rate, (pad_left, pad_right), padding_mode, groups, look)
        choice = choose(layer, limits)
        run(Call(x, kernel, bias, out, layer, elementwise), choice, limits, [] if paths is None else paths)
    return out


def settled_strides(a: Array) -> Array:
    """a (N, L, C), with the strides of its size-1 axes (which never step) set as contiguous rows
    would have them: a single channel one item, a single position one row. A (N, 1, L) array of
    PyTorch's, or one position of its output, seen channels-last, then takes the channels-last
    paths like a Keras one."""
    _, length, channels = a.shape
    s0, s1, s2 = a.strides
    s2 = a.itemsize if channels == 1 else s2
    s1 = channels * s2 if length == 1 else s1
    return a if (s1, s2) == a.strides[1:] else as_strided(a, a.shape, (s0, s1, s2))


def run(call: Call, choice: Choice, limits: Limits, paths: list[str]) -> None:
    """Fill call.out, non-empty, by the chosen algorithm."""
    layer = call.layer
    x, kernel, bias, out, elementwise = call.x, call.kernel, call.bias, call.out, call.elementwise
    if choice.group is not None:
        run_groups(call, choice.group, limits, paths)
        return
    paths.append(choice.algorithm)
    pads = (layer.pad_left, layer.pad_right)
    if choice.algorithm == "input taps only":
        with np.errstate(over="ignore", invalid="ignore"):
            input_taps.convolve_taps(
                x,
                kernel,
                bias,
                out,
                layer.strides,
                layer.dilation,
                pads[0],
                layer.padding_mode,
                layer.groups,
                elementwise,
                limits.work_bytes,
            )
    elif choice.algorithm == "taps unfolded along L":
        with np.errstate(over="ignore", invalid="ignore"):
            unfold_first.convolve_unfolded(x, kernel, bias, out, layer, elementwise, limits)
    elif choice.algorithm == "depthwise rows":
        rows = depthwise_rows.DepthwiseRows(
            x, kernel, bias, out, layer.dilation, pads[0], layer.padding_mode, elementwise, limits
        )
        threads.spread(rows.run, rows.blocks, choice.threads)
    else:
        chunks.run(x, kernel, bias, out, layer, choice, limits, elementwise)


def run_groups(call: Call, choice: Choice, limits: Limits, paths: list[str]) -> None:
    """A grouped layer: one convolution per group, each by the same choice."""
    layer = call.layer
    cg, fg = layer.kernel_channels, layer.filters // layer.groups
    one = records.replace(layer, channels=cg, kernel_channels=cg, filters=fg, groups=1)
    parts = [
        Call(
            call.x[:, :, group * cg : (group + 1) * cg],
            call.kernel[:, :, group * fg : (group + 1) * fg],
            None if call.bias is None else call.bias[group * fg : (group + 1) * fg],
            call.out[:, :, group * fg : (group + 1) * fg],
            one,
            call.elementwise,
        )
        for group in range(layer.groups)
    ]
    if (
        limits.threads < 2
        or layer.batch * layer.l_out * layer.filters * layer.kernel_size * cg < limits.group_threads_macs
    ):
        for part in parts:
            run(part, choice, limits, paths)
        return
    found: list[list[str]] = []

    def run_parts(todo: list[Call]) -> None:
        taken: list[str] = []
        found.append(taken)
        for part in todo:
            run(part, choice, limits, taken)

    with blas.single_threaded():  # each thread's products on one core: the groups run side by side
        threads.spread(run_parts, parts, limits.threads)
    paths.extend(path for taken in found for path in taken)


def _pool() -> Executor:
    """The engine's threads (started on first use, and kept)."""
    return threads.pool(DEFAULT_LIMITS.threads)
