"""One layer over a whole (batched) input, with its activation, in bounded memory: the engine on
arrays, seeded random input drawn as it is read, and activations that need a whole axis."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray

from conv1dexplain import data
from conv1dexplain.activations import activation_function
from conv1dexplain.engine import convolve
from conv1dexplain.geometry import Axis
from conv1dexplain.plan import Plan
from conv1dexplain.spec import ConvSpec
from conv1dexplain.vocabulary import AXIS_WISE

Array = NDArray[np.floating]
BLOCK_BYTES = 8 << 20  # of input rows drawn, or of outputs held before their activation, at once
DRAW_VALUES = 1 << 18  # numbers drawn at once (float64, then cast): 2 MiB


class LazyNormal:
    """Seeded standard-normal input, drawn only as far as it is read (the same numbers as a full draw)."""

    def __init__(self, shape: tuple[int, ...], seed: int, dtype: np.dtype[np.floating], max_bytes: int) -> None:
        self.shape, self.seed, self.dtype, self.ndim, self.max_bytes = shape, seed, dtype, len(shape), max_bytes

    def materialize(self) -> NDArray[np.floating]:
        """All of it at once, within the memory budget."""
        data.fits_in_memory("the random input", self.shape, self.dtype, self.max_bytes)
        return data.random_input(self.shape, self.seed, self.dtype)

    def batched(self) -> LazyNormal:
        """The same numbers with a batch axis of 1 in front, if there was none."""
        return self if self.ndim == 3 else LazyNormal((1, *self.shape), self.seed, self.dtype, self.max_bytes)


class NormalStream:
    """The numbers of `default_rng(seed).standard_normal(shape)` in row-major order, read forward
    in windows [start, stop) that never go back before the last window's start."""

    def __init__(self, seed: int, dtype: np.dtype[np.floating]) -> None:
        self.generator, self.dtype = np.random.default_rng(seed), dtype
        self.kept, self.kept_start = np.empty(0, dtype), 0  # the last window, for the next one's overlap

    def read(self, start: int, stop: int) -> NDArray[np.floating]:
        """Numbers start … stop−1 of the stream, in the dtype (drawn as float64 and cast, as a full draw is)."""
        drawn_to = self.kept_start + self.kept.size
        assert start >= self.kept_start, "the stream only reads forward"
        for skip in range(drawn_to, start, DRAW_VALUES):  # a gap: drawn and dropped, in bounded blocks
            self.generator.standard_normal(min(DRAW_VALUES, start - skip))
        window = np.empty(stop - start, self.dtype)
        kept = max(0, min(stop, drawn_to) - start)  # the overlap with the last window
        window[:kept] = self.kept[start - self.kept_start : start - self.kept_start + kept] if kept else 0
        self.kept = window[:0]  # the last window is let go before more is drawn
        for at in range(start + kept, stop, DRAW_VALUES):
            end = min(stop, at + DRAW_VALUES)
            window[at - start : end - start] = self.generator.standard_normal(end - at)  # cast as astype casts
        self.kept, self.kept_start = window, start
        return window


def engine_kernel(spec: ConvSpec, kernel: NDArray[Any], dtype: np.dtype[np.floating]) -> Array:
    """The kernel in the engine's layout (Keras': k, C/groups, F), in the compute dtype."""
    kcf = kernel if spec.framework == "keras" else kernel.transpose(2, 1, 0)
    return kcf.astype(dtype, copy=False)


def run_plan(
    plan: Plan,
    x: NDArray[Any] | LazyNormal,
    kernel: NDArray[Any],
    bias: NDArray[Any] | None,
    dtype: np.dtype[np.floating],
    out: Array | None = None,
    finite: bool | None = None,
) -> Array:
    """Convolve x in the plan's layout (batched, 3-D) into out (same layout), activation included.
    finite: x is known to hold finite numbers only (None: the engine looks, if it needs to).

    An array with an element-wise activation is one engine call. Seeded random input is drawn in
    blocks of examples (or of positions, for a long channels-last example: channels-first data is
    drawn channel by channel, so a long example of it is drawn whole), and an activation over a
    whole axis (softmax, glu …) runs block by block: over the filters of each position in
    channels_last, over each example's whole length in channels_first."""
    spec, axis = plan.spec, plan.axis
    channels_last = spec.data_format == "channels_last"
    batch = x.shape[0]
    if out is None:
        out = np.empty(tuple(batch if d is None else d for d in plan.output_shape), dtype=dtype)
    assert out is not None
    function = activation_function(spec.activation)
    axis_wise = spec.activation in AXIS_WISE
    weights = engine_kernel(spec, kernel, dtype)
    weights_bias = None if bias is None else bias.astype(dtype, copy=False)
    if isinstance(x, np.ndarray) and not axis_wise:
        _engine(spec, axis, _nlc(x, channels_last), weights, weights_bias, _nlc(out, channels_last), function, finite)
        return out
    per_example = axis.length * spec.input.channels * dtype.itemsize
    if axis_wise:  # the outputs held before their activation bound the block too
        per_example = max(per_example, axis.output_length * spec.filters * dtype.itemsize)
    whole_length = axis_wise and not channels_last  # the activation runs along the length
    streamed = isinstance(x, LazyNormal) and channels_last
    stream = NormalStream(x.seed, dtype) if isinstance(x, LazyNormal) else None
    step = max(1, BLOCK_BYTES // max(per_example, 1))
    for n0 in range(0, batch, step):
        n1 = min(batch, n0 + step)
        if stream is not None and streamed and n1 - n0 == 1 and per_example > BLOCK_BYTES and not whole_length:
            rows: _ArrayRows | _StreamRows = _StreamRows(stream, n0, axis.length, spec.input.channels)
            _blocks(spec, axis, rows, weights, weights_bias, out[n0:n1], function, axis_wise, True)
            continue
        known: bool | None = True
        if stream is not None:
            values = stream.read(n0 * axis.length * spec.input.channels, n1 * axis.length * spec.input.channels)
            xb = values.reshape((n1 - n0, *x.shape[1:]))
        else:
            assert isinstance(x, np.ndarray)
            xb, known = x[n0:n1], finite
        if not axis_wise:
            target = out[n0:n1]
            _engine(spec, axis, _nlc(xb, channels_last), weights, weights_bias, _nlc(target, channels_last), function,
                    known)  # fmt: skip
        elif whole_length:
            held = np.empty((n1 - n0, spec.filters, axis.output_length), dtype)
            _engine(spec, axis, _nlc(xb, False), weights, weights_bias, _nlc(held, False), None, known)
            assert function is not None
            out[n0:n1] = function(held)
        else:
            _blocks(spec, axis, _ArrayRows(xb), weights, weights_bias, out[n0:n1], function, True, known)
    return out


def _nlc(a: NDArray[Any], channels_last: bool) -> NDArray[Any]:
    return a if channels_last else a.transpose(0, 2, 1)


def _engine(spec: ConvSpec, axis: Axis, x: NDArray[Any], kernel: Array, bias: Array | None, out: NDArray[Any],
            function: Any, finite: bool | None) -> None:  # fmt: skip
    convolve(
        x, kernel, bias, strides=axis.strides, dilation_rate=axis.dilation_rate, pad_left=axis.pad_left,
        pad_right=axis.pad_right, padding_mode=spec.padding_mode, groups=spec.groups, out=out, elementwise=function,
        finite=finite,
    )  # fmt: skip


class _ArrayRows:
    """Rows lo … hi−1 of every example of a block, (n, rows, C)."""

    def __init__(self, x_nlc: NDArray[Any]) -> None:
        self.x = x_nlc

    def take(self, lo: int, hi: int) -> NDArray[Any]:
        return self.x[:, lo:hi]


class _StreamRows:
    """Rows of one channels-last example of seeded random data, drawn forward as they are asked for."""

    def __init__(self, stream: NormalStream, example: int, length: int, channels: int) -> None:
        self.stream, self.base, self.channels = stream, example * length * channels, channels

    def take(self, lo: int, hi: int) -> NDArray[Any]:
        values = self.stream.read(self.base + lo * self.channels, self.base + hi * self.channels)
        return values.reshape(1, hi - lo, self.channels)


def _position_blocks(axis: Axis, filters: int, channels: int, itemsize: int) -> Iterator[tuple[int, int]]:
    """Output positions t0 … t1−1, few enough that their outputs and the rows they read fit a block."""
    per_position = max(filters, axis.strides * channels) * itemsize
    step = max(1, BLOCK_BYTES // per_position)
    for t0 in range(0, axis.output_length, step):
        yield t0, min(axis.output_length, t0 + step)


def _blocks(spec: ConvSpec, axis: Axis, rows: _ArrayRows | _StreamRows, kernel: Array, bias: Array | None,
            out: NDArray[Any], function: Any, axis_wise: bool, finite: bool | None) -> None:  # fmt: skip
    """The channels-last output (out) of a block of examples, a block of positions at a time: each
    reads its windows' rows, the engine adds the zero padding around them (channels_last is Keras',
    which pads with zeros only), and is activated whole."""
    assert spec.padding_mode == "zeros"
    for t0, t1 in _position_blocks(axis, spec.filters, spec.input.channels, out.itemsize):
        first = t0 * axis.strides - axis.pad_left  # the padded positions t0 … t1−1 read: first … last
        last = (t1 - 1) * axis.strides + axis.span - 1 - axis.pad_left
        lo, hi = max(first, 0), min(last + 1, axis.length)
        if lo < hi:
            xb, pads = rows.take(lo, hi), (lo - first, last + 1 - hi)
        else:  # windows over the padding only: zeros
            xb, pads = np.zeros((out.shape[0], last + 1 - first, spec.input.channels), kernel.dtype), (0, 0)
        sub = Axis(xb.shape[1], axis.kernel_size, axis.strides, axis.dilation_rate, *pads)
        target = out[:, t0:t1]
        if not axis_wise:
            _engine(spec, sub, xb, kernel, bias, target, function, finite)
            continue
        held = np.empty((xb.shape[0], t1 - t0, spec.filters), kernel.dtype)
        _engine(spec, sub, xb, kernel, bias, held, None, finite)
        target[...] = function(held)
