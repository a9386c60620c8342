"""One layer over a whole (batched) input, with its activation, in bounded memory.

The engine is fed one of four ways: a whole array in one call (element-wise activation); blocks of
examples (seeded random input drawn as it is read, or an activation over a whole axis); blocks of
output positions of one long channels-last example (drawn, or activated over the filters); and,
in channels_first, an example's whole length held before an activation that runs along it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray

from conv1dexplain.activations import activation_function
from conv1dexplain.engine import convolve
from conv1dexplain.geometry import Axis
from conv1dexplain.layers.conv1d import Conv1DPlan as Plan
from conv1dexplain.random_data import LazyNormal, NormalStream
from conv1dexplain.records import record
from conv1dexplain.vocabulary import AXIS_WISE

Array = NDArray[np.floating]
BLOCK_BYTES = 8 << 20  # of input rows drawn, or of outputs held before their activation, at once


def engine_kernel(plan: Plan, kernel: NDArray[Any], dtype: np.dtype[np.floating]) -> Array:
    """The kernel in the engine's layout (Keras': k, C/groups, F), in the compute dtype."""
    kcf: NDArray[Any] = kernel.transpose(plan.convention.to_keras_kernel)
    return kcf.astype(dtype, copy=False)


@record(frozen=True)
class _Layer:
    """What every engine call of one run shares: the layer, its weights in the engine's layout and
    compute dtype, its activation, and the bytes a block may hold."""

    plan: Plan
    axis: Axis
    kernel: Array
    bias: Array | None
    function: Callable[[Array], Array] | None
    axis_wise: bool  # the activation reads a whole axis (softmax, glu …)
    block_bytes: int

    @property
    def channels_last(self) -> bool:
        return self.plan.config.data_format == "channels_last"

    def per_example(self) -> int:
        """Bytes of one example's input (and of its outputs held before an activation over an axis)."""
        itemsize = self.kernel.dtype.itemsize
        size = self.axis.length * self.plan.input_channels * itemsize
        if self.axis_wise:
            size = max(size, self.axis.output_length * self.plan.config.filters * itemsize)
        return size

    def examples_per_block(self) -> int:
        return max(1, self.block_bytes // max(self.per_example(), 1))


def run_plan(
    plan: Plan,
    x: NDArray[Any] | LazyNormal,
    kernel: NDArray[Any],
    bias: NDArray[Any] | None,
    dtype: np.dtype[np.floating],
    out: Array | None = None,
    finite: bool | None = None,
    block_bytes: int = BLOCK_BYTES,
) -> Array:
    """Convolve x in the plan's layout (batched, 3-D) into out (same layout), activation included.
    finite: x is known to hold finite numbers only (None: the engine looks, if it needs to);
    block_bytes: what a block of drawn input, or of outputs before their activation, may hold."""
    activation = plan.config.activation
    if out is None:
        out = np.empty(tuple(x.shape[0] if d is None else d for d in plan.output_shape), dtype=dtype)
    layer = _Layer(
        plan=plan,
        axis=plan.axis,
        kernel=engine_kernel(plan, kernel, dtype),
        bias=None if bias is None else bias.astype(dtype, copy=False),
        function=activation_function(activation),
        axis_wise=activation in AXIS_WISE,
        block_bytes=block_bytes,
    )
    if isinstance(x, LazyNormal):
        _drawn(layer, x, out)
    elif layer.axis_wise:
        _array_blocks(layer, x, out, finite)
    else:
        _engine(layer, layer.axis, _nlc(x, layer.channels_last), _nlc(out, layer.channels_last), finite)
    return out


def _array_blocks(layer: _Layer, x: NDArray[Any], out: Array, finite: bool | None) -> None:
    """An array, a block of examples at a time."""
    step = layer.examples_per_block()
    for n0 in range(0, x.shape[0], step):
        _examples(layer, x[n0 : n0 + step], out[n0 : n0 + step], finite)


def _drawn(layer: _Layer, x: LazyNormal, out: Array) -> None:
    """Seeded random input drawn as it is read: a block of examples at a time, or, for a channels-last
    example over a block, its rows a block of positions at a time (channels-first data is drawn
    channel by channel, so a long example of it is drawn whole)."""
    stream = NormalStream(x.seed, layer.kernel.dtype)
    length, channels = layer.axis.length, layer.plan.input_channels
    if layer.channels_last and layer.per_example() > layer.block_bytes:
        for n in range(x.shape[0]):
            _positions(layer, _StreamRows(stream, n, length, channels), out[n : n + 1], True)
        return
    step = layer.examples_per_block()
    for n0 in range(0, x.shape[0], step):
        n1 = min(x.shape[0], n0 + step)
        values = stream.read(n0 * length * channels, n1 * length * channels)
        _examples(layer, values.reshape((n1 - n0, *x.shape[1:])), out[n0:n1], True)


def _examples(layer: _Layer, xb: NDArray[Any], out: Array, finite: bool | None) -> None:
    """A block of examples in the plan's layout: one engine call, then the activation over a whole axis
    where there is one (channels_first: along the length of the held output; channels_last: over the
    filters, a block of positions at a time)."""
    if not layer.axis_wise:
        _engine(layer, layer.axis, _nlc(xb, layer.channels_last), _nlc(out, layer.channels_last), finite)
    elif not layer.channels_last:
        held = np.empty((xb.shape[0], layer.plan.config.filters, layer.axis.output_length), layer.kernel.dtype)
        _engine(layer, layer.axis, _nlc(xb, False), _nlc(held, False), finite, activated=False)
        assert layer.function is not None
        out[...] = layer.function(held)
    else:
        _positions(layer, _ArrayRows(xb), out, finite)


def _nlc(a: NDArray[Any], channels_last: bool) -> NDArray[Any]:
    return a if channels_last else a.transpose(0, 2, 1)


def _engine(
    layer: _Layer, axis: Axis, x: NDArray[Any], out: NDArray[Any], finite: bool | None, activated: bool = True
) -> None:
    """One engine call, channels-last x into out, with the element-wise activation unless activated=False."""
    convolve(
        x,
        layer.kernel,
        layer.bias,
        strides=axis.strides,
        dilation_rate=axis.dilation_rate,
        pad_left=axis.pad_left,
        pad_right=axis.pad_right,
        padding_mode=layer.plan.config.padding_mode,
        groups=layer.plan.config.groups,
        out=out,
        elementwise=layer.function if activated else None,
        finite=finite,
    )


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


def _position_blocks(layer: _Layer, itemsize: int) -> Iterator[tuple[int, int]]:
    """Output positions t0 … t1−1, few enough that their outputs and the rows they read fit a block."""
    axis = layer.axis
    per_position = max(layer.plan.config.filters, axis.strides * layer.plan.input_channels) * itemsize
    step = max(1, layer.block_bytes // per_position)
    for t0 in range(0, axis.output_length, step):
        yield t0, min(axis.output_length, t0 + step)


def _positions(layer: _Layer, rows: _ArrayRows | _StreamRows, out: NDArray[Any], finite: bool | None) -> None:
    """The channels-last output (out) of a block of examples, a block of positions at a time: each
    reads its windows' rows, the engine adds the zero padding around them (channels_last is Keras',
    which pads with zeros only), and is activated whole."""
    axis = layer.axis
    assert layer.plan.config.padding_mode == "zeros"
    for t0, t1 in _position_blocks(layer, out.itemsize):
        first = t0 * axis.strides - axis.pad_left  # the padded positions t0 … t1−1 read: first … last
        last = (t1 - 1) * axis.strides + axis.span - 1 - axis.pad_left
        lo, hi = max(first, 0), min(last + 1, axis.length)
        if lo < hi:
            xb, pads = rows.take(lo, hi), (lo - first, last + 1 - hi)
        else:  # windows over the padding only: zeros
            xb, pads = np.zeros((out.shape[0], last + 1 - first, layer.plan.input_channels), layer.kernel.dtype), (0, 0)
        sub = Axis(xb.shape[1], axis.kernel_size, axis.strides, axis.dilation_rate, *pads)
        target = out[:, t0:t1]
        if not layer.axis_wise:
            _engine(layer, sub, xb, target, finite)
            continue
        held = np.empty((xb.shape[0], t1 - t0, layer.plan.config.filters), layer.kernel.dtype)
        _engine(layer, sub, xb, held, finite, activated=False)
        assert layer.function is not None
        target[...] = layer.function(held)
