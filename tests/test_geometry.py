"""Properties: the pure geometry predicts what the NumPy convolution really does."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conv1dexplain.engine import convolve
from conv1dexplain.engine.depthwise_rows import DepthwiseRows
from conv1dexplain.errors import SpecError
from conv1dexplain.geometry import Axis, keras_same_padding
from conv1dexplain.layers import conv1d
from conv1dexplain.layers.conv1d import Conv1DPlan as Plan
from helpers import FORCED_TAP_STACK, IN_PLACE, UNFOLDED, engine_limits


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    framework = draw(st.sampled_from(["keras", "pytorch"]))
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    channels = groups * draw(st.integers(1, 3))
    filters = groups * draw(st.integers(1, 3))
    kernel_size = draw(st.integers(1, 6))
    strides = draw(st.integers(1, 4))
    dilation = draw(st.integers(1, 3))
    length = draw(st.integers(1, 30))
    if framework == "keras":
        padding = draw(st.sampled_from(["valid", "same", "causal"]))
        data_format = draw(st.sampled_from(["channels_last", "channels_first"]))
        padding_mode = "zeros"
        if strides > 1:
            dilation = 1
    else:
        padding = draw(st.sampled_from(["valid", "same", "0", "1", "2", "4"]))
        data_format = None
        padding_mode = draw(st.sampled_from(["zeros", "reflect", "replicate", "circular"]))
        if padding == "same":
            strides = 1
    dims = (length, channels) if data_format in (None, "channels_last") and framework == "keras" else (channels, length)
    try:
        return conv1d.build(
            framework,
            "x".join(map(str, dims)),
            filters=filters,
            kernel_size=kernel_size,
            strides=strides,
            padding=padding,
            dilation_rate=dilation,
            groups=groups,
            data_format=data_format,
            padding_mode=padding_mode,
        )
    except SpecError:
        from hypothesis import reject

        reject()


def naive(x: np.ndarray, kernel: np.ndarray, plan: Plan) -> np.ndarray:
    """Output by the definition, one window at a time, from the geometry's input positions."""
    axis, spec = plan.axis, plan.config
    mode = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}[spec.padding_mode]
    padded = np.pad(x, ((axis.pad_left, axis.pad_right), (0, 0)), mode=mode)
    cg, fg = plan.channels_per_group, spec.filters // spec.groups
    out = np.zeros((axis.output_length, spec.filters))
    for t in range(axis.output_length):
        rows = [p + axis.pad_left for p in axis.input_positions(t)]
        for f in range(spec.filters):
            g = f // fg
            out[t, f] = sum(padded[r, g * cg : (g + 1) * cg] @ kernel[j, :, f] for j, r in enumerate(rows))
    return out


TINY_CHUNKS = {"work_bytes": 64, "small_copy_bytes": 0}
ENGINE_PATHS = {  # the engine picks an algorithm per shape; force each onto small random layers
    "as chosen": {},
    "one product per tap": {"per_tap_channels": 1},
    "tiny chunks": TINY_CHUNKS,
    "tap-stacked products": FORCED_TAP_STACK,
    "tap-stacked, tiny chunks": {**FORCED_TAP_STACK, **TINY_CHUNKS},
    "one product per example": {"example_rows": 0},
    "windows read in place": IN_PLACE,
    "windows read in place, tiny chunks": {**IN_PLACE, **TINY_CHUNKS},
    "PyTorch's layout, taps unfolded along L": UNFOLDED,
    "PyTorch's layout, taps unfolded along L, tiny chunks": {**UNFOLDED, **TINY_CHUNKS},
}


@pytest.mark.parametrize("path", ENGINE_PATHS)
@settings(max_examples=150, deadline=None)
@given(plan=plans(), seed=st.integers(0, 2**32 - 1))
def test_engine_output_matches_geometry_and_definition(plan: Plan, seed: int, path: str) -> None:
    spec, axis = plan.config, plan.axis
    rng = np.random.default_rng(seed)
    if "in place" in path:  # 2–4 examples back to back: read in place as one long sequence
        x = rng.standard_normal((2 + seed % 3, axis.length, plan.input_channels))
    else:  # two examples apart in memory
        x = rng.standard_normal((3, axis.length, plan.input_channels))[::2]
    out = None
    if "PyTorch" in path:  # (N, C, L) and (N, F, L_out) arrays, seen channels-last as the engine does
        x = np.ascontiguousarray(x.transpose(0, 2, 1)).transpose(0, 2, 1)
        out = np.full((x.shape[0], spec.filters, axis.output_length), np.nan).transpose(0, 2, 1)
    kernel = rng.standard_normal((spec.kernel_size, plan.channels_per_group, spec.filters))
    bias = rng.standard_normal(spec.filters) if seed % 2 else None
    activation = np.tanh if seed % 3 == 0 else None  # applied chunk by chunk
    out = convolve(
        x,
        kernel,
        bias,
        strides=axis.strides,
        dilation_rate=axis.dilation_rate,
        pad_left=axis.pad_left,
        pad_right=axis.pad_right,
        padding_mode=spec.padding_mode,
        groups=spec.groups,
        out=out,
        elementwise=activation,
        limits=engine_limits(ENGINE_PATHS[path]),
    )
    predicted = tuple(x.shape[0] if d is None else d for d in plan.output_shape)
    as_channels_last = predicted if spec.data_format == "channels_last" else (predicted[0], predicted[2], predicted[1])
    assert out.shape == as_channels_last
    for example in range(x.shape[0]):
        expected = naive(x[example], kernel, plan) + (0 if bias is None else bias)
        if activation is not None:
            expected = activation(expected)
        np.testing.assert_allclose(out[example], expected, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("examples", [1, 2, 3])
@pytest.mark.parametrize(
    ("length", "k", "s", "pads"),
    [
        (7, 2, 1, (0, 1)),  # 'same', P = 2 positions a row, 7 a multiple of no P
        (9, 5, 1, (2, 2)),  # 'same', P = 4
        (12, 3, 2, (0, 1)),  # 'same', stride 2, L = s·L_out: one long sequence
        (13, 3, 2, (1, 1)),  # 'same', stride 2, L ≠ s·L_out: example by example
        (11, 4, 1, (0, 0)),  # 'valid'
        (10, 3, 1, (2, 0)),  # 'causal'
    ],
)
def test_windows_read_in_place_cover_every_position_of_every_example(
    examples: int, length: int, k: int, s: int, pads: tuple[int, int]
) -> None:
    """Examples back to back are read as one long sequence when their windows line up: the rows
    of P positions then run on across example borders, and every position of the last example
    must still be reached, and every window over a border redone."""
    rng = np.random.default_rng(length)
    x, kernel, bias = rng.standard_normal((examples, length, 3)), rng.standard_normal((k, 3, 2)), rng.standard_normal(2)
    # (IN_PLACE: short examples read in place one by one too)
    out = convolve(x, kernel, bias, strides=s, pad_left=pads[0], pad_right=pads[1], limits=engine_limits(IN_PLACE))
    padded = np.pad(x, ((0, 0), pads, (0, 0)))
    l_out = out.shape[1]
    expected = sum(padded[:, j : j + (l_out - 1) * s + 1 : s] @ kernel[j] for j in range(k)) + bias
    np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("padding_mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("multiplier", [1, 2])
@pytest.mark.parametrize("examples", ["back to back", "apart in memory"])
@pytest.mark.parametrize("work_bytes", [64, 6 << 20])  # one position a block, or the whole layer in one
def test_depthwise_layers_in_pytorch_layout_take_rows_along_l_and_equal_the_definition(
    padding_mode: str, multiplier: int, examples: str, work_bytes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A depthwise layer in PyTorch's layout takes each channel as a row along L (examples back to
    back: one example of N·C rows, each with its channel's weights). Every row, multiplier, tap
    and block must land in its place, the bias and activation once each."""
    blocks = []
    original = DepthwiseRows.block
    monkeypatch.setattr(DepthwiseRows, "block", lambda self, *args: blocks.append(args[:3]) or original(self, *args))
    rng = np.random.default_rng(multiplier)
    channels, k, d, length, pads = 3, 4, 2, 17, (3, 2)
    memory = rng.standard_normal((4, channels, length))  # (N, C, L)
    x = (memory if examples == "back to back" else memory[::2]).transpose(0, 2, 1)  # seen channels-last
    filters = channels * multiplier
    kernel, bias = rng.standard_normal((k, 1, filters)), rng.standard_normal(filters)
    l_out = length + sum(pads) - d * (k - 1)
    out = np.full((x.shape[0], filters, l_out), np.nan).transpose(0, 2, 1)
    convolve(
        x,
        kernel,
        bias,
        dilation_rate=d,
        pad_left=pads[0],
        pad_right=pads[1],
        padding_mode=padding_mode,
        groups=channels,
        out=out,
        elementwise=np.tanh,
        work_bytes=work_bytes,
    )
    mode = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}[padding_mode]
    padded = np.pad(x, ((0, 0), pads, (0, 0)), mode=mode)
    expected = np.stack(
        [
            sum(padded[:, j * d : j * d + l_out, f // multiplier] * kernel[j, 0, f] for j in range(k))
            for f in range(filters)
        ],
        axis=-1,
    )
    np.testing.assert_allclose(out, np.tanh(expected + bias), rtol=1e-12, atol=1e-12)
    assert len(blocks) == (
        l_out * (1 if examples == "back to back" else x.shape[0])
        if work_bytes == 64
        else 1
        if examples == "back to back"
        else x.shape[0]
    )


@pytest.mark.parametrize("layout", ["channels last", "a transposed (N, C, L) array"])
@pytest.mark.parametrize("where", [15, 5000, -16])  # in the first row of 1,024, another, the rest
@pytest.mark.parametrize("value", [np.inf, -np.inf, np.nan])
def test_one_non_finite_number_anywhere_in_a_large_input_is_seen(where: int, value: float, layout: str) -> None:
    """The engine looks at a large input, contiguous in some order of its axes, with a
    matrix-vector product over rows of 1,024 numbers in memory and a sum of the rest: an inf or NaN
    anywhere must turn the polyphase rows off, whose zero weights (inf · 0 = NaN) would spread NaN
    to windows that never read it."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 22_000, 3))  # 132,000 numbers: 128 rows of 1,024 and 928 left over
    memory = x if layout == "channels last" else np.ascontiguousarray(x.transpose(0, 2, 1))
    memory.reshape(-1)[where] = value  # the where-th number in memory
    x = memory if layout == "channels last" else memory.transpose(0, 2, 1)  # PyTorch's layout, seen as Keras'
    kernel = rng.standard_normal((3, 3, 4))  # four filters: polyphase rows, were the data finite
    out = convolve(x, kernel, pad_left=1, pad_right=1)
    padded = np.pad(x, ((0, 0), (1, 1), (0, 0)))
    with np.errstate(invalid="ignore"):
        expected = sum(padded[:, j : j + 22_000] @ kernel[j] for j in range(3))  # the definition
    np.testing.assert_array_equal(np.isnan(out), np.isnan(expected))
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


@given(st.integers(1, 200), st.integers(1, 9), st.integers(1, 9), st.integers(1, 4), st.integers(-20, 20))
def test_padding_counts_equal_the_listed_taps(length: int, k: int, s: int, d: int, pad: int) -> None:
    axis = Axis(length, k, s, d, max(pad, 0), max(-pad, 0))
    for t in range(min(axis.output_length, 50)):
        taps = axis.padding_taps(t)
        before, after = axis.padding_counts(t)
        assert before + after == len(taps)
        assert all(p < 0 for p in axis.input_positions(t)[:before])


@given(st.integers(1, 500), st.integers(1, 9), st.integers(1, 6), st.integers(1, 3))
def test_keras_same_keeps_ceil_length_and_puts_the_odd_one_right(length: int, k: int, s: int, d: int) -> None:
    left, right = keras_same_padding(length, k, s, d)
    axis = Axis(length, k, s, d, left, right)
    assert axis.output_length == -(-length // s)
    assert right - left in (0, 1)
