"""The NumPy convolution: exact Keras / PyTorch semantics, in chunks of bounded memory.

Arrays are channels-last here: x (N, L, C), kernel in Keras' layout (k, C/groups, F), output
(N, L_out, F); PyTorch's layout arrives as transposed views. Each chunk of output positions lays
its k taps side by side (an im2col of the chunk only, never of the whole input) and makes one
matrix product with K = k·C, the bias folded in as a column of ones — the shape BLAS is fastest
at. Per shape:
- undilated windows of a channels-last input are contiguous numbers of it: where their copy
  costs more than the pass over the output that the bias then needs, BLAS reads them in place
  (only the windows over the padding are laid out);
- a narrow F shares product rows between neighbouring positions (polyphase);
- many channels and few filters: one product of the input rows with the k taps side by side
  (K = C, N = k·F), then k shifted adds (with stride s, rows of s input rows);
- dilated layers with many channels take one product per tap off shifted views;
- grouped layers are one such convolution per group; depthwise layers (one input channel per
  group) need no product at all: an einsum over the windows, on two threads, or in PyTorch's
  layout (stride 1, k ≤ 9) multiply-adds along each channel's row (depthwise_rows);
- in PyTorch's layout, each channel is a row along L: layers with 128 or more output positions
  and a short enough kernel unfold their taps along L and make one product a chunk, written where
  it lies (unfold_first); other layers write each chunk channels-last, then copy it into the
  output;
- zero padding contributes nothing (its taps are skipped, never multiplied): a kernel holding inf
  or NaN over zero padding, and any window whose rows would be over 6 MiB (a dilation or kernel
  far longer than the input), take only the taps that read the input (input_taps).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import numpy as np
from numpy.lib.stride_tricks import as_strided

from conv1dexplain.engine import depthwise_rows, input_taps, unfold_first
from conv1dexplain.engine.products import Workspace, by_pieces, held, inside_windows, tap_stack_rows
from conv1dexplain.engine.strategy import (
    WORK_BYTES,
    Array,
    Finite,
    Strategy,
    contiguous_rows,
    is_depthwise,
    look_once,
)
from conv1dexplain.geometry import Axis

if TYPE_CHECKING:
    from concurrent.futures import Executor

__all__ = ["Array", "Elementwise", "convolve"]

Elementwise = Callable[[Array], Array]
Todo = TypeVar("Todo")
THREADS = max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


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
    work_bytes: int = WORK_BYTES,
    finite: bool | None = None,
    paths: list[str] | None = None,
) -> Array:
    """Cross-correlate x (N, L, C) with kernel (k, C/groups, F) → (N, L_out, F), written into out.

    `out` may be any writable (N, L_out, F) view (a memory map, a transposed array); `elementwise`
    is applied chunk by chunk (an activation that needs no other output position). `finite` says
    whether x is known to hold finite numbers only (None: look, if a path needs it). Otherwise the
    paths that multiply data by weights that are zero are not taken: inf · 0 is NaN, and NaN and
    inf must land where the frameworks put them. Zero padding contributes nothing: its taps are
    skipped, never multiplied. Overflow and NaN make no warnings, as there. `paths`, if given,
    gets the name of each algorithm the call takes (one a group for grouped layers).
    """
    batch, length, _ = x.shape
    dtype = np.result_type(x.dtype, kernel.dtype)
    l_out = Axis(length, kernel.shape[0], strides, dilation_rate, pad_left, pad_right).output_length
    if out is None:
        out = np.empty((batch, l_out, kernel.shape[2]), dtype=dtype)
    if l_out == 1:
        strides = 1  # one window: its step is never taken (and a huge one would overflow NumPy's strides)
    if l_out > 0 and batch > 0:
        _convolve(settled_strides(x), kernel, bias, settled_strides(out), strides, dilation_rate,
                  (pad_left, pad_right), padding_mode, groups, elementwise, work_bytes,
                  look_once(x, kernel, finite), [] if paths is None else paths)  # fmt: skip
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


def _convolve(x: Array, kernel: Array, bias: Array | None, out: Array, strides: int, dilation_rate: int,
              pads: tuple[int, int], padding_mode: str, groups: int, elementwise: Elementwise | None,
              work_bytes: int, finite: Finite, paths: list[str]) -> None:  # fmt: skip
    """convolve() into out, non-empty; finite: the look shared by a grouped layer's groups."""
    if input_taps.applies(x, kernel, dilation_rate, pads, padding_mode, finite):
        paths.append("input taps only")
        with np.errstate(over="ignore", invalid="ignore"):
            input_taps.convolve_taps(x, kernel, bias, out, strides, dilation_rate, pads[0], padding_mode, groups,
                                     elementwise, work_bytes)  # fmt: skip
        return
    if unfold_first.applies(x, kernel, out, strides, groups):
        paths.append("taps unfolded along L")
        with np.errstate(over="ignore", invalid="ignore"):
            unfold_first.convolve_unfolded(x, kernel, bias, out, strides, dilation_rate, pads[0], padding_mode, groups,
                                           elementwise, work_bytes)  # fmt: skip
        return
    if depthwise_rows.applies(x, kernel, out, strides, groups):
        paths.append("depthwise rows")
        layer = depthwise_rows.DepthwiseRows(x, kernel, bias, out, dilation_rate, pads[0], padding_mode, elementwise,
                                             work_bytes)  # fmt: skip
        _spread(layer.run, layer.blocks)
        return
    if groups > 1 and not is_depthwise(kernel, groups):  # grouped: one ordinary convolution per group
        cg, fg = kernel.shape[1], kernel.shape[2] // groups
        for group in range(groups):
            filters = slice(group * fg, (group + 1) * fg)
            _convolve(x[:, :, group * cg : (group + 1) * cg], kernel[:, :, filters],
                      None if bias is None else bias[filters], out[:, :, filters], strides, dilation_rate, pads,
                      padding_mode, 1, elementwise, work_bytes, finite, paths)  # fmt: skip
        return
    batch, l_out = x.shape[0], out.shape[1]
    dtype = np.result_type(x.dtype, kernel.dtype)
    strategy = Strategy(x, kernel, bias, out, groups, strides, dilation_rate, pads, padding_mode, dtype, work_bytes,
                        finite)  # fmt: skip
    paths.append(strategy.algorithm)
    chunks = [(n0, t0) for n0 in range(0, batch, strategy.batch_block) for t0 in range(0, l_out, strategy.positions)]

    def run_chunks(todo: list[tuple[int, int]]) -> None:
        work = Workspace(strategy, dtype)
        with np.errstate(over="ignore", invalid="ignore"):  # (a per-thread setting)
            for n0, t0 in todo:
                run_chunk(work, n0, t0)

    def run_chunk(work: Workspace, n0: int, t0: int) -> None:
        xb = x[n0 : n0 + strategy.batch_block]
        nb, t = xb.shape[0], min(strategy.positions, l_out - t0)
        target = out[n0 : n0 + nb, t0 : t0 + t]
        # Filters apart in memory (PyTorch's layout): the algorithms write a channels-last buffer,
        # then one copy moves it (shifted adds, einsum and copies into such a target: 2–5× slower).
        result = target if target.strides[2] == target.itemsize else held("result", target.shape, dtype)
        if work.products is not None and strides == 1 and padding_mode == "zeros" and contiguous_rows(xb):
            tap_stack_rows(xb, t0, strategy, result, work.products)  # the padding's zeros need no copy
        elif strategy.inside:
            inside_windows(xb, t0, strategy, result, work)
        else:
            by_pieces(xb, t0, strategy, result, work)
        if elementwise is not None:
            result[...] = elementwise(result)
        if result is not target:
            target[...] = result

    if strategy.depthwise:
        _spread(run_chunks, chunks)
    else:
        run_chunks(chunks)


def _spread(run: Callable[[list[Todo]], None], todo: list[Todo]) -> None:
    """run(todo), its items shared between threads: for depthwise layers, where ufuncs and einsum
    (which release the GIL) do the work; BLAS has its own threads."""
    if THREADS > 1 and len(todo) > 1:
        list(_pool().map(run, [todo[i::THREADS] for i in range(THREADS)]))
    else:
        run(todo)


@functools.cache
def _pool() -> Executor:
    """Threads for depthwise layers, started on first use and kept: starting them costs about
    0.5 ms a call. (Imported here: concurrent.futures costs every start-up.)"""
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(THREADS, thread_name_prefix="conv1dexplain")


if hasattr(os, "register_at_fork"):  # a forked child has none of the parent's threads: start anew
    os.register_at_fork(after_in_child=_pool.cache_clear)
